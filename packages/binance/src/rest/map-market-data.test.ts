import { tickFigures } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { fixtureBody } from '../../test/fixtures/load.js';
import { parseBookTicker, parseDepth, parseServerTime, parseUmFundingRates, parseUmPremiumIndex } from './map-market-data.js';

const RECEIVED = 1766102400500;

describe('parseDepth', () => {
  it('Spot (documented): sequence = lastUpdateId, no event time', () => {
    expect(parseDepth('spot', 'LTCBTC', fixtureBody('spot/depth'), RECEIVED)).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'LTCBTC',
      sequence: 1027024,
      bids: [{ price: '4', qty: '431' }],
      asks: [{ price: '4.000002', qty: '12' }],
      receiveTime: RECEIVED,
    });
  });

  it('UM (documented): event time from E', () => {
    expect(parseDepth('um', 'BTCUSDT', fixtureBody('um/depth'), RECEIVED)).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      sequence: 1027024,
      bids: [{ price: '4', qty: '431' }],
      asks: [{ price: '4.000002', qty: '12' }],
      eventTime: 1589436922972,
      receiveTime: RECEIVED,
    });
  });

  it('fails loudly on a malformed level', () => {
    expect(() => parseDepth('spot', 'LTCBTC', { lastUpdateId: 1, bids: [['x', '1']], asks: [] }, RECEIVED)).toThrow(/bids/);
  });
});

describe('parseBookTicker', () => {
  it('Spot (documented): figures from tickFigures, event time = receive time', () => {
    const figures = tickFigures('4', '431', '4.000002', '9');
    expect(parseBookTicker('spot', fixtureBody('spot/book-ticker'), RECEIVED)).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'LTCBTC',
      bid: '4',
      bidQty: '431',
      ask: '4.000002',
      askQty: '9',
      mid: figures.mid,
      spread_bps: figures.spread_bps,
      depth_top1_usdt: figures.depth_top1_usdt,
      eventTime: RECEIVED,
      receiveTime: RECEIVED,
    });
    expect(figures.mid).toBe(4.000001);
    expect(figures.depth_top1_usdt).toBe(36.000009);
  });

  it('UM (documented): event time from time', () => {
    const tick = parseBookTicker('um', fixtureBody('um/book-ticker'), RECEIVED);
    expect([tick.market, tick.symbol, tick.eventTime, tick.receiveTime]).toEqual(['FUT', 'BTCUSDT', 1589437530011, RECEIVED]);
  });
});

describe('UM funding', () => {
  it('premiumIndex (documented) → MarkPriceTick', () => {
    expect(parseUmPremiumIndex(fixtureBody('um/premium-index'), RECEIVED)).toEqual({
      venue: 'binance',
      symbol: 'BTCUSDT',
      markPrice: '11793.63104562',
      indexPrice: '11781.8049597',
      fundingRate: '0.00038246',
      nextFundingTime: 1597392000000,
      eventTime: 1597370495002,
      receiveTime: RECEIVED,
    });
  });

  it('fundingRate history (documented + a 2026 row with rateType and empty markPrice)', () => {
    expect(parseUmFundingRates(fixtureBody('um/funding-rate'))).toEqual([
      { venue: 'binance', symbol: 'BTCUSDT', fundingTime: 1570608000000, rate: '-0.0375', markPrice: '34287.54619963' },
      { venue: 'binance', symbol: 'BTCUSDT', fundingTime: 1570636800000, rate: '0.0001', markPrice: '34287.54619963' },
      { venue: 'binance', symbol: 'BTCUSDT', fundingTime: 1570665600000, rate: '0.00005' },
    ]);
  });

  it('server time', () => {
    expect(parseServerTime({ serverTime: 1499827319559 })).toBe(1499827319559);
    expect(() => parseServerTime({ serverTime: '1499827319559' })).toThrow(/serverTime/);
  });
});
