import {
  DEFAULT_STREAM_KEYS,
  SystemClock,
  noopLogger,
  type Clock,
  type EventPayload,
  type EventSink,
  type Logger,
  type StreamFamily,
  type StreamKeys,
  type TimerHandle,
} from '@chimera/core';
import { EventEmitter } from 'eventemitter3';
import { BoundedEventQueue, type DropReason, type QueuedEvent } from './bounded-event-queue.js';
import { classifyFailure, describeError, toCommandTarget, type CommandTarget } from './command-target.js';
import { DATA_FIELD } from './entry-codec.js';
import { SinkFlushTimeoutError } from './errors.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
import { resolveSinkOptions, type RedisStreamSinkOptions, type ResolvedSinkOptions } from './sink-options.js';

/**
 * An alert the sink raises about itself, shaped like core's risk and connector alerts so a host can
 * route all of them alike: `{ level, code, message, details, ts }` (`ts` epoch ms from the clock).
 * Codes:
 * - `REDIS_SINK_DROPPED` — events were dropped since the last alert (`WARN`; `ERROR` when events of
 *   kept families or server-rejected entries are among them); `details` has counts by reason and
 *   family. At most one per `alertIntervalMs`: drops in between are summed into the next one;
 * - `REDIS_SINK_STALLED` (`WARN`) — a write has had no answer for `stallAlertMs`;
 * - `REDIS_SINK_RECOVERED` (`INFO`) — writes succeed again after a disconnection; `details.down_ms`.
 */
export interface SinkAlert {
  level: 'INFO' | 'WARN' | 'ERROR';
  code: 'REDIS_SINK_DROPPED' | 'REDIS_SINK_STALLED' | 'REDIS_SINK_RECOVERED';
  message: string;
  details: Record<string, unknown>;
  ts: number;
}

/** One event that will never reach Redis. */
export interface DroppedEvent {
  stream: string;
  family: StreamFamily;
  reason: DropReason;
  /** Acceptance sequence number (0 when refused at `publish`). */
  seq: number;
  /** The server's error reply, for `rejected`. */
  error?: string;
}

/**
 * Events of {@link RedisStreamSink} (eventemitter3; nothing is named `error`). Listeners run
 * synchronously, sometimes inside `publish`, so they must be quick; a listener that throws is
 * logged and ignored, never propagated into the publisher.
 */
export interface RedisStreamSinkEvents {
  /** Writes go through (first success, or the client reconnected). */
  connected: () => void;
  /** A write failed for want of a connection; events queue (bounded) until it is back. */
  disconnected: (info: { reason: string }) => void;
  /** One event was dropped (see {@link DropReason}). */
  dropped: (event: DroppedEvent) => void;
  /** A rate-limited alert for humans (see {@link SinkAlert}). */
  alert: (alert: SinkAlert) => void;
}

/** A snapshot of the sink's counters. Counts are events since the sink was created. */
export interface RedisStreamSinkMetrics {
  /** Whether the last write attempt found a connection. */
  connected: boolean;
  /** Whether a write has gone unanswered for `stallAlertMs`. */
  stalled: boolean;
  /** Events waiting in the queue. */
  queued: number;
  /** Of which in the lossy lane. */
  queuedLossy: number;
  /** Of which in the kept lane. */
  queuedKept: number;
  /** Queue capacity (`maxQueued`). */
  capacity: number;
  /** Events written and awaiting the server's answer, or failed and waiting to be re-queued. */
  inFlight: number;
  /** Every `publish` call. */
  published: number;
  /** Events the server acknowledged. */
  sent: number;
  /** Events sent again after a failed write (each resend counts once). */
  retried: number;
  /** Events dropped, all reasons. */
  dropped: number;
  /** Drops by reason. */
  droppedByReason: Record<DropReason, number>;
  /** Drops by stream family. */
  droppedByFamily: Partial<Record<StreamFamily, number>>;
  /** Time from `publish` to the server's acknowledgement (ms), since creation or the last reset. */
  publishLatencyMs: LatencySummary;
}

interface Batch {
  id: number;
  events: QueuedEvent[];
  /** `events` split by stream, one command each, in `events` order. */
  groups: QueuedEvent[][];
  minSeq: number;
  /** Clock time of the write, for stall detection. */
  sentAt: number;
}

