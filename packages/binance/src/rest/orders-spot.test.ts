import { FilterError, Instrument, OcoRequest, OrderRequest, UnsupportedError, ValidationError, type OrderRequestInput } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { fixtureBody } from '../../test/fixtures/load.js';
import { buildSpotAccount, buildSpotMyTrades } from './account-spot.js';
import { parseSpotExchangeInfo } from './instruments.js';
import {
  buildSpotCancelOrder,
  buildSpotCancelOrderList,
  buildSpotOpenOrders,
  buildSpotPlaceOco,
  buildSpotPlaceOrder,
  buildSpotQueryOrder,
  buildSpotQueryOrderList,
} from './orders-spot.js';
import { createSigner } from './signing.js';

// Binance's documented Spot example key (public, illustration only).
const signer = createSigner({
  apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
  secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
});
const TS = 1766102400000;

// BTCUSDT's Spot filters (PRICE_FILTER tick 0.01, LOT_SIZE step 0.00001, NOTIONAL min 5).
const BTCUSDT = Instrument.parse({
  venue: 'binance',
  market: 'SPOT',
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  status: 'TRADING',
  tickSize: '0.01',
  stepSize: '0.00001',
  minQty: '0.00001',
  maxQty: '9000',
  minPrice: '0.01',
  maxPrice: '1000000',
  minNotional: '5',
  maxNotional: '9000000',
  marketMaxQty: '76.5',
});

