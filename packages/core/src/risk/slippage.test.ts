import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskRejectedError, ValidationError } from '../errors.js';
import { assessSlippage, slippageBps } from './slippage.js';

describe('slippageBps', () => {
  it('is positive when the fill is adverse for the side', () => {
    expect(slippageBps('100', '100.1', 'BUY')).toBe(10);
    expect(slippageBps('100', '99.9', 'BUY')).toBe(-10);
    expect(slippageBps('100', '99.9', 'SELL')).toBe(10);
    expect(slippageBps('100', '100.1', 'SELL')).toBe(-10);
    expect(slippageBps('65000', '65000', 'BUY')).toBe(0);
    expect(slippageBps(65_000, '65013', 'BUY')).toBe(2);
    expect(slippageBps(65_000.5, '65013.5', 'BUY')).toBeCloseTo(1.999985, 6);
  });

  it('refuses non-positive or non-numeric prices', () => {
    expect(() => slippageBps('0', '1', 'BUY')).toThrow(ValidationError);
    expect(() => slippageBps('100', 'abc', 'SELL')).toThrow(ValidationError);
  });

  it('property: BUY and SELL slippage are opposite', () => {
    const price = fc.integer({ min: 1, max: 10_000_000 }).map((u) => (u / 100).toFixed(2));
    fc.assert(
      fc.property(price, price, (mid, avg) => {
        expect(slippageBps(mid, avg, 'BUY') + slippageBps(mid, avg, 'SELL')).toBeCloseTo(0, 9);
      }),
    );
  });
});

describe('assessSlippage', () => {
  it('flags slippage strictly above the threshold with a SLIPPAGE rejection', () => {
    const ok = assessSlippage('100', '100.5', 'BUY', 50);
    expect(ok).toMatchObject({ slippageBps: 50, limitBps: 50, exceeded: false, rejection: undefined });
    const bad = assessSlippage('100', '99.4', 'SELL', 50);
    expect(bad.exceeded).toBe(true);
    expect(bad.rejection).toBeInstanceOf(RiskRejectedError);
    expect(bad.rejection?.status).toBe(422);
    expect(bad.rejection?.details).toMatchObject({ rule: 'SLIPPAGE', limit: 50, observed: 60, side: 'SELL' });
  });
});
