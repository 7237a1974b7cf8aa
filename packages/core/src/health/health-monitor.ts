/**
 * The health report of a running system, assembled from {@link HealthProvider}s.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/clock.js';
import { isChimeraError, ValidationError } from '../errors.js';
import { withClockTimeout } from '../jobs/clock-timeout.js';
import type { HealthCheck, HealthProvider, HealthReport, HealthStatus } from './health-check.js';
import { worstStatus } from './health-check.js';

/** Payload of the `statusChanged` event. */
export interface HealthStatusChange {
  from: HealthStatus | undefined;
  to: HealthStatus;
  report: HealthReport;
}

/** Events of {@link HealthMonitor}. No event is named `error`. */
export interface HealthMonitorEvents {
  /** The overall status differs from the previous report's (also on the first report). */
  statusChanged: (change: HealthStatusChange) => void;
}

/** Options of {@link HealthMonitor}. */
export interface HealthMonitorOptions {
  /** Time source for timestamps and check timeouts. */
  clock: Clock;
  /** Providers to start with. */
  providers?: readonly HealthProvider[];
  /** A check that has not answered after this is DOWN, ms (default 5 000). */
  timeoutMs?: number;
}

function describeError(err: unknown): string {
  if (isChimeraError(err)) return `${err.code}: ${err.shortMessage}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Collects checks from providers: `health()` runs every provider's check in parallel (each bounded
 * by `timeoutMs`; a throw or timeout is DOWN) and returns `{ status, checks, ts }`, `status` being
 * the worst check — a non-critical DOWN counting as DEGRADED.
 */
export class HealthMonitor {
  /** `statusChanged` events. */
  readonly events = new EventEmitter<HealthMonitorEvents>();

  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly providers = new Map<string, HealthProvider>();
  private lastStatus: HealthStatus | undefined;

  /** @throws ValidationError when two providers share a name. */
  constructor(options: HealthMonitorOptions) {
    this.clock = options.clock;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    for (const p of options.providers ?? []) this.add(p);
  }

  /**
   * Adds a provider.
   * @throws ValidationError when one with the same name exists.
   */
  add(provider: HealthProvider): this {
    if (this.providers.has(provider.name)) {
      throw new ValidationError(`health check ${provider.name} already exists`, [{ path: 'name', message: 'must be unique' }]);
    }
    this.providers.set(provider.name, provider);
    return this;
  }

  /** Removes a provider. @returns whether it existed. */
  remove(name: string): boolean {
    return this.providers.delete(name);
  }

  /** Names of the registered providers, in registration order. */
  get names(): string[] {
    return [...this.providers.keys()];
  }

  /** Runs every check. Never rejects. */
  async health(): Promise<HealthReport> {
    const checks = await Promise.all([...this.providers.values()].map((p) => this.run(p)));
    const status = worstStatus(checks.map((c) => (c.status === 'DOWN' && !c.critical ? 'DEGRADED' : c.status)));
    const report: HealthReport = { status, checks, ts: this.clock.now() };
    if (status !== this.lastStatus) {
      const from = this.lastStatus;
      this.lastStatus = status;
      this.events.emit('statusChanged', { from, to: status, report });
    }
    return report;
  }

  private async run(provider: HealthProvider): Promise<HealthCheck> {
    const critical = provider.critical ?? true;
    try {
      const outcome = await withClockTimeout(
        this.clock,
        Promise.resolve().then(() => provider.check()),
        this.timeoutMs,
        () => new Error(`no answer within ${this.timeoutMs} ms`),
      );
      return { name: provider.name, critical, ...outcome, ts: this.clock.now() };
    } catch (err) {
      return { name: provider.name, critical, status: 'DOWN', detail: `check failed: ${describeError(err)}`, ts: this.clock.now() };
    }
  }
}