const order = (input: Partial<OrderRequestInput>): OrderRequest =>
  OrderRequest.parse({ market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', qty: '0.123456', price: '87000.123', clientOrderId: 'i42-entry-0', ...input });

describe('buildSpotPlaceOrder', () => {
  it('LIMIT GTC: rounded qty (down) and price (BUY down), exact params and signed query', () => {
    const req = buildSpotPlaceOrder(order({}), BTCUSDT);
    expect(req).toEqual({
      method: 'POST',
      path: '/api/v3/order',
      params: {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.12345',
        price: '87000.12',
        newClientOrderId: 'i42-entry-0',
        newOrderRespType: 'FULL',
      },
      weight: 1,
      orderCount: 1,
      signed: true,
      kind: 'write',
      product: 'spot',
    });
    // Expected signature computed independently: echo -n <payload> | openssl dgst -sha256 -hmac <secret>.
    expect(signer.signQuery(req.params, { product: req.product, timestamp: TS, recvWindow: 5000 })).toBe(
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.12345&price=87000.12&newClientOrderId=i42-entry-0' +
        '&newOrderRespType=FULL&recvWindow=5000&timestamp=1766102400000&signature=13f430430a921d0194ea6ffa78828bb976562f53b9600b2f7bf51cf8750b5d73'
    );
  });

  it('post-only → LIMIT_MAKER without timeInForce; SELL price rounds up', () => {
    const req = buildSpotPlaceOrder(order({ side: 'SELL', postOnly: true, price: '87000.121' }), BTCUSDT);
    expect(req.params).toEqual({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT_MAKER',
      quantity: '0.12345',
      price: '87000.13',
      newClientOrderId: 'i42-entry-0',
      newOrderRespType: 'FULL',
    });
    expect(buildSpotPlaceOrder(order({ timeInForce: 'GTX' }), BTCUSDT).params.type).toBe('LIMIT_MAKER');
  });

  it('IOC limit keeps its time in force', () => {
    expect(buildSpotPlaceOrder(order({ timeInForce: 'IOC' }), BTCUSDT).params.timeInForce).toBe('IOC');
  });

  it('MARKET: quantity only; the reference price checks the notional', () => {
    expect(buildSpotPlaceOrder(order({ type: 'MARKET', price: undefined, qty: '0.00123' }), BTCUSDT, { referencePrice: '87000' }).params).toEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.00123',
      newClientOrderId: 'i42-entry-0',
      newOrderRespType: 'FULL',
    });
    expect(() => buildSpotPlaceOrder(order({ type: 'MARKET', price: undefined, qty: '0.00005' }), BTCUSDT, { referencePrice: '87000' })).toThrow(FilterError);
  });

  it('STOP_MARKET → STOP_LOSS (SELL stop rounds up); TAKE_PROFIT_MARKET → TAKE_PROFIT', () => {
    expect(buildSpotPlaceOrder(order({ type: 'STOP_MARKET', side: 'SELL', price: undefined, stopPrice: '85000.005' }), BTCUSDT).params).toEqual({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: '0.12345',
      stopPrice: '85000.01',
      newClientOrderId: 'i42-entry-0',
      newOrderRespType: 'FULL',
    });
    expect(buildSpotPlaceOrder(order({ type: 'TAKE_PROFIT_MARKET', side: 'SELL', price: undefined, stopPrice: '95000' }), BTCUSDT).params.type).toBe(
      'TAKE_PROFIT'
    );
  });

  it('STOP_LIMIT / TAKE_PROFIT_LIMIT → *_LIMIT with timeInForce, price and stopPrice', () => {
    expect(
      buildSpotPlaceOrder(order({ type: 'TAKE_PROFIT_LIMIT', side: 'SELL', price: '95000.004', stopPrice: '94999.999', timeInForce: 'GTC' }), BTCUSDT)
        .params
    ).toEqual({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'TAKE_PROFIT_LIMIT',
      timeInForce: 'GTC',
      quantity: '0.12345',
      price: '95000.01',
      stopPrice: '95000',
      newClientOrderId: 'i42-entry-0',
      newOrderRespType: 'FULL',
    });
    expect(buildSpotPlaceOrder(order({ type: 'STOP_LIMIT', side: 'SELL', price: '84000', stopPrice: '85000' }), BTCUSDT).params.type).toBe(
      'STOP_LOSS_LIMIT'
    );
  });

  it('denies filter failures locally', () => {
    try {
      buildSpotPlaceOrder(order({ qty: '0.000009' }), BTCUSDT);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FilterError);
      expect((err as FilterError).code).toBe('QTY_BELOW_MIN');
    }
    expect(() => buildSpotPlaceOrder(order({ qty: '0.00001', price: '100' }), BTCUSDT)).toThrow(/notional/);
  });

  it('refuses what Spot does not have, and mismatches', () => {
    expect(() => buildSpotPlaceOrder(order({ reduceOnly: true }), BTCUSDT)).toThrow(UnsupportedError);
    expect(() => buildSpotPlaceOrder(order({ type: 'STOP_MARKET', price: undefined, stopPrice: '1', workingType: 'MARK_PRICE' }), BTCUSDT)).toThrow(
      UnsupportedError
    );
    expect(() => buildSpotPlaceOrder(order({ type: 'MARKET', postOnly: true }), BTCUSDT)).toThrow(ValidationError);
    expect(() => buildSpotPlaceOrder(order({ postOnly: true, timeInForce: 'IOC' }), BTCUSDT)).toThrow(/post-only/);
    expect(() => buildSpotPlaceOrder(order({ market: 'FUT' }), BTCUSDT)).toThrow(/expected SPOT/);
    expect(() => buildSpotPlaceOrder(order({ symbol: 'ETHUSDT' }), BTCUSDT)).toThrow(/ETHUSDT/);
  });
});

