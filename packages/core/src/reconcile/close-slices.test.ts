import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOnGrid } from '../precision/round.js';
import { ValidationError } from '../errors.js';
import { DEFAULT_MAX_SLICES, sliceQuantity } from './close-slices.js';

const sum = (xs: string[]): Big => xs.reduce((a, x) => a.plus(x), new Big(0));

describe('sliceQuantity', () => {
  it('sends everything at once without limits, or when the limit covers it', () => {
    expect(sliceQuantity('1.5')).toEqual(['1.5']);
    expect(sliceQuantity('1.5', { maxQty: '2' })).toEqual(['1.5']);
    expect(sliceQuantity('1.50', { maxQty: '1.5' })).toEqual(['1.5']);
  });

  it('cuts equal slices of the largest grid size within the limit, then the remainder', () => {
    expect(sliceQuantity('1', { maxQty: '0.3' })).toEqual(['0.3', '0.3', '0.3', '0.1']);
    expect(sliceQuantity('0.009', { maxQty: '0.0025', step: '0.001' })).toEqual(['0.002', '0.002', '0.002', '0.002', '0.001']);
  });

  it('turns a notional limit into a quantity at the given price', () => {
    // 1 000 USDT at 65 000 → 0.01538…, floored to the 0.001 grid of 0.035 → 0.015
    expect(sliceQuantity('0.035', { maxNotional: '1000', price: '65000' })).toEqual(['0.015', '0.015', '0.005']);
    // The tighter of the two limits wins.
    expect(sliceQuantity('0.035', { maxNotional: '1000', price: '65000', maxQty: '0.01' })).toEqual(['0.01', '0.01', '0.01', '0.005']);
    // "0" and a missing price mean no notional limit.
    expect(sliceQuantity('0.035', { maxNotional: '0', price: '65000' })).toEqual(['0.035']);
    expect(sliceQuantity('0.035', { maxNotional: '1000' })).toEqual(['0.035']);
  });

  it('never goes below one step, and grows the slice rather than exceed maxSlices', () => {
    expect(sliceQuantity('0.003', { maxQty: '0.0001', step: '0.001' })).toEqual(['0.001', '0.001', '0.001']);
    // Without a step, the finest grid of total and maxQty applies.
    expect(sliceQuantity('0.0006', { maxQty: '0.0002' })).toEqual(['0.0002', '0.0002', '0.0002']);
    expect(sliceQuantity('1', { maxQty: '0.1', maxSlices: 3 })).toEqual(['0.4', '0.4', '0.2']);
    expect(sliceQuantity('100', { maxQty: '0.001' })).toHaveLength(DEFAULT_MAX_SLICES);
    // 0.7 floors to 0.5 on the grid; 15 slices of 0.5 cannot hold 10, so the slice grows to 1.
    expect(sliceQuantity('10', { step: '0.5', maxQty: '0.7', maxSlices: 15 })).toEqual(Array(10).fill('1'));
  });

  it('rejects non-positive inputs with a ValidationError', () => {
    expect(() => sliceQuantity('0')).toThrow(ValidationError);
    expect(() => sliceQuantity('-1')).toThrow(ValidationError);
    expect(() => sliceQuantity('1', { maxQty: '0' })).toThrow(ValidationError);
    expect(() => sliceQuantity('1', { step: '1e-3' })).toThrow(ValidationError);
    expect(() => sliceQuantity('1', { maxSlices: 0 })).toThrow(ValidationError);
  });

  it('property: slices are positive, on the grid, within the limits, at most maxSlices, and sum to exactly the total', () => {
    const decimal = fc
      .tuple(fc.bigInt({ min: 1n, max: 10n ** 9n }), fc.integer({ min: 0, max: 8 }))
      .map(([units, scale]) => new Big(units.toString()).div(new Big(10).pow(scale)).toFixed());
    const step = fc.constantFrom('0.00000001', '0.001', '0.1', '1', '0.5', '0.25');
    fc.assert(
      fc.property(step, fc.integer({ min: 1, max: 10 ** 7 }), fc.option(decimal, { nil: undefined }), fc.integer({ min: 1, max: 50 }), (s, k, max, maxSlices) => {
        const total = new Big(s).times(k).toFixed();
        const limits = max === undefined ? { step: s, maxSlices } : { step: s, maxSlices, maxQty: max };
        const slices = sliceQuantity(total, limits);
        expect(sum(slices).eq(total)).toBe(true);
        expect(slices.length).toBeLessThanOrEqual(maxSlices);
        for (const x of slices) {
          expect(new Big(x).gt(0)).toBe(true);
          expect(isOnGrid(x, s)).toBe(true);
        }
        const first = new Big(slices[0] as string);
        // The largest grid slice within the limit (at least one step); maxSlices may force more.
        const gridMax = max === undefined ? undefined : new Big(max).div(s).round(0, Big.roundDown).times(s);
        const unit = gridMax === undefined || gridMax.eq(0) ? new Big(s) : gridMax;
        const forcedByCap = max !== undefined && new Big(total).gt(unit.times(maxSlices));
        if (max !== undefined && !forcedByCap && new Big(max).gte(s)) expect(first.lte(max)).toBe(true);
        for (const x of slices.slice(1)) expect(new Big(x).lte(first)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
