import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { ValidationError } from '../errors.js';
import { RetryBudget } from './retry-budget.js';

describe('RetryBudget', () => {
  it('starts full, drains, and refills at perMinute on the clock', () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ clock, config: { perMinute: 6, burst: 2 } });
    expect(budget.available('k')).toBe(2);
    expect(budget.tryConsume('k')).toBe(true);
    expect(budget.tryConsume('k')).toBe(true);
    expect(budget.tryConsume('k')).toBe(false);
    expect(budget.msUntilAvailable('k')).toBe(10_000);
    clock.advance(9_999);
    expect(budget.tryConsume('k')).toBe(false);
    clock.advance(1);
    expect(budget.tryConsume('k')).toBe(true);
    clock.advance(3_600_000);
    expect(budget.available('k')).toBe(2);
  });

  it('keeps keys apart and resets a key to full', () => {
    const budget = new RetryBudget({ clock: new FakeClock(), config: { perMinute: 1 } });
    expect(budget.tryConsume('a')).toBe(true);
    expect(budget.tryConsume('a')).toBe(false);
    expect(budget.tryConsume('b')).toBe(true);
    budget.reset('a');
    expect(budget.tryConsume('a')).toBe(true);
  });

  it('defaults to 30 per minute with a burst of 30', () => {
    const budget = new RetryBudget({ clock: new FakeClock() });
    expect(budget.available()).toBe(30);
  });

  it('rejects invalid settings', () => {
    expect(() => new RetryBudget({ clock: new FakeClock(), config: { perMinute: 0 } })).toThrow(ValidationError);
  });

  it('property: over any span T, granted retries ≤ burst + perMinute · T / 60 000', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 200 }),
        (perMinute, burst, gaps) => {
          const clock = new FakeClock();
          const budget = new RetryBudget({ clock, config: { perMinute, burst } });
          const t0 = clock.now();
          let granted = 0;
          for (const gap of gaps) {
            clock.advance(gap);
            if (budget.tryConsume('k')) granted++;
            expect(granted).toBeLessThanOrEqual(burst + (perMinute * (clock.now() - t0)) / 60_000 + 1e-6);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
