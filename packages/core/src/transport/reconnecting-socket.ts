/**
 * A venue-neutral WebSocket connection that stays up (SPEC §1.2): exponential backoff with jitter,
 * resubscription, FATAL and a degraded-mode signal after `N_max` consecutive failures, liveness
 * pings, a per-stream staleness watchdog, make-before-break renewal before the venue's connection
 * lifetime or on a shutdown notice, the venue's message, stream and connection-attempt limits,
 * and `ws_rtt` / `mkt_throughput` metrics. All time comes from the injected {@link Clock}.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../clock/clock.js';
import { BusinessRuleError, FatalError, NetworkError, StateError, ValidationError, type FieldIssue } from '../errors.js';
import { noopLogger, redactingLogger, type Logger } from '../logging/logger.js';
import { backoffDelay, DEFAULT_BACKOFF, SlidingWindow, type BackoffOptions } from './backoff.js';
import {
  SOCKET_STATE,
  type DegradedSignal,
  type HandshakeResponse,
  type ReconnectingSocketEvents,
  type ReconnectReason,
  type RenewReason,
  type SocketFactory,
  type SocketLike,
  type SocketMessage,
  type VenueProtocol,
} from './socket-types.js';
import type { TransportAlert } from './transport-alert.js';

interface QueuedJob {
  readonly run: () => void;
  readonly dropped: (() => void) | undefined;
}

/**
 * A FIFO queue that runs jobs no faster than `limit` per `windowMs` (sliding window), waiting on
 * the injected clock. {@link ReconnectingSocket} uses one per connection for outgoing messages
 * (the venue's messages-per-second limit, pings included) and one for connection attempts, which
 * several sockets to the same venue should share, since venues count attempts per IP.
 */
export class ThrottledQueue {
  private readonly window: SlidingWindow;
  private readonly jobs: QueuedJob[] = [];
  private timer: TimerHandle | undefined;
  private pumping = false;

  /**
   * @param clock - time source for the window and the waits.
   * @param limit - jobs per window (integer ≥ 1).
   * @param windowMs - window length in ms (> 0).
   * @throws RangeError for a bad `limit` or `windowMs`.
   */
  constructor(
    private readonly clock: Clock,
    limit: number,
    windowMs: number,
  ) {
    this.window = new SlidingWindow(limit, windowMs);
  }

  /** Jobs waiting. */
  get size(): number {
    return this.jobs.length;
  }

  /**
   * Runs `run` as soon as the window has room — synchronously when it has room now and nothing
   * waits before it.
   * @param dropped - called instead of `run` if {@link ThrottledQueue.clear} drops the job.
   * @returns a function that withdraws the job if it has not run (true when it withdrew it).
   */
  enqueue(run: () => void, dropped?: () => void): () => boolean {
    const job: QueuedJob = { run, dropped };
    this.jobs.push(job);
    this.pump();
    return () => {
      const i = this.jobs.indexOf(job);
      if (i < 0) return false;
      this.jobs.splice(i, 1);
      if (this.jobs.length === 0) this.stopTimer();
      return true;
    };
  }

  /** Drops every waiting job, calling each one's `dropped` callback; returns how many. */
  clear(): number {
    const gone = this.jobs.splice(0, this.jobs.length);
    this.stopTimer();
    for (const job of gone) job.dropped?.();
    return gone.length;
  }

