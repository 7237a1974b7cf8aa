/**
 * The contracts around {@link ReconnectingSocket}: the socket surface it drives (the subset of
 * `ws`'s `WebSocket` it uses, so tests can pass a fake), the venue adapter that tells it how a
 * venue subscribes, pings and announces shutdowns, and its typed events.
 *
 * @packageDocumentation
 */
import type { FatalError } from '../errors.js';
import type { TransportAlert } from './transport-alert.js';

/** `readyState` values, as in the WHATWG WebSocket and `ws`. */
export const SOCKET_STATE = Object.freeze({ CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });

/**
 * The part of a `ws` `WebSocket` that {@link ReconnectingSocket} uses. A `ws` client satisfies it
 * as is; unit tests pass an object with the same surface. Events: `open`, `message(data, isBinary)`,
 * `ping(data)`, `pong(data)`, `close(code, reason)`, `error(err)` (always listened to, so an
 * unexpected socket error never crashes the host).
 */
export interface SocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed ({@link SOCKET_STATE}). */
  readonly readyState: number;
  /** Sends one text frame. */
  send(data: string): void;
  /** Sends a WebSocket-level ping frame. */
  ping(): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Destroys the connection at once, without a handshake. */
  terminate(): void;
  /** Adds a listener. */
  on(event: 'open', listener: () => void): unknown;
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  on(event: 'ping' | 'pong', listener: (data: unknown) => void): unknown;
  on(event: 'close', listener: (code: number, reason: unknown) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  /**
   * The server answered the upgrade with a plain HTTP response (429, 418, 503 …). Listening to it
   * makes the listener responsible for ending the attempt (`terminate()`), as in `ws`.
   */
  on(event: 'unexpected-response', listener: (request: unknown, response: HandshakeResponse) => void): unknown;
  /** Removes every listener (used when a socket is retired). */
  removeAllListeners(): unknown;
}

/** The part of a refused upgrade's HTTP response the socket reads. */
export interface HandshakeResponse {
  /** HTTP status, e.g. 429. */
  statusCode?: number;
  /** Lower-cased headers; `retry-after` is honoured. */
  headers?: Record<string, string | string[] | undefined>;
}

/** Opens a socket to `url` (default: `new WebSocket(url)` from `ws`). */
export type SocketFactory = (url: string) => SocketLike;

/**
 * What a venue control message is:
 * - `ack` — an answer to one of our requests (Binance `{"result":null,"id":1}`, MAX `subscribed`);
 * - `pong` — the answer to an application-level ping we sent (its arrival gives `ws_rtt`);
 * - `shutdown` — the server announces it will close this connection soon (Binance
 *   `serverShutdown`): the socket renews make-before-break at once;
 * - `other` — any other control message (venue errors, property answers), passed on as `control`.
 */
export type ControlKind = 'ack' | 'pong' | 'shutdown' | 'other';

/** An application-level or WebSocket-level ping the client sends on its own. */
export interface ClientPing {
  /** Interval between pings, ms (MAX: inside 130 s, its SDK uses 30 s). */
  intervalMs: number;
  /**
   * How long to wait for the pong before the connection counts as dead and is replaced, ms
   * (default `intervalMs`).
   */
  timeoutMs?: number;
  /**
   * The text of an application-level ping. Absent: a WebSocket ping frame is sent and the `ws`
   * pong frame answers it (what MAX wants, and what Binance answers too).
   */
  message?: () => string;
}

/**
 * The venue adapter a {@link ReconnectingSocket} is driven by. Everything venue-specific — wire
 * formats and limits — arrives here; the socket itself knows no venue.
 */
export interface VenueProtocol {
  /**
   * Messages that subscribe `streams` (the venue splits them if it caps parameters per message),
   * e.g. Binance `{"method":"SUBSCRIBE","params":[…],"id":n}`.
   */
  subscribeMessages(streams: readonly string[]): string[];
  /** Messages that unsubscribe `streams`. */
  unsubscribeMessages(streams: readonly string[]): string[];
  /**
   * Messages sent first on every new connection, before the subscriptions (e.g. MAX private
   * `auth` with a fresh nonce, Binance `SET_PROPERTY combined`). Default none.
   */
  openMessages?(): string[];
  /** Decodes one text frame (default `JSON.parse`). Throwing drops the frame with a warning. */
  parse?(text: string): unknown;
  /**
   * What control message `msg` is, or `undefined` for a data message. Control messages are not
   * delivered as `message`; they are emitted as `control`.
   */
  controlKind(msg: unknown): ControlKind | undefined;
  /** Which subscribed stream a data message belongs to (e.g. Binance combined `msg.stream`), if any. */
  streamOf(msg: unknown): string | undefined;
  /**
   * A number that increases along a stream (Binance depth/bookTicker `u`, aggTrade `a`; MAX book
   * `li`), used only while two connections overlap during renewal to hand each stream over with
   * no gap and no duplicate. Without it the hand-over switches a stream at the new connection's
   * first message for it, which may skip or repeat a message when the two connections' latencies
   * differ.
   */
  sequenceOf?(msg: unknown, stream: string): number | undefined;
  /** Pings the client sends on its own; absent when the server pings and `ws` answers (Binance). */
  clientPing?: ClientPing;
  /**
   * Replace the connection when nothing at all (data, control, server ping) arrived for this long,
   * ms. Binance Spot pings every 20 s, so about 60 s is safe there. Default: no idle check.
   */
  idleTimeoutMs?: number;
  /** Streams one connection may carry (Binance 1024). More need more sockets (a pool). */
  maxStreamsPerConnection: number;
  /** Messages the client may send per second on one connection, pings included (Binance Spot 5, UM 10; MAX 20). */
  maxMessagesPerSecond: number;
  /** Connection attempts allowed per window (Binance Spot 300 per 5 min per IP; MAX 600 per hour). */
  maxConnectAttemptsPer: { count: number; windowMs: number };
  /** The venue's connection lifetime, ms (Binance 24 h). Absent: no proactive renewal. */
  lifetimeMs?: number;
  /** How long before `lifetimeMs` the replacement connection opens, ms (default min(5 min, lifetime / 2)). */
  renewBeforeMs?: number;
}

