/**
 * Account events through the real `BinanceConnector` against the local exchange: the Spot WS-API
 * subscription and the UM listen-key stream (keys created and kept alive over the REST face),
 * with REST catch-up through the connector's own reads. Every fill the engine makes reaches
 * `connector.events` exactly once across dropped connections and expired listen keys, the last
 * order state delivered is the engine's, and no key, secret or listen key shows up in an alert.
 */
import { isChimeraError, mulberry32, PaperEngine, SystemClock, type ConnectorAlert, type Fill, type Market, type Order } from '@chimera/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { BinanceConnector } from '@chimera/binance';
import { LOCAL_API_KEY, LOCAL_API_SECRET, startLocalBinance, type LocalBinance } from '@chimera/binance/testing';
import { localConnector } from './local-market.js';
import { priceAt, waitFor } from './ws/helpers.js';

const SYMBOL = 'BTCUSDT';

let ex: LocalBinance | undefined;
let c: BinanceConnector | undefined;
afterEach(async () => {
  await c?.close();
  await ex?.close();
  c = undefined;
  ex = undefined;
});

/** A paper engine with 20 levels a side on Spot and UM BTCUSDT and funds for many small trades. */
function makeEngine(clock: SystemClock): PaperEngine {
  const engine = new PaperEngine({ clock, venue: 'binance', balances: { SPOT: { USDT: '1000000', BTC: '10' }, FUT: { USDT: '1000000' } } });
  for (const market of ['SPOT', 'FUT'] as const) {
    const bids: [string, string][] = [];
    const asks: [string, string][] = [];
    for (let i = 1; i <= 20; i++) {
      bids.push([priceAt(market, -i), '5']);
      asks.push([priceAt(market, i), '5']);
    }
    engine.applyBookSnapshot(market, SYMBOL, { bids, asks });
  }
  return engine;
}

