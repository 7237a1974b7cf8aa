/**
 * Spot order endpoints as data (BINANCE.md §4b): place, OCO, cancel, query, open orders. Prices
 * and quantities are rounded and checked with the core's `prepareOrder` against the instrument
 * passed in, so an order that would break a filter is denied here, before it costs a request.
 *
 * @packageDocumentation
 */
import { prepareOrder, UnsupportedError, type Instrument, type OcoRequest, type OrderRequest } from '@chimera/core';
import { deriveClientOrderId } from './client-order-id.js';
import { assertInstrument, idParams, invalid, priceRole, symbolParam, type OrderIdentity, type PlaceOrderOptions } from './order-common.js';
import type { BinanceParams, BinanceRequest } from './request.js';

/** Spot's own names of the core order types (post-only LIMIT is `LIMIT_MAKER`). */
const SPOT_TYPE = {
  LIMIT: 'LIMIT',
  MARKET: 'MARKET',
  STOP_MARKET: 'STOP_LOSS',
  TAKE_PROFIT_MARKET: 'TAKE_PROFIT',
  STOP_LIMIT: 'STOP_LOSS_LIMIT',
  TAKE_PROFIT_LIMIT: 'TAKE_PROFIT_LIMIT',
} as const;

function write(path: string, method: 'POST' | 'DELETE', params: BinanceParams, weight: number, orderCount?: number): BinanceRequest {
  const req: BinanceRequest = { method, path, params, weight, signed: true, kind: 'write', product: 'spot' };
  if (orderCount !== undefined) req.orderCount = orderCount;
  return req;
}

function read(path: string, params: BinanceParams, weight: number): BinanceRequest {
  return { method: 'GET', path, params, weight, signed: true, kind: 'read', product: 'spot' };
}

/**
 * `POST /api/v3/order` for one core order.
 *
 * - LIMIT → `LIMIT` with `timeInForce` (default GTC); post-only (`postOnly` or GTX) →
 *   `LIMIT_MAKER`, which Spot rejects with `-2010` instead of letting it take.
 * - MARKET → `MARKET` with `quantity`.
 * - STOP_MARKET / TAKE_PROFIT_MARKET → `STOP_LOSS` / `TAKE_PROFIT` with `stopPrice`;
 *   STOP_LIMIT / TAKE_PROFIT_LIMIT → `STOP_LOSS_LIMIT` / `TAKE_PROFIT_LIMIT` with `timeInForce`,
 *   `price` and `stopPrice`. Spot stops trigger on the last price.
 * - `newClientOrderId` is the request's client order id; `newOrderRespType=FULL` so immediate
 *   fills come back with the answer.
 *
 * Weight 1 (charged only if the order fails, since 2026-04-02); adds 1 to the order count.
 *
 * @param request - The core order (market `SPOT`).
 * @param instrument - The Spot instrument of `request.symbol`.
 * @param options - `referencePrice` for the PERCENT_PRICE and market-notional checks.
 * @throws FilterError when the rounded order breaks a filter (from `prepareOrder`).
 * @throws ValidationError (`MARKET_MISMATCH`, `SYMBOL_MISMATCH`, `INVALID_ORDER`) on an order
 *   that does not fit Spot or the instrument.
 * @throws UnsupportedError for `reduceOnly` or a MARK_PRICE trigger, which Spot does not have.
 */
