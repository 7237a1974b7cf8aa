import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { acquireLock, MemoryLockProvider } from './lock-provider.js';

describe('MemoryLockProvider', () => {
  it('grants a key to one holder at a time and frees it on release', async () => {
    const clock = new FakeClock();
    const locks = new MemoryLockProvider(clock);
    const a = await locks.acquire('k', 1_000);
    expect(a?.key).toBe('k');
    expect(await locks.acquire('k', 1_000)).toBeUndefined();
    expect(await locks.acquire('other', 1_000)).toBeDefined();
    expect(await a!.release()).toBe(true);
    expect(await a!.release()).toBe(false);
    const b = await locks.acquire('k', 1_000);
    expect(b?.token).not.toBe(a?.token);
  });

  it('expires a lease on the clock; the former holder can then neither extend nor release the new one', async () => {
    const clock = new FakeClock();
    const locks = new MemoryLockProvider(clock);
    const a = (await locks.acquire('k', 1_000))!;
    clock.advance(999);
    expect(await locks.acquire('k', 1_000)).toBeUndefined();
    clock.advance(1);
    const b = (await locks.acquire('k', 1_000))!;
    expect(await a.extend(5_000)).toBe(false);
    expect(await a.release()).toBe(false);
    expect(locks.holder('k')).toBe(b.token);
  });

  it('extend pushes the expiry out from now', async () => {
    const clock = new FakeClock();
    const locks = new MemoryLockProvider(clock);
    const a = (await locks.acquire('k', 1_000))!;
    clock.advance(900);
    expect(await a.extend(1_000)).toBe(true);
    clock.advance(900);
    expect(locks.holder('k')).toBe(a.token);
    clock.advance(100);
    expect(locks.holder('k')).toBeUndefined();
  });

  it('rejects a non-positive ttl', async () => {
    const locks = new MemoryLockProvider(new FakeClock());
    await expect(locks.acquire('k', 0)).rejects.toThrow(RangeError);
  });
});

describe('acquireLock', () => {
  it('polls until the holder releases', async () => {
    const clock = new FakeClock();
    const locks = new MemoryLockProvider(clock);
    const held = (await locks.acquire('k', 60_000))!;
    const start = clock.now();
    const waiting = acquireLock(locks, 'k', { clock, ttlMs: 1_000, waitMs: 10_000, pollMs: 200 });
    await clock.tickAsync(500);
    await held.release();
    await clock.tickAsync(200);
    const lock = await waiting;
    expect(lock.key).toBe('k');
    expect(clock.now() - start).toBe(700);
  });

  it('gives up after waitMs with LOCK_BUSY', async () => {
    const clock = new FakeClock();
    const locks = new MemoryLockProvider(clock);
    await locks.acquire('k', 60_000);
    const waiting = acquireLock(locks, 'k', { clock, ttlMs: 1_000, waitMs: 1_000, pollMs: 300 }).catch((e: unknown) => e);
    await clock.tickAsync(1_000);
    expect(await waiting).toMatchObject({ code: 'LOCK_BUSY', status: 409, retryable: true, details: { key: 'k', waited_ms: 1_000 } });
  });
});
