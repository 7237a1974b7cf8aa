import { UnsupportedError, ValidationError, type OrderRequest } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import {
  balancesRequest,
  cancelAllOrdersRequest,
  cancelOrderRequest,
  closedOrdersRequest,
  depthRequest,
  klineRequest,
  marketsRequest,
  maxOrderType,
  myTradesRequest,
  openOrdersRequest,
  orderHistoryRequest,
  orderRequest,
  orderTradesRequest,
  publicTradesRequest,
  serverTimeRequest,
  submitOrderRequest,
  tickerRequest,
  tickersRequest,
  userInfoRequest,
} from './requests.js';

const base: OrderRequest = {
  market: 'SPOT',
  symbol: 'BTCTWD',
  side: 'BUY',
  type: 'LIMIT',
  qty: '0.01',
  price: '30000',
  postOnly: false,
  reduceOnly: false,
  clientOrderId: 'intent-1-AbCdEfGhIj-mk-0',
};

describe('submitOrderRequest', () => {
  it('spells a limit order the way MAX expects', () => {
    expect(submitOrderRequest(base, { groupId: 42 })).toEqual({
      method: 'POST',
      path: '/api/v3/wallet/spot/order',
      params: {
        market: 'btctwd',
        side: 'buy',
        volume: '0.01',
        price: '30000',
        stop_price: undefined,
        ord_type: 'limit',
        client_oid: 'intent-1-AbCdEfGhIj-mk-0',
        group_id: 42,
      },
      signed: true,
      kind: 'write',
    });
  });

  it('maps every order kind MAX offers to its ord_type', () => {
    const params = (o: Partial<OrderRequest>): Record<string, unknown> => ({ ...submitOrderRequest({ ...base, ...o }).params });
    expect(params({ postOnly: true })).toMatchObject({ ord_type: 'post_only', price: '30000' });
    expect(params({ timeInForce: 'GTX' })).toMatchObject({ ord_type: 'post_only' });
    expect(params({ timeInForce: 'IOC' })).toMatchObject({ ord_type: 'ioc_limit' });
    expect(params({ timeInForce: 'GTC' })).toMatchObject({ ord_type: 'limit' });
    expect(params({ type: 'MARKET', price: undefined, side: 'SELL' })).toEqual({
      market: 'btctwd',
      side: 'sell',
      volume: '0.01',
      price: undefined,
      stop_price: undefined,
      ord_type: 'market',
      client_oid: 'intent-1-AbCdEfGhIj-mk-0',
      group_id: undefined,
    });
    expect(params({ type: 'STOP_LIMIT', stopPrice: '29000' })).toMatchObject({ ord_type: 'stop_limit', price: '30000', stop_price: '29000' });
    expect(params({ type: 'STOP_MARKET', price: undefined, stopPrice: '29000' })).toMatchObject({
      ord_type: 'stop_market',
      price: undefined,
      stop_price: '29000',
    });
  });

  it('refuses what MAX spot does not offer', () => {
    expect(() => submitOrderRequest({ ...base, timeInForce: 'FOK' })).toThrow(UnsupportedError);
    expect(() => submitOrderRequest({ ...base, reduceOnly: true })).toThrow(/reduce-only/);
    expect(() => submitOrderRequest({ ...base, market: 'FUT' })).toThrow(/spot only/);
    expect(() => submitOrderRequest({ ...base, type: 'TAKE_PROFIT_MARKET', stopPrice: '1' })).toThrow(UnsupportedError);
    expect(() => submitOrderRequest({ ...base, type: 'MARKET', price: undefined, postOnly: true })).toThrow(UnsupportedError);
    expect(() => submitOrderRequest({ ...base, postOnly: true, timeInForce: 'IOC' })).toThrow(UnsupportedError);
    expect(() => maxOrderType({ type: 'STOP_LIMIT', timeInForce: 'IOC' })).toThrow(/IOC stop-limit/);
  });

  it('validates prices, quantities, ids and group ids', () => {
    expect(() => submitOrderRequest({ ...base, price: undefined })).toThrow(ValidationError);
    expect(() => submitOrderRequest({ ...base, qty: '0' })).toThrow(/qty: expected a positive decimal string/);
    expect(() => submitOrderRequest({ ...base, qty: '1e-3' })).toThrow(/qty/);
    expect(() => submitOrderRequest({ ...base, type: 'MARKET' })).toThrow(/price: must be absent for market orders/);
    expect(() => submitOrderRequest({ ...base, stopPrice: '1' })).toThrow(/stopPrice: must be absent/);
    expect(() => submitOrderRequest({ ...base, type: 'STOP_LIMIT' })).toThrow(/stopPrice: expected a positive decimal/);
    expect(() => submitOrderRequest({ ...base, clientOrderId: 'x'.repeat(37) })).toThrow(/INVALID_CLIENT_ORDER_ID/);
    expect(() => submitOrderRequest({ ...base, clientOrderId: 'a b' })).toThrow(/INVALID_CLIENT_ORDER_ID/);
    expect(submitOrderRequest({ ...base, clientOrderId: 'x'.repeat(36) }).params.client_oid).toBe('x'.repeat(36));
    expect(() => submitOrderRequest(base, { groupId: 0 })).toThrow(/groupId/);
    expect(() => submitOrderRequest(base, { groupId: 2 ** 31 })).toThrow(/groupId/);
    expect(() => submitOrderRequest({ ...base, symbol: 'btctwd' })).toThrow(/INVALID_SYMBOL/);
  });
});

