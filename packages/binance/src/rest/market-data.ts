/**
 * Public market-data endpoints of both products as data (BINANCE.md §4a, §4c): server time,
 * exchange info, depth, best bid/ask, mark price + funding, funding history. None is signed.
 *
 * @packageDocumentation
 */
import { intParam, invalid, symbolParam, windowParams } from './order-common.js';
import type { BinanceParams, BinanceProduct, BinanceRequest } from './request.js';

function pub(product: BinanceProduct, path: string, params: BinanceParams, weight: number): BinanceRequest {
  return { method: 'GET', path, params, weight, signed: false, kind: 'read', product };
}

/** `GET /api/v3/time` (Spot) or `GET /fapi/v1/time` (UM): `{ serverTime }`. Weight 1. */
export function buildServerTime(product: BinanceProduct): BinanceRequest {
  return pub(product, product === 'spot' ? '/api/v3/time' : '/fapi/v1/time', {}, 1);
}

/**
 * `GET /api/v3/exchangeInfo` (weight 20) or `GET /fapi/v1/exchangeInfo` (weight 1): every
 * symbol with its filters and the rate limits. Spot may be narrowed to one symbol.
 */
export function buildExchangeInfo(product: BinanceProduct, symbol?: string): BinanceRequest {
  if (product === 'um') {
    if (symbol !== undefined) invalid('INVALID_SYMBOL', 'symbol', 'UM exchangeInfo takes no symbol');
    return pub('um', '/fapi/v1/exchangeInfo', {}, 1);
  }
  return pub('spot', '/api/v3/exchangeInfo', symbol === undefined ? {} : { symbol: symbolParam(symbol) }, 20);
}

/** The limits UM's depth endpoint accepts. */
export const UM_DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;

/**
 * `GET /api/v3/depth` or `GET /fapi/v1/depth`: a book snapshot.
 *
 * Spot: limit 1–5000 (default 100), weight 5 / 25 / 50 / 250 for 1–100 / 101–500 / 501–1000 /
 * 1001–5000. UM: limit one of 5, 10, 20, 50, 100, 500, 1000 (default 100 here), weight 2 / 5 /
 * 10 / 20 for 5–50 / 100 / 500 / 1000.
 *
 * @throws ValidationError (`INVALID_LIMIT`) on a limit the product does not accept.
 */
export function buildDepth(product: BinanceProduct, symbol: string, limit = 100): BinanceRequest {
  const s = symbolParam(symbol);
  if (product === 'spot') {
    const l = intParam('limit', limit, 1, 5000);
    const weight = limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
    return pub('spot', '/api/v3/depth', { symbol: s, limit: l }, weight);
  }
  if (!(UM_DEPTH_LIMITS as readonly number[]).includes(limit)) invalid('INVALID_LIMIT', 'limit', `expected one of ${UM_DEPTH_LIMITS.join(', ')}`);
  const weight = limit <= 50 ? 2 : limit === 100 ? 5 : limit === 500 ? 10 : 20;
  return pub('um', '/fapi/v1/depth', { symbol: s, limit: String(limit) }, weight);
}

/** `GET /api/v3/ticker/bookTicker` or `GET /fapi/v1/ticker/bookTicker` for one symbol. Weight 2. */
export function buildBookTicker(product: BinanceProduct, symbol: string): BinanceRequest {
  return pub(product, product === 'spot' ? '/api/v3/ticker/bookTicker' : '/fapi/v1/ticker/bookTicker', { symbol: symbolParam(symbol) }, 2);
}

/** `GET /fapi/v1/premiumIndex`: mark price, index price and next funding of one perpetual. Weight 1. */
export function buildUmPremiumIndex(symbol: string): BinanceRequest {
  return pub('um', '/fapi/v1/premiumIndex', { symbol: symbolParam(symbol) }, 1);
}

/** Filters of {@link buildUmFundingRateHistory}. */
export interface FundingRateQuery {
  /** Window start, epoch ms (inclusive). */
  startTime?: number;
  /** Window end, epoch ms (inclusive). */
  endTime?: number;
  /** Rows, 1–1000 (Binance default 100). */
  limit?: number;
}

/**
 * `GET /fapi/v1/fundingRate`: funding history of one perpetual, oldest first. It shares a
 * separate 500-requests-per-5-minutes IP limit with `/fapi/v1/fundingInfo`; the weight given
 * here (1) is only what it costs against the 1-minute request-weight budget.
 */
export function buildUmFundingRateHistory(symbol: string, query: FundingRateQuery = {}): BinanceRequest {
  const params: BinanceParams = { symbol: symbolParam(symbol), ...windowParams(query) };
  if (query.limit !== undefined) params.limit = intParam('limit', query.limit, 1, 1000);
  return pub('um', '/fapi/v1/fundingRate', params, 1);
}
