import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { limitsFor, parseRiskConfig } from './risk-config.js';

describe('parseRiskConfig', () => {
  it('fills every documented default from an empty object or undefined', () => {
    const cfg = parseRiskConfig();
    expect(parseRiskConfig({})).toEqual(cfg);
    expect(cfg).toEqual({
      maxSlippageBps: 50,
      limits: { default: {}, symbols: {} },
      breaker: { consecutiveFailures: 3, errorRate: 0.5, window: 20, minCalls: 10, cooldownMs: 30_000 },
      market: { maxStalenessMs: 5_000, maxSpreadBps: 50, maxDeviationBps: 200, requireTick: true },
      skew: { blockAboveMs: 1_000 },
      retryBudget: { perMinute: 30 },
    });
    expect(cfg.dailyLossLimitUsdt).toBeUndefined();
  });

  it('reads JSON numbers for amounts as exact decimal strings', () => {
    const cfg = parseRiskConfig({
      dailyLossLimitUsdt: 250.5,
      limits: { default: { maxOrderQty: 0.0012 }, symbols: { 'FUT:BTCUSDT': { maxPositionNotionalUsdt: '10000.00' } } },
    });
    expect(cfg.dailyLossLimitUsdt).toBe('250.5');
    expect(cfg.limits.default.maxOrderQty).toBe('0.0012');
    expect(cfg.limits.symbols['FUT:BTCUSDT']?.maxPositionNotionalUsdt).toBe('10000');
  });

  it.each([
    [{ maxSlippageBps: -1 }, 'maxSlippageBps'],
    [{ dailyLossLimitUsdt: '0' }, 'dailyLossLimitUsdt'],
    [{ breaker: { errorRate: 1.5 } }, 'breaker.errorRate'],
    [{ breaker: { consecutiveFailures: 0 } }, 'breaker.consecutiveFailures'],
    [{ market: { maxStalenessMs: 'soon' } }, 'market.maxStalenessMs'],
    [{ limits: { symbols: { btcusdt: {} } } }, 'limits.symbols.btcusdt'],
    [{ limits: { default: { maxOrderQty: '-1' } } }, 'limits.default.maxOrderQty'],
    [{ skew: { blockAboveMs: 1000, extra: true } }, 'skew'],
  ])('rejects %j with a 400 ValidationError naming %s', (input, path) => {
    let caught: unknown;
    try {
      parseRiskConfig(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const err = caught as ValidationError;
    expect(err.status).toBe(400);
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.issues.map((i) => i.path)).toContain(path);
  });
});

describe('limitsFor', () => {
  const cfg = parseRiskConfig({
    limits: {
      default: { maxOrderQty: '1', maxOrderNotionalUsdt: '1000', maxPositionQty: '5' },
      symbols: {
        BTCUSDT: { maxOrderQty: '0.5', maxPositionQty: '2' },
        'FUT:BTCUSDT': { maxOrderQty: '0.1' },
      },
    },
  });

  it('takes each field from MARKET:SYMBOL, then SYMBOL, then default', () => {
    expect(limitsFor(cfg.limits, 'FUT', 'BTCUSDT')).toEqual({
      maxOrderQty: '0.1',
      maxOrderNotionalUsdt: '1000',
      maxPositionQty: '2',
      maxPositionNotionalUsdt: undefined,
    });
    expect(limitsFor(cfg.limits, 'SPOT', 'BTCUSDT')).toMatchObject({ maxOrderQty: '0.5', maxPositionQty: '2' });
    expect(limitsFor(cfg.limits, 'FUT', 'ETHUSDT')).toMatchObject({ maxOrderQty: '1', maxPositionQty: '5' });
  });
});
