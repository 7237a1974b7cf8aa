/**
 * Spot account endpoints as data (BINANCE.md §4b): balances and the account's trades.
 *
 * @packageDocumentation
 */
import { intParam, invalid, symbolParam, windowParams } from './order-common.js';
import type { BinanceParams, BinanceRequest } from './request.js';

/**
 * `GET /api/v3/account?omitZeroBalances=true`: balances (non-zero only) and permissions.
 * Weight 20.
 */
export function buildSpotAccount(): BinanceRequest {
  return { method: 'GET', path: '/api/v3/account', params: { omitZeroBalances: 'true' }, weight: 20, signed: true, kind: 'read', product: 'spot' };
}

/** Filters of {@link buildSpotMyTrades}. */
export interface SpotTradesQuery {
  /** Only the trades of this order (weight 5 instead of 20). */
  orderId?: string;
  /** Window start, epoch ms (window at most 24 h). */
  startTime?: number;
  /** Window end, epoch ms. */
  endTime?: number;
  /** Trades from this trade id on (cannot be combined with a window). */
  fromId?: string;
  /** Rows, 1–1000 (Binance default 500). */
  limit?: number;
}

/**
 * `GET /api/v3/myTrades` for one symbol. Weight 20, or 5 with `orderId`.
 * @throws ValidationError on a bad symbol, window (over 24 h), id or limit, or `fromId` with a window.
 */
export function buildSpotMyTrades(symbol: string, query: SpotTradesQuery = {}): BinanceRequest {
  const params: BinanceParams = { symbol: symbolParam(symbol) };
  if (query.orderId !== undefined) {
    if (!/^\d+$/.test(query.orderId)) invalid('INVALID_ORDER_REF', 'orderId', 'expected the numeric Binance id');
    params.orderId = query.orderId;
  }
  const window = windowParams(query);
  if (query.startTime !== undefined && query.endTime !== undefined && query.endTime - query.startTime > 24 * 3600_000) {
    invalid('INVALID_WINDOW', 'endTime', 'Spot allows at most 24 hours between startTime and endTime');
  }
  if (query.fromId !== undefined) {
    if (Object.keys(window).length > 0) invalid('INVALID_WINDOW', 'fromId', 'cannot be combined with startTime/endTime');
    if (!/^\d+$/.test(query.fromId)) invalid('INVALID_ORDER_REF', 'fromId', 'expected a numeric trade id');
  }
  Object.assign(params, window);
  if (query.fromId !== undefined) params.fromId = query.fromId;
  if (query.limit !== undefined) params.limit = intParam('limit', query.limit, 1, 1000);
  return { method: 'GET', path: '/api/v3/myTrades', params, weight: query.orderId === undefined ? 20 : 5, signed: true, kind: 'read', product: 'spot' };
}
