import { VenueError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { fixtureBody } from '../../test/fixtures/load.js';
import {
  averageFillPrice,
  mergeTriggeredOrder,
  parseUmAlgoCancel,
  parseUmAlgoOrder,
  parseUmAlgoOrders,
  parseUmOrder,
  parseUmOrders,
} from './map-orders-um.js';

describe('parseUmOrder', () => {
  it('documented new-order answer in its 2026 shape (no avgPrice/cumQuote): GTD reads as GTC', () => {
    expect(parseUmOrder(fixtureBody('um/order-new'))).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      clientOrderId: 'testOrder',
      venueOrderId: '22542179',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
      qty: '10',
      filledQty: '0',
      status: 'NEW',
      createdAt: 1566818724722,
      updatedAt: 1566818724722,
    });
  });

  it('post-only GTX resting order', () => {
    expect(parseUmOrder(fixtureBody('um/order-new-gtx'))).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      clientOrderId: 'i42-mk-0',
      venueOrderId: '4056738200',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      postOnly: true,
      reduceOnly: false,
      price: '87000.1',
      qty: '0.01',
      filledQty: '0',
      status: 'NEW',
      createdAt: 1766102400000,
      updatedAt: 1766102400000,
    });
  });

  it('MARKET RESULT answer: filled quantity from executedQty, no average price to compute', () => {
    const order = parseUmOrder(fixtureBody('um/order-new-market-result'));
    expect(order).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      clientOrderId: 'i42-tk-0',
      venueOrderId: '4056738221',
      side: 'SELL',
      type: 'MARKET',
      postOnly: false,
      reduceOnly: false,
      qty: '0.01',
      filledQty: '0.01',
      status: 'FILLED',
      createdAt: 1766102400123,
      updatedAt: 1766102400123,
    });
    expect(order.avgPrice).toBeUndefined();
  });

  it('query answer keeps avgPrice; cumQuote/executedQty is the fallback', () => {
    const body = fixtureBody('um/order-query-filled') as Record<string, unknown>;
    expect(parseUmOrder(body)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: '0.006', avgPrice: '87000.05', createdAt: 1766102400000, updatedAt: 1766102402500 });
    expect(parseUmOrder({ ...body, avgPrice: undefined }).avgPrice).toBe('87000.05');
    expect(parseUmOrder({ ...body, avgPrice: undefined, cumQuote: undefined, executedQty: undefined, cumQty: '0.006' }).avgPrice).toBeUndefined();
  });

  it('documented query answer: a legacy TRAILING_STOP_MARKET reads as STOP_MARKET with its trigger', () => {
    expect(parseUmOrder(fixtureBody('um/order-query'))).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      clientOrderId: 'abc',
      venueOrderId: '1917641',
      side: 'BUY',
      type: 'STOP_MARKET',
      postOnly: false,
      reduceOnly: false,
      stopPrice: '9300',
      workingType: 'CONTRACT_PRICE',
      qty: '0.4',
      filledQty: '0',
      status: 'NEW',
      createdAt: 1579276756075,
      updatedAt: 1579276756075,
    });
  });

  it('documented cancel answer (2026 shape)', () => {
    expect(parseUmOrder(fixtureBody('um/order-cancel'))).toMatchObject({
      clientOrderId: 'myOrder1',
      venueOrderId: '283194212',
      status: 'CANCELED',
      qty: '11',
      filledQty: '0',
      createdAt: 1571110484038,
    });
  });

  it('fails loudly on unknown values and missing fields', () => {
    const body = fixtureBody('um/order-new') as Record<string, unknown>;
    expect(() => parseUmOrder({ ...body, status: 'NEW_INSURANCE' })).toThrow(/unknown order status/);
    expect(() => parseUmOrder({ ...body, type: 'FOO' })).toThrow(/unknown order type FOO/);
    expect(() => parseUmOrder({ ...body, executedQty: undefined, cumQty: undefined })).toThrow(/executedQty/);
    expect(() => parseUmOrder({ ...body, origQty: 'ten' })).toThrow(VenueError);
  });

  it('open orders list', () => {
    expect(parseUmOrders(fixtureBody('um/open-orders')).map((o) => [o.venueOrderId, o.type, o.status])).toEqual([['1917641', 'STOP_MARKET', 'NEW']]);
  });

  it('averageFillPrice replaces the removed avgPrice', () => {
    expect(
      averageFillPrice([
        { price: '87000.1', qty: '0.004' },
        { price: '87000.3', qty: '0.006' },
      ])
    ).toBe('87000.22');
    expect(averageFillPrice([])).toBeUndefined();
  });
});

