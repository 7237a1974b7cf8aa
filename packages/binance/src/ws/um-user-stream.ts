/**
 * `BinanceUmUserStream`: USDⓈ-M user data by listen key on the `/private` route (BINANCE.md §8).
 *
 * @packageDocumentation
 */
import { SystemClock, type Clock, type ReconnectingSocket, type VenueProtocol } from '@chimera/core';
import { ListenKeyKeeper, type ListenKeyApi } from './listen-key.js';
import { BINANCE_WS_URLS } from './streams.js';
import { UserStreamCore, type UserStreamCoreOptions } from './user-stream-core.js';
import { createUserSocket, forwardTransportEvents, isObj, USER_DATA_STREAM, withConnectionDefaults, type UserSocketOptions } from './user-socket.js';

/** Options of {@link BinanceUmUserStream}. */
export interface BinanceUmUserStreamOptions extends Omit<UserStreamCoreOptions, 'clock'> {
  /** The listen-key REST calls (the connector's UM client). */
  listenKeys: ListenKeyApi;
  /** Time source (default system clock). */
  clock?: Clock;
  /** The `/private` route origin (default `wss://fstream.binance.com/private`); the stream is `<url>/ws/<listenKey>`. */
  url?: string;
  /** Keepalive interval, ms (default 25 min, at most 30 min). */
  keepAliveMs?: number;
  /** First retry delay of a failed keepalive, ms (default 10 s). */
  keepAliveRetryMs?: number;
  /** Failed keepalives in a row after which the key is recreated (default 3). */
  maxKeepAliveFailures?: number;
  /** Close the key on Binance at `close()` (default false: another client may share it). */
  deleteListenKeyOnClose?: boolean;
  /** Connection options. */
  socket?: UserSocketOptions;
}

/**
 * USDⓈ-M user data (`ORDER_TRADE_UPDATE`, `ALGO_UPDATE`, `ACCOUNT_UPDATE`,
 * `ACCOUNT_CONFIG_UPDATE`) mapped to core `order`/`fill`/`position`/`balance` events:
 *
 * - the listen key is created with POST, kept alive with PUT every `keepAliveMs` (≤ 30 min) and
 *   recreated on `-1125`, on `listenKeyExpired` and after failed keepalives
 *   ({@link ListenKeyKeeper}); a new key moves the stream to a new connection make-before-break;
 * - the connection (`<private>/ws/<listenKey>`) is a core `ReconnectingSocket`: backoff,
 *   FATAL/degraded, pings, 24 h renewal;
 * - `userStreamConnected` fires on the first open (`reconnect: false`) and after every
 *   reconnect or key change (`reconnect: true`), followed by a REST catch-up of open orders and
 *   the fills since the last one seen; fills are delivered exactly once (by trade id).
 *
 * The listen key appears in no log, alert or event.
 */
export class BinanceUmUserStream {
  /** The event mapping, delivery memory and catch-up; its `events` are this stream's events. */
  readonly core: UserStreamCore;
  /** Typed events ({@link BinanceUserStreamEvents}). */
  readonly events: UserStreamCore['events'];

  private readonly clock: Clock;
  private readonly keeper: ListenKeyKeeper;
  private readonly socket: ReconnectingSocket;
  private keyChanged = false;
  private lastRefusalPost = Number.NEGATIVE_INFINITY;
  /** The key of the URL the latest connection was opened with. */
  private urlKey: string | undefined;
  private started = false;
  private closed = false;

