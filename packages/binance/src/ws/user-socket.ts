/**
 * The connection options both user streams share, and the wiring of a user-data socket's
 * transport events onto a stream's events.
 *
 * @packageDocumentation
 */
import { ReconnectingSocket, type BackoffOptions, type ClientPing, type Clock, type Logger, type SocketFactory, type VenueProtocol } from '@chimera/core';
import type { UserStreamCore } from './user-stream-core.js';

/** The one stream key a user-data connection carries. */
export const USER_DATA_STREAM = 'userData';

/** Connection options of a user stream (defaults: the socket's, Binance's limits). */
export interface UserSocketOptions {
  /** Opens sockets (default `ws`). */
  socketFactory?: SocketFactory;
  /** Jitter source of the backoff (default `Math.random`). */
  random?: () => number;
  /** Reconnect backoff (default 500 ms base, 30 s cap, 1 s jitter). */
  backoff?: Partial<BackoffOptions>;
  /** `N_max` consecutive failed connects before FATAL and the degraded signal (default 10). */
  maxConsecutiveFailures?: number;
  /** How long a connect may take, ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Client pings (default every 30 s, 10 s to answer); `false` disables them. */
  clientPing?: ClientPing | false;
  /** Replace a connection on which nothing (not even a server ping) arrived for this long, ms. */
  idleTimeoutMs?: number;
  /** Connection lifetime, ms (default 24 h) and how long before it ends to renew. */
  lifetimeMs?: number;
  renewBeforeMs?: number;
  /** Longest make-before-break hand-over, ms (default 10 000; a quiet user stream waits it out). */
  handoverTimeoutMs?: number;
}

/** Fills the connection defaults into a protocol. */
export function withConnectionDefaults(protocol: VenueProtocol, options: UserSocketOptions, idleDefaultMs: number): VenueProtocol {
  const out: VenueProtocol = {
    ...protocol,
    maxStreamsPerConnection: 1,
    maxConnectAttemptsPer: { count: 300, windowMs: 300_000 },
    lifetimeMs: options.lifetimeMs ?? 24 * 3_600_000,
    idleTimeoutMs: options.idleTimeoutMs ?? idleDefaultMs,
  };
  if (options.renewBeforeMs !== undefined) out.renewBeforeMs = options.renewBeforeMs;
  const ping = options.clientPing ?? { intervalMs: 30_000, timeoutMs: 10_000 };
  if (ping !== false) out.clientPing = ping;
  return out;
}

/** Builds the user-data socket. */
export function createUserSocket(
  name: string,
  protocol: VenueProtocol,
  urlFor: () => string,
  urlIncludesStreams: boolean,
  clock: Clock,
  logger: Logger | undefined,
  o: UserSocketOptions,
): ReconnectingSocket {
  return new ReconnectingSocket({
    name,
    protocol,
    urlFor,
    urlIncludesStreams,
    clock,
    ...(logger === undefined ? {} : { logger }),
    ...(o.socketFactory === undefined ? {} : { socketFactory: o.socketFactory }),
    ...(o.random === undefined ? {} : { random: o.random }),
    ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
    ...(o.maxConsecutiveFailures === undefined ? {} : { maxConsecutiveFailures: o.maxConsecutiveFailures }),
    ...(o.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: o.connectTimeoutMs }),
    ...(o.handoverTimeoutMs === undefined ? {} : { handoverTimeoutMs: o.handoverTimeoutMs }),
    metricsIntervalMs: 0,
  });
}

/** Forwards the socket's alerts, RTT samples and degraded/recovered signals to the stream's events. */
export function forwardTransportEvents(socket: ReconnectingSocket, core: UserStreamCore): void {
  socket.events.on('alert', (a) => core.events.emit('alert', a));
  socket.events.on('metric', (m) => core.events.emit('metric', m));
  socket.events.on('degraded', (s) => core.events.emit('degraded', { reason: s.reason, ts: s.since }));
  socket.events.on('recovered', (r) => core.events.emit('recovered', { reason: r.reason, ts: r.ts }));
}

/** True for a non-null object. */
export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
