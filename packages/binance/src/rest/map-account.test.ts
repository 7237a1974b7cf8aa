import { UnsupportedError, VenueError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { fixtureBody } from '../../test/fixtures/load.js';
import {
  parseSpotBalances,
  parseSpotTrades,
  parseUmBalances,
  parseUmFundingIncome,
  parseUmLeverageResult,
  parseUmMarginTypeResult,
  parseUmPositions,
  parseUmSymbolConfigs,
  parseUmTrades,
} from './map-account.js';

describe('parseUmSymbolConfigs', () => {
  it('maps the documented row (and a constructed isolated one)', () => {
    const map = parseUmSymbolConfigs(fixtureBody('um/symbol-config'));
    expect([...map.entries()]).toEqual([
      ['BTCUSDT', { leverage: 21, marginType: 'CROSSED' }],
      ['ETHUSDT', { leverage: 10, marginType: 'ISOLATED' }],
    ]);
  });
});

describe('parseUmPositions', () => {
  it('documented one-way row; leverage and margin type inferred when no settings are given', () => {
    expect(parseUmPositions(fixtureBody('um/position-risk-v3'))).toEqual([
      {
        venue: 'binance',
        market: 'FUT',
        symbol: 'ADAUSDT',
        qty: '30',
        entryPrice: '0.385',
        markPrice: '0.4104759',
        unrealizedPnl: '0.764277',
        leverage: 20,
        marginType: 'CROSSED',
        updatedAt: 1720736417660,
      },
    ]);
  });

  it('settings from symbolConfig win; isolated margin and liquidation price; flat rows kept', () => {
    const settings = parseUmSymbolConfigs(fixtureBody('um/symbol-config'));
    settings.set('BTCUSDT', { leverage: 20, marginType: 'ISOLATED' });
    expect(parseUmPositions(fixtureBody('um/position-risk-v3-isolated'), settings)).toEqual([
      {
        venue: 'binance',
        market: 'FUT',
        symbol: 'BTCUSDT',
        qty: '-0.01',
        entryPrice: '87000',
        markPrice: '86500',
        unrealizedPnl: '5',
        leverage: 20,
        marginType: 'ISOLATED',
        isolatedMargin: '43.5',
        liquidationPrice: '90812.3456789',
        updatedAt: 1766102405000,
      },
      {
        venue: 'binance',
        market: 'FUT',
        symbol: 'ETHUSDT',
        qty: '0',
        entryPrice: '0',
        markPrice: '2950.12',
        unrealizedPnl: '0',
        leverage: 10,
        marginType: 'ISOLATED',
        isolatedMargin: '0',
        updatedAt: 0,
      },
    ]);
  });

  it('infers ISOLATED from isolatedWallet; a flat row without settings fails loudly', () => {
    const [btc] = parseUmPositions([(fixtureBody('um/position-risk-v3-isolated') as unknown[])[0]]);
    expect([btc!.leverage, btc!.marginType, btc!.isolatedMargin]).toEqual([20, 'ISOLATED', '43.5']);
    try {
      parseUmPositions(fixtureBody('um/position-risk-v3-isolated'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(VenueError);
      expect((err as VenueError).message).toContain('ETHUSDT: leverage and margin type unknown');
    }
  });

  it('refuses Hedge Mode rows (documented hedge example)', () => {
    expect(() => parseUmPositions(fixtureBody('um/position-risk-v3-hedge'))).toThrow(UnsupportedError);
  });
});

describe('balances', () => {
  it('UM balance v3: free = availableBalance, locked = balance − available', () => {
    expect(parseUmBalances(fixtureBody('um/balance-v3'))).toEqual([
      { venue: 'binance', market: 'FUT', asset: 'USDT', free: '23.72469206', locked: '122583.62668697' },
    ]);
    expect(parseUmBalances([{ asset: 'BNB', balance: '0', availableBalance: '0.00000000' }])).toEqual([]);
    expect(parseUmBalances([{ asset: 'USDT', balance: '10', availableBalance: '12.5' }])).toEqual([
      { venue: 'binance', market: 'FUT', asset: 'USDT', free: '12.5', locked: '0' },
    ]);
  });

  it('Spot account: documented balances', () => {
    expect(parseSpotBalances(fixtureBody('spot/account'))).toEqual([
      { venue: 'binance', market: 'SPOT', asset: 'BTC', free: '4723846.89208129', locked: '0' },
      { venue: 'binance', market: 'SPOT', asset: 'LTC', free: '4763368.68006011', locked: '0' },
    ]);
    expect(parseSpotBalances({ balances: [{ asset: 'ETH', free: '0.00000000', locked: '0.00000000' }] })).toEqual([]);
  });
});

describe('parseUmFundingIncome', () => {
  it('keeps FUNDING_FEE rows in USDT, signed amounts, oldest first', () => {
    expect(parseUmFundingIncome(fixtureBody('um/income'))).toEqual([
      { venue: 'binance', symbol: 'BTCUSDT', fundingTime: 1766131200000, amount: '0.0865', tranId: '9689322500' },
      { venue: 'binance', symbol: 'ETHUSDT', fundingTime: 1766131200000, amount: '-0.01234567', tranId: '9689322501' },
    ]);
    expect(parseUmFundingIncome(fixtureBody('um/income'), { asset: 'USDC' })).toEqual([
      { venue: 'binance', symbol: 'BTCUSDC', fundingTime: 1766131200000, amount: '0.005', tranId: '9689322502' },
    ]);
  });
});

describe('trades → fills', () => {
  it('Spot myTrades (documented): side from isBuyer; client id from the lookup, else the venue order id', () => {
    const fill = {
      venue: 'binance',
      market: 'SPOT',
      symbol: 'BNBBTC',
      tradeId: '28457',
      venueOrderId: '100234',
      clientOrderId: '100234',
      side: 'BUY',
      price: '4.000001',
      qty: '12',
      fee: '10.1',
      feeAsset: 'BNB',
      isMaker: false,
      ts: 1499865549590,
    };
    expect(parseSpotTrades(fixtureBody('spot/my-trades'))).toEqual([fill]);
    expect(parseSpotTrades(fixtureBody('spot/my-trades'), new Map([['100234', 'i9-entry-0']]))).toEqual([{ ...fill, clientOrderId: 'i9-entry-0' }]);
  });

  it('UM userTrades (documented)', () => {
    expect(parseUmTrades(fixtureBody('um/user-trades'), new Map([['25851813', 'i42-tk-0']]))).toEqual([
      {
        venue: 'binance',
        market: 'FUT',
        symbol: 'BTCUSDT',
        tradeId: '698759',
        venueOrderId: '25851813',
        clientOrderId: 'i42-tk-0',
        side: 'SELL',
        price: '7819.01',
        qty: '0.002',
        fee: '0.0781901',
        feeAsset: 'USDT',
        isMaker: false,
        ts: 1569514978020,
      },
    ]);
  });
});

describe('UM settings answers', () => {
  it('leverage and margin type (documented)', () => {
    expect(parseUmLeverageResult(fixtureBody('um/leverage'))).toEqual({ symbol: 'BTCUSDT', leverage: 21, maxNotionalValue: '1000000' });
    expect(parseUmMarginTypeResult(fixtureBody('um/margin-type'))).toBeUndefined();
    expect(() => parseUmMarginTypeResult({ code: 400, msg: 'nope' })).toThrow(/expected 200/);
  });
});
