/**
 * Builders for every MAX v3 REST call the adapter makes, as data: method, full path, parameters in
 * MAX's snake_case spelling, whether the call is signed, and whether it reads or writes. They do
 * no I/O; a transport signs ({@link MaxSigner}) and sends them (see `toRestRequest`). Paths and
 * parameters: VENUES.md A.2 (public) and A.4 (private).
 *
 * @packageDocumentation
 */
import { DECIMAL_PATTERN, UnsupportedError, ValidationError, type Market, type OrderType, type RateLimitRule, type Side, type TimeInForce } from '@chimera/core';
import { toMaxCurrency, toMaxMarket } from './instruments.js';
import type { MaxMethod, MaxParams } from './signing.js';

/** The REST origin of MAX (VENUES.md A.1). */
export const MAX_REST_BASE_URL = 'https://max-api.maicoin.com';

/** The path prefix of the v3 API; every builder's path starts with it. */
export const MAX_API_PREFIX = '/api/v3';

/**
 * MAX's published REST limit as a core rate-limit rule: 1200 requests per minute per IP
 * (VENUES.md A.1, from ccxt's MAX implementation). A 429 leads to an IP ban, so stay under it.
 */
export const MAX_REST_LIMITS: readonly RateLimitRule[] = [{ kind: 'raw', interval: '1m', limit: 1200 }];

/** Longest client order id MAX accepts (VENUES.md A.4: `client_oid` ≤ 36 characters). */
export const MAX_CLIENT_OID_MAX = 36;

/** MAX's order types, in the wire spelling (snake_case values; VENUES.md A.4). */
export type MaxOrderType = 'limit' | 'market' | 'post_only' | 'ioc_limit' | 'stop_limit' | 'stop_market';

/** A MAX wallet: `spot`, or `m` (margin; this adapter trades spot only). */
export type MaxWallet = 'spot' | 'm';

/** One MAX REST call as data. */
export interface MaxRequest {
  /** HTTP method. */
  method: MaxMethod;
  /** Full path below {@link MAX_REST_BASE_URL}, including `/api/v3`. */
  path: string;
  /** Parameters in sending order (query for GET, JSON body otherwise). */
  params: MaxParams;
  /** Whether the call needs the `X-MAX-*` signature headers. */
  signed: boolean;
  /** `read` calls are safe to resend; `write` calls change state and are never resent blindly. */
  kind: 'read' | 'write';
}

/** Sort orders the v3 order lists accept. */
export type MaxOrderBy = 'asc' | 'desc' | 'asc_updated_at' | 'desc_updated_at';

/** An order to place, in the core's vocabulary (a core `OrderRequest` fits). */
export interface MaxOrderInput {
  /** Only `SPOT` (default). */
  market?: Market;
  /** Core symbol, e.g. `BTCTWD`. */
  symbol: string;
  side: Side;
  type: OrderType;
  /** Base quantity, already rounded to the instrument's step. */
  qty: string;
  /** Limit price, already rounded to the tick (LIMIT, STOP_LIMIT). */
  price?: string;
  /** Trigger price (STOP_LIMIT, STOP_MARKET). */
  stopPrice?: string;
  /** GTC (default), IOC → `ioc_limit`, GTX → `post_only`; FOK is not offered by MAX. */
  timeInForce?: TimeInForce;
  /** Post-only: `post_only`. */
  postOnly?: boolean;
  /** Spot has nothing to reduce: `true` is refused. */
  reduceOnly?: boolean;
  /** Client order id, ≤ 36 characters (`deriveClientOrderId` produces such ids). */
  clientOrderId: string;
}

/** Options of {@link submitOrderRequest}. */
export interface SubmitOrderOptions {
  /** MAX `group_id`: an integer in [1, 2^31 − 1] to cancel a group of orders at once. */
  groupId?: number;
}

/** Identifies one order: by MAX's id or by the client order id. */
export type MaxOrderRef = { venueOrderId: string } | { clientOrderId: string };

function invalid(path: string, message: string, code = 'VALIDATION_FAILED'): ValidationError {
  return new ValidationError(`${path}: ${message}`, [{ path, message }], { code });
}

function positiveDecimal(value: string | undefined, path: string): string {
  if (value === undefined || !DECIMAL_PATTERN.test(value) || /^-/.test(value) || /^0(\.0+)?$/.test(value)) {
    throw invalid(path, 'expected a positive decimal string');
  }
  return value;
}

function checkLimit(limit: number | undefined, max: number): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw invalid('limit', `expected an integer in [1, ${max}]`);
  return limit;
}

