import type { Clock } from '../clock/clock.js';
import { isChimeraError } from '../errors.js';
import type { HealthCheckOutcome, HealthProvider } from './health-check.js';

/** Options of {@link pingHealth}. */
export interface PingHealthOptions {
  /** Check name, e.g. `store:arango`, `redis`. */
  name: string;
  /** One cheap round trip to the backend (e.g. a Redis `PING`, an ArangoDB version call). */
  ping: () => Promise<unknown>;
  /** Time source for the latency. */
  clock: Clock;
  /** A round trip slower than this is DEGRADED, ms (default 1 000). */
  slowMs?: number;
  /** See `HealthProvider.critical` (default true: a store that cannot be reached stops persistence). */
  critical?: boolean;
}

/**
 * The health of a backend by one round trip (s1-exchange-connectors: Redis and ArangoDB latency):
 * DOWN when the ping fails (or the monitor's timeout passes), DEGRADED when slower than `slowMs`,
 * OK otherwise; `data.latencyMs` carries the round trip.
 */
export function pingHealth(options: PingHealthOptions): HealthProvider {
  const slowMs = options.slowMs ?? 1_000;
  return {
    name: options.name,
    critical: options.critical ?? true,
    async check(): Promise<HealthCheckOutcome> {
      const t0 = options.clock.now();
      try {
        await options.ping();
      } catch (err) {
        const why = isChimeraError(err) ? `${err.code}: ${err.shortMessage}` : err instanceof Error ? err.message : String(err);
        return { status: 'DOWN', detail: `${options.name} ping failed: ${why}`, data: { latencyMs: options.clock.now() - t0 } };
      }
      const latencyMs = options.clock.now() - t0;
      if (latencyMs > slowMs) return { status: 'DEGRADED', detail: `${options.name} answered in ${latencyMs} ms (slow above ${slowMs})`, data: { latencyMs } };
      return { status: 'OK', detail: `${options.name} answered in ${latencyMs} ms`, data: { latencyMs } };
    },
  };
}
