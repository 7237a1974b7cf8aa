/**
 * RedisStreamSink throughput and publish→ack latency against the server's own ceiling, measured
 * in the same run on the same server (127.0.0.1:6379):
 * - baseline: `redis-benchmark -P 64 -c 1 XADD <key> MAXLEN ~ 100000 * data <payload>` — one
 *   connection, 64 commands in flight, the same payload bytes;
 * - ours: the same number of events through `RedisStreamSink.publish` (published in bursts of
 *   1 000 per event-loop turn), timed from the first publish until `flush()` resolves;
 * - latency: publish→ack p50/p99 at saturation (queueing included) and at a steady 50 000 events/s.
 * Five alternating rounds; the summary line compares the best of each (the machine is shared, so
 * single rounds are noisy), and the median of the per-round ratios is printed too. Keys live under
 * `bench:redis-sink:` and are deleted afterwards.
 */
import { spawnSync } from 'node:child_process';
import { RedisStreamSink, createRedisConnection, prefixStreamKeys } from '@chimera/redis-sink';
import { fmt, printRatio } from './harness.js';

const N = 200_000;
const ROUNDS = 5;
const PREFIX = 'bench:redis-sink:';
const BASELINE_KEY = `${PREFIX}baseline`;
const keys = prefixStreamKeys(PREFIX);
const STREAM = keys.spotTicks('BTCUSDT');
const tick = (i: number) => ({ symbol: 'BTCUSDT', bid: '65000.10', ask: '65000.20', mid: 65000.15, spread_bps: 0.0154, ts: 1_758_326_400_000 + i });

function redisBenchmark(): number | undefined {
  const r = spawnSync(
    'redis-benchmark',
    ['-h', '127.0.0.1', '-p', '6379', '-P', '64', '-c', '1', '-n', String(N), '--csv', 'XADD', BASELINE_KEY, 'MAXLEN', '~', '100000', '*', 'data', JSON.stringify(tick(0))],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) return undefined;
  // CSV: a header, then "test","rps" and six latency columns. The test name echoes the JSON payload
  // (quotes and commas included), so count the columns from the end.
  const row = r.stdout.trim().split('\n').at(-1) ?? '';
  const rps = Number(row.split(',').at(-7)?.replaceAll('"', ''));
  return Number.isFinite(rps) ? rps : undefined;
}

const yieldTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function saturated(client: ReturnType<typeof createRedisConnection>): Promise<{ rate: number; p50: number; p99: number }> {
  const sink = new RedisStreamSink({ redis: client, keys, ownsConnection: false, maxQueued: N + 1_000, maxLen: { market: 100_000 } });
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1_000) {
    for (let j = i; j < i + 1_000; j++) sink.publish(STREAM, tick(j));
    await yieldTurn();
  }
  await sink.flush();
  const seconds = (performance.now() - t0) / 1_000;
  const m = sink.metrics();
  await sink.close();
  if (m.sent !== N || m.dropped !== 0) throw new Error(`bench lost events: sent ${m.sent}, dropped ${m.dropped}`);
  return { rate: N / seconds, p50: m.publishLatencyMs.p50, p99: m.publishLatencyMs.p99 };
}

async function paced(client: ReturnType<typeof createRedisConnection>, perSecond: number, ms: number): Promise<{ p50: number; p99: number; sent: number }> {
  const sink = new RedisStreamSink({ redis: client, keys, ownsConnection: false, maxLen: { market: 100_000 } });
  const t0 = performance.now();
  let published = 0;
  for (let now = t0; now - t0 < ms; now = performance.now()) {
    const due = Math.floor(((now - t0) / 1_000) * perSecond);
    while (published < due) sink.publish(STREAM, tick(published++));
    await yieldTurn();
  }
  await sink.flush();
  const m = sink.metrics();
  await sink.close();
  return { p50: m.publishLatencyMs.p50, p99: m.publishLatencyMs.p99, sent: m.sent };
}

export default async function run(): Promise<void> {
  const client = createRedisConnection({ port: 6379 });
  try {
    await Promise.race([client.connect(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000))]);
  } catch {
    console.log('redis-sink: skipped (no Redis on 127.0.0.1:6379)');
    client.destroy();
    return;
  }
  try {
    await saturated(client); // warm-up: JIT and socket buffers
    let baseline = 0;
    let best = { rate: 0, p50: 0, p99: 0 };
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const b = redisBenchmark();
      if (b === undefined) {
        console.log('redis-sink: skipped (redis-benchmark not found: apt-get install redis-tools)');
        return;
      }
      const ours = await saturated(client);
      ratios.push(ours.rate / b);
      console.log(`  round ${r + 1}: redis-benchmark ${fmt(b)} XADD/s, RedisStreamSink ${fmt(ours.rate)} events/s (ratio ${(ours.rate / b).toFixed(2)}x, p99 ${ours.p99.toFixed(1)} ms)`);
      baseline = Math.max(baseline, b);
      if (ours.rate > best.rate) best = ours;
    }
    printRatio('RedisStreamSink XADD (1 connection, pipelined)', best.rate, baseline, 'events/s', 'redis-benchmark -P 64 -c 1');
    const sorted = [...ratios].sort((a, b) => a - b);
    console.log(`median of the per-round ratios: ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}x`);
    console.log(`RedisStreamSink publish→ack at saturation (${fmt(N)} events in bursts): p50 ${best.p50.toFixed(1)} ms, p99 ${best.p99.toFixed(1)} ms (queueing included)`);
    const steady = await paced(client, 50_000, 2_000);
    console.log(`RedisStreamSink publish→ack at a steady 50,000 events/s (${fmt(steady.sent)} events): p50 ${steady.p50.toFixed(2)} ms, p99 ${steady.p99.toFixed(2)} ms`);
  } finally {
    await client.sendCommand(['DEL', BASELINE_KEY, STREAM, keys.alerts()]);
    await client.close();
  }
}
