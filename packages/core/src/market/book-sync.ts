import { EventEmitter } from 'eventemitter3';
import type { Clock, TimerHandle } from '../clock/clock.js';
import { noopLogger, type Logger } from '../logging/logger.js';
import type { BookSyncRules, SyncSnapshot } from './book-sync-rules.js';
import { OrderBook, type BookLevels } from './order-book.js';

/**
 * Where a {@link BookSync} is:
 * - `syncing` — buffering updates until a snapshot is loaded; the book is empty.
 * - `synced` — the book is the venue's book as of the last applied update (or the snapshot).
 * - `stopped` — {@link BookSync.stop} was called; updates are ignored.
 */
export type BookSyncState = 'syncing' | 'synced' | 'stopped';

/**
 * Why a {@link BookSync} threw its book away:
 * - `gap` — an update did not continue the last applied one (the rules said `gap`).
 * - `snapshot_stale` — the snapshot was older than the first update that followed it; the
 *   updates are kept and the snapshot fetched again.
 * - `invalid_update` — an update could not be applied (bad level data).
 * - `reset` — the caller asked, typically after a reconnect.
 */
export type ResyncReason = 'gap' | 'snapshot_stale' | 'invalid_update' | 'reset';

/** Payload of the `resync` event. */
export interface ResyncInfo<U> {
  reason: ResyncReason;
  /** Free text: the caller's reason for `reset`, the error message for `invalid_update`. */
  detail?: string;
  /** The last update applied before the break, if any. */
  previous?: U;
  /** The update that revealed the break, if any. */
  update?: U;
}

/** Payload of the `synced` event. */
export interface SyncedInfo {
  /** Sequence number of the snapshot loaded. */
  snapshotSequence: number;
  /** Buffered updates applied on top of it. */
  applied: number;
  /** Buffered updates dropped as already contained in it. */
  dropped: number;
}

/** Payload of the `update` event. */
export interface BookUpdateInfo<U> {
  /** `snapshot`: a snapshot (plus buffered updates) was loaded; `diff`: one live update applied. */
  cause: 'snapshot' | 'diff';
  /** The live update applied (for `diff`). */
  update?: U;
  /** The book, now changed. */
  book: OrderBook;
}

/** Payload of the `snapshot_failed` event. */
export interface SnapshotFailedInfo {
  /** What `fetchSnapshot` rejected with, or why its snapshot could not be loaded. */
  error: unknown;
  /** Attempts so far in this sync cycle. */
  attempt: number;
  /** Delay before the next attempt (ms). */
  retryInMs: number;
}

/**
 * Events of a {@link BookSync}. None is named `error` (DESIGN.md): fetch failures arrive as
 * `snapshot_failed` and are retried.
 */
export interface BookSyncEvents<U> {
  /** The book was loaded from a snapshot and the buffered updates applied. */
  synced: (info: SyncedInfo) => void;
  /** The book changed. */
  update: (info: BookUpdateInfo<U>) => void;
  /** The book was discarded and a new sync cycle started. */
  resync: (info: ResyncInfo<U>) => void;
  /** A snapshot fetch failed; it is retried after `retryInMs`. */
  snapshot_failed: (info: SnapshotFailedInfo) => void;
}

/** Options of {@link BookSync}. */
export interface BookSyncOptions<U extends BookLevels, S extends SyncSnapshot> {
  /** The venue's continuity rules. */
  rules: BookSyncRules<U, S>;
  /**
   * Fetches a snapshot (REST depth, or for venues that push snapshots: resubscribe and wait for
   * the next one). Aborted through `signal` when a newer cycle supersedes it.
   */
  fetchSnapshot: (signal: AbortSignal) => Promise<S>;
  /** Schedules retries. */
  clock: Clock;
  /** Receives resync and fetch-failure records (default: silent). */
  logger?: Logger;
  /** The book to maintain (default: a new {@link OrderBook}). */
  book?: OrderBook;
  /**
   * Most updates buffered while a snapshot is awaited (default 10 000). On overflow the oldest
   * half is dropped: safe, because a snapshot older than the oldest kept update is detected and
   * fetched again.
   */
  maxBuffer?: number;
  /** First retry delay after a failed or stale snapshot (ms, default 250); doubles per attempt. */
  retryBaseMs?: number;
  /** Longest retry delay (ms, default 10 000). */
  retryMaxMs?: number;
}

/** Counters of a {@link BookSync} since it was created. */
export interface BookSyncStats {
  /** Updates applied (buffered and live). */
  applied: number;
  /** Updates dropped as stale or duplicate. */
  dropped: number;
  /** Resyncs of any reason. */
  resyncs: number;
  /** Snapshots loaded. */
  snapshots: number;
  /** Snapshot fetches that failed. */
  snapshotFailures: number;
  /** Buffered updates discarded on buffer overflow. */
  overflowed: number;
}

