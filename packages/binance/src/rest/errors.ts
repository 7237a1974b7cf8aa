/**
 * The table from Binance REST failures (HTTP status + `{ code, msg }`) to the core's typed errors
 * (DESIGN.md principle 6, BINANCE.md §3 and §9).
 *
 * Codes are read per product because several mean different things on Spot and UM (`-2021`,
 * `-2022`, `-2026`, `-1013`), and Spot's `-2010`/`-2011` carry the real reason in the message.
 * Writes whose outcome Binance declares unknown (5xx, UM 503 "Unknown error…", `-1006`, `-1007`,
 * HTTP 408) become `UnknownOutcomeError`, never a failure, so the caller settles them by a query
 * instead of resending. UM's "No need to change margin type" (`-4046`) is reported as success.
 *
 * @packageDocumentation
 */
import {
  AuthError,
  ChimeraError,
  ClockSkewError,
  FilterError,
  InsufficientFundsError,
  OrderNotFoundError,
  PostOnlyRejectedError,
  RateLimitError,
  redactString,
  UnknownOutcomeError,
  UnsupportedError,
  VenueError,
} from '@chimera/core';
import type { BinanceProduct } from './request.js';

/** What {@link mapBinanceError} needs to know about one failed response. */
export interface BinanceErrorInput {
  /** Which API answered: codes are read in that product's dialect. */
  product: BinanceProduct;
  /** HTTP status of the response. */
  status: number;
  /** The decoded body: usually `{ code, msg }`, possibly a string or nothing. */
  body?: unknown;
  /** Response headers (any case); `Retry-After` is read from them. */
  headers?: Record<string, string | string[] | undefined>;
  /** Whether the request changes state (orders, cancels, leverage, transfers). */
  isWrite: boolean;
  /** Current time in epoch ms, to turn "banned until <ts>" into a wait. Default: no such use. */
  now?: number;
}

/** Binance reported a failure: throw `error`. */
export interface BinanceFailure {
  outcome: 'error';
  /** The typed error to throw; `details` carry `venueCode`, `venueMessage`, `httpStatus`, `product`. */
  error: ChimeraError;
}

/** Binance reported "nothing to do": the requested state already holds; treat as success. */
export interface BinanceAlreadyDone {
  outcome: 'success';
  /** The venue code that says so (`-4046` margin type already set, `-4059` position side already set). */
  venueCode: number;
  /** The venue's message. */
  venueMessage: string;
}

/** The result of {@link mapBinanceError}. */
export type BinanceErrorOutcome = BinanceFailure | BinanceAlreadyDone;

/** Wait after a 429 that carries no `Retry-After` (order-count limits): the 10-second window. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 10_000;

/** Wait after a 418 with no `Retry-After` and no "banned until": Binance's shortest ban. */
export const DEFAULT_BAN_WAIT_MS = 120_000;

/** UM 503 whose outcome is unknown (UM general info, "HTTP 503 Status: Message Variants"). */
const UM_UNKNOWN_503 = 'unknown error, please check your request or try again later';

// UM filter-rule codes (error-code page §40xx): price/qty bounds, tick/step, PERCENT_PRICE bands.
const UM_FILTER_CODES = new Set([
  -4001, -4002, -4003, -4004, -4005, -4006, -4007, -4013, -4014, -4016, -4023, -4024, -4131, -4164, -4183, -4184, -4210, -4211,
]);

interface Parsed {
  code: number | undefined;
  msg: string;
}

function parseBody(body: unknown): Parsed {
  if (typeof body === 'object' && body !== null) {
    const o = body as { code?: unknown; msg?: unknown };
    const code = typeof o.code === 'number' ? o.code : typeof o.code === 'string' && /^-?\d+$/.test(o.code) ? Number(o.code) : undefined;
    return { code, msg: typeof o.msg === 'string' ? o.msg : '' };
  }
  if (typeof body === 'string') {
    try {
      return parseBody(JSON.parse(body));
    } catch {
      return { code: undefined, msg: body.slice(0, 200) };
    }
  }
  return { code: undefined, msg: '' };
}

