/**
 * MAX public market data over one `ReconnectingSocket` (`book`, `trade`), with a local order book
 * per symbol kept by the core `BookSync` and MAX's `fi`/`li`/`v` rules: a snapshot arrives with
 * every (re)subscription, a gap makes the connector resubscribe the book (MAX pushes a fresh
 * snapshot on subscribe), a dropped connection discards every book until the reconnect's
 * snapshots arrive. Tickers are the top of the synced book: MAX's own `ticker` channel carries
 * 24 h statistics without a bid or an ask.
 *
 * @packageDocumentation
 */
import {
  BookSync,
  noopLogger,
  ReconnectingSocket,
  ValidationError,
  VenueError,
  type BookSnapshot,
  type Clock,
  type ConnectorAlert,
  type Logger,
  type MarketEvent,
  type MarketSubscription,
  type SocketFactory,
  type SubscriptionHandle,
  type ThrottledQueue,
} from '@chimera/core';
import { toMarketTick } from '../rest/mappers.js';
import { VENUE_ID } from '../rest/wire.js';
import { maxBookRules, type MaxBookUpdate, type MaxSyncSnapshot } from '../ws/book-rules.js';
import { MAX_WS_MESSAGE_LIMITS } from '../ws/message-budget.js';
import { parseMaxWsMessage, toSyncSnapshot, type MaxBookDepth } from '../ws/messages.js';
import { createMaxProtocol, maxStream } from '../ws/protocol.js';
import { WsMessageGate } from './ws-message-gate.js';

/** Options of {@link MaxMarketStreams}. */
export interface MaxMarketStreamsOptions {
  /** WebSocket endpoint. */
  url: string;
  /** Time for every wait, ping and receive time. */
  clock: Clock;
  /** Logger (already redacting). */
  logger?: Logger;
  /** Opens sockets (default `ws`). */
  socketFactory?: SocketFactory;
  /** Depth of every `book` subscription. */
  bookDepth: MaxBookDepth;
  /** Client ping interval, ms. */
  pingIntervalMs: number;
  /** Renew the connection when a subscribed stream is silent this long, ms (undefined: off). */
  maxSilenceMs?: number;
  /** How long to wait for a snapshot after resubscribing a book before trying again, ms. */
  snapshotTimeoutMs: number;
  /** Reconnect schedule. */
  backoff?: { baseMs?: number; maxMs?: number; jitterMs?: number };
  /** `N_max` of the socket. */
  maxConsecutiveFailures?: number;
  /** Open timeout of one attempt, ms. */
  connectTimeoutMs?: number;
  /** Connection attempts shared with the connector's other socket (MAX counts them per IP). */
  connectQueue: ThrottledQueue;
  /** Where transport alerts go. */
  onAlert: (alert: ConnectorAlert) => void;
}

/** How a symbol's local book is doing, for health checks and tests. */
export interface MaxBookState {
  /** Whether the book is trusted now. */
  synced: boolean;
  /** `li` of the last snapshot or update applied (undefined while syncing). */
  sequence: number | undefined;
  /** Book version `v` of the loaded snapshot (undefined while syncing). */
  version: number | undefined;
  /** Snapshots loaded since the subscription started. */
  snapshots: number;
  /** Times the book was thrown away (gaps, version changes, lost connections). */
  resyncs: number;
  /** Updates applied. */
  applied: number;
  /** Updates dropped as already contained. */
  dropped: number;
  /** Resubscriptions sent because of a gap or a missing snapshot. */
  resubscribes: number;
}

type Listener = (event: MarketEvent) => void;

/** First wait before resubscribing a book whose first update after a snapshot does not follow it, ms (doubles per failure). */
const RESUBSCRIBE_BACKOFF_MS = 10;

interface DepthListener {
  levels: number;
  onEvent: Listener;
}

interface BookEntry {
  readonly symbol: string;
  readonly stream: string;
  readonly sync: BookSync<MaxBookUpdate, MaxSyncSnapshot>;
  readonly tickers: Set<Listener>;
  readonly depths: Set<DepthListener>;
  /** A subscription went out and its snapshot has not arrived yet. */
  awaiting: boolean;
  lastTopKey: string | undefined;
  eventTime: number;
  receiveTime: number;
  resubscribes: number;
}

