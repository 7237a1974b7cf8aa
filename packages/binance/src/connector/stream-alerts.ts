/**
 * How the connector reports its WebSocket streams' health on its own `alert` event: the streams'
 * alerts are forwarded with where they came from, and `degraded` / `recovered` become one FATAL
 * `STREAM_DEGRADED` and one INFO `STREAM_RECOVERED` alert carrying the `reason` a host keys its
 * degraded mode on (`DegradedMode.enter(reason)` / `exit(reason)`).
 *
 * @packageDocumentation
 */
import type { ConnectorAlert, Market } from '@chimera/core';

/** Alert codes the connector raises for stream health (besides the forwarded ones). */
export const STREAM_ALERT_CODES = Object.freeze({ degraded: 'STREAM_DEGRADED', recovered: 'STREAM_RECOVERED' });

/**
 * The socket's own alerts for the moment it degrades and recovers: the connector replaces them with
 * `STREAM_DEGRADED` / `STREAM_RECOVERED`, so a host hears of each transition once.
 */
const REPLACED = new Set(['WS_FATAL', 'WS_RECOVERED']);

/** Which stream an alert concerns. */
export interface StreamOrigin {
  /** `market` (market-data streams) or `user` (account streams). */
  stream: 'market' | 'user';
  /** The account stream's market. */
  market?: Market;
}

/** A forwarded stream alert with its origin in `details`, or undefined for one the connector replaces. */
export function forwardedStreamAlert(alert: ConnectorAlert, origin: StreamOrigin): ConnectorAlert | undefined {
  if (REPLACED.has(alert.code)) return undefined;
  return { ...alert, details: { ...alert.details, ...origin } };
}

/**
 * The alert for a stream entering (`degraded`) or leaving (`recovered`) degraded mode.
 * @param reason - secret-free, stable per connection: the same text on entering and leaving.
 */
export function streamHealthAlert(
  transition: 'degraded' | 'recovered',
  origin: StreamOrigin,
  info: { reason: string; ts: number; connection?: string },
): ConnectorAlert {
  const what = origin.stream === 'user' ? `binance ${origin.market ?? ''} user stream`.replace('  ', ' ') : `binance market stream ${info.connection ?? ''}`.trim();
  const details: Record<string, unknown> = { ...origin, reason: info.reason };
  if (info.connection !== undefined) details.connection = info.connection;
  return transition === 'degraded'
    ? { level: 'FATAL', code: STREAM_ALERT_CODES.degraded, message: `${what} failed repeatedly: manage existing positions only until it recovers`, details, ts: info.ts }
    : { level: 'INFO', code: STREAM_ALERT_CODES.recovered, message: `${what} is connected again; degraded mode may end`, details, ts: info.ts };
}
