/**
 * `BinanceMarketStreams`: Binance market data over WebSocket for the connector's `subscribe()`
 * (SPEC §1.2, §2; BINANCE.md §6, §7).
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import {
  BookSync,
  noopLogger,
  ReconnectingSocket,
  redactingLogger,
  StateError,
  SystemClock,
  Throttle,
  ThrottledQueue,
  TickNormalizer,
  UnsupportedError,
  type BackoffOptions,
  type BookSnapshot,
  type BookSyncState,
  type BookSyncStats,
  type Clock,
  type ConnectorAlert,
  type FundingEvent,
  type Logger,
  type Market,
  type MarketChannel,
  type MarketEvent,
  type MarketSubscription,
  type MarketTick,
  type MarkPriceTick,
  type OrderBook,
  type ResyncReason,
  type SocketFactory,
  type SocketMetric,
  type SubscriptionHandle,
  type SyncSnapshot,
  type TickNormalizerOptions,
  type TradeTick,
} from '@chimera/core';
import { spotDepthRules, umDepthRules } from './book-rules.js';
import { BookTickerTicks } from './book-ticker-ticks.js';
import { BinanceDepthBook } from './depth-book.js';
import { BookTickerFrame, DepthUpdateFrame } from './frames.js';
import { nextFundingEvent, parseAggTrade, parseMarkPriceUpdate } from './market-messages.js';
import { createBinanceStreamProtocol, type BinanceStreamProtocolOptions } from './protocol.js';
import { BINANCE_WS_URLS, combinedStreamUrl, routeOrigin, streamFor, type BinanceStreamRoute, type BinanceWsUrls, type DepthSpeed } from './streams.js';

/** Options of {@link BinanceMarketStreams}. */
export interface BinanceMarketStreamsOptions {
  /** Time source for sockets, watchdogs, throttles and snapshot retries (default system clock). */
  clock?: Clock;
  /**
   * Fetches a depth snapshot for the book sync — the REST connector's `depth()`, with the depth
   * Binance recommends (Spot 5000, UM 1000). A `BookSnapshot` fits (`sequence` = `lastUpdateId`).
   * Aborted through `signal` when a newer sync cycle supersedes it.
   */
  fetchSnapshot: (market: Market, symbol: string, signal: AbortSignal) => Promise<SyncSnapshot>;
  /** Markets served (default both); others are refused with `UnsupportedError`. */
  markets?: readonly Market[];
  /** Endpoints (default {@link BINANCE_WS_URLS}). */
  urls?: Partial<Pick<BinanceWsUrls, 'spotStream' | 'umPublic' | 'umMarket'>>;
  /** Venue id in every record (default `binance`). */
  venue?: string;
  /** Logger (records pass the core's redaction). */
  logger?: Logger;
  /** Opens sockets (default `ws`); tests pass fakes. */
  socketFactory?: SocketFactory;
  /** Jitter source of the reconnect backoff (default `Math.random`). */
  random?: () => number;
  /** Reconnect backoff (default the socket's: 500 ms base, 30 s cap, 1 s jitter). */
  backoff?: Partial<BackoffOptions>;
  /** `N_max` consecutive failed connects before FATAL and the degraded signal (default 10). */
  maxConsecutiveFailures?: number;
  /** How long a connect may take, ms (default 10 000). */
  connectTimeoutMs?: number;
  /**
   * Per-stream data watchdog, ms: a subscribed stream silent this long while its connection
   * lives renews the connection (the "pings answered, no data" failure). Default: 10 s for
   * `markPrice@1s` streams (which must tick every second), off for the others (a quiet market
   * sends no depth or trades).
   */
  maxSilenceMs?: number | ((stream: string) => number | undefined);
  /** Diff-depth speed per market (default `100ms` on both). */
  depthSpeed?: Partial<Record<Market, DepthSpeed>>;
  /**
   * Per-symbol throttle of `ticker` and `depth` deliveries, ms: at most one per window, always
   * the latest (trailing edge). 0 or absent: every update is delivered.
   */
  throttleMs?: number | ((channel: MarketChannel, market: Market, symbol: string) => number);
  /** Drop ticks older than this by the venue clock, ms (default: no age limit). */
  tickMaxAgeMs?: number;
  /** Venue clock minus local clock, ms, for the age check (the connector's clock sync). */
  venueClockOffsetMs?: () => number;
  /** Protocol options per product (limits, pings, lifetime; tests shorten them). */
  protocol?: { spot?: BinanceStreamProtocolOptions; um?: BinanceStreamProtocolOptions };
  /** Book sync tuning: buffered updates while a snapshot is awaited, snapshot retry delays. */
  bookSync?: { maxBuffer?: number; retryBaseMs?: number; retryMaxMs?: number };
  /** Longest combined-stream URL a connection is opened with (default 4096); more streams take another connection. */
  maxUrlLength?: number;
  /** Interval of the `mkt_throughput` metric per connection, ms (default 1000; 0 disables). */
  metricsIntervalMs?: number;
  /** Longest make-before-break hand-over, ms (default the socket's 10 000). */
  handoverTimeoutMs?: number;
}

