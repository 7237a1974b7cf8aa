import { SystemClock, ValidationError, noopLogger, type Clock, type FieldIssue, type Logger } from '@chimera/core';
import { EventEmitter } from 'eventemitter3';
import { describeError, replyErrorCode, toCommandTarget, type CommandTarget, type RedisConnection } from './command-target.js';
import { decodeEntries, decodeReadReply, type StreamEntry } from './entry-codec.js';

/** One message handed to a {@link StreamConsumer} handler. */
export interface StreamMessage extends StreamEntry {
  /** The stream it came from. */
  stream: string;
}

/** Options of {@link StreamConsumer}. */
export interface StreamConsumerOptions {
  /**
   * A connection **for this consumer alone** (e.g. `client.duplicate()` / `cluster.duplicate()`):
   * a blocking `XREADGROUP` holds its connection for up to `blockMs`, which would stall every other
   * command sharing it.
   */
  redis: RedisConnection;
  /** Stream key. */
  stream: string;
  /** Consumer group name (created if missing). */
  group: string;
  /** This consumer's name within the group; stable across restarts so its pending entries resume. */
  consumer: string;
  /**
   * Processes one message. Resolve to acknowledge it; throw (or reject) to leave it pending, to be
   * delivered again after `claimMinIdleMs`. Must be idempotent: delivery is at-least-once.
   */
  handler: (message: StreamMessage) => unknown;
  /** Where a newly created group starts: `$` (only new entries, default) or `0` (all retained). */
  startId?: string;
  /** Entries per read (default 64). */
  count?: number;
  /** How long a read blocks waiting for entries, in ms (default 2 000); also bounds `stop()`. */
  blockMs?: number;
  /**
   * An entry pending this long (any consumer's) is claimed and redelivered, in ms (default
   * 60 000). Keep it above the slowest legitimate handler run, or two consumers handle the same
   * entry concurrently.
   */
  claimMinIdleMs?: number;
  /** How often to look for such entries, in ms (default 10 000). */
  claimIntervalMs?: number;
  /** Wait after a failed Redis call before the next, in ms (default 1 000). */
  errorBackoffMs?: number;
  /** Clock (default `SystemClock`). */
  clock?: Clock;
  /** Logger (default silent). */
  logger?: Logger;
}

/** Events of {@link StreamConsumer} (nothing is named `error`). */
export interface StreamConsumerEvents {
  /** The handler resolved; the entry is acknowledged. */
  handled: (info: { stream: string; id: string }) => void;
  /** The handler threw; the entry stays pending and will be redelivered. */
  handler_failed: (info: { stream: string; id: string; error: string }) => void;
  /** Entries idle past `claimMinIdleMs` were taken over by this consumer. */
  claimed: (info: { stream: string; ids: string[] }) => void;
  /** Pending entries whose data was trimmed away (`MAXLEN`) before anyone acknowledged them. */
  deleted: (info: { stream: string; ids: string[] }) => void;
  /** A Redis call failed; the loop waits `errorBackoffMs` and goes on. */
  read_failed: (info: { stream: string; error: string }) => void;
}

/** Stops a claim pass from scanning forever on a huge pending list. */
const MAX_CLAIM_PAGES = 10;

function positiveInt(issues: FieldIssue[], path: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 1) issues.push({ path, message: `must be a positive integer, got ${String(v)}` });
  return v;
}

/**
 * A consumer-group reader for services downstream of the sink (SPEC §7 streams), with
 * **at-least-once** delivery:
 * 1. on start it re-reads its own pending entries (`XREADGROUP … 0`): what it received but never
 *    acknowledged before a crash;
 * 2. then it reads new entries (`XREADGROUP … >`, blocking up to `blockMs`), calls the handler for
 *    each, and acknowledges (`XACK`) those whose handler resolved;
 * 3. every `claimIntervalMs` it takes over entries pending longer than `claimMinIdleMs` — a dead
 *    consumer's, or its own failures — with an `XAUTOCLAIM` loop, and handles them again.
 *
 * So every entry is handled at least once while it is retained, and possibly more than once (a
 * crash between handler and `XACK`, a handler slower than `claimMinIdleMs`, the sink's resend after
 * an outage): handlers must be idempotent, e.g. keyed by the entry id or a business key
 * (`intent_id`, `transfer_id`). An entry trimmed by `MAXLEN` before it was acknowledged is lost;
 * Redis reports it and the consumer emits `deleted`. A handler that always throws keeps its entry
 * pending forever (retried every `claimMinIdleMs`): catch poison messages inside the handler.
 */
