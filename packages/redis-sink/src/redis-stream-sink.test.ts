import { FakeClock, MemoryLogger, ValidationError, streamKeys } from '@chimera/core';
import { ClientOfflineError, ErrorReply } from 'redis';
import { describe, expect, it } from 'vitest';
import type { CommandTarget } from './command-target.js';
import { SinkFlushTimeoutError } from './errors.js';
import { RedisStreamSink, XADD_BATCH_SCRIPT, type DroppedEvent, type SinkAlert } from './redis-stream-sink.js';
import type { RedisStreamSinkOptions } from './sink-options.js';

interface Entry {
  key: string;
  maxLen: string;
  data: string;
}

interface Pending {
  entries: Entry[];
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** The entries a sink command appends: one for XADD, one per data argument for the batch script. */
function entriesOf(key: string, args: string[]): Entry[] {
  if (args[0] === 'EVAL') {
    expect(args[1]).toBe(XADD_BATCH_SCRIPT);
    return args.slice(5).map((data) => ({ key, maxLen: args[4]!, data }));
  }
  expect(args.slice(0, 4)).toEqual(['XADD', key, 'MAXLEN', '~']);
  expect(args.slice(5, 7)).toEqual(['*', 'data']);
  return [{ key, maxLen: args[4]!, data: args[7]! }];
}

/**
 * A scripted Redis: `up` acknowledges at once, `down` fails like an offline node-redis client,
 * `hang` keeps commands unanswered until the test settles them.
 */
class FakeTarget implements CommandTarget {
  readonly cluster = false;
  mode: 'up' | 'down' | 'hang' = 'up';
  /** Every command received, in order. */
  readonly commands: string[][] = [];
  /** Acknowledged entries, in order. */
  readonly written: Entry[] = [];
  readonly hung: Pending[] = [];
  /** Keys whose commands get this error reply. */
  readonly replyErrors = new Map<string, string>();
  open = true;
  closedGracefully = false;
  private readonly readyListeners = new Set<() => void>();

  send(key: string, args: string[]): Promise<unknown> {
    this.commands.push(args);
    if (this.mode === 'down') return Promise.reject(new ClientOfflineError());
    const reply = this.replyErrors.get(key);
    if (reply !== undefined) return Promise.reject(new ErrorReply(reply));
    const entries = entriesOf(key, args);
    if (this.mode === 'hang') return new Promise((resolve, reject) => this.hung.push({ entries, resolve, reject }));
    this.written.push(...entries);
    return Promise.resolve(`${this.written.length}-0`);
  }
  isOpen(): boolean {
    return this.open;
  }
  isReady(): boolean {
    return this.open && this.mode !== 'down';
  }
  async connect(): Promise<void> {
    this.open = true;
  }
  async close(): Promise<void> {
    this.closedGracefully = true;
    this.open = false;
  }
  destroy(): void {
    this.open = false;
  }
  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }
  onError(): () => void {
    return () => undefined;
  }
  /** Comes back up and tells listeners, as node-redis does with `ready`. */
  comeBack(): void {
    this.mode = 'up';
    for (const l of this.readyListeners) l();
  }
  /** Answers every hung command: acknowledged, or failed with `err`. */
  settleHung(err?: unknown): void {
    for (const p of this.hung.splice(0)) {
      if (err === undefined) {
        this.written.push(...p.entries);
        p.resolve('1-0');
      } else {
        p.reject(err);
      }
    }
  }
  /** Entries waiting for an answer. */
  hungEntries(): number {
    return this.hung.reduce((n, p) => n + p.entries.length, 0);
  }
  /** Answers the hung command at `index` only. */
  settleAt(index: number, err?: unknown): void {
    const [p] = this.hung.splice(index, 1);
    if (!p) throw new Error(`no hung command at ${index}`);
    if (err === undefined) {
      this.written.push(...p.entries);
      p.resolve('1-0');
    } else {
      p.reject(err);
    }
  }
  dataOf(key: string): unknown[] {
    return this.written.filter((w) => w.key === key).map((w) => JSON.parse(w.data));
  }
}