/**
 * The market-data side of {@link MaxConnector}. Subscriptions of one symbol share one MAX `book`
 * stream (ticker and depth listeners alike) and one `trade` stream.
 */
export class MaxMarketStreams {
  private readonly options: MaxMarketStreamsOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly books = new Map<string, BookEntry>();
  private readonly trades = new Map<string, Set<Listener>>();
  private socket: ReconnectingSocket | undefined;
  private gate: WsMessageGate | undefined;
  private closed = false;

  /** @param options - See {@link MaxMarketStreamsOptions}. */
  constructor(options: MaxMarketStreamsOptions) {
    this.options = options;
    this.clock = options.clock;
    this.log = options.logger ?? noopLogger;
  }

  /**
   * Starts delivering one subscription (opens the connection on first use).
   *
   * @throws ValidationError (`INVALID_LEVELS`) when `levels` exceeds the configured book depth;
   *   StateError after {@link MaxMarketStreams.close}.
   */
  subscribe(subscription: MarketSubscription, onEvent: Listener): SubscriptionHandle {
    const { channel, symbol } = subscription;
    let stop: () => void;
    if (channel === 'trades') {
      let set = this.trades.get(symbol);
      if (!set) {
        set = new Set();
        this.trades.set(symbol, set);
        const stream = maxStream('trade', symbol);
        this.send(1, (s) => s.subscribe([stream]));
      }
      const listeners = set;
      listeners.add(onEvent);
      stop = () => {
        if (!listeners.delete(onEvent) || listeners.size > 0 || this.trades.get(symbol) !== listeners) return;
        this.trades.delete(symbol);
        this.send(1, (s) => s.unsubscribe([maxStream('trade', symbol)]));
      };
    } else {
      const levels = subscription.levels ?? 20;
      if (!Number.isInteger(levels) || levels < 1 || levels > this.options.bookDepth) {
        throw new ValidationError(
          `levels: expected an integer in [1, ${this.options.bookDepth}] (the configured MAX book depth)`,
          [{ path: 'levels', message: 'out of range' }],
          { code: 'INVALID_LEVELS' },
        );
      }
      const entry = this.bookEntry(symbol);
      if (channel === 'ticker') {
        entry.tickers.add(onEvent);
        // A late subscriber gets the current top at once rather than at the next change.
        if (entry.sync.synced) this.deliverTick(entry, [onEvent]);
        stop = () => {
          entry.tickers.delete(onEvent);
          this.releaseBook(entry);
        };
      } else {
        const listener: DepthListener = { levels, onEvent };
        entry.depths.add(listener);
        if (entry.sync.synced) this.safe(() => onEvent({ type: 'depth', book: this.snapshotOf(entry, levels) }));
        stop = () => {
          entry.depths.delete(listener);
          this.releaseBook(entry);
        };
      }
    }
    let active = true;
    return {
      subscription: { ...subscription },
      unsubscribe: async () => {
        if (!active) return;
        active = false;
        stop();
      },
    };
  }

  /** The state of a symbol's local book, or `undefined` when no ticker/depth subscription holds it. */
  bookState(symbol: string): MaxBookState | undefined {
    const entry = this.books.get(symbol);
    if (!entry) return undefined;
    const stats = entry.sync.stats;
    return {
      synced: entry.sync.synced,
      sequence: entry.sync.synced ? (entry.sync.lastUpdate?.li ?? entry.sync.snapshot?.sequence) : undefined,
      version: entry.sync.snapshot?.v,
      snapshots: stats.snapshots,
      resyncs: stats.resyncs,
      applied: stats.applied,
      dropped: stats.dropped,
      resubscribes: entry.resubscribes,
    };
  }

  /** The synced local book of a symbol (`levels` per side, default all), or `undefined` while syncing. */
  book(symbol: string, levels?: number): BookSnapshot | undefined {
    const entry = this.books.get(symbol);
    if (!entry || !entry.sync.synced) return undefined;
    return this.snapshotOf(entry, levels ?? Number.POSITIVE_INFINITY);
  }

