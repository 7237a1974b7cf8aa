/**
 * Two treasury "processes" (two Treasury instances, two Redis connections) racing the same
 * transfer over the shared store: the Redis lock lets exactly one reach the venue.
 */
import { MemoryEventSink, MemoryStore, PaperConnector, SystemClock, Treasury } from '@chimera/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisConnection, redisLockProvider } from '../src/index.js';
import { describeRedis, ensureSharedRedis, runPrefix } from './redis-servers.js';

describeRedis('RedisLock as the treasury lock provider', () => {
  let stopShared: () => Promise<void>;
  const clients: ReturnType<typeof createRedisConnection>[] = [];

  beforeAll(async () => {
    stopShared = await ensureSharedRedis();
    for (let i = 0; i < 2; i++) {
      const c = createRedisConnection({ port: 6379 });
      await c.connect();
      clients.push(c);
    }
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await stopShared();
  });

  it('two processes racing one transfer_id make exactly one venue call and get the same answer', async () => {
    const clock = new SystemClock();
    const venue = new PaperConnector({ clock, balances: { SPOT: { USDT: '1000' }, FUT: { USDT: '0' } } });
    await venue.connect();
    let calls = 0;
    const transfer = venue.transfer.bind(venue);
    venue.transfer = async (req) => {
      calls++;
      // Slow enough that the second process arrives while the first holds the lock.
      await clock.sleep(150);
      return transfer(req);
    };
    const store = new MemoryStore();
    const prefix = runPrefix('treasury');
    const keys = { ...(await import('@chimera/core')).DEFAULT_STREAM_KEYS, treasuryLock: (f: string, t: string) => `${prefix}lock:treasury:${f}:${t}` };
    const make = (i: number) =>
      new Treasury({ connector: venue, store, sink: new MemoryEventSink(), clock, keys, locks: redisLockProvider(clients[i]!), rateLimit: false });
    const request = { transfer_id: `${prefix}race-1`, from_market: 'SPOT', to_market: 'FUT', amount: 250, symbol: 'USDT' };
    const [a, b] = await Promise.all([make(0).transfer(request), make(1).transfer(request)]);
    expect(calls).toBe(1);
    expect(a).toEqual(b);
    expect(a.result).toBe('SUCCESS');
    expect((await venue.balances('FUT')).find((x) => x.asset === 'USDT')?.free).toBe('250');
    await venue.close();
  });
});