function setup(options: Partial<RedisStreamSinkOptions> = {}) {
  const target = new FakeTarget();
  const clock = new FakeClock();
  const logger = new MemoryLogger();
  const sink = new RedisStreamSink({ redis: target, clock, logger, ...options });
  const alerts: SinkAlert[] = [];
  const dropped: DroppedEvent[] = [];
  const states: string[] = [];
  sink.events.on('alert', (a) => alerts.push(a));
  sink.events.on('dropped', (d) => dropped.push(d));
  sink.events.on('connected', () => states.push('connected'));
  sink.events.on('disconnected', () => states.push('disconnected'));
  return { target, clock, sink, alerts, dropped, states, logger };
}

const MKT = 'mkt:events:{spot}:BTCUSDT';
const EXEC = 'orders:executed';

describe('RedisStreamSink (scripted Redis)', () => {
  it('writes XADD MAXLEN ~ per family with the payload as JSON in `data`, one command per stream, in order', async () => {
    const { target, sink } = setup({ maxLen: { market: 500 } });
    const payload = { symbol: 'BTCUSDT', bid: '1.5', n: 1 };
    sink.publish(MKT, payload);
    payload.n = 99; // encoded at publish: later mutation must not leak
    sink.publish(EXEC, { order_id: 'o1' });
    sink.publish(MKT, { n: 2 });
    await sink.flush();
    // Kept families go first; a lone event is a plain XADD, several of one stream share a script call.
    expect(target.commands).toEqual([
      ['XADD', EXEC, 'MAXLEN', '~', '1000000', '*', 'data', '{"order_id":"o1"}'],
      ['EVAL', XADD_BATCH_SCRIPT, '1', MKT, '500', '{"symbol":"BTCUSDT","bid":"1.5","n":1}', '{"n":2}'],
    ]);
    expect(target.written).toEqual([
      { key: EXEC, maxLen: '1000000', data: '{"order_id":"o1"}' },
      { key: MKT, maxLen: '500', data: '{"symbol":"BTCUSDT","bid":"1.5","n":1}' },
      { key: MKT, maxLen: '500', data: '{"n":2}' },
    ]);
    const m = sink.metrics();
    expect(m).toMatchObject({ published: 3, sent: 3, dropped: 0, queued: 0, inFlight: 0 });
    expect(m.publishLatencyMs.count).toBe(3);
  });

  it('keeps at most maxInFlightBatches × batchSize events unanswered', async () => {
    const { target, sink } = setup({ batchSize: 100, maxInFlightBatches: 3 });
    target.mode = 'hang';
    for (let i = 0; i < 2_000; i++) sink.publish(MKT, { i });
    await Promise.resolve();
    expect(target.hung.length).toBe(3);
    expect(target.hungEntries()).toBe(300);
    expect(sink.metrics()).toMatchObject({ queued: 1_700, inFlight: 300 });
    target.mode = 'up';
    target.settleHung();
    await sink.flush();
    expect(target.dataOf(MKT).map((d) => (d as { i: number }).i)).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
  });

  it('buffers while Redis is down, drops oldest market data first, alerts once per interval, and flushes on return', async () => {
    const { target, clock, sink, alerts, dropped, states } = setup({
      maxQueued: 10,
      alertIntervalMs: 10_000,
      retryBaseMs: 50,
      retryMaxMs: 200,
      // Alerts written to the stream are kept events that take queue room; tested separately below.
      publishAlerts: false,
    });
    target.mode = 'down';
    sink.publish(MKT, { i: -1 });
    await clock.tickAsync(0);
    expect(states).toEqual(['disconnected']);
    for (let i = 0; i < 5; i++) sink.publish(EXEC, { k: i });
    for (let i = 0; i < 20; i++) sink.publish(MKT, { i });
    expect(sink.metrics()).toMatchObject({ queued: 10, queuedKept: 5, queuedLossy: 5 });
    // 26 published, 10 fit: 16 market events dropped, oldest first; no execution event lost.
    expect(dropped).toHaveLength(16);
    expect(dropped.every((d) => d.reason === 'queue_full' && d.family === 'market')).toBe(true);
    await clock.tickAsync(0);
    expect(alerts.map((a) => [a.level, a.code, a.details.dropped])).toEqual([['WARN', 'REDIS_SINK_DROPPED', 16]]);

    // More drops inside the interval are summed into one later alert, not one each.
    for (let i = 20; i < 50; i++) sink.publish(MKT, { i });
    await clock.tickAsync(5_000);
    expect(alerts).toHaveLength(1);
    await clock.tickAsync(5_000);
    expect(alerts.map((a) => a.details.dropped)).toEqual([16, 30]);

    target.comeBack();
    await sink.flush();
    expect(states).toEqual(['disconnected', 'connected']);
    expect(target.dataOf(EXEC)).toEqual([0, 1, 2, 3, 4].map((k) => ({ k })));
    // The newest market events survived, in order.
    expect(target.dataOf(MKT)).toEqual([45, 46, 47, 48, 49].map((i) => ({ i })));
    expect(alerts.map((a) => a.code)).toEqual(['REDIS_SINK_DROPPED', 'REDIS_SINK_DROPPED', 'REDIS_SINK_RECOVERED']);
    const m = sink.metrics();
    expect(m).toMatchObject({ published: 56, sent: 10, dropped: 46, queued: 0, inFlight: 0, droppedByFamily: { market: 46 } });
  });

  it('writes its own alerts to the alerts stream once Redis is back', async () => {
    const { target, clock, sink } = setup({ maxQueued: 3 });
    target.mode = 'down';
    for (let i = 0; i < 5; i++) sink.publish(MKT, { i });
    await clock.tickAsync(0);
    target.comeBack();
    await clock.tickAsync(0);
    await sink.flush();
    const written = target.dataOf('alerts') as { code: string; source: string; level: string; details: { dropped?: number } }[];
    expect(written.map((a) => [a.code, a.level, a.source, a.details.dropped])).toEqual([
      ['REDIS_SINK_DROPPED', 'WARN', 'redis-sink', 2],
      ['REDIS_SINK_RECOVERED', 'INFO', 'redis-sink', undefined],
    ]);
    // The alerts travel outside the bound: they evicted no tick.
    expect(target.dataOf(MKT)).toEqual([{ i: 2 }, { i: 3 }, { i: 4 }]);
    expect(sink.metrics().dropped).toBe(2);
  });

  it('puts a batch that failed on the wire back in front and resends it in order', async () => {
    const { target, clock, sink } = setup({ batchSize: 4, maxInFlightBatches: 2, retryBaseMs: 100 });
    target.mode = 'hang';
    for (let i = 0; i < 12; i++) sink.publish(EXEC, { i });
    await clock.tickAsync(0);
    expect(target.hungEntries()).toBe(8);
    target.mode = 'down';
    target.settleHung(new Error('Socket closed unexpectedly'));
    await clock.tickAsync(0);
    expect(sink.metrics()).toMatchObject({ connected: false, queued: 12, inFlight: 0, retried: 8 });
    target.mode = 'up';
    await clock.tickAsync(100);
    await sink.flush();
    expect(target.dataOf(EXEC)).toEqual(Array.from({ length: 12 }, (_, i) => ({ i })));
    expect(sink.metrics()).toMatchObject({ sent: target.written.length, dropped: 0, retried: 8 });
  });

  it('does not report "connected" when an older batch succeeds after a newer one failed', async () => {
    const { target, clock, sink, states } = setup({ batchSize: 2, maxInFlightBatches: 2, retryBaseMs: 100 });
    target.mode = 'hang';
    for (let i = 0; i < 4; i++) sink.publish(EXEC, { i });
    await clock.tickAsync(0);
    expect(target.hung).toHaveLength(2);
    // The second batch fails first (as on another Cluster master), then the first succeeds.
    target.settleAt(1, new Error('Socket closed unexpectedly'));
    await clock.tickAsync(0);
    target.settleAt(0);
    await clock.tickAsync(0);
    expect(states).toEqual(['disconnected']);
    expect(sink.metrics()).toMatchObject({ sent: 2, queued: 2, retried: 2 });
    target.mode = 'up';
    await clock.tickAsync(100);
    await sink.flush();
    expect(states).toEqual(['disconnected', 'connected']);
    expect(target.dataOf(EXEC)).toEqual([0, 1, 2, 3].map((i) => ({ i })));
  });

  it('probes with one event after a failure and backs off while Redis stays away', async () => {
    const { target, clock, sink } = setup({ retryBaseMs: 100, retryMaxMs: 400 });
    let attempts = 0;
    const send = target.send.bind(target);
    target.send = (k, a) => {
      attempts++;
      return send(k, a);
    };
    target.mode = 'down';
    for (let i = 0; i < 50; i++) sink.publish(EXEC, { i });
    await clock.tickAsync(0);
    // One command carried all 50 (one stream).
    expect(attempts).toBe(1);
    // Backoff 100, 200, 400, 400 …: each round sends a single probe.
    await clock.tickAsync(100);
    expect(attempts).toBe(2);
    await clock.tickAsync(199);
    expect(attempts).toBe(2);
    await clock.tickAsync(1);
    expect(attempts).toBe(3);
    await clock.tickAsync(400);
    await clock.tickAsync(400);
    expect(attempts).toBe(5);
    expect(target.commands.slice(1).every((c) => c[0] === 'XADD')).toBe(true);
    target.comeBack();
    await sink.flush();
    expect(target.dataOf(EXEC)).toHaveLength(50);
  });

  it('drops entries the server rejects for good, with an ERROR alert, and goes on', async () => {
    const { target, clock, sink, alerts, dropped } = setup();
    target.replyErrors.set(MKT, 'WRONGTYPE Operation against a key holding the wrong kind of value');
    sink.publish(MKT, { i: 1 });
    sink.publish(EXEC, { k: 1 });
    await sink.flush();
    await clock.tickAsync(0);
    expect(dropped).toEqual([{ stream: MKT, family: 'market', reason: 'rejected', seq: 1, error: 'Error: WRONGTYPE Operation against a key holding the wrong kind of value' }]);
    expect(alerts.map((a) => [a.level, a.code])).toEqual([['ERROR', 'REDIS_SINK_DROPPED']]);
    expect(target.dataOf(EXEC)).toEqual([{ k: 1 }]);
    expect(sink.metrics().droppedByReason.rejected).toBe(1);
  });

  it('retries replies that pass (LOADING) instead of dropping', async () => {
    const { target, clock, sink } = setup({ retryBaseMs: 10 });
    target.replyErrors.set(EXEC, 'LOADING Redis is loading the dataset in memory');
    sink.publish(EXEC, { k: 1 });
    await clock.tickAsync(0);
    expect(sink.metrics()).toMatchObject({ dropped: 0, queued: 1, connected: true });
    target.replyErrors.clear();
    await clock.tickAsync(10);
    await sink.flush();
    expect(target.dataOf(EXEC)).toEqual([{ k: 1 }]);
  });

  it('never throws from publish: bad payloads and throwing listeners are contained', async () => {
    const { target, sink, dropped, logger } = setup();
    sink.events.on('dropped', () => {
      throw new Error('listener bug');
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => sink.publish(EXEC, cyclic)).not.toThrow();
    expect(() => sink.publish(EXEC, { big: 1n } as unknown as Record<string, unknown>)).not.toThrow();
    expect(() => sink.publish('', { a: 1 })).not.toThrow();
    sink.publish(EXEC, { ok: true });
    await sink.flush();
    expect(dropped.map((d) => d.reason)).toEqual(['unserializable', 'unserializable', 'rejected']);
    expect(target.dataOf(EXEC)).toEqual([{ ok: true }]);
    expect(logger.records.some((r) => r.msg === 'redis sink listener threw')).toBe(true);
  });

  it('raises a stall alert when a write goes unanswered, and clears it when answered', async () => {
    const { target, clock, sink, alerts } = setup({ stallAlertMs: 1_000 });
    target.mode = 'hang';
    sink.publish(EXEC, { k: 1 });
    await clock.tickAsync(999);
    expect(alerts).toHaveLength(0);
    await clock.tickAsync(1);
    expect(alerts.map((a) => a.code)).toEqual(['REDIS_SINK_STALLED']);
    expect(sink.metrics().stalled).toBe(true);
    // publish still returns at once while stalled.
    sink.publish(EXEC, { k: 2 });
    target.mode = 'up';
    target.settleHung();
    await sink.flush();
    expect(sink.metrics().stalled).toBe(false);
    expect(target.dataOf(EXEC).slice(0, 2)).toEqual([{ k: 1 }, { k: 2 }]);
  });

  it('flush(timeout) rejects with SinkFlushTimeoutError while Redis is away, keeping the events', async () => {
    const { target, clock, sink } = setup();
    target.mode = 'down';
    sink.publish(EXEC, { k: 1 });
    const flushed = sink.flush(500);
    const check = expect(flushed).rejects.toBeInstanceOf(SinkFlushTimeoutError);
    await clock.tickAsync(500);
    await check;
    expect(sink.metrics().queued + sink.metrics().inFlight).toBe(1);
  });

  it('close drains, closes the connection, and drops later events; gives up after closeTimeoutMs when down', async () => {
    const up = setup();
    up.sink.publish(EXEC, { k: 1 });
    await up.sink.close();
    expect(up.target.dataOf(EXEC)).toEqual([{ k: 1 }]);
    expect(up.target.closedGracefully).toBe(true);
    up.sink.publish(EXEC, { k: 2 });
    expect(up.dropped.map((d) => d.reason)).toEqual(['closed']);

    const down = setup({ closeTimeoutMs: 1_000 });
    down.target.mode = 'down';
    down.sink.publish(EXEC, { k: 1 });
    down.sink.publish(MKT, { i: 1 });
    let closed = false;
    const closing = down.sink.close().then(() => (closed = true));
    await down.clock.tickAsync(999);
    expect(closed).toBe(false);
    await down.clock.tickAsync(1);
    await closing;
    expect(down.dropped.map((d) => [d.stream, d.reason])).toEqual([
      [EXEC, 'closed'],
      [MKT, 'closed'],
    ]);
    expect(down.alerts.at(-1)).toMatchObject({ level: 'ERROR', code: 'REDIS_SINK_DROPPED', details: { dropped: 2, kept_dropped: 1 } });
    await expect(down.sink.flush()).resolves.toBeUndefined();
  });

  it('uses the key scheme for families (overridden spot keys stay market data)', async () => {
    const keys = streamKeys({ spotTicks: (s) => `mkt:events:spot:{${s}}` });
    const { target, sink } = setup({ keys, maxLen: { market: 123 } });
    sink.publish(keys.spotTicks('ETHUSDT'), { i: 1 });
    await sink.flush();
    expect(target.written).toEqual([{ key: 'mkt:events:spot:{ETHUSDT}', maxLen: '123', data: '{"i":1}' }]);
  });

  it('rejects bad options with every issue listed', () => {
    const target = new FakeTarget();
    let caught: unknown;
    try {
      new RedisStreamSink({ redis: target, maxQueued: 0, batchSize: 1.5, maxLen: { market: -1 } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues.map((i) => i.path)).toEqual(['maxLen.market', 'maxQueued', 'batchSize']);
  });
});
