import type { DegradedMode } from '../risk/degraded-mode.js';
import type { HealthCheckOutcome, HealthProvider } from './health-check.js';

/**
 * The health of the risk layer's degraded mode ("manage existing positions only"): DEGRADED while
 * it is on, with its reasons; OK otherwise.
 * @param name - check name (default `degraded-mode`).
 */
export function degradedModeHealth(mode: Pick<DegradedMode, 'isActive' | 'reasons' | 'since'>, name = 'degraded-mode'): HealthProvider {
  return {
    name,
    check(): HealthCheckOutcome {
      if (!mode.isActive) return { status: 'OK', detail: 'normal trading' };
      const reasons = mode.reasons;
      return {
        status: 'DEGRADED',
        detail: `degraded mode (${reasons.join(', ')}): only orders that reduce positions pass`,
        data: { reasons, since: mode.since },
      };
    },
  };
}
