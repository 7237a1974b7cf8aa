import { prepareOrder, VenueError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { fixtureBody } from '../../test/fixtures/load.js';
import { parseSpotExchangeInfo, parseUmExchangeInfo, parseUmLeverageBrackets, withLeverageBrackets } from './instruments.js';

describe('parseSpotExchangeInfo', () => {
  it('maps the documented ETHBTC entry with its documented filters', () => {
    const [ethbtc] = parseSpotExchangeInfo(fixtureBody('spot/exchange-info'));
    expect(ethbtc).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'ETHBTC',
      base: 'ETH',
      quote: 'BTC',
      status: 'TRADING',
      tickSize: '0.000001',
      stepSize: '0.001',
      minQty: '0.001',
      maxQty: '100000',
      marketStepSize: '0.001',
      marketMinQty: '0.001',
      marketMaxQty: '100000',
      minPrice: '0.000001',
      maxPrice: '100000',
      minNotional: '10',
      maxNotional: '10000',
      gridFromMin: false,
      percentPrice: { multiplierUp: '1.2', multiplierDown: '0.8' },
      leverageBrackets: [],
    });
  });

  it('reads legacy MIN_NOTIONAL and PERCENT_PRICE, BREAK status, zero bounds as absent, and skips Unicode symbols', () => {
    const all = parseSpotExchangeInfo(fixtureBody('spot/exchange-info'));
    expect(all.map((i) => i.symbol)).toEqual(['ETHBTC', 'LTCBTC']);
    const ltc = all[1];
    expect(ltc).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'LTCBTC',
      base: 'LTC',
      quote: 'BTC',
      status: 'BREAK',
      tickSize: '0.000001',
      stepSize: '0.001',
      minQty: '0.001',
      maxQty: '100000',
      marketMaxQty: '5000',
      minPrice: '0.000001',
      minNotional: '0.001',
      gridFromMin: false,
      percentPrice: { multiplierUp: '1.3', multiplierDown: '0.7' },
      leverageBrackets: [],
    });
  });

  it('maps statuses conservatively', () => {
    const body = fixtureBody('spot/exchange-info') as { symbols: Array<{ status: string }> };
    const statuses = ['HALT', 'END_OF_DAY', 'CANCEL_ONLY', 'PRE_TRADING', 'SOMETHING_NEW'];
    const mapped = statuses.map((status) => {
      const copy = structuredClone(body);
      copy.symbols[0]!.status = status;
      return parseSpotExchangeInfo(copy)[0]!.status;
    });
    expect(mapped).toEqual(['HALTED', 'HALTED', 'HALTED', 'PRE_TRADING', 'HALTED']);
  });

  it('fails loudly on a changed payload', () => {
    expect(() => parseSpotExchangeInfo({ symbols: [{ symbol: 'ETHBTC' }] })).toThrow(VenueError);
    const body = fixtureBody('spot/exchange-info') as { symbols: Array<{ filters: Array<{ filterType: string }> }> };
    body.symbols[0]!.filters = body.symbols[0]!.filters.filter((f) => f.filterType !== 'LOT_SIZE');
    try {
      parseSpotExchangeInfo(body);
      expect.unreachable();
    } catch (err) {
      expect((err as VenueError).code).toBe('UNEXPECTED_RESPONSE');
      expect((err as VenueError).message).toContain('missing LOT_SIZE');
    }
  });
});

describe('parseUmExchangeInfo', () => {
  it('maps the documented BLZUSDT perpetual (notional field, multipliers, grid from min)', () => {
    const all = parseUmExchangeInfo(fixtureBody('um/exchange-info'));
    expect(all.map((i) => i.symbol)).toEqual(['BLZUSDT', 'ETHUSDT']);
    expect(all[0]).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BLZUSDT',
      base: 'BLZ',
      quote: 'USDT',
      status: 'TRADING',
      tickSize: '0.0001',
      stepSize: '1',
      minQty: '1',
      maxQty: '10000000',
      marketStepSize: '1',
      marketMinQty: '1',
      marketMaxQty: '590119',
      minPrice: '0.0001',
      maxPrice: '300',
      minNotional: '5',
      gridFromMin: true,
      percentPrice: { multiplierUp: '1.15', multiplierDown: '0.85' },
      leverageBrackets: [],
    });
    expect(all[1]!.status).toBe('HALTED');
    expect(all[1]!.minNotional).toBe('20');
  });

  it('gives prepareOrder what it needs: UM grids anchored at minPrice', () => {
    const eth = parseUmExchangeInfo(fixtureBody('um/exchange-info'))[1]!;
    // minPrice 39.86, tick 0.01: the grid is 39.86 + k·0.01, same as from zero here.
    expect(prepareOrder(eth, { type: 'LIMIT', side: 'BUY', qty: '0.0129', price: '3000.017' }, 'maker')).toEqual({ qty: '0.012', price: '3000.01' });
  });
});

describe('parseUmLeverageBrackets', () => {
  it('maps the documented array form, sorted by bracket, numbers read exactly', () => {
    const map = parseUmLeverageBrackets(fixtureBody('um/leverage-bracket'));
    expect([...map.keys()]).toEqual(['ETHUSDT']);
    expect(map.get('ETHUSDT')).toEqual([
      { bracket: 1, initialLeverage: 75, notionalFloor: '0', notionalCap: '10000', maintMarginRatio: '0.0065' },
      { bracket: 2, initialLeverage: 50, notionalFloor: '10000', notionalCap: '50000', maintMarginRatio: '0.01' },
      { bracket: 3, initialLeverage: 25, notionalFloor: '50000', notionalCap: '250000', maintMarginRatio: '0.02' },
    ]);
  });

  it('maps the single-object form (symbol sent) and attaches brackets to instruments', () => {
    const map = parseUmLeverageBrackets(fixtureBody('um/leverage-bracket-symbol'));
    expect(map.get('ETHUSDT')).toEqual([{ bracket: 1, initialLeverage: 75, notionalFloor: '0', notionalCap: '10000', maintMarginRatio: '0.0065' }]);
    const instruments = parseUmExchangeInfo(fixtureBody('um/exchange-info'));
    const attached = withLeverageBrackets(instruments, map);
    expect(attached[0]!.leverageBrackets).toEqual([]);
    expect(attached[1]!.leverageBrackets).toEqual(map.get('ETHUSDT'));
    expect(instruments[1]!.leverageBrackets).toEqual([]);
  });

  it('fails loudly on a changed payload', () => {
    expect(() => parseUmLeverageBrackets([{ symbol: 'X', brackets: [{ bracket: 1 }] }])).toThrow(/unexpected binance um leverageBracket payload/);
  });
});
