/**
 * The table from MAX REST failures (HTTP status + error envelope) to the core's typed errors
 * (DESIGN.md principle 6; codes from ccxt's MAX implementation, VENUES.md A.3).
 *
 * MAX's envelope is `{"success": false, "error": {"code": 2004, "message": "…"}}`; ccxt also reads
 * a flat `{"code", "message"}`, so both are accepted. Writes whose outcome MAX cannot vouch for
 * (5xx, 408, code 5999) become `UnknownOutcomeError`, settled by a query by client order id
 * before anything is resent (DESIGN.md principle 4).
 *
 * @packageDocumentation
 */
import {
  AuthError,
  ClockSkewError,
  FilterError,
  InsufficientFundsError,
  OrderNotFoundError,
  PostOnlyRejectedError,
  RateLimitError,
  redactString,
  UnknownOutcomeError,
  VenueError,
  type ChimeraError,
  type ErrorMapper,
} from '@chimera/core';

/** What {@link mapMaxError} needs to know about one failed response. */
export interface MaxErrorInput {
  /** HTTP status of the response. */
  status: number;
  /** The decoded body: usually the error envelope, possibly a string (an HTML error page) or nothing. */
  body?: unknown;
  /** Response headers (any case); `Retry-After` is read from them. */
  headers?: Record<string, string | string[] | undefined>;
  /** Whether the request changes state (submit, cancel). */
  isWrite: boolean;
  /** The request path, e.g. `/api/v3/order`: a "resource not found" (4000) on an order path is an unknown order. */
  path?: string;
  /** Current time, epoch ms: needed to read a `Retry-After` that is a unix timestamp. */
  now?: number;
}

/** The code and message of a MAX error body. */
export interface MaxErrorBody {
  /** MAX's numeric code (2004, 2018, …), when the body carries one. */
  code: number | undefined;
  /** MAX's message, redacted of inline secrets; `""` when none. */
  message: string;
}

/**
 * Wait after a 429 that carries no usable `Retry-After`, ms. MAX turns a 429 into an IP ban whose
 * length it does not document, and restarts the penalty when the client retries early, so the
 * wait errs long.
 */
export const DEFAULT_BAN_WAIT_MS = 60_000;

function toCode(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

/**
 * Reads MAX's error envelope (`{ error: { code, message } }` or flat `{ code, message }`), a JSON
 * string of it, or a plain-text body.
 */
export function parseMaxErrorBody(body: unknown): MaxErrorBody {
  if (typeof body === 'string') {
    try {
      return parseMaxErrorBody(JSON.parse(body) as unknown);
    } catch {
      // An HTML error page (a 5xx from the proxy): keep its text without tags.
      return { code: undefined, message: redactString(body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200)) };
    }
  }
  if (typeof body !== 'object' || body === null) return { code: undefined, message: '' };
  const o = body as { error?: unknown; code?: unknown; message?: unknown };
  if (typeof o.error === 'object' && o.error !== null) {
    const e = o.error as { code?: unknown; message?: unknown };
    return { code: toCode(e.code), message: typeof e.message === 'string' ? redactString(e.message) : '' };
  }
  if (typeof o.error === 'string') return { code: toCode(o.code), message: redactString(o.error) };
  return { code: toCode(o.code), message: typeof o.message === 'string' ? redactString(o.message) : '' };
}