  /** Closes the connection and stops every book. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.gate?.close();
    for (const entry of this.books.values()) entry.sync.stop();
    this.books.clear();
    this.trades.clear();
    await this.socket?.close();
  }

  // ───────────────────────────── connection ─────────────────────────────

  private ensureSocket(): { socket: ReconnectingSocket; gate: WsMessageGate } {
    if (this.socket && this.gate) return { socket: this.socket, gate: this.gate };
    const o = this.options;
    const base = createMaxProtocol({ bookDepth: o.bookDepth, pingIntervalMs: o.pingIntervalMs });
    // The socket paces every frame (pings included) to MAX's per-second limit; the gate keeps the
    // per-minute one for what the connector sends.
    const protocol = { ...base, maxMessagesPerSecond: MAX_WS_MESSAGE_LIMITS[0]!.limit };
    const socket = new ReconnectingSocket({
      url: o.url,
      protocol,
      clock: this.clock,
      name: 'max-market',
      connectQueue: o.connectQueue,
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.socketFactory ? { socketFactory: o.socketFactory } : {}),
      ...(o.backoff ? { backoff: o.backoff } : {}),
      ...(o.maxConsecutiveFailures !== undefined ? { maxConsecutiveFailures: o.maxConsecutiveFailures } : {}),
      ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
      ...(o.maxSilenceMs !== undefined ? { maxSilenceMs: o.maxSilenceMs } : {}),
    });
    const gate = new WsMessageGate({ clock: this.clock, pingIntervalMs: o.pingIntervalMs });
    socket.events.on('message', (m) => this.onMessage(m.data, m.receivedAt));
    socket.events.on('open', (e) => {
      gate.connectionOpened(socket.subscriptions().length > 0 ? 1 : 0);
      if (e.reconnect) for (const entry of this.books.values()) entry.awaiting = true;
    });
    socket.events.on('renewed', () => {
      gate.connectionOpened(socket.subscriptions().length > 0 ? 1 : 0);
    });
    socket.events.on('reconnecting', (e) => {
      // Updates were lost with the connection: no book is trusted until its next snapshot.
      for (const entry of this.books.values()) {
        if (entry.sync.synced || entry.sync.buffered > 0) entry.sync.reset(`connection lost (${e.reason})`);
        entry.awaiting = true;
      }
    });
    socket.events.on('stale', (e) => this.log.warn({ stream: e.stream, silentMs: e.silentMs }, 'max market stream silent; renewing the connection'));
    socket.events.on('alert', (a) => this.options.onAlert({ ...a }));
    socket.start();
    this.socket = socket;
    this.gate = gate;
    return { socket, gate };
  }

  /** Runs a subscription change through the per-minute budget. */
  private send(count: number, op: (socket: ReconnectingSocket) => void): void {
    if (this.closed) return;
    const { socket, gate } = this.ensureSocket();
    gate.run(count, () => {
      if (!this.closed) op(socket);
    });
  }

  // ───────────────────────────── books ─────────────────────────────

  private bookEntry(symbol: string): BookEntry {
    const existing = this.books.get(symbol);
    if (existing) return existing;
    const stream = maxStream('book', symbol);
    const entry: BookEntry = {
      symbol,
      stream,
      sync: new BookSync<MaxBookUpdate, MaxSyncSnapshot>({
        rules: maxBookRules,
        clock: this.clock,
        logger: this.log,
        // MAX pushes snapshots in-stream: "fetching" one means resubscribing and waiting for it;
        // `pushSnapshot` supersedes (aborts) this wait when it arrives.
        fetchSnapshot: (signal) => this.awaitSnapshot(entry, signal),
        // The core's 250 ms first back-off is for REST snapshots lagging the stream; MAX's come
        // in-stream, so a gap right after one is a real gap. A short back-off still spaces out
        // resubscriptions if the venue keeps sending broken sequences (and the gate caps them).
        retryBaseMs: RESUBSCRIBE_BACKOFF_MS,
      }),
      tickers: new Set(),
      depths: new Set(),
      awaiting: true,
      lastTopKey: undefined,
      eventTime: 0,
      receiveTime: 0,
      resubscribes: 0,
    };
    entry.sync.events.on('update', () => this.publish(entry));
    entry.sync.events.on('resync', (info) => {
      entry.lastTopKey = undefined;
      if (info.reason !== 'reset') this.log.info({ symbol, reason: info.reason }, 'max book resync');
    });
    this.books.set(symbol, entry);
    this.send(1, (s) => s.subscribe([stream]));
    return entry;
  }