interface StreamInfo {
  family: StreamFamily;
  lossy: boolean;
  maxLen: string;
}

interface FlushWaiter {
  target: number;
  resolve: () => void;
  timer?: TimerHandle;
}

interface DropTally {
  count: number;
  kept: number;
  byReason: Partial<Record<DropReason, number>>;
  byFamily: Partial<Record<StreamFamily, number>>;
}

const emptyTally = (): DropTally => ({ count: 0, kept: 0, byReason: {}, byFamily: {} });
/**
 * Appends each `ARGV[2..]` to `KEYS[1]` as a `data` entry, in order, trimming to `MAXLEN ~ ARGV[1]`,
 * and returns how many it appended. The sink sends it for several events of one stream. Only the
 * last XADD carries the `MAXLEN ~` (one trim per batch instead of one per entry: about a quarter
 * less server time); the script is atomic, so no reader ever sees the stream between the two.
 * Sent with `EVAL`, so a restarted or failed-over server with an empty script cache needs no
 * `NOSCRIPT` handling. One key per call: it routes on a Cluster like a plain XADD.
 */
export const XADD_BATCH_SCRIPT = `local last = #ARGV
for i = 2, last - 1 do redis.call('XADD', KEYS[1], '*', '${DATA_FIELD}', ARGV[i]) end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', '${DATA_FIELD}', ARGV[last])
return last - 1`;

/** Room for the sink's own alerts outside `maxQueued`; they come at most one per alert interval. */
const ALERT_RESERVE = 64;
/** Streams whose family and MAXLEN are remembered; beyond this the memo starts over. */
const STREAM_MEMO_LIMIT = 10_000;

function minSeq(events: readonly QueuedEvent[]): number {
  let m = Number.POSITIVE_INFINITY;
  for (const e of events) if (e.seq < m) m = e.seq;
  return m;
}

/**
 * An {@link EventSink} on Redis Streams (SPEC §7), single node or Cluster.
 *
 * - **Writes:** each event becomes one stream entry `XADD <stream> MAXLEN ~ <n> * data <json>`,
 *   `n` by the stream's family (see `DEFAULT_MAX_LEN`). Events queued in the same tick leave as
 *   a pipelined batch of up to `batchSize` events, with up to `maxInFlightBatches` batches awaiting
 *   replies. Within a batch each stream is one command: a lone event is a plain `XADD`; several
 *   events of one stream go as one `EVAL` of {@link XADD_BATCH_SCRIPT}, which runs those XADDs on
 *   the server and trims once. A pipelined Node client is limited by node-redis's cost per
 *   command, not by the server; `scriptBatching: false` sends plain XADDs only. On a Cluster each
 *   command is routed by its key's hash slot (node-redis follows MOVED/ASK), so a batch may span
 *   masters.
 * - **Never blocks trading:** `publish` is synchronous, O(1) and never throws. Events wait in a
 *   bounded queue ({@link BoundedEventQueue}: oldest market/metrics/signals dropped first, kept
 *   families — execution, risk, reconcile, alerts, ops — only when nothing lossy is left). Each
 *   drop is counted, emitted as `dropped`, and summed into a rate-limited `alert`.
 * - **Outages:** a write that fails for want of a connection is put back at the front of the queue
 *   (so per-stream order holds) and retried with backoff (`retryBaseMs` doubling to `retryMaxMs`)
 *   — first a single-event probe, then full speed. A batch whose fate is unknown (the socket died
 *   while it was on the wire) is resent, so a few entries may appear twice around an outage:
 *   delivery is at-least-once and consumers dedupe.
 * - **Server rejections:** a permanent error reply (e.g. `WRONGTYPE`) drops that event with reason
 *   `rejected`; a passing one (`LOADING`, `OOM`, `CLUSTERDOWN` …) is retried like an outage.
 */
export class RedisStreamSink implements EventSink {
  /** Typed events: `connected`, `disconnected`, `dropped`, `alert`. */
  readonly events = new EventEmitter<RedisStreamSinkEvents>();

