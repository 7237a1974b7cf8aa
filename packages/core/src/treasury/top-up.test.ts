import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { computeTopUp } from './top-up.js';

describe('computeTopUp', () => {
  it('is NOT_NEEDED when futures already hold the minimum', () => {
    expect(computeTopUp({ futFree: '500', minFreeFut: '500', spotFree: '1000', spotBuffer: '100' })).toEqual({
      status: 'NOT_NEEDED',
      shortfall: '0',
      available: '900',
      amount: '0',
      capped: false,
    });
  });

  it('proposes the shortfall rounded up to cents', () => {
    expect(computeTopUp({ futFree: '120.004', minFreeFut: '500', spotFree: '1000', spotBuffer: '100' })).toEqual({
      status: 'PROPOSE',
      shortfall: '379.996',
      available: '900',
      amount: '380',
      capped: false,
    });
  });

  it('caps by what spot can give above its buffer (rounded down)', () => {
    expect(computeTopUp({ futFree: '0', minFreeFut: '500', spotFree: '350.129', spotBuffer: '100' })).toMatchObject({
      status: 'PROPOSE',
      available: '250.12',
      amount: '250.12',
      capped: true,
    });
  });

  it('caps by the maximum transfer', () => {
    expect(computeTopUp({ futFree: '0', minFreeFut: '50000', spotFree: '100000', spotBuffer: '0' })).toMatchObject({ amount: '10000', capped: true });
  });

  it('raises a small shortfall to the minimum transfer', () => {
    expect(computeTopUp({ futFree: '499.7', minFreeFut: '500', spotFree: '1000', spotBuffer: '0' })).toMatchObject({
      status: 'PROPOSE',
      shortfall: '0.3',
      amount: '1',
      capped: false,
    });
  });

  it('is INSUFFICIENT_SPOT when spot above its buffer is below the minimum transfer', () => {
    expect(computeTopUp({ futFree: '0', minFreeFut: '500', spotFree: '100.5', spotBuffer: '100' })).toEqual({
      status: 'INSUFFICIENT_SPOT',
      shortfall: '500',
      available: '0.5',
      amount: '0',
      capped: true,
    });
  });

  it('honours other decimals and limits', () => {
    expect(computeTopUp({ futFree: '0', minFreeFut: '0.123456', spotFree: '10', spotBuffer: '0', decimals: 4, limits: { min: '0.01' } })).toMatchObject({
      amount: '0.1235',
    });
  });

  it('rejects non-decimal inputs', () => {
    expect(() => computeTopUp({ futFree: '1e3', minFreeFut: '500', spotFree: '1', spotBuffer: '0' })).toThrow(ValidationError);
    expect(() => computeTopUp({ futFree: '0', minFreeFut: '500', spotFree: '1', spotBuffer: '0', decimals: 1.5 })).toThrow(ValidationError);
  });

  it('never dips into the buffer, never leaves the limits, and covers the shortfall unless capped (property)', () => {
    const amount = fc.integer({ min: 0, max: 5_000_000 }).map((cents) => new Big(cents).div(100).toFixed());
    fc.assert(
      fc.property(amount, amount, amount, amount, (futFree, minFreeFut, spotFree, spotBuffer) => {
        const plan = computeTopUp({ futFree, minFreeFut, spotFree, spotBuffer });
        if (plan.status !== 'PROPOSE') return plan.amount === '0';
        const a = new Big(plan.amount);
        expect(a.gte(1) && a.lte(10_000)).toBe(true);
        expect(new Big(spotFree).minus(a).gte(spotBuffer)).toBe(true);
        if (!plan.capped) expect(new Big(futFree).plus(a).gte(minFreeFut)).toBe(true);
        return true;
      }),
    );
  });
});