function header(headers: MaxErrorInput['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/**
 * Milliseconds to wait from a `Retry-After` value. MAX documents it (for the WebSocket 429) as
 * the unix time in **seconds** when traffic may resume; a small number is read as the standard
 * delay-seconds and an HTTP date as a date.
 *
 * @returns The wait, or `undefined` when absent, unreadable, or a timestamp without `now`.
 */
export function retryAfterMs(value: string | undefined, now?: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // 10^9 s is 2001: a number that large is a timestamp, not a delay.
    if (n >= 1e9) return now === undefined ? undefined : Math.max(0, Math.round(n * 1000 - now));
    return Math.round(n * 1000);
  }
  const at = Date.parse(text);
  if (Number.isNaN(at) || now === undefined) return undefined;
  return Math.max(0, at - now);
}

const AUTH_CODES = new Set([2001, 2005, 2008, 2009, 2010, 2011, 2014, 2015, 2017, 2029, 2060, 2061, 2062, 2064, 2065, 5004]);
const NONCE_CODES = new Set([2006, 2007]);
const ORDER_PATH = /^\/api\/v3\/order(\/|$)/;

function isDuplicateClientOid(code: number | undefined, message: string): boolean {
  if (code === 2036) return true;
  return /client[_ ]?oid/i.test(message) && /(exist|duplicat|taken|already|used|unique)/i.test(message);
}

function isPostOnlyReject(message: string): boolean {
  return /post[_ -]?only/i.test(message) && /(match|take|taker|immediate|cross|execut|reject)/i.test(message);
}

/**
 * Maps one failed MAX REST response to a typed error.
 *
 * The table:
 * - HTTP 429 → `RateLimitError`, **banned** (MAX bans the IP on a 429 and restarts the penalty on
 *   an early retry): wait from `Retry-After` (a unix time in seconds, or delay-seconds), else
 *   {@link DEFAULT_BAN_WAIT_MS}.
 * - 2006 NONCE_USED, 2007 INVALID_NONCE (off by 30 s or more) → `ClockSkewError` (nothing was
 *   executed: resync the offset and send again with a fresh nonce).
 * - 2001, 2005, 2008–2011, 2014, 2015, 2017, 2029, 2060–2065, 5004, HTTP 401 → `AuthError`.
 * - 2004 ORDER_NOT_FOUND, and 4000 RESOURCE_NOT_FOUND on `/api/v3/order…` → `OrderNotFoundError`.
 * - 2018 ACCOUNT_FUNDS, 2025 QUOTA_NOT_ENOUGH → `InsufficientFundsError`.
 * - 2036 DUPLICATED_RESOURCE, or a message saying the `client_oid` already exists →
 *   `VenueError` `DUPLICATE_ORDER` (409): MAX rejects a reused `client_oid` (24 h) instead of
 *   replaying the first order — settle with `GET /api/v3/order?client_oid=` (the code MAX uses
 *   for this is not documented; 2036 is the likely one [unverified]).
 * - a message saying a post-only order would match → `PostOnlyRejectedError` (MAX places orders
 *   asynchronously, so it more likely cancels such an order after accepting it).
 * - 2016 AMOUNT_TOO_SMALL → `FilterError` (`MIN_AMOUNT`); 2020 VOLUME_TOO_LARGE, 2021
 *   VOLUME_OUT_OF_RANGE → `FilterError` (`VOLUME_RANGE`).
 * - 2019 → `INSUFFICIENT_MARKET_DEPTH`; 2024 → `PRICE_CHANGED`; 2034 → `TOO_MANY_ORDERS`;
 *   2002 → `ORDER_REJECTED`; 2003 → `CANCEL_REJECTED`; 2022 → `HAS_OUTSTANDING_ORDER`; 5011 →
 *   `MARKET_PRICE_UNAVAILABLE` (all 422, not retryable).
 * - 2023 CANCELLED_TOO_FREQUENTLY → `CANCEL_RATE_LIMITED` (503, retryable after a pause).
 * - 1001 INVALID_PARAMETER, 4001 BAD_REQUEST → `INVALID_REQUEST` (400).
 * - 2066 API_NOT_READY → `SERVICE_UNAVAILABLE` (503, retryable).
 * - HTTP 5xx, 408, code 5999 SERVER_ERROR: a write → `UnknownOutcomeError`; a read →
 *   `SERVICE_UNAVAILABLE` / `VENUE_TIMEOUT` (503, retryable).
 * - HTTP 403 → `FORBIDDEN`; 404 → `NOT_FOUND`; anything else → `VENUE_REJECTED` (422, with a
 *   code) or `HTTP_<status>`.
 *
 * `details` carry `venueCode`, `venueMessage` (redacted) and `httpStatus`; never a secret.
 */
export function mapMaxError(input: MaxErrorInput): ChimeraError {
  const { status, isWrite } = input;
  const { code, message } = parseMaxErrorBody(input.body);
  const details: Record<string, unknown> = { venueCode: code, venueMessage: message, httpStatus: status };
  const text = `max${code === undefined ? '' : ` ${code}`}: ${message === '' ? `HTTP ${status}` : message}`;
  const venue = (errCode: string, httpStatus: number, retryable = false): VenueError =>
    new VenueError(text, { code: errCode, status: httpStatus, retryable, details });
  const unknownOrRetry = (readCode: string): ChimeraError =>
    isWrite ? new UnknownOutcomeError(`${text} (outcome unknown: settle by query before resending)`, { status: 503, details }) : venue(readCode, 503, true);

  if (status === 429) {
    const wait = retryAfterMs(header(input.headers, 'retry-after'), input.now) ?? DEFAULT_BAN_WAIT_MS;
    return new RateLimitError(text, wait, true, { details });
  }
  if (code !== undefined && NONCE_CODES.has(code)) {
    return new ClockSkewError(text, { details: { ...details, reason: code === 2006 ? 'NONCE_USED' : 'NONCE_OUT_OF_WINDOW' } });
  }
  if (code !== undefined && AUTH_CODES.has(code)) return new AuthError(text, { details });
  if (isDuplicateClientOid(code, message)) {
    return new VenueError(text, {
      code: 'DUPLICATE_ORDER',
      status: 409,
      retryable: false,
      details: { ...details, settleBy: 'GET /api/v3/order?client_oid=' },
    });
  }
  if (isPostOnlyReject(message)) return new PostOnlyRejectedError(text, { details });

  switch (code) {
    case 2004:
      return new OrderNotFoundError(text, { details });
    case 4000:
      if (input.path !== undefined && ORDER_PATH.test(input.path)) return new OrderNotFoundError(text, { details });
      return venue('NOT_FOUND', 404);
    case 2018:
    case 2025:
      return new InsufficientFundsError(text, { details });
    case 2016:
      return new FilterError(text, { code: 'VENUE_FILTER_FAILED', details: { ...details, filter: 'MIN_AMOUNT' } });
    case 2020:
    case 2021:
      return new FilterError(text, { code: 'VENUE_FILTER_FAILED', details: { ...details, filter: 'VOLUME_RANGE' } });
    case 2019:
      return venue('INSUFFICIENT_MARKET_DEPTH', 422);
    case 2024:
      return venue('PRICE_CHANGED', 422);
    case 2034:
      return venue('TOO_MANY_ORDERS', 422);
    case 2002:
      return venue('ORDER_REJECTED', 422);
    case 2003:
      return venue('CANCEL_REJECTED', 422);
    case 2022:
      return venue('HAS_OUTSTANDING_ORDER', 422);
    case 5011:
      return venue('MARKET_PRICE_UNAVAILABLE', 422);
    case 2023:
      return venue('CANCEL_RATE_LIMITED', 503, true);
    case 1001:
    case 4001:
      return venue('INVALID_REQUEST', 400);
    case 2066:
      return venue('SERVICE_UNAVAILABLE', 503, true);
    case 5999:
      return unknownOrRetry('SERVICE_UNAVAILABLE');
  }

  if (status === 408) return unknownOrRetry('VENUE_TIMEOUT');
  if (status >= 500) return unknownOrRetry('SERVICE_UNAVAILABLE');
  if (status === 401) return new AuthError(text, { details });
  if (status === 403) return venue('FORBIDDEN', 403);
  if (code === undefined && status === 404) return venue('NOT_FOUND', 404);
  return code === undefined ? venue(`HTTP_${status}`, status >= 400 && status < 500 ? status : 503) : venue('VENUE_REJECTED', 422);
}

/** Options of {@link createMaxErrorMapper}. */
export interface MaxErrorMapperOptions {
  /** The clock, epoch ms: reads a `Retry-After` given as a unix timestamp. */
  now: () => number;
}

/**
 * {@link mapMaxError} in the shape the core `RestClient` takes (`errorMapper`): the request kind
 * says whether it was a write, its path whether a 4000 means an unknown order.
 */
export function createMaxErrorMapper(options: MaxErrorMapperOptions): ErrorMapper {
  return (status, body, headers, context) =>
    mapMaxError({ status, body, headers, isWrite: context.kind === 'write', path: context.path, now: options.now() });
}