function checkTimestamp(ts: number | undefined, path = 'timestamp'): number | undefined {
  if (ts === undefined) return undefined;
  if (!Number.isSafeInteger(ts) || ts < 0) throw invalid(path, 'expected a non-negative integer');
  return ts;
}

/**
 * Checks a client order id against MAX's rule (1–36 characters) and the core's character set.
 * @throws ValidationError (`INVALID_CLIENT_ORDER_ID`).
 */
export function checkClientOrderId(id: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_CLIENT_OID_MAX || !/^[A-Za-z0-9._:-]+$/.test(id)) {
    throw invalid('clientOrderId', `expected 1–${MAX_CLIENT_OID_MAX} chars of letters, digits, ".", "_", ":" or "-"`, 'INVALID_CLIENT_ORDER_ID');
  }
  return id;
}

/** MAX order ids are integers; the body carries them as JSON numbers, as the official SDK sends them. */
function orderIdParam(venueOrderId: string): number {
  if (!/^\d+$/.test(venueOrderId) || !Number.isSafeInteger(Number(venueOrderId))) {
    throw invalid('venueOrderId', 'expected a MAX order id (a decimal integer)');
  }
  return Number(venueOrderId);
}

function refParams(ref: MaxOrderRef, idKey: 'id' | 'order_id'): MaxParams {
  if ('venueOrderId' in ref) return { [idKey]: orderIdParam(ref.venueOrderId) };
  return { client_oid: checkClientOrderId(ref.clientOrderId) };
}

function walletPath(wallet: MaxWallet, rest: string): string {
  return `${MAX_API_PREFIX}/wallet/${wallet}${rest}`;
}

const get = (path: string, params: MaxParams, signed: boolean): MaxRequest => ({ method: 'GET', path, params, signed, kind: 'read' });

/**
 * The MAX `ord_type` for a core order.
 *
 * LIMIT → `limit`; LIMIT + post-only (or GTX) → `post_only`; LIMIT + IOC → `ioc_limit`; MARKET →
 * `market`; STOP_LIMIT → `stop_limit`; STOP_MARKET → `stop_market`.
 *
 * @throws UnsupportedError for what MAX spot does not offer: FOK, take-profit types, reduce-only,
 *   futures, post-only on anything but a limit order.
 */
export function maxOrderType(order: Pick<MaxOrderInput, 'type' | 'timeInForce' | 'postOnly' | 'reduceOnly' | 'market'>): MaxOrderType {
  if (order.market !== undefined && order.market !== 'SPOT') throw new UnsupportedError('MAX trades spot only');
  if (order.reduceOnly) throw new UnsupportedError('MAX spot orders cannot be reduce-only');
  const postOnly = order.postOnly === true || order.timeInForce === 'GTX';
  if (order.timeInForce === 'FOK') throw new UnsupportedError('MAX has no fill-or-kill orders');
  switch (order.type) {
    case 'LIMIT':
      if (postOnly && order.timeInForce === 'IOC') throw new UnsupportedError('an order cannot be both post-only and IOC');
      if (postOnly) return 'post_only';
      return order.timeInForce === 'IOC' ? 'ioc_limit' : 'limit';
    case 'MARKET':
    case 'STOP_LIMIT':
    case 'STOP_MARKET':
      if (postOnly) throw new UnsupportedError(`MAX offers post-only on limit orders only, not ${order.type}`);
      if (order.timeInForce === 'IOC' && order.type === 'STOP_LIMIT') throw new UnsupportedError('MAX has no IOC stop-limit orders');
      return order.type === 'MARKET' ? 'market' : order.type === 'STOP_LIMIT' ? 'stop_limit' : 'stop_market';
    default:
      throw new UnsupportedError(`MAX does not offer ${order.type} orders`);
  }
}

/**
 * `POST /api/v3/wallet/spot/order`: places one order. Parameters in the official SDK's order:
 * `market`, `side` (`buy`/`sell`), `volume`, `price` (not for market types), `stop_price` (stop
 * types), `ord_type`, `client_oid`, `group_id`.
 *
 * Placement is asynchronous and a reused `client_oid` (24 h) is rejected, not deduplicated: after
 * a timeout, settle with {@link orderRequest} by client order id before anything is resent.
 *
 * @throws ValidationError on a missing or malformed quantity, price, stop price, client order id
 *   or group id; UnsupportedError for types MAX does not offer (see {@link maxOrderType}).
 */
