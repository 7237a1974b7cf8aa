import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { MarketTick } from '../domain/market-data.js';
import { OrderBook } from './order-book.js';
import { TickNormalizer } from './tick-normalizer.js';

const T0 = 1_758_326_400_000;

function top(symbol: string, eventTime?: number, sequence?: number) {
  return { symbol, bid: '65000.10000000', bidQty: '2.00000000', ask: '65000.30000000', askQty: '0.50000000', eventTime, sequence };
}

describe('TickNormalizer', () => {
  it('builds a SPEC §2 tick from a bookTicker message', () => {
    const clock = new FakeClock(T0);
    const n = new TickNormalizer({ venue: 'binance', market: 'FUT', clock });
    const r = n.fromTopOfBook({ ...top('BTCUSDT', T0 - 5, 10), receiveTime: T0 - 1 });
    expect(r.accepted).toBe(true);
    if (!r.accepted) return;
    const mid = 65000.2;
    expect(r.tick).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      bid: '65000.1',
      bidQty: '2',
      ask: '65000.3',
      askQty: '0.5',
      mid,
      spread_bps: ((65000.3 - 65000.1) / mid) * 1e4,
      depth_top1_usdt: 0.5 * mid,
      eventTime: T0 - 5,
      receiveTime: T0 - 1,
    });
    expect(MarketTick.parse(r.tick)).toEqual(r.tick);
    expect(r.tick.spread_bps).toBeCloseTo(0.0307690, 6);
  });

  it('uses the receive time (clock) when the venue sends no event time', () => {
    const clock = new FakeClock(T0);
    const n = new TickNormalizer({ venue: 'binance', market: 'SPOT', clock });
    const r = n.fromTopOfBook(top('BTCUSDT', undefined, 1));
    expect(r.accepted && r.tick.eventTime === T0 && r.tick.receiveTime === T0).toBe(true);
  });

  it('builds a tick from an order book', () => {
    const clock = new FakeClock(T0);
    const n = new TickNormalizer({ venue: 'max', market: 'SPOT', clock });
    const book = new OrderBook();
    expect(n.fromBook('USDTTWD', book)).toEqual({ accepted: false, reason: 'one_sided' });
    book.applySnapshot({ bids: [['32.10', '1000'], ['32.09', '5']], asks: [['32.12', '400']] });
    const r = n.fromBook('USDTTWD', book, { eventTime: T0 - 20, sequence: 7 });
    expect(r.accepted).toBe(true);
    if (!r.accepted) return;
    expect(r.tick).toMatchObject({ bid: '32.1', bidQty: '1000', ask: '32.12', askQty: '400', eventTime: T0 - 20, receiveTime: T0 });
    expect(r.tick.mid).toBeCloseTo(32.11, 12);
    expect(r.tick.depth_top1_usdt).toBeCloseTo(400 * 32.11, 9);
    expect(n.last('USDTTWD')).toEqual({ eventTime: T0 - 20, sequence: 7 });
  });

  it('drops out-of-order, duplicate, stale, one-sided and crossed updates per symbol', () => {
    const clock = new FakeClock(T0);
    let offset = 0;
    const n = new TickNormalizer({ venue: 'binance', market: 'FUT', clock, maxAgeMs: 1000, venueClockOffsetMs: () => offset });
    expect(n.fromTopOfBook(top('BTCUSDT', T0 - 10, 100)).accepted).toBe(true);
    expect(n.fromTopOfBook(top('BTCUSDT', T0 - 5, 99))).toEqual({ accepted: false, reason: 'out_of_order' });
    expect(n.fromTopOfBook(top('BTCUSDT', T0 - 5, 100))).toEqual({ accepted: false, reason: 'duplicate' });
    expect(n.fromTopOfBook(top('BTCUSDT', T0 - 11, 101))).toEqual({ accepted: false, reason: 'out_of_order' });
    // Same event time is fine (several updates within one millisecond).
    expect(n.fromTopOfBook(top('BTCUSDT', T0 - 10, 101)).accepted).toBe(true);
    // Another symbol has its own state.
    expect(n.fromTopOfBook(top('ETHUSDT', T0 - 500, 5)).accepted).toBe(true);
    clock.advance(600);
    expect(n.fromTopOfBook(top('ETHUSDT', T0 - 401, 6))).toEqual({ accepted: false, reason: 'stale' });
    // The venue clock runs 400 ms ahead: an event 700 ms old by local time is 1100 ms old.
    offset = 400;
    expect(n.fromTopOfBook(top('ETHUSDT', T0 - 100, 6))).toEqual({ accepted: false, reason: 'stale' });
    offset = 0;
    expect(n.fromTopOfBook(top('ETHUSDT', T0 - 100, 6)).accepted).toBe(true);
    expect(n.fromTopOfBook({ ...top('ETHUSDT', T0, 7), ask: '65000.1' })).toEqual({ accepted: false, reason: 'crossed' });
    expect(n.fromTopOfBook({ ...top('ETHUSDT', T0, 7), bid: '' })).toEqual({ accepted: false, reason: 'one_sided' });
    expect(n.dropped).toEqual({ out_of_order: 2, duplicate: 1, stale: 2, one_sided: 1, crossed: 1 });
    // Dropped ticks leave the state alone; forget() clears it.
    expect(n.last('ETHUSDT')).toEqual({ eventTime: T0 - 100, sequence: 6 });
    n.forget('ETHUSDT');
    expect(n.fromTopOfBook(top('ETHUSDT', T0 - 200, 1)).accepted).toBe(true);
    n.forget();
    expect(n.last('BTCUSDT')).toBeUndefined();
  });

  it('accepts crossed tops when asked to', () => {
    const n = new TickNormalizer({ venue: 'x', market: 'SPOT', clock: new FakeClock(T0), allowCrossed: true });
    expect(n.fromTopOfBook({ ...top('A', T0), ask: '65000.1' }).accepted).toBe(true);
  });

  it('never emits a tick older than one already emitted (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            symbol: fc.constantFrom('A', 'B'),
            dt: fc.integer({ min: -50, max: 50 }),
            seq: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
          }),
          { maxLength: 100 },
        ),
        (inputs) => {
          const clock = new FakeClock(T0);
          const n = new TickNormalizer({ venue: 'x', market: 'SPOT', clock });
          const emitted = new Map<string, { t: number; seq: number | undefined }[]>();
          for (const { symbol, dt, seq } of inputs) {
            const r = n.fromTopOfBook(top(symbol, T0 + dt, seq));
            if (!r.accepted) continue;
            const list = emitted.get(symbol) ?? [];
            list.push({ t: r.tick.eventTime, seq });
            emitted.set(symbol, list);
          }
          for (const list of emitted.values()) {
            for (let i = 1; i < list.length; i++) {
              expect(list[i]!.t).toBeGreaterThanOrEqual(list[i - 1]!.t);
              const seqs = list.slice(0, i).map((e) => e.seq).filter((s) => s !== undefined);
              const cur = list[i]!.seq;
              if (cur !== undefined && seqs.length > 0) expect(cur).toBeGreaterThan(Math.max(...seqs));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
