/**
 * USDⓈ-M futures order endpoints as data (BINANCE.md §4d). Since 2025-12-09 only LIMIT and
 * MARKET go to `/fapi/v1/order`; conditional orders (STOP_MARKET, TAKE_PROFIT_MARKET and the
 * limit variants) go to the Algo Service, `/fapi/v1/algoOrder` (sending them to the order
 * endpoint fails with `-4120`). Prices and quantities are rounded and checked with the core's
 * `prepareOrder` against the instrument passed in.
 *
 * @packageDocumentation
 */
import { prepareOrder, type Instrument, type OrderRequest } from '@chimera/core';
import { assertInstrument, idParams, invalid, priceRole, symbolParam, type OrderIdentity, type PlaceOrderOptions } from './order-common.js';
import type { BinanceParams, BinanceRequest } from './request.js';

/** UM algo `type` for each core conditional type. */
const ALGO_TYPE = {
  STOP_MARKET: 'STOP_MARKET',
  TAKE_PROFIT_MARKET: 'TAKE_PROFIT_MARKET',
  STOP_LIMIT: 'STOP',
  TAKE_PROFIT_LIMIT: 'TAKE_PROFIT',
} as const;

function req(method: 'GET' | 'POST' | 'DELETE', path: string, params: BinanceParams, weight: number, orderCount?: number): BinanceRequest {
  const r: BinanceRequest = { method, path, params, weight, signed: true, kind: method === 'GET' ? 'read' : 'write', product: 'um' };
  if (orderCount !== undefined) r.orderCount = orderCount;
  return r;
}

/** Whether a core order type is a conditional order, placed through the UM Algo Service. */
export function isUmAlgoType(type: OrderRequest['type']): type is keyof typeof ALGO_TYPE {
  return type in ALGO_TYPE;
}

/**
 * Places one core order on UM, on the endpoint its type needs.
 *
 * `POST /fapi/v1/order` (IP weight 0; 1 on the order counters):
 * - LIMIT → `timeInForce` GTC by default; post-only (`postOnly` or GTX) → `timeInForce=GTX`,
 *   which UM rejects with `-5022` instead of letting it take. Params: `symbol, side, type,
 *   timeInForce, quantity, price[, reduceOnly=true], newClientOrderId, newOrderRespType=RESULT`.
 * - MARKET → `symbol, side, type, quantity[, reduceOnly=true], newClientOrderId,
 *   newOrderRespType=RESULT` (RESULT returns the final FILLED state).
 *
 * `POST /fapi/v1/algoOrder` (IP weight 0; 1 on the order counters):
 * - STOP_MARKET / TAKE_PROFIT_MARKET → `algoType=CONDITIONAL, symbol, side, type, quantity,
 *   triggerPrice, workingType[, reduceOnly=true], clientAlgoId`; STOP_LIMIT / TAKE_PROFIT_LIMIT →
 *   type `STOP` / `TAKE_PROFIT` with `timeInForce` and `price` too. `workingType` defaults to
 *   MARK_PRICE (the core default; Binance's own default would be CONTRACT_PRICE).
 *
 * `reduceOnly` is sent only when true (it may not be sent at all in Hedge Mode); no
 * `positionSide` is sent (one-way mode, `BOTH`).
 *
 * @param request - The core order (market `FUT`).
 * @param instrument - The UM instrument of `request.symbol`.
 * @param options - `referencePrice` (the mark price) for PERCENT_PRICE and market notional.
 * @throws FilterError when the rounded order breaks a filter (reduce-only orders skip the
 *   minimum notional, as UM does).
 * @throws ValidationError (`MARKET_MISMATCH`, `SYMBOL_MISMATCH`, `INVALID_ORDER`).
 */