export class StreamConsumer {
  /** Typed events: `handled`, `handler_failed`, `claimed`, `deleted`, `read_failed`. */
  readonly events = new EventEmitter<StreamConsumerEvents>();

  private readonly target: CommandTarget;
  private readonly stream: string;
  private readonly group: string;
  private readonly consumer: string;
  private readonly handler: (message: StreamMessage) => unknown;
  private readonly startId: string;
  private readonly count: number;
  private readonly blockMs: number;
  private readonly claimMinIdleMs: number;
  private readonly claimIntervalMs: number;
  private readonly errorBackoffMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private offError: (() => void) | undefined;
  private groupReady = false;
  private pendingRecovered = false;
  private nextClaimAt = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | undefined;
  private stopping = false;

  /** @throws ValidationError when a name is empty or a number is not a positive integer. */
  constructor(options: StreamConsumerOptions) {
    const issues: FieldIssue[] = [];
    for (const f of ['stream', 'group', 'consumer'] as const) {
      if (typeof options[f] !== 'string' || options[f].length === 0) issues.push({ path: f, message: 'must be a non-empty string' });
    }
    this.count = positiveInt(issues, 'count', options.count, 64);
    this.blockMs = positiveInt(issues, 'blockMs', options.blockMs, 2_000);
    this.claimMinIdleMs = positiveInt(issues, 'claimMinIdleMs', options.claimMinIdleMs, 60_000);
    this.claimIntervalMs = positiveInt(issues, 'claimIntervalMs', options.claimIntervalMs, 10_000);
    this.errorBackoffMs = positiveInt(issues, 'errorBackoffMs', options.errorBackoffMs, 1_000);
    if (issues.length > 0) throw new ValidationError('invalid StreamConsumer options', issues, { code: 'INVALID_CONSUMER_OPTIONS' });
    this.target = toCommandTarget(options.redis);
    this.stream = options.stream;
    this.group = options.group;
    this.consumer = options.consumer;
    this.handler = options.handler;
    this.startId = options.startId ?? '$';
    this.clock = options.clock ?? new SystemClock();
    this.logger = (options.logger ?? noopLogger).child({ component: 'stream-consumer', stream: this.stream, group: this.group });
    this.offError = this.listenForErrors();
  }

  private listenForErrors(): () => void {
    return this.target.onError((err) => this.logger.debug({ err: describeError(err) }, 'redis connection error'));
  }

  /**
   * Creates the group at `startId` (with the stream, if missing); an existing group is kept as is.
   * @throws the connection's error or the server's reply (other than `BUSYGROUP`).
   */
  async ensureGroup(): Promise<void> {
    if (this.groupReady) return;
    if (!this.target.isOpen()) await this.target.connect();
    try {
      await this.target.send(this.stream, ['XGROUP', 'CREATE', this.stream, this.group, this.startId, 'MKSTREAM']);
    } catch (err) {
      if (replyErrorCode(err) !== 'BUSYGROUP') throw err;
    }
    this.groupReady = true;
  }

  /**
   * One round: own pending entries (first round only), a claim pass when due, then one read of new
   * entries (blocking up to `blockMs` unless `block` is false).
   * @returns how many entries the handler processed successfully.
   * @throws the connection's error or the server's reply; the handler's errors are caught.
   */
  async pollOnce(options: { block?: boolean } = {}): Promise<number> {
    await this.ensureGroup();
    let handled = 0;
    if (!this.pendingRecovered) {
      handled += await this.recoverOwnPending();
      this.pendingRecovered = true;
    }
    if (this.clock.now() >= this.nextClaimAt) {
      handled += await this.claimIdle();
      this.nextClaimAt = this.clock.now() + this.claimIntervalMs;
    }
    const args = ['XREADGROUP', 'GROUP', this.group, this.consumer, 'COUNT', String(this.count)];
    if (options.block !== false) args.push('BLOCK', String(this.blockMs));
    args.push('STREAMS', this.stream, '>');
    const reply = await this.target.send(this.stream, args);
    handled += await this.handleAll(decodeReadReply(reply).get(this.stream) ?? []);
    return handled;
  }

