import { ChimeraError, isChimeraError } from '@chimera/core';
import { isArangoError, isNetworkError } from 'arangojs/errors';

/** ArangoDB error numbers the store reacts to (ArangoDB `lib/Basics/errors.dat`). */
export const ARANGO_ERROR = {
  /** Write-write conflict with another transaction (HTTP 409). */
  CONFLICT: 1200,
  /** Document not found (HTTP 404). */
  DOCUMENT_NOT_FOUND: 1202,
  /** Collection or view not found (HTTP 404). */
  DATA_SOURCE_NOT_FOUND: 1203,
  /** Duplicate name, e.g. a collection that already exists (HTTP 409). */
  DUPLICATE_NAME: 1207,
  /** Unique constraint violated; for a `_key`: the document already exists (HTTP 409). */
  UNIQUE_CONSTRAINT_VIOLATED: 1210,
  /** Timeout waiting for a lock (HTTP 500). */
  LOCK_TIMEOUT: 18,
  /** Server in maintenance / unavailable (HTTP 503). */
  SERVICE_UNAVAILABLE: 503,
} as const;

/**
 * A failure of an ArangoDB operation. `code` is one of:
 * - `ARANGO_UNAVAILABLE` — the server could not be reached, timed out, or answered 503
 *   (retryable: the write may or may not have happened, but every store write is idempotent);
 * - `ARANGO_CONFLICT` — a write-write conflict or lock timeout with another writer (retryable);
 * - `ARANGO_REQUEST_FAILED` — any other error answer (not retryable).
 *
 * `details` carries `operation`, `errorNum` and `httpStatus` (ArangoDB's, when it answered); never
 * credentials or document contents.
 */
export class ArangoStoreError extends ChimeraError {
  /** ArangoDB's error number, when the server answered with one. */
  readonly errorNum: number | undefined;
  constructor(
    message: string,
    options: { code: 'ARANGO_UNAVAILABLE' | 'ARANGO_CONFLICT' | 'ARANGO_REQUEST_FAILED'; errorNum?: number; httpStatus?: number; operation: string; cause?: unknown },
  ) {
    const retryable = options.code !== 'ARANGO_REQUEST_FAILED';
    super(message, {
      code: options.code,
      status: 503,
      retryable,
      cause: options.cause,
      details: {
        operation: options.operation,
        ...(options.errorNum !== undefined ? { errorNum: options.errorNum } : {}),
        ...(options.httpStatus !== undefined ? { httpStatus: options.httpStatus } : {}),
      },
    });
    this.errorNum = options.errorNum;
  }
}

/** True when `err` is an `ArangoError` with this error number. */
export function hasErrorNum(err: unknown, errorNum: number): boolean {
  return isArangoError(err) && err.errorNum === errorNum;
}

/**
 * Converts anything an arangojs call threw into a typed error. `ChimeraError`s (e.g. the
 * `StateError`s of the transfer rules) pass through unchanged.
 *
 * @param operation - what the store was doing, e.g. `upsertOrders`, for logs and `details`.
 */
export function toStoreError(err: unknown, operation: string): ChimeraError {
  if (isChimeraError(err)) return err;
  if (isArangoError(err)) {
    const httpStatus = typeof err.code === 'number' ? err.code : undefined;
    const code =
      err.errorNum === ARANGO_ERROR.CONFLICT || err.errorNum === ARANGO_ERROR.LOCK_TIMEOUT
        ? 'ARANGO_CONFLICT'
        : err.errorNum === ARANGO_ERROR.SERVICE_UNAVAILABLE || httpStatus === 503
          ? 'ARANGO_UNAVAILABLE'
          : 'ARANGO_REQUEST_FAILED';
    return new ArangoStoreError(`ArangoDB ${operation} failed: ${err.message} (errorNum ${err.errorNum})`, {
      code,
      errorNum: err.errorNum,
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      operation,
      cause: err,
    });
  }
  if (isNetworkError(err)) {
    // HttpError is a NetworkError subclass carrying the HTTP status of a non-ArangoDB error body
    // (a proxy's 502, a load balancer's 503 page).
    const status: unknown = (err as unknown as { code?: unknown }).code;
    const httpStatus = typeof status === 'number' ? status : undefined;
    const unavailable = httpStatus === undefined || httpStatus >= 500;
    return new ArangoStoreError(`ArangoDB ${operation} failed: ${err.message}`, {
      code: unavailable ? 'ARANGO_UNAVAILABLE' : 'ARANGO_REQUEST_FAILED',
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      operation,
      cause: err,
    });
  }
  // Anything else is not a transport or server failure (arangojs wraps those), so retrying the
  // same call would fail the same way.
  const message = err instanceof Error ? err.message : String(err);
  return new ArangoStoreError(`ArangoDB ${operation} failed: ${message}`, { code: 'ARANGO_REQUEST_FAILED', operation, cause: err });
}
