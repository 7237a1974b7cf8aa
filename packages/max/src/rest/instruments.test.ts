import { roundQty, ValidationError, VenueError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { restFixture } from '../../test/fixtures/load.js';
import { fromMaxMarket, MaxSymbols, parseMarkets, precisionToStep, splitMaxMarket, toMaxMarket } from './instruments.js';

describe('precisionToStep', () => {
  it('turns decimals into a grid step, negative precision into multiples of ten', () => {
    expect([8, 3, 1, 0, -1, -3].map(precisionToStep)).toEqual(['0.00000001', '0.001', '0.1', '1', '10', '1000']);
    expect(() => precisionToStep(1.5)).toThrow(ValidationError);
    expect(() => precisionToStep(31)).toThrow(/INVALID_PRECISION/);
  });
});

describe('parseMarkets (fixture: node SDK markets.json rows)', () => {
  const instruments = parseMarkets(restFixture('markets').response);

  it('maps every row to a SPOT instrument with tick, step, minimums and status', () => {
    expect(instruments.map((i) => [i.symbol, i.base, i.quote, i.tickSize, i.stepSize, i.minQty, i.minNotional, i.status])).toEqual([
      ['BTCTWD', 'BTC', 'TWD', '0.1', '0.00000001', '0.0001', '250', 'TRADING'],
      ['USDTTWD', 'USDT', 'TWD', '0.001', '0.01', '8', '250', 'TRADING'],
      ['BTCUSDT', 'BTC', 'USDT', '0.01', '0.000001', '0.0001', '8', 'TRADING'],
      ['YFITWD', 'YFI', 'TWD', '1', '0.00001', '0.0001', '250', 'TRADING'],
      ['DOGEUSDT', 'DOGE', 'USDT', '0.0001', '1', '2', '8', 'TRADING'],
      ['SHIBTWD', 'SHIB', 'TWD', '0.0000001', '1000', '1000', '250', 'TRADING'],
    ]);
  });

  it('gives the full core instrument', () => {
    expect(instruments[1]).toEqual({
      venue: 'max',
      market: 'SPOT',
      symbol: 'USDTTWD',
      base: 'USDT',
      quote: 'TWD',
      status: 'TRADING',
      tickSize: '0.001',
      stepSize: '0.01',
      minQty: '8',
      minNotional: '250',
      gridFromMin: false,
      leverageBrackets: [],
    });
  });

  it('negative precision rounds quantities to thousands with the core rounding', () => {
    const shib = instruments[5]!;
    expect(roundQty('123456', shib.stepSize)).toBe('123000');
  });

  it('maps cancel-only, suspended and unknown statuses to HALTED', () => {
    expect(parseMarkets(restFixture('markets-statuses').response).map((i) => [i.symbol, i.status])).toEqual([
      ['ETHTWD', 'HALTED'],
      ['LTCTWD', 'HALTED'],
      ['XRPTWD', 'HALTED'],
    ]);
  });

  it('fails loudly on another shape', () => {
    expect(() => parseMarkets([{ id: 'btctwd' }])).toThrow(VenueError);
    expect(() => parseMarkets({})).toThrow(/UNEXPECTED_RESPONSE/);
  });
});

describe('symbol mapping', () => {
  it('maps core symbols to MAX market ids and back', () => {
    expect(toMaxMarket('BTCUSDT')).toBe('btcusdt');
    expect(fromMaxMarket('btcusdt')).toBe('BTCUSDT');
    expect(() => toMaxMarket('btcusdt')).toThrow(/INVALID_SYMBOL/);
    expect(() => fromMaxMarket('BTC/USDT')).toThrow(VenueError);
  });

  it('splits a market id by its quote suffix', () => {
    expect(splitMaxMarket('btcusdt')).toEqual({ base: 'btc', quote: 'usdt' });
    expect(splitMaxMarket('usdttwd')).toEqual({ base: 'usdt', quote: 'twd' });
    expect(splitMaxMarket('ethbtc')).toEqual({ base: 'eth', quote: 'btc' });
    expect(splitMaxMarket('usdt')).toBeUndefined();
    expect(splitMaxMarket('abcxyz')).toBeUndefined();
  });

  it('MaxSymbols knows the listed markets and their units', () => {
    const symbols = new MaxSymbols(parseMarkets(restFixture('markets').response));
    expect(symbols.size).toBe(6);
    expect(symbols.marketOf('USDTTWD')).toBe('usdttwd');
    expect(symbols.symbolOf('btcusdt')).toBe('BTCUSDT');
    expect(symbols.unitsOf('SHIBTWD')).toEqual({ base: 'SHIB', quote: 'TWD' });
    expect(symbols.marketOf('ETHTWD')).toBeUndefined();
    expect(symbols.symbolOf('ethtwd')).toBeUndefined();
    expect(symbols.instrument('BTCTWD')?.tickSize).toBe('0.1');
  });
});
