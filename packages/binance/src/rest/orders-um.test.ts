import { FilterError, Instrument, OrderRequest, ValidationError, type OrderRequestInput } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import {
  buildUmAccount,
  buildUmBalance,
  buildUmFundingIncome,
  buildUmLeverageBracket,
  buildUmPositionRisk,
  buildUmSetLeverage,
  buildUmSetMarginType,
  buildUmSymbolConfig,
  buildUmUserTrades,
} from './account-um.js';
import {
  buildUmCancelAlgoOrder,
  buildUmCancelOrder,
  buildUmOpenAlgoOrders,
  buildUmOpenOrders,
  buildUmPlaceOrder,
  buildUmQueryAlgoOrder,
  buildUmQueryOrder,
  isUmAlgoType,
} from './orders-um.js';
import { createSigner } from './signing.js';

const signer = createSigner({
  apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
  secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
});
const TS = 1766102400000;

// BTCUSDT perpetual filters: tick 0.10 from minPrice 556.80, step 0.001, MIN_NOTIONAL 100.
const BTCUSDT = Instrument.parse({
  venue: 'binance',
  market: 'FUT',
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  status: 'TRADING',
  tickSize: '0.10',
  stepSize: '0.001',
  minQty: '0.001',
  maxQty: '1000',
  marketStepSize: '0.001',
  marketMinQty: '0.001',
  marketMaxQty: '120',
  minPrice: '556.80',
  maxPrice: '4529764',
  minNotional: '100',
  gridFromMin: true,
  percentPrice: { multiplierUp: '1.05', multiplierDown: '0.95' },
});