describe('buildSpotPlaceOco', () => {
  const ltcbtc = parseSpotExchangeInfo(fixtureBody('spot/exchange-info'))[1]!;

  it('SELL: above = LIMIT_MAKER take-profit, below = STOP_LOSS_LIMIT; exact params and signed query', () => {
    const req = buildSpotPlaceOco(
      OcoRequest.parse({ market: 'SPOT', symbol: 'LTCBTC', side: 'SELL', qty: '5.0004', tpPrice: '3', slStopPrice: '1.0000005', slLimitPrice: '1', clientListId: 'i7-oco-0' }),
      ltcbtc
    );
    expect(req).toEqual({
      method: 'POST',
      path: '/api/v3/orderList/oco',
      params: {
        symbol: 'LTCBTC',
        side: 'SELL',
        quantity: '5',
        listClientOrderId: 'i7-oco-0',
        aboveType: 'LIMIT_MAKER',
        aboveClientOrderId: 'i7-oco-0-tp-0',
        abovePrice: '3',
        belowType: 'STOP_LOSS_LIMIT',
        belowClientOrderId: 'i7-oco-0-sl-0',
        belowPrice: '1',
        belowStopPrice: '1.000001',
        belowTimeInForce: 'GTC',
        newOrderRespType: 'RESULT',
      },
      weight: 1,
      orderCount: 2,
      signed: true,
      kind: 'write',
      product: 'spot',
    });
    expect(signer.signQuery(req.params, { product: 'spot', timestamp: TS, recvWindow: 5000 })).toBe(
      'symbol=LTCBTC&side=SELL&quantity=5&listClientOrderId=i7-oco-0&aboveType=LIMIT_MAKER&aboveClientOrderId=i7-oco-0-tp-0&abovePrice=3' +
        '&belowType=STOP_LOSS_LIMIT&belowClientOrderId=i7-oco-0-sl-0&belowPrice=1&belowStopPrice=1.000001&belowTimeInForce=GTC' +
        '&newOrderRespType=RESULT&recvWindow=5000&timestamp=1766102400000&signature=fe68be5c21ffcca95b31321002622cda560c03ccaaee993000c92331807bfb02'
    );
  });

  it('SELL with a stop-market leg and explicit leg ids', () => {
    const req = buildSpotPlaceOco(
      OcoRequest.parse({ market: 'SPOT', symbol: 'BTCUSDT', side: 'SELL', qty: '0.01', tpPrice: '95000', slStopPrice: '85000', clientListId: 'L1' }),
      BTCUSDT,
      { tpClientOrderId: 'L1-a', slClientOrderId: 'L1-b' }
    );
    expect(req.params).toEqual({
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      listClientOrderId: 'L1',
      aboveType: 'LIMIT_MAKER',
      aboveClientOrderId: 'L1-a',
      abovePrice: '95000',
      belowType: 'STOP_LOSS',
      belowClientOrderId: 'L1-b',
      belowStopPrice: '85000',
      newOrderRespType: 'RESULT',
    });
  });

  it('BUY: above = stop-loss, below = TAKE_PROFIT_LIMIT take-profit (BUY prices round down)', () => {
    const req = buildSpotPlaceOco(
      OcoRequest.parse({ market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', qty: '0.01', tpPrice: '80000.019', slStopPrice: '90000.019', clientListId: 'L2' }),
      BTCUSDT
    );
    expect(req.params).toEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      quantity: '0.01',
      listClientOrderId: 'L2',
      aboveType: 'STOP_LOSS',
      aboveClientOrderId: 'L2-sl-0',
      aboveStopPrice: '90000.01',
      belowType: 'TAKE_PROFIT_LIMIT',
      belowClientOrderId: 'L2-tp-0',
      belowPrice: '80000.01',
      belowStopPrice: '80000.01',
      belowTimeInForce: 'GTC',
      newOrderRespType: 'RESULT',
    });
  });

  it('denies a leg that breaks a filter', () => {
    expect(() =>
      buildSpotPlaceOco(OcoRequest.parse({ market: 'SPOT', symbol: 'BTCUSDT', side: 'SELL', qty: '0.00001', tpPrice: '95000', slStopPrice: '100', clientListId: 'L3' }), BTCUSDT)
    ).toThrow(FilterError);
  });
});

