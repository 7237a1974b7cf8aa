/**
 * RedisStreamSink, RedisLock, LastRunKey and StreamConsumer against a real single Redis node: the
 * shared 127.0.0.1:6379 (every key under a per-run prefix), and a private server where the exact
 * default key names must appear.
 */
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '@chimera/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  LastRunKey,
  LockBusyError,
  RedisLock,
  RedisStreamSink,
  StreamConsumer,
  createRedisConnection,
  decodeEntries,
  prefixStreamKeys,
  reconLastRunKey,
  treasuryLock,
  type StreamMessage,
} from '../src/index.js';
import { describeRedis, ensureSharedRedis, runPrefix, startRedisServer } from './redis-servers.js';

type Client = ReturnType<typeof createRedisConnection>;

async function xrange(client: Client, key: string) {
  return decodeEntries(await client.sendCommand(['XRANGE', key, '-', '+']));
}

/** Every stream of SPEC §2, §3, §5 and §7 under `keys`, with one sample payload each. */
function everyStream(keys: StreamKeys): [string, Record<string, unknown>][] {
  return [
    [keys.spotTicks('BTCUSDT'), { symbol: 'BTCUSDT', mid: 65000.15, spread_bps: 0.015, ts: 1 }],
    [keys.perpTicks('BTCUSDT'), { symbol: 'BTCUSDT', mid: 65010.5, ts: 2 }],
    [keys.funding('BTCUSDT'), { symbol: 'BTCUSDT', rate: '0.0001', next_funding_time: 3 }],
    [keys.tick('ETHUSDT'), { symbol: 'ETHUSDT', bid: '2500.1', ask: '2500.2' }],
    [keys.depth('ETHUSDT'), { symbol: 'ETHUSDT', bids: [['2500.1', '3']], asks: [['2500.2', '1']] }],
    [keys.wsRtt(), { venue: 'binance', rtt_ms: 12 }],
    [keys.mktThroughput(), { venue: 'binance', msgs_per_s: 840 }],
    [keys.signals(), { symbol: 'BTCUSDT', side: 'BUY' }],
    [keys.ordersExecuted(), { order_id: 'o1', intent_id: 'i1', symbol: 'BTCUSDT', side: 'BUY', avg_px: '65000.1', filled_qty: '0.01', market: 'FUT', ts: 4 }],
    [keys.ocoArmed(), { intent_id: 'i2', list_id: 7 }],
    [keys.guardArm(), { intent_id: 'i3', stop_price: '60000' }],
    [keys.slArm(), { intent_id: 'i1', stop_price: '63000', working_type: 'MARK_PRICE' }],
    [keys.reconciled(), { kind: 'ORPHAN_ORDER', action: 'CANCEL', ref: 'o9', ts: 5 }],
    [keys.alerts(), { level: 'ERROR', code: 'ORPHAN_CLOSED', message: 'closed orphan', ts: 6 }],
    [keys.opsEvents(), { kind: 'TRANSFER', transfer_id: 't1', ts: 7 }],
  ];
}