export function submitOrderRequest(order: MaxOrderInput, options: SubmitOrderOptions = {}): MaxRequest {
  const ordType = maxOrderType(order);
  const needsPrice = ordType !== 'market' && ordType !== 'stop_market';
  const needsStop = ordType === 'stop_limit' || ordType === 'stop_market';
  if (!needsPrice && order.price !== undefined) throw invalid('price', `must be absent for ${ordType} orders`);
  if (!needsStop && order.stopPrice !== undefined) throw invalid('stopPrice', `must be absent for ${ordType} orders`);
  const groupId = options.groupId;
  if (groupId !== undefined && (!Number.isInteger(groupId) || groupId < 1 || groupId > 2 ** 31 - 1)) {
    throw invalid('groupId', 'expected an integer in [1, 2147483647]');
  }
  return {
    method: 'POST',
    path: walletPath('spot', '/order'),
    params: {
      market: toMaxMarket(order.symbol),
      side: order.side === 'BUY' ? 'buy' : 'sell',
      volume: positiveDecimal(order.qty, 'qty'),
      price: needsPrice ? positiveDecimal(order.price, 'price') : undefined,
      stop_price: needsStop ? positiveDecimal(order.stopPrice, 'stopPrice') : undefined,
      ord_type: ordType,
      client_oid: checkClientOrderId(order.clientOrderId),
      group_id: groupId,
    },
    signed: true,
    kind: 'write',
  };
}

/**
 * `DELETE /api/v3/order`: cancels one order by MAX id (`id`) or client order id (`client_oid`).
 * MAX answers `{ "success": true }` once the cancel is accepted; the final state arrives later.
 *
 * @throws ValidationError on a malformed id.
 */
export function cancelOrderRequest(ref: MaxOrderRef): MaxRequest {
  return { method: 'DELETE', path: `${MAX_API_PREFIX}/order`, params: refParams(ref, 'id'), signed: true, kind: 'write' };
}

/**
 * `DELETE /api/v3/wallet/spot/orders`: cancels every open order, optionally only one market, one
 * side or one group.
 */
export function cancelAllOrdersRequest(filter: { symbol?: string; side?: Side; groupId?: number } = {}): MaxRequest {
  return {
    method: 'DELETE',
    path: walletPath('spot', '/orders'),
    params: {
      market: filter.symbol === undefined ? undefined : toMaxMarket(filter.symbol),
      side: filter.side === undefined ? undefined : filter.side === 'BUY' ? 'buy' : 'sell',
      group_id: filter.groupId,
    },
    signed: true,
    kind: 'write',
  };
}

/** Filters of the v3 order lists. */
export interface OrderListFilter {
  /** Core symbol; absent: every market. */
  symbol?: string;
  /** Orders from this time, epoch ms (ccxt sends ms here and checks 2017–2099). */
  timestamp?: number;
  /** Sort order (MAX default `desc`). */
  orderBy?: MaxOrderBy;
  /** 1–1000 (MAX default 50). */
  limit?: number;
}

function orderListParams(filter: OrderListFilter): MaxParams {
  return {
    market: filter.symbol === undefined ? undefined : toMaxMarket(filter.symbol),
    timestamp: checkTimestamp(filter.timestamp),
    order_by: filter.orderBy,
    limit: checkLimit(filter.limit, 1000),
  };
}

/** `GET /api/v3/wallet/spot/orders/open`: open orders. @throws ValidationError on a bad filter. */
export function openOrdersRequest(filter: OrderListFilter = {}): MaxRequest {
  return get(walletPath('spot', '/orders/open'), orderListParams(filter), true);
}

/** `GET /api/v3/wallet/spot/orders/closed`: recently closed orders. @throws ValidationError on a bad filter. */
export function closedOrdersRequest(filter: OrderListFilter = {}): MaxRequest {
  return get(walletPath('spot', '/orders/closed'), orderListParams(filter), true);
}

/**
 * `GET /api/v3/wallet/spot/orders/history`: orders of one market from an order id upwards.
 * @throws ValidationError on a bad limit or id.
 */
export function orderHistoryRequest(symbol: string, options: { fromId?: string; limit?: number } = {}): MaxRequest {
  return get(
    walletPath('spot', '/orders/history'),
    {
      market: toMaxMarket(symbol),
      from_id: options.fromId === undefined ? undefined : orderIdParam(options.fromId),
      limit: checkLimit(options.limit, 1000),
    },
    true,
  );
}

/**
 * `GET /api/v3/order`: one order by MAX id or client order id. This is how an unknown outcome is
 * settled: a reused `client_oid` is rejected rather than deduplicated, so a submit that timed out
 * is looked up here before anything is sent again.
 *
 * @throws ValidationError on a malformed id.
 */
export function orderRequest(ref: MaxOrderRef): MaxRequest {
  return get(`${MAX_API_PREFIX}/order`, refParams(ref, 'id'), true);
}

/** `GET /api/v3/order/trades`: the trades of one order (by `order_id` or `client_oid`). */
export function orderTradesRequest(ref: MaxOrderRef): MaxRequest {
  return get(`${MAX_API_PREFIX}/order/trades`, refParams(ref, 'order_id'), true);
}

