import { z } from 'zod';
import { RiskRejectedError, isChimeraError } from '../errors.js';

/**
 * The rules a risk check can fire. A {@link RiskRejectedError} carries one of them in
 * `details.rule`, so hosts can branch on it without parsing messages.
 *
 * - `MAX_ORDER` — one order above the per-order quantity or notional cap.
 * - `MAX_POSITION` — the order would grow |position| above the quantity or notional cap.
 * - `DAILY_LOSS` — today's (UTC) realised loss reached the limit.
 * - `CIRCUIT_OPEN` — the pair's circuit breaker is open (or its half-open probe is taken).
 * - `STALE_MARKET` — no tick, or the latest tick is older than allowed.
 * - `BOOK_INVALID` — the latest tick is one-sided (a zero or negative side) or crossed (bid > ask).
 * - `SPREAD_TOO_WIDE` — the spread in bps is above the limit.
 * - `PRICE_DEVIATION` — the market price deviates from the reference price by too many bps.
 * - `CLOCK_SKEW` — local/venue clock skew above the limit.
 * - `DEGRADED_MODE` — the system is degraded: only reducing orders pass.
 * - `RETRY_BUDGET` — a retry found the retry budget empty.
 * - `SLIPPAGE` — a fill's slippage against the arrival mid is above the threshold (post-trade).
 */
export const RiskRule = z.enum([
  'MAX_ORDER',
  'MAX_POSITION',
  'DAILY_LOSS',
  'CIRCUIT_OPEN',
  'STALE_MARKET',
  'BOOK_INVALID',
  'SPREAD_TOO_WIDE',
  'PRICE_DEVIATION',
  'CLOCK_SKEW',
  'DEGRADED_MODE',
  'RETRY_BUDGET',
  'SLIPPAGE',
]);
/** A risk rule name. See {@link RiskRule}. */
export type RiskRule = z.infer<typeof RiskRule>;

/**
 * Rules that only stop new exposure. An order that shrinks |position| passes them, because SPEC §1.2
 * and §4 require that existing positions can still be managed while entries are paused.
 */
export const ENTRY_ONLY_RULES: ReadonlySet<RiskRule> = new Set<RiskRule>([
  'DEGRADED_MODE',
  'CLOCK_SKEW',
  'STALE_MARKET',
  'BOOK_INVALID',
  'SPREAD_TOO_WIDE',
  'PRICE_DEVIATION',
  'CIRCUIT_OPEN',
  'DAILY_LOSS',
]);

/**
 * Builds the typed rejection for `rule`: a {@link RiskRejectedError} (code `RISK_REJECTED`,
 * status 422, not retryable) whose `details` hold the rule, the limit and the observed value.
 *
 * @param details - secret-free context; by convention `limit` and `observed` plus whatever helps.
 */
export function riskRejection(rule: RiskRule, message: string, details: Record<string, unknown> = {}): RiskRejectedError {
  return new RiskRejectedError(message, rule, { details });
}

/**
 * True when `err` is a risk rejection, optionally of a given rule. Works across duplicated
 * module copies by checking the code rather than the class.
 */
export function isRiskRejection(err: unknown, rule?: RiskRule): err is RiskRejectedError {
  if (!isChimeraError(err) || err.code !== 'RISK_REJECTED') return false;
  return rule === undefined || err.details.rule === rule;
}