/** A connection-level happening, named by the connection it concerns. */
export interface StreamConnectionInfo {
  /** Connection name, e.g. `binance-um-public#1`. */
  connection: string;
  /** Streams the connection carries. */
  streams: number;
  ts: number;
}

/**
 * Events of {@link BinanceMarketStreams}, for sinks and health. None is named `error`.
 * `tick` goes to `mkt:events:{spot|perp}:SYM` and `mkt:tick:{SYM}`, `depth` to
 * `mkt:depth:{SYM}`, `funding` to `mkt:events:{funding}:SYM`, `metric` to
 * `metrics:events:s1.ws_rtt` / `s1.mkt_throughput` (`StreamKeys` builders).
 */
export interface BinanceMarketStreamsEvents {
  /** A market tick: from `bookTicker` or from a synced depth book (after the throttle). */
  tick: (tick: MarketTick, source: 'bookTicker' | 'book') => void;
  /** The top levels of a synced depth book after a change (after the throttle). */
  depth: (book: BookSnapshot) => void;
  /** A public trade. */
  trade: (trade: TradeTick) => void;
  /** A mark price with the next funding. */
  markPrice: (mark: MarkPriceTick) => void;
  /** The next funding changed (rate or time), from a mark price. */
  funding: (event: FundingEvent) => void;
  /** A book was loaded from a snapshot and is in sync. */
  synced: (info: { market: Market; symbol: string; snapshotSequence: number; applied: number; dropped: number; ts: number }) => void;
  /** A book was discarded (gap, stale snapshot, invalid update, reset after reconnect) and resyncs. */
  resync: (info: { market: Market; symbol: string; reason: ResyncReason; detail?: string; ts: number }) => void;
  /** A connection reconnected after a break; its books resync and its streams are restored. */
  reconnected: (info: StreamConnectionInfo & { downtimeMs: number }) => void;
  /** A connection was replaced make-before-break (lifetime, serverShutdown, stale stream). */
  renewed: (info: StreamConnectionInfo & { reason: string }) => void;
  /** A connection failed `N_max` times in a row: manage existing positions only until `recovered`. */
  degraded: (info: StreamConnectionInfo & { reason: string }) => void;
  /** A degraded connection is back. */
  recovered: (info: StreamConnectionInfo & { reason: string }) => void;
  /** Something a human or the risk layer should know. */
  alert: (alert: ConnectorAlert) => void;
  /** `ws_rtt` and `mkt_throughput` samples. */
  metric: (metric: SocketMetric) => void;
}

interface Handle {
  readonly subscription: MarketSubscription;
  readonly onEvent: (event: MarketEvent) => void;
  active: boolean;
}

interface RouteSocket {
  readonly socket: ReconnectingSocket;
  readonly route: BinanceStreamRoute;
  readonly name: string;
  readonly entries: Map<string, StreamEntry>;
  /** Streams this connection may carry (the protocol's limit). */
  readonly maxStreams: number;
  urlLength: number;
}

