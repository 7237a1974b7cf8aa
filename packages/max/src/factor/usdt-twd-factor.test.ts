import { FakeClock, ValidationError, VenueError, type MarketTick } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { toMarketTick } from '../rest/mappers.js';
import { USDTTWD, UsdtTwdFactor } from './usdt-twd-factor.js';

const T0 = 1_758_326_400_000;

function tick(bid: string, ask: string, receiveTime: number, symbol = USDTTWD): MarketTick {
  return toMarketTick({ symbol, bid, bidQty: '1000', ask, askQty: '2000', eventTime: receiveTime - 5, receiveTime });
}

describe('UsdtTwdFactor', () => {
  it('rate is the exact mid; age runs on the injected clock', () => {
    const clock = new FakeClock(T0);
    const factor = new UsdtTwdFactor({ clock, maxAgeMs: 30_000 });
    expect(factor.ageMs()).toBeUndefined();
    expect(factor.update(tick('32.123', '32.128', T0))).toBe(true);
    expect(factor.rate()).toBe('32.1255');
    clock.advance(12_345);
    expect(factor.ageMs()).toBe(12_345);
    expect(factor.isFresh()).toBe(true);
    expect(factor.state()).toEqual({ rate: '32.1255', bid: '32.123', ask: '32.128', updatedAt: T0, ageMs: 12_345, fresh: true });
  });

  it('converts on decimal strings: TWD to 2 decimals and USDT to 6, half-up; full precision on request', () => {
    const clock = new FakeClock(T0);
    const factor = new UsdtTwdFactor({ clock });
    factor.update(tick('32.123', '32.128', T0));
    expect(factor.toTwd('100')).toBe('3212.55');
    expect(factor.toTwd('0.01')).toBe('0.32'); // 0.321255
    expect(factor.toTwd('0.0002')).toBe('0.01'); // 0.0064251 → 0.01
    expect(factor.toTwd('-100')).toBe('-3212.55');
    expect(factor.toTwd('1.5', { decimals: 'full' })).toBe('48.18825');
    expect(factor.toTwd('1.5', { decimals: 0 })).toBe('48');
    expect(factor.toUsdt('3212.55')).toBe('100');
    expect(factor.toUsdt('1000')).toBe('31.12792');
    expect(factor.toUsdt('1000', { decimals: 'full' })).toBe('31.1279201880126379356');
    expect(factor.toUsdt('1000', { decimals: 2 })).toBe('31.13');
  });

  it('ties round away from zero (half-up)', () => {
    const clock = new FakeClock(T0);
    const factor = new UsdtTwdFactor({ clock });
    factor.update(tick('30', '30', T0)); // rate 30
    expect(factor.toTwd('0.0005')).toBe('0.02'); // 0.015 → 0.02
    expect(factor.toTwd('-0.0005')).toBe('-0.02');
    expect(factor.toUsdt('0.00000015')).toBe('0'); // 0.000000005 → 0 at 6 decimals
    expect(factor.toUsdt('0.000015')).toBe('0.000001'); // 0.0000005 → 0.000001
  });

  it('throws FACTOR_STALE (503, retryable) before the first quote and once older than maxAgeMs', () => {
    const clock = new FakeClock(T0);
    const factor = new UsdtTwdFactor({ clock, maxAgeMs: 10_000 });
    const stale = (): VenueError => {
      try {
        factor.rate();
      } catch (e) {
        return e as VenueError;
      }
      throw new Error('expected FACTOR_STALE');
    };
    expect(stale().toJSON()).toEqual({
      name: 'VenueError',
      code: 'FACTOR_STALE',
      message: 'no USDT/TWD rate yet',
      status: 503,
      retryable: true,
      details: { symbol: 'USDTTWD', ageMs: null, maxAgeMs: 10_000 },
    });
    factor.update(tick('32', '32.01', T0));
    clock.advance(10_000);
    expect(factor.rate()).toBe('32.005'); // exactly at the bound: still usable
    clock.advance(1);
    expect(stale().toJSON()).toMatchObject({ code: 'FACTOR_STALE', message: 'USDT/TWD rate is 10001 ms old, more than the 10000 ms allowed', details: { ageMs: 10_001 } });
    expect(() => factor.toTwd('1')).toThrow(/FACTOR_STALE/);
    expect(() => factor.toUsdt('1')).toThrow(/FACTOR_STALE/);
    expect(factor.isFresh()).toBe(false);
    expect(factor.state()?.fresh).toBe(false);
    // A fresh quote from the stream revives it.
    factor.updateTop({ bid: '32.1', ask: '32.2' });
    expect(factor.rate()).toBe('32.15');
    expect(factor.ageMs()).toBe(0);
  });

  it('REST snapshot then stream: ignores older, crossed and non-positive quotes', () => {
    const clock = new FakeClock(T0);
    const factor = new UsdtTwdFactor({ clock });
    expect(factor.update(tick('32.10', '32.12', T0))).toBe(true); // REST ticker
    expect(factor.updateTop({ bid: '32.11', ask: '32.13', receiveTime: T0 + 100 })).toBe(true); // stream
    expect(factor.update(tick('31', '31.5', T0 + 50))).toBe(false); // a late REST answer
    expect(factor.updateTop({ bid: '32.2', ask: '32.1', receiveTime: T0 + 200 })).toBe(false); // crossed
    expect(factor.updateTop({ bid: '0', ask: '32.1', receiveTime: T0 + 200 })).toBe(false);
    expect(factor.rate()).toBe('32.12');
  });

  it('asTick publishes the current quote as a MarketTick for USDTTWD', () => {
    const clock = new FakeClock(T0);
    const factor = new UsdtTwdFactor({ clock });
    expect(factor.asTick()).toBeUndefined();
    factor.updateTop({ bid: '32.1', ask: '32.2', bidQty: '500', askQty: '700', eventTime: T0 - 20 });
    expect(factor.asTick()).toEqual(
      toMarketTick({ symbol: 'USDTTWD', bid: '32.1', bidQty: '500', ask: '32.2', askQty: '700', eventTime: T0 - 20, receiveTime: T0 }),
    );
    expect(factor.asTick()).toMatchObject({ venue: 'max', market: 'SPOT', symbol: 'USDTTWD', mid: 32.150000000000006 });
  });

  it('validates its inputs', () => {
    const clock = new FakeClock(T0);
    expect(() => new UsdtTwdFactor({ clock, maxAgeMs: 0 })).toThrow(ValidationError);
    expect(() => new UsdtTwdFactor({ clock, twdDecimals: -1 })).toThrow(/twdDecimals/);
    const factor = new UsdtTwdFactor({ clock });
    expect(() => factor.update(tick('1', '2', T0, 'BTCTWD'))).toThrow(/WRONG_SYMBOL/);
    factor.update(tick('32', '32', T0));
    expect(() => factor.toTwd('1e3')).toThrow(/usdt: expected a decimal string/);
    expect(() => factor.toUsdt('abc')).toThrow(/twd/);
    expect(() => factor.toTwd('1', { decimals: 1.5 })).toThrow(/decimals/);
    expect(() => factor.updateTop({ bid: 'x', ask: '1' })).toThrow(/bid/);
    expect(factor.maxAgeMs).toBe(60_000);
  });
});
