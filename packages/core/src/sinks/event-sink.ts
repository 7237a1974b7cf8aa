/** A JSON-serialisable event payload. */
export type EventPayload = Record<string, unknown>;

/** One event as a sink stores it. */
export interface StoredEvent {
  /** Stream name (from the key builders). */
  stream: string;
  /** The sink's id for the entry (Redis stream id, sequence number …). */
  id: string;
  payload: EventPayload;
}

/**
 * Appends events to named streams (SPEC §7). Publishing never blocks trading: `publish` returns at
 * once; a sink that cannot write now buffers (bounded, with a stated drop policy) and reports
 * drops through its own metrics/alerts. `flush` waits until everything accepted so far is written
 * or dropped.
 */
export interface EventSink {
  /** Queues `payload` for `stream`. Never throws for transient sink failures. */
  publish(stream: string, payload: EventPayload): void;
  /** Resolves when everything published before the call has been written (or dropped). */
  flush(): Promise<void>;
  /** Flushes and releases connections. Later publishes are dropped. */
  close(): Promise<void>;
}

/** Publishes every event to several sinks (e.g. Redis for consumers, memory for tests). */
export class FanOutEventSink implements EventSink {
  constructor(private readonly sinks: readonly EventSink[]) {}
  publish(stream: string, payload: EventPayload): void {
    for (const s of this.sinks) s.publish(stream, payload);
  }
  async flush(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.flush()));
  }
  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}
