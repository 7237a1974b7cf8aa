/**
 * The sink and helpers on a real three-master Redis Cluster (createCluster), started from
 * redis-server on loopback ports for this file and torn down after it.
 */
import { DEFAULT_STREAM_KEYS, streamKeys } from '@chimera/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  RedisStreamSink,
  StreamConsumer,
  createRedisClusterConnection,
  decodeEntries,
  reconLastRunKey,
  treasuryLock,
  type StreamMessage,
} from '../src/index.js';
import { describeRedis, startRedisCluster, type RedisClusterHandle } from './redis-servers.js';

type Cluster = ReturnType<typeof createRedisClusterConnection>;

describeRedis('Redis Cluster (3 masters on loopback)', () => {
  let servers: RedisClusterHandle;
  let cluster: Cluster;

  const slotOf = async (key: string): Promise<number> => Number(await cluster.sendCommand(key, true, ['CLUSTER', 'KEYSLOT', key]));
  const masterOf = async (key: string): Promise<number> => cluster.getSlotMaster(await slotOf(key)).port;
  const xrange = async (key: string) => decodeEntries(await cluster.sendCommand(key, true, ['XRANGE', key, '-', '+']));

  beforeAll(async () => {
    servers = await startRedisCluster(3);
    cluster = createRedisClusterConnection({ rootNodes: servers.rootNodes });
    await cluster.connect();
  });

  afterAll(async () => {
    await cluster?.close();
    await servers?.stop();
  });

  it('runs with three masters that split the slots', () => {
    expect(cluster.masters).toHaveLength(3);
    expect(new Set(cluster.masters.map((m) => m.port))).toEqual(new Set(servers.rootNodes.map((n) => n.port)));
  });

  it('writes every SPEC stream with its hash tag kept, spread over several masters', async () => {
    const sink = new RedisStreamSink({ redis: cluster, ownsConnection: false });
    const K = DEFAULT_STREAM_KEYS;
    const streams = [
      K.spotTicks('BTCUSDT'),
      K.perpTicks('BTCUSDT'),
      K.funding('BTCUSDT'),
      K.tick('BTCUSDT'),
      K.depth('BTCUSDT'),
      K.wsRtt(),
      K.mktThroughput(),
      K.signals(),
      K.ordersExecuted(),
      K.ocoArmed(),
      K.guardArm(),
      K.slArm(),
      K.reconciled(),
      K.alerts(),
      K.opsEvents(),
    ];
    streams.forEach((s, i) => sink.publish(s, { i, stream: s }));
    await sink.flush();
    for (const [i, s] of streams.entries()) expect((await xrange(s)).map((e) => e.payload)).toEqual([{ i, stream: s }]);
    // `{BTCUSDT}` tags put tick and depth together; `{spot}` hashes only "spot".
    expect(await slotOf(K.tick('BTCUSDT'))).toBe(await slotOf(K.depth('BTCUSDT')));
    expect(await slotOf(K.spotTicks('BTCUSDT'))).toBe(await slotOf('{spot}'));
    const masters = new Set(await Promise.all(streams.map(masterOf)));
    expect(masters.size).toBeGreaterThanOrEqual(2);
    expect(sink.metrics()).toMatchObject({ sent: streams.length, dropped: 0 });
    await sink.close();
  });

  it('{spot} puts every spot stream in one slot; a per-symbol tag spreads them (and forbids cross-slot reads)', async () => {
    const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT', 'ADAUSDT', 'AVAXUSDT'];
    const tagged = DEFAULT_STREAM_KEYS;
    const spread = streamKeys({ spotTicks: (s) => `mkt:events:spot:{${s}}` });
    const taggedSlots = new Set(await Promise.all(symbols.map((s) => slotOf(tagged.spotTicks(s)))));
    expect(taggedSlots.size).toBe(1);
    const spreadMasters = new Set(await Promise.all(symbols.map((s) => masterOf(spread.spotTicks(s)))));
    expect(spreadMasters.size).toBeGreaterThanOrEqual(2);

    const sink = new RedisStreamSink({ redis: cluster, keys: spread, ownsConnection: false });
    for (let i = 0; i < 4_000; i++) {
      const s = symbols[i % symbols.length]!;
      sink.publish(spread.spotTicks(s), { s, i });
      sink.publish(tagged.spotTicks(s), { s, i });
    }
    await sink.flush();
    // (Other tests in this file wrote to some of these streams too: count this test's entries.)
    const mine = async (key: string, s: string) => (await xrange(key)).filter((e) => e.payload?.s === s).length;
    for (const s of symbols) {
      expect(await mine(spread.spotTicks(s), s)).toBe(500);
      expect(await mine(tagged.spotTicks(s), s)).toBe(500);
    }
    // The price of spreading: one XREAD over two symbols works only when they share a slot.
    const [a, b] = [symbols[0]!, symbols[1]!];
    const both = (await cluster.sendCommand(tagged.spotTicks(a), true, ['XREAD', 'COUNT', '1', 'STREAMS', tagged.spotTicks(a), tagged.spotTicks(b), '0', '0'])) as unknown[];
    expect(both).toHaveLength(2);
    const [sa, sb] = [spread.spotTicks(a), spread.spotTicks(b)];
    if ((await slotOf(sa)) !== (await slotOf(sb))) {
      await expect(cluster.sendCommand(sa, true, ['XREAD', 'COUNT', '1', 'STREAMS', sa, sb, '0', '0'])).rejects.toThrow(/CROSSSLOT/);
    }
    expect(sink.metrics()).toMatchObject({ sent: 8_000, dropped: 0 });
    await sink.close();
  });

  it('treasury lock, last-run key and consumer group work through createCluster', async () => {
    const lock = treasuryLock(cluster, 'FUT', 'SPOT', { ttlMs: 5_000 });
    const lease = await lock.acquire();
    expect(await lock.tryAcquire()).toBeUndefined();
    expect(await lease.extend()).toBe(true);
    expect(await lease.release()).toBe(true);

    const last = reconLastRunKey(cluster);
    expect(last.key).toBe('recon:{last_run_ts}');
    expect(await last.set(1_758_326_400_000)).toBe(1_758_326_400_000);
    expect(await last.get()).toBe(1_758_326_400_000);

    const stream = DEFAULT_STREAM_KEYS.reconciled();
    const reader = cluster.duplicate();
    await reader.connect();
    const seen: unknown[] = [];
    const consumer = new StreamConsumer({
      redis: reader,
      stream,
      group: 'audit',
      consumer: 'a1',
      startId: '$',
      blockMs: 100,
      handler: (m: StreamMessage) => {
        seen.push(m.payload);
      },
    });
    await consumer.ensureGroup();
    const sink = new RedisStreamSink({ redis: cluster, ownsConnection: false });
    sink.publish(stream, { kind: 'STALE_ORDER', action: 'FIX', ref: 'o1', ts: 1 });
    await sink.flush();
    expect(await consumer.pollOnce()).toBe(1);
    expect(seen).toEqual([{ kind: 'STALE_ORDER', action: 'FIX', ref: 'o1', ts: 1 }]);
    await consumer.stop();
    await sink.close();
    await reader.close();
  });
});