describeRedis('single node (127.0.0.1:6379 and a private server)', () => {
  let stopShared: () => Promise<void>;
  let client: Client;
  const prefix = runPrefix('redis-sink');
  const keys = prefixStreamKeys(prefix);

  beforeAll(async () => {
    stopShared = await ensureSharedRedis();
    client = createRedisConnection({ port: 6379 });
    await client.connect();
  });

  afterAll(async () => {
    // Bounded cleanup of this run's keys only.
    let cursor = '0';
    for (let i = 0; i < 1_000; i++) {
      const [next, found] = (await client.sendCommand(['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000'])) as [string, string[]];
      if (found.length > 0) await client.sendCommand(['DEL', ...found]);
      cursor = next;
      if (cursor === '0') break;
    }
    await client.close();
    await stopShared();
  });

  it('writes every SPEC stream, one `data` field of JSON per entry, read back intact', async () => {
    const sink = new RedisStreamSink({ redis: client, keys, ownsConnection: false });
    const streams = everyStream(keys);
    for (const [stream, payload] of streams) sink.publish(stream, payload);
    await sink.flush();
    for (const [stream, payload] of streams) {
      const entries = await xrange(client, stream);
      expect(entries).toHaveLength(1);
      expect(Object.keys(entries[0]!.fields)).toEqual(['data']);
      expect(entries[0]!.payload).toEqual(payload);
    }
    expect(sink.metrics()).toMatchObject({ published: streams.length, sent: streams.length, dropped: 0 });
    await sink.close();
    expect(client.isReady).toBe(true);
  });

  it('caps each family with MAXLEN ~ and keeps order', async () => {
    const sink = new RedisStreamSink({ redis: client, keys, ownsConnection: false, maxLen: { market: 100, execution: 5_000 } });
    const mkt = keys.spotTicks('CAPUSDT');
    const exec = keys.ordersExecuted();
    for (let i = 0; i < 2_000; i++) sink.publish(mkt, { i });
    for (let i = 0; i < 300; i++) sink.publish(exec, { i });
    await sink.flush();
    const mktLen = Number(await client.sendCommand(['XLEN', mkt]));
    // `~` trims whole macro-nodes (100 entries by default), so a little more than 100 may remain.
    expect(mktLen).toBeGreaterThanOrEqual(100);
    expect(mktLen).toBeLessThanOrEqual(300);
    const kept = (await xrange(client, mkt)).map((e) => (e.payload as { i: number }).i);
    expect(kept.at(-1)).toBe(1_999);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, j) => 2_000 - kept.length + j));
    expect(Number(await client.sendCommand(['XLEN', exec]))).toBeGreaterThanOrEqual(300);
    await sink.close();

    // The same with one plain XADD per event (for servers whose ACL forbids EVAL).
    const plain = new RedisStreamSink({ redis: client, keys, ownsConnection: false, maxLen: { market: 100 }, scriptBatching: false });
    const mkt2 = keys.perpTicks('CAPUSDT');
    for (let i = 0; i < 2_000; i++) plain.publish(mkt2, { i });
    await plain.flush();
    const kept2 = (await xrange(client, mkt2)).map((e) => (e.payload as { i: number }).i);
    expect(kept2.length).toBeGreaterThanOrEqual(100);
    expect(kept2.length).toBeLessThanOrEqual(300);
    expect(kept2).toEqual(Array.from({ length: kept2.length }, (_, j) => 2_000 - kept2.length + j));
    await plain.close();
  });

  it('drops an event the server rejects (WRONGTYPE) and keeps writing the rest', async () => {
    const sink = new RedisStreamSink({ redis: client, keys, ownsConnection: false });
    const wrong = keys.signals();
    await client.sendCommand(['SET', wrong, 'not a stream']);
    const reasons: string[] = [];
    sink.events.on('dropped', (d) => reasons.push(`${d.reason}:${d.error?.includes('WRONGTYPE') ? 'WRONGTYPE' : d.error}`));
    // Two events of one stream travel as one script call; both are refused.
    sink.publish(wrong, { a: 1 });
    sink.publish(wrong, { a: 2 });
    sink.publish(keys.opsEvents(), { after: true });
    await sink.flush();
    expect(reasons).toEqual(['rejected:WRONGTYPE', 'rejected:WRONGTYPE']);
    expect((await xrange(client, keys.opsEvents())).map((e) => e.payload)).toContainEqual({ after: true });
    await sink.close();
  });

  it('writes the default key names exactly as the SPEC spells them (private server)', async () => {
    const server = await startRedisServer();
    const own = createRedisConnection({ port: server.port });
    try {
      const sink = new RedisStreamSink({ redis: own });
      const streams = everyStream(DEFAULT_STREAM_KEYS);
      for (const [stream, payload] of streams) sink.publish(stream, payload);
      await sink.close();
      const probe = createRedisConnection({ port: server.port });
      await probe.connect();
      const names = ((await probe.sendCommand(['KEYS', '*'])) as string[]).sort();
      expect(names).toEqual(
        [
          'mkt:events:{spot}:BTCUSDT',
          'mkt:events:{perp}:BTCUSDT',
          'mkt:events:{funding}:BTCUSDT',
          'mkt:tick:{ETHUSDT}',
          'mkt:depth:{ETHUSDT}',
          'metrics:events:s1.ws_rtt',
          'metrics:events:s1.mkt_throughput',
          'signals:new',
          'orders:executed',
          'spot:oco:armed',
          'guard:spot:arm',
          'risk:sl_arm',
          'strategy:reconciled',
          'alerts',
          'ops:events',
        ].sort(),
      );
      await probe.close();
    } finally {
      await server.stop();
    }
  });

  it('RedisLock: one holder at a time, token-checked release and extend, waits with a deadline', async () => {
    const a = treasuryLock(client, 'SPOT', 'FUT', { keys, ttlMs: 5_000, retryDelayMs: 10 });
    expect(a.key).toBe(`${prefix}lock:treasury:SPOT:FUT`);
    const b = new RedisLock(client, a.key, { ttlMs: 5_000, retryDelayMs: 10 });
    const leaseA = await a.acquire();
    expect(await a.holder()).toBe(leaseA.token);
    expect(await b.tryAcquire()).toBeUndefined();
    await expect(b.acquire({ waitMs: 50 })).rejects.toBeInstanceOf(LockBusyError);
    expect(await leaseA.extend(10_000)).toBe(true);
    const pttl = Number(await client.sendCommand(['PTTL', a.key]));
    expect(pttl).toBeGreaterThan(5_000);
    // B waits while A works, and gets the lock once A releases.
    const waiting = b.acquire({ waitMs: 2_000 });
    await new Promise((r) => setTimeout(r, 30));
    expect(await leaseA.release()).toBe(true);
    const leaseB = await waiting;
    expect(await b.holder()).toBe(leaseB.token);
    // A's stale lease can neither release nor extend B's lock.
    expect(await leaseA.release()).toBe(false);
    expect(await leaseA.extend()).toBe(false);
    expect(leaseA.signal.aborted).toBe(true);
    expect(await b.holder()).toBe(leaseB.token);
    await leaseB.release();
    expect(await b.holder()).toBeUndefined();
  });

  it('RedisLock: an expired lease is lost, and withLock always releases', async () => {
    const lock = new RedisLock(client, `${prefix}lock:short`, { ttlMs: 40, retryDelayMs: 5 });
    const lease = await lock.acquire();
    await new Promise((r) => setTimeout(r, 80));
    const other = await lock.tryAcquire(5_000);
    expect(other).toBeDefined();
    expect(await lease.extend()).toBe(false);
    await other!.release();

    await expect(
      lock.withLock(async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await lock.holder()).toBeUndefined();
    // withLock renews every ttl/3, so work longer than the TTL keeps the lock.
    const result = await lock.withLock(async (l) => {
      await new Promise((r) => setTimeout(r, 150));
      expect(await lock.holder()).toBe(l.token);
      return l.held;
    });
    expect(result).toBe(true);
    expect(await lock.holder()).toBeUndefined();
  });

  it('LastRunKey: recon:{last_run_ts} in epoch ms, only moving forward', async () => {
    const last = reconLastRunKey(client, keys);
    expect(last.key).toBe(`${prefix}recon:{last_run_ts}`);
    expect(await last.get()).toBeUndefined();
    expect(await last.set(1_758_326_400_000)).toBe(1_758_326_400_000);
    expect(await last.set(1_758_326_100_000)).toBe(1_758_326_400_000);
    expect(await last.set(1_758_326_700_000)).toBe(1_758_326_700_000);
    expect(await new LastRunKey(client, last.key).get()).toBe(1_758_326_700_000);
    expect(String(await client.sendCommand(['GET', last.key]))).toBe('1758326700000');
    await expect(last.set(-1)).rejects.toThrow('epoch milliseconds');
  });

  it('StreamConsumer: handles and acks, redelivers failures by XAUTOCLAIM, recovers its own pending after a crash', async () => {
    const stream = keys.ordersExecuted() + ':consumer';
    const sink = new RedisStreamSink({ redis: client, keys, ownsConnection: false });
    const reader = client.duplicate();
    await reader.connect();
    const seen: string[] = [];
    let failOnce = true;
    const consumer = new StreamConsumer({
      redis: reader,
      stream,
      group: 'svc',
      consumer: 'c1',
      startId: '0',
      blockMs: 50,
      claimMinIdleMs: 30,
      claimIntervalMs: 1,
      handler: (m: StreamMessage) => {
        const id = String(m.payload?.order_id);
        if (id === 'o2' && failOnce) {
          failOnce = false;
          throw new Error('downstream busy');
        }
        seen.push(id);
      },
    });
    const failures: string[] = [];
    const claimed: string[] = [];
    consumer.events.on('handler_failed', (f) => failures.push(f.error));
    consumer.events.on('claimed', (c) => claimed.push(...c.ids));
    for (const id of ['o1', 'o2', 'o3']) sink.publish(stream, { order_id: id });
    await sink.flush();

    expect(await consumer.pollOnce()).toBe(2);
    expect(seen).toEqual(['o1', 'o3']);
    expect(failures).toEqual(['Error: downstream busy']);
    const pending = (await client.sendCommand(['XPENDING', stream, 'svc'])) as [number, ...unknown[]];
    expect(Number(pending[0])).toBe(1);
    // After claimMinIdleMs the failed entry is claimed again and handled.
    await new Promise((r) => setTimeout(r, 40));
    expect(await consumer.pollOnce({ block: false })).toBe(1);
    expect(seen).toEqual(['o1', 'o3', 'o2']);
    expect(claimed).toHaveLength(1);
    expect(Number(((await client.sendCommand(['XPENDING', stream, 'svc'])) as unknown[])[0])).toBe(0);

    // A crash between delivery and XACK: the entry stays pending for c1; a restarted c1 handles it.
    sink.publish(stream, { order_id: 'o4' });
    await sink.flush();
    await client.sendCommand(['XREADGROUP', 'GROUP', 'svc', 'c1', 'COUNT', '10', 'STREAMS', stream, '>']);
    const restarted = new StreamConsumer({
      redis: reader,
      stream,
      group: 'svc',
      consumer: 'c1',
      blockMs: 20,
      claimMinIdleMs: 60_000,
      handler: (m: StreamMessage) => {
        seen.push(String(m.payload?.order_id));
      },
    });
    expect(await restarted.pollOnce({ block: false })).toBe(1);
    expect(seen.at(-1)).toBe('o4');

    // The loop: start, receive while blocking, stop within blockMs.
    restarted.start();
    sink.publish(stream, { order_id: 'o5' });
    await sink.flush();
    for (let i = 0; i < 100 && seen.at(-1) !== 'o5'; i++) await new Promise((r) => setTimeout(r, 10));
    await restarted.stop();
    expect(seen).toEqual(['o1', 'o3', 'o2', 'o4', 'o5']);
    await sink.close();
    await reader.close();
  });

  it('StreamConsumer: reports pending entries trimmed away before they were acknowledged', async () => {
    const stream = `${prefix}trimmed`;
    for (let i = 0; i < 5; i++) await client.sendCommand(['XADD', stream, '*', 'data', JSON.stringify({ i })]);
    await client.sendCommand(['XGROUP', 'CREATE', stream, 'g', '0']);
    await client.sendCommand(['XREADGROUP', 'GROUP', 'g', 'dead', 'COUNT', '5', 'STREAMS', stream, '>']);
    await client.sendCommand(['XTRIM', stream, 'MAXLEN', '2']);
    const consumer = new StreamConsumer({ redis: client, stream, group: 'g', consumer: 'alive', claimMinIdleMs: 1, handler: () => undefined });
    const deleted: string[] = [];
    const claimedIds: string[] = [];
    consumer.events.on('deleted', (d) => deleted.push(...d.ids));
    consumer.events.on('claimed', (c) => claimedIds.push(...c.ids));
    await new Promise((r) => setTimeout(r, 5));
    expect(await consumer.pollOnce({ block: false })).toBe(2);
    expect(deleted).toHaveLength(3);
    expect(claimedIds).toHaveLength(2);
  });
});