/**
 * Keeps an {@link OrderBook} in step with a venue's depth stream by the venue's own snapshot and
 * sequence rules, never drifting silently (SPEC §1.2):
 *
 * 1. Updates {@link BookSync.push}ed before the book is synced are buffered; the first one
 *    starts a snapshot fetch (Binance Spot step 1–2: buffer first, then fetch).
 * 2. When the snapshot arrives it is loaded and the buffer replayed through
 *    {@link BookSyncRules.firstUpdateAfterSnapshot} / {@link BookSyncRules.next}: contained
 *    updates are dropped, continuing ones applied. A snapshot older than the stream (`gap` on
 *    the first update) is fetched again after a back-off, keeping the buffer.
 * 3. Live updates are judged by {@link BookSyncRules.next} against the last one applied; a
 *    `gap` discards the book, emits `resync` and starts over from step 1 with that update.
 * 4. {@link BookSync.reset} after every reconnect discards everything and starts over.
 *
 * Venue-neutral: the rules, the snapshot fetch and the update type come from the adapter. Pure
 * apart from the injected clock (retry delays) and the fetch the caller supplies.
 */
export class BookSync<U extends BookLevels, S extends SyncSnapshot = SyncSnapshot> {
  /** Typed events; see {@link BookSyncEvents}. */
  readonly events = new EventEmitter<BookSyncEvents<U>>();
  /** The book kept in sync. Read it only while {@link BookSync.synced} is true. */
  readonly book: OrderBook;

  private readonly rules: BookSyncRules<U, S>;
  private readonly fetchSnapshot: (signal: AbortSignal) => Promise<S>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxBuffer: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  private current: BookSyncState = 'syncing';
  private buffer: U[] = [];
  private loaded: S | undefined;
  private last: U | undefined;
  /** Bumped whenever in-flight work must be ignored (new cycle, reset, stop, pushed snapshot). */
  private generation = 0;
  private inFlight: AbortController | undefined;
  private retryTimer: TimerHandle | undefined;
  private attempt = 0;
  private readonly counters: BookSyncStats = {
    applied: 0,
    dropped: 0,
    resyncs: 0,
    snapshots: 0,
    snapshotFailures: 0,
    overflowed: 0,
  };

  /** @param options - see {@link BookSyncOptions}. */
  constructor(options: BookSyncOptions<U, S>) {
    this.rules = options.rules;
    this.fetchSnapshot = options.fetchSnapshot;
    this.clock = options.clock;
    this.logger = options.logger ?? noopLogger;
    this.book = options.book ?? new OrderBook();
    this.maxBuffer = Math.max(1, options.maxBuffer ?? 10_000);
    this.retryBaseMs = Math.max(0, options.retryBaseMs ?? 250);
    this.retryMaxMs = Math.max(this.retryBaseMs, options.retryMaxMs ?? 10_000);
  }

  /** Where the driver is; see {@link BookSyncState}. */
  get state(): BookSyncState {
    return this.current;
  }

  /** True when the book can be trusted. */
  get synced(): boolean {
    return this.current === 'synced';
  }

  /** The snapshot the book was built from in this cycle (undefined while syncing). */
  get snapshot(): S | undefined {
    return this.loaded;
  }

  /** The last update applied since the snapshot (undefined right after a snapshot). */
  get lastUpdate(): U | undefined {
    return this.last;
  }

  /** Number of updates waiting for a snapshot. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** A copy of the counters. */
  get stats(): BookSyncStats {
    return { ...this.counters };
  }

  /**
   * Feeds one depth update, in the order received.
   * Ignored after {@link BookSync.stop}.
   */
  push(update: U): void {
    if (this.current === 'stopped') return;
    if (this.current === 'syncing') {
      this.bufferUpdate(update);
      if (this.inFlight === undefined && this.retryTimer === undefined) this.startFetch(0);
      return;
    }
    this.process(update);
  }

  /**
   * Loads a snapshot that arrived without being asked for (MAX sends one on subscribe and may
   * send a new one mid-stream, which means: rebuild). Supersedes any fetch in flight; buffered
   * updates are replayed on top of it.
   */
  pushSnapshot(snapshot: S): void {
    if (this.current === 'stopped') return;
    this.cancelPending();
    this.load(snapshot);
  }

  /**
   * Discards the book and starts a new sync cycle: call it after every reconnect (the stream
   * may have lost updates while down). Emits `resync` with reason `reset`. The snapshot is
   * fetched when the first update after the reset arrives.
   * @param detail - why, for the event and the log (default `reconnect`).
   */
  reset(detail = 'reconnect'): void {
    if (this.current === 'stopped') return;
    this.restart({ reason: 'reset', detail, previous: this.last }, [], false);
  }

  /** Stops for good: cancels any fetch or retry, clears the book, ignores further input. */
  stop(): void {
    this.cancelPending();
    this.current = 'stopped';
    this.buffer = [];
    this.loaded = undefined;
    this.last = undefined;
    this.book.clear();
  }

  private bufferUpdate(update: U): void {
    this.buffer.push(update);
    if (this.buffer.length > this.maxBuffer) {
      // Drop the oldest half at once so a long wait costs O(1) per update, amortised.
      const drop = Math.ceil(this.buffer.length / 2);
      this.buffer.splice(0, drop);
      this.counters.overflowed += drop;
    }
  }

