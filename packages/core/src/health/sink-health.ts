import type { HealthCheckOutcome, HealthProvider, HealthStatus } from './health-check.js';

/**
 * The figures a sink health check reads; every field optional, so any sink fits: a Redis stream
 * sink's `metrics()` as is, an ArangoDB event sink's `stats`, or `{ dropped: memorySink.dropped }`.
 */
export interface SinkHealthMetrics {
  /** False when the sink's backend is unreachable. */
  connected?: boolean;
  /** True when writes have gone unanswered for too long. */
  stalled?: boolean;
  /** Events dropped since the sink was created. */
  dropped?: number;
  /** Events waiting to be written. */
  queued?: number;
  /** Queue capacity. */
  capacity?: number;
}

/** Options of {@link sinkHealth}. */
export interface SinkHealthOptions {
  /** Check name, e.g. `sink:redis`. */
  name: string;
  /** Reads the sink's current figures. */
  metrics: () => SinkHealthMetrics | Promise<SinkHealthMetrics>;
  /** Queue fill ratio from which the sink is DEGRADED (default 0.8). */
  degradedQueueRatio?: number;
  /**
   * See `HealthProvider.critical` (default false: publishing never blocks trading, so a sink
   * outage degrades the system rather than taking it down).
   */
  critical?: boolean;
}

/**
 * The health of an event sink: DOWN when disconnected or stalled; DEGRADED when events were dropped
 * since the previous check (the first check counts drops since creation) or the queue is at least
 * `degradedQueueRatio` full; OK otherwise.
 */
export function sinkHealth(options: SinkHealthOptions): HealthProvider {
  const ratio = options.degradedQueueRatio ?? 0.8;
  let droppedBefore = 0;
  return {
    name: options.name,
    critical: options.critical ?? false,
    async check(): Promise<HealthCheckOutcome> {
      const m = await options.metrics();
      const dropped = m.dropped ?? 0;
      const newDrops = Math.max(0, dropped - droppedBefore);
      droppedBefore = dropped;
      const data: Record<string, unknown> = { ...m, droppedSinceLastCheck: newDrops };
      if (m.connected === false) return { status: 'DOWN', detail: `${options.name} is disconnected`, data };
      if (m.stalled === true) return { status: 'DOWN', detail: `${options.name} writes are stalled`, data };
      const problems: string[] = [];
      let status: HealthStatus = 'OK';
      if (newDrops > 0) {
        status = 'DEGRADED';
        problems.push(`${newDrops} events dropped since the last check`);
      }
      if (m.queued !== undefined && m.capacity !== undefined && m.capacity > 0 && m.queued / m.capacity >= ratio) {
        status = 'DEGRADED';
        problems.push(`queue ${m.queued}/${m.capacity} full`);
      }
      return { status, detail: problems.length > 0 ? problems.join('; ') : `${options.name} ok`, data };
    },
  };
}