describe('order queries and cancels', () => {
  it('cancel by id (a JSON number) or by client_oid', () => {
    expect(cancelOrderRequest({ venueOrderId: '1234567890' })).toEqual({
      method: 'DELETE',
      path: '/api/v3/order',
      params: { id: 1234567890 },
      signed: true,
      kind: 'write',
    });
    expect(cancelOrderRequest({ clientOrderId: 'abc-1' }).params).toEqual({ client_oid: 'abc-1' });
    expect(() => cancelOrderRequest({ venueOrderId: 'abc' })).toThrow(/venueOrderId/);
    expect(() => cancelOrderRequest({ venueOrderId: '99999999999999999999' })).toThrow(/venueOrderId/);
  });

  it('order by client_oid is a signed read of /api/v3/order; its trades use order_id', () => {
    expect(orderRequest({ clientOrderId: 'abc-1' })).toEqual({
      method: 'GET',
      path: '/api/v3/order',
      params: { client_oid: 'abc-1' },
      signed: true,
      kind: 'read',
    });
    expect(orderTradesRequest({ venueOrderId: '42' }).params).toEqual({ order_id: 42 });
    expect(orderTradesRequest({ clientOrderId: 'abc-1' }).path).toBe('/api/v3/order/trades');
  });

  it('cancel all, open/closed/history lists, trades, balances, info', () => {
    expect(cancelAllOrdersRequest({ symbol: 'BTCTWD', side: 'SELL', groupId: 7 })).toEqual({
      method: 'DELETE',
      path: '/api/v3/wallet/spot/orders',
      params: { market: 'btctwd', side: 'sell', group_id: 7 },
      signed: true,
      kind: 'write',
    });
    expect(openOrdersRequest({ symbol: 'BTCTWD', limit: 100, orderBy: 'desc', timestamp: 1728011555080 })).toEqual({
      method: 'GET',
      path: '/api/v3/wallet/spot/orders/open',
      params: { market: 'btctwd', timestamp: 1728011555080, order_by: 'desc', limit: 100 },
      signed: true,
      kind: 'read',
    });
    expect(closedOrdersRequest().path).toBe('/api/v3/wallet/spot/orders/closed');
    expect(orderHistoryRequest('BTCTWD', { fromId: '10', limit: 1000 }).params).toEqual({ market: 'btctwd', from_id: 10, limit: 1000 });
    expect(myTradesRequest({ symbol: 'ETHTWD', order: 'asc', limit: 2 }).params).toEqual({
      market: 'ethtwd',
      timestamp: undefined,
      from_id: undefined,
      order: 'asc',
      limit: 2,
    });
    expect(balancesRequest('USDT')).toEqual({ method: 'GET', path: '/api/v3/wallet/spot/accounts', params: { currency: 'usdt' }, signed: true, kind: 'read' });
    expect(balancesRequest().params).toEqual({ currency: undefined });
    expect(userInfoRequest().path).toBe('/api/v3/info');
    expect(() => openOrdersRequest({ limit: 1001 })).toThrow(/limit/);
    expect(() => openOrdersRequest({ timestamp: -1 })).toThrow(/timestamp/);
  });
});

describe('public requests', () => {
  it('builds the public endpoints, unsigned', () => {
    expect(marketsRequest()).toEqual({ method: 'GET', path: '/api/v3/markets', params: {}, signed: false, kind: 'read' });
    expect(serverTimeRequest().path).toBe('/api/v3/timestamp');
    expect(tickerRequest('USDTTWD').params).toEqual({ market: 'usdttwd' });
    expect(tickersRequest(['BTCTWD', 'ETHTWD']).params).toEqual({ markets: ['btctwd', 'ethtwd'] });
    expect(depthRequest('BTCTWD', { limit: 300, sortByPrice: true }).params).toEqual({ market: 'btctwd', limit: 300, sort_by_price: true });
    expect(publicTradesRequest('BTCTWD', { limit: 1000 }).params).toEqual({ market: 'btctwd', timestamp: undefined, limit: 1000 });
    expect(klineRequest('BTCTWD', { periodMin: 60, limit: 10, timestampSec: 1728010920 })).toEqual({
      method: 'GET',
      path: '/api/v3/k',
      params: { market: 'btctwd', limit: 10, period: 60, timestamp: 1728010920 },
      signed: false,
      kind: 'read',
    });
  });

  it('validates limits and periods', () => {
    expect(() => tickersRequest([])).toThrow(/symbols/);
    expect(() => depthRequest('BTCTWD', { limit: 301 })).toThrow(/limit/);
    expect(() => klineRequest('BTCTWD', { periodMin: 2 })).toThrow(/periodMin/);
    expect(() => klineRequest('BTCTWD', { periodMin: 1, limit: 10001 })).toThrow(/limit/);
  });
});