describe('parseUmAlgoOrder', () => {
  it('documented new-algo answer (TAKE_PROFIT → TAKE_PROFIT_LIMIT)', () => {
    expect(parseUmAlgoOrder(fixtureBody('um/algo-order-new'))).toEqual({
      algoStatus: 'NEW',
      order: {
        venue: 'binance',
        market: 'FUT',
        symbol: 'BNBUSDT',
        clientOrderId: '6B2I9XVcJpCjqPAJ4YoFX7',
        venueOrderId: '2146760',
        side: 'SELL',
        type: 'TAKE_PROFIT_LIMIT',
        timeInForce: 'GTC',
        postOnly: false,
        reduceOnly: false,
        price: '750',
        stopPrice: '750',
        workingType: 'CONTRACT_PRICE',
        qty: '0.01',
        filledQty: '0',
        status: 'NEW',
        createdAt: 1750485492076,
        updatedAt: 1750485492076,
      },
    });
  });

  it('reduce-only STOP_MARKET on MARK_PRICE', () => {
    expect(parseUmAlgoOrder(fixtureBody('um/algo-order-new-stop-market')).order).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      clientOrderId: 'i42-sl-0',
      venueOrderId: '3000000123',
      side: 'SELL',
      type: 'STOP_MARKET',
      postOnly: false,
      reduceOnly: true,
      stopPrice: '85000',
      workingType: 'MARK_PRICE',
      qty: '0.01',
      filledQty: '0',
      status: 'NEW',
      createdAt: 1766102403000,
      updatedAt: 1766102403000,
    });
  });

  it('documented query answer: CANCELED, empty actualOrderId left out', () => {
    const view = parseUmAlgoOrder(fixtureBody('um/algo-order-query'));
    expect(view.algoStatus).toBe('CANCELED');
    expect(view.order.status).toBe('CANCELED');
    expect(view.order.updatedAt).toBe(1750514545091);
    expect(view.actualOrderId).toBeUndefined();
  });

  it('maps every algo status; FINISHED counts the quantity as filled; unknown fails', () => {
    const body = fixtureBody('um/algo-order-query') as Record<string, unknown>;
    const statuses = ['NEW', 'TRIGGERING', 'TRIGGERED', 'FINISHED', 'CANCELED', 'REJECTED', 'EXPIRED'];
    expect(statuses.map((s) => parseUmAlgoOrder({ ...body, algoStatus: s }).order.status)).toEqual([
      'NEW',
      'NEW',
      'NEW',
      'FILLED',
      'CANCELED',
      'REJECTED',
      'EXPIRED',
    ]);
    expect(parseUmAlgoOrder({ ...body, algoStatus: 'FINISHED' }).order.filledQty).toBe('0.01');
    expect(() => parseUmAlgoOrder({ ...body, algoStatus: 'PAUSED' })).toThrow(/unknown algo status PAUSED/);
  });

  it('merges a triggered algo order with the order it created', () => {
    const body = fixtureBody('um/algo-order-new-stop-market') as Record<string, unknown>;
    const view = parseUmAlgoOrder({ ...body, algoStatus: 'TRIGGERED', actualOrderId: 4056739000, updateTime: 1766102500000 });
    expect(view.actualOrderId).toBe('4056739000');
    const triggered = parseUmOrder({
      ...(fixtureBody('um/order-new-market-result') as Record<string, unknown>),
      orderId: 4056739000,
      clientOrderId: 'autoclose-x',
      updateTime: 1766102500100,
      avgPrice: '84990.00',
    });
    expect(mergeTriggeredOrder(view, triggered)).toEqual({
      ...view.order,
      status: 'FILLED',
      filledQty: '0.01',
      avgPrice: '84990',
      updatedAt: 1766102500100,
    });
    expect(() => mergeTriggeredOrder(view, { ...triggered, venueOrderId: '1' })).toThrow(/not the one triggered/);
  });

  it('open algo orders and the cancel answer', () => {
    expect(parseUmAlgoOrders(fixtureBody('um/open-algo-orders')).map((v) => [v.order.venueOrderId, v.order.clientOrderId, v.order.status])).toEqual([
      ['2148627', 'MRumok0dkhrP4kCm12AHaB', 'NEW'],
    ]);
    expect(parseUmAlgoCancel(fixtureBody('um/algo-order-cancel'))).toEqual({ algoId: '2146760', clientAlgoId: '6B2I9XVcJpCjqPAJ4YoFX7' });
    expect(() => parseUmAlgoCancel({ algoId: 1, clientAlgoId: 'x', code: '500', msg: 'fail' })).toThrow(/expected 200/);
  });
});
