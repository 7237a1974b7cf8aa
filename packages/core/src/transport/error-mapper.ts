/**
 * Turning a non-2xx venue response into a typed error. The venue adapter supplies its own mapper
 * (its code table: `-1021` → `ClockSkewError`, `-2013` → `OrderNotFoundError` …); the default
 * here knows only HTTP.
 *
 * @packageDocumentation
 */
import {
  AuthError,
  ChimeraError,
  NetworkError,
  RateLimitError,
  UnknownOutcomeError,
  VenueError,
} from '../errors.js';
import { redact } from '../logging/logger.js';
import type { ResponseHeaders } from './http-headers.js';
import type { RequestKind } from './rest-client.js';

/** What the request was, for mappers whose answer depends on it (a 5xx on a write is unknown). */
export interface ErrorContext {
  /** HTTP method. */
  method: string;
  /** Request path without the query string (which may carry a signature). */
  path: string;
  /** `read` or `write`. */
  kind: RequestKind;
}

/**
 * Maps a non-2xx response to a `ChimeraError`. Conventions the transport relies on:
 * return `UnknownOutcomeError` when the venue cannot say whether a write executed (5xx, UM 503
 * "Unknown error"); set `retryable` only when the same request may be sent again; return
 * `RateLimitError` for the venue's rate-limit answers (the transport takes `retryAfterMs` and
 * `banned` from it, falling back to the `Retry-After` header). Never put secrets in the error.
 */
export type ErrorMapper = (status: number, body: unknown, headers: ResponseHeaders, context: ErrorContext) => ChimeraError;

const MAX_BODY_CHARS = 500;

/** A short, redacted copy of a response body for error details. */
export function bodyExcerpt(body: unknown): unknown {
  const clean = redact(body);
  const text = typeof clean === 'string' ? clean : JSON.stringify(clean);
  if (text === undefined) return undefined;
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…` : clean;
}

/**
 * The venue-neutral mapping used when an adapter supplies none:
 * 401/403 → `AuthError`; 418 → banned `RateLimitError`; 429 → `RateLimitError`;
 * 408 and 5xx → `UnknownOutcomeError` for writes (the venue may have executed it) and a retryable
 * `NetworkError` with `details.sent: true` for reads; other statuses → non-retryable `VenueError`.
 * `details` carries `httpStatus`, `method`, `path` and a redacted body excerpt; `retryAfterMs` is 0
 * here (the transport reads `Retry-After`).
 */
export function defaultErrorMapper(status: number, body: unknown, _headers: ResponseHeaders, context: ErrorContext): ChimeraError {
  const details = { httpStatus: status, method: context.method, path: context.path, body: bodyExcerpt(body) };
  const what = `${context.method} ${context.path} answered HTTP ${status}`;
  if (status === 418) return new RateLimitError(`${what} (banned)`, 0, true, { details });
  if (status === 429) return new RateLimitError(`${what} (rate limited)`, 0, false, { details });
  if (status === 401 || status === 403) return new AuthError(what, { details });
  if (status === 408 || status >= 500) {
    return context.kind === 'write'
      ? new UnknownOutcomeError(`${what}; the write may have executed`, { details })
      : new NetworkError(what, { details: { ...details, sent: true } });
  }
  return new VenueError(what, { details, retryable: false });
}