  private process(update: U): void {
    const verdict =
      this.last === undefined
        ? this.rules.firstUpdateAfterSnapshot(this.loaded as S, update)
        : this.rules.next(this.last, update);
    if (verdict === 'drop') {
      this.counters.dropped++;
      return;
    }
    if (verdict === 'gap') {
      const stale = this.last === undefined;
      this.restart(
        { reason: stale ? 'snapshot_stale' : 'gap', previous: this.last, update },
        [update],
        stale,
      );
      return;
    }
    if (!this.applyUpdate(update)) return;
    this.events.emit('update', { cause: 'diff', update, book: this.book });
  }

  /** Applies one update; on bad data restarts the cycle and returns false. */
  private applyUpdate(update: U): boolean {
    try {
      this.book.applyDiff(update);
    } catch (err) {
      this.restart(
        {
          reason: 'invalid_update',
          detail: err instanceof Error ? err.message : String(err),
          previous: this.last,
          update,
        },
        [],
        false,
      );
      return false;
    }
    this.last = update;
    this.counters.applied++;
    return true;
  }

  /** Loads a snapshot and replays the buffer on top of it. */
  private load(snapshot: S): void {
    try {
      this.book.applySnapshot(snapshot);
    } catch (err) {
      this.current = 'syncing';
      this.fetchFailed(err);
      return;
    }
    this.counters.snapshots++;
    this.current = 'synced';
    this.loaded = snapshot;
    this.last = undefined;
    const pending = this.buffer;
    this.buffer = [];
    const before = { applied: this.counters.applied, dropped: this.counters.dropped };
    for (let i = 0; i < pending.length; i++) {
      const update = pending[i]!;
      const verdict =
        this.last === undefined ? this.rules.firstUpdateAfterSnapshot(snapshot, update) : this.rules.next(this.last, update);
      if (verdict === 'drop') {
        this.counters.dropped++;
        continue;
      }
      if (verdict === 'gap') {
        const stale = this.last === undefined;
        // Everything from the break on is still valid future data: keep it for the next cycle.
        this.restart(
          { reason: stale ? 'snapshot_stale' : 'gap', previous: this.last, update },
          pending.slice(i),
          stale,
        );
        return;
      }
      if (!this.applyUpdate(update)) return;
    }
    this.attempt = 0;
    this.events.emit('synced', {
      snapshotSequence: snapshot.sequence,
      applied: this.counters.applied - before.applied,
      dropped: this.counters.dropped - before.dropped,
    });
    this.events.emit('update', { cause: 'snapshot', book: this.book });
  }

  /**
   * Discards the book and begins a new cycle keeping `keep` as the buffer. A stale snapshot is
   * refetched after a back-off (the venue's REST view lags its stream); a plain gap at once.
   */
  private restart(info: ResyncInfo<U>, keep: U[], backOff: boolean): void {
    this.cancelPending();
    this.counters.resyncs++;
    this.current = 'syncing';
    this.book.clear();
    this.loaded = undefined;
    this.last = undefined;
    this.buffer = keep;
    if (!backOff) this.attempt = 0;
    // A reset follows every reconnect and is routine; a gap or stale snapshot is worth a look.
    const record = { reason: info.reason, detail: info.detail, buffered: keep.length };
    if (info.reason === 'reset') this.logger.info(record, 'order book resync');
    else this.logger.warn(record, 'order book resync');
    this.events.emit('resync', info);
    // A listener may have reset or stopped us; only continue the cycle we started.
    if (this.current !== 'syncing' || this.buffer !== keep) return;
    if (keep.length > 0) this.startFetch(backOff ? this.backoff(this.attempt) : 0);
  }

  private backoff(attempt: number): number {
    return Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  }

  private cancelPending(): void {
    this.generation++;
    this.inFlight?.abort();
    this.inFlight = undefined;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private startFetch(delayMs: number): void {
    const gen = ++this.generation;
    if (delayMs > 0) {
      this.retryTimer = this.clock.setTimeout(() => {
        this.retryTimer = undefined;
        if (gen === this.generation) this.fetch(gen);
      }, delayMs);
    } else {
      this.fetch(gen);
    }
  }

  private fetch(gen: number): void {
    const controller = new AbortController();
    this.inFlight = controller;
    this.attempt++;
    let pending: Promise<S>;
    try {
      pending = Promise.resolve(this.fetchSnapshot(controller.signal));
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (snapshot) => {
        if (gen !== this.generation || this.current !== 'syncing') return;
        this.inFlight = undefined;
        this.load(snapshot);
      },
      (err: unknown) => {
        if (gen !== this.generation || this.current !== 'syncing') return;
        this.inFlight = undefined;
        this.fetchFailed(err);
      },
    );
  }

  private fetchFailed(err: unknown): void {
    this.counters.snapshotFailures++;
    const retryInMs = this.backoff(this.attempt);
    this.logger.warn({ err, attempt: this.attempt, retryInMs }, 'order book snapshot failed');
    this.events.emit('snapshot_failed', { error: err, attempt: this.attempt, retryInMs });
    if (this.current !== 'syncing' || this.inFlight !== undefined || this.retryTimer !== undefined) return;
    this.startFetch(Math.max(1, retryInMs));
  }
}
