import Big from 'big.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import type { MarketEvent } from '../connector.js';
import type { Fill } from '../domain/account.js';
import type { Order } from '../domain/order.js';
import { InsufficientFundsError, RateLimitError } from '../errors.js';
import { PaperConnector } from './paper-connector.js';
import { FIXTURE_PATH, ladder, REPLAY_START } from './paper-test-kit.test-data.js';
import { loadReplayFile, ReplaySource } from './replay.js';

const S = { market: 'SPOT' as const, symbol: 'BTCUSDT' };
const passive = { ...S, side: 'BUY' as const, type: 'LIMIT' as const, price: '60000', qty: '0.01' };

function venue(seed = 1): { c: PaperConnector; clock: FakeClock; events: Array<Order | Fill> } {
  const clock = new FakeClock(REPLAY_START);
  const c = new PaperConnector({ clock, seed, balances: { SPOT: { USDT: '100000', BTC: '1' }, FUT: { USDT: '100000' } } });
  c.engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(64999, -1, 5), asks: ladder(65001, 1, 5) });
  const events: Array<Order | Fill> = [];
  c.events.on('order', (o) => events.push(o));
  c.events.on('fill', (f) => events.push(f));
  return { c, clock, events };
}

/** Settles `p` while moving the fake clock forward in small steps (bounded). */
async function drive<T>(clock: FakeClock, p: Promise<T>, stepMs = 10, maxSteps = 1000): Promise<T> {
  let done = false;
  const out = p.finally(() => {
    done = true;
  });
  for (let i = 0; i < maxSteps && !done; i++) await clock.tickAsync(stepMs);
  return out;
}