export function buildUmPlaceOrder(request: OrderRequest, instrument: Instrument, options: PlaceOrderOptions = {}): BinanceRequest {
  assertInstrument('FUT', request, instrument);
  const postOnly = request.postOnly || request.timeInForce === 'GTX';
  if (postOnly && request.type !== 'LIMIT') invalid('INVALID_ORDER', 'postOnly', 'post-only applies to LIMIT orders only');
  if (request.postOnly && (request.timeInForce === 'IOC' || request.timeInForce === 'FOK')) {
    invalid('INVALID_ORDER', 'timeInForce', `a post-only order cannot be ${request.timeInForce}`);
  }
  const prepared = prepareOrder(
    instrument,
    {
      type: request.type,
      side: request.side,
      qty: request.qty,
      price: request.price,
      stopPrice: request.stopPrice,
      referencePrice: options.referencePrice,
      reduceOnly: request.reduceOnly,
    },
    priceRole(request)
  );

  if (isUmAlgoType(request.type)) {
    const params: BinanceParams = { algoType: 'CONDITIONAL', symbol: request.symbol, side: request.side, type: ALGO_TYPE[request.type] };
    if (prepared.price !== undefined) params.timeInForce = request.timeInForce ?? 'GTC';
    params.quantity = prepared.qty;
    if (prepared.price !== undefined) params.price = prepared.price;
    params.triggerPrice = prepared.stopPrice ?? invalid('INVALID_ORDER', 'stopPrice', 'required');
    params.workingType = request.workingType ?? 'MARK_PRICE';
    if (request.reduceOnly) params.reduceOnly = 'true';
    params.clientAlgoId = request.clientOrderId;
    return req('POST', '/fapi/v1/algoOrder', params, 0, 1);
  }

  const params: BinanceParams = { symbol: request.symbol, side: request.side, type: request.type };
  if (request.type === 'LIMIT') params.timeInForce = postOnly ? 'GTX' : (request.timeInForce ?? 'GTC');
  params.quantity = prepared.qty;
  if (prepared.price !== undefined) params.price = prepared.price;
  if (request.reduceOnly) params.reduceOnly = 'true';
  params.newClientOrderId = request.clientOrderId;
  params.newOrderRespType = 'RESULT';
  return req('POST', '/fapi/v1/order', params, 0, 1);
}

/**
 * `DELETE /fapi/v1/order`: cancels a regular order by `orderId` or `origClientOrderId`. Weight 1.
 * Conditional orders are cancelled with {@link buildUmCancelAlgoOrder}.
 */
export function buildUmCancelOrder(ref: OrderIdentity): BinanceRequest {
  return req('DELETE', '/fapi/v1/order', { symbol: symbolParam(ref.symbol), ...idParams(ref, 'orderId', 'origClientOrderId') }, 1);
}

/**
 * `DELETE /fapi/v1/algoOrder`: cancels a conditional order by `algoId` or `clientAlgoId`
 * (camel-case names since Jan 2026). The answer carries only the ids; query the order for its
 * final state. Weight 1.
 */
export function buildUmCancelAlgoOrder(ref: OrderIdentity): BinanceRequest {
  symbolParam(ref.symbol);
  return req('DELETE', '/fapi/v1/algoOrder', idParams(ref, 'algoId', 'clientAlgoId'), 1);
}

/** `GET /fapi/v1/order`: one regular order by `orderId` or `origClientOrderId`. Weight 1. */
export function buildUmQueryOrder(ref: OrderIdentity): BinanceRequest {
  return req('GET', '/fapi/v1/order', { symbol: symbolParam(ref.symbol), ...idParams(ref, 'orderId', 'origClientOrderId') }, 1);
}

/** `GET /fapi/v1/algoOrder`: one conditional order by `algoId` or `clientAlgoId`. Weight 1. */
export function buildUmQueryAlgoOrder(ref: OrderIdentity): BinanceRequest {
  symbolParam(ref.symbol);
  return req('GET', '/fapi/v1/algoOrder', idParams(ref, 'algoId', 'clientAlgoId'), 1);
}

/** `GET /fapi/v1/openOrders`: regular open orders of a symbol (weight 1) or all (weight 40). */
export function buildUmOpenOrders(symbol?: string): BinanceRequest {
  return symbol === undefined ? req('GET', '/fapi/v1/openOrders', {}, 40) : req('GET', '/fapi/v1/openOrders', { symbol: symbolParam(symbol) }, 1);
}

/**
 * `GET /fapi/v1/openAlgoOrders`: open conditional orders of a symbol (weight 1) or all (weight
 * 40). `openOrders` does not list them; merge both for a complete picture.
 */
export function buildUmOpenAlgoOrders(symbol?: string): BinanceRequest {
  return symbol === undefined ? req('GET', '/fapi/v1/openAlgoOrders', {}, 40) : req('GET', '/fapi/v1/openAlgoOrders', { symbol: symbolParam(symbol) }, 1);
}