interface StreamEntry {
  readonly key: string;
  readonly stream: string;
  readonly channel: MarketChannel;
  readonly market: Market;
  readonly symbol: string;
  readonly handles: Set<Handle>;
  readonly rs: RouteSocket;
  /** Depth only: the sync driver, levels to deliver and the last update's timing. */
  sync?: BookSync<DepthUpdateFrame>;
  levels: number;
  lastEventTime: number | undefined;
  lastReceivedAt: number;
}

/** The throttled value of a depth delivery: only its timing; the levels are read at delivery. */
interface DepthMark {
  eventTime: number | undefined;
  receivedAt: number;
}

const DEFAULT_DEPTH_LEVELS = 20;

/**
 * Binance market data over WebSocket, ready for `ExchangeConnector.subscribe`:
 *
 * - **Connections.** Spot streams travel on `stream.binance.com`; USDⓈ-M `bookTicker`/depth on
 *   the `/public` route and `aggTrade`/`markPrice` on `/market` — never mixed on one connection.
 *   Each connection is a core `ReconnectingSocket` on a combined-stream URL
 *   (`/stream?streams=a/b`) with live SUBSCRIBE/UNSUBSCRIBE as subscriptions change; more streams
 *   than one connection carries (or than fit a URL) open another. Backoff, FATAL/degraded after
 *   `N_max`, liveness pings, per-stream data watchdogs, 24 h make-before-break renewal and
 *   `serverShutdown` handling come from the socket; every subscription is restored on reconnect.
 * - **Ticks.** `ticker` subscriptions read `bookTicker` (decoded by the specialised scanner)
 *   into `MarketTick`s — mid, spread_bps, depth_top1_usdt, exchange event time, local receive
 *   time — dropping out-of-order, duplicate and (with `tickMaxAgeMs`) stale frames.
 * - **Books.** `depth` subscriptions keep a local book with the exact Spot (U/u) or UM (pu)
 *   rules through the core `BookSync`: updates buffered while the snapshot is fetched, a resync
 *   on any gap and after every reconnect. Handlers receive the top `levels` (default 20) after
 *   each change; the class also emits a `tick` from the book. Top of book is O(1) through
 *   {@link BinanceMarketStreams.book}.
 * - **Funding.** `markPrice` (UM only) delivers mark price and next funding; `funding` events
 *   fire when the predicted rate or time changes. `trades` delivers `aggTrade`s.
 * - **Throttle.** With `throttleMs`, ticker and depth deliveries of a symbol are limited to one
 *   per window and always end on the latest value.
 *
 * Several handles may share a stream; it is unsubscribed when the last one goes.
 */
export class BinanceMarketStreams {
  /** Typed events ({@link BinanceMarketStreamsEvents}). */
  readonly events = new EventEmitter<BinanceMarketStreamsEvents>();

  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly venue: string;
  private readonly markets: ReadonlySet<Market>;
  private readonly urls: Pick<BinanceWsUrls, 'spotStream' | 'umPublic' | 'umMarket'>;
  private readonly entries = new Map<string, StreamEntry>();
  private readonly groups = new Map<BinanceStreamRoute, Set<RouteSocket>>();
  private readonly connectQueues: Record<'spot' | 'um', ThrottledQueue>;
  private readonly tickers: Record<Market, BookTickerTicks>;
  private readonly bookTicks: Record<Market, TickNormalizer>;
  private readonly throttle: Throttle<string, MarketTick | DepthMark>;
  private readonly lastFunding = new Map<string, string>();
  private nextSocketId = 1;
  private closed = false;