  private readonly target: CommandTarget;
  private readonly opts: ResolvedSinkOptions;
  private readonly keys: StreamKeys;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly queue: BoundedEventQueue;
  private readonly latency = new LatencyHistogram();
  private readonly streams = new Map<string, StreamInfo>();
  /** Batches awaiting replies, in send order. */
  private readonly inFlight = new Set<Batch>();
  private inFlightEvents = 0;
  /** Failed parts of batches, held until every in-flight batch settles so they re-queue in order. */
  private failed: Batch[] = [];
  private failedEvents = 0;
  private waiters: FlushWaiter[] = [];
  private readonly offError: () => void;
  private readonly offReady: () => void;

  private seq = 0;
  private batchIds = 0;
  private connected: boolean;
  private paused = false;
  private probing = false;
  private failureStreak = 0;
  private pumpScheduled = false;
  private stalled = false;
  private closing = false;
  private closed = false;
  private closePromise: Promise<void> | undefined;
  private resumeTimer: TimerHandle | undefined;
  private stallTimer: TimerHandle | undefined;
  private alertTimer: TimerHandle | undefined;
  private connectTimer: TimerHandle | undefined;
  private alertQueued = false;
  private lastAlertAt = Number.NEGATIVE_INFINITY;
  private disconnectedAt: number | undefined;
  private droppedAtDisconnect = 0;
  private pendingDrops = emptyTally();

  private published = 0;
  private sent = 0;
  private retried = 0;
  private dropped = 0;
  private readonly droppedByReason: Record<DropReason, number> = { queue_full: 0, rejected: 0, unserializable: 0, closed: 0 };
  private readonly droppedByFamily: Partial<Record<StreamFamily, number>> = {};

  private readonly pumpFn = (): void => this.pump();

  /**
   * Starts connecting in the background if the connection is not open; never waits for it.
   * @throws ValidationError when a numeric option is not a positive integer or a `maxLen` family is unknown.
   */
  constructor(options: RedisStreamSinkOptions) {
    this.opts = resolveSinkOptions(options);
    this.target = toCommandTarget(options.redis);
    this.keys = options.keys ?? DEFAULT_STREAM_KEYS;
    this.clock = options.clock ?? new SystemClock();
    this.logger = (options.logger ?? noopLogger).child({ component: 'redis-stream-sink' });
    this.queue = new BoundedEventQueue(this.opts.maxQueued, ALERT_RESERVE);
    this.connected = this.target.isReady();
    this.offError = this.target.onError((err) => this.logger.debug({ err: describeError(err) }, 'redis connection error'));
    this.offReady = this.target.onReady(() => this.onConnectionReady());
    this.startConnect();
  }

  /**
   * Queues `payload` for `stream` and returns at once. Never throws and never waits: when the queue
   * is full the drop policy applies; payloads `JSON.stringify` cannot encode are dropped
   * (`unserializable`); after `close()` events are dropped (`closed`). The payload is encoded
   * here, so later mutation by the caller does not change what is written.
   */
  publish(stream: string, payload: EventPayload): void {
    this.enqueue(stream, payload, false);
  }

  private enqueue(stream: string, payload: EventPayload, reserved: boolean): void {
    this.published++;
    if (typeof stream !== 'string' || stream.length === 0) {
      this.drop({ stream: String(stream), family: 'ops', lossy: false, seq: 0 }, 'rejected', 'empty stream name');
      return;
    }
    let info: StreamInfo;
    try {
      info = this.streamInfo(stream);
    } catch (err) {
      this.drop({ stream, family: 'ops', lossy: false, seq: 0 }, 'rejected', describeError(err));
      return;
    }
    if (this.closing) {
      this.drop({ stream, family: info.family, lossy: info.lossy, seq: 0 }, 'closed');
      return;
    }
    let data: string | undefined;
    try {
      data = JSON.stringify(payload);
    } catch {
      data = undefined;
    }
    if (typeof data !== 'string') {
      this.drop({ stream, family: info.family, lossy: info.lossy, seq: 0 }, 'unserializable');
      return;
    }
    const event: QueuedEvent = {
      seq: ++this.seq,
      stream,
      family: info.family,
      lossy: info.lossy,
      maxLen: info.maxLen,
      data,
      publishedAt: performance.now(),
      // Always present (never spread in): one object shape keeps this hot path monomorphic.
      reserved,
    };
    const evicted = this.queue.push(event);
    if (evicted) this.drop(evicted, 'queue_full');
    this.schedulePump();
  }