/** `GET /api/v3/wallet/spot/trades`: the account's trades. @throws ValidationError on a bad filter. */
export function myTradesRequest(
  filter: { symbol?: string; timestamp?: number; fromId?: string; order?: 'asc' | 'desc'; limit?: number } = {},
): MaxRequest {
  return get(
    walletPath('spot', '/trades'),
    {
      market: filter.symbol === undefined ? undefined : toMaxMarket(filter.symbol),
      timestamp: checkTimestamp(filter.timestamp),
      from_id: filter.fromId === undefined ? undefined : orderIdParam(filter.fromId),
      order: filter.order,
      limit: checkLimit(filter.limit, 1000),
    },
    true,
  );
}

/**
 * `GET /api/v3/wallet/spot/accounts`: spot balances, optionally of one asset. `balance` in the
 * answer is the available amount.
 */
export function balancesRequest(asset?: string): MaxRequest {
  return get(walletPath('spot', '/accounts'), { currency: asset === undefined ? undefined : toMaxCurrency(asset) }, true);
}

/** `GET /api/v3/info`: the account's VIP level and fees. */
export function userInfoRequest(): MaxRequest {
  return get(`${MAX_API_PREFIX}/info`, {}, true);
}

/** `GET /api/v3/markets`: every market with its precisions and minimums (public). */
export function marketsRequest(): MaxRequest {
  return get(`${MAX_API_PREFIX}/markets`, {}, false);
}

/** `GET /api/v3/timestamp`: the server time, in **seconds** (public). */
export function serverTimeRequest(): MaxRequest {
  return get(`${MAX_API_PREFIX}/timestamp`, {}, false);
}

/** `GET /api/v3/ticker?market=…`: one market's ticker (public). */
export function tickerRequest(symbol: string): MaxRequest {
  return get(`${MAX_API_PREFIX}/ticker`, { market: toMaxMarket(symbol) }, false);
}

/**
 * `GET /api/v3/tickers?markets[]=…`: several markets' tickers (public; v3 requires the list).
 * @throws ValidationError when `symbols` is empty.
 */
export function tickersRequest(symbols: readonly string[]): MaxRequest {
  if (symbols.length === 0) throw invalid('symbols', 'expected at least one symbol');
  return get(`${MAX_API_PREFIX}/tickers`, { markets: symbols.map(toMaxMarket) }, false);
}

/**
 * `GET /api/v3/depth`: an order-book snapshot (public). `limit` 1–300 levels per side. The
 * documented example lists both sides highest price first; the mapper sorts, whatever comes.
 *
 * @throws ValidationError on a bad limit.
 */
export function depthRequest(symbol: string, options: { limit?: number; sortByPrice?: boolean } = {}): MaxRequest {
  return get(
    `${MAX_API_PREFIX}/depth`,
    { market: toMaxMarket(symbol), limit: checkLimit(options.limit, 300), sort_by_price: options.sortByPrice },
    false,
  );
}

/**
 * `GET /api/v3/trades`: recent public trades, newest first (public). `timestamp` is passed through
 * as given: the sources do not state its unit for this endpoint (VENUES.md A.2).
 * @throws ValidationError on a bad limit or timestamp.
 */
export function publicTradesRequest(symbol: string, options: { timestamp?: number; limit?: number } = {}): MaxRequest {
  return get(
    `${MAX_API_PREFIX}/trades`,
    { market: toMaxMarket(symbol), timestamp: checkTimestamp(options.timestamp), limit: checkLimit(options.limit, 1000) },
    false,
  );
}

/** K-line periods MAX accepts, in minutes. */
export const MAX_KLINE_PERIODS: readonly number[] = [1, 5, 15, 30, 60, 120, 240, 360, 720, 1440, 4320, 10080];

/**
 * `GET /api/v3/k`: candles (public). `period` in **minutes**; `timestampSec` is the start, in
 * **seconds**.
 *
 * @throws ValidationError on a period MAX does not offer, a bad limit (1–10000) or timestamp.
 */
export function klineRequest(symbol: string, options: { periodMin: number; limit?: number; timestampSec?: number }): MaxRequest {
  if (!MAX_KLINE_PERIODS.includes(options.periodMin)) throw invalid('periodMin', `expected one of ${MAX_KLINE_PERIODS.join(', ')}`);
  return get(
    `${MAX_API_PREFIX}/k`,
    {
      market: toMaxMarket(symbol),
      limit: checkLimit(options.limit, 10000),
      period: options.periodMin,
      timestamp: checkTimestamp(options.timestampSec, 'timestampSec'),
    },
    false,
  );
}