export function buildSpotPlaceOrder(request: OrderRequest, instrument: Instrument, options: PlaceOrderOptions = {}): BinanceRequest {
  assertInstrument('SPOT', request, instrument);
  if (request.reduceOnly) throw new UnsupportedError('spot orders cannot be reduce-only', { details: { venue: 'binance', market: 'SPOT' } });
  if (request.workingType === 'MARK_PRICE') {
    throw new UnsupportedError('spot stop orders trigger on the last price; MARK_PRICE is a futures trigger', { details: { venue: 'binance' } });
  }
  const postOnly = request.postOnly || request.timeInForce === 'GTX';
  if (postOnly && request.type !== 'LIMIT') invalid('INVALID_ORDER', 'postOnly', 'post-only applies to LIMIT orders only');
  if (request.postOnly && (request.timeInForce === 'IOC' || request.timeInForce === 'FOK')) {
    invalid('INVALID_ORDER', 'timeInForce', `a post-only order cannot be ${request.timeInForce}`);
  }
  if (request.type.endsWith('_LIMIT') && request.timeInForce === 'GTX') invalid('INVALID_ORDER', 'timeInForce', 'GTX applies to LIMIT orders only');
  const prepared = prepareOrder(
    instrument,
    {
      type: request.type,
      side: request.side,
      qty: request.qty,
      price: request.price,
      stopPrice: request.stopPrice,
      referencePrice: options.referencePrice,
    },
    priceRole(request)
  );
  const params: BinanceParams = { symbol: request.symbol, side: request.side, type: postOnly ? 'LIMIT_MAKER' : SPOT_TYPE[request.type] };
  const limitPriced = request.type === 'LIMIT' || request.type === 'STOP_LIMIT' || request.type === 'TAKE_PROFIT_LIMIT';
  if (limitPriced && !postOnly) params.timeInForce = request.timeInForce ?? 'GTC';
  params.quantity = prepared.qty;
  if (prepared.price !== undefined) params.price = prepared.price;
  if (prepared.stopPrice !== undefined) params.stopPrice = prepared.stopPrice;
  params.newClientOrderId = request.clientOrderId;
  params.newOrderRespType = 'FULL';
  return write('/api/v3/order', 'POST', params, 1, 1);
}

/** Options of {@link buildSpotPlaceOco}. */
export interface PlaceOcoOptions extends PlaceOrderOptions {
  /** Client order id of the take-profit leg. Default: derived from the list id, leg `tp`. */
  tpClientOrderId?: string;
  /** Client order id of the stop-loss leg. Default: derived from the list id, leg `sl`. */
  slClientOrderId?: string;
}

/**
 * `POST /api/v3/orderList/oco` (the current OCO endpoint; `/api/v3/order/oco` is deprecated).
 * Both legs share `quantity`; which leg is "above" and which "below" the market follows the side:
 *
 * - SELL (protecting a long): above = take-profit `LIMIT_MAKER` at `tpPrice`; below = stop-loss
 *   `STOP_LOSS` at `slStopPrice`, or `STOP_LOSS_LIMIT` with `slLimitPrice` and `legTimeInForce`.
 * - BUY (protecting a short): above = the stop-loss (`STOP_LOSS`/`STOP_LOSS_LIMIT`); below = the
 *   take-profit as `TAKE_PROFIT_LIMIT` with `belowPrice = belowStopPrice = tpPrice` (the below
 *   leg may not be `LIMIT_MAKER`).
 *
 * `listClientOrderId` is the request's `clientListId`; leg ids default to
 * `deriveClientOrderId({ intentId: clientListId, leg: 'tp' | 'sl', attempt: 0 })`.
 * `newOrderRespType=RESULT`. Weight 1; adds 2 to the order count.
 *
 * @throws FilterError when a rounded leg breaks a filter; ValidationError on a market or symbol mismatch.
 */