describe('Spot cancel, query and listing builders', () => {
  it('cancel by client order id (settling path) or by venue id, never both', () => {
    expect(buildSpotCancelOrder({ symbol: 'BTCUSDT', clientOrderId: 'i42-entry-0' })).toEqual({
      method: 'DELETE',
      path: '/api/v3/order',
      params: { symbol: 'BTCUSDT', origClientOrderId: 'i42-entry-0' },
      weight: 1,
      signed: true,
      kind: 'write',
      product: 'spot',
    });
    expect(buildSpotCancelOrder({ symbol: 'BTCUSDT', clientOrderId: 'x', venueOrderId: '28' }).params).toEqual({ symbol: 'BTCUSDT', orderId: '28' });
    expect(() => buildSpotCancelOrder({ symbol: 'BTCUSDT' })).toThrow(/client order id or a venue order id/);
    expect(() => buildSpotCancelOrder({ symbol: 'BTCUSDT', venueOrderId: 'abc' })).toThrow(/numeric/);
  });

  it('cancel and query an order list by its client id', () => {
    expect(buildSpotCancelOrderList('LTCBTC', 'i7-oco-0')).toEqual({
      method: 'DELETE',
      path: '/api/v3/orderList',
      params: { symbol: 'LTCBTC', listClientOrderId: 'i7-oco-0' },
      weight: 1,
      signed: true,
      kind: 'write',
      product: 'spot',
    });
    expect(buildSpotQueryOrderList('i7-oco-0')).toEqual({
      method: 'GET',
      path: '/api/v3/orderList',
      params: { origClientOrderId: 'i7-oco-0' },
      weight: 4,
      signed: true,
      kind: 'read',
      product: 'spot',
    });
  });

  it('query by origClientOrderId', () => {
    expect(buildSpotQueryOrder({ symbol: 'BTCUSDT', clientOrderId: 'i42-entry-0' })).toEqual({
      method: 'GET',
      path: '/api/v3/order',
      params: { symbol: 'BTCUSDT', origClientOrderId: 'i42-entry-0' },
      weight: 4,
      signed: true,
      kind: 'read',
      product: 'spot',
    });
    expect(() => buildSpotQueryOrder({ symbol: 'btcusdt', clientOrderId: 'x' })).toThrow(/uppercase symbol/);
  });

  it('open orders: weight 6 for a symbol, 80 for all', () => {
    expect(buildSpotOpenOrders('BTCUSDT')).toEqual({
      method: 'GET',
      path: '/api/v3/openOrders',
      params: { symbol: 'BTCUSDT' },
      weight: 6,
      signed: true,
      kind: 'read',
      product: 'spot',
    });
    expect(buildSpotOpenOrders()).toMatchObject({ params: {}, weight: 80 });
  });

  it('account (non-zero balances) and myTrades', () => {
    expect(buildSpotAccount()).toEqual({
      method: 'GET',
      path: '/api/v3/account',
      params: { omitZeroBalances: 'true' },
      weight: 20,
      signed: true,
      kind: 'read',
      product: 'spot',
    });
    expect(buildSpotMyTrades('BTCUSDT', { startTime: 1766016000000, endTime: 1766102400000, limit: 1000 })).toEqual({
      method: 'GET',
      path: '/api/v3/myTrades',
      params: { symbol: 'BTCUSDT', startTime: '1766016000000', endTime: '1766102400000', limit: '1000' },
      weight: 20,
      signed: true,
      kind: 'read',
      product: 'spot',
    });
    expect(buildSpotMyTrades('BTCUSDT', { orderId: '28' })).toMatchObject({ params: { symbol: 'BTCUSDT', orderId: '28' }, weight: 5 });
    expect(buildSpotMyTrades('BTCUSDT', { fromId: '56' }).params).toEqual({ symbol: 'BTCUSDT', fromId: '56' });
    expect(() => buildSpotMyTrades('BTCUSDT', { startTime: 0, endTime: 24 * 3600_000 + 1 })).toThrow(/24 hours/);
    expect(() => buildSpotMyTrades('BTCUSDT', { startTime: 2, endTime: 1 })).toThrow(/after endTime/);
    expect(() => buildSpotMyTrades('BTCUSDT', { fromId: '1', startTime: 1 })).toThrow(/fromId/);
    expect(() => buildSpotMyTrades('BTCUSDT', { limit: 1001 })).toThrow(/limit/);
  });
});
