import type { EventPayload, EventSink, StoredEvent } from './event-sink.js';

/**
 * An in-memory {@link EventSink}: keeps the last `maxPerStream` events of each stream (oldest
 * dropped first, like `XADD MAXLEN`). The default sink, and what tests read back.
 */
export class MemoryEventSink implements EventSink {
  private readonly streams = new Map<string, StoredEvent[]>();
  private seq = 0;
  private closed = false;
  /** Events dropped because a stream was at its cap or the sink was closed. */
  dropped = 0;

  /** @param maxPerStream - cap per stream (default 10 000). */
  constructor(private readonly maxPerStream = 10_000) {}

  publish(stream: string, payload: EventPayload): void {
    if (this.closed) {
      this.dropped++;
      return;
    }
    let list = this.streams.get(stream);
    if (!list) this.streams.set(stream, (list = []));
    // A structured clone keeps later mutation by the caller out of the record, as a real sink would.
    list.push({ stream, id: `${++this.seq}-0`, payload: structuredClone(payload) });
    if (list.length > this.maxPerStream) {
      list.shift();
      this.dropped++;
    }
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Events of one stream, oldest first. */
  read(stream: string): StoredEvent[] {
    return [...(this.streams.get(stream) ?? [])];
  }

  /** Payloads of one stream, oldest first. */
  payloads(stream: string): EventPayload[] {
    return this.read(stream).map((e) => e.payload);
  }

  /** Every event of every stream, in publish order. */
  all(): StoredEvent[] {
    return [...this.streams.values()].flat().sort((a, b) => Number.parseInt(a.id, 10) - Number.parseInt(b.id, 10));
  }

  /** Names of the streams that have events. */
  streamNames(): string[] {
    return [...this.streams.keys()];
  }
}
