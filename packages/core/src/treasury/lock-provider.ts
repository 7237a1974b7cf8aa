/**
 * Lease locks for work that must not run twice at once across processes — the treasury's
 * `lock:treasury:<from>:<to>` (SPEC §6). The contract is deliberately minimal so a Redis lock
 * (`SET key token NX PX ttl`, Lua compare-and-delete / compare-and-expire on the token) implements
 * it with a one-line adapter, e.g. with `@chimera/redis-sink`:
 *
 * ```ts
 * const locks: LockProvider = { acquire: (key, ttlMs) => new RedisLock(redis, key).tryAcquire(ttlMs) };
 * ```
 *
 * A lock is advisory: it keeps honest processes from working on the same thing at once, while
 * correctness still rests on idempotency keys (a holder paused past its TTL can lose the lock).
 *
 * @packageDocumentation
 */
import type { Clock } from '../clock/clock.js';
import { StateError } from '../errors.js';

/** A held lease on one key. Only the holder (by `token`) can release or extend it. */
export interface Lock {
  /** The locked key, e.g. `lock:treasury:SPOT:FUT`. */
  readonly key: string;
  /** This holder's unique token (the key's value while held). */
  readonly token: string;
  /**
   * Frees the key if it is still ours.
   * @returns false when the lease had already expired or been taken over (nothing was freed).
   */
  release(): Promise<boolean>;
  /**
   * Resets the lease to `ttlMs` from now if it is still ours.
   * @returns false when the lease had expired or belongs to someone else.
   */
  extend(ttlMs: number): Promise<boolean>;
}

/** Takes lease locks. Implementations: {@link MemoryLockProvider}; a Redis adapter in production. */
export interface LockProvider {
  /**
   * One attempt to take `key` for `ttlMs` milliseconds.
   * @returns the lock, or `undefined` when someone else holds it.
   * @throws the backend's error when it cannot be reached.
   */
  acquire(key: string, ttlMs: number): Promise<Lock | undefined>;
}

interface Lease {
  token: string;
  expiresAt: number;
}

/**
 * An in-process {@link LockProvider} whose leases expire on the injected clock. Sharing one
 * instance between several components (e.g. two `Treasury` instances in a test) models processes
 * sharing one Redis.
 */
export class MemoryLockProvider implements LockProvider {
  private readonly leases = new Map<string, Lease>();
  private seq = 0;

  /** @param clock - time source for lease expiry. */
  constructor(private readonly clock: Clock) {}

  async acquire(key: string, ttlMs: number): Promise<Lock | undefined> {
    checkTtl(ttlMs);
    if (this.live(key)) return undefined;
    const token = `memlock-${++this.seq}`;
    this.leases.set(key, { token, expiresAt: this.clock.now() + ttlMs });
    return {
      key,
      token,
      release: async () => {
        const held = this.live(key)?.token === token;
        if (held) this.leases.delete(key);
        return held;
      },
      extend: async (ms: number) => {
        checkTtl(ms);
        const lease = this.live(key);
        if (lease?.token !== token) return false;
        lease.expiresAt = this.clock.now() + ms;
        return true;
      },
    };
  }

  /** The token of the live lease on `key`, if any (for tests and diagnostics). */
  holder(key: string): string | undefined {
    return this.live(key)?.token;
  }

  private live(key: string): Lease | undefined {
    const lease = this.leases.get(key);
    if (lease && lease.expiresAt <= this.clock.now()) {
      // Expired like a Redis PX key: gone for everyone, including its former holder.
      this.leases.delete(key);
      return undefined;
    }
    return lease;
  }
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`lock ttl must be a positive number of ms, got ${ttlMs}`);
}

/** Options of {@link acquireLock}. */
export interface AcquireLockOptions {
  /** Time source for the waits. */
  clock: Clock;
  /** Lease time in ms. */
  ttlMs: number;
  /** Keep trying this long, in ms (0: one attempt). */
  waitMs: number;
  /** Wait between attempts, in ms (default 250). */
  pollMs?: number;
}

/**
 * Takes `key`, polling every `pollMs` on the clock for up to `waitMs`.
 * @throws StateError code `LOCK_BUSY` (409, retryable) when someone else still holds it after
 *   `waitMs`; the provider's error when its backend cannot be reached.
 */
export async function acquireLock(provider: LockProvider, key: string, options: AcquireLockOptions): Promise<Lock> {
  const pollMs = Math.max(1, options.pollMs ?? 250);
  const deadline = options.clock.now() + Math.max(0, options.waitMs);
  for (;;) {
    const lock = await provider.acquire(key, options.ttlMs);
    if (lock) return lock;
    const left = deadline - options.clock.now();
    if (left <= 0) {
      throw new StateError(`lock ${key} is held by another owner`, {
        code: 'LOCK_BUSY',
        retryable: true,
        details: { key, waited_ms: options.waitMs },
      });
    }
    await options.clock.sleep(Math.min(pollMs, left));
  }
}
