/**
 * The connector's client-side limits follow what the venue declares in exchangeInfo, unless the
 * host pinned its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { declaredRateLimits } from '../src/connector/declared-limits.js';
import { startLocalBinance, type LocalBinance } from '@chimera/binance/testing';
import type { BinanceConnector } from '@chimera/binance';
import { localConnector, seedMarkets } from './local-market.js';

let ex: LocalBinance | undefined;
let c: BinanceConnector | undefined;
afterEach(async () => {
  await c?.close();
  await ex?.close();
});

describe('declared rate limits', () => {
  it('parses exchangeInfo.rateLimits, skipping unknown entries', () => {
    expect(
      declaredRateLimits({
        rateLimits: [
          { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
          { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
          { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000 },
          { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 300000 },
          { rateLimitType: 'SOMETHING_NEW', interval: 'MINUTE', intervalNum: 1, limit: 1 },
          { rateLimitType: 'ORDERS', interval: 'WEEK', intervalNum: 1, limit: 1 },
        ],
      }),
    ).toEqual([
      { kind: 'weight', interval: '1m', limit: 6000 },
      { kind: 'orders', interval: '10s', limit: 50 },
      { kind: 'orders', interval: '1d', limit: 160000 },
      { kind: 'raw', interval: '5m', limit: 300000 },
    ]);
    expect(declaredRateLimits({})).toEqual([]);
  });

  it('the connector adopts the local exchange declared limits once instruments load', async () => {
    ex = await startLocalBinance({ limits: { spotWeightPerMinute: 1234, spotOrdersPer10s: 7 } });
    seedMarkets(ex.engine);
    c = localConnector(ex);
    await c.instruments('SPOT');
    expect(c.rateLimits('SPOT')).toEqual(expect.arrayContaining([
      { kind: 'weight', interval: '1m', limit: 1234 },
      { kind: 'orders', interval: '10s', limit: 7 },
    ]));
  });

  it('limits pinned in the options are kept', async () => {
    ex = await startLocalBinance({ limits: { spotWeightPerMinute: 1234 } });
    seedMarkets(ex.engine);
    c = localConnector(ex, { limits: { spot: [{ kind: 'weight', interval: '1m', limit: 99 }] } });
    await c.instruments('SPOT');
    expect(c.rateLimits('SPOT')).toEqual([{ kind: 'weight', interval: '1m', limit: 99 }]);
  });
});
