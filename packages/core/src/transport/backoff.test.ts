import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, mulberry32, SlidingWindow } from './backoff.js';

describe('backoffDelay', () => {
  const opts = { baseMs: 100, maxMs: 1_000, jitterMs: 50 };

  it('doubles from the base and caps at maxWait, jitter added on top', () => {
    const none = [0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, opts, () => 0));
    expect(none).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
    const half = [0, 1, 2, 3, 4].map((n) => backoffDelay(n, opts, () => 0.5));
    expect(half).toEqual([125, 225, 425, 825, 1_025]);
  });

  it('uses U(0, jitter) from the injected source', () => {
    expect(backoffDelay(0, opts, () => 0.999)).toBeCloseTo(149.95, 10);
    expect(backoffDelay(2, { ...opts, jitterMs: 0 }, () => 0.7)).toBe(400);
  });

  it('stays finite for huge retry counts and a zero base', () => {
    expect(backoffDelay(5_000, opts, () => 0)).toBe(1_000);
    expect(backoffDelay(5_000, { baseMs: 0, maxMs: 1_000, jitterMs: 0 })).toBe(0);
  });

  it('always lies in [min(max, base·2^n), that + jitter]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, baseMs, maxMs, jitterMs, r) => {
          const d = backoffDelay(n, { baseMs, maxMs, jitterMs }, () => r);
          const floor = Math.min(maxMs, baseMs * 2 ** Math.min(n, 1023));
          return d >= floor && (jitterMs === 0 ? d === floor : d <= floor + jitterMs) && Number.isFinite(d);
        },
      ),
    );
  });

  it('rejects negative or fractional retry counts and bad options', () => {
    expect(() => backoffDelay(-1, opts)).toThrow(RangeError);
    expect(() => backoffDelay(1.5, opts)).toThrow(RangeError);
    expect(() => backoffDelay(0, { ...opts, baseMs: -1 })).toThrow(/baseMs/);
    expect(() => backoffDelay(0, { ...opts, maxMs: Number.NaN })).toThrow(/maxMs/);
    expect(() => backoffDelay(0, { ...opts, jitterMs: Number.POSITIVE_INFINITY })).toThrow(/jitterMs/);
  });

  it('has the documented defaults', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 500, maxMs: 30_000, jitterMs: 1_000 });
  });
});

describe('mulberry32', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1_000 }, () => a());
    expect(Array.from({ length: 1_000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
    // Roughly uniform: the mean of 1 000 draws is near 0.5.
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeGreaterThan(0.45);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeLessThan(0.55);
  });
});

describe('SlidingWindow', () => {
  it('allows `limit` events per window and names the moment room returns', () => {
    const w = new SlidingWindow(3, 1_000);
    expect(w.nextAllowedAt(0)).toBe(0);
    w.record(0);
    w.record(100);
    w.record(200);
    expect(w.count(300)).toBe(3);
    expect(w.nextAllowedAt(300)).toBe(1_000);
    expect(w.nextAllowedAt(999)).toBe(1_000);
    expect(w.count(1_000)).toBe(2);
    expect(w.nextAllowedAt(1_000)).toBe(1_000);
    w.record(1_000);
    expect(w.nextAllowedAt(1_000)).toBe(1_100);
  });

  it('over-recorded windows wait for enough events to expire', () => {
    const w = new SlidingWindow(2, 100);
    for (let i = 0; i < 5; i++) w.record(i);
    // 5 events, limit 2: the 4th-oldest (t=3) must expire before one more fits.
    expect(w.nextAllowedAt(10)).toBe(103);
  });

  it('never lets more than `limit` events into any window when events wait for nextAllowedAt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 300 }),
        (limit, windowMs, gaps) => {
          const w = new SlidingWindow(limit, windowMs);
          const times: number[] = [];
          let t = 0;
          for (const gap of gaps) {
            t = w.nextAllowedAt(t + gap);
            w.record(t);
            times.push(t);
          }
          for (let i = 0; i + limit < times.length; i++) {
            if ((times[i + limit] ?? 0) - (times[i] ?? 0) < windowMs) return false;
          }
          return true;
        },
      ),
    );
  });

  it('rejects a bad limit or window', () => {
    expect(() => new SlidingWindow(0, 1_000)).toThrow(RangeError);
    expect(() => new SlidingWindow(1.5, 1_000)).toThrow(RangeError);
    expect(() => new SlidingWindow(1, 0)).toThrow(RangeError);
  });
});
