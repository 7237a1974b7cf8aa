/**
 * End to end against the local exchange's scripted faults: a submit whose response is lost is
 * found by its client order id and never sent twice; 429 pauses and 418 stops all traffic until
 * `Retry-After` passes; `-1021` is answered by exactly one resync and one retry; a 5xx on a write
 * is an unknown outcome settled by a query.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isChimeraError, PaperEngine, type ConnectorAlert } from '@chimera/core';
import { FakeClock } from '@chimera/core/testing';
import type { BinanceConnector } from '@chimera/binance';
import { startLocalBinance, type LocalBinance } from '@chimera/binance/testing';
import { localConnector, seedMarkets } from './local-market.js';

async function rejection(p: Promise<unknown>): Promise<Record<string, unknown> & { code: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    if (!isChimeraError(err)) throw err;
    return err as unknown as Record<string, unknown> & { code: string; details: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

/** The requests the exchange saw since `from`, as `METHOD path status code`. */
function seen(ex: LocalBinance, from: number): string[] {
  return ex.requests.slice(from).map((r) => `${r.method} ${r.path} ${r.status}${r.code === undefined ? '' : ` ${r.code}`}`);
}

let ex: LocalBinance | undefined;
let c: BinanceConnector | undefined;
afterEach(async () => {
  await c?.close();
  await ex?.close();
  c = undefined;
  ex = undefined;
});

async function setup(extra: Parameters<typeof localConnector>[1] = {}): Promise<{ ex: LocalBinance; c: BinanceConnector; alerts: ConnectorAlert[] }> {
  ex = await startLocalBinance();
  seedMarkets(ex.engine);
  c = localConnector(ex, extra);
  const alerts: ConnectorAlert[] = [];
  c.events.on('alert', (a) => alerts.push(a));
  await c.connect();
  return { ex, c, alerts };
}

describe('a submit whose response never arrives', () => {
  it('Spot: the order is found by client id and exactly one order exists', async () => {
    const { ex, c, alerts } = await setup();
    ex.faults.dropResponseAfterSubmit({ match: { method: 'POST', path: '/api/v3/order' } });
    const from = ex.requests.length;
    const order = await c.placeOrder({ market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: '60000', qty: '0.001', clientOrderId: 'lost-spot-1', postOnly: false, reduceOnly: false });
    expect(order).toMatchObject({ venue: 'binance', market: 'SPOT', clientOrderId: 'lost-spot-1', status: 'NEW', price: '60000', qty: '0.001', filledQty: '0', type: 'LIMIT', timeInForce: 'GTC' });
    expect(seen(ex, from)).toEqual(['POST /api/v3/order 0', 'GET /api/v3/order 200']);
    expect(ex.engine.orderHistory('SPOT', 'BTCUSDT').filter((o) => o.clientOrderId === 'lost-spot-1')).toHaveLength(1);
    expect(alerts.filter((a) => a.code === 'UNKNOWN_OUTCOME_SETTLED')).toEqual([
      expect.objectContaining({ level: 'WARN', details: expect.objectContaining({ clientOrderId: 'lost-spot-1', queryAttempts: 1, path: '/api/v3/order' }) }),
    ]);
  });

  it('UM: a market order that filled is found with its fills; a lost algo stop is found on the algo endpoint', async () => {
    const { ex, c } = await setup();
    ex.faults.dropResponseAfterSubmit({ match: { path: '/fapi/v1/order' } });
    let from = ex.requests.length;
    const filled = await c.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: '0.002', clientOrderId: 'lost-um-1', postOnly: false, reduceOnly: false });
    expect(filled).toMatchObject({ clientOrderId: 'lost-um-1', status: 'FILLED', filledQty: '0.002', avgPrice: '64000.1' });
    expect(seen(ex, from)).toEqual(['POST /fapi/v1/order 0', 'GET /fapi/v1/order 200']);
    expect(ex.engine.orderHistory('FUT', 'BTCUSDT').filter((o) => o.clientOrderId === 'lost-um-1')).toHaveLength(1);
    expect(ex.engine.positions('BTCUSDT')[0]!.qty).toBe('0.002');

    ex.faults.dropResponseAfterSubmit({ match: { path: '/fapi/v1/algoOrder' } });
    from = ex.requests.length;
    const stop = await c.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '60000', qty: '0.002', reduceOnly: true, workingType: 'MARK_PRICE', clientOrderId: 'lost-um-sl', postOnly: false });
    expect(stop).toMatchObject({ clientOrderId: 'lost-um-sl', status: 'NEW', type: 'STOP_MARKET', stopPrice: '60000', reduceOnly: true, workingType: 'MARK_PRICE' });
    expect(seen(ex, from)).toEqual(['POST /fapi/v1/algoOrder 0', 'GET /fapi/v1/algoOrder 200']);
    expect(ex.engine.openOrders('FUT', 'BTCUSDT').map((o) => o.clientOrderId)).toEqual(['lost-um-sl']);
  });
});

