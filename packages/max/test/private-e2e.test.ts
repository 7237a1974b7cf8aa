/**
 * End to end against the local MAX exchange, private side: the user stream through dropped
 * sockets with the REST catch-up (fills once each), client pings inside the server's limit, a
 * submit whose answer is lost (settled by client_oid, never resent), a 429 ban with MAX's
 * semantics, and nonce calibration against a server whose clock is 45 s ahead.
 */
import type { Clock, ConnectorAlert, Fill, Order, TradeTick } from '@chimera/core';
import { SystemClock } from '@chimera/core';
import { MaxConnector } from '@chimera/max';
import { startLocalMax, type LocalMax } from '@chimera/max/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const KEY = { accessKey: 'e2e-access', secretKey: 'e2e-secret' };

async function until(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return check();
}

describe('MaxConnector private channels against the local MAX exchange', () => {
  let max: LocalMax;
  let connector: MaxConnector;
  const orders: Order[] = [];
  const fills: Fill[] = [];
  const alerts: ConnectorAlert[] = [];
  const connected: Array<{ reconnect: boolean }> = [];

  beforeAll(async () => {
    max = await startLocalMax({ credentials: [KEY], pingTimeoutMs: 400 });
    connector = new MaxConnector({
      ...KEY,
      baseUrl: max.url,
      wsUrl: max.wsUrl,
      settle: { attempts: 3, delayMs: 10 },
      ws: { backoff: { baseMs: 1, maxMs: 20, jitterMs: 0 }, pingIntervalMs: 100 },
    });
    connector.events.on('order', (o) => orders.push(o));
    connector.events.on('fill', (f) => fills.push(f));
    connector.events.on('alert', (a) => alerts.push(a));
    connector.events.on('userStreamConnected', (i) => connected.push(i));
    await connector.connect();
  });
  afterAll(async () => {
    await connector.close();
    await max.close();
  });

  it('pings inside the server’s limit: the private connection outlives several ping windows', async () => {
    const connections = max.stats.ws.connections;
    await new Promise((r) => setTimeout(r, 1000));
    expect(max.stats.ws.pingTimeouts).toBe(0);
    expect(max.stats.ws.connections).toBe(connections);
    expect(connected).toEqual([{ reconnect: false, ts: expect.any(Number) }]);
  });

  it('catches up over REST after a reconnect: an order filled while the socket was down arrives FILLED, its fill once', async () => {
    const placed = await connector.placeOrder({ market: 'SPOT', symbol: 'BTCTWD', side: 'BUY', type: 'LIMIT', price: '1940000', qty: '0.001', clientOrderId: 'e2e-catch-1', postOnly: false, reduceOnly: false });
    expect(await until(() => orders.some((o) => o.clientOrderId === 'e2e-catch-1' && o.status === 'NEW'))).toBe(true);
    // The socket drops, and the order fills before the client is back.
    expect(max.faults.dropConnections('private')).toBe(1);
    max.engine.fillOrder({ market: 'SPOT', symbol: 'BTCTWD', venueOrderId: placed.venueOrderId });
    expect(await until(() => connected.length === 2)).toBe(true);
    expect(connected[1]).toMatchObject({ reconnect: true });
    expect(await until(() => orders.some((o) => o.clientOrderId === 'e2e-catch-1' && o.status === 'FILLED'))).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const mine = fills.filter((f) => f.clientOrderId === 'e2e-catch-1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ venueOrderId: placed.venueOrderId, side: 'BUY', price: '1940000', qty: '0.001', isMaker: true });
    const states = orders.filter((o) => o.clientOrderId === 'e2e-catch-1').map((o) => [o.status, o.filledQty]);
    expect(states).toEqual([
      ['NEW', '0'],
      ['FILLED', '0.001'],
    ]);
  });

  it('settles a submit whose answer was lost by client_oid, never resending it; reusing the id is DUPLICATE_ORDER', async () => {
    const posts = max.stats.rest.byRoute['POST /api/v3/wallet/spot/order'] ?? 0;
    max.faults.dropResponses(1, { method: 'POST', path: '/api/v3/wallet/spot/order' });
    const order = await connector.placeOrder({ market: 'SPOT', symbol: 'BTCTWD', side: 'BUY', type: 'LIMIT', price: '1900000', qty: '0.001', clientOrderId: 'e2e-lost-1', postOnly: false, reduceOnly: false });
    expect(order).toMatchObject({ clientOrderId: 'e2e-lost-1', status: 'NEW', price: '1900000', qty: '0.001' });
    expect(max.stats.rest.droppedResponses).toBe(1);
    expect(max.stats.rest.byRoute['POST /api/v3/wallet/spot/order']).toBe(posts + 1);
    expect(alerts.map((a) => a.code)).toContain('UNKNOWN_OUTCOME_SETTLED');
    const err = await connector
      .placeOrder({ market: 'SPOT', symbol: 'BTCTWD', side: 'BUY', type: 'LIMIT', price: '1900000', qty: '0.001', clientOrderId: 'e2e-lost-1', postOnly: false, reduceOnly: false })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DUPLICATE_ORDER' });
    expect((await connector.openOrders('SPOT', 'BTCTWD')).filter((o) => o.clientOrderId === 'e2e-lost-1')).toHaveLength(1);
    expect((await connector.cancelOrder({ market: 'SPOT', symbol: 'BTCTWD', clientOrderId: 'e2e-lost-1' })).status).toBe('CANCELED');
  });

  it('a post-only order that would take ends in PostOnlyRejectedError, and its NEW/CANCELED updates are streamed', async () => {
    const err = await connector
      .placeOrder({ market: 'SPOT', symbol: 'USDTTWD', side: 'SELL', type: 'LIMIT', price: '32.1', qty: '10', clientOrderId: 'e2e-po-1', postOnly: true, reduceOnly: false })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'POST_ONLY_REJECTED', details: { clientOrderId: 'e2e-po-1', symbol: 'USDTTWD', price: '32.1' } });
    expect(await until(() => orders.filter((o) => o.clientOrderId === 'e2e-po-1').length === 2)).toBe(true);
    expect(orders.filter((o) => o.clientOrderId === 'e2e-po-1').map((o) => o.status)).toEqual(['NEW', 'CANCELED']);
  });

  it('streams public trade prints (MAX `trade` channel) of an execution, taker side from the trend', async () => {
    const prints: TradeTick[] = [];
    const subscribes = max.stats.ws.subscribes;
    const handle = await connector.subscribe({ channel: 'trades', market: 'SPOT', symbol: 'BTCTWD' }, (e) => {
      if (e.type === 'trades') prints.push(e.trade);
    });
    try {
      // The subscription's snapshot (recent history) is not delivered; wait until it was answered.
      expect(await until(() => max.stats.ws.subscribes === subscribes + 1)).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
      await connector.placeOrder({ market: 'SPOT', symbol: 'BTCTWD', side: 'BUY', type: 'MARKET', qty: '0.06', clientOrderId: 'e2e-mkt-1', postOnly: false, reduceOnly: false });
      expect(await until(() => prints.length === 2)).toBe(true);
      expect(prints.map((p) => [p.symbol, p.price, p.qty, p.takerSide])).toEqual([
        ['BTCTWD', '1950100', '0.05', 'BUY'],
        ['BTCTWD', '1950200', '0.01', 'BUY'],
      ]);
    } finally {
      await handle.unsubscribe();
    }
  });

  it('a 429 bans the client: it sends nothing until MAX’s Retry-After, so the ban is not extended', async () => {
    const requests = max.stats.rest.requests;
    max.faults.rateLimitRest({ banMs: 150 });
    const first = (await connector.ticker('SPOT', 'BTCTWD').catch((e: unknown) => e)) as { code: string; retryAfterMs: number };
    expect(first.code).toBe('IP_BANNED');
    expect(first.retryAfterMs).toBeGreaterThan(0);
    const second = (await connector.balances('SPOT').catch((e: unknown) => e)) as { code: string; details: Record<string, unknown> };
    expect(second).toMatchObject({ code: 'IP_BANNED', details: { local: true } });
    expect(max.stats.rest.requests).toBe(requests + 1);
    await new Promise((r) => setTimeout(r, first.retryAfterMs + 20));
    expect((await connector.ticker('SPOT', 'BTCTWD')).bid).toBe('1950000');
    expect(max.stats.rest.rateLimited).toBe(1);
    expect(alerts.map((a) => a.code)).toEqual(expect.arrayContaining(['IP_BANNED', 'BAN_LIFTED']));
  });

  it('calibrates its nonces to a server clock 45 s ahead (MAX refuses nonces 30 s off)', async () => {
    const system = new SystemClock();
    const ahead: Clock = {
      now: () => system.now() + 45_000,
      sleep: (ms, signal) => system.sleep(ms, signal),
      setTimeout: (fn, ms) => system.setTimeout(fn, ms),
      clearTimeout: (h) => system.clearTimeout(h),
      setInterval: (fn, ms) => system.setInterval(fn, ms),
      clearInterval: (h) => system.clearInterval(h),
    };
    const skewed = await startLocalMax({ credentials: [KEY], clock: ahead });
    const c = new MaxConnector({ ...KEY, baseUrl: skewed.url, wsUrl: skewed.wsUrl });
    try {
      await c.connect();
      expect((await c.balances('SPOT')).map((b) => b.asset)).toEqual(['BTC', 'TWD', 'USDT']);
      expect(skewed.stats.rest.authFailures).toBe(0);
      expect(skewed.stats.ws.authenticated).toBe(1);
    } finally {
      await c.close();
      await skewed.close();
    }
  });
});