  /** @param options - see {@link BinanceMarketStreamsOptions}. */
  constructor(private readonly options: BinanceMarketStreamsOptions) {
    this.clock = options.clock ?? new SystemClock();
    this.log = options.logger ? redactingLogger(options.logger).child({ component: 'binance-market-streams' }) : noopLogger;
    this.venue = options.venue ?? 'binance';
    this.markets = new Set(options.markets ?? ['SPOT', 'FUT']);
    this.urls = { ...BINANCE_WS_URLS, ...options.urls };
    const attempts = (product: 'spot' | 'um'): ThrottledQueue => {
      const limit = options.protocol?.[product]?.maxConnectAttemptsPer ?? { count: 300, windowMs: 300_000 };
      return new ThrottledQueue(this.clock, limit.count, limit.windowMs);
    };
    // Binance counts connection attempts per IP: every connection of a product shares one queue.
    this.connectQueues = { spot: attempts('spot'), um: attempts('um') };
    const tickOptions = (market: Market): TickNormalizerOptions => {
      const o: TickNormalizerOptions = { venue: this.venue, market, clock: this.clock };
      if (options.tickMaxAgeMs !== undefined) o.maxAgeMs = options.tickMaxAgeMs;
      if (options.venueClockOffsetMs !== undefined) o.venueClockOffsetMs = options.venueClockOffsetMs;
      return o;
    };
    this.tickers = { SPOT: new BookTickerTicks(tickOptions('SPOT')), FUT: new BookTickerTicks(tickOptions('FUT')) };
    this.bookTicks = { SPOT: new TickNormalizer(tickOptions('SPOT')), FUT: new TickNormalizer(tickOptions('FUT')) };
    const throttleMs = options.throttleMs;
    this.throttle = new Throttle<string, MarketTick | DepthMark>({
      clock: this.clock,
      intervalMs: (key) => {
        if (throttleMs === undefined || typeof throttleMs === 'number') return throttleMs ?? 0;
        const entry = this.entries.get(key.slice(key.indexOf('|') + 1));
        return entry === undefined ? 0 : throttleMs(entry.channel, entry.market, entry.symbol);
      },
      deliver: (key, value) => this.deliverThrottled(key, value),
    });
  }