describe('PaperConnector fault hooks', () => {
  it('adds latency on the clock, with seeded jitter that repeats per seed', async () => {
    const latencies = async (seed: number): Promise<number[]> => {
      const { c, clock } = venue(seed);
      c.faults.setLatency(100, 50);
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = clock.now();
        let settled = false;
        const p = c.serverTime().then((t) => {
          settled = true;
          return t;
        });
        await clock.tickAsync(99);
        expect(settled).toBe(false);
        const t = await drive(clock, p, 1);
        out.push(t - start);
      }
      return out;
    };
    const a = await latencies(3);
    expect(a.every((ms) => ms >= 100 && ms <= 150)).toBe(true);
    expect(await latencies(3)).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it('rejects the next N requests of the chosen operations with the given venue error, leaving no trace', async () => {
    const { c } = venue();
    c.faults.rejectNext(2, () => new RateLimitError('too many requests', 1000, false), ['placeOrder']);
    await expect(c.placeOrder({ ...passive, clientOrderId: 'a' })).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000 });
    // Other operations pass untouched while the fault is armed.
    expect((await c.openOrders('SPOT')).length).toBe(0);
    await expect(c.placeOrder({ ...passive, clientOrderId: 'a' })).rejects.toBeInstanceOf(RateLimitError);
    await expect(c.getOrder({ ...S, clientOrderId: 'a' })).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    expect((await c.placeOrder({ ...passive, clientOrderId: 'a' })).status).toBe('NEW');
    c.faults.rejectNext(1, new InsufficientFundsError('scripted'));
    await expect(c.balances('SPOT')).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect((await c.balances('SPOT')).length).toBe(2);
  });

  it('accepts, then times out: the order lands, the caller sees UnknownOutcomeError, a query finds it', async () => {
    const { c, clock, events } = venue();
    c.faults.acceptThenTimeout(1, ['placeOrder'], 5000);
    const p = c.placeOrder({ ...passive, clientOrderId: 'lost' });
    const err = await drive(clock, p.then(() => undefined, (e: unknown) => e), 100);
    expect(err).toMatchObject({ code: 'UNKNOWN_OUTCOME' });
    expect(clock.now() - REPLAY_START).toBeGreaterThanOrEqual(5000);
    const found = await c.getOrder({ ...S, clientOrderId: 'lost' });
    expect(found).toMatchObject({ status: 'NEW', qty: '0.01', price: '60000' });
    expect(events.map((e) => ('status' in e ? `order ${e.status}` : 'fill'))).toEqual(['order NEW']);
    // Only one request was affected.
    expect((await c.placeOrder({ ...passive, clientOrderId: 'next' })).status).toBe('NEW');
  });

  it('lets a fill race the cancel: the reply reports the final filled quantity', async () => {
    const { c, events } = venue();
    await c.placeOrder({ ...passive, qty: '0.02', clientOrderId: 'race' });
    c.faults.fillRacesCancel(1, '0.5');
    const cancelled = await c.cancelOrder({ ...S, clientOrderId: 'race' });
    expect(cancelled).toMatchObject({ status: 'CANCELED', filledQty: '0.01', avgPrice: '60000' });
    const seq = events.filter((e) => e.clientOrderId === 'race').map((e) => ('status' in e ? `order ${e.status} ${e.filledQty}` : `fill ${e.qty}`));
    expect(seq).toEqual(['order NEW 0', 'fill 0.01', 'order PARTIALLY_FILLED 0.01', 'order CANCELED 0.01']);
    expect((await c.fills('SPOT', 'BTCUSDT')).map((f) => [f.qty, f.price, f.isMaker])).toEqual([['0.01', '60000', true]]);
  });

  it('lets a fill win the race outright: the cancel then finds no open order', async () => {
    const { c } = venue();
    await c.placeOrder({ ...passive, clientOrderId: 'gone' });
    c.faults.fillRacesCancel(1, '1');
    await expect(c.cancelOrder({ ...S, clientOrderId: 'gone' })).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    expect(await c.getOrder({ ...S, clientOrderId: 'gone' })).toMatchObject({ status: 'FILLED', filledQty: '0.01' });
  });

  it('stalls market data: the book freezes and subscribers hear nothing until resumed', async () => {
    const clock = new FakeClock(REPLAY_START);
    const c = new PaperConnector({ clock, marketData: new ReplaySource({ clock, frames: loadReplayFile(FIXTURE_PATH) }) });
    const ticks: MarketEvent[] = [];
    await c.subscribe({ channel: 'ticker', market: 'SPOT', symbol: 'BTCUSDT' }, (e) => ticks.push(e));
    await c.ticker('FUT', 'BTCUSDT');
    clock.advance(5000);
    const flowing = ticks.length;
    expect(flowing).toBeGreaterThan(5);
    c.faults.stallMarketData({ market: 'SPOT', symbol: 'BTCUSDT' });
    const frozen = await c.depth('SPOT', 'BTCUSDT', 5);
    const futBefore = await c.ticker('FUT', 'BTCUSDT');
    clock.advance(20_000);
    expect(ticks.length).toBe(flowing);
    const still = await c.depth('SPOT', 'BTCUSDT', 5);
    expect({ bids: still.bids, asks: still.asks }).toEqual({ bids: frozen.bids, asks: frozen.asks });
    // Only the stalled market stops.
    expect((await c.ticker('FUT', 'BTCUSDT')).eventTime).toBeGreaterThan(futBefore.eventTime);
    c.faults.resumeMarketData({ market: 'SPOT', symbol: 'BTCUSDT' });
    clock.advance(5000);
    expect(ticks.length).toBeGreaterThan(flowing);
    await c.close();
  });

  it('clears every fault at once', async () => {
    const { c } = venue();
    c.faults.setLatency(1000);
    c.faults.rejectNext(5, new RateLimitError('x', 1, false));
    c.faults.acceptThenTimeout(5);
    c.faults.fillRacesCancel(5);
    c.faults.stallMarketData();
    c.faults.clear();
    expect(c.faults.isStalled('SPOT', 'BTCUSDT')).toBe(false);
    expect(c.faults.nextLatencyMs()).toBe(0);
    await c.placeOrder({ ...passive, clientOrderId: 'ok' });
    expect(new Big((await c.cancelOrder({ ...S, clientOrderId: 'ok' })).filledQty).eq(0)).toBe(true);
  });
});