describe('a cancel or an OCO whose response never arrives', () => {
  it('Spot cancel: settled by querying the order until it is final', async () => {
    const { ex, c } = await setup();
    await c.placeOrder({ market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: '60000', qty: '0.001', clientOrderId: 'lost-cx-1', postOnly: false, reduceOnly: false });
    ex.faults.dropResponseAfterSubmit({ match: { method: 'DELETE', path: '/api/v3/order' } });
    const from = ex.requests.length;
    const done = await c.cancelOrder({ market: 'SPOT', symbol: 'BTCUSDT', clientOrderId: 'lost-cx-1' });
    expect(done).toMatchObject({ clientOrderId: 'lost-cx-1', status: 'CANCELED', filledQty: '0' });
    expect(seen(ex, from)).toEqual(['DELETE /api/v3/order 0', 'GET /api/v3/order 200']);
  });

  it('Spot OCO: found by its list client id, legs read one by one', async () => {
    const { ex, c } = await setup();
    await c.placeOrder({ market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: '0.01', clientOrderId: 'lost-oco-entry', postOnly: false, reduceOnly: false });
    ex.faults.dropResponseAfterSubmit({ match: { path: '/api/v3/orderList/oco' } });
    const from = ex.requests.length;
    const list = await c.placeOco({ market: 'SPOT', symbol: 'BTCUSDT', side: 'SELL', qty: '0.00999', tpPrice: '70000', slStopPrice: '60000', legTimeInForce: 'GTC', clientListId: 'lost-oco' });
    expect(list).toMatchObject({ clientListId: 'lost-oco', status: 'EXECUTING', tp: { clientOrderId: 'lost-oco-tp-0', status: 'NEW' }, sl: { clientOrderId: 'lost-oco-sl-0', type: 'STOP_MARKET' } });
    expect(seen(ex, from)).toEqual(['POST /api/v3/orderList/oco 0', 'GET /api/v3/orderList 200', 'GET /api/v3/order 200', 'GET /api/v3/order 200']);
    expect(ex.engine.openOrders('SPOT', 'BTCUSDT')).toHaveLength(2);
  });
});

describe('rate limits: 429 then 418 with Retry-After', () => {
  it('pauses after a 429, stops all traffic during a 418 ban and resumes when it lifts', async () => {
    const clock = new FakeClock();
    const engine = new PaperEngine({ clock, venue: 'binance' });
    seedMarkets(engine);
    ex = await startLocalBinance({ clock, engine });
    c = localConnector(ex, { clock, markets: ['SPOT'], retry: { retries: 0 } });
    const alerts: ConnectorAlert[] = [];
    c.events.on('alert', (a) => alerts.push(a));
    await c.connect();
    const path = '/api/v3/ticker/bookTicker';
    const base = ex.requests.length;

    ex.faults.nextStatus({ status: 429, retryAfterSec: 2, match: { path } });
    const limited = await rejection(c.ticker('SPOT', 'BTCUSDT'));
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 2000, banned: false });
    expect(seen(ex, base)).toEqual([`GET ${path} 429 -1003`]);

    // The limiter admits nothing until Retry-After has passed on the clock.
    let answered = false;
    const waiting = c.ticker('SPOT', 'BTCUSDT').then((t) => {
      answered = true;
      return t;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    expect(ex.requests.length).toBe(base + 1);
    clock.advance(2000);
    expect((await waiting).bid).toBe('63999.99');
    expect(ex.requests.length).toBe(base + 2);

    ex.faults.nextStatus({ status: 418, retryAfterSec: 60, match: { path } });
    const banned = await rejection(c.ticker('SPOT', 'BTCUSDT'));
    expect(banned).toMatchObject({ code: 'IP_BANNED', retryAfterMs: 60_000, banned: true });
    expect(alerts.map((a) => a.code)).toEqual(['RATE_LIMITED', 'IP_BANNED']);
    const bannedAt = ex.requests.length;

    // Every request, public or signed, is refused locally while the ban is in force.
    for (const call of [() => c!.ticker('SPOT', 'BTCUSDT'), () => c!.balances('SPOT'), () => c!.getOrder({ market: 'SPOT', symbol: 'BTCUSDT', clientOrderId: 'x' })]) {
      const err = await rejection(call());
      expect(err).toMatchObject({ code: 'IP_BANNED', details: expect.objectContaining({ local: true }) });
    }
    clock.advance(59_999);
    expect((await rejection(c.ticker('SPOT', 'BTCUSDT'))).code).toBe('IP_BANNED');
    expect(ex.requests.length).toBe(bannedAt);

    clock.advance(1);
    expect(alerts.map((a) => a.code)).toEqual(['RATE_LIMITED', 'IP_BANNED', 'BAN_LIFTED']);
    expect((await c.ticker('SPOT', 'BTCUSDT')).ask).toBe('64000.01');
    expect(seen(ex, bannedAt)).toEqual([`GET ${path} 200`]);
  });
});

