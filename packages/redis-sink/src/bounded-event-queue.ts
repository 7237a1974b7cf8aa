import type { StreamFamily } from '@chimera/core';
import { Deque } from './deque.js';

/**
 * Why an event never reached Redis:
 * - `queue_full` — evicted (or refused) by the drop policy while the queue was at capacity;
 * - `rejected` — the server refused the entry with a permanent error (e.g. `WRONGTYPE`: the key
 *   holds something other than a stream);
 * - `unserializable` — `JSON.stringify` failed on the payload (cycle, BigInt);
 * - `closed` — published after `close()`, or still queued when `close()` gave up waiting.
 */
export type DropReason = 'queue_full' | 'rejected' | 'unserializable' | 'closed';

/** One event waiting for (or on its way to) Redis. */
export interface QueuedEvent {
  /** Acceptance order, unique per sink; `flush` waits on it. */
  seq: number;
  /** Stream key. */
  stream: string;
  /** The stream's family (from the key scheme). */
  family: StreamFamily;
  /** Whether the drop policy may evict it before events of the kept families. */
  lossy: boolean;
  /** The family's `MAXLEN ~` threshold, pre-rendered for the command. */
  maxLen: string;
  /** The payload as JSON (the entry's `data` field). */
  data: string;
  /** `performance.now()` at `publish`, in ms, for publish→ack latency. */
  publishedAt: number;
  /** The sink's own alert: travels in the reserved lane. */
  reserved: boolean;
}

/**
 * The sink's bounded buffer with its drop policy (SPEC §7: publishing never blocks trading).
 *
 * Events live in two FIFO lanes: *lossy* (by default market data, metrics and signals — a newer
 * tick supersedes an older one) and *kept* (execution, risk, reconcile, alerts, ops — each entry
 * is a fact someone audits). The total never exceeds `capacity`. When a new event arrives at a full
 * queue:
 * 1. if any lossy event is queued, the **oldest lossy** event is evicted (drop-oldest);
 * 2. otherwise the queue holds only kept events: a lossy newcomer is refused, and a kept newcomer
 *    evicts the **oldest kept** event.
 * So kept events are lost only after every lossy event is gone, and within a lane the newest
 * survive. A stream belongs to one family, hence one lane, so every stream stays in order.
 *
 * A third, small *reserved* lane (`reservedCapacity`, drop-oldest within itself) holds the sink's
 * own alerts outside `capacity`, so reporting drops never causes more drops. It drains first.
 */
export class BoundedEventQueue {
  private readonly lossy = new Deque<QueuedEvent>(1024);
  private readonly kept = new Deque<QueuedEvent>(1024);
  private readonly reserved = new Deque<QueuedEvent>();

  /**
   * @param capacity - most lossy + kept events held at once (≥ 1).
   * @param reservedCapacity - most events in the reserved lane (default 0).
   */
  constructor(
    readonly capacity: number,
    readonly reservedCapacity = 0,
  ) {}

  /** Events queued, all lanes. */
  get length(): number {
    return this.lossy.length + this.kept.length + this.reserved.length;
  }

  /** Lossy + kept events queued (what `capacity` bounds). */
  private get bounded(): number {
    return this.lossy.length + this.kept.length;
  }

  /** Lossy-lane events queued. */
  get lossyLength(): number {
    return this.lossy.length;
  }

  /** Kept-lane events queued. */
  get keptLength(): number {
    return this.kept.length;
  }

  /**
   * Adds `event` at the back of its lane, applying the drop policy when full.
   * @returns the event that was dropped to make room (possibly `event` itself), if any.
   */
  push(event: QueuedEvent): QueuedEvent | undefined {
    if (event.reserved) {
      this.reserved.push(event);
      return this.reserved.length > this.reservedCapacity ? this.reserved.shift() : undefined;
    }
    if (this.bounded < this.capacity) {
      (event.lossy ? this.lossy : this.kept).push(event);
      return undefined;
    }
    if (this.lossy.length > 0) {
      const evicted = this.lossy.shift();
      (event.lossy ? this.lossy : this.kept).push(event);
      return evicted;
    }
    if (event.lossy) return event;
    const evicted = this.kept.shift();
    this.kept.push(event);
    return evicted;
  }

  /**
   * Puts events that failed to send back at the front of their lanes, oldest first, then trims
   * to capacity with the same policy (oldest lossy first, then oldest kept).
   * @param events - in acceptance order (ascending `seq`).
   * @returns the events dropped by the trim.
   */
  requeueFront(events: readonly QueuedEvent[]): QueuedEvent[] {
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i]!;
      (e.reserved ? this.reserved : e.lossy ? this.lossy : this.kept).unshift(e);
    }
    const dropped: QueuedEvent[] = [];
    while (this.bounded > this.capacity) {
      const e = this.lossy.length > 0 ? this.lossy.shift() : this.kept.shift();
      if (e) dropped.push(e);
    }
    while (this.reserved.length > this.reservedCapacity) dropped.push(this.reserved.shift()!);
    return dropped;
  }

  /** Removes up to `max` events: reserved, then kept (they matter most after an outage), then lossy. */
  take(max: number): QueuedEvent[] {
    const out: QueuedEvent[] = [];
    while (out.length < max && this.reserved.length > 0) out.push(this.reserved.shift()!);
    while (out.length < max && this.kept.length > 0) out.push(this.kept.shift()!);
    while (out.length < max && this.lossy.length > 0) out.push(this.lossy.shift()!);
    return out;
  }

  /** The smallest `seq` queued, or `undefined` when empty. */
  oldestSeq(): number | undefined {
    let m: number | undefined;
    for (const lane of [this.lossy, this.kept, this.reserved]) {
      const s = lane.peek()?.seq;
      if (s !== undefined && (m === undefined || s < m)) m = s;
    }
    return m;
  }

  /** Removes and returns everything, in acceptance order. */
  drain(): QueuedEvent[] {
    const all = [...this.reserved.toArray(), ...this.kept.toArray(), ...this.lossy.toArray()].sort((x, y) => x.seq - y.seq);
    this.lossy.clear();
    this.kept.clear();
    this.reserved.clear();
    return all;
  }
}
