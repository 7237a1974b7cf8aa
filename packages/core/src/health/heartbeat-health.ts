import type { Clock } from '../clock/clock.js';
import type { Heartbeat } from '../jobs/heartbeat.js';
import type { HealthCheckOutcome, HealthProvider, HealthStatus } from './health-check.js';

/** Options of {@link heartbeatHealth}. */
export interface HeartbeatHealthOptions {
  /** Time source (for the age of the last successful beat). */
  clock: Clock;
  /** The venue is DOWN when its last successful beat is older than this, ms (default 90 000: three 30 s beats). */
  staleAfterMs?: number;
  /** `p_up` below this is DEGRADED (default 0.9). */
  degradedBelowPUp?: number;
  /** `p_up` below this is DOWN (default 0.5). */
  downBelowPUp?: number;
  /** Check name (default `heartbeat:<venue>`). */
  name?: string;
  /** See `HealthProvider.critical` (default true: without its venue the system cannot trade). */
  critical?: boolean;
}

/**
 * The health of a venue connection from its heartbeat: DOWN with no successful beat yet, a stale
 * last success, or `p_up` below `downBelowPUp`; DEGRADED when the skew tier is ERROR (new entries
 * are blocked by the skew gate) or `p_up` is below `degradedBelowPUp`; OK otherwise.
 */
export function heartbeatHealth(heartbeat: Pick<Heartbeat, 'venue' | 'report'>, options: HeartbeatHealthOptions): HealthProvider {
  const staleAfterMs = options.staleAfterMs ?? 90_000;
  const degradedBelow = options.degradedBelowPUp ?? 0.9;
  const downBelow = options.downBelowPUp ?? 0.5;
  return {
    name: options.name ?? `heartbeat:${heartbeat.venue}`,
    critical: options.critical ?? true,
    check(): HealthCheckOutcome {
      const r = heartbeat.report();
      if (!r || r.lastOkAt === undefined) {
        return { status: 'DOWN', detail: `no successful heartbeat from ${heartbeat.venue} yet`, data: r ? { consecutiveFailures: r.consecutiveFailures } : {} };
      }
      const ageMs = options.clock.now() - r.lastOkAt;
      const data: Record<string, unknown> = {
        pUp: r.pUp,
        total: r.total,
        skewMs: r.lastSkewMs,
        tier: r.lastTier,
        rttP50: r.rttP50,
        rttP95: r.rttP95,
        lastOkAt: r.lastOkAt,
        ageMs,
        consecutiveFailures: r.consecutiveFailures,
      };
      if (ageMs > staleAfterMs) return { status: 'DOWN', detail: `last successful heartbeat ${ageMs} ms ago`, data };
      if (r.pUp < downBelow) return { status: 'DOWN', detail: `heartbeat success rate ${r.pUp.toFixed(3)} is below ${downBelow}`, data };
      const problems: string[] = [];
      let status: HealthStatus = 'OK';
      if (r.lastTier === 'ERROR') {
        status = 'DEGRADED';
        problems.push(`clock skew ${r.lastSkewMs ?? '?'} ms is ERROR`);
      }
      if (r.pUp < degradedBelow) {
        status = 'DEGRADED';
        problems.push(`heartbeat success rate ${r.pUp.toFixed(3)} is below ${degradedBelow}`);
      }
      const detail = problems.length > 0 ? problems.join('; ') : `skew ${r.lastSkewMs ?? '?'} ms ${r.lastTier ?? ''}, p_up ${r.pUp.toFixed(3)}`.trim();
      return { status, detail, data };
    },
  };
}
