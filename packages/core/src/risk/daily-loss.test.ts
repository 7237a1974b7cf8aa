import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { ValidationError } from '../errors.js';
import { DailyLossTracker, UTC_DAY_MS, utcDayStart } from './daily-loss.js';

// FakeClock starts at 2025-09-20T00:00:00Z, a UTC midnight.
const MIDNIGHT = new FakeClock().now();

describe('utcDayStart', () => {
  it('maps any instant of a UTC day to its 00:00:00.000', () => {
    expect(utcDayStart(MIDNIGHT)).toBe(MIDNIGHT);
    expect(utcDayStart(MIDNIGHT + UTC_DAY_MS - 1)).toBe(MIDNIGHT);
    expect(utcDayStart(MIDNIGHT + UTC_DAY_MS)).toBe(MIDNIGHT + UTC_DAY_MS);
    expect(new Date(utcDayStart(MIDNIGHT + 13 * 3_600_000)).toISOString()).toBe('2025-09-20T00:00:00.000Z');
  });
});

describe('DailyLossTracker', () => {
  it('sums realised PnL exactly and reports the loss', () => {
    const tracker = new DailyLossTracker(new FakeClock(MIDNIGHT + 3_600_000));
    expect(tracker.record('-0.1')).toBe('-0.1');
    expect(tracker.record('-0.2')).toBe('-0.3');
    expect(tracker.loss()).toBe('0.3');
    tracker.record('1.3');
    expect(tracker.realised()).toBe('1');
    expect(tracker.loss()).toBe('0');
    expect(tracker.limitReached('0.5')).toBe(false);
    expect(tracker.limitReached(undefined)).toBe(false);
  });

  it('resets at 00:00 UTC, not a moment before', () => {
    const clock = new FakeClock(MIDNIGHT + UTC_DAY_MS - 60_000);
    const tracker = new DailyLossTracker(clock);
    tracker.record('-120');
    expect(tracker.limitReached('100')).toBe(true);
    clock.advance(59_999); // 23:59:59.999
    expect(tracker.loss()).toBe('120');
    expect(tracker.dayStart()).toBe(MIDNIGHT);
    clock.advance(1); // 00:00:00.000 next day
    expect(tracker.loss()).toBe('0');
    expect(tracker.realised()).toBe('0');
    expect(tracker.limitReached('100')).toBe(false);
    expect(tracker.dayStart()).toBe(MIDNIGHT + UTC_DAY_MS);
    tracker.record('-5');
    expect(tracker.realised()).toBe('-5');
  });

  it('counts a loss as reached at exactly the limit', () => {
    const tracker = new DailyLossTracker(new FakeClock());
    tracker.record('-100.00');
    expect(tracker.limitReached('100')).toBe(true);
  });

  it('reset() forgets the day', () => {
    const tracker = new DailyLossTracker(new FakeClock());
    tracker.record('-7');
    tracker.reset();
    expect(tracker.realised()).toBe('0');
  });

  it('refuses non-decimal input', () => {
    const tracker = new DailyLossTracker(new FakeClock());
    expect(() => tracker.record('1e3')).toThrow(ValidationError);
    expect(() => tracker.record('')).toThrow(ValidationError);
  });

  it('property: the total equals the exact sum of the records since the last UTC midnight', () => {
    const record = fc.record({
      gapMs: fc.integer({ min: 0, max: 6 * 3_600_000 }),
      cents: fc.integer({ min: -1_000_000, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: UTC_DAY_MS - 1 }), fc.array(record, { maxLength: 40 }), (offset, records) => {
        const clock = new FakeClock(MIDNIGHT + offset);
        const tracker = new DailyLossTracker(clock);
        const byDay = new Map<number, Big>();
        for (const r of records) {
          clock.advance(r.gapMs);
          const pnl = new Big(r.cents).div(100).toFixed();
          tracker.record(pnl);
          const day = utcDayStart(clock.now());
          byDay.set(day, (byDay.get(day) ?? new Big(0)).plus(pnl));
        }
        const expected = byDay.get(utcDayStart(clock.now())) ?? new Big(0);
        expect(new Big(tracker.realised()).eq(expected)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
