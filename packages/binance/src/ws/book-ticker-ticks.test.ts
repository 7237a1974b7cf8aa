import { FakeClock, tickFigures } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { BookTickerTicks } from './book-ticker-ticks.js';
import { decodeFrame } from './frame-scanner.js';
import type { BookTickerFrame } from './frames.js';

const T0 = 1_758_326_400_000;
const frame = (u: number, b: string, a: string, E?: number): BookTickerFrame =>
  decodeFrame(JSON.stringify({ stream: 'btcusdt@bookTicker', data: { u, s: 'BTCUSDT', b, B: '0.50000000', a, A: '0.25000000', ...(E === undefined ? {} : { E, T: E }) } })) as BookTickerFrame;

describe('BookTickerTicks', () => {
  it('makes SPEC §2 ticks with the exchange event time (UM) or the receive time (Spot)', () => {
    const clock = new FakeClock(T0);
    const ticks = new BookTickerTicks({ market: 'FUT', clock });
    expect(ticks.fromFrame(frame(1, '65000.10', '65000.20', T0 - 5), T0)).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      bid: '65000.1',
      bidQty: '0.5',
      ask: '65000.2',
      askQty: '0.25',
      ...tickFigures('65000.1', '0.5', '65000.2', '0.25'),
      eventTime: T0 - 5,
      receiveTime: T0,
    });
    const spot = new BookTickerTicks({ market: 'SPOT', clock, venue: 'binance-test' });
    expect(spot.fromFrame(frame(1, '1.00000000', '2.00000000'), T0 + 7)).toMatchObject({ venue: 'binance-test', eventTime: T0 + 7, receiveTime: T0 + 7, bid: '1', ask: '2' });
  });

  it('drops out-of-order, duplicate, stale, one-sided and crossed frames, leaving the state untouched', () => {
    const clock = new FakeClock(T0);
    const ticks = new BookTickerTicks({ market: 'FUT', clock, maxAgeMs: 1_000, venueClockOffsetMs: () => 200 });
    expect(ticks.fromFrame(frame(10, '1', '2', T0), T0)).toBeDefined();
    expect(ticks.fromFrame(frame(9, '1', '2', T0 + 1), T0)).toBeUndefined();
    expect(ticks.lastDrop).toBe('out_of_order');
    expect(ticks.fromFrame(frame(10, '1', '2', T0 + 1), T0)).toBeUndefined();
    expect(ticks.lastDrop).toBe('duplicate');
    expect(ticks.fromFrame(frame(11, '1', '2', T0 - 1), T0)).toBeUndefined();
    expect(ticks.lastDrop).toBe('out_of_order');
    clock.advance(900);
    expect(ticks.fromFrame(frame(12, '1', '2', T0 + 99), T0)).toBeUndefined();
    expect(ticks.lastDrop).toBe('stale');
    expect(ticks.fromFrame(frame(13, '0', '2', T0 + 500), T0)).toBeUndefined();
    expect(ticks.fromFrame(frame(14, '2', '2', T0 + 500), T0)).toBeUndefined();
    expect(ticks.dropped).toEqual({ out_of_order: 2, duplicate: 1, stale: 1, one_sided: 1, crossed: 1 });
    expect(ticks.fromFrame(frame(15, '1', '2', T0 + 500), T0)?.eventTime).toBe(T0 + 500);
    ticks.forget('BTCUSDT');
    expect(ticks.fromFrame(frame(1, '1', '2', T0 + 400), T0)).toBeDefined();
  });
});
