/**
 * When and how a treasury transfer is sent again (SPEC §6: 3 tries, 5 s apart with jitter, on
 * 5xx/429; 30 s timeout). Pure, so the schedule is unit-tested without a venue.
 *
 * @packageDocumentation
 */
import { isChimeraError, RateLimitError } from '../errors.js';
import { classifyOutcome } from '../transport/outcome.js';

/** The retry schedule of one transfer. */
export interface TransferRetryPolicy {
  /** Attempts in all, the first included (default 3). */
  tries: number;
  /** Fixed wait between attempts, ms (default 5 000). */
  delayMs: number;
  /** Extra uniform wait `0..jitterMs` added to each delay, ms (default 1 000). */
  jitterMs: number;
  /** How long one attempt may take before its outcome counts as unknown, ms (default 30 000). */
  timeoutMs: number;
}

/** The SPEC §6 defaults. */
export const DEFAULT_TRANSFER_RETRY: Readonly<TransferRetryPolicy> = Object.freeze({
  tries: 3,
  delayMs: 5_000,
  jitterMs: 1_000,
  timeoutMs: 30_000,
});

/**
 * What to do after a failed attempt:
 * - `settle` — the outcome is unknown (timeout, dropped connection, a 5xx the transport mapped to
 *   `UnknownOutcomeError` because the write may have executed): look in the venue's transfer
 *   history, never resend;
 * - `retry` — the venue (or the client before sending) refused it in a way that may pass next
 *   time: a 429, a 5xx the adapter knows was refused before processing (a retryable `VenueError`),
 *   a connection that never opened, a clock-skew rejection;
 * - `fail` — a definitive refusal that would fail again (insufficient funds, auth, a ban, a
 *   validation error).
 */
export type TransferFailureAction = 'settle' | 'retry' | 'fail';

/** Decides {@link TransferFailureAction} for an attempt's error. */
export function transferFailureAction(err: unknown): TransferFailureAction {
  if (classifyOutcome(err) === 'unknown') return 'settle';
  return isChimeraError(err) && err.retryable ? 'retry' : 'fail';
}

/**
 * The wait before the next attempt, ms: `max(delayMs, retryAfterMs of a 429) + ⌊random·(jitterMs+1)⌋`.
 * @param random - uniform source in [0, 1).
 */
export function transferRetryDelayMs(policy: TransferRetryPolicy, err: unknown, random: () => number): number {
  const retryAfter = err instanceof RateLimitError ? err.retryAfterMs : 0;
  const jitter = Math.floor(Math.min(0.999_999, Math.max(0, random())) * (Math.max(0, policy.jitterMs) + 1));
  return Math.max(policy.delayMs, retryAfter) + jitter;
}