  /** Runs {@link StreamConsumer.pollOnce} in a loop until {@link StreamConsumer.stop}. Idempotent. */
  start(): void {
    if (this.running) return;
    this.offError ??= this.listenForErrors();
    this.stopping = false;
    this.running = this.loop();
  }

  /** Ends the loop after the current round (at most about `blockMs`) and detaches from the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    this.running = undefined;
    this.offError?.();
    this.offError = undefined;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.pollOnce();
      } catch (err) {
        if (this.stopping) break;
        const error = describeError(err);
        this.logger.warn({ err: error }, 'stream read failed; backing off');
        this.events.emit('read_failed', { stream: this.stream, error });
        await this.clock.sleep(this.errorBackoffMs);
      }
    }
  }

  /** Re-reads entries delivered to this consumer but never acknowledged (e.g. before a crash). */
  private async recoverOwnPending(): Promise<number> {
    let handled = 0;
    let after = '0';
    // Each page starts after the last id seen, so every pending entry is visited once per pass.
    for (let page = 0; page < 10_000; page++) {
      const reply = await this.target.send(this.stream, [
        'XREADGROUP', 'GROUP', this.group, this.consumer, 'COUNT', String(this.count), 'STREAMS', this.stream, after,
      ]);
      const entries = decodeReadReply(reply).get(this.stream) ?? [];
      if (entries.length === 0) break;
      after = entries[entries.length - 1]!.id;
      // Pending ids whose entries were trimmed come back without fields: nothing to handle.
      const gone = entries.filter((e) => Object.keys(e.fields).length === 0).map((e) => e.id);
      if (gone.length > 0) {
        await this.ack(gone);
        this.events.emit('deleted', { stream: this.stream, ids: gone });
      }
      handled += await this.handleAll(entries.filter((e) => Object.keys(e.fields).length > 0));
    }
    return handled;
  }

  /** Takes over entries pending longer than `claimMinIdleMs` and handles them. */
  private async claimIdle(): Promise<number> {
    let handled = 0;
    let start = '0-0';
    for (let page = 0; page < MAX_CLAIM_PAGES; page++) {
      const reply = await this.target.send(this.stream, [
        'XAUTOCLAIM', this.stream, this.group, this.consumer, String(this.claimMinIdleMs), start, 'COUNT', String(this.count),
      ]);
      if (!Array.isArray(reply)) break;
      const next = String(reply[0]);
      const entries = decodeEntries(reply[1]);
      const deleted = Array.isArray(reply[2]) ? reply[2].map(String) : [];
      if (deleted.length > 0) this.events.emit('deleted', { stream: this.stream, ids: deleted });
      if (entries.length > 0) {
        this.events.emit('claimed', { stream: this.stream, ids: entries.map((e) => e.id) });
        handled += await this.handleAll(entries);
      }
      if (next === '0-0') break;
      start = next;
    }
    return handled;
  }

  private async handleAll(entries: readonly StreamEntry[]): Promise<number> {
    const done: string[] = [];
    for (const e of entries) {
      try {
        await this.handler({ ...e, stream: this.stream });
        done.push(e.id);
      } catch (err) {
        const error = describeError(err);
        this.logger.warn({ id: e.id, err: error }, 'handler failed; entry stays pending');
        this.events.emit('handler_failed', { stream: this.stream, id: e.id, error });
      }
    }
    if (done.length > 0) {
      await this.ack(done);
      for (const id of done) this.events.emit('handled', { stream: this.stream, id });
    }
    return done.length;
  }

  private async ack(ids: readonly string[]): Promise<void> {
    await this.target.send(this.stream, ['XACK', this.stream, this.group, ...ids]);
  }
}