describe('-1021: one resync, one retry', () => {
  it('recovers from server time running behind and ahead with exactly one resync and one retry each', async () => {
    const { ex, c } = await setup({ clockSyncSamples: 1, markets: ['SPOT'] });
    for (const skew of [-30_000, 30_000]) {
      ex.faults.clockSkewMs = skew;
      const from = ex.requests.length;
      const balances = await c.balances('SPOT');
      expect(balances).toEqual([{ venue: 'binance', market: 'SPOT', asset: 'USDT', free: '10000', locked: '0' }]);
      expect(seen(ex, from)).toEqual(['GET /api/v3/account 400 -1021', 'GET /api/v3/time 200', 'GET /api/v3/account 200']);
      expect(Math.abs(c.clockSkew('SPOT')!.offsetMs - skew)).toBeLessThan(1000);
    }
  });

  it('gives up after the one retry when the venue keeps rejecting the timestamp', async () => {
    const { ex, c } = await setup({ clockSyncSamples: 1, markets: ['SPOT'] });
    ex.faults.nextStatus({ status: 400, code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.', times: 2, match: { path: '/api/v3/account' } });
    const from = ex.requests.length;
    const err = await rejection(c.balances('SPOT'));
    expect(err).toMatchObject({ code: 'CLOCK_SKEW', details: expect.objectContaining({ venueCode: -1021, httpStatus: 400 }) });
    expect(seen(ex, from)).toEqual(['GET /api/v3/account 400 -1021', 'GET /api/v3/time 200', 'GET /api/v3/account 400 -1021']);
  });
});

describe('5xx on a write', () => {
  it('is an unknown outcome settled by a query when the order landed', async () => {
    const { ex, c } = await setup();
    ex.faults.nextStatus({ status: 503, landed: true, match: { method: 'POST', path: '/fapi/v1/order' } });
    const from = ex.requests.length;
    const order = await c.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', price: '63000', qty: '0.002', clientOrderId: 'u503-1', postOnly: true, reduceOnly: false });
    expect(order).toMatchObject({ clientOrderId: 'u503-1', status: 'NEW', postOnly: true, timeInForce: 'GTX', price: '63000' });
    expect(seen(ex, from)).toEqual(['POST /fapi/v1/order 503 -1000', 'GET /fapi/v1/order 200']);
    expect(ex.engine.openOrders('FUT', 'BTCUSDT').map((o) => o.clientOrderId)).toEqual(['u503-1']);
  });

  it('is never resent: when nothing landed the queries find nothing and the outcome stays unknown', async () => {
    const { ex, c } = await setup();
    ex.faults.nextStatus({ status: 500, match: { method: 'POST', path: '/api/v3/order' } });
    const from = ex.requests.length;
    const err = await rejection(
      c.placeOrder({ market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: '60000', qty: '0.001', clientOrderId: 'u500-1', postOnly: false, reduceOnly: false }),
    );
    expect(err).toMatchObject({ code: 'UNKNOWN_OUTCOME', details: expect.objectContaining({ lastQuery: 'not_found', queryAttempts: 3, submitCode: 'UNKNOWN_OUTCOME', clientOrderId: 'u500-1' }) });
    expect(seen(ex, from)).toEqual(['POST /api/v3/order 500 -1001', 'GET /api/v3/order 400 -2013', 'GET /api/v3/order 400 -2013', 'GET /api/v3/order 400 -2013']);
    expect(ex.engine.orderHistory('SPOT', 'BTCUSDT')).toEqual([]);
  });

  it('a UM "Service Unavailable." 503 is a definite failure: safe to send again, so the transport retries it', async () => {
    const { ex, c } = await setup({ retry: { retries: 1, minTimeout: 10 } });
    ex.faults.nextStatus({ status: 503, code: -1001, msg: 'Service Unavailable.', match: { method: 'POST', path: '/fapi/v1/order' } });
    const from = ex.requests.length;
    const order = await c.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: '0.002', clientOrderId: 'u503-2', postOnly: false, reduceOnly: false });
    expect(order).toMatchObject({ clientOrderId: 'u503-2', status: 'FILLED', filledQty: '0.002' });
    expect(seen(ex, from)).toEqual(['POST /fapi/v1/order 503 -1001', 'POST /fapi/v1/order 200']);
    expect(ex.engine.orderHistory('FUT', 'BTCUSDT').map((o) => o.clientOrderId)).toEqual(['u503-2']);
  });
});
