import type { EventSink } from '../sinks/event-sink.js';
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '../sinks/stream-keys.js';

/**
 * An alert raised by the risk layer, shaped like a connector's alert so a host can publish both to
 * the `alerts` stream: `{ level, code, message, details, ts }` (`ts` in epoch ms, injected clock).
 * Codes: `CIRCUIT_OPEN`, `CIRCUIT_HALF_OPEN`, `CIRCUIT_CLOSED`, `DEGRADED_MODE`,
 * `DEGRADED_MODE_EXITED`, `MARKET_PAUSED`, `MARKET_RESUMED`, `DAILY_LOSS_LIMIT`.
 * (A type alias rather than an interface, so it is assignable to a sink's `EventPayload`.)
 */
export type RiskAlert = {
  level: 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  code: string;
  message: string;
  details: Record<string, unknown>;
  ts: number;
};

/**
 * Publishes a risk alert to the `alerts` stream of `sink` (key from `keys`, default scheme
 * `alerts`). Never throws: sinks buffer and report their own drops.
 */
export function publishRiskAlert(sink: EventSink, alert: RiskAlert, keys: StreamKeys = DEFAULT_STREAM_KEYS): void {
  sink.publish(keys.alerts(), { ...alert, source: 'risk' });
}