  /** @param options - see {@link BinanceUmUserStreamOptions}. */
  constructor(private readonly options: BinanceUmUserStreamOptions) {
    this.clock = options.clock ?? new SystemClock();
    this.core = new UserStreamCore('FUT', { ...options, clock: this.clock });
    this.events = this.core.events;
    this.keeper = new ListenKeyKeeper({
      api: options.listenKeys,
      clock: this.clock,
      ...(options.keepAliveMs === undefined ? {} : { keepAliveMs: options.keepAliveMs }),
      ...(options.keepAliveRetryMs === undefined ? {} : { retryMs: options.keepAliveRetryMs }),
      ...(options.maxKeepAliveFailures === undefined ? {} : { maxKeepAliveFailures: options.maxKeepAliveFailures }),
    });
    const origin = (options.url ?? BINANCE_WS_URLS.umPrivate).replace(/\/+$/, '');
    const protocol: VenueProtocol = withConnectionDefaults(
      {
        // The URL carries the subscription; there is nothing to send.
        subscribeMessages: () => [],
        unsubscribeMessages: () => [],
        controlKind: (msg) => (isObj(msg) && 'id' in msg && 'result' in msg ? 'ack' : undefined),
        streamOf: () => USER_DATA_STREAM,
        maxStreamsPerConnection: 1,
        maxMessagesPerSecond: 9,
        maxConnectAttemptsPer: { count: 300, windowMs: 300_000 },
      },
      options.socket ?? {},
      600_000,
    );
    const urlFor = (): string => {
      this.urlKey = this.keeper.key;
      return `${origin}/ws/${this.urlKey ?? ''}`;
    };
    this.socket = createUserSocket('binance-um-user', protocol, urlFor, true, this.clock, options.logger, options.socket ?? {});
    this.wire();
  }

  /**
   * Creates the listen key and opens the stream (the connection opens in the background;
   * `userStreamConnected` tells when it is live).
   * @throws whatever creating the listen key throws (e.g. `AuthError`).
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await this.keeper.start();
    } catch (err) {
      // Nothing runs yet: a later start() may try again (the connector's connect() retried).
      this.started = false;
      throw err;
    }
    this.socket.subscribe([USER_DATA_STREAM]);
    this.socket.start();
  }

  /** Runs a REST catch-up now (e.g. at start-up, before trusting the stream). */
  catchUp(): ReturnType<UserStreamCore['catchUp']> {
    return this.core.catchUp('manual');
  }

  /** The connection's state (`connecting`, `open`, `reconnecting` …). */
  get state(): ReconnectingSocket['state'] {
    return this.socket.state;
  }

  /** Stops keepalives and catch-ups and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.core.stop();
    await this.keeper.stop(this.options.deleteListenKeyOnClose === true);
    await this.socket.close();
  }

  private wire(): void {
    const core = this.core;
    forwardTransportEvents(this.socket, core);
    this.keeper.events.on('alert', (a) => core.events.emit('alert', a));
    this.keeper.events.on('changed', (info) => {
      // The same key extended: the connection on it is still good.
      if (info.reason === 'start' || info.sameKey || this.closed) return;
      this.keyChanged = true;
      // An open connection is replaced with one on the new key; a broken one reconnects with it anyway.
      if (this.socket.state === 'open') this.socket.renew();
    });
    this.socket.events.on('reconnecting', (e) => {
      // Refused twice in a row: the key may have expired while the connection was down, and a
      // dead key is only noticed by the next keepalive. Ask for the active key (at most once per
      // keepalive retry interval).
      if (e.reason !== 'connect_failed' || e.retryCount < 2) return;
      const now = this.clock.now();
      if (now - this.lastRefusalPost < (this.options.keepAliveRetryMs ?? 10_000)) return;
      this.lastRefusalPost = now;
      void this.keeper.recreate('connect_failed');
    });
    this.socket.events.on('open', (e) => {
      if (!e.reconnect) core.events.emit('userStreamConnected', { reconnect: false, ts: e.ts });
    });
    this.socket.events.on('reconnected', (e) => {
      this.keyChanged = false;
      core.events.emit('userStreamConnected', { reconnect: true, ts: e.ts });
      void core.catchUp('reconnect');
    });
    this.socket.events.on('renewed', (e) => {
      // A renewal that began before the key changed connected with the old key: go again.
      if (this.urlKey !== this.keeper.key && this.socket.renew()) return;
      if (this.keyChanged) {
        this.keyChanged = false;
        core.events.emit('userStreamConnected', { reconnect: true, ts: e.ts });
        void core.catchUp('listenKey');
        return;
      }
      // Two connections overlapped without sequence numbers to align them: make sure nothing fell between.
      void core.catchUp('renewed');
    });
    this.socket.events.on('message', (m) => {
      const data = m.data;
      if (isObj(data) && data.e === 'listenKeyExpired') {
        core.alert('WARN', 'LISTEN_KEY_EXPIRED', 'binance FUT listen key expired; creating a new one', {});
        void this.keeper.recreate('expired');
        return;
      }
      core.handle(data);
    });
  }
}
