import { createHash } from 'node:crypto';
import {
  DEFAULT_STREAM_KEYS,
  noopLogger,
  parseWith,
  redactingLogger,
  SystemClock,
  type Clock,
  type EventPayload,
  type EventSink,
  type Logger,
  type StrategyEvent,
  type StreamFamily,
  type StreamKeys,
} from '@chimera/core';
import type { Database } from 'arangojs';
import { isArangoDatabase } from 'arangojs/databases';
import { z } from 'zod';
import { ARANGO_ERROR, toStoreError } from './arango-store-error.js';
import { toDocument, toDocumentKey } from './document-keys.js';
import { insertionSequence } from './insertion-sequence.js';

/** Stream families that are event logs worth keeping in ArangoDB (not market data or metrics). */
export const EVENT_LOG_FAMILIES: readonly StreamFamily[] = ['execution', 'risk', 'reconcile', 'alerts', 'ops'];

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', `expected ${what}`);

/** Options of {@link ArangoEventSink} (validated with this schema). */
export const ArangoEventSinkOptionsSchema = z.strictObject({
  /** The arangojs database to write to. */
  database: z.custom<Database>((v) => isArangoDatabase(v), 'expected an arangojs Database'),
  /** Physical collection name, e.g. `strategy_events`; it must exist (`ArangoStore.createEventSink` makes sure). */
  collection: z.string().min(1),
  /**
   * Which streams to keep: a list of names, or a predicate. Default: streams whose family
   * (`streamKeys.familyOf`) is one of {@link EVENT_LOG_FAMILIES}; others are ignored silently.
   */
  streams: z.union([z.array(z.string().min(1)), fn<(stream: string) => boolean>('a predicate')]).optional(),
  /** Key scheme whose `familyOf` classifies streams. Default: the SPEC's scheme. */
  streamKeys: z.custom<StreamKeys>((v) => typeof v === 'object' && v !== null && typeof (v as StreamKeys).familyOf === 'function').optional(),
  /**
   * Idempotency key of an event. Default: `payload.event_id` when it is a non-empty string, else
   * `<stream>:<first 32 hex of SHA-256 of the canonical JSON payload>` — publishing the same
   * payload on the same stream twice stores it once.
   */
  eventId: fn<(stream: string, payload: EventPayload) => string>('a function').optional(),
  /** `kind` of the stored event. Default: the stream name (kept apart from the store's `STATE` / `RECONCILE_*` kinds). */
  kind: fn<(stream: string, payload: EventPayload) => string>('a function').optional(),
  /** Queued events at most; when full the oldest is dropped. Default 10 000. */
  maxQueue: z.number().int().min(1).default(10_000),
  /** Events per write request. Default 500. */
  batchSize: z.number().int().min(1).max(10_000).default(500),
  /** Retries of a failed batch before it is dropped. Default 5. */
  maxRetries: z.number().int().min(0).default(5),
  /** First retry delay in ms; doubles per retry up to 30 s. Default 500. */
  retryDelayMs: z.number().int().min(0).default(500),
  /** Called with the number of events dropped and why, e.g. to raise an alert elsewhere. */
  onDrop: fn<(count: number, reason: ArangoEventSinkDropReason) => void>('a function').optional(),
  /** Clock for retry delays and default timestamps. Default: the system clock. */
  clock: z.custom<Clock>((v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function').optional(),
  /** Logger (pino-compatible); records are redacted. Default: silent. */
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function').optional(),
  /** Insertion-sequence source shared with a store (`_seq`). Default: a new one on `clock`. */
  sequence: fn<() => number>('a function').optional(),
});

/** What callers pass to `new ArangoEventSink`. */
export type ArangoEventSinkOptions = z.input<typeof ArangoEventSinkOptionsSchema>;

/**
 * Why events were dropped: `queue_full` (oldest dropped for a new one), `invalid` (payload not
 * JSON-serialisable, or an `eventId`/`kind` callback threw), `rejected` (the server refused the
 * document or the batch with a non-retryable error), `retries_exhausted` (the batch kept failing
 * with retryable errors), `closed` (published after `close`).
 */
export type ArangoEventSinkDropReason = 'queue_full' | 'invalid' | 'rejected' | 'retries_exhausted' | 'closed';

/** Counters of an {@link ArangoEventSink}. */
export interface ArangoEventSinkStats {
  /** Events waiting or being written. */
  pending: number;
  /** Events stored by this sink. */
  written: number;
  /** Events the collection already had (same event id): not written again. */
  duplicates: number;
  /** Events dropped, for any {@link ArangoEventSinkDropReason}. */
  dropped: number;
  /** Publishes on streams that are not event logs. */
  ignored: number;
}

interface Pending {
  seq: number;
  doc: StrategyEvent & { _key: string; _seq: number };
}

const MAX_RETRY_DELAY_MS = 30_000;

/** JSON with object keys sorted, so equal payloads hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * An {@link EventSink} that appends event-log streams to an ArangoDB collection (by default
 * `strategy_events`) as `StrategyEvent` documents: `kind` = the stream name, `payload` = the
 * event, `ts` = `payload.ts` (else the clock), `intent_id` / `symbol` / `market` copied from the
 * payload when present; `_key` = the event id, so replays are stored once.
 *
 * `publish` never blocks and never throws: events go to a bounded queue (oldest dropped when full)
 * and a single writer sends them in batches (`POST /_api/document/<collection>` with
 * `overwriteMode=conflict`; a per-document 1210 is a duplicate). A failed batch is retried with
 * doubling delays, then dropped; every drop is counted, logged and passed to `onDrop`.
 */
export class ArangoEventSink implements EventSink {
  private readonly db: Database;
  private readonly collection: string;
  private readonly accepts: (stream: string) => boolean;
  private readonly eventId: (stream: string, payload: EventPayload) => string;
  private readonly kindOf: (stream: string, payload: EventPayload) => string;
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;
  private readonly onDrop: ((count: number, reason: ArangoEventSinkDropReason) => void) | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly nextSeq: () => number;

  private queue: Pending[] = [];
  private inFlight: Pending[] = [];
  private writing = false;
  private closed = false;
  private lastSeq = 0;
  private waiters: { target: number; resolve: () => void }[] = [];
  private readonly counters = { written: 0, duplicates: 0, dropped: 0, ignored: 0 };

  /** @throws ValidationError when `options` are malformed. */
  constructor(options: ArangoEventSinkOptions) {
    const o = parseWith(ArangoEventSinkOptionsSchema, options, 'ArangoEventSink options');
    this.db = o.database;
    this.collection = o.collection;
    const keys = o.streamKeys ?? DEFAULT_STREAM_KEYS;
    const streams = o.streams;
    this.accepts = Array.isArray(streams)
      ? (s) => streams.includes(s)
      : typeof streams === 'function'
        ? streams
        : (s) => EVENT_LOG_FAMILIES.includes(keys.familyOf(s));
    this.eventId =
      o.eventId ??
      ((stream, payload) =>
        typeof payload.event_id === 'string' && payload.event_id !== ''
          ? payload.event_id
          : `${stream}:${createHash('sha256').update(`${stream}\n${canonicalJson(payload)}`).digest('hex').slice(0, 32)}`);
    this.kindOf = o.kind ?? ((stream) => stream);
    this.maxQueue = o.maxQueue;
    this.batchSize = o.batchSize;
    this.maxRetries = o.maxRetries;
    this.retryDelayMs = o.retryDelayMs;
    this.onDrop = o.onDrop;
    this.clock = o.clock ?? new SystemClock();
    this.logger = redactingLogger(o.logger ?? noopLogger).child({ component: 'arango-event-sink', collection: o.collection });
    this.nextSeq = o.sequence ?? insertionSequence(this.clock);
  }

  /** Queues `payload` for `stream` when the stream is an event log. Never throws. */
  publish(stream: string, payload: EventPayload): void {
    try {
      if (this.closed) {
        this.drop(1, 'closed');
        return;
      }
      if (!this.accepts(stream)) {
        this.counters.ignored++;
        return;
      }
      let doc: Pending['doc'];
      try {
        doc = this.toDocument(stream, payload);
      } catch (err) {
        this.logger.warn({ stream, err }, 'event cannot be stored; dropped');
        this.drop(1, 'invalid');
        return;
      }
      if (this.queue.length >= this.maxQueue) {
        this.queue.shift();
        this.drop(1, 'queue_full');
      }
      this.queue.push({ seq: ++this.lastSeq, doc });
      this.settle();
      // A microtask lets everything published in the same tick go out in one batch.
      if (!this.writing) queueMicrotask(() => this.startWriter());
    } catch (err) {
      // A throwing user callback (streams, eventId, kind, onDrop) must not reach the publisher.
      this.logger.error({ stream, err }, 'event sink publish failed');
    }
  }

  /** Resolves when every event published before the call is written or dropped. */
  flush(): Promise<void> {
    const target = this.lastSeq;
    if (this.doneUpTo() >= target) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }

  /** Flushes, then drops later publishes. Does not close the database (the sink does not own it). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  /** Current counters. */
  get stats(): ArangoEventSinkStats {
    return { pending: this.queue.length + this.inFlight.length, ...this.counters };
  }

  private toDocument(stream: string, payload: EventPayload): Pending['doc'] {
    // A JSON copy: what is stored is what JSON can carry, and later mutation by the caller is not.
    const copy = JSON.parse(JSON.stringify(payload)) as EventPayload;
    const ts = typeof copy.ts === 'number' && Number.isFinite(copy.ts) ? copy.ts : this.clock.now();
    const eventId = this.eventId(stream, copy);
    const event: StrategyEvent = {
      event_id: eventId,
      kind: this.kindOf(stream, copy),
      payload: copy,
      ts,
      ...(typeof copy.intent_id === 'string' ? { intent_id: copy.intent_id } : {}),
      ...(typeof copy.symbol === 'string' ? { symbol: copy.symbol } : {}),
      ...(copy.market === 'SPOT' || copy.market === 'FUT' ? { market: copy.market } : {}),
    };
    return toDocument(event, toDocumentKey(eventId), this.nextSeq()) as unknown as Pending['doc'];
  }

  private startWriter(): void {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    void this.drain().finally(() => {
      this.writing = false;
      this.settle();
      // Events published while the last batch settled.
      if (this.queue.length > 0) this.startWriter();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      this.inFlight = this.queue.splice(0, this.batchSize);
      await this.writeBatch(this.inFlight);
      this.inFlight = [];
      this.settle();
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const col = this.db.collection(this.collection);
    for (let attempt = 0; ; attempt++) {
      try {
        const answer: unknown[] = await col.saveAll(
          batch.map((p) => p.doc),
          { overwriteMode: 'conflict' },
        );
        let rejected = 0;
        for (const item of answer) {
          const failure = item as { error?: boolean; errorNum?: number; errorMessage?: string };
          if (failure.error !== true) this.counters.written++;
          else if (failure.errorNum === ARANGO_ERROR.UNIQUE_CONSTRAINT_VIOLATED) this.counters.duplicates++;
          else {
            rejected++;
            this.logger.error({ errorNum: failure.errorNum, errorMessage: failure.errorMessage }, 'event rejected by ArangoDB; dropped');
          }
        }
        if (rejected > 0) this.drop(rejected, 'rejected');
        return;
      } catch (err) {
        const e = toStoreError(err, 'publish');
        if (!e.retryable || attempt >= this.maxRetries) {
          this.logger.error({ err: e, events: batch.length, attempts: attempt + 1 }, 'event batch not written; dropped');
          this.drop(batch.length, e.retryable ? 'retries_exhausted' : 'rejected');
          return;
        }
        const delay = Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2 ** attempt);
        this.logger.warn({ err: e, events: batch.length, attempt: attempt + 1, delayMs: delay }, 'event batch failed; retrying');
        await this.clock.sleep(delay);
      }
    }
  }

  private drop(count: number, reason: ArangoEventSinkDropReason): void {
    this.counters.dropped += count;
    if (reason !== 'closed') this.logger.warn({ count, reason }, 'events dropped');
    try {
      this.onDrop?.(count, reason);
    } catch (err) {
      this.logger.error({ err }, 'onDrop callback failed');
    }
  }

  /** Highest sequence number up to which every event is written or dropped. */
  private doneUpTo(): number {
    const first = this.inFlight[0] ?? this.queue[0];
    return first ? first.seq - 1 : this.lastSeq;
  }

  private settle(): void {
    const done = this.doneUpTo();
    const ready = this.waiters.filter((w) => w.target <= done);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.target > done);
    for (const w of ready) w.resolve();
  }
}
