import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exposureChange } from './exposure.js';

describe('exposureChange', () => {
  it.each([
    // position, side, qty, reduceOnly, after, reducing, increasing
    ['0', 'BUY', '1', false, '1', false, true],
    ['2', 'BUY', '1', false, '3', false, true],
    ['2', 'SELL', '1', false, '1', true, false],
    ['2', 'SELL', '2', false, '0', true, false],
    ['2', 'SELL', '3', false, '-1', false, false],
    ['2', 'SELL', '5', false, '-3', false, true],
    ['2', 'SELL', '5', true, '0', true, false],
    ['-1.5', 'BUY', '0.5', false, '-1', true, false],
    ['-1.5', 'SELL', '0.5', true, '-2', false, true],
    ['0', 'SELL', '1', true, '-1', false, true],
  ] as const)('%s %s %s reduceOnly=%s → %s', (position, side, qty, reduceOnly, after, reducing, increasing) => {
    expect(exposureChange(position, side, qty, reduceOnly)).toEqual({ before: new Big(position).toFixed(), after, reducing, increasing });
  });

  it('property: a reducing order never increases |position| and never flips it', () => {
    const dec = fc.integer({ min: -1_000_000, max: 1_000_000 }).map((u) => new Big(u).div(1000).toFixed());
    const qty = fc.integer({ min: 1, max: 2_000_000 }).map((u) => new Big(u).div(1000).toFixed());
    fc.assert(
      fc.property(dec, fc.constantFrom('BUY' as const, 'SELL' as const), qty, fc.boolean(), (position, side, q, ro) => {
        const e = exposureChange(position, side, q, ro);
        if (e.reducing) {
          expect(new Big(e.after).abs().lt(new Big(e.before).abs())).toBe(true);
          expect(new Big(e.after).eq(0) || new Big(e.after).gt(0) === new Big(e.before).gt(0)).toBe(true);
          expect(e.increasing).toBe(false);
        }
      }),
    );
  });
});
