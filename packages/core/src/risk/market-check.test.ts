import { describe, expect, it } from 'vitest';
import { parseRiskConfig } from './risk-config.js';
import { assessMarket, exactMid } from './market-check.js';
import { sampleTick } from './test-ticks.test-data.js';

const NOW = 1_758_326_400_000;
const config = parseRiskConfig({ market: { maxStalenessMs: 5_000, maxSpreadBps: 10, maxDeviationBps: 100 } }).market;

function assess(over: Partial<Parameters<typeof assessMarket>[0]> = {}) {
  return assessMarket({ tick: sampleTick(NOW), now: NOW, referencePrice: undefined, fallbackPrice: undefined, config, ...over });
}

describe('assessMarket', () => {
  it('passes a fresh, tight book near the reference', () => {
    expect(assess({ referencePrice: '65100' })).toBeUndefined();
  });

  it('STALE_MARKET when the tick is older than maxStalenessMs (receive time), or missing', () => {
    expect(assess({ tick: sampleTick(NOW - 5_000) })).toBeUndefined();
    expect(assess({ tick: sampleTick(NOW - 5_001) })).toMatchObject({ rule: 'STALE_MARKET', details: { limit: 5_000, observed: 5_001 } });
    // A fresh venue event time does not rescue an old local receive time.
    expect(assess({ tick: sampleTick(NOW - 6_000, { eventTime: NOW }) })?.rule).toBe('STALE_MARKET');
    expect(assess({ tick: undefined })).toMatchObject({ rule: 'STALE_MARKET', details: { observed: 'no tick' } });
    expect(assess({ tick: undefined, config: { ...config, requireTick: false } })).toBeUndefined();
  });

  it('BOOK_INVALID for one-sided or crossed books; a locked book is not crossed', () => {
    expect(assess({ tick: sampleTick(NOW, { bid: '0' }) })).toMatchObject({ rule: 'BOOK_INVALID', details: { reason: 'ONE_SIDED' } });
    expect(assess({ tick: sampleTick(NOW, { bid: '65000.2', ask: '65000.1' }) })).toMatchObject({ rule: 'BOOK_INVALID', details: { reason: 'CROSSED' } });
    expect(assess({ tick: sampleTick(NOW, { bid: '65000', ask: '65000' }) })).toBeUndefined();
  });

  it('SPREAD_TOO_WIDE above maxSpreadBps, exactly at the limit passes', () => {
    // (100.05 − 99.95) / 100 · 1e4 = 10 bps exactly.
    expect(assess({ tick: sampleTick(NOW, { bid: '99.95', ask: '100.05' }) })).toBeUndefined();
    expect(assess({ tick: sampleTick(NOW, { bid: '99.9', ask: '100.1' }) })).toMatchObject({
      rule: 'SPREAD_TOO_WIDE',
      details: { limit: 10, observed: 20 },
    });
  });

  it('PRICE_DEVIATION when the mid is more than maxDeviationBps (of the reference) away', () => {
    expect(assess({ referencePrice: '64400' })).toBeUndefined(); // 600 / 64400 = 93.2 bps
    expect(assess({ referencePrice: '64000' })).toMatchObject({
      rule: 'PRICE_DEVIATION',
      details: { limit: 100, observed: 156.25, price: '65000', referencePrice: '64000' },
    });
    const at101 = sampleTick(NOW, { bid: '100.99', ask: '101.01' });
    expect(assess({ tick: at101, referencePrice: '100' })).toBeUndefined(); // exactly 100 bps
    expect(assess({ tick: at101, referencePrice: '99.99' })?.rule).toBe('PRICE_DEVIATION');
  });

  it('uses the fallback price against the reference when there is no tick', () => {
    const noTick = { ...config, requireTick: false };
    expect(assess({ tick: undefined, config: noTick, fallbackPrice: '110', referencePrice: '100' })).toMatchObject({ rule: 'PRICE_DEVIATION', details: { observed: 1000 } });
    expect(assess({ tick: undefined, config: noTick, fallbackPrice: '100.5', referencePrice: '100' })).toBeUndefined();
  });
});

describe('exactMid', () => {
  it('is exact for decimal strings', () => {
    expect(exactMid({ bid: '0.1', ask: '0.2' })).toBe('0.15');
  });
});
