import fc from 'fast-check';
import { FakeClock, ValidationError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { NonceSource } from './nonce-source.js';

describe('NonceSource', () => {
  it('hands out the clock in ms, and +1 for calls in the same millisecond', () => {
    const clock = new FakeClock(1_728_011_555_080);
    const nonces = new NonceSource({ now: () => clock.now() });
    expect([nonces.next(), nonces.next(), nonces.next()]).toEqual([1_728_011_555_080, 1_728_011_555_081, 1_728_011_555_082]);
    clock.advance(1); // the clock is behind the bumped nonces: keep counting up
    expect(nonces.next()).toBe(1_728_011_555_083);
    clock.advance(10);
    expect(nonces.next()).toBe(1_728_011_555_091);
    expect(nonces.last).toBe(1_728_011_555_091);
  });

  it('adds the server offset and stays increasing when the offset is corrected downwards', () => {
    const clock = new FakeClock(1_000_000);
    const nonces = new NonceSource({ now: () => clock.now(), offsetMs: 5_000 });
    expect(nonces.next()).toBe(1_005_000);
    nonces.setOffset(-2_000);
    expect(nonces.next()).toBe(1_005_001);
    clock.advance(10_000);
    expect(nonces.next()).toBe(1_008_000);
  });

  it('calibrates from a seconds-resolution server time, taking the middle of the second', () => {
    const clock = new FakeClock(1_728_011_557_300);
    const nonces = new NonceSource({ now: () => clock.now() });
    // MAX said 1728011587 s while the local clock read …557.300: the server is ~30.2 s ahead.
    expect(nonces.calibrate(1_728_011_587_000, clock.now(), { resolutionMs: 1000 })).toBe(30_200);
    expect(nonces.next()).toBe(1_728_011_587_500);
    expect(nonces.calibrate(1_728_011_557_000, 1_728_011_557_300, { minCorrectionMs: 30_000 })).toBe(0);
    expect(nonces.offsetMs).toBe(0);
  });

  it('floors fractional clocks and rejects a non-finite offset', () => {
    const nonces = new NonceSource({ now: () => 100.9 });
    expect(nonces.next()).toBe(100);
    expect(() => nonces.setOffset(Number.NaN)).toThrow(ValidationError);
    expect(() => new NonceSource({ now: () => 1, offsetMs: Infinity })).toThrow(/INVALID_OFFSET/);
  });

  it('is strictly increasing whatever the clock and offset do (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 2_000_000_000_000 }), offset: fc.integer({ min: -60_000, max: 60_000 }) }), { maxLength: 50 }),
        (steps) => {
          let now = 0;
          const nonces = new NonceSource({ now: () => now });
          let previous = 0;
          for (const s of steps) {
            now = s.t;
            nonces.setOffset(s.offset);
            const n = nonces.next();
            if (!(n > previous) || !Number.isInteger(n)) return false;
            previous = n;
          }
          return true;
        },
      ),
    );
  });
});
