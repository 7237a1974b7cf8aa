import type { Clock } from '../clock/clock.js';
import type { ReconcileRunInfo } from '../jobs/reconcile-schedule.js';
import type { HealthCheckOutcome, HealthProvider } from './health-check.js';

/** Options of {@link reconcileHealth}. */
export interface ReconcileHealthOptions {
  /** The last finished run (e.g. `() => schedule.lastRun`). */
  lastRun: () => ReconcileRunInfo | undefined;
  /** Time source (for the age). */
  clock: Clock;
  /** A last run older than this is DEGRADED, ms (default 900 000: three 5-minute periods). */
  maxAgeMs?: number;
  /** Check name (default `reconciliation`). */
  name?: string;
  /** See `HealthProvider.critical` (default true). */
  critical?: boolean;
}

/**
 * The health of reconciliation (SPEC §5: "a bad result lowers health"): DEGRADED before the first
 * run, when the last run failed or was judged bad, or when it is older than `maxAgeMs`; OK
 * otherwise. Reconciliation problems never make the system DOWN on their own.
 */
export function reconcileHealth(options: ReconcileHealthOptions): HealthProvider {
  const maxAgeMs = options.maxAgeMs ?? 900_000;
  return {
    name: options.name ?? 'reconciliation',
    critical: options.critical ?? true,
    check(): HealthCheckOutcome {
      const run = options.lastRun();
      if (!run) return { status: 'DEGRADED', detail: 'no reconciliation has run yet' };
      const ageMs = options.clock.now() - run.finishedAt;
      const data: Record<string, unknown> = { reason: run.reason, finishedAt: run.finishedAt, ageMs, ok: run.ok, bad: run.bad };
      if (!run.ok) return { status: 'DEGRADED', detail: `last reconciliation failed: ${run.error ?? 'unknown error'}`, data };
      if (run.bad) return { status: 'DEGRADED', detail: 'last reconciliation found problems', data };
      if (ageMs > maxAgeMs) return { status: 'DEGRADED', detail: `last reconciliation ${ageMs} ms ago (expected within ${maxAgeMs})`, data };
      return { status: 'OK', detail: `last reconciliation ${ageMs} ms ago`, data };
    },
  };
}