  private releaseBook(entry: BookEntry): void {
    if (entry.tickers.size > 0 || entry.depths.size > 0 || this.books.get(entry.symbol) !== entry) return;
    this.books.delete(entry.symbol);
    entry.sync.stop();
    this.send(1, (s) => s.unsubscribe([entry.stream]));
  }

  private awaitSnapshot(entry: BookEntry, signal: AbortSignal): Promise<MaxSyncSnapshot> {
    if (!entry.awaiting) {
      entry.awaiting = true;
      entry.resubscribes += 1;
      this.send(2, (s) => {
        s.unsubscribe([entry.stream]);
        s.subscribe([entry.stream]);
      });
    }
    const timeoutMs = this.options.snapshotTimeoutMs;
    return new Promise<MaxSyncSnapshot>((_resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        // Ask again on the next attempt: the subscription (or its snapshot) was lost.
        entry.awaiting = false;
        reject(new VenueError(`no ${entry.symbol} book snapshot within ${timeoutMs} ms of subscribing`, { code: 'SNAPSHOT_TIMEOUT', retryable: true, details: { symbol: entry.symbol } }));
      }, timeoutMs);
      signal.addEventListener(
        'abort',
        () => {
          this.clock.clearTimeout(timer);
          reject(signal.reason instanceof Error ? signal.reason : new Error('superseded'));
        },
        { once: true },
      );
    });
  }

  private onMessage(data: unknown, receivedAt: number): void {
    let event;
    try {
      event = parseMaxWsMessage(data, { receiveTime: receivedAt });
    } catch (err) {
      this.log.warn({ err }, 'max market message dropped: unexpected shape');
      return;
    }
    if (event.kind === 'book') {
      const entry = this.books.get(event.symbol);
      if (!entry) return;
      entry.eventTime = event.ts;
      entry.receiveTime = receivedAt;
      if (event.event === 'snapshot') {
        entry.awaiting = false;
        entry.sync.pushSnapshot(toSyncSnapshot(event));
      } else {
        entry.sync.push(event);
      }
    } else if (event.kind === 'trades' && event.event === 'update') {
      const listeners = this.trades.get(event.symbol);
      if (!listeners) return;
      for (const trade of event.trades) for (const l of [...listeners]) this.safe(() => l({ type: 'trades', trade }));
    }
  }

  private publish(entry: BookEntry): void {
    if (!entry.sync.synced) return;
    if (entry.depths.size > 0) {
      const byLevels = new Map<number, BookSnapshot>();
      for (const d of [...entry.depths]) {
        let book = byLevels.get(d.levels);
        if (!book) {
          book = this.snapshotOf(entry, d.levels);
          byLevels.set(d.levels, book);
        }
        const b = book;
        this.safe(() => d.onEvent({ type: 'depth', book: b }));
      }
    }
    if (entry.tickers.size > 0) this.deliverTick(entry, [...entry.tickers], true);
  }

  private deliverTick(entry: BookEntry, listeners: readonly Listener[], onlyOnChange = false): void {
    const top = entry.sync.book.topOfBook();
    if (!top) return;
    const key = `${top.bid}|${top.bidQty}|${top.ask}|${top.askQty}`;
    if (onlyOnChange && key === entry.lastTopKey) return;
    entry.lastTopKey = key;
    const tick = toMarketTick({ symbol: entry.symbol, ...top, eventTime: entry.eventTime || entry.receiveTime, receiveTime: entry.receiveTime || this.clock.now() });
    for (const l of listeners) this.safe(() => l({ type: 'ticker', tick }));
  }

  private snapshotOf(entry: BookEntry, levels: number): BookSnapshot {
    const { bids, asks } = entry.sync.book.top(levels);
    const sequence = entry.sync.lastUpdate?.li ?? entry.sync.snapshot?.sequence ?? 0;
    const snap: BookSnapshot = { venue: VENUE_ID, market: 'SPOT', symbol: entry.symbol, sequence, bids, asks, receiveTime: entry.receiveTime || this.clock.now() };
    if (entry.eventTime > 0) snap.eventTime = entry.eventTime;
    return snap;
  }

  /** A listener that throws must not break the stream for the others. */
  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn({ err }, 'market-data listener threw');
    }
  }
}
