/**
 * USDⓈ-M account endpoints as data (BINANCE.md §4d): positions, balances, symbol settings,
 * leverage and margin type, funding income, the account's trades and leverage brackets.
 *
 * @packageDocumentation
 */
import { intParam, invalid, symbolParam, windowParams } from './order-common.js';
import type { BinanceParams, BinanceRequest } from './request.js';

function get(path: string, params: BinanceParams, weight: number): BinanceRequest {
  return { method: 'GET', path, params, weight, signed: true, kind: 'read', product: 'um' };
}

function post(path: string, params: BinanceParams, weight: number): BinanceRequest {
  return { method: 'POST', path, params, weight, signed: true, kind: 'write', product: 'um' };
}

function optionalSymbol(symbol?: string): BinanceParams {
  return symbol === undefined ? {} : { symbol: symbolParam(symbol) };
}

/**
 * `GET /fapi/v3/positionRisk` (v2 is being retired): positions of symbols with a position or an
 * open order. v3 has no leverage or margin type; read those from {@link buildUmSymbolConfig}.
 * Weight 5.
 */
export function buildUmPositionRisk(symbol?: string): BinanceRequest {
  return get('/fapi/v3/positionRisk', optionalSymbol(symbol), 5);
}

/** `GET /fapi/v3/balance`: the futures wallet per asset. Weight 5. */
export function buildUmBalance(): BinanceRequest {
  return get('/fapi/v3/balance', {}, 5);
}

/** `GET /fapi/v3/account`: wallet totals, assets and positions in one call. Weight 5. */
export function buildUmAccount(): BinanceRequest {
  return get('/fapi/v3/account', {}, 5);
}

/** `GET /fapi/v1/symbolConfig`: margin type and leverage per symbol. Weight 5. */
export function buildUmSymbolConfig(symbol?: string): BinanceRequest {
  return get('/fapi/v1/symbolConfig', optionalSymbol(symbol), 5);
}

/** `GET /fapi/v1/leverageBracket` (signed): notional brackets per symbol. Weight 1. */
export function buildUmLeverageBracket(symbol?: string): BinanceRequest {
  return get('/fapi/v1/leverageBracket', optionalSymbol(symbol), 1);
}

/**
 * `POST /fapi/v1/leverage`: sets the initial leverage of a symbol (idempotent). Weight 1.
 * @param leverage - Integer 1–125.
 * @throws ValidationError (`INVALID_LIMIT`) outside 1–125.
 */
export function buildUmSetLeverage(symbol: string, leverage: number): BinanceRequest {
  return post('/fapi/v1/leverage', { symbol: symbolParam(symbol), leverage: intParam('leverage', leverage, 1, 125) }, 1);
}

/**
 * `POST /fapi/v1/marginType`: sets ISOLATED or CROSSED. "Already set" comes back as `-4046`,
 * which `mapBinanceError` reports as success. Weight 1.
 * @throws ValidationError (`INVALID_MARGIN_TYPE`).
 */
export function buildUmSetMarginType(symbol: string, marginType: 'ISOLATED' | 'CROSSED'): BinanceRequest {
  if (marginType !== 'ISOLATED' && marginType !== 'CROSSED') invalid('INVALID_MARGIN_TYPE', 'marginType', 'expected ISOLATED or CROSSED');
  return post('/fapi/v1/marginType', { symbol: symbolParam(symbol), marginType }, 1);
}

/** Filters of {@link buildUmFundingIncome}. */
export interface UmIncomeQuery {
  /** Only this symbol. */
  symbol?: string;
  /** Window start, epoch ms (inclusive). Without a window Binance returns the last 7 days. */
  startTime?: number;
  /** Window end, epoch ms (inclusive). */
  endTime?: number;
  /** Page number, from 1. */
  page?: number;
  /** Rows, 1–1000 (default 1000 here, to backfill in few calls; Binance's default is 100). */
  limit?: number;
}

/**
 * `GET /fapi/v1/income?incomeType=FUNDING_FEE`: funding payments (kept 3 months). Weight 30.
 * @throws ValidationError on a bad symbol, window, page or limit.
 */
export function buildUmFundingIncome(query: UmIncomeQuery = {}): BinanceRequest {
  const params: BinanceParams = { ...optionalSymbol(query.symbol), incomeType: 'FUNDING_FEE', ...windowParams(query) };
  if (query.page !== undefined) params.page = intParam('page', query.page, 1, 1_000_000);
  params.limit = intParam('limit', query.limit ?? 1000, 1, 1000);
  return get('/fapi/v1/income', params, 30);
}

/** Filters of {@link buildUmUserTrades}. */
export interface UmTradesQuery {
  /** Only the trades of this order. */
  orderId?: string;
  /** Window start, epoch ms (window at most 7 days). */
  startTime?: number;
  /** Window end, epoch ms. */
  endTime?: number;
  /** Trades from this id on (cannot be combined with a window). */
  fromId?: string;
  /** Rows, 1–1000 (Binance default 500). */
  limit?: number;
}

/**
 * `GET /fapi/v1/userTrades` for one symbol. Weight 5.
 * @throws ValidationError on a bad symbol, id, limit, a window over 7 days, or `fromId` with a window.
 */
export function buildUmUserTrades(symbol: string, query: UmTradesQuery = {}): BinanceRequest {
  const params: BinanceParams = { symbol: symbolParam(symbol) };
  if (query.orderId !== undefined) {
    if (!/^\d+$/.test(query.orderId)) invalid('INVALID_ORDER_REF', 'orderId', 'expected the numeric Binance id');
    params.orderId = query.orderId;
  }
  const window = windowParams(query);
  if (query.startTime !== undefined && query.endTime !== undefined && query.endTime - query.startTime > 7 * 24 * 3600_000) {
    invalid('INVALID_WINDOW', 'endTime', 'UM allows at most 7 days between startTime and endTime');
  }
  if (query.fromId !== undefined) {
    if (Object.keys(window).length > 0) invalid('INVALID_WINDOW', 'fromId', 'cannot be combined with startTime/endTime');
    if (!/^\d+$/.test(query.fromId)) invalid('INVALID_ORDER_REF', 'fromId', 'expected a numeric trade id');
  }
  Object.assign(params, window);
  if (query.fromId !== undefined) params.fromId = query.fromId;
  if (query.limit !== undefined) params.limit = intParam('limit', query.limit, 1, 1000);
  return get('/fapi/v1/userTrades', params, 5);
}
