/**
 * Outcome classes (DESIGN.md principle 4): a request that failed before leaving is *denied*, a
 * venue answer is *definitive*, and a timeout, dropped socket or 5xx after sending is *unknown*.
 * A submit whose outcome is unknown is settled by a query by client order id — never resent.
 *
 * @packageDocumentation
 */
import type { Clock } from '../clock/clock.js';
import { isChimeraError, UnknownOutcomeError } from '../errors.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';

/**
 * - `denied`: refused before it left (local rate limit or ban, connection refused, bad input):
 *   it certainly did not execute, and may be sent again.
 * - `definitive`: the venue answered (a rejection, a 429/418): what happened is known.
 * - `unknown`: it may or may not have executed. Settle it, never resend it.
 */
export type OutcomeClass = 'denied' | 'definitive' | 'unknown';

/**
 * Classifies a failure. Conventions it relies on (the `RestClient` follows them):
 * `UnknownOutcomeError` → unknown; `NetworkError` → unknown when `details.sent === true` (it failed
 * after the request was written), else denied; any other `ChimeraError` with
 * `details.local === true` → denied (refused by the client itself); any other `ChimeraError` →
 * definitive. Anything that is not a `ChimeraError` is unknown, because nothing proves it did not
 * reach the venue.
 */
export function classifyOutcome(err: unknown): OutcomeClass {
  if (!isChimeraError(err)) return 'unknown';
  if (err.code === 'UNKNOWN_OUTCOME') return 'unknown';
  if (err.code === 'NETWORK_ERROR') return err.details.sent === true ? 'unknown' : 'denied';
  if (err.details.local === true) return 'denied';
  return 'definitive';
}

/** Options of {@link settleUnknown}. */
export interface SettleUnknownOptions<T> {
  /** Sends the order once. Its client order id must already be fixed (and persisted). */
  submit: () => Promise<T>;
  /**
   * Looks the order up by its client order id. Resolving `undefined`/`null`, or throwing an error
   * `isNotFound` accepts, means "the venue does not know it (yet)".
   */
  query: () => Promise<T | null | undefined>;
  /** True when a query error means "no such order" (e.g. the venue's `-2013`). */
  isNotFound: (err: unknown) => boolean;
  /** Time source for the waits between queries. */
  clock: Clock;
  /** How many queries at most (default 3, at least 1). */
  attempts?: number;
  /**
   * Wait before each query, in ms (default 1000): an order that was still in flight when the
   * connection dropped may take a moment to become visible. 0 queries at once.
   */
  delayMs?: number;
  /** Secret-free context copied into logs and error details, e.g. `{ clientOrderId, symbol }`. */
  ref?: Record<string, unknown>;
  /** Overrides {@link classifyOutcome} for the submit's and queries' errors. */
  classify?: (err: unknown) => OutcomeClass;
  /** Logger (wrapped in redaction); default silent. */
  logger?: Logger;
}

/** How a submit was settled. */
export interface SettledOutcome<T> {
  /** The submit's answer, or the order found by the query. */
  value: T;
  /** `submit` when it answered, `query` when an unknown outcome was settled by a query. */
  via: 'submit' | 'query';
  /** Queries made (0 when the submit answered). */
  queryAttempts: number;
}

/**
 * Runs `submit` once and settles an unknown outcome by querying, never by resending.
 *
 * - Submit succeeds → `{ via: 'submit' }`.
 * - Submit fails denied or definitive → that error is rethrown unchanged (the caller knows what
 *   happened and may decide to send again).
 * - Submit fails unknown → up to `attempts` queries, each after `delayMs` on the clock; the first
 *   that finds the order → `{ via: 'query' }`. A query failing with a definitive, non-retryable
 *   error (e.g. auth) ends the loop early.
 *
 * @throws UnknownOutcomeError when no query found the order: `details.lastQuery` is `not_found`
 *   (the venue says it does not know the order — it may still appear; reconciliation or the user
 *   stream decides) or `failed` (the queries themselves failed), with `details.queryAttempts`,
 *   `details.submitCode` and the `ref` fields; `cause` is the submit's error.
 */
export async function settleUnknown<T>(options: SettleUnknownOptions<T>): Promise<SettledOutcome<T>> {
  const classify = options.classify ?? classifyOutcome;
  const attempts = Math.max(1, Math.floor(options.attempts ?? 3));
  const delayMs = Math.max(0, options.delayMs ?? 1000);
  const log = redactingLogger(options.logger ?? noopLogger);
  const ref = options.ref ?? {};

  let submitError: unknown;
  try {
    return { value: await options.submit(), via: 'submit', queryAttempts: 0 };
  } catch (err) {
    if (classify(err) !== 'unknown') throw err;
    submitError = err;
  }
  const submitCode = isChimeraError(submitError) ? submitError.code : 'UNCLASSIFIED';
  log.warn({ ...ref, submitCode, error: redact(submitError) }, 'submit outcome unknown; settling by query');

  let lastQuery: 'not_found' | 'failed' = 'failed';
  let lastQueryError: unknown;
  let made = 0;
  while (made < attempts) {
    if (delayMs > 0) await options.clock.sleep(delayMs);
    made++;
    try {
      const found = await options.query();
      if (found !== undefined && found !== null) {
        log.info({ ...ref, queryAttempts: made }, 'unknown outcome settled: order found');
        return { value: found, via: 'query', queryAttempts: made };
      }
      lastQuery = 'not_found';
    } catch (err) {
      if (options.isNotFound(err)) {
        lastQuery = 'not_found';
        continue;
      }
      lastQuery = 'failed';
      lastQueryError = err;
      if (classify(err) === 'definitive' && isChimeraError(err) && !err.retryable) break;
    }
  }
  const details: Record<string, unknown> = { ...ref, queryAttempts: made, lastQuery, submitCode };
  if (lastQuery === 'failed' && isChimeraError(lastQueryError)) details.queryCode = lastQueryError.code;
  log.error(details, 'unknown outcome not settled by query');
  throw new UnknownOutcomeError(
    lastQuery === 'not_found'
      ? `order not found after ${made} quer${made === 1 ? 'y' : 'ies'}; outcome still unknown, not resent`
      : `order queries failed ${made} time(s); outcome still unknown, not resent`,
    { details, cause: submitError },
  );
}
