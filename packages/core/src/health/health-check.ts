/**
 * The health contract (SPEC §9, s1-exchange-connectors §15: `GET /health` →
 * `{ status, checks }`): providers each report one check; the report's status is the worst.
 *
 * @packageDocumentation
 */

/** Health of one check or of the whole system, best to worst. */
export type HealthStatus = 'OK' | 'DEGRADED' | 'DOWN';

const RANK: Readonly<Record<HealthStatus, number>> = { OK: 0, DEGRADED: 1, DOWN: 2 };

/** The worst of `statuses` (`OK` for none). */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = 'OK';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

/** What a provider's check finds. */
export interface HealthCheckOutcome {
  status: HealthStatus;
  /** One human sentence, secret-free. */
  detail: string;
  /** Figures behind it (skew, p_up, age …), secret-free. */
  data?: Record<string, unknown>;
}

/** A source of one check, e.g. a venue's heartbeat or a sink. */
export interface HealthProvider {
  /** Unique name, e.g. `heartbeat:binance`, `sink:redis`. */
  readonly name: string;
  /**
   * Whether this check being DOWN takes the whole system DOWN (default true). A non-critical DOWN
   * (say, the event sink: publishing never blocks trading) counts as DEGRADED overall.
   */
  readonly critical?: boolean;
  /** Runs the check. A throw or rejection counts as DOWN. */
  check(): HealthCheckOutcome | Promise<HealthCheckOutcome>;
}

/** One check as reported. */
export interface HealthCheck extends HealthCheckOutcome {
  name: string;
  /** See {@link HealthProvider.critical}. */
  critical: boolean;
  /** When it was checked, epoch ms (injected clock). */
  ts: number;
}

/** The health report: `status` is the worst of the checks (non-critical DOWN counting as DEGRADED). */
export interface HealthReport {
  status: HealthStatus;
  checks: HealthCheck[];
  ts: number;
}