  /**
   * Starts a market-data subscription; `onEvent` receives every update until unsubscribed.
   * Resolves once the stream is registered (its connection opens and subscribes in the
   * background; depth handlers hear nothing until the book is synced).
   *
   * @throws UnsupportedError for a market this instance does not serve or `markPrice` on SPOT;
   *   ValidationError (`INVALID_STREAM`) for a malformed symbol; StateError after `close()`.
   */
  async subscribe(subscription: MarketSubscription, onEvent: (event: MarketEvent) => void): Promise<SubscriptionHandle> {
    if (this.closed) throw new StateError('market streams are closed', { code: 'STREAMS_CLOSED' });
    const { channel, market, symbol } = subscription;
    if (!this.markets.has(market)) throw new UnsupportedError(`market ${market} is not configured`, { details: { market } });
    const routed = streamFor(channel, market, symbol, this.options.depthSpeed?.[market]);
    const key = `${routed.route}|${routed.stream}`;
    const handle: Handle = { subscription: { ...subscription }, onEvent, active: true };
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = this.openEntry(key, routed.stream, routed.route, channel, market, symbol);
    }
    entry.handles.add(handle);
    if (channel === 'depth') entry.levels = Math.max(...[...entry.handles].map((h) => h.subscription.levels ?? DEFAULT_DEPTH_LEVELS));
    const target = entry;
    return {
      subscription: handle.subscription,
      unsubscribe: async () => {
        if (!handle.active) return;
        handle.active = false;
        target.handles.delete(handle);
        if (target.handles.size === 0) this.closeEntry(target);
        else if (channel === 'depth') target.levels = Math.max(...[...target.handles].map((h) => h.subscription.levels ?? DEFAULT_DEPTH_LEVELS));
      },
    };
  }

  /**
   * The synced local book of a depth subscription (best bid/ask in O(1), depth queries), or
   * undefined while it is syncing or not subscribed. Read it, never change it.
   */
  book(market: Market, symbol: string): OrderBook | undefined {
    const sync = this.depthEntry(market, symbol)?.sync;
    return sync?.synced ? sync.book : undefined;
  }

  /** Sync state, last applied update id and counters of a depth book; undefined when it is not subscribed. */
  bookStatus(market: Market, symbol: string): { state: BookSyncState; lastUpdateId: number | undefined; stats: BookSyncStats } | undefined {
    const sync = this.depthEntry(market, symbol)?.sync;
    if (sync === undefined) return undefined;
    return { state: sync.state, lastUpdateId: sync.lastUpdate?.u ?? sync.snapshot?.sequence, stats: sync.stats };
  }

  /** The streams subscribed, per connection, and each connection's state (for health reports). */
  connections(): { name: string; route: BinanceStreamRoute; state: string; streams: string[] }[] {
    const out: { name: string; route: BinanceStreamRoute; state: string; streams: string[] }[] = [];
    for (const group of this.groups.values()) {
      for (const rs of group) out.push({ name: rs.name, route: rs.route, state: rs.socket.state, streams: rs.socket.subscriptions() });
    }
    return out;
  }

  /** Closes every connection, book and throttle window. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.throttle.cancel();
    const sockets: Promise<void>[] = [];
    for (const entry of this.entries.values()) entry.sync?.stop();
    this.entries.clear();
    for (const group of this.groups.values()) {
      for (const rs of group) sockets.push(rs.socket.close());
      group.clear();
    }
    await Promise.all(sockets);
  }

  // ---------------------------------------------------------------- entries

  private depthEntry(market: Market, symbol: string): StreamEntry | undefined {
    const routed = streamFor('depth', market, symbol, this.options.depthSpeed?.[market]);
    return this.entries.get(`${routed.route}|${routed.stream}`);
  }

  private openEntry(key: string, stream: string, route: BinanceStreamRoute, channel: MarketChannel, market: Market, symbol: string): StreamEntry {
    const rs = this.socketFor(route, stream);
    const entry: StreamEntry = {
      key,
      stream,
      channel,
      market,
      symbol,
      handles: new Set(),
      rs,
      levels: DEFAULT_DEPTH_LEVELS,
      lastEventTime: undefined,
      lastReceivedAt: 0,
    };
    if (channel === 'depth') entry.sync = this.createSync(entry);
    this.entries.set(key, entry);
    rs.entries.set(stream, entry);
    rs.urlLength += stream.length + 1;
    rs.socket.subscribe([stream]);
    if (rs.socket.state === 'idle') rs.socket.start();
    return entry;
  }

  private closeEntry(entry: StreamEntry): void {
    this.entries.delete(entry.key);
    entry.sync?.stop();
    this.throttle.cancel(`${entry.channel}|${entry.key}`);
    this.throttle.cancel(`booktick|${entry.key}`);
    const rs = entry.rs;
    rs.entries.delete(entry.stream);
    rs.urlLength -= entry.stream.length + 1;
    if (rs.entries.size === 0) {
      this.groups.get(rs.route)?.delete(rs);
      void rs.socket.close();
    } else {
      rs.socket.unsubscribe([entry.stream]);
    }
  }

  private createSync(entry: StreamEntry): BookSync<DepthUpdateFrame> {
    const { market, symbol } = entry;
    const tuning = this.options.bookSync ?? {};
    const sync = new BookSync<DepthUpdateFrame>({
      rules: market === 'SPOT' ? spotDepthRules : umDepthRules,
      fetchSnapshot: (signal) => this.options.fetchSnapshot(market, symbol, signal),
      clock: this.clock,
      logger: this.log,
      book: new BinanceDepthBook(),
      ...(tuning.maxBuffer === undefined ? {} : { maxBuffer: tuning.maxBuffer }),
      ...(tuning.retryBaseMs === undefined ? {} : { retryBaseMs: tuning.retryBaseMs }),
      ...(tuning.retryMaxMs === undefined ? {} : { retryMaxMs: tuning.retryMaxMs }),
    });
    sync.events.on('update', (info) => {
      if (info.cause === 'diff' && info.update !== undefined) entry.lastEventTime = info.update.eventTime;
      const mark: DepthMark = { eventTime: entry.lastEventTime, receivedAt: entry.lastReceivedAt || this.clock.now() };
      if (entry.handles.size > 0 || this.events.listenerCount('depth') > 0) this.throttle.push(`depth|${entry.key}`, mark);
      if (this.events.listenerCount('tick') > 0) this.throttle.push(`booktick|${entry.key}`, mark);
    });
    sync.events.on('synced', (info) => this.events.emit('synced', { market, symbol, ...info, ts: this.clock.now() }));
    sync.events.on('resync', (info) => {
      const ts = this.clock.now();
      const event: { market: Market; symbol: string; reason: ResyncReason; detail?: string; ts: number } = { market, symbol, reason: info.reason, ts };
      if (info.detail !== undefined) event.detail = info.detail;
      this.events.emit('resync', event);
      if (info.reason !== 'reset') {
        this.alert('WARN', 'BOOK_RESYNC', `binance ${market} ${symbol} book resync: ${info.reason}`, { market, symbol, reason: info.reason });
      }
    });
    sync.events.on('snapshot_failed', (info) => {
      this.alert('WARN', 'BOOK_SNAPSHOT_FAILED', `binance ${market} ${symbol} depth snapshot failed (attempt ${info.attempt}); retrying in ${info.retryInMs} ms`, {
        market,
        symbol,
        attempt: info.attempt,
        retryInMs: info.retryInMs,
      });
    });
    return sync;
  }

  // ---------------------------------------------------------------- connections

  private socketFor(route: BinanceStreamRoute, stream: string): RouteSocket {
    let group = this.groups.get(route);
    if (group === undefined) {
      group = new Set();
      this.groups.set(route, group);
    }
    const product = route === 'spot' ? 'spot' : 'um';
    const protocolOptions = { ...this.options.protocol?.[product], product } as const;
    const maxUrl = this.options.maxUrlLength ?? 4096;
    for (const rs of group) {
      if (rs.entries.size < rs.maxStreams && rs.urlLength + stream.length + 1 <= maxUrl) return rs;
    }
    const origin = routeOrigin({ ...BINANCE_WS_URLS, ...this.urls }, route);
    const name = `binance-${route}#${this.nextSocketId++}`;
    const o = this.options;
    const silence = o.maxSilenceMs ?? ((s: string) => (s.includes('@markPrice') ? 10_000 : undefined));
    const protocol = createBinanceStreamProtocol(protocolOptions);
    const socket = new ReconnectingSocket({
      urlFor: (streams) => combinedStreamUrl(origin, streams),
      urlIncludesStreams: true,
      protocol,
      clock: this.clock,
      name,
      connectQueue: this.connectQueues[product],
      maxSilenceMs: silence,
      ...(o.logger === undefined ? {} : { logger: o.logger }),
      ...(o.random === undefined ? {} : { random: o.random }),
      ...(o.socketFactory === undefined ? {} : { socketFactory: o.socketFactory }),
      ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
      ...(o.maxConsecutiveFailures === undefined ? {} : { maxConsecutiveFailures: o.maxConsecutiveFailures }),
      ...(o.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: o.connectTimeoutMs }),
      ...(o.metricsIntervalMs === undefined ? {} : { metricsIntervalMs: o.metricsIntervalMs }),
      ...(o.handoverTimeoutMs === undefined ? {} : { handoverTimeoutMs: o.handoverTimeoutMs }),
    });
    const rs: RouteSocket = {
      socket,
      route,
      name,
      entries: new Map(),
      maxStreams: protocol.maxStreamsPerConnection,
      urlLength: combinedStreamUrl(origin, []).length + '?streams='.length,
    };
    this.wire(rs);
    group.add(rs);
    return rs;
  }

  private wire(rs: RouteSocket): void {
    const { socket, name } = rs;
    const info = (): StreamConnectionInfo => ({ connection: name, streams: rs.entries.size, ts: this.clock.now() });
    socket.events.on('message', (m) => {
      const entry = m.stream === undefined ? undefined : rs.entries.get(m.stream);
      if (entry !== undefined) this.onData(entry, m.data, m.receivedAt);
    });
    socket.events.on('reconnected', (e) => {
      // Updates were lost while the connection was down: every book on it starts over.
      for (const entry of rs.entries.values()) entry.sync?.reset('reconnect');
      this.events.emit('reconnected', { ...info(), downtimeMs: e.downtimeMs });
    });
    socket.events.on('renewed', (e) => this.events.emit('renewed', { ...info(), reason: e.reason }));
    socket.events.on('degraded', (s) => this.events.emit('degraded', { ...info(), reason: s.reason }));
    socket.events.on('recovered', (r) => this.events.emit('recovered', { ...info(), reason: r.reason }));
    socket.events.on('alert', (a) => this.events.emit('alert', a));
    socket.events.on('metric', (m) => this.events.emit('metric', m));
    socket.events.on('control', (c) => {
      if (c.kind !== 'other') return;
      const err = (c.data as { error?: { code?: unknown; msg?: unknown } }).error;
      this.alert('WARN', 'WS_REQUEST_REJECTED', `${name}: Binance rejected a stream request`, {
        connection: name,
        venueCode: err?.code,
        venueMessage: typeof err?.msg === 'string' ? err.msg : undefined,
      });
    });
  }

  // ---------------------------------------------------------------- data

  private onData(entry: StreamEntry, data: unknown, receivedAt: number): void {
    switch (entry.channel) {
      case 'ticker': {
        if (!(data instanceof BookTickerFrame) || data.symbol !== entry.symbol) return;
        const tick = this.tickers[entry.market].fromFrame(data, receivedAt);
        if (tick !== undefined) this.throttle.push(`ticker|${entry.key}`, tick);
        return;
      }
      case 'depth': {
        if (!(data instanceof DepthUpdateFrame) || data.symbol !== entry.symbol) return;
        entry.lastReceivedAt = receivedAt;
        entry.sync?.push(data);
        return;
      }
      case 'trades': {
        const trade = parseAggTrade((data as { data?: unknown }).data, entry.market, receivedAt, this.venue);
        if (trade === undefined || trade.symbol !== entry.symbol) return;
        for (const h of entry.handles) h.onEvent({ type: 'trades', trade });
        this.events.emit('trade', trade);
        return;
      }
      case 'markPrice': {
        const mark = parseMarkPriceUpdate((data as { data?: unknown }).data, receivedAt, this.venue);
        if (mark === undefined || mark.symbol !== entry.symbol) return;
        for (const h of entry.handles) h.onEvent({ type: 'markPrice', mark });
        this.events.emit('markPrice', mark);
        const fundingKey = `${mark.fundingRate}|${mark.nextFundingTime}`;
        if (this.lastFunding.get(mark.symbol) !== fundingKey) {
          this.lastFunding.set(mark.symbol, fundingKey);
          this.events.emit('funding', nextFundingEvent(mark));
        }
        return;
      }
    }
  }

  private deliverThrottled(key: string, value: MarketTick | DepthMark): void {
    const bar = key.indexOf('|');
    const kind = key.slice(0, bar);
    const entry = this.entries.get(key.slice(bar + 1));
    if (entry === undefined) return;
    if (kind === 'ticker') {
      const tick = value as MarketTick;
      for (const h of entry.handles) h.onEvent({ type: 'ticker', tick });
      this.events.emit('tick', tick, 'bookTicker');
      return;
    }
    const sync = entry.sync;
    // The window may end while the book resyncs: nothing trustworthy to deliver then.
    if (sync === undefined || !sync.synced) return;
    const mark = value as DepthMark;
    if (kind === 'booktick') {
      const meta: { eventTime?: number; receiveTime: number; sequence?: number } = { receiveTime: mark.receivedAt };
      if (mark.eventTime !== undefined) meta.eventTime = mark.eventTime;
      const u = sync.lastUpdate?.u ?? sync.snapshot?.sequence;
      if (u !== undefined) meta.sequence = u;
      const result = this.bookTicks[entry.market].fromBook(entry.symbol, sync.book, meta);
      if (result.accepted) this.events.emit('tick', result.tick, 'book');
      return;
    }
    const top = sync.book.top(entry.levels);
    const book: BookSnapshot = {
      venue: this.venue,
      market: entry.market,
      symbol: entry.symbol,
      sequence: sync.lastUpdate?.u ?? sync.snapshot?.sequence ?? 0,
      bids: top.bids,
      asks: top.asks,
      receiveTime: mark.receivedAt,
    };
    if (mark.eventTime !== undefined) book.eventTime = mark.eventTime;
    for (const h of entry.handles) h.onEvent({ type: 'depth', book });
    this.events.emit('depth', book);
  }

  private alert(level: ConnectorAlert['level'], code: string, message: string, details: Record<string, unknown>): void {
    this.events.emit('alert', { level, code, message, details, ts: this.clock.now() });
  }
}