  private stopTimer(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    // A job that enqueues (or clears) re-enters here; the outer loop carries on in FIFO order.
    if (this.pumping || this.timer !== undefined) return;
    this.pumping = true;
    try {
      for (let job = this.jobs[0]; job !== undefined; job = this.jobs[0]) {
        const now = this.clock.now();
        const at = this.window.nextAllowedAt(now);
        if (at > now) {
          this.timer = this.clock.setTimeout(() => {
            this.timer = undefined;
            this.pump();
          }, at - now);
          return;
        }
        this.jobs.shift();
        this.window.record(now);
        job.run();
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** Options of {@link ReconnectingSocket}. Give `url` or `urlFor`. */
export interface ReconnectingSocketOptions {
  /** The endpoint, e.g. `wss://stream.binance.com:9443/stream`. */
  url?: string;
  /**
   * Builds the endpoint from the streams wanted at connect time (e.g. Binance combined-stream
   * URLs `…/stream?streams=a/b`). Called for every new connection.
   */
  urlFor?: (streams: readonly string[]) => string;
  /**
   * True when `urlFor` already subscribes the streams it was given, so no subscribe message is
   * sent for them on open (default false).
   */
  urlIncludesStreams?: boolean;
  /** The venue adapter: wire formats and limits. */
  protocol: VenueProtocol;
  /** Time source for every wait, watchdog, ping, renewal and limit. */
  clock: Clock;
  /** Logger (pino-compatible); records pass through redaction. Default: none. */
  logger?: Logger;
  /** Name in logs, alerts, metric labels and the degraded reason, e.g. `binance-spot` (default `ws`). */
  name?: string;
  /** Uniform floats in `[0, 1)` for backoff jitter (default `Math.random`). */
  random?: () => number;
  /** Opens sockets (default `new WebSocket(url)` from `ws`). */
  socketFactory?: SocketFactory;
  /** Reconnect backoff (default {@link DEFAULT_BACKOFF}: 500 ms base, 30 s cap, 1 s jitter). */
  backoff?: Partial<BackoffOptions>;
  /**
   * `N_max`: consecutive failed connection attempts tolerated; one more raises `fatal`, an alert
   * and the degraded signal (default 10).
   */
  maxConsecutiveFailures?: number;
  /** How long an attempt may take to open, ms (default 10 000). */
  connectTimeoutMs?: number;
  /**
   * Staleness watchdog: the longest a subscribed stream may stay silent while the connection lives,
   * ms — one value for every stream, or per stream (`undefined` or 0: not watched). Default: off.
   */
  maxSilenceMs?: number | ((stream: string) => number | undefined);
  /**
   * During renewal, the longest both connections stay open waiting for every stream to move to
   * the new one, ms (default 10 000). Quiet streams move when it ends.
   */
  handoverTimeoutMs?: number;
  /** Interval of the `mkt_throughput` metric, ms (default 1 000; 0 disables it). */
  metricsIntervalMs?: number;
  /**
   * The connection-attempt queue. Pass one queue to every socket of a venue so they share the
   * venue's per-IP attempt limit; default: a queue of this socket's own, from
   * `protocol.maxConnectAttemptsPer`.
   */
  connectQueue?: ThrottledQueue;
}

/** What {@link ReconnectingSocket.state} reports. */
export type ReconnectingSocketState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

interface Conn {
  readonly id: number;
  readonly socket: SocketLike;
  role: 'primary' | 'successor';
  state: 'connecting' | 'open' | 'closed';
  openedAt: number | undefined;
  lastFrameAt: number;
  /** Per stream: last data message on this connection, or when it was subscribed here. */
  readonly lastDataAt: Map<string, number>;
  /** Streams the URL subscribed (urlIncludesStreams). */
  readonly urlStreams: ReadonlySet<string>;
  readonly sendQueue: ThrottledQueue;
  connectTimer: TimerHandle | undefined;
  pingTimer: TimerHandle | undefined;
  pongTimer: TimerHandle | undefined;
  idleTimer: TimerHandle | undefined;
  pingQueued: boolean;
  pingSentAt: number | undefined;
  lastError: string | undefined;
}

interface HandoverStream {
  switched: boolean;
  buffer: { message: SocketMessage; seq: number | undefined }[];
}

interface Renewal {
  readonly reason: RenewReason;
  waitTimer: TimerHandle | undefined;
  cancelQueued: (() => boolean) | undefined;
  /** A shutdown notice arrived on the new connection: renew again once this one is done. */
  again: boolean;
  handover: { openedAt: number; timer: TimerHandle | undefined; streams: Map<string, HandoverStream> } | undefined;
}

// Guards memory if the old connection stops delivering mid-hand-over; the stream then switches
// with a possible gap, which the venue's own sequence checks (book sync) will notice.
const MAX_HANDOVER_BUFFER = 10_000;

const noop = (): void => undefined;

function textOf(data: unknown): string {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return String(data);
}

function hostOf(url: string): string {
  // Only the host is logged: paths and queries can carry secrets (Binance UM `/ws/<listenKey>`).
  try {
    return new URL(url).host;
  } catch {
    return '(invalid url)';
  }
}

/**
 * `Retry-After` in ms from `nowMs`: delay-seconds, an HTTP date, or — as MAX sends it — a unix
 * timestamp in seconds (any number above 10^9 is read as one). Undefined when absent or unparsable.
 */
function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n > 1e9 ? Math.max(0, Math.round(n * 1000 - nowMs)) : Math.round(n * 1000);
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function defaultSocketFactory(url: string): SocketLike {
  return new WebSocket(url);
}

/**
 * One venue WebSocket connection that reconnects, resubscribes, watches its streams and renews
 * itself before the venue cuts it.
 *
 * **Reconnect.** The wait before the next attempt is `min(maxWait, base·2^n) + U(0, jitter)`
 * ({@link backoffDelay}) where `n` = `retry_count`, the consecutive failed attempts since the last
 * open (0 right after an open connection drops). Every attempt also passes the connection-attempt
 * queue (the venue's attempts per window), and a refused upgrade's `Retry-After` (429/418) holds
 * back every later attempt. On open, `protocol.openMessages()` and subscriptions for every stream
 * in {@link ReconnectingSocket.subscriptions} are sent again. Success — which resets
 * `retry_count` — means the socket opened.
 *
 * **FATAL.** When consecutive failed attempts exceed `maxConsecutiveFailures` (`N_max`), `fatal`
 * (with a {@link FatalError} `WS_FATAL`), `degraded` ("manage existing positions only") and a
 * FATAL `alert` are emitted once. Retrying does not stop: it continues at the backoff cap, so the
 * system heals by itself when the venue returns, and the next open emits `recovered` (and an INFO
 * alert) to lift degraded mode. Stopping would need a human to restart a process that can
 * recover alone; the degraded signal already keeps new exposure out meanwhile.
 *
 * **Liveness.** `ws` answers server pings by itself (Binance). With `protocol.clientPing` the
 * socket pings on its own (MAX wants a ping within 130 s) and replaces the connection when the
 * pong is late; each pong gives a `ws_rtt` sample. With `protocol.idleTimeoutMs` a connection on
 * which nothing arrived for that long is replaced. With `maxSilenceMs`, a subscribed stream that
 * stays silent that long while the connection lives emits `stale` and renews the connection
 * (consecutive stale renewals back off like reconnects).
 *
 * **Renewal.** At `lifetimeMs − renewBeforeMs` after open, on a shutdown notice
 * (`controlKind` → `shutdown`, Binance `serverShutdown`), on `stale`, or on {@link ReconnectingSocket.renew},
 * a second connection opens and subscribes everything while the first keeps delivering. Each
 * stream moves to the new connection once it is proven to overlap: with `protocol.sequenceOf`,
 * when one connection has delivered what the other starts from (no gap, no duplicate); without
 * it, at the new connection's first message for the stream. When every stream has moved (or
 * after `handoverTimeoutMs`) the old connection closes and `renewed` is emitted.
 *
 * **Limits.** Every outgoing message (subscriptions, pings, {@link ReconnectingSocket.send}) goes
 * through a per-connection queue of `maxMessagesPerSecond`; more streams than
 * `maxStreamsPerConnection` are refused. A venue that needs more streams runs several instances
 * (a pool sharding streams across them) sharing one `connectQueue`. Pong frames `ws` sends in
 * answer to server pings are not counted (they are the server's cadence, far below the limits).
 *
 * One instance holds at most two sockets, and two only while renewing.
 *
 * Timers come from the clock: on a `SystemClock` (unref'd timers by default) a process whose only
 * work is this socket may exit during a backoff wait; such hosts pass `new SystemClock({ unref: false })`.
 *
 * @example
 * ```ts
 * const socket = new ReconnectingSocket({ url, clock: new SystemClock(), protocol: binanceSpotProtocol, maxSilenceMs: 30_000 });
 * socket.events.on('message', (m) => handle(m.stream, m.data));
 * socket.events.on('degraded', (s) => degradedMode.enter(s.reason));
 * socket.events.on('recovered', (r) => degradedMode.exit(r.reason));
 * socket.subscribe(['btcusdt@bookTicker']);
 * socket.start();
 * ```
 */
export class ReconnectingSocket {
  /** Typed events ({@link ReconnectingSocketEvents}); none is named `error`. */
  readonly events = new EventEmitter<ReconnectingSocketEvents>();

  private readonly protocol: VenueProtocol;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly name: string;
  private readonly random: () => number;
  private readonly factory: SocketFactory;
  private readonly urlFor: (streams: readonly string[]) => string;
  private readonly urlIncludesStreams: boolean;
  private readonly backoff: BackoffOptions;
  private readonly maxFailures: number;
  private readonly connectTimeoutMs: number;
  private readonly silenceOf: (stream: string) => number | undefined;
  private readonly handoverTimeoutMs: number;
  private readonly metricsIntervalMs: number;
  private readonly renewAfterMs: number | undefined;
  private readonly connectQueue: ThrottledQueue;

  private readonly desired = new Set<string>();
  private readonly lastSeq = new Map<string, number>();
  /**
   * After a hand-over, per stream: the last sequence delivered when the stream moved. The new
   * connection may still repeat messages up to it (it was behind); they are skipped until it passes.
   */
  private readonly catchUp = new Map<string, number>();
  private primary: Conn | undefined;
  private successor: Conn | undefined;
  private started = false;
  private closing = false;
  private nextConnId = 1;
  private everOpened = false;

  private retries = 0;
  private outageSince: number | undefined;
  private outageAttempts = 0;
  private reconnectTimer: TimerHandle | undefined;
  private cancelConnectWait: (() => boolean) | undefined;
  private fatalSignal: DegradedSignal | undefined;
  /** No attempt before this time (epoch ms): a refused upgrade's `Retry-After`. */
  private notBefore = 0;

  private renewal: Renewal | undefined;
  private renewFailures = 0;
  private lifetimeTimer: TimerHandle | undefined;
  private watchdogTimer: TimerHandle | undefined;
  private staleStreak = 0;
  private readonly staleStreams = new Set<string>();

  private metricsTimer: TimerHandle | undefined;
  private deliveredSinceMetric = 0;

  /**
   * @param options - see {@link ReconnectingSocketOptions}.
   * @throws ValidationError when neither `url` nor `urlFor` is given, or a limit or duration is not
   * a positive number.
   */
  constructor(options: ReconnectingSocketOptions) {
    validateOptions(options);
    const p = options.protocol;
    this.protocol = p;
    this.clock = options.clock;
    this.name = options.name ?? 'ws';
    this.log = options.logger ? redactingLogger(options.logger).child({ component: 'reconnecting-socket', name: this.name }) : noopLogger;
    this.random = options.random ?? Math.random;
    this.factory = options.socketFactory ?? defaultSocketFactory;
    const url = options.url;
    this.urlFor = options.urlFor ?? (() => url as string);
    this.urlIncludesStreams = options.urlFor !== undefined && options.urlIncludesStreams === true;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    backoffDelay(0, this.backoff, () => 0); // throws RangeError early for a bad schedule
    this.maxFailures = options.maxConsecutiveFailures ?? 10;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const silence = options.maxSilenceMs;
    this.silenceOf = typeof silence === 'function' ? silence : () => silence;
    this.handoverTimeoutMs = options.handoverTimeoutMs ?? 10_000;
    this.metricsIntervalMs = options.metricsIntervalMs ?? 1_000;
    if (p.lifetimeMs !== undefined) {
      const before = p.renewBeforeMs ?? Math.min(300_000, p.lifetimeMs / 2);
      this.renewAfterMs = Math.max(0, p.lifetimeMs - before);
    }
    this.connectQueue =
      options.connectQueue ?? new ThrottledQueue(this.clock, p.maxConnectAttemptsPer.count, p.maxConnectAttemptsPer.windowMs);
  }

  /** The streams this socket keeps subscribed (restored after every reconnect), in subscription order. */
  subscriptions(): string[] {
    return [...this.desired];
  }

  /** Where the socket is: not started, first connect, open, between attempts, or closed. */
  get state(): ReconnectingSocketState {
    if (this.closing) return 'closed';
    if (!this.started) return 'idle';
    if (this.primary?.state === 'open') return 'open';
    return this.everOpened ? 'reconnecting' : 'connecting';
  }

  /** Consecutive failed connection attempts since the last open (`retry_count`). */
  get retryCount(): number {
    return this.retries;
  }

  /** The degraded signal raised by `fatal` and not yet lifted by `recovered`, if any. */
  get degraded(): DegradedSignal | undefined {
    return this.fatalSignal;
  }

  /** Id of the connection currently delivering messages, if one is open. */
  get connectionId(): number | undefined {
    return this.primary?.state === 'open' ? this.primary.id : undefined;
  }

  /**
   * Starts connecting (idempotent while running).
   * @throws StateError after {@link ReconnectingSocket.close}.
   */
  start(): void {
    if (this.closing) throw new StateError('socket is closed', { code: 'SOCKET_CLOSED', details: { name: this.name } });
    if (this.started) return;
    this.started = true;
    this.outageSince = this.clock.now();
    if (this.metricsIntervalMs > 0) this.metricsTimer = this.clock.setInterval(() => this.emitThroughput(), this.metricsIntervalMs);
    this.connectPrimary();
  }

  /**
   * Adds streams to the subscription set and subscribes them on the open connection(s); they are
   * restored after every reconnect. Already subscribed streams are ignored.
   * @throws BusinessRuleError `WS_STREAM_LIMIT` (nothing subscribed) when the set would exceed
   * `protocol.maxStreamsPerConnection`; StateError after {@link ReconnectingSocket.close}.
   */
  subscribe(streams: readonly string[]): void {
    if (this.closing) throw new StateError('socket is closed', { code: 'SOCKET_CLOSED', details: { name: this.name } });
    const fresh = [...new Set(streams)].filter((s) => !this.desired.has(s));
    if (fresh.length === 0) return;
    const max = this.protocol.maxStreamsPerConnection;
    if (this.desired.size + fresh.length > max) {
      throw new BusinessRuleError(`${this.desired.size + fresh.length} streams exceed the ${max} one connection may carry; use more sockets`, {
        code: 'WS_STREAM_LIMIT',
        details: { name: this.name, subscribed: this.desired.size, requested: fresh.length, max },
      });
    }
    const now = this.clock.now();
    for (const s of fresh) this.desired.add(s);
    for (const conn of this.openConns()) {
      for (const s of fresh) conn.lastDataAt.set(s, now);
      this.sendControl(conn, this.protocol.subscribeMessages(fresh));
    }
    const handover = this.renewal?.handover;
    if (handover) for (const s of fresh) handover.streams.set(s, { switched: false, buffer: [] });
    this.armWatchdog();
  }

  /** Removes streams from the subscription set and unsubscribes them on the open connection(s). */
  unsubscribe(streams: readonly string[]): void {
    const gone = [...new Set(streams)].filter((s) => this.desired.has(s));
    if (gone.length === 0 || this.closing) return;
    for (const s of gone) {
      this.desired.delete(s);
      this.lastSeq.delete(s);
      this.catchUp.delete(s);
      this.forgetStale(s);
      this.renewal?.handover?.streams.delete(s);
    }
    for (const conn of this.openConns()) {
      for (const s of gone) conn.lastDataAt.delete(s);
      this.sendControl(conn, this.protocol.unsubscribeMessages(gone));
    }
    this.checkHandoverDone();
    this.armWatchdog();
  }

  /**
   * Sends one message on the delivering connection through its rate-limited queue. During a
   * renewal that is the old connection; a message still queued when it is retired is rejected
   * (it never left), so the caller decides whether to send it again.
   * @param message - text, or a value sent as JSON.
   * @returns resolves when the message was handed to the socket.
   * @throws (rejects) NetworkError when no connection is open or it closed before the message
   * left (the message was not sent); StateError after {@link ReconnectingSocket.close}.
   */
  send(message: string | object): Promise<void> {
    if (this.closing) return Promise.reject(new StateError('socket is closed', { code: 'SOCKET_CLOSED', details: { name: this.name } }));
    const conn = this.primary;
    if (conn?.state !== 'open') return Promise.reject(new NetworkError('not connected; message not sent', { details: { name: this.name } }));
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    return new Promise<void>((resolve, reject) => {
      conn.sendQueue.enqueue(
        () => {
          try {
            conn.socket.send(text);
            resolve();
          } catch (err) {
            reject(new NetworkError('socket refused the message', { cause: err, details: { name: this.name } }));
          }
        },
        () => reject(new NetworkError('connection closed before the message was sent', { details: { name: this.name } })),
      );
    });
  }

  /**
   * Renews the connection make-before-break now (e.g. after a venue sequence gap that needs fresh
   * subscriptions). Ignored (returns false) when no connection is open or a renewal is under way.
   */
  renew(): boolean {
    return this.beginRenewal('manual', 0);
  }

  /**
   * Stops for good: cancels every timer, closes the sockets (code 1000) and emits `closed`.
   * Resolves when the sockets report closed, or after 1 s of clock time at the latest.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.clock.clearTimeout(this.reconnectTimer);
    this.cancelConnectWait?.();
    this.cancelRenewal();
    this.clock.clearTimeout(this.lifetimeTimer);
    this.clock.clearTimeout(this.watchdogTimer);
    this.clock.clearInterval(this.metricsTimer);
    const conns = [this.primary, this.successor].filter((c): c is Conn => c !== undefined);
    const waits = conns.map((c) => this.retire(c, 1000, 'client close'));
    this.primary = undefined;
    this.successor = undefined;
    if (waits.length > 0) {
      let timer: TimerHandle | undefined;
      await Promise.race([Promise.all(waits), new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, 1_000)))]);
      this.clock.clearTimeout(timer);
      // A peer that does not answer the closing handshake is cut rather than waited for.
      for (const c of conns) if (c.socket.readyState !== SOCKET_STATE.CLOSED) c.socket.terminate();
    }
    this.events.emit('closed');
  }

  // ---------------------------------------------------------------- connections

  private openConns(): Conn[] {
    return [this.primary, this.successor].filter((c): c is Conn => c?.state === 'open');
  }

  private connectPrimary(): void {
    this.reconnectTimer = undefined;
    this.cancelConnectWait = this.connectQueue.enqueue(() => {
      this.cancelConnectWait = undefined;
      this.openConn('primary');
    });
  }

  private openConn(role: Conn['role']): void {
    if (this.closing) return;
    const streams = [...this.desired];
    const url = this.urlFor(streams);
    const id = this.nextConnId++;
    if (role === 'primary') this.outageAttempts++;
    let socket: SocketLike;
    try {
      socket = this.factory(url);
    } catch (err) {
      // An unusable URL fails like a refused connection, on the clock rather than re-entrantly.
      this.log.warn({ connectionId: id, host: hostOf(url), err }, 'socket could not be created');
      const handle = this.clock.setTimeout(() => {
        if (role === 'primary') this.onPrimaryAttemptFailed('connect_failed', err instanceof Error ? err.message : String(err));
        else this.onRenewalFailed('connect_failed');
      }, 0);
      if (role === 'successor' && this.renewal) this.renewal.waitTimer = handle;
      return;
    }
    const now = this.clock.now();
    const conn: Conn = {
      id,
      socket,
      role,
      state: 'connecting',
      openedAt: undefined,
      lastFrameAt: now,
      lastDataAt: new Map(),
      urlStreams: new Set(this.urlIncludesStreams ? streams : []),
      sendQueue: new ThrottledQueue(this.clock, this.protocol.maxMessagesPerSecond, 1_000),
      connectTimer: undefined,
      pingTimer: undefined,
      pongTimer: undefined,
      idleTimer: undefined,
      pingQueued: false,
      pingSentAt: undefined,
      lastError: undefined,
    };
    if (role === 'primary') this.primary = conn;
    else this.successor = conn;
    socket.on('open', () => this.onOpen(conn));
    socket.on('message', (data) => this.onFrame(conn, data));
    socket.on('ping', () => {
      conn.lastFrameAt = this.clock.now();
    });
    socket.on('pong', () => {
      conn.lastFrameAt = this.clock.now();
      this.onPong(conn);
    });
    socket.on('close', (code, reason) => this.onSocketClose(conn, code, textOf(reason)));
    socket.on('error', (err) => {
      conn.lastError = err.message;
      this.log.debug({ connectionId: id, err }, 'socket error');
    });
    socket.on('unexpected-response', (_request, response) => this.onRefusedUpgrade(conn, response));
    conn.connectTimer = this.clock.setTimeout(() => this.connDown(conn, 'connect_timeout', `no open within ${this.connectTimeoutMs} ms`), this.connectTimeoutMs);
    this.log.debug({ connectionId: id, role, host: hostOf(url), streams: streams.length }, 'connecting');
  }

  private onOpen(conn: Conn): void {
    if (conn.state !== 'connecting') return;
    const now = this.clock.now();
    conn.state = 'open';
    conn.openedAt = now;
    conn.lastFrameAt = now;
    this.clock.clearTimeout(conn.connectTimer);
    conn.connectTimer = undefined;
    const opening = this.protocol.openMessages?.() ?? [];
    const toSubscribe = [...this.desired].filter((s) => !conn.urlStreams.has(s));
    for (const s of this.desired) conn.lastDataAt.set(s, now);
    this.sendControl(conn, opening);
    if (toSubscribe.length > 0) this.sendControl(conn, this.protocol.subscribeMessages(toSubscribe));
    this.startLiveness(conn);
    if (conn.role === 'primary') this.onPrimaryOpen(conn);
    else this.beginHandover(conn);
  }

  private onPrimaryOpen(conn: Conn): void {
    const now = this.clock.now();
    const reconnect = this.everOpened;
    const downtimeMs = now - (this.outageSince ?? now);
    const attempts = this.outageAttempts;
    const failures = this.retries;
    this.everOpened = true;
    this.retries = 0;
    this.outageSince = undefined;
    this.outageAttempts = 0;
    this.log.info({ connectionId: conn.id, reconnect, downtimeMs, attempts, streams: this.desired.size }, 'connection open');
    this.events.emit('open', { connectionId: conn.id, reconnect, ts: now });
    if (reconnect) this.events.emit('reconnected', { connectionId: conn.id, downtimeMs, attempts, ts: now });
    const signal = this.fatalSignal;
    if (signal) {
      this.fatalSignal = undefined;
      this.events.emit('recovered', { reason: signal.reason, downtimeMs, failures, ts: now });
      this.alert('INFO', 'WS_RECOVERED', `${this.name}: connected again after ${failures} failed attempts; degraded mode may end`, {
        reason: signal.reason,
        downtimeMs,
        failures,
      });
    }
    this.scheduleLifetimeRenewal(conn);
    this.armWatchdog();
  }

  /**
   * The venue refused the upgrade with an HTTP answer. A 429/418 `Retry-After` is honoured by
   * every later attempt: retrying early can extend an IP ban (MAX resets its penalty period).
   */
  private onRefusedUpgrade(conn: Conn, response: HandshakeResponse): void {
    const status = response.statusCode ?? 0;
    const now = this.clock.now();
    const header = response.headers?.['retry-after'];
    const waitMs = retryAfterMs(Array.isArray(header) ? header[0] : header, now);
    if (waitMs !== undefined) this.notBefore = Math.max(this.notBefore, now + waitMs);
    if (status === 429 || status === 418) {
      this.alert(status === 418 ? 'ERROR' : 'WARN', status === 418 ? 'WS_IP_BANNED' : 'WS_RATE_LIMITED', `${this.name}: connection refused with HTTP ${status}`, {
        name: this.name,
        status,
        retryAfterMs: waitMs,
      });
    }
    this.connDown(conn, 'connect_failed', `upgrade refused with HTTP ${status}`);
  }

  private onSocketClose(conn: Conn, code: number, reason: string): void {
    const detail = `closed by peer (code ${code}${reason ? `: ${reason}` : ''})${conn.lastError ? `; ${conn.lastError}` : ''}`;
    this.connDown(conn, conn.state === 'open' ? 'closed' : 'connect_failed', detail);
  }

  /** A connection broke or failed: retire it and decide what replaces it. */
  private connDown(conn: Conn, reason: ReconnectReason, detail: string): void {
    if (conn.state === 'closed') return;
    const wasOpen = conn.state === 'open';
    void this.retire(conn);
    if (this.closing) return;
    this.log.warn({ connectionId: conn.id, role: conn.role, reason, detail }, 'connection down');
    if (conn === this.successor) {
      this.successor = undefined;
      this.onRenewalFailed(reason);
      return;
    }
    if (conn !== this.primary) return;
    this.primary = undefined;
    this.catchUp.clear();
    this.clock.clearTimeout(this.lifetimeTimer);
    this.clock.clearTimeout(this.watchdogTimer);
    const next = this.successor;
    if (next) {
      // The renewal's new connection replaces the broken one: hand over at once if it is open,
      // else let its pending open count as the reconnect attempt.
      if (next.state === 'open') {
        this.finishHandover('old connection closed');
        return;
      }
      this.successor = undefined;
      next.role = 'primary';
      this.primary = next;
      this.cancelRenewal();
      this.outageSince = this.clock.now();
      this.outageAttempts = 1;
      this.events.emit('reconnecting', { retryCount: this.retries, delayMs: 0, reason, ts: this.clock.now() });
      return;
    }
    this.cancelRenewal();
    if (wasOpen) {
      this.outageSince = this.clock.now();
      this.outageAttempts = 0;
      this.scheduleReconnect(reason);
    } else {
      this.onPrimaryAttemptFailed(reason, detail);
    }
  }

  private onPrimaryAttemptFailed(reason: ReconnectReason, detail: string): void {
    if (this.closing) return;
    if (this.primary?.state === 'connecting' || this.primary?.state === 'open') return;
    this.retries++;
    if (this.retries > this.maxFailures && this.fatalSignal === undefined) this.raiseFatal(detail);
    this.scheduleReconnect(reason);
  }

  private scheduleReconnect(reason: ReconnectReason): void {
    const ts = this.clock.now();
    const delayMs = Math.max(backoffDelay(this.retries, this.backoff, this.random), this.notBefore - ts);
    this.reconnectTimer = this.clock.setTimeout(() => this.connectPrimary(), delayMs);
    this.log.warn({ retryCount: this.retries, delayMs, reason }, 'reconnecting');
    this.events.emit('reconnecting', { retryCount: this.retries, delayMs, reason, ts });
  }

  private raiseFatal(lastError: string): void {
    const now = this.clock.now();
    const signal: DegradedSignal = { mode: 'manage_existing_positions_only', reason: `${this.name} ws FATAL`, since: now };
    this.fatalSignal = signal;
    const details = { name: this.name, failures: this.retries, maxConsecutiveFailures: this.maxFailures, lastError };
    const error = new FatalError(`${this.name}: ${this.retries} consecutive WebSocket connection failures (N_max ${this.maxFailures})`, {
      code: 'WS_FATAL',
      details,
    });
    this.log.fatal({ ...details }, 'WebSocket FATAL: degraded mode, retrying at the backoff cap');
    this.events.emit('fatal', { error, failures: this.retries, degraded: signal });
    this.events.emit('degraded', signal);
    this.alert('FATAL', 'WS_FATAL', `${error.shortMessage}; manage existing positions only until it recovers`, details);
  }

  /**
   * Detaches and closes a socket. Resolves when the socket reports closed (a retired socket's late
   * events must never reach the state machine; a silent `error` listener stays so `ws` cannot throw).
   */
  private retire(conn: Conn, code?: number, reason?: string): Promise<void> {
    conn.state = 'closed';
    for (const t of [conn.connectTimer, conn.pongTimer, conn.idleTimer]) this.clock.clearTimeout(t);
    this.clock.clearInterval(conn.pingTimer);
    conn.sendQueue.clear();
    const socket = conn.socket;
    socket.removeAllListeners();
    socket.on('error', noop);
    return new Promise<void>((resolve) => {
      socket.on('close', () => resolve());
      try {
        if (code !== undefined && socket.readyState === SOCKET_STATE.OPEN) socket.close(code, reason);
        else socket.terminate();
      } catch (err) {
        this.log.debug({ connectionId: conn.id, err }, 'socket close threw');
      }
      if (socket.readyState === SOCKET_STATE.CLOSED) resolve();
    });
  }

  private sendControl(conn: Conn, messages: readonly string[]): void {
    for (const text of messages) {
      conn.sendQueue.enqueue(() => {
        try {
          conn.socket.send(text);
        } catch (err) {
          // The close event follows and restores the subscriptions on the next connection.
          this.log.debug({ connectionId: conn.id, err }, 'control message not sent');
        }
      });
    }
  }

  // ---------------------------------------------------------------- liveness

  private startLiveness(conn: Conn): void {
    const ping = this.protocol.clientPing;
    if (ping) conn.pingTimer = this.clock.setInterval(() => this.sendPing(conn), ping.intervalMs);
    const idle = this.protocol.idleTimeoutMs;
    if (idle !== undefined && idle > 0) {
      const check = (): void => {
        const silent = this.clock.now() - conn.lastFrameAt;
        if (silent >= idle) this.connDown(conn, 'idle_timeout', `nothing received for ${silent} ms`);
        else conn.idleTimer = this.clock.setTimeout(check, idle - silent);
      };
      conn.idleTimer = this.clock.setTimeout(check, idle);
    }
  }

  private sendPing(conn: Conn): void {
    const ping = this.protocol.clientPing;
    if (!ping || conn.state !== 'open' || conn.pingQueued || conn.pingSentAt !== undefined) return;
    conn.pingQueued = true;
    conn.sendQueue.enqueue(() => {
      conn.pingQueued = false;
      conn.pingSentAt = this.clock.now();
      try {
        if (ping.message) conn.socket.send(ping.message());
        else conn.socket.ping();
      } catch (err) {
        this.log.debug({ connectionId: conn.id, err }, 'ping not sent');
      }
      const timeoutMs = ping.timeoutMs ?? ping.intervalMs;
      conn.pongTimer = this.clock.setTimeout(() => this.connDown(conn, 'ping_timeout', `no pong within ${timeoutMs} ms`), timeoutMs);
    });
  }

  private onPong(conn: Conn): void {
    const sentAt = conn.pingSentAt;
    if (sentAt === undefined || conn.state !== 'open') return;
    const now = this.clock.now();
    conn.pingSentAt = undefined;
    this.clock.clearTimeout(conn.pongTimer);
    conn.pongTimer = undefined;
    this.events.emit('metric', { name: 'ws_rtt', value: now - sentAt, unit: 'ms', ts: now, labels: { name: this.name, connectionId: conn.id } });
  }

  // ---------------------------------------------------------------- inbound

  private onFrame(conn: Conn, data: unknown): void {
    if (conn.state !== 'open') return;
    const now = this.clock.now();
    conn.lastFrameAt = now;
    let msg: unknown;
    try {
      const text = textOf(data);
      msg = this.protocol.parse ? this.protocol.parse(text) : JSON.parse(text);
    } catch (err) {
      this.log.warn({ connectionId: conn.id, err }, 'undecodable frame dropped');
      return;
    }
    const kind = this.protocol.controlKind(msg);
    if (kind !== undefined) {
      if (kind === 'pong') this.onPong(conn);
      this.events.emit('control', { kind, data: msg, receivedAt: now, connectionId: conn.id });
      if (kind === 'shutdown') this.onShutdownNotice(conn);
      return;
    }
    const stream = this.protocol.streamOf(msg);
    if (stream !== undefined) conn.lastDataAt.set(stream, now);
    this.route(conn, { data: msg, stream, receivedAt: now, connectionId: conn.id });
  }

  private seqOf(message: SocketMessage): number | undefined {
    return message.stream === undefined ? undefined : this.protocol.sequenceOf?.(message.data, message.stream);
  }

  /** Delivers a message once, choosing between the old and the new connection during a hand-over. */
  private route(conn: Conn, message: SocketMessage): void {
    const handover = this.renewal?.handover;
    const stream = message.stream;
    const st = handover && stream !== undefined ? handover.streams.get(stream) : undefined;
    if (st === undefined || stream === undefined) {
      // Outside a hand-over, or data not tied to a handed-over stream: the delivering connection speaks.
      if (conn !== this.primary) return;
      const seq = this.seqOf(message);
      const floor = stream === undefined ? undefined : this.catchUp.get(stream);
      if (floor !== undefined && stream !== undefined) {
        if (seq !== undefined && seq <= floor) return;
        this.catchUp.delete(stream);
      }
      this.deliver(message, seq);
      return;
    }
    const seq = this.seqOf(message);
    if (conn === this.primary) {
      if (st.switched) return; // the new connection delivers this stream now
      this.deliver(message, seq);
      const first = st.buffer[0]?.seq;
      // The old connection has caught up with where the new one started: the feeds overlap.
      if (seq !== undefined && first !== undefined && seq >= first) this.switchStream(st);
      return;
    }
    if (conn !== this.successor) return;
    if (st.switched) {
      this.deliverIfNewer(message, seq);
      return;
    }
    const last = this.lastSeq.get(stream);
    if (seq === undefined || last === undefined || this.staleStreams.has(stream)) {
      // Nothing to align on (or the old feed is known dead): switch at the first message.
      st.buffer.push({ message, seq });
      this.switchStream(st);
    } else if (seq <= last) {
      // The new connection repeats what the old one delivered: they overlap; skip the repeat.
      this.switchStream(st);
    } else {
      st.buffer.push({ message, seq });
      if (st.buffer.length >= MAX_HANDOVER_BUFFER) this.switchStream(st);
    }
  }

  private switchStream(st: HandoverStream): void {
    st.switched = true;
    const buffered = st.buffer;
    st.buffer = [];
    for (const b of buffered) this.deliverIfNewer(b.message, b.seq);
    this.checkHandoverDone();
  }

  private deliverIfNewer(message: SocketMessage, seq: number | undefined): void {
    const last = message.stream === undefined ? undefined : this.lastSeq.get(message.stream);
    if (seq !== undefined && last !== undefined && seq <= last) return;
    this.deliver(message, seq);
  }

  private deliver(message: SocketMessage, seq: number | undefined): void {
    if (this.closing) return; // a listener closed the socket while a buffer was being flushed
    const stream = message.stream;
    if (stream !== undefined) {
      if (seq !== undefined && this.desired.has(stream)) this.lastSeq.set(stream, seq);
      if (this.staleStreams.size > 0) this.forgetStale(stream);
    }
    this.deliveredSinceMetric++;
    this.events.emit('message', message);
  }

  private emitThroughput(): void {
    const count = this.deliveredSinceMetric;
    this.deliveredSinceMetric = 0;
    this.events.emit('metric', {
      name: 'mkt_throughput',
      value: (count * 1_000) / this.metricsIntervalMs,
      unit: 'msg/s',
      ts: this.clock.now(),
      labels: { name: this.name, messages: count, intervalMs: this.metricsIntervalMs },
    });
  }

  // ---------------------------------------------------------------- staleness watchdog

  private forgetStale(stream: string): void {
    // A stream that was stale speaks again: consecutive stale renewals stop backing off.
    if (this.staleStreams.delete(stream) && this.staleStreams.size === 0) this.staleStreak = 0;
  }

  /** Arms one timer at the earliest moment a watched stream could become stale. */
  private armWatchdog(): void {
    this.clock.clearTimeout(this.watchdogTimer);
    this.watchdogTimer = undefined;
    const conn = this.primary;
    if (this.closing || conn?.state !== 'open' || this.renewal) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const s of this.desired) {
      const limit = this.silenceOf(s);
      if (limit === undefined || !(limit > 0)) continue;
      earliest = Math.min(earliest, (conn.lastDataAt.get(s) ?? conn.openedAt ?? this.clock.now()) + limit);
    }
    if (earliest === Number.POSITIVE_INFINITY) return;
    this.watchdogTimer = this.clock.setTimeout(() => this.checkStale(), Math.max(0, earliest - this.clock.now()));
  }

  private checkStale(): void {
    this.watchdogTimer = undefined;
    const conn = this.primary;
    if (this.closing || conn?.state !== 'open' || this.renewal) return;
    const now = this.clock.now();
    const stale: string[] = [];
    for (const s of this.desired) {
      const limit = this.silenceOf(s);
      if (limit === undefined || !(limit > 0)) continue;
      const silentMs = now - (conn.lastDataAt.get(s) ?? conn.openedAt ?? now);
      if (silentMs >= limit) {
        stale.push(s);
        this.events.emit('stale', { stream: s, silentMs, maxSilenceMs: limit, ts: now });
      }
    }
    if (stale.length === 0) {
      this.armWatchdog();
      return;
    }
    for (const s of stale) this.staleStreams.add(s);
    const delayMs = this.staleStreak === 0 ? 0 : backoffDelay(this.staleStreak - 1, this.backoff, this.random);
    this.staleStreak++;
    this.log.warn({ streams: stale, delayMs, streak: this.staleStreak }, 'streams stale while the connection lives; renewing');
    this.alert('WARN', 'WS_STREAM_STALE', `${this.name}: ${stale.length} stream(s) silent while the connection lives; renewing it`, {
      name: this.name,
      streams: stale,
      delayMs,
    });
    this.beginRenewal('stale', delayMs);
  }

  // ---------------------------------------------------------------- renewal (make-before-break)

  private scheduleLifetimeRenewal(conn: Conn): void {
    this.clock.clearTimeout(this.lifetimeTimer);
    this.lifetimeTimer = undefined;
    if (this.renewAfterMs === undefined) return;
    // The lifetime counts from the connection's own open (a renewed one opened before it took over).
    const age = this.clock.now() - (conn.openedAt ?? this.clock.now());
    this.lifetimeTimer = this.clock.setTimeout(() => {
      this.lifetimeTimer = undefined;
      if (conn === this.primary) this.beginRenewal('lifetime', 0);
    }, Math.max(0, this.renewAfterMs - age));
  }

  private onShutdownNotice(conn: Conn): void {
    this.log.info({ connectionId: conn.id }, 'server announced shutdown; renewing');
    if (conn === this.successor && this.renewal) this.renewal.again = true;
    else if (conn === this.primary) this.beginRenewal('shutdown', 0);
  }

  private beginRenewal(reason: RenewReason, delayMs: number): boolean {
    if (this.closing || this.primary?.state !== 'open') return false;
    const current = this.renewal;
    if (current) {
      // A shutdown notice cannot wait for a backed-off stale or failed renewal.
      if (reason === 'shutdown' && current.waitTimer !== undefined && this.successor === undefined) {
        this.clock.clearTimeout(current.waitTimer);
        this.enqueueSuccessor(current);
        return true;
      }
      return false;
    }
    const renewal: Renewal = { reason, waitTimer: undefined, cancelQueued: undefined, again: false, handover: undefined };
    this.renewal = renewal;
    this.clock.clearTimeout(this.lifetimeTimer);
    this.lifetimeTimer = undefined;
    this.clock.clearTimeout(this.watchdogTimer);
    this.watchdogTimer = undefined;
    this.log.info({ reason, delayMs }, 'renewing connection');
    this.events.emit('renewing', { reason, delayMs, ts: this.clock.now() });
    if (delayMs > 0) renewal.waitTimer = this.clock.setTimeout(() => this.enqueueSuccessor(renewal), delayMs);
    else this.enqueueSuccessor(renewal);
    return true;
  }

  private enqueueSuccessor(renewal: Renewal): void {
    renewal.waitTimer = undefined;
    renewal.cancelQueued = this.connectQueue.enqueue(() => {
      renewal.cancelQueued = undefined;
      if (this.renewal === renewal) this.openConn('successor');
    });
  }

  private beginHandover(conn: Conn): void {
    const renewal = this.renewal;
    if (!renewal) return;
    const streams = new Map<string, HandoverStream>();
    for (const s of this.desired) streams.set(s, { switched: false, buffer: [] });
    renewal.handover = {
      openedAt: this.clock.now(),
      streams,
      timer: this.clock.setTimeout(() => this.finishHandover('hand-over timeout'), this.handoverTimeoutMs),
    };
    this.log.debug({ connectionId: conn.id, streams: streams.size }, 'new connection open; handing streams over');
    this.checkHandoverDone();
  }

  private checkHandoverDone(): void {
    const handover = this.renewal?.handover;
    if (!handover) return;
    for (const st of handover.streams.values()) if (!st.switched) return;
    this.finishHandover('every stream moved');
  }

  private finishHandover(why: string): void {
    const renewal = this.renewal;
    const handover = renewal?.handover;
    const next = this.successor;
    if (!renewal || !handover || next?.state !== 'open') return;
    this.clock.clearTimeout(handover.timer);
    // Move what is still buffered (streams that never overlapped), then stop routing by hand-over.
    for (const [stream, st] of handover.streams) {
      if (!st.switched) {
        st.switched = true;
        for (const b of st.buffer) this.deliverIfNewer(b.message, b.seq);
        st.buffer = [];
      }
      const last = this.lastSeq.get(stream);
      if (last !== undefined) this.catchUp.set(stream, last);
    }
    const old = this.primary;
    this.renewal = undefined;
    this.successor = undefined;
    next.role = 'primary';
    this.primary = next;
    if (old) void this.retire(old, 1000, 'renewed');
    this.renewFailures = 0;
    const now = this.clock.now();
    const overlapMs = now - handover.openedAt;
    this.log.info({ reason: renewal.reason, connectionId: next.id, overlapMs, why }, 'connection renewed');
    this.events.emit('renewed', { reason: renewal.reason, connectionId: next.id, overlapMs, ts: now });
    this.scheduleLifetimeRenewal(next);
    this.armWatchdog();
    if (renewal.again) this.beginRenewal('shutdown', 0);
  }

  private cancelRenewal(): void {
    const renewal = this.renewal;
    if (!renewal) return;
    this.renewal = undefined;
    this.clock.clearTimeout(renewal.waitTimer);
    renewal.cancelQueued?.();
    if (renewal.handover) this.clock.clearTimeout(renewal.handover.timer);
    const next = this.successor;
    if (next && next.role === 'successor') {
      this.successor = undefined;
      void this.retire(next);
    }
  }

  private onRenewalFailed(reason: ReconnectReason): void {
    const renewal = this.renewal;
    if (!renewal) return;
    this.renewal = undefined;
    this.clock.clearTimeout(renewal.waitTimer);
    if (renewal.handover) this.clock.clearTimeout(renewal.handover.timer);
    // Messages the new connection buffered are dropped: the old one is still delivering them.
    this.renewFailures++;
    const delayMs = Math.max(backoffDelay(this.renewFailures - 1, this.backoff, this.random), this.notBefore - this.clock.now());
    this.alert('WARN', 'WS_RENEWAL_FAILED', `${this.name}: replacement connection failed (${reason}); the current one stays, retrying`, {
      name: this.name,
      reason,
      renewReason: renewal.reason,
      failures: this.renewFailures,
      delayMs,
    });
    if (!this.beginRenewal(renewal.reason, delayMs)) this.armWatchdog();
  }

  private alert(level: TransportAlert['level'], code: string, message: string, details: Record<string, unknown>): void {
    this.events.emit('alert', { level, code, message, details, ts: this.clock.now() });
  }
}

function validateOptions(options: ReconnectingSocketOptions): void {
  const issues: FieldIssue[] = [];
  const positive = (path: string, value: number | undefined, required: boolean): void => {
    if (value === undefined) {
      if (required) issues.push({ path, message: 'required' });
    } else if (!Number.isFinite(value) || value <= 0) issues.push({ path, message: 'must be a finite number > 0' });
  };
  const integer = (path: string, value: number | undefined): void => {
    if (value !== undefined && !Number.isInteger(value)) issues.push({ path, message: 'must be an integer' });
  };
  if (options.url === undefined && options.urlFor === undefined) issues.push({ path: 'url', message: 'give url or urlFor' });
  const p = options.protocol;
  positive('protocol.maxStreamsPerConnection', p.maxStreamsPerConnection, true);
  integer('protocol.maxStreamsPerConnection', p.maxStreamsPerConnection);
  positive('protocol.maxMessagesPerSecond', p.maxMessagesPerSecond, true);
  integer('protocol.maxMessagesPerSecond', p.maxMessagesPerSecond);
  positive('protocol.maxConnectAttemptsPer.count', p.maxConnectAttemptsPer?.count, true);
  integer('protocol.maxConnectAttemptsPer.count', p.maxConnectAttemptsPer?.count);
  positive('protocol.maxConnectAttemptsPer.windowMs', p.maxConnectAttemptsPer?.windowMs, true);
  positive('protocol.lifetimeMs', p.lifetimeMs, false);
  if (p.renewBeforeMs !== undefined && (!Number.isFinite(p.renewBeforeMs) || p.renewBeforeMs < 0)) {
    issues.push({ path: 'protocol.renewBeforeMs', message: 'must be a finite number ≥ 0' });
  }
  positive('protocol.clientPing.intervalMs', p.clientPing?.intervalMs, p.clientPing !== undefined);
  positive('protocol.clientPing.timeoutMs', p.clientPing?.timeoutMs, false);
  positive('protocol.idleTimeoutMs', p.idleTimeoutMs, false);
  positive('connectTimeoutMs', options.connectTimeoutMs, false);
  positive('handoverTimeoutMs', options.handoverTimeoutMs, false);
  if (options.maxConsecutiveFailures !== undefined && (!Number.isInteger(options.maxConsecutiveFailures) || options.maxConsecutiveFailures < 0)) {
    issues.push({ path: 'maxConsecutiveFailures', message: 'must be an integer ≥ 0' });
  }
  if (options.metricsIntervalMs !== undefined && (!Number.isFinite(options.metricsIntervalMs) || options.metricsIntervalMs < 0)) {
    issues.push({ path: 'metricsIntervalMs', message: 'must be a finite number ≥ 0' });
  }
  if (issues.length > 0) throw new ValidationError('invalid ReconnectingSocket options', issues, { code: 'INVALID_SOCKET_OPTIONS' });
}