/** One data message, delivered once even while two connections overlap. */
export interface SocketMessage {
  /** The parsed message. */
  data: unknown;
  /** The stream it belongs to ({@link VenueProtocol.streamOf}), if any. */
  stream: string | undefined;
  /** Local receive time, epoch ms (injected clock). */
  receivedAt: number;
  /** Id of the connection it came through (increases with each new connection). */
  connectionId: number;
}

/** A control message ({@link ControlKind}), for adapters that read acks or venue errors. */
export interface SocketControlEvent {
  /** What it is. */
  kind: ControlKind;
  /** The parsed message. */
  data: unknown;
  /** Local receive time, epoch ms. */
  receivedAt: number;
  /** Id of the connection it came through. */
  connectionId: number;
}

/** Why a connection is being replaced after it broke (or never opened). */
export type ReconnectReason = 'closed' | 'connect_failed' | 'connect_timeout' | 'ping_timeout' | 'idle_timeout';

/**
 * Why a connection is being renewed make-before-break: the venue's lifetime is near, the server
 * announced a shutdown, a subscribed stream went silent, or the caller asked ({@link ReconnectingSocket.renew}).
 */
export type RenewReason = 'lifetime' | 'shutdown' | 'stale' | 'manual';

/** The degraded-mode signal: the system should only manage existing positions until `recovered`. */
export interface DegradedSignal {
  /** What the system should do meanwhile (SPEC §1.2). */
  mode: 'manage_existing_positions_only';
  /** Short, secret-free reason, e.g. `binance-spot ws FATAL` (pass it to `DegradedMode.enter`). */
  reason: string;
  /** When the signal was raised, epoch ms. */
  since: number;
}

/**
 * A metric sample. Hosts publish `ws_rtt` to `metrics:events:s1.ws_rtt` and `mkt_throughput` to
 * `metrics:events:s1.mkt_throughput` (`StreamKeys.wsRtt()` / `mktThroughput()`).
 */
export interface SocketMetric {
  /** `ws_rtt`: ping → pong round trip (ms); `mkt_throughput`: data messages delivered per second. */
  name: 'ws_rtt' | 'mkt_throughput';
  /** The value: ms for `ws_rtt`, messages/s for `mkt_throughput`. */
  value: number;
  /** Unit of `value`. */
  unit: 'ms' | 'msg/s';
  /** When it was measured, epoch ms. */
  ts: number;
  /** Labels: the socket's `name`, the connection id, and for throughput the raw count and interval. */
  labels: Record<string, string | number>;
}

/**
 * Events of {@link ReconnectingSocket}. There is no `error` event (DESIGN.md): failures travel as
 * `reconnecting`, `alert` and `fatal`.
 */
export interface ReconnectingSocketEvents {
  /** A connection opened (first connect or reconnect; not renewals, see `renewed`). */
  open: (event: { connectionId: number; reconnect: boolean; ts: number }) => void;
  /** A data message (parsed), once, in arrival order per stream. */
  message: (message: SocketMessage) => void;
  /** A control message (ack, pong, shutdown notice, venue error …). */
  control: (event: SocketControlEvent) => void;
  /** The connection broke or an attempt failed; the next attempt runs after `delayMs`. */
  reconnecting: (event: { retryCount: number; delayMs: number; reason: ReconnectReason; ts: number }) => void;
  /** A reconnect succeeded; every subscription is being restored. `downtimeMs` counts from the break. */
  reconnected: (event: { connectionId: number; downtimeMs: number; attempts: number; ts: number }) => void;
  /** A subscribed stream was silent longer than its limit while the connection lived. */
  stale: (event: { stream: string; silentMs: number; maxSilenceMs: number; ts: number }) => void;
  /** A make-before-break renewal starts after `delayMs`. */
  renewing: (event: { reason: RenewReason; delayMs: number; ts: number }) => void;
  /** The replacement connection took over; the old one is closing. `overlapMs`: both were open. */
  renewed: (event: { reason: RenewReason; connectionId: number; overlapMs: number; ts: number }) => void;
  /** More than `N_max` consecutive connection failures (once per outage). Retrying continues at `maxWait`. */
  fatal: (event: { error: FatalError; failures: number; degraded: DegradedSignal }) => void;
  /** Degraded mode should start (emitted with `fatal`). */
  degraded: (signal: DegradedSignal) => void;
  /** A connection opened after `fatal`: degraded mode for this reason may end. */
  recovered: (event: { reason: string; downtimeMs: number; failures: number; ts: number }) => void;
  /** An alert for humans, shaped like the connector's and the REST transport's. */
  alert: (alert: TransportAlert) => void;
  /** A metric sample. */
  metric: (metric: SocketMetric) => void;
  /** {@link ReconnectingSocket.close} finished. */
  closed: () => void;
}
