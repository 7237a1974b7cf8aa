import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { Throttle } from './throttle.js';

function setup(intervalMs: number | ((k: string) => number), leading?: boolean) {
  const clock = new FakeClock(0);
  const out: string[] = [];
  const t = new Throttle<string, number>({
    clock,
    intervalMs,
    deliver: (k, v) => out.push(`${k}=${v}@${clock.now()}`),
    ...(leading === undefined ? {} : { leading }),
  });
  return { clock, out, t };
}

describe('Throttle', () => {
  it('delivers the first value at once and the latest one at the end of the window', () => {
    const { clock, out, t } = setup(100);
    t.push('BTC', 1);
    clock.advance(10);
    t.push('BTC', 2);
    clock.advance(10);
    t.push('BTC', 3);
    expect(t.pending('BTC')).toBe(3);
    clock.advance(80);
    expect(out).toEqual(['BTC=1@0', 'BTC=3@100']);
    // The trailing delivery opened a new window.
    t.push('BTC', 4);
    clock.advance(99);
    expect(out).toHaveLength(2);
    clock.advance(1);
    expect(out).toEqual(['BTC=1@0', 'BTC=3@100', 'BTC=4@200']);
    // A quiet window closes the key and leaves no timer.
    clock.advance(100);
    expect(t.size).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    t.push('BTC', 5);
    expect(out.at(-1)).toBe('BTC=5@300');
  });

  it('keeps keys apart and supports per-key intervals', () => {
    const { clock, out, t } = setup((k) => (k === 'fast' ? 10 : 50));
    t.push('fast', 1);
    t.push('slow', 1);
    t.push('fast', 2);
    t.push('slow', 2);
    clock.advance(10);
    t.push('fast', 3);
    clock.advance(40);
    expect(out).toEqual(['fast=1@0', 'slow=1@0', 'fast=2@10', 'fast=3@20', 'slow=2@50']);
  });

  it('without leading edge, the first value also waits for its window', () => {
    const { clock, out, t } = setup(100, false);
    t.push('A', 1);
    t.push('A', 2);
    expect(out).toEqual([]);
    clock.advance(100);
    expect(out).toEqual(['A=2@100']);
  });

  it('passes everything through with a zero interval', () => {
    const { out, t } = setup(0);
    t.push('A', 1);
    t.push('A', 2);
    expect(out).toEqual(['A=1@0', 'A=2@0']);
  });

  it('flush delivers pending values now; cancel drops them', () => {
    const { clock, out, t } = setup(100);
    t.push('A', 1);
    t.push('A', 2);
    t.push('B', 1);
    t.push('B', 2);
    t.flush('A');
    expect(out).toEqual(['A=1@0', 'B=1@0', 'A=2@0']);
    t.cancel();
    clock.advance(1000);
    expect(out).toHaveLength(3);
    expect(clock.pendingTimers()).toBe(0);
    t.push('C', 1);
    t.push('C', 2);
    t.flush();
    expect(out.slice(3)).toEqual(['C=1@1000', 'C=2@1000']);
  });

  it('a delivery that pushes again stays throttled', () => {
    const clock = new FakeClock(0);
    const out: number[] = [];
    const t: Throttle<string, number> = new Throttle({
      clock,
      intervalMs: 10,
      deliver: (_k, v) => {
        out.push(v);
        if (v < 3) t.push('k', v + 1);
      },
    });
    t.push('k', 0);
    clock.advance(100);
    expect(out).toEqual([0, 1, 2, 3]);
  });

  it('rate-limits and always ends on the latest value (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 40 })), { maxLength: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        (pushes, interval, leading) => {
          const clock = new FakeClock(0);
          const delivered = new Map<string, Array<{ v: number; at: number }>>();
          const t = new Throttle<string, number>({
            clock,
            intervalMs: interval,
            leading,
            deliver: (k, v) => {
              const list = delivered.get(k) ?? [];
              list.push({ v, at: clock.now() });
              delivered.set(k, list);
            },
          });
          const latest = new Map<string, number>();
          let seq = 0;
          for (const [key, gap] of pushes) {
            clock.advance(gap);
            t.push(key, seq);
            latest.set(key, seq);
            seq++;
          }
          clock.advance(interval * 2 + 1);
          expect(clock.pendingTimers()).toBe(0);
          for (const [key, last] of latest) {
            const list = delivered.get(key)!;
            // The last value pushed is the last value delivered: never a stale one at the end.
            expect(list.at(-1)!.v).toBe(last);
            for (let i = 1; i < list.length; i++) {
              // At most one delivery per interval, and values only move forward.
              expect(list[i]!.at - list[i - 1]!.at).toBeGreaterThanOrEqual(interval);
              expect(list[i]!.v).toBeGreaterThan(list[i - 1]!.v);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
