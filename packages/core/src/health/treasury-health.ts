import type { Treasury } from '../treasury/treasury.js';
import type { HealthCheckOutcome, HealthProvider } from './health-check.js';

/**
 * The health of treasury transfers: DEGRADED once repeated failures escalated to FATAL (until a
 * transfer succeeds); OK otherwise, with the failures in a row.
 * @param name - check name (default `treasury`).
 */
export function treasuryHealth(treasury: Pick<Treasury, 'fatal' | 'consecutiveFailures'>, name = 'treasury'): HealthProvider {
  return {
    name,
    check(): HealthCheckOutcome {
      const data = { consecutiveFailures: treasury.consecutiveFailures };
      if (treasury.fatal) return { status: 'DEGRADED', detail: `${treasury.consecutiveFailures} transfers failed in a row (FATAL raised)`, data };
      return { status: 'OK', detail: `${treasury.consecutiveFailures} failed transfers in a row`, data };
    },
  };
}