  /**
   * Resolves when every event published before the call has been acknowledged by Redis or
   * dropped. While Redis is away this waits for it to come back (or for the drop policy to evict
   * the events), unless `timeoutMs` is given.
   * @param timeoutMs - give up after this many ms of the sink's clock.
   * @throws SinkFlushTimeoutError (rejection) when `timeoutMs` passes first; nothing is dropped by it.
   */
  flush(timeoutMs?: number): Promise<void> {
    const target = this.seq;
    if (this.oldestUnsettled() > target) return Promise.resolve();
    this.schedulePump();
    return new Promise<void>((resolve, reject) => {
      const waiter: FlushWaiter = { target, resolve };
      if (timeoutMs !== undefined) {
        waiter.timer = this.clock.setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(
            new SinkFlushTimeoutError(`flush did not complete within ${timeoutMs} ms`, {
              details: { queued: this.queue.length, inFlight: this.inFlightEvents + this.failedEvents, connected: this.connected },
            }),
          );
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  /**
   * Stops accepting events, waits up to `closeTimeoutMs` for the queue to drain, drops what is
   * left (reason `closed`, with a final `alert`), and closes the connection if the sink owns it.
   * Idempotent.
   */
  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  /** The current counters; `resetLatency` starts a new latency window after reading. */
  metrics(options: { resetLatency?: boolean } = {}): RedisStreamSinkMetrics {
    const snapshot: RedisStreamSinkMetrics = {
      connected: this.connected,
      stalled: this.stalled,
      queued: this.queue.length,
      queuedLossy: this.queue.lossyLength,
      queuedKept: this.queue.keptLength,
      capacity: this.queue.capacity,
      inFlight: this.inFlightEvents + this.failedEvents,
      published: this.published,
      sent: this.sent,
      retried: this.retried,
      dropped: this.dropped,
      droppedByReason: { ...this.droppedByReason },
      droppedByFamily: { ...this.droppedByFamily },
      publishLatencyMs: this.latency.summary(),
    };
    if (options.resetLatency) this.latency.reset();
    return snapshot;
  }

  // --- writing -----------------------------------------------------------------------------

  private streamInfo(stream: string): StreamInfo {
    let info = this.streams.get(stream);
    if (info) return info;
    const family = this.keys.familyOf(stream);
    info = { family, lossy: this.opts.lossyFamilies.has(family), maxLen: String(this.opts.maxLen[family] ?? 10_000) };
    if (this.streams.size >= STREAM_MEMO_LIMIT) this.streams.clear();
    this.streams.set(stream, info);
    return info;
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.paused || this.closed) return;
    this.pumpScheduled = true;
    queueMicrotask(this.pumpFn);
  }

  private pump(): void {
    this.pumpScheduled = false;
    if (this.paused || this.closed) return;
    while (this.inFlight.size < this.opts.maxInFlightBatches && this.queue.length > 0) {
      this.write(this.queue.take(this.probing ? 1 : this.opts.batchSize));
      // After a failure one event goes first: if Redis is still away, only it comes back.
      if (this.probing) return;
    }
  }

  private write(events: QueuedEvent[]): void {
    // One command per stream: a lone event is a plain XADD; several ride one XADD_BATCH_SCRIPT
    // call, which runs the same XADD per event on the server. Per-command client overhead is what
    // caps a pipelined Node client, so this is how the sink keeps up with the server.
    let grouped: QueuedEvent[][];
    if (this.opts.scriptBatching) {
      const groups = new Map<string, QueuedEvent[]>();
      for (const e of events) {
        const g = groups.get(e.stream);
        if (g) g.push(e);
        else groups.set(e.stream, [e]);
      }
      grouped = [...groups.values()];
    } else {
      grouped = events.map((e) => [e]);
    }
    const batch: Batch = { id: ++this.batchIds, events, groups: grouped, minSeq: minSeq(events), sentAt: this.clock.now() };
    this.inFlight.add(batch);
    this.inFlightEvents += events.length;
    const replies = new Array<Promise<unknown>>(batch.groups.length);
    for (let i = 0; i < batch.groups.length; i++) {
      const g = batch.groups[i]!;
      const first = g[0]!;
      let args: string[];
      if (g.length === 1) {
        args = ['XADD', first.stream, 'MAXLEN', '~', first.maxLen, '*', DATA_FIELD, first.data];
      } else {
        args = ['EVAL', XADD_BATCH_SCRIPT, '1', first.stream, first.maxLen];
        for (const e of g) args.push(e.data);
      }
      try {
        replies[i] = this.target.send(first.stream, args);
      } catch (err) {
        replies[i] = Promise.reject(err);
      }
    }
    // The common case (all acknowledged) costs one Promise.all; only failures pay for allSettled.
    Promise.all(replies).then(
      () => this.settle(batch, undefined),
      () => {
        void Promise.allSettled(replies).then((results) => this.settle(batch, results));
      },
    );
    this.armStallTimer();
  }

  private settle(batch: Batch, results: PromiseSettledResult<unknown>[] | undefined): void {
    // A batch abandoned by close() was already counted as dropped.
    if (!this.inFlight.delete(batch)) return;
    this.inFlightEvents -= batch.events.length;
    const now = performance.now();
    let retry: QueuedEvent[] | undefined;
    let transportError: unknown;
    let busyError: unknown;
    let acknowledged = 0;
    for (let i = 0; i < batch.groups.length; i++) {
      const group = batch.groups[i]!;
      const r = results?.[i];
      if (r === undefined || r.status === 'fulfilled') {
        for (const e of group) this.latency.record(now - e.publishedAt);
        acknowledged += group.length;
        continue;
      }
      // A script call that failed midway may have appended part of its group; resending the group
      // can then duplicate those entries (at-least-once, like a resend after an outage).
      const kind = classifyFailure(r.reason);
      if (kind === 'permanent') {
        const error = describeError(r.reason);
        for (const e of group) this.drop(e, 'rejected', error);
      } else {
        (retry ??= []).push(...group);
        if (kind === 'transport') transportError ??= r.reason;
        else busyError ??= r.reason;
      }
    }
    this.sent += acknowledged;
    if (retry) {
      // Back in acceptance order, so each stream's events re-queue in order.
      retry.sort((a, b) => a.seq - b.seq);
      this.failed.push({ ...batch, events: retry, groups: [], minSeq: minSeq(retry) });
      this.failedEvents += retry.length;
      this.paused = true;
      if (transportError !== undefined) this.markDisconnected(describeError(transportError));
      else this.logger.warn({ err: describeError(busyError) }, 'redis busy; retrying');
    } else if (!this.paused) {
      // (While paused, a success is an older batch answering — e.g. from another Cluster master —
      // and says nothing about the failure being over; the probe decides that.)
      this.failureStreak = 0;
      this.probing = false;
      this.markConnected();
    }
    if (this.inFlight.size === 0) {
      this.clearStall();
      if (this.failed.length > 0) this.requeueFailed();
    }
    this.settleWaiters();
    this.schedulePump();
  }

  /** Puts failed events back in front (batch order keeps each stream in order) and waits before retrying. */
  private requeueFailed(): void {
    const events = this.failed.sort((a, b) => a.id - b.id).flatMap((b) => b.events);
    this.failed = [];
    this.failedEvents = 0;
    if (this.closed) {
      for (const e of events) this.drop(e, 'closed');
      return;
    }
    this.retried += events.length;
    for (const e of this.queue.requeueFront(events)) this.drop(e, 'queue_full');
    const delay = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** Math.min(this.failureStreak, 20));
    this.failureStreak++;
    this.clock.clearTimeout(this.resumeTimer);
    this.resumeTimer = this.clock.setTimeout(() => this.resume(), delay);
  }

  private resume(): void {
    this.resumeTimer = undefined;
    if (this.closed) return;
    this.paused = false;
    this.probing = true;
    this.schedulePump();
  }

  private onConnectionReady(): void {
    this.markConnected();
    // Retry at once instead of waiting out the backoff, unless a batch is still settling.
    if (this.paused && this.inFlight.size === 0 && this.failed.length === 0 && !this.closed) {
      this.clock.clearTimeout(this.resumeTimer);
      this.resume();
    }
  }

  private startConnect(): void {
    if (this.closed || this.target.isOpen()) return;
    this.target.connect().then(
      () => {
        this.markConnected();
        this.schedulePump();
      },
      (err: unknown) => {
        // node-redis clients retry by themselves; a Cluster gives up when no root node answers.
        this.logger.warn({ err: describeError(err) }, 'redis connect failed; retrying');
        if (!this.closed) this.connectTimer = this.clock.setTimeout(() => this.startConnect(), this.opts.retryMaxMs);
      },
    );
  }

  // --- state, drops, alerts ----------------------------------------------------------------

  private markConnected(): void {
    if (this.connected || this.closed) return;
    this.connected = true;
    this.logger.info('redis sink connected');
    this.emit('connected');
    if (this.disconnectedAt !== undefined) {
      const downMs = this.clock.now() - this.disconnectedAt;
      const dropped = this.dropped - this.droppedAtDisconnect;
      this.disconnectedAt = undefined;
      // Report the outage's drops now rather than at the next alert slot.
      this.clock.clearTimeout(this.alertTimer);
      this.alertTimer = undefined;
      this.emitDropAlert();
      this.raise({
        level: 'INFO',
        code: 'REDIS_SINK_RECOVERED',
        message: `redis writes resumed after ${downMs} ms; ${dropped} events dropped meanwhile`,
        details: { down_ms: downMs, dropped_while_down: dropped, queued: this.queue.length },
        ts: this.clock.now(),
      });
    }
  }

  private markDisconnected(reason: string): void {
    if (!this.connected) return;
    this.connected = false;
    this.disconnectedAt = this.clock.now();
    this.droppedAtDisconnect = this.dropped;
    this.logger.warn({ reason }, 'redis sink disconnected; buffering');
    this.emit('disconnected', { reason });
  }

  private drop(e: Pick<QueuedEvent, 'stream' | 'family' | 'lossy' | 'seq'>, reason: DropReason, error?: string): void {
    this.dropped++;
    this.droppedByReason[reason]++;
    this.droppedByFamily[e.family] = (this.droppedByFamily[e.family] ?? 0) + 1;
    const t = this.pendingDrops;
    t.count++;
    if (!e.lossy) t.kept++;
    t.byReason[reason] = (t.byReason[reason] ?? 0) + 1;
    t.byFamily[e.family] = (t.byFamily[e.family] ?? 0) + 1;
    this.emit('dropped', { stream: e.stream, family: e.family, reason, seq: e.seq, ...(error !== undefined ? { error } : {}) });
    this.scheduleDropAlert();
    if (this.waiters.length > 0) this.settleWaiters();
  }

  private scheduleDropAlert(): void {
    if (this.alertTimer || this.alertQueued) return;
    const wait = this.lastAlertAt + this.opts.alertIntervalMs - this.clock.now();
    if (wait <= 0) {
      // Not inside publish(): the alert is itself published, and listeners may do work.
      this.alertQueued = true;
      queueMicrotask(() => {
        this.alertQueued = false;
        this.emitDropAlert();
      });
    } else {
      this.alertTimer = this.clock.setTimeout(() => {
        this.alertTimer = undefined;
        this.emitDropAlert();
      }, wait);
    }
  }

  private emitDropAlert(): void {
    const t = this.pendingDrops;
    if (t.count === 0) return;
    this.pendingDrops = emptyTally();
    this.lastAlertAt = this.clock.now();
    this.raise({
      level: t.kept > 0 || (t.byReason.rejected ?? 0) > 0 ? 'ERROR' : 'WARN',
      code: 'REDIS_SINK_DROPPED',
      message: `${t.count} events dropped by the redis sink (${t.kept} of kept families)`,
      details: {
        dropped: t.count,
        kept_dropped: t.kept,
        by_reason: t.byReason,
        by_family: t.byFamily,
        queued: this.queue.length,
        capacity: this.queue.capacity,
        connected: this.connected,
      },
      ts: this.lastAlertAt,
    });
  }

  private raise(alert: SinkAlert): void {
    const level = alert.level === 'INFO' ? 'info' : alert.level === 'WARN' ? 'warn' : 'error';
    this.logger[level]({ code: alert.code, details: alert.details }, alert.message);
    this.emit('alert', alert);
    if (this.opts.publishAlerts && !this.closing) this.enqueue(this.keys.alerts(), { ...alert, source: 'redis-sink' }, true);
  }

  private armStallTimer(): void {
    if (this.stallTimer || this.closed) return;
    this.stallTimer = this.clock.setTimeout(() => this.checkStall(), this.opts.stallAlertMs);
  }

  private checkStall(): void {
    this.stallTimer = undefined;
    const oldest = this.inFlight.values().next().value as Batch | undefined;
    if (!oldest || this.closed) return;
    const age = this.clock.now() - oldest.sentAt;
    if (age >= this.opts.stallAlertMs && !this.stalled) {
      this.stalled = true;
      this.raise({
        level: 'WARN',
        code: 'REDIS_SINK_STALLED',
        message: `a redis write has had no answer for ${age} ms; buffering`,
        details: { waiting_ms: age, in_flight: this.inFlightEvents, queued: this.queue.length },
        ts: this.clock.now(),
      });
    }
    const next = age < this.opts.stallAlertMs ? this.opts.stallAlertMs - age : this.opts.stallAlertMs;
    this.stallTimer = this.clock.setTimeout(() => this.checkStall(), next);
  }

  private clearStall(): void {
    this.clock.clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.stalled = false;
  }

  private emit<E extends keyof RedisStreamSinkEvents>(event: E, ...args: Parameters<RedisStreamSinkEvents[E]>): void {
    try {
      (this.events.emit as (e: E, ...a: Parameters<RedisStreamSinkEvents[E]>) => boolean)(event, ...args);
    } catch (err) {
      this.logger.error({ event, err: describeError(err) }, 'redis sink listener threw');
    }
  }

  // --- flush and close ---------------------------------------------------------------------

  private oldestUnsettled(): number {
    let m = this.queue.oldestSeq() ?? Number.POSITIVE_INFINITY;
    for (const b of this.inFlight) if (b.minSeq < m) m = b.minSeq;
    for (const b of this.failed) if (b.minSeq < m) m = b.minSeq;
    return m;
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const oldest = this.oldestUnsettled();
    const still: FlushWaiter[] = [];
    for (const w of this.waiters) {
      if (w.target < oldest) {
        this.clock.clearTimeout(w.timer);
        w.resolve();
      } else {
        still.push(w);
      }
    }
    this.waiters = still;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    try {
      await this.flush(this.opts.closeTimeoutMs);
    } catch {
      // Timed out: whatever is left is dropped below and reported.
    }
    this.closed = true;
    for (const t of [this.resumeTimer, this.stallTimer, this.alertTimer, this.connectTimer]) this.clock.clearTimeout(t);
    this.resumeTimer = this.stallTimer = this.alertTimer = this.connectTimer = undefined;
    for (const e of this.queue.drain()) this.drop(e, 'closed');
    // Writes still unanswered have an unknown outcome; they are reported as dropped.
    for (const b of [...this.inFlight, ...this.failed]) for (const e of b.events) this.drop(e, 'closed');
    this.inFlight.clear();
    this.failed = [];
    this.inFlightEvents = this.failedEvents = 0;
    this.clock.clearTimeout(this.alertTimer);
    this.alertTimer = undefined;
    this.emitDropAlert();
    this.settleWaiters();
    this.offReady();
    // An owned connection keeps its error listener: node-redis may still report the socket's end.
    if (!this.opts.ownsConnection) this.offError();
    if (this.opts.ownsConnection) {
      try {
        if (this.target.isReady()) await this.target.close();
        else if (this.target.isOpen()) this.target.destroy();
      } catch (err) {
        this.logger.warn({ err: describeError(err) }, 'redis close failed; destroying');
        if (this.target.isOpen()) this.target.destroy();
      }
    }
  }
}
