/**
 * An alert raised by a transport (IP ban, rate limiting, clock skew). Same shape as the
 * connector's `ConnectorAlert`, so an adapter can forward it as is; declared here because the
 * transport room imports nothing above it (DESIGN.md).
 */
export interface TransportAlert {
  /** Severity. */
  level: 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  /** Stable code, e.g. `IP_BANNED`, `RATE_LIMITED`, `CLOCK_SKEW`. */
  code: string;
  /** Human sentence, secret-free. */
  message: string;
  /** Secret-free context. */
  details?: Record<string, unknown>;
  /** When it was raised, epoch ms (injected clock). */
  ts: number;
}
