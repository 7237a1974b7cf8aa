import Big from 'big.js';
import { describe, expect, it } from 'vitest';
import { isChimeraError } from '../errors.js';
import { RiskGate } from '../risk/risk-gate.js';
import { drive, kit, ladder, setBooks } from './execution-test-kit.test-data.js';
import { Executor } from './executor.js';

const fut = (id: string, over: Record<string, unknown> = {}) => ({
  intent: { intent_id: id, market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.002, exec_policy: 'MakerThenTaker', post_only_wait_ms: 3000, leverage: 20, isolated: true, ...over },
});
const spotOco = (id: string, over: Record<string, unknown> = {}) => ({
  intent: { intent_id: id, market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.01, exec_policy: 'OCO', oco: { tp_price: 66000, sl_price: 64000, limit_price: 65100, leg_time_in_force: 'GTC' }, ...over },
});

describe('StopLossArmer', () => {
  it('arms a reduce-only STOP_MARKET on MARK_PRICE for a new position and publishes risk:sl_arm', async () => {
    const { clock, connector, executor, sink } = await kit();
    await drive(clock, executor.execute(fut('e1', { sl: 64200 })));
    const stops = (await connector.openOrders('FUT', 'BTCUSDT')).filter((o) => o.type === 'STOP_MARKET');
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ side: 'SELL', qty: '0.002', stopPrice: '64200', reduceOnly: true, workingType: 'MARK_PRICE' });
    expect(sink.payloads('risk:sl_arm')).toEqual([
      { intent_id: 'e1', symbol: 'BTCUSDT', side: 'SELL', qty: '0.002', stop_price: '64200', working_type: 'MARK_PRICE', order_id: stops[0]!.venueOrderId, ts: expect.any(Number) },
    ]);
  });

  it('derives the stop from ATR when none is given, re-arms on size change and cancels when flat', async () => {
    const { clock, connector, executor } = await kit({ executor: { stopLoss: { atr: () => '400', atrMultiplier: 2 } } });
    await drive(clock, executor.execute(fut('e1')));
    let stops = (await connector.openOrders('FUT', 'BTCUSDT')).filter((o) => o.type === 'STOP_MARKET');
    expect(stops.map((s) => [s.qty, s.stopPrice])).toEqual([['0.002', '64201']]); // 65001 − 2·400, rounded up toward the market
    // The position grows: the stop follows, placed before the old one is cancelled.
    await drive(clock, executor.execute({ intent: { intent_id: 'add', market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.002, exec_policy: 'Market' } }));
    await drive(clock, Promise.resolve());
    stops = (await connector.openOrders('FUT', 'BTCUSDT')).filter((o) => o.type === 'STOP_MARKET');
    expect(stops.map((s) => s.qty)).toEqual(['0.004']);
    // The position closes: the stop is cancelled.
    await drive(clock, executor.execute({ intent: { intent_id: 'close', market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', qty: 0.004, exec_policy: 'Market', reduce_only: true } }));
    await drive(clock, Promise.resolve());
    expect((await connector.openOrders('FUT', 'BTCUSDT')).filter((o) => o.type === 'STOP_MARKET')).toEqual([]);
  });

  it('the reference SL intent arms a venue stop directly', async () => {
    const { clock, connector, executor } = await kit();
    await drive(clock, executor.execute(fut('e1')));
    const r = await drive(clock, executor.execute({ intent: { intent_id: 'uuid-sl-1', market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', qty: 0.002, type: 'STOP_MARKET', reduce_only: true, stop_price: 64200, working_type: 'MARK_PRICE' } }));
    expect(r.status).toBe('ARMED');
    expect((await connector.openOrders('FUT', 'BTCUSDT')).some((o) => o.type === 'STOP_MARKET' && o.stopPrice === '64200')).toBe(true);
  });
});

describe('OcoWithGuard', () => {
  it('enters and arms a venue OCO over the held quantity', async () => {
    const { clock, connector, executor, sink } = await kit();
    const r = await drive(clock, executor.execute(spotOco('s1')));
    expect(r).toMatchObject({ status: 'FILLED', filled_qty: '0.01', reason: 'protected by OCO' });
    const armed = sink.payloads('spot:oco:armed');
    expect(armed).toHaveLength(1);
    // Fees on a spot buy are paid in BTC here, so the protected quantity is what is actually held.
    const btc = (await connector.balances('SPOT')).find((b) => b.asset === 'BTC')!;
    expect(new Big(armed[0]!.qty as string).lte(new Big(btc.free).plus(btc.locked))).toBe(true);
    expect((await connector.openOrders('SPOT', 'BTCUSDT')).map((o) => o.type).sort()).toEqual(['LIMIT', 'STOP_MARKET']);
  });

  it('OCO unsupported and no conditional orders → TP limit + guard stop that sells exactly the held quantity', async () => {
    const { clock, connector, executor, sink, store } = await kit({ capabilities: { oco: false, stopOrders: { FUT: true, SPOT: false } } });
    const r = await drive(clock, executor.execute(spotOco('s1')));
    expect(r.reason).toBe('protected by GUARD');
    const guard = sink.payloads('guard:spot:arm');
    expect(guard).toEqual([{ symbol: 'BTCUSDT', sl_px: '64000', qty: expect.any(String), side: 'SELL', group_id: expect.any(String), ts: expect.any(Number) }]);
    expect((await connector.openOrders('SPOT', 'BTCUSDT')).map((o) => [o.type, o.price])).toEqual([['LIMIT', '66000']]);
    // The market falls through the stop: the guard cancels the TP and sells what is held.
    setBooks(connector, 63900, 63901);
    await drive(clock, Promise.resolve(), 100, 1000);
    const btc = (await connector.balances('SPOT')).find((b) => b.asset === 'BTC');
    expect(new Big(btc?.free ?? '0').plus(btc?.locked ?? '0').lt('0.00001')).toBe(true);
    expect(await connector.openOrders('SPOT', 'BTCUSDT')).toEqual([]);
    expect((await store.getIntent('s1'))?.state).toBe('CLOSED');
  });

  it('the guard survives a restart: a new executor restores it from the store', async () => {
    const { clock, connector, executor, store } = await kit({ capabilities: { oco: false, stopOrders: { FUT: true, SPOT: false } } });
    await drive(clock, executor.execute(spotOco('s1')));
    await executor.close();
    const next = new Executor({ connector, store, clock });
    await drive(clock, next.resume());
    expect(next.guards.armedIntents()).toEqual(['s1']);
    setBooks(connector, 63900, 63901);
    await drive(clock, Promise.resolve(), 100, 1000);
    expect((await store.getIntent('s1'))?.state).toBe('CLOSED');
  });
});

describe('TWAP', () => {
  it('slices every interval and reports progress', async () => {
    const { clock, executor, store } = await kit();
    const progress: string[] = [];
    executor.events.on('twap_progress', (p) => progress.push(`${p.slice}/${p.slices}:${p.filled_qty}`));
    const r = await drive(clock, executor.execute({ intent: { intent_id: 't1', market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.007, exec_policy: 'TWAP', twap: { enabled: true, slices: 3, interval_ms: 800 } } }));
    expect(r.filled_qty).toBe('0.007');
    expect(progress).toEqual(['1/3:0.002', '2/3:0.004', '3/3:0.007']);
    const orders = await store.listOrders({ intentId: 't1' });
    expect(orders.map((o) => o.qty)).toEqual(['0.002', '0.002', '0.003']);
    expect(orders[2]!.createdAt - orders[0]!.createdAt).toBe(1600);
  });

  it('pauses, resumes and cancels between slices', async () => {
    const { clock, executor } = await kit();
    const p = executor.execute({ intent: { intent_id: 't2', market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.008, exec_policy: 'TWAP', twap: { enabled: true, slices: 4, interval_ms: 1000 } } });
    await clock.tickAsync(10);
    executor.twap('t2')!.pause();
    await clock.tickAsync(5000);
    const ctl = executor.twap('t2')!;
    expect(ctl.paused).toBe(true);
    ctl.resume(); // slice 2 runs at once; slice 3 would run 1000 ms later
    await clock.tickAsync(500);
    ctl.cancel();
    const r = await drive(clock, p);
    expect(r.status).toBe('PARTIALLY_FILLED');
    expect(r.filled_qty).toBe('0.004');
    expect(r.reason).toBe('TWAP cancelled');
  });

  it('TWAP slices can each be MakerThenTaker', async () => {
    const { clock, executor, store } = await kit();
    const r = await drive(clock, executor.execute(fut('t3', { qty: 0.006, twap: { enabled: true, slices: 3, interval_ms: 800 } })));
    expect(r.filled_qty).toBe('0.006');
    expect((await store.listOrders({ intentId: 't3' })).map((o) => o.leg)).toEqual(['maker', 'taker', 'maker', 'taker', 'maker', 'taker']);
  });
});

describe('restart and risk', () => {
  it('a crash while the maker rests: the next process cancels it, keeps its fills and leaves nothing open', async () => {
    const { clock, connector, executor, store } = await kit();
    void executor.execute(fut('c1')).catch(() => undefined);
    await clock.tickAsync(1000);
    connector.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: ladder(64998, -1, 10, '1', 1), asks: [['64999.0', '0.001'], ...ladder(65001, 1, 9, '1', 1)] });
    await executor.close(); // the process dies here; its promise never completes
    const next = new Executor({ connector, store, clock });
    const [r] = await drive(clock, next.resume());
    expect(r).toMatchObject({ status: 'PARTIALLY_FILLED', filled_qty: '0.001' });
    expect((await connector.openOrders('FUT', 'BTCUSDT')).filter((o) => o.type === 'LIMIT')).toEqual([]);
    expect((await store.getIntent('c1'))?.state).toBe('ACTIVE');
    // Running the intent again returns the settled result without a new order.
    const before = (await connector.orderHistory('FUT', 'BTCUSDT')).length;
    expect((await drive(clock, next.execute(fut('c1')))).filled_qty).toBe('0.001');
    expect((await connector.orderHistory('FUT', 'BTCUSDT')).length).toBe(before);
  });

  it('a risk rejection is a typed RISK_REJECTED error and the intent is stored as REJECTED', async () => {
    const { clock, connector, store } = await kit();
    const risk = new RiskGate({ clock, config: { limits: { default: { maxOrderQty: '0.001' } } } });
    const executor = new Executor({ connector, store, clock, risk });
    const err = await drive(clock, executor.execute(fut('r1'))).catch((e: unknown) => e);
    expect(isChimeraError(err) && [err.code, err.status, err.details.rule]).toEqual(['RISK_REJECTED', 422, 'MAX_ORDER']);
    expect((await store.getIntent('r1'))?.state).toBe('REJECTED');
    expect(await connector.orderHistory('FUT', 'BTCUSDT')).toEqual([]);
  });
});

describe('restart with a futures stop-loss', () => {
  it('adopts a stop still resting on the venue instead of placing it again', async () => {
    const { clock, connector, executor, store } = await kit();
    await drive(clock, executor.execute(fut('e1', { sl: 64200 })));
    await executor.close();
    const next = new Executor({ connector, store, clock });
    await drive(clock, next.resume());
    const stops = (await connector.openOrders('FUT', 'BTCUSDT')).filter((o) => o.type === 'STOP_MARKET');
    expect(stops).toHaveLength(1);
    expect(next.stopLoss.stopFor('BTCUSDT')?.order.clientOrderId).toBe(stops[0]!.clientOrderId);
  });

  it('re-places a stop that disappeared, under a new client order id', async () => {
    const { clock, connector, executor, store } = await kit();
    await drive(clock, executor.execute(fut('e1', { sl: 64200 })));
    const [old] = (await connector.openOrders('FUT', 'BTCUSDT')).filter((o) => o.type === 'STOP_MARKET');
    await executor.close();
    await connector.cancelOrder({ market: 'FUT', symbol: 'BTCUSDT', clientOrderId: old!.clientOrderId });
    const next = new Executor({ connector, store, clock });
    await drive(clock, next.resume());
    const stops = (await connector.openOrders('FUT', 'BTCUSDT')).filter((o) => o.type === 'STOP_MARKET');
    expect(stops.map((s) => [s.qty, s.stopPrice])).toEqual([['0.002', '64200']]);
    expect(stops[0]!.clientOrderId).not.toBe(old!.clientOrderId);
  });
});

describe('entry gate', () => {
  it('new entries wait for the gate (start-up reconciliation); reduce-only intents do not', async () => {
    const { clock, connector, store } = await kit();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const executor = new Executor({ connector, store, clock, entryGate: gate });
    const entry = executor.execute(fut('g1'));
    await clock.tickAsync(10_000);
    expect(await connector.orderHistory('FUT', 'BTCUSDT')).toEqual([]);
    // A reduce-only intent goes straight to the venue (which refuses it: there is nothing to reduce yet).
    const exit = await drive(clock, executor.execute({ intent: { intent_id: 'g2', market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', qty: 0.002, exec_policy: 'Market', reduce_only: true } })).catch((e: unknown) => e);
    expect(isChimeraError(exit) && exit.code).toBe('REDUCE_ONLY_REJECTED');
    open();
    expect((await drive(clock, entry)).status).toBe('FILLED');
  });
});