export function buildSpotPlaceOco(request: OcoRequest, instrument: Instrument, options: PlaceOcoOptions = {}): BinanceRequest {
  assertInstrument('SPOT', request, instrument);
  const tif = request.legTimeInForce === 'GTX' ? invalid('INVALID_ORDER', 'legTimeInForce', 'GTX does not apply to OCO legs') : (request.legTimeInForce ?? 'GTC');
  const { side, qty } = request;
  const ref = { referencePrice: options.referencePrice };
  const tpId = options.tpClientOrderId ?? deriveClientOrderId({ intentId: request.clientListId, leg: 'tp', attempt: 0 });
  const slId = options.slClientOrderId ?? deriveClientOrderId({ intentId: request.clientListId, leg: 'sl', attempt: 0 });

  const slLimit = request.slLimitPrice !== undefined;
  const sl = prepareOrder(
    instrument,
    { type: slLimit ? 'STOP_LIMIT' : 'STOP_MARKET', side, qty, price: request.slLimitPrice, stopPrice: request.slStopPrice, ...ref },
    'taker'
  );
  const slLeg: BinanceParams = { Type: slLimit ? 'STOP_LOSS_LIMIT' : 'STOP_LOSS', ClientOrderId: slId };
  if (sl.price !== undefined) slLeg.Price = sl.price;
  slLeg.StopPrice = sl.stopPrice ?? invalid('INVALID_ORDER', 'slStopPrice', 'required');
  if (slLimit) slLeg.TimeInForce = tif;

  let tpLeg: BinanceParams;
  if (side === 'SELL') {
    const tp = prepareOrder(instrument, { type: 'LIMIT', side, qty, price: request.tpPrice, ...ref }, 'maker');
    tpLeg = { Type: 'LIMIT_MAKER', ClientOrderId: tpId, Price: tp.price ?? request.tpPrice };
  } else {
    const tp = prepareOrder(instrument, { type: 'TAKE_PROFIT_LIMIT', side, qty, price: request.tpPrice, stopPrice: request.tpPrice, ...ref }, 'taker');
    tpLeg = { Type: 'TAKE_PROFIT_LIMIT', ClientOrderId: tpId, Price: tp.price ?? request.tpPrice, StopPrice: tp.stopPrice ?? request.tpPrice, TimeInForce: tif };
  }
  // The lot rounding is identical for both legs (LOT_SIZE), so either prepared quantity is the shared one.
  const params: BinanceParams = { symbol: request.symbol, side, quantity: sl.qty, listClientOrderId: request.clientListId };
  const [above, below] = side === 'SELL' ? [tpLeg, slLeg] : [slLeg, tpLeg];
  for (const [prefix, leg] of [
    ['above', above],
    ['below', below],
  ] as const) {
    for (const key of ['Type', 'ClientOrderId', 'Price', 'StopPrice', 'TimeInForce']) {
      const v = leg[key];
      if (v !== undefined) params[`${prefix}${key}`] = v;
    }
  }
  params.newOrderRespType = 'RESULT';
  return write('/api/v3/orderList/oco', 'POST', params, 1, 2);
}

/**
 * `DELETE /api/v3/order`: cancels one order by `orderId` (when the venue id is known: fastest)
 * or `origClientOrderId`. Weight 1.
 * @throws ValidationError (`ORDER_REF_REQUIRED`, `INVALID_SYMBOL`).
 */
export function buildSpotCancelOrder(ref: OrderIdentity): BinanceRequest {
  return write('/api/v3/order', 'DELETE', { symbol: symbolParam(ref.symbol), ...idParams(ref, 'orderId', 'origClientOrderId') }, 1);
}

/**
 * `DELETE /api/v3/orderList`: cancels a whole order list (OCO) by its `listClientOrderId`.
 * Weight 1.
 * @throws ValidationError (`INVALID_SYMBOL`, `ORDER_REF_REQUIRED`).
 */
export function buildSpotCancelOrderList(symbol: string, clientListId: string): BinanceRequest {
  if (clientListId === '') invalid('ORDER_REF_REQUIRED', 'clientListId', 'required');
  return write('/api/v3/orderList', 'DELETE', { symbol: symbolParam(symbol), listClientOrderId: clientListId }, 1);
}

/**
 * `GET /api/v3/order`: one order by `orderId` or `origClientOrderId` (how an unknown outcome is
 * settled). Weight 4.
 * @throws ValidationError (`ORDER_REF_REQUIRED`, `INVALID_SYMBOL`).
 */
export function buildSpotQueryOrder(ref: OrderIdentity): BinanceRequest {
  return read('/api/v3/order', { symbol: symbolParam(ref.symbol), ...idParams(ref, 'orderId', 'origClientOrderId') }, 4);
}

/**
 * `GET /api/v3/orderList` by the list's client id (Binance names the parameter
 * `origClientOrderId` here). The answer lists the legs' ids only; query each leg for its state.
 * Weight 4.
 */
export function buildSpotQueryOrderList(clientListId: string): BinanceRequest {
  if (clientListId === '') invalid('ORDER_REF_REQUIRED', 'clientListId', 'required');
  return read('/api/v3/orderList', { origClientOrderId: clientListId }, 4);
}

/**
 * `GET /api/v3/openOrders` for one symbol (weight 6) or, without a symbol, all of them (weight
 * 80: avoid polling it).
 */
export function buildSpotOpenOrders(symbol?: string): BinanceRequest {
  return symbol === undefined ? read('/api/v3/openOrders', {}, 80) : read('/api/v3/openOrders', { symbol: symbolParam(symbol) }, 6);
}