const order = (input: Partial<OrderRequestInput>): OrderRequest =>
  OrderRequest.parse({ market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', qty: '0.0109', price: '87000.19', clientOrderId: 'i42-mk-0', ...input });

describe('buildUmPlaceOrder: /fapi/v1/order', () => {
  it('post-only LIMIT → GTX; exact params and signed query', () => {
    const req = buildUmPlaceOrder(order({ postOnly: true }), BTCUSDT);
    expect(req).toEqual({
      method: 'POST',
      path: '/fapi/v1/order',
      params: {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTX',
        quantity: '0.01',
        price: '87000.1',
        newClientOrderId: 'i42-mk-0',
        newOrderRespType: 'RESULT',
      },
      weight: 0,
      orderCount: 1,
      signed: true,
      kind: 'write',
      product: 'um',
    });
    expect(signer.signQuery(req.params, { product: 'um', timestamp: TS, recvWindow: 5000 })).toBe(
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTX&quantity=0.01&price=87000.1&newClientOrderId=i42-mk-0&newOrderRespType=RESULT' +
        '&recvWindow=5000&timestamp=1766102400000&signature=8941f811694406d61ebb344bd20fbe9f61e3757dbafac6c1b52e5a535b242bbd'
    );
  });

  it('LIMIT GTC by default, IOC kept; SELL price rounds up on the grid from minPrice', () => {
    expect(buildUmPlaceOrder(order({}), BTCUSDT).params.timeInForce).toBe('GTC');
    expect(buildUmPlaceOrder(order({ side: 'SELL', timeInForce: 'IOC', price: '87000.11' }), BTCUSDT).params).toEqual({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'IOC',
      quantity: '0.01',
      price: '87000.2',
      newClientOrderId: 'i42-mk-0',
      newOrderRespType: 'RESULT',
    });
  });

  it('MARKET reduce-only: quantity and reduceOnly=true, no price', () => {
    expect(
      buildUmPlaceOrder(order({ type: 'MARKET', side: 'SELL', price: undefined, qty: '0.0105', reduceOnly: true, clientOrderId: 'i42-tk-0' }), BTCUSDT, {
        referencePrice: '87000',
      }).params
    ).toEqual({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.01',
      reduceOnly: 'true',
      newClientOrderId: 'i42-tk-0',
      newOrderRespType: 'RESULT',
    });
  });

  it('MIN_NOTIONAL applies unless reduce-only (UM -4164 rule)', () => {
    expect(() => buildUmPlaceOrder(order({ qty: '0.001', price: '87000' }), BTCUSDT)).toThrow(FilterError);
    expect(buildUmPlaceOrder(order({ qty: '0.001', price: '87000', reduceOnly: true }), BTCUSDT).params.quantity).toBe('0.001');
  });

  it('checks PERCENT_PRICE against the mark price when given', () => {
    expect(() => buildUmPlaceOrder(order({ price: '92000' }), BTCUSDT, { referencePrice: '87000' })).toThrow(/PERCENT_PRICE|above/);
  });

  it('refuses contradictions and mismatches', () => {
    expect(() => buildUmPlaceOrder(order({ type: 'MARKET', postOnly: true, price: undefined }), BTCUSDT)).toThrow(ValidationError);
    expect(() => buildUmPlaceOrder(order({ postOnly: true, timeInForce: 'FOK' }), BTCUSDT)).toThrow(/post-only/);
    expect(() => buildUmPlaceOrder(order({ market: 'SPOT' }), BTCUSDT)).toThrow(/expected FUT/);
  });
});

describe('buildUmPlaceOrder: /fapi/v1/algoOrder (conditional orders since 2025-12-09)', () => {
  it('reduce-only STOP_MARKET on MARK_PRICE: exact params and signed query', () => {
    const req = buildUmPlaceOrder(
      order({ type: 'STOP_MARKET', side: 'SELL', price: undefined, stopPrice: '84999.95', reduceOnly: true, clientOrderId: 'i42-sl-0' }),
      BTCUSDT
    );
    expect(req).toEqual({
      method: 'POST',
      path: '/fapi/v1/algoOrder',
      params: {
        algoType: 'CONDITIONAL',
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'STOP_MARKET',
        quantity: '0.01',
        triggerPrice: '85000',
        workingType: 'MARK_PRICE',
        reduceOnly: 'true',
        clientAlgoId: 'i42-sl-0',
      },
      weight: 0,
      orderCount: 1,
      signed: true,
      kind: 'write',
      product: 'um',
    });
    expect(signer.signQuery(req.params, { product: 'um', timestamp: TS, recvWindow: 5000 })).toBe(
      'algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=STOP_MARKET&quantity=0.01&triggerPrice=85000&workingType=MARK_PRICE' +
        '&reduceOnly=true&clientAlgoId=i42-sl-0&recvWindow=5000&timestamp=1766102400000&signature=9df9d23562002abfb4a883b8c8a6b86d268d11ec040fb8811ab3457da13c213b'
    );
  });

  it('TAKE_PROFIT_MARKET keeps an explicit CONTRACT_PRICE; the limit variants become STOP / TAKE_PROFIT with price and timeInForce', () => {
    expect(
      buildUmPlaceOrder(order({ type: 'TAKE_PROFIT_MARKET', side: 'SELL', price: undefined, stopPrice: '95000', workingType: 'CONTRACT_PRICE' }), BTCUSDT)
        .params
    ).toEqual({
      algoType: 'CONDITIONAL',
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'TAKE_PROFIT_MARKET',
      quantity: '0.01',
      triggerPrice: '95000',
      workingType: 'CONTRACT_PRICE',
      clientAlgoId: 'i42-mk-0',
    });
    expect(buildUmPlaceOrder(order({ type: 'STOP_LIMIT', side: 'BUY', price: '90000.06', stopPrice: '89999.99' }), BTCUSDT).params).toEqual({
      algoType: 'CONDITIONAL',
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'STOP',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '90000',
      triggerPrice: '89999.9',
      workingType: 'MARK_PRICE',
      clientAlgoId: 'i42-mk-0',
    });
    expect(buildUmPlaceOrder(order({ type: 'TAKE_PROFIT_LIMIT', side: 'SELL', price: '95000', stopPrice: '95000' }), BTCUSDT).params.type).toBe(
      'TAKE_PROFIT'
    );
  });

  it('knows which types are conditional', () => {
    expect(['LIMIT', 'MARKET', 'STOP_MARKET', 'TAKE_PROFIT_MARKET', 'STOP_LIMIT', 'TAKE_PROFIT_LIMIT'].map((t) => isUmAlgoType(t as never))).toEqual([
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
  });
});

describe('UM cancel, query and open-order builders', () => {
  it('regular orders by origClientOrderId or orderId', () => {
    expect(buildUmCancelOrder({ symbol: 'BTCUSDT', clientOrderId: 'i42-mk-0' })).toEqual({
      method: 'DELETE',
      path: '/fapi/v1/order',
      params: { symbol: 'BTCUSDT', origClientOrderId: 'i42-mk-0' },
      weight: 1,
      signed: true,
      kind: 'write',
      product: 'um',
    });
    expect(buildUmQueryOrder({ symbol: 'BTCUSDT', venueOrderId: '4056738200' })).toEqual({
      method: 'GET',
      path: '/fapi/v1/order',
      params: { symbol: 'BTCUSDT', orderId: '4056738200' },
      weight: 1,
      signed: true,
      kind: 'read',
      product: 'um',
    });
  });

  it('algo orders by clientAlgoId or algoId (no symbol parameter)', () => {
    expect(buildUmCancelAlgoOrder({ symbol: 'BTCUSDT', clientOrderId: 'i42-sl-0' })).toEqual({
      method: 'DELETE',
      path: '/fapi/v1/algoOrder',
      params: { clientAlgoId: 'i42-sl-0' },
      weight: 1,
      signed: true,
      kind: 'write',
      product: 'um',
    });
    expect(buildUmQueryAlgoOrder({ symbol: 'BTCUSDT', venueOrderId: '2146760' })).toEqual({
      method: 'GET',
      path: '/fapi/v1/algoOrder',
      params: { algoId: '2146760' },
      weight: 1,
      signed: true,
      kind: 'read',
      product: 'um',
    });
    expect(() => buildUmQueryAlgoOrder({ symbol: 'BTCUSDT' })).toThrow(ValidationError);
  });

  it('open regular and algo orders: weight 1 per symbol, 40 for all', () => {
    expect(buildUmOpenOrders('BTCUSDT')).toMatchObject({ method: 'GET', path: '/fapi/v1/openOrders', params: { symbol: 'BTCUSDT' }, weight: 1 });
    expect(buildUmOpenOrders()).toMatchObject({ params: {}, weight: 40 });
    expect(buildUmOpenAlgoOrders('BTCUSDT')).toEqual({
      method: 'GET',
      path: '/fapi/v1/openAlgoOrders',
      params: { symbol: 'BTCUSDT' },
      weight: 1,
      signed: true,
      kind: 'read',
      product: 'um',
    });
    expect(buildUmOpenAlgoOrders()).toMatchObject({ params: {}, weight: 40 });
  });
});

describe('UM account builders', () => {
  it('positionRisk v3, balance v3, account v3, symbolConfig, leverageBracket', () => {
    expect(buildUmPositionRisk()).toEqual({ method: 'GET', path: '/fapi/v3/positionRisk', params: {}, weight: 5, signed: true, kind: 'read', product: 'um' });
    expect(buildUmPositionRisk('BTCUSDT').params).toEqual({ symbol: 'BTCUSDT' });
    expect(buildUmBalance()).toEqual({ method: 'GET', path: '/fapi/v3/balance', params: {}, weight: 5, signed: true, kind: 'read', product: 'um' });
    expect(buildUmAccount()).toMatchObject({ method: 'GET', path: '/fapi/v3/account', weight: 5, signed: true });
    expect(buildUmSymbolConfig('BTCUSDT')).toEqual({
      method: 'GET',
      path: '/fapi/v1/symbolConfig',
      params: { symbol: 'BTCUSDT' },
      weight: 5,
      signed: true,
      kind: 'read',
      product: 'um',
    });
    expect(buildUmLeverageBracket()).toMatchObject({ method: 'GET', path: '/fapi/v1/leverageBracket', params: {}, weight: 1, signed: true });
  });

  it('leverage and margin type are writes', () => {
    expect(buildUmSetLeverage('BTCUSDT', 20)).toEqual({
      method: 'POST',
      path: '/fapi/v1/leverage',
      params: { symbol: 'BTCUSDT', leverage: '20' },
      weight: 1,
      signed: true,
      kind: 'write',
      product: 'um',
    });
    expect(() => buildUmSetLeverage('BTCUSDT', 126)).toThrow(/1 to 125/);
    expect(() => buildUmSetLeverage('BTCUSDT', 2.5)).toThrow(ValidationError);
    expect(buildUmSetMarginType('BTCUSDT', 'ISOLATED')).toEqual({
      method: 'POST',
      path: '/fapi/v1/marginType',
      params: { symbol: 'BTCUSDT', marginType: 'ISOLATED' },
      weight: 1,
      signed: true,
      kind: 'write',
      product: 'um',
    });
    expect(() => buildUmSetMarginType('BTCUSDT', 'CROSS' as never)).toThrow(/ISOLATED or CROSSED/);
  });

  it('funding income: incomeType FUNDING_FEE, window, limit 1000 by default', () => {
    expect(buildUmFundingIncome({ symbol: 'BTCUSDT', startTime: 1766016000000, endTime: 1766102400000 })).toEqual({
      method: 'GET',
      path: '/fapi/v1/income',
      params: { symbol: 'BTCUSDT', incomeType: 'FUNDING_FEE', startTime: '1766016000000', endTime: '1766102400000', limit: '1000' },
      weight: 30,
      signed: true,
      kind: 'read',
      product: 'um',
    });
    expect(buildUmFundingIncome({ page: 2, limit: 100 }).params).toEqual({ incomeType: 'FUNDING_FEE', page: '2', limit: '100' });
  });

  it('userTrades: window at most 7 days', () => {
    expect(buildUmUserTrades('BTCUSDT', { orderId: '25851813' })).toEqual({
      method: 'GET',
      path: '/fapi/v1/userTrades',
      params: { symbol: 'BTCUSDT', orderId: '25851813' },
      weight: 5,
      signed: true,
      kind: 'read',
      product: 'um',
    });
    expect(() => buildUmUserTrades('BTCUSDT', { startTime: 0, endTime: 7 * 24 * 3600_000 + 1 })).toThrow(/7 days/);
  });
});
