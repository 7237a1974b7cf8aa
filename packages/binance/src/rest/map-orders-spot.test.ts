import { VenueError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { fixtureBody } from '../../test/fixtures/load.js';
import { parseSpotOrder, parseSpotOrderFills, parseSpotOrderList, parseSpotOrders } from './map-orders-spot.js';

describe('parseSpotOrder', () => {
  it('FULL answer: average price from the fills (they add up to executedQty)', () => {
    expect(parseSpotOrder(fixtureBody('spot/order-full'))).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'BTCUSDT',
      clientOrderId: '6gCrw2kRUAF9CvJDGP16IP',
      venueOrderId: '28',
      side: 'SELL',
      type: 'MARKET',
      postOnly: false,
      reduceOnly: false,
      qty: '10',
      filledQty: '10',
      avgPrice: '3998.3',
      status: 'FILLED',
      createdAt: 1507725176595,
      updatedAt: 1507725176595,
    });
  });

  it('RESULT answer: average price from cummulativeQuoteQty / executedQty', () => {
    const order = parseSpotOrder(fixtureBody('spot/order-result'));
    expect(order.avgPrice).toBe('1');
    expect(order.status).toBe('FILLED');
    expect(order.timeInForce).toBeUndefined();
    expect(order.price).toBeUndefined();
  });

  it('cancel answer: the order keeps its own client id (origClientOrderId), not the cancel id', () => {
    expect(parseSpotOrder(fixtureBody('spot/order-cancel'))).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'LTCBTC',
      clientOrderId: 'myOrder1',
      venueOrderId: '4',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
      price: '2',
      qty: '1',
      filledQty: '0',
      status: 'CANCELED',
      createdAt: 1684804350068,
      updatedAt: 1684804350068,
    });
  });

  it('query answer: time and updateTime; zero stopPrice on a LIMIT is dropped', () => {
    expect(parseSpotOrder(fixtureBody('spot/order-query'))).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'LTCBTC',
      clientOrderId: 'myOrder1',
      venueOrderId: '1',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
      price: '0.1',
      qty: '1',
      filledQty: '0',
      status: 'NEW',
      createdAt: 1499827319559,
      updatedAt: 1499827319559,
    });
  });

  it('an ACK answer lacks the order state and fails loudly', () => {
    try {
      parseSpotOrder(fixtureBody('spot/order-ack'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(VenueError);
      expect((err as VenueError).code).toBe('UNEXPECTED_RESPONSE');
      expect((err as VenueError).message).toContain('origQty');
    }
  });

  it('unknown statuses and types fail loudly; EXPIRED_IN_MATCH and PENDING_NEW map', () => {
    const body = fixtureBody('spot/order-query') as Record<string, unknown>;
    expect(() => parseSpotOrder({ ...body, status: 'WEIRD' })).toThrow(/unknown order status WEIRD/);
    expect(() => parseSpotOrder({ ...body, type: 'ICEBERG_X' })).toThrow(/unknown order type/);
    expect(parseSpotOrder({ ...body, status: 'EXPIRED_IN_MATCH' }).status).toBe('EXPIRED');
    expect(parseSpotOrder({ ...body, status: 'PENDING_NEW' }).status).toBe('NEW');
  });

  it('LIMIT_MAKER → post-only LIMIT with GTX', () => {
    const body = fixtureBody('spot/order-query') as Record<string, unknown>;
    const order = parseSpotOrder({ ...body, type: 'LIMIT_MAKER' });
    expect([order.type, order.postOnly, order.timeInForce]).toEqual(['LIMIT', true, 'GTX']);
  });
});

