/**
 * Redis dies or freezes while events stream: publish must never throw or wait, the queue stays
 * within its bound under the drop policy, drops raise metrics and alerts, and once Redis is back
 * the queue is flushed. Uses private servers only (never the shared 6379).
 */
import { afterEach, expect, it } from 'vitest';
import { RedisStreamSink, createRedisConnection, decodeEntries, type SinkAlert } from '../src/index.js';
import { describeRedis, startRedisServer, type RedisServerHandle } from './redis-servers.js';

type Client = ReturnType<typeof createRedisConnection>;

const MKT = 'mkt:events:{spot}:BTCUSDT';
const EXEC = 'orders:executed';
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function ids(client: Client, key: string, field: string): Promise<number[]> {
  const entries = decodeEntries(await client.sendCommand(['XRANGE', key, '-', '+']));
  return entries.map((e) => Number(e.payload?.[field]));
}

describeRedis('Redis down or slow while streaming', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function serverAndSink(options: { maxQueued: number; stallAlertMs?: number }) {
    const server: RedisServerHandle = await startRedisServer();
    cleanup.push(() => server.stop());
    const client = createRedisConnection({ port: server.port, maxReconnectDelayMs: 100 });
    const sink = new RedisStreamSink({ redis: client, alertIntervalMs: 100, retryMaxMs: 100, ...options });
    cleanup.push(() => sink.close());
    const alerts: SinkAlert[] = [];
    const states: string[] = [];
    sink.events.on('alert', (a) => alerts.push(a));
    sink.events.on('connected', () => states.push('connected'));
    sink.events.on('disconnected', () => states.push('disconnected'));
    await waitUntil('first connection', () => sink.metrics().connected);
    return { server, client, sink, alerts, states };
  }

  it('killed mid-stream: publish stays instant, the queue is bounded (market dropped oldest-first), the alert fires, the flush delivers after restart', async () => {
    const { server, sink, alerts, states } = await serverAndSink({ maxQueued: 2_000 });
    let m = 0;
    let x = 0;
    let slowest = 0;
    const publishChunk = (market: number): void => {
      for (let i = 0; i < market; i++) {
        const t = performance.now();
        sink.publish(MKT, { m: m++ });
        slowest = Math.max(slowest, performance.now() - t);
      }
      const t = performance.now();
      sink.publish(EXEC, { x: x++ });
      slowest = Math.max(slowest, performance.now() - t);
    };

    // Streaming normally.
    for (let i = 0; i < 20; i++) {
      publishChunk(100);
      await tick();
    }
    expect(sink.metrics().sent).toBeGreaterThan(0);
    // Crash while events are still on the wire.
    publishChunk(500);
    await server.kill('SIGKILL');
    const firstExecAfterKill = x;
    const firstMktAfterKill = m;
    for (let i = 0; i < 60; i++) {
      publishChunk(100);
      await tick();
    }
    await waitUntil('drop alert', () => alerts.some((a) => a.code === 'REDIS_SINK_DROPPED'), 5_000);
    const down = sink.metrics();
    expect(states).toContain('disconnected');
    expect(down.connected).toBe(false);
    // Bounded: never more than maxQueued (+ the sink's few own alerts) held.
    expect(down.queued + down.inFlight).toBeLessThanOrEqual(2_000 + 64);
    expect(down.droppedByReason.queue_full).toBeGreaterThan(0);
    expect(down.queuedKept).toBeGreaterThan(0);
    expect(down.droppedByFamily).toEqual({ market: down.dropped });
    expect(down.published).toBe(down.sent + down.dropped + down.queued + down.inFlight);
    // A blocking publish would wait out connect timeouts (seconds); the bound leaves room for GC
    // pauses and a loaded CI machine.
    expect(slowest).toBeLessThan(200);
    const dropAlert = alerts.find((a) => a.code === 'REDIS_SINK_DROPPED')!;
    expect(dropAlert).toMatchObject({ level: 'WARN', details: { kept_dropped: 0 } });

    // Redis comes back on the same port (empty: it persists nothing) and the queue drains into it.
    await server.restart();
    await sink.flush(10_000);
    expect(states.at(-1)).toBe('connected');
    const probe = createRedisConnection({ port: server.port });
    await probe.connect();
    cleanup.push(() => probe.close());
    const execs = await ids(probe, EXEC, 'x');
    // Every execution event published after the crash arrived, once each, in order.
    const afterKill = execs.filter((v) => v >= firstExecAfterKill);
    expect(afterKill).toEqual(Array.from({ length: x - firstExecAfterKill }, (_, i) => firstExecAfterKill + i));
    expect(execs).toEqual([...execs].sort((a, b) => a - b));
    // Market data: the newest survived, in order; the oldest were dropped.
    const mkts = await ids(probe, MKT, 'm');
    expect(mkts.at(-1)).toBe(m - 1);
    expect(mkts).toEqual([...mkts].sort((a, b) => a - b));
    expect(mkts.filter((v) => v >= firstMktAfterKill).length).toBeLessThan(m - firstMktAfterKill);
    // The sink's alerts reached the alerts stream once Redis was back.
    const written = decodeEntries(await probe.sendCommand(['XRANGE', 'alerts', '-', '+'])).map((e) => e.payload);
    expect(written.map((a) => a?.code)).toEqual(expect.arrayContaining(['REDIS_SINK_DROPPED', 'REDIS_SINK_RECOVERED']));
    expect(written.every((a) => a?.source === 'redis-sink')).toBe(true);
    const after = sink.metrics();
    expect(after).toMatchObject({ queued: 0, inFlight: 0, connected: true });
    expect(after.published).toBe(after.sent + after.dropped);
  });

  it('frozen (SIGSTOP): publish stays instant, a stall alert fires, nothing is lost once it thaws', async () => {
    const { server, sink, alerts } = await serverAndSink({ maxQueued: 50_000, stallAlertMs: 200 });
    server.pause();
    cleanup.unshift(async () => server.resume());
    let slowest = 0;
    for (let i = 0; i < 3_000; i++) {
      const t = performance.now();
      sink.publish(EXEC, { x: i });
      slowest = Math.max(slowest, performance.now() - t);
      if (i % 500 === 0) await tick();
    }
    await waitUntil('stall alert', () => alerts.some((a) => a.code === 'REDIS_SINK_STALLED'), 5_000);
    expect(sink.metrics().stalled).toBe(true);
    expect(slowest).toBeLessThan(200);
    server.resume();
    await sink.flush(10_000);
    expect(sink.metrics()).toMatchObject({ stalled: false, sent: 3_000 + alerts.length, dropped: 0 });
    const probe = createRedisConnection({ port: server.port });
    await probe.connect();
    cleanup.push(() => probe.close());
    expect(await ids(probe, EXEC, 'x')).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
  });
});