function header(headers: BinanceErrorInput['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

function retryAfterMs(input: BinanceErrorInput, msg: string, banned: boolean): number {
  const raw = header(input.headers, 'retry-after');
  if (raw !== undefined && /^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const until = /banned until (\d{10,})/i.exec(msg);
  if (until && input.now !== undefined) return Math.max(0, Number(until[1]) - input.now);
  return banned ? DEFAULT_BAN_WAIT_MS : DEFAULT_RATE_LIMIT_WAIT_MS;
}

/**
 * Maps one failed Binance REST response to a typed error (or to "already done").
 *
 * The table (S = Spot, U = UM):
 * - HTTP 418, or `-1003` "banned until" → `RateLimitError` (banned, wait from `Retry-After`, the
 *   ban time, or 2 min); HTTP 429, `-1003`, `-1015` (order-count limit) → `RateLimitError` (wait
 *   from `Retry-After`, else 10 s).
 * - `-1021`, U `-5028` → `ClockSkewError` (resync the clock, retry once: nothing was executed).
 * - `-1002`, `-1022`, `-2014`, `-2015`, `-2017`, HTTP 401 → `AuthError`.
 * - S `-2010` by message: "…immediately match and take." → `PostOnlyRejectedError`;
 *   "…insufficient balance…" → `InsufficientFundsError`; "Duplicate order sent." → code
 *   `DUPLICATE_ORDER` (the connector contract's code); "Order would trigger immediately." → `WOULD_TRIGGER_IMMEDIATELY`;
 *   "Market is closed." → `MARKET_CLOSED`; "… not supported for this symbol" → `UnsupportedError`;
 *   else `ORDER_REJECTED`. U `-2010` → `ORDER_REJECTED`.
 * - U `-5022` → `PostOnlyRejectedError`; U `-5021` → `FOK_REJECTED`.
 * - `-2011` → `OrderNotFoundError`, except S "…due to cancel restrictions." → `CANCEL_REJECTED`;
 *   `-2013` → `OrderNotFoundError`; S `-2026` (archived) → `OrderNotFoundError`.
 * - S `-1013` → `FilterError` (`details.filter` from "Filter failure: X"); U `-1013` →
 *   `FilterError` when the message names a filter, else `INVALID_MESSAGE` (400); `-1111` →
 *   `FilterError` `BAD_PRECISION`; U `-4001…-4211` filter codes, incl. `-4164` MIN_NOTIONAL and
 *   `-4131` → `FilterError`.
 * - U `-2018`, `-2019`, `-4050`, `-4051` → `InsufficientFundsError`.
 * - U `-4120` → `ALGO_ENDPOINT_REQUIRED` (conditional order sent to `/fapi/v1/order`).
 * - `-2021`: S `CANCEL_REPLACE_PARTIAL` (409), U `WOULD_TRIGGER_IMMEDIATELY`; `-2022`: S
 *   `CANCEL_REPLACE_FAILED`, U `REDUCE_ONLY_REJECTED`; U `-2026` `REDUCE_ONLY_TYPE_UNSUPPORTED`.
 * - U `-4015` `INVALID_CLIENT_ORDER_ID` (400); U `-4116` `DUPLICATE_ORDER` (the connector contract's code).
 * - U `-4046`, `-4059` → `{ outcome: 'success' }`.
 * - `-1121` `UNKNOWN_SYMBOL`; `-1125` `LISTEN_KEY_INVALID`; other `-11xx` → `INVALID_REQUEST` (400).
 * - HTTP 5xx and 408: Spot declares every 5xx outcome unknown, so writes →
 *   `UnknownOutcomeError` and reads → `SERVICE_UNAVAILABLE` / `VENUE_TIMEOUT` (retryable). UM
 *   documents its 503 variants: "Unknown error, please check your request…" → unknown as above;
 *   "Service Unavailable.", "Internal error; unable to process your request…" and `-1001` →
 *   `SERVICE_UNAVAILABLE` (a definite failure, retryable); `-1008` → `VENUE_OVERLOADED`
 *   (retryable, reduce concurrency); any other UM 5xx → unknown as above.
 * - `-1008` / `-1001` with a 4xx status → `VENUE_OVERLOADED` / `SERVICE_UNAVAILABLE`, retryable.
 * - `-1000`, `-1006`, `-1007` (execution status unknown) with a 4xx status → unknown as above.
 * - HTTP 403 → `WAF_BLOCKED`; HTTP 410 → `ENDPOINT_GONE`; anything else → `VenueError`
 *   (`VENUE_REJECTED`, or `HTTP_<status>` without a code).
 *
 * The venue message is passed through `redactString`, so an echoed parameter cannot leak a key.
 *
 * @param input - Product, HTTP status, body, headers and whether the request was a write.
 * @returns `{ outcome: 'error', error }` or `{ outcome: 'success', venueCode, venueMessage }`.
 */
export function mapBinanceError(input: BinanceErrorInput): BinanceErrorOutcome {
  const { product, status, isWrite } = input;
  const parsed = parseBody(input.body);
  const code = parsed.code;
  const msg = redactString(parsed.msg);
  const lower = msg.toLowerCase();
  const details: Record<string, unknown> = { venueCode: code, venueMessage: msg, httpStatus: status, product };
  const text = `binance ${product}${code === undefined ? '' : ` ${code}`}: ${msg === '' ? `HTTP ${status}` : msg}`;
  const fail = (error: ChimeraError): BinanceFailure => ({ outcome: 'error', error });
  const venue = (errCode: string, httpStatus: number, retryable = false): BinanceFailure =>
    fail(new VenueError(text, { code: errCode, status: httpStatus, retryable, details }));
  const unknownOrRetry = (readCode: string): BinanceFailure =>
    isWrite
      ? fail(new UnknownOutcomeError(`${text} (outcome unknown: settle by query before resending)`, { status: 503, details }))
      : venue(readCode, 503, true);

  // Rate limits come first: their status is authoritative whatever the body says.
  if (status === 418 || (code === -1003 && /banned/i.test(msg))) {
    return fail(new RateLimitError(text, retryAfterMs(input, msg, true), true, { details }));
  }
  // -1015 (order-count limit) normally arrives as a 429 without Retry-After; read it as one whatever the status.
  if (status === 429 || code === -1003 || code === -1015) {
    return fail(new RateLimitError(text, retryAfterMs(input, msg, false), false, { details }));
  }

  if (status === 408 || status >= 500) {
    // Spot: every 5xx leaves the outcome unknown. UM documents which 503s are definite failures.
    if (product === 'um') {
      if (lower.startsWith(UM_UNKNOWN_503)) return unknownOrRetry('VENUE_TIMEOUT');
      if (lower.startsWith('service unavailable') || lower.startsWith('internal error; unable to process your request') || code === -1001) {
        return venue('SERVICE_UNAVAILABLE', 503, true);
      }
      if (code === -1008) return venue('VENUE_OVERLOADED', 503, true);
    }
    return unknownOrRetry(status === 408 ? 'VENUE_TIMEOUT' : 'SERVICE_UNAVAILABLE');
  }

  if (code !== undefined) {
    const mapped = byCode(product, code, lower, text, details);
    if (mapped) return mapped;
    if (code === -1000 || code === -1006 || code === -1007) return unknownOrRetry('VENUE_TIMEOUT');
  }

  if (status === 401) return fail(new AuthError(text, { details }));
  if (status === 403) return venue('WAF_BLOCKED', 403);
  if (status === 410) return venue('ENDPOINT_GONE', 410);
  if (code !== undefined && code <= -1100 && code > -1200) return venue('INVALID_REQUEST', 400);
  return code === undefined ? venue(`HTTP_${status}`, status >= 400 && status < 500 ? status : 503) : venue('VENUE_REJECTED', 422);
}

function byCode(product: BinanceProduct, code: number, lower: string, text: string, details: Record<string, unknown>): BinanceErrorOutcome | undefined {
  const fail = (error: ChimeraError): BinanceFailure => ({ outcome: 'error', error });
  const venue = (errCode: string, httpStatus: number, retryable = false): BinanceFailure =>
    fail(new VenueError(text, { code: errCode, status: httpStatus, retryable, details }));
  const spot = product === 'spot';
  const filterName = /filter failure:\s*([a-z_]+)/i.exec(text)?.[1]?.toUpperCase();

  switch (code) {
    case -1021:
      return fail(new ClockSkewError(text, { details }));
    case -1002:
    case -1022:
    case -2014:
    case -2015:
    case -2017:
      return fail(new AuthError(text, { details }));
    case -1008:
      return venue('VENUE_OVERLOADED', 503, true);
    case -1001:
      return venue('SERVICE_UNAVAILABLE', 503, true);
    case -1121:
      return venue('UNKNOWN_SYMBOL', 404);
    case -1125:
      return venue('LISTEN_KEY_INVALID', 400);
    case -1111:
      return fail(new FilterError(text, { code: 'BAD_PRECISION', details: { ...details, filter: 'PRECISION' } }));
    case -1013:
      if (spot || filterName !== undefined) {
        return fail(new FilterError(text, { code: 'VENUE_FILTER_FAILED', details: { ...details, filter: filterName ?? 'UNKNOWN' } }));
      }
      return venue('INVALID_MESSAGE', 400);
    case -2010:
      if (!spot) return venue('ORDER_REJECTED', 422);
      if (lower.includes('immediately match and take')) return fail(new PostOnlyRejectedError(text, { details }));
      if (lower.includes('insufficient balance')) return fail(new InsufficientFundsError(text, { details }));
      if (lower.includes('duplicate order')) return venue('DUPLICATE_ORDER', 422);
      if (lower.includes('would trigger immediately')) return venue('WOULD_TRIGGER_IMMEDIATELY', 422);
      if (lower.includes('market is closed')) return venue('MARKET_CLOSED', 422);
      if (lower.includes('not supported for this symbol') || lower.includes('not support for this symbol')) {
        return fail(new UnsupportedError(text, { details }));
      }
      return venue('ORDER_REJECTED', 422);
    case -2011:
      if (lower.includes('cancel restrictions')) return venue('CANCEL_REJECTED', 422);
      return fail(new OrderNotFoundError(text, { details }));
    case -2013:
      return fail(new OrderNotFoundError(text, { details }));
    case -2021:
      return spot ? venue('CANCEL_REPLACE_PARTIAL', 409) : venue('WOULD_TRIGGER_IMMEDIATELY', 422);
    case -2022:
      return spot ? venue('CANCEL_REPLACE_FAILED', 422) : venue('REDUCE_ONLY_REJECTED', 422);
    case -2026:
      return spot ? fail(new OrderNotFoundError(text, { details: { ...details, archived: true } })) : venue('REDUCE_ONLY_TYPE_UNSUPPORTED', 422);
  }
  if (spot) return undefined;
  switch (code) {
    case -5028:
      return fail(new ClockSkewError(text, { details }));
    case -5022:
      return fail(new PostOnlyRejectedError(text, { details }));
    case -5021:
      return venue('FOK_REJECTED', 422);
    case -2018:
    case -2019:
    case -4050:
    case -4051:
      return fail(new InsufficientFundsError(text, { details }));
    case -4120:
      return venue('ALGO_ENDPOINT_REQUIRED', 422);
    case -4015:
      return venue('INVALID_CLIENT_ORDER_ID', 400);
    case -4116:
      return venue('DUPLICATE_ORDER', 422);
    case -4046:
    case -4059:
      return { outcome: 'success', venueCode: code, venueMessage: String(details.venueMessage) };
  }
  if (UM_FILTER_CODES.has(code)) {
    return fail(new FilterError(text, { code: 'VENUE_FILTER_FAILED', details: { ...details, filter: code === -4164 ? 'MIN_NOTIONAL' : String(code) } }));
  }
  return undefined;
}
