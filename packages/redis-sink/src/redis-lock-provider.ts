import type { LockProvider } from '@chimera/core';
import type { RedisConnection } from './command-target.js';
import { RedisLock, type RedisLockOptions } from './redis-lock.js';

/**
 * The core `LockProvider` over Redis, so `Treasury` (and anything else that takes a lock provider)
 * holds `lock:treasury:<from>:<to>` across processes: `SET NX PX` with a random token, released and
 * extended by Lua only while the token is still ours.
 *
 * @example
 * ```ts
 * const treasury = new Treasury({ connector, store, sink, clock, locks: redisLockProvider(redis) });
 * ```
 */
export function redisLockProvider(redis: RedisConnection, options: Omit<RedisLockOptions, 'ttlMs'> = {}): LockProvider {
  return {
    acquire: (key, ttlMs) => new RedisLock(redis, key, { ...options, ttlMs }).tryAcquire(ttlMs),
  };
}
