import { tickFigures, VenueError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { restFixture } from '../../test/fixtures/load.js';
import {
  parseBalances,
  parseCancelAll,
  parseCancelResult,
  parseDepth,
  parseKlines,
  parseOrder,
  parseOrders,
  parsePublicTrades,
  parseServerTime,
  parseTicker,
  parseTickers,
  parseTrades,
  toMarketTick,
} from './mappers.js';

const RECEIVED = 1_728_011_558_250;
const response = (name: string): unknown => restFixture(name).response;

describe('parseServerTime', () => {
  it('reads seconds as epoch ms', () => {
    expect(parseServerTime(response('timestamp'))).toBe(1_728_011_557_000);
    expect(parseServerTime(1_728_011_557)).toBe(1_728_011_557_000);
    expect(() => parseServerTime({ time: 1 })).toThrow(VenueError);
  });
});

describe('orders', () => {
  it('maps the submit answer (documented example): a resting limit buy without client_oid', () => {
    expect(parseOrder(response('submit-order'))).toEqual({
      venue: 'max',
      market: 'SPOT',
      symbol: 'BTCTWD',
      clientOrderId: 'max:1234567890',
      venueOrderId: '1234567890',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
      price: '30000',
      qty: '0.01',
      filledQty: '0',
      status: 'NEW',
      createdAt: 1_728_011_555_080,
      updatedAt: 1_728_011_555_080,
    });
  });

  it('maps the closed-orders example: states, market orders without price, stop prices, average prices', () => {
    const orders = parseOrders(response('orders-closed'));
    expect(orders.map((o) => [o.side, o.type, o.status, o.price, o.stopPrice, o.avgPrice, o.qty, o.filledQty, o.createdAt, o.updatedAt])).toEqual([
      ['BUY', 'LIMIT', 'CANCELED', '30000', undefined, undefined, '0.01', '0', 1728011504040, 1728011504663],
      ['BUY', 'MARKET', 'FILLED', undefined, undefined, '1954200', '0.001', '0.001', 1724131182605, 1724131182702],
      ['SELL', 'LIMIT', 'FILLED', '1954221.6', undefined, '1954200', '0.001', '0.001', 1724131162899, 1724131182689],
      ['SELL', 'STOP_LIMIT', 'FILLED', '2037111', '2037222', '2037100', '0.001', '0.001', 1714373853999, 1714394895607],
      ['BUY', 'LIMIT', 'CANCELED', '2031836.8', undefined, '2031746.031746031746031746031746032', '0.001', '0.0005355', 1714373662878, 1714447221939],
      ['SELL', 'MARKET', 'FILLED', undefined, undefined, '2112833.333333333333333333333333333', '0.0006', '0.0006', 1722580094401, 1722580094547],
    ]);
    expect(orders[1]?.timeInForce).toBeUndefined();
  });

  const order = (over: Record<string, unknown>): unknown => ({ ...(response('submit-order') as object), ...over });

  it('maps every state: wait/convert/finalizing stay open, done splits by what executed, failed is rejected', () => {
    const status = (state: string, executed: string, remaining: string): string =>
      parseOrder(order({ state, executed_volume: executed, remaining_volume: remaining })).status;
    expect(status('wait', '0.0', '0.01')).toBe('NEW');
    expect(status('wait', '0.004', '0.006')).toBe('PARTIALLY_FILLED');
    expect(status('convert', '0.0', '0.01')).toBe('NEW');
    expect(status('finalizing', '0.01', '0.0')).toBe('PARTIALLY_FILLED');
    expect(status('done', '0.01', '0.0')).toBe('FILLED');
    expect(status('done', '0.004', '0.006')).toBe('EXPIRED');
    expect(status('done', '0.0', '0.01')).toBe('CANCELED');
    expect(status('cancel', '0.004', '0.006')).toBe('CANCELED');
    expect(status('failed', '0.0', '0.01')).toBe('REJECTED');
    expect(() => status('exploded', '0', '0')).toThrow(/unknown MAX order state "exploded"/);
  });

  it('maps every ord_type and keeps a client_oid', () => {
    const kind = (ord_type: string): unknown => {
      const o = parseOrder(order({ ord_type, client_oid: 'abc-1', stop_price: ord_type.startsWith('stop') ? '29000.0' : null }));
      return [o.type, o.timeInForce, o.postOnly, o.price, o.stopPrice, o.clientOrderId];
    };
    expect(kind('limit')).toEqual(['LIMIT', 'GTC', false, '30000', undefined, 'abc-1']);
    expect(kind('post_only')).toEqual(['LIMIT', 'GTX', true, '30000', undefined, 'abc-1']);
    expect(kind('ioc_limit')).toEqual(['LIMIT', 'IOC', false, '30000', undefined, 'abc-1']);
    expect(kind('market')).toEqual(['MARKET', undefined, false, undefined, undefined, 'abc-1']);
    expect(kind('stop_limit')).toEqual(['STOP_LIMIT', 'GTC', false, '30000', '29000', 'abc-1']);
    expect(kind('stop_market')).toEqual(['STOP_MARKET', undefined, false, undefined, '29000', 'abc-1']);
    expect(() => kind('twap')).toThrow(/unknown MAX order type/);
    expect(() => parseOrder(order({ side: 'up' }))).toThrow(/unknown MAX side/);
  });

  it('reads v2-style second timestamps as ms, and a missing updated_at as created_at', () => {
    const o = parseOrder(order({ created_at: 1_728_011_555, updated_at: null }));
    expect([o.createdAt, o.updatedAt]).toEqual([1_728_011_555_000, 1_728_011_555_000]);
  });

  it('fails loudly on another shape', () => {
    expect(() => parseOrder({ id: 1 })).toThrow(/UNEXPECTED_RESPONSE/);
  });
});

describe('cancels', () => {
  it('reads {success: true}, and refuses success false', () => {
    expect(parseCancelResult(response('cancel'))).toBe(true);
    expect(() => parseCancelResult({ success: false })).toThrow(/CANCEL_REJECTED/);
  });

  it('reads the cancel-all shapes: {error, order} (fixture), {success}, bare orders', () => {
    const fromFixture = parseCancelAll(response('cancel-all'));
    expect(fromFixture.errors).toEqual([]);
    expect(fromFixture.acknowledged).toBe(0);
    expect(fromFixture.orders.map((o) => [o.venueOrderId, o.status])).toEqual([['1234567890', 'NEW']]);
    expect(parseCancelAll([{ success: true }, { success: true }])).toEqual({ orders: [], errors: [], acknowledged: 2 });
    const mixed = parseCancelAll([response('submit-order'), { error: 'order is done', order: null }]);
    expect(mixed.orders).toHaveLength(1);
    expect(mixed.errors).toEqual(['order is done']);
  });
});

describe('trades → fills', () => {
  it('maps the account trades with a client order id for their order (built fixture)', () => {
    expect(parseTrades(response('order-trades'), { clientOrderId: 'abc-1' })).toEqual([
      {
        venue: 'max',
        market: 'SPOT',
        symbol: 'ETHTWD',
        tradeId: '68444',
        venueOrderId: '3253823664',
        clientOrderId: 'abc-1',
        side: 'BUY',
        price: '21499',
        qty: '0.2658',
        fee: '3.2',
        feeAsset: 'TWD',
        isMaker: true,
        ts: 1_659_216_053_748,
      },
      {
        venue: 'max',
        market: 'SPOT',
        symbol: 'ETHTWD',
        tradeId: '68445',
        venueOrderId: '3253823700',
        clientOrderId: 'abc-1',
        side: 'SELL',
        price: '21500',
        qty: '0.1',
        fee: '0.0001',
        feeAsset: 'ETH',
        isMaker: false,
        ts: 1_659_216_060_000,
      },
    ]);
  });

  it('splits each self-trade (documented example) into an ask fill and a bid fill', () => {
    const fills = parseTrades(response('spot-trades'), { clientOrderId: (id) => (id === '2326112321' ? 'mine-bid' : undefined) });
    expect(fills.map((f) => [f.tradeId, f.venueOrderId, f.clientOrderId, f.side, f.price, f.qty, f.fee, f.feeAsset, f.isMaker, f.ts])).toEqual([
      ['12345621-ask', '123456789', 'max:123456789', 'SELL', '1954221.6', '0.001', '0.04098786', 'MAX', true, 1724131182652],
      ['12345621-bid', '2326112321', 'mine-bid', 'BUY', '1954221.6', '0.001', '0.13690886', 'MAX', false, 1724131182652],
      ['12345620-ask', '123456780', 'max:123456780', 'SELL', '1939044.4', '0.001', '0.13557048', 'MAX', false, 1724131174827],
      ['12345620-bid', '2326112007', 'max:2326112007', 'BUY', '1939044.4', '0.001', '0.04105453', 'MAX', true, 1724131174827],
    ]);
  });

  it('a missing fee reads as 0 in the quote currency', () => {
    const [fill] = parseTrades([{ id: 1, order_id: 2, market: 'btcusdt', side: 'ask', price: '1', volume: '2', fee: null, fee_currency: null, created_at: 1_700_000_000_000 }]);
    expect([fill?.fee, fill?.feeAsset, fill?.isMaker]).toEqual(['0', 'USDT', false]);
    expect(() => parseTrades([{ id: 1, order_id: 2, market: 'abcxyz', side: 'ask', price: '1', volume: '2', created_at: 1 }])).toThrow(/fee_currency/);
  });
});

describe('balances', () => {
  it('maps balance to free and locked to locked; staked is left out', () => {
    expect(parseBalances(response('spot-accounts'))).toEqual([
      { venue: 'max', market: 'SPOT', asset: 'TWD', free: '558023980.20030641', locked: '6469092' },
      { venue: 'max', market: 'SPOT', asset: 'BTC', free: '4739.24964425', locked: '0.01003' },
      { venue: 'max', market: 'SPOT', asset: 'ETH', free: '7114.84243169', locked: '0.4023' },
      { venue: 'max', market: 'SPOT', asset: 'USDT', free: '6353272.5166938', locked: '304.90396835' },
    ]);
  });
});

describe('depth', () => {
  it('sorts the documented example (both sides highest first) into bids desc / asks asc', () => {
    const book = parseDepth('BTCTWD', response('depth'), RECEIVED);
    expect(book.sequence).toBe(208377);
    expect(book.version).toBe(1727932531262);
    expect(book.eventTime).toBe(1_728_011_558_000);
    expect(book.receiveTime).toBe(RECEIVED);
    expect(book.bids.slice(0, 2)).toEqual([
      { price: '1952078', qty: '0.02049401' },
      { price: '1944269.7', qty: '0.49105105' },
    ]);
    expect(book.asks.map((l) => l.price)).toEqual([
      '1965418.4',
      '1966084.8',
      '1966666.6',
      '1968817',
      '1976692.2',
      '1978895',
      '1981634.3',
      '1982522.8',
      '1983853.2',
      '1984599',
    ]);
    expect(book.asks[0]).toEqual({ price: '1965418.4', qty: '0.00097219' });
    expect(book.bids).toHaveLength(10);
  });

  it('sorts whatever order comes and drops zero levels', () => {
    const book = parseDepth('BTCTWD', { asks: [['3', '1'], ['1', '1'], ['2', '0']], bids: [['0.5', '1'], ['0.9', '2']] }, 5);
    expect(book.asks).toEqual([
      { price: '1', qty: '1' },
      { price: '3', qty: '1' },
    ]);
    expect(book.bids.map((l) => l.price)).toEqual(['0.9', '0.5']);
    expect([book.sequence, book.version, book.eventTime]).toEqual([0, 0, undefined]);
  });
});

describe('tickers', () => {
  it('maps the documented ticker: buy/sell are the top of book, at is seconds', () => {
    expect(parseTicker(response('ticker'), RECEIVED)).toEqual({
      venue: 'max',
      market: 'SPOT',
      symbol: 'BTCTWD',
      bid: '1952078',
      bidQty: '0.02049401',
      ask: '1965418.4',
      askQty: '0.00097219',
      ...tickFigures('1952078', '0.02049401', '1965418.4', '0.00097219'),
      eventTime: 1_728_011_558_000,
      receiveTime: RECEIVED,
    });
    expect(parseTicker(response('ticker'), RECEIVED).mid).toBe(1958748.2);
  });

  it('maps the tickers list and leaves out one-sided markets', () => {
    expect(parseTickers(response('tickers'), RECEIVED).map((t) => [t.symbol, t.bid, t.ask])).toEqual([
      ['BTCTWD', '1952078', '1965418.4'],
      ['ETHTWD', '75655.8', '76274.4'],
    ]);
    const oneSided = { market: 'abctwd', at: 1, buy: null, buy_vol: null, sell: '5', sell_vol: '1' };
    expect(parseTickers([oneSided], RECEIVED)).toEqual([]);
    expect(() => parseTicker(oneSided, RECEIVED)).toThrow(/NO_TOP_OF_BOOK/);
  });

  it('toMarketTick normalises any top of book', () => {
    const tick = toMarketTick({ symbol: 'USDTTWD', bid: '32.1', bidQty: '100', ask: '32.2', askQty: '50', eventTime: 1, receiveTime: 2 });
    expect([tick.mid, tick.depth_top1_usdt]).toEqual([32.150000000000006, 1607.5000000000002]);
  });
});

describe('public trades and k-lines', () => {
  it('maps public trades (newest first); side is the taker side', () => {
    expect(parsePublicTrades(response('public-trades'), RECEIVED)).toEqual([
      { venue: 'max', market: 'SPOT', symbol: 'BTCTWD', tradeId: '1', price: '1944444.4', qty: '0.00012858', takerSide: 'SELL', eventTime: 1728002708549, receiveTime: RECEIVED },
      { venue: 'max', market: 'SPOT', symbol: 'BTCTWD', tradeId: '2', price: '1944444.4', qty: '0.00010297', takerSide: 'SELL', eventTime: 1728002708514, receiveTime: RECEIVED },
      { venue: 'max', market: 'SPOT', symbol: 'BTCTWD', tradeId: '5', price: '1944444.4', qty: '0.00032384', takerSide: 'BUY', eventTime: 1727961408139, receiveTime: RECEIVED },
      { venue: 'max', market: 'SPOT', symbol: 'BTCTWD', tradeId: '6', price: '1949202.6', qty: '0.00097219', takerSide: 'BUY', eventTime: 1727944604484, receiveTime: RECEIVED },
    ]);
  });

  it('maps k-lines: seconds → ms, JSON numbers → exact decimals', () => {
    expect(parseKlines(response('kline'))).toEqual([
      { openTime: 1728010920000, open: '1944444.4', high: '1944444.4', low: '1944444.4', close: '1944444.4', volume: '0' },
      { openTime: 1728010980000, open: '1944444.4', high: '1944444.4', low: '1944444.4', close: '1944444.4', volume: '0' },
      { openTime: 1728011040000, open: '1944444.4', high: '1944444.4', low: '1944444.4', close: '1944444.4', volume: '0' },
    ]);
    expect(parseKlines([[1, 0.1, 0.3, 0.05, 0.2, 1e-7]])).toEqual([{ openTime: 1000, open: '0.1', high: '0.3', low: '0.05', close: '0.2', volume: '0.0000001' }]);
  });
});
