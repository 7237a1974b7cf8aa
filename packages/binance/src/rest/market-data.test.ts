import { ValidationError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { buildBookTicker, buildDepth, buildExchangeInfo, buildServerTime, buildUmFundingRateHistory, buildUmPremiumIndex } from './market-data.js';

describe('market-data builders (public, unsigned)', () => {
  it('server time and exchange info per product', () => {
    expect(buildServerTime('spot')).toEqual({ method: 'GET', path: '/api/v3/time', params: {}, weight: 1, signed: false, kind: 'read', product: 'spot' });
    expect(buildServerTime('um')).toEqual({ method: 'GET', path: '/fapi/v1/time', params: {}, weight: 1, signed: false, kind: 'read', product: 'um' });
    expect(buildExchangeInfo('spot')).toEqual({ method: 'GET', path: '/api/v3/exchangeInfo', params: {}, weight: 20, signed: false, kind: 'read', product: 'spot' });
    expect(buildExchangeInfo('spot', 'BTCUSDT').params).toEqual({ symbol: 'BTCUSDT' });
    expect(buildExchangeInfo('um')).toEqual({ method: 'GET', path: '/fapi/v1/exchangeInfo', params: {}, weight: 1, signed: false, kind: 'read', product: 'um' });
    expect(() => buildExchangeInfo('um', 'BTCUSDT')).toThrow(ValidationError);
  });

  it('Spot depth: limit 1–5000 with the documented weight tiers', () => {
    expect(buildDepth('spot', 'BTCUSDT')).toEqual({
      method: 'GET',
      path: '/api/v3/depth',
      params: { symbol: 'BTCUSDT', limit: '100' },
      weight: 5,
      signed: false,
      kind: 'read',
      product: 'spot',
    });
    expect([101, 500, 501, 1000, 1001, 5000].map((l) => buildDepth('spot', 'BTCUSDT', l).weight)).toEqual([25, 25, 50, 50, 250, 250]);
    expect(() => buildDepth('spot', 'BTCUSDT', 5001)).toThrow(/limit/);
  });

  it('UM depth: only the valid limits, with their weights', () => {
    expect(buildDepth('um', 'BTCUSDT', 1000)).toEqual({
      method: 'GET',
      path: '/fapi/v1/depth',
      params: { symbol: 'BTCUSDT', limit: '1000' },
      weight: 20,
      signed: false,
      kind: 'read',
      product: 'um',
    });
    expect([5, 10, 20, 50, 100, 500].map((l) => buildDepth('um', 'BTCUSDT', l).weight)).toEqual([2, 2, 2, 2, 5, 10]);
    expect(() => buildDepth('um', 'BTCUSDT', 25)).toThrow(/one of 5, 10, 20, 50, 100, 500, 1000/);
  });

  it('book ticker, premium index, funding-rate history', () => {
    expect(buildBookTicker('spot', 'BTCUSDT')).toEqual({
      method: 'GET',
      path: '/api/v3/ticker/bookTicker',
      params: { symbol: 'BTCUSDT' },
      weight: 2,
      signed: false,
      kind: 'read',
      product: 'spot',
    });
    expect(buildBookTicker('um', 'BTCUSDT')).toMatchObject({ path: '/fapi/v1/ticker/bookTicker', weight: 2, product: 'um' });
    expect(buildUmPremiumIndex('BTCUSDT')).toEqual({
      method: 'GET',
      path: '/fapi/v1/premiumIndex',
      params: { symbol: 'BTCUSDT' },
      weight: 1,
      signed: false,
      kind: 'read',
      product: 'um',
    });
    expect(buildUmFundingRateHistory('BTCUSDT', { startTime: 1570608000000, endTime: 1570665600000, limit: 1000 })).toEqual({
      method: 'GET',
      path: '/fapi/v1/fundingRate',
      params: { symbol: 'BTCUSDT', startTime: '1570608000000', endTime: '1570665600000', limit: '1000' },
      weight: 1,
      signed: false,
      kind: 'read',
      product: 'um',
    });
    expect(() => buildUmFundingRateHistory('BTCUSDT', { limit: 0 })).toThrow(/limit/);
  });
});