describe('parseSpotOrders and parseSpotOrderFills', () => {
  it('open orders', () => {
    const orders = parseSpotOrders(fixtureBody('spot/open-orders'));
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ symbol: 'LTCBTC', venueOrderId: '1', clientOrderId: 'myOrder1', status: 'NEW', price: '0.1', qty: '1' });
  });

  it('fills of a FULL answer', () => {
    const fills = parseSpotOrderFills(fixtureBody('spot/order-full'));
    expect(fills).toHaveLength(5);
    expect(fills[0]).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'BTCUSDT',
      tradeId: '56',
      venueOrderId: '28',
      clientOrderId: '6gCrw2kRUAF9CvJDGP16IP',
      side: 'SELL',
      price: '4000',
      qty: '1',
      fee: '4',
      feeAsset: 'USDT',
      isMaker: false,
      ts: 1507725176595,
    });
    expect(fills.map((f) => [f.tradeId, f.price, f.qty, f.fee])).toEqual([
      ['56', '4000', '1', '4'],
      ['57', '3999', '5', '19.995'],
      ['58', '3998', '2', '7.996'],
      ['59', '3997', '1', '3.997'],
      ['60', '3995', '1', '3.995'],
    ]);
    expect(parseSpotOrderFills(fixtureBody('spot/order-result'))).toEqual([]);
  });
});

describe('parseSpotOrderList', () => {
  it('placement answer (RESULT): stop-loss and take-profit legs', () => {
    expect(parseSpotOrderList(fixtureBody('spot/order-list-oco'))).toEqual({
      listId: '1',
      clientListId: 'lH1YDkuQKWiXVXHPSKYEIp',
      symbol: 'LTCBTC',
      status: 'EXECUTING',
      tp: {
        venue: 'binance',
        market: 'SPOT',
        symbol: 'LTCBTC',
        clientOrderId: 'NuMp0nVYnciDiFmVqfpBqK',
        venueOrderId: '11',
        side: 'SELL',
        type: 'LIMIT',
        timeInForce: 'GTX',
        postOnly: true,
        reduceOnly: false,
        price: '3',
        qty: '5',
        filledQty: '0',
        status: 'NEW',
        orderListId: '1',
        createdAt: 1710485608839,
        updatedAt: 1710485608839,
      },
      sl: {
        venue: 'binance',
        market: 'SPOT',
        symbol: 'LTCBTC',
        clientOrderId: '44nZvqpemY7sVYgPYbvPih',
        venueOrderId: '10',
        side: 'SELL',
        type: 'STOP_LIMIT',
        timeInForce: 'GTC',
        postOnly: false,
        reduceOnly: false,
        price: '1',
        stopPrice: '1',
        qty: '5',
        filledQty: '0',
        status: 'NEW',
        orderListId: '1',
        createdAt: 1710485608839,
        updatedAt: 1710485608839,
      },
    });
  });

  it('cancel answer: ALL_DONE, legs CANCELED with their own client ids', () => {
    const oco = parseSpotOrderList(fixtureBody('spot/order-list-cancel'));
    expect([oco.listId, oco.clientListId, oco.status]).toEqual(['0', 'C3wyj4WVEktd7u9aVBRXcN', 'ALL_DONE']);
    expect([oco.tp.clientOrderId, oco.tp.status, oco.tp.venueOrderId]).toEqual(['TXOvglzXuaubXAaENpaRCB', 'CANCELED', '3']);
    expect([oco.sl.clientOrderId, oco.sl.status, oco.sl.stopPrice]).toEqual(['pO9ufTiFGg3nw2fOdgeOXa', 'CANCELED', '1']);
  });

  it('fails loudly without order reports or with two stop legs', () => {
    const body = fixtureBody('spot/order-list-oco') as { orderReports?: Array<Record<string, unknown>> };
    expect(() => parseSpotOrderList({ ...body, orderReports: undefined })).toThrow(/orderReports/);
    const twoStops = structuredClone(body);
    twoStops.orderReports![1]!.type = 'STOP_LOSS';
    expect(() => parseSpotOrderList(twoStops)).toThrow(/one stop-loss leg and one take-profit leg/);
  });
});