describe('user streams through BinanceConnector on the local exchange', () => {
  it('delivers every engine fill exactly once across stream drops and listen-key expiries', async () => {
    const clock = new SystemClock();
    const engine = makeEngine(clock);
    ex = await startLocalBinance({ engine, clock, ws: { serverPingIntervalMs: 0, markPriceIntervalMs: 0 } });
    const local = ex;
    // The fault script has its own generator, so the reconnect jitter cannot change it.
    const random = mulberry32(77);
    c = localConnector(ex, {
      clock,
      random: mulberry32(78),
      symbols: [SYMBOL],
      userStream: {
        socket: { backoff: { baseMs: 1, maxMs: 8, jitterMs: 2 }, handoverTimeoutMs: 50, clientPing: false },
        keepAliveRetryMs: 5,
        catchUpRetryMs: 5,
      },
    });
    const connector = c;

    const fills = new Map<string, number>();
    const lastOrder = new Map<string, Order>();
    const connected: boolean[] = [];
    const alerts: ConnectorAlert[] = [];
    connector.events.on('fill', (f: Fill) => fills.set(`${f.market}|${f.tradeId}`, (fills.get(`${f.market}|${f.tradeId}`) ?? 0) + 1));
    connector.events.on('order', (o: Order) => lastOrder.set(`${o.market}|${o.venueOrderId}`, o));
    connector.events.on('userStreamConnected', (info) => connected.push(info.reconnect));
    connector.events.on('alert', (a) => alerts.push(a));
    const listenKeys = new Set<string>();
    local.ws.listenKeys.events.on('expired', (k) => listenKeys.add(k));

    await connector.connect();
    // connect() returns once both streams are live.
    expect(connected).toEqual([false, false]);
    let caughtUp = 0;
    for (const market of ['SPOT', 'FUT'] as const) connector.userStream(market)!.events.on('catchUp', (r) => (caughtUp += r.fills));

    let n = 0;
    const trade = (market: Market): void => {
      const side = random() < 0.5 ? 'BUY' : 'SELL';
      const id = `u${n++}`;
      if (random() < 0.5) {
        engine.placeOrder({ market, symbol: SYMBOL, side, type: 'MARKET', qty: '0.01', clientOrderId: id });
      } else {
        // A resting limit inside the spread, then a print through it fills it.
        const price = priceAt(market, 0);
        const through = priceAt(market, side === 'BUY' ? -1 : 1);
        engine.placeOrder({ market, symbol: SYMBOL, side, type: 'LIMIT', price, qty: '0.01', timeInForce: 'GTC', clientOrderId: id });
        engine.applyTrade(market, SYMBOL, { price: through, qty: '0.02', takerSide: side === 'BUY' ? 'SELL' : 'BUY' });
      }
    };

    const faults = { spotDrop: 0, umDrop: 0, expire: 0 };
    for (let i = 0; i < 30; i++) {
      const r = random();
      if (r < 0.4) {
        local.wsFaults.drop({ kind: 'wsapi' });
        faults.spotDrop++;
      } else if (r < 0.8) {
        local.wsFaults.drop({ kind: 'private' });
        faults.umDrop++;
      } else {
        local.wsFaults.expireListenKey();
        faults.expire++;
      }
      for (let k = 0; k < 2; k++) trade(random() < 0.5 ? 'SPOT' : 'FUT');
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(random() * 10)));
    }

    const engineFills = [...engine.fills('SPOT', SYMBOL), ...engine.fills('FUT', SYMBOL)].map((f) => `${f.market}|${f.tradeId}`).sort();
    await waitFor(() => fills.size >= engineFills.length, 10_000, `all ${engineFills.length} fills (have ${fills.size})`);
    // Let late duplicates (a catch-up racing the stream) show up if there were any.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([...fills.keys()].sort()).toEqual(engineFills);
    expect([...fills.values()].every((count) => count === 1)).toBe(true);
    expect(engineFills.length).toBeGreaterThan(40);

    // The last state of every order on the engine is the last one the connector delivered.
    const engineOrders = [...engine.orderHistory('SPOT', SYMBOL), ...engine.orderHistory('FUT', SYMBOL)];
    const finalOf = (o: Order): Order => engine.getOrder({ market: o.market, symbol: o.symbol, venueOrderId: o.venueOrderId });
    await waitFor(() => engineOrders.every((o) => lastOrder.get(`${o.market}|${o.venueOrderId}`)?.filledQty === finalOf(o).filledQty), 5_000, 'final order states');
    for (const o of engineOrders) {
      const seen = lastOrder.get(`${o.market}|${o.venueOrderId}`)!;
      expect([seen.clientOrderId, seen.status, seen.filledQty]).toEqual([finalOf(o).clientOrderId, finalOf(o).status, finalOf(o).filledQty]);
    }

    expect(faults.spotDrop + faults.umDrop + faults.expire).toBe(30);
    expect(faults.spotDrop).toBeGreaterThan(3);
    expect(faults.umDrop).toBeGreaterThan(3);
    expect(faults.expire).toBeGreaterThan(2);
    expect(connected.filter((r) => r).length).toBeGreaterThan(10);
    // New listen keys came from the REST face, through the API-key-only calls (expiries close
    // together may share one).
    expect(local.hits({ method: 'POST', path: '/fapi/v1/listenKey' })).toBeGreaterThan(1 + faults.expire / 2);
    expect(local.requests.filter((r) => r.path === '/fapi/v1/listenKey' && r.status !== 200)).toEqual([]);
    // Both paths carried fills: the stream while it was up, the catch-up for what a break lost.
    expect(caughtUp).toBeGreaterThan(0);
    expect(caughtUp).toBeLessThan(engineFills.length);
    expect(alerts.map((a) => a.code)).toContain('LISTEN_KEY_EXPIRED');
    expect(alerts.filter((a) => a.level === 'FATAL' || a.level === 'ERROR')).toEqual([]);
    expect(alerts.every((a) => a.details?.stream === 'user')).toBe(true);
    // Secrets stay secret: no API key, secret or listen key in any alert.
    const text = JSON.stringify(alerts);
    expect(listenKeys.size).toBeGreaterThan(0);
    for (const secret of [LOCAL_API_KEY, LOCAL_API_SECRET, ...listenKeys]) expect(text).not.toContain(secret);
  }, 30_000);

  it('connect() rejects when the listen key is refused, and a later connect() starts the streams', async () => {
    ex = await startLocalBinance({ ws: { serverPingIntervalMs: 0, markPriceIntervalMs: 0 } });
    ex.faults.nextStatus({ status: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.', match: { method: 'POST', path: '/fapi/v1/listenKey' } });
    c = localConnector(ex);
    const connected: boolean[] = [];
    c.events.on('userStreamConnected', (info) => connected.push(info.reconnect));
    const err = await c.connect().catch((e: unknown) => e);
    expect(isChimeraError(err) && err.code).toBe('AUTH_FAILED');
    await c.connect();
    expect(connected).toEqual([false, false]);
    expect(c.userStream('FUT')!.state).toBe('open');
    expect(ex.requests.filter((r) => r.path === '/fapi/v1/listenKey').map((r) => `${r.method} ${r.status}`)).toEqual(['POST 401', 'POST 200']);
  });
});
