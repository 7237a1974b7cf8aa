/**
 * One REST endpoint of the local exchange: method, path, security, the documented weight and
 * order count, and the handler that maps the request onto the paper engine.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { Instrument, Market } from '@chimera/core';
import type { BinanceProduct } from '../rest/request.js';
import type { ExchangeState } from './exchange-state.js';
import type { RequestParams } from './request-params.js';
import { BinanceWireError, invalidSymbol, mandatory } from './wire-error.js';

/** What a handler receives. */
export interface RouteContext {
  /** The request's parameters (query and body merged). */
  params: RequestParams;
  /** The exchange's state and engine. */
  state: ExchangeState;
  /** Which API the path belongs to. */
  product: BinanceProduct;
  /** The checked API key of a signed or `apiKeyOnly` request. */
  apiKey?: string;
}

/**
 * The published depth of a symbol as the depth endpoints serve it: the WebSocket face's
 * snapshot, whose `lastUpdateId` lines up with the diff stream (UM adds `E` and `T`).
 */
export type DepthSource = (
  market: Market,
  symbol: string,
  limit: number,
) => { lastUpdateId: number; bids: [string, string][]; asks: [string, string][]; E?: number; T?: number };

/** One endpoint. */
export interface Route {
  /** HTTP method. */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path, e.g. `/api/v3/order`. */
  path: string;
  /** TRADE / USER_DATA: needs the API key, `timestamp` and `signature`. */
  signed: boolean;
  /** USER_STREAM: needs the API key header only (no timestamp, no signature). */
  apiKeyOnly?: boolean;
  /** Documented IP request weight (charged up front; failures always pay it). */
  weight: number | ((params: RequestParams) => number);
  /** Weight of a successful call when it differs (Spot order placement and cancel: 0 since 2026-04-02). */
  successWeight?: number;
  /** Orders the call adds to the order counters. */
  orders?: number;
  /** Serves the request: returns the JSON body, or throws (a `BinanceWireError` or an engine error). */
  handle(ctx: RouteContext): unknown;
}

/** The instrument of a symbol parameter. @throws BinanceWireError `-1102` or `-1121`. */
export function instrumentOf(state: ExchangeState, market: Market, symbol: string | undefined): Instrument {
  if (symbol === undefined) throw mandatory('symbol');
  try {
    return state.engine.instrument(market, symbol);
  } catch {
    throw invalidSymbol();
  }
}

/** Decimal places of a decimal string. */
export function decimalsOf(value: string): number {
  const i = value.indexOf('.');
  return i < 0 ? 0 : value.length - i - 1;
}

/**
 * Spot's precision rule: more than 8 decimals is `-1111`; anything on fewer decimals but off the
 * grid is left to the filters (`-1013`).
 */
export function checkSpotPrecision(name: string, value: string | undefined): void {
  if (value !== undefined && decimalsOf(value) > 8) throw new BinanceWireError(400, -1111, `Parameter '${name}' has too much precision.`);
}

/**
 * UM's precision rule: more decimals than the tick (prices) or step (quantities) is `-1111`, even
 * when the extra digits are zeros (BINANCE.md §5).
 */
export function checkUmPrecision(value: string | undefined, grid: string): void {
  if (value === undefined) return;
  if (decimalsOf(value) > decimalsOf(new Big(grid).toFixed())) {
    throw new BinanceWireError(400, -1111, 'Precision is over the maximum defined for this asset.');
  }
}

/** An optional time window from `startTime` / `endTime`, checked against a maximum span. */
export function windowOf(params: RequestParams, maxSpanMs: number | undefined, spanMsg: string): { startTime?: number; endTime?: number } {
  const startTime = params.int('startTime');
  const endTime = params.int('endTime');
  if (startTime !== undefined && endTime !== undefined) {
    if (startTime > endTime) throw new BinanceWireError(400, -1127, spanMsg);
    if (maxSpanMs !== undefined && endTime - startTime > maxSpanMs) throw new BinanceWireError(400, -1127, spanMsg);
  }
  const out: { startTime?: number; endTime?: number } = {};
  if (startTime !== undefined) out.startTime = startTime;
  if (endTime !== undefined) out.endTime = endTime;
  return out;
}

/** `limit` within bounds (default `def`). @throws BinanceWireError `-1100` outside them. */
export function limitOf(params: RequestParams, def: number, max: number): number {
  const limit = params.int('limit') ?? def;
  if (limit < 1 || limit > max) throw new BinanceWireError(400, -1100, `Illegal characters found in parameter 'limit'; legal range is '1-${max}'.`);
  return limit;
}

/**
 * Orders (or trades) of a history query: ids ≥ `fromId` when given, then the first `limit` when
 * a start (`fromId` or `startTime`) was given, else the most recent `limit`; oldest first.
 */
export function page<T>(rows: readonly T[], idOf: (row: T) => string, fromId: number | undefined, fromStart: boolean, limit: number): T[] {
  const sorted = rows.slice().sort((a, b) => Number(idOf(a)) - Number(idOf(b)));
  const from = fromId === undefined ? sorted : sorted.filter((r) => Number(idOf(r)) >= fromId);
  return fromId !== undefined || fromStart ? from.slice(0, limit) : from.slice(-limit);
}
