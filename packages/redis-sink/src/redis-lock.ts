import { randomUUID } from 'node:crypto';
import { DEFAULT_STREAM_KEYS, SystemClock, ValidationError, noopLogger, type Clock, type Logger, type Market, type StreamKeys } from '@chimera/core';
import { describeError, toCommandTarget, type CommandTarget, type RedisConnection } from './command-target.js';
import { LockBusyError, LockLostError } from './errors.js';

// Compare-and-delete / compare-and-expire: only the holder's token may release or extend, so a
// holder whose TTL ran out can never remove the lock someone else took meanwhile.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/** Options of {@link RedisLock}. */
export interface RedisLockOptions {
  /** Lease time in ms (default 30 000): the lock frees itself this long after the last extend. */
  ttlMs?: number;
  /** Wait between attempts in `acquire`, in ms (default 100). */
  retryDelayMs?: number;
  /** Clock for waits and renewals (default `SystemClock`). */
  clock?: Clock;
  /** Logger (default silent). */
  logger?: Logger;
}

/** How long `acquire` may wait and how long the lease lasts. */
export interface AcquireOptions {
  /** Keep trying this long, in ms (default 0: one attempt). */
  waitMs?: number;
  /** Lease time for this acquisition, in ms (default: the lock's `ttlMs`). */
  ttlMs?: number;
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new ValidationError('lock ttl must be a positive integer of ms', [{ path: 'ttlMs', message: `got ${String(ttlMs)}` }]);
  }
}

/**
 * A held lock: its key, its random token, and the operations only the holder may do. `signal`
 * aborts (with a {@link LockLostError}) once the lease is known to be lost — an `extend` found
 * another token or none, or `release` ran.
 */
export class LockLease {
  private readonly controller = new AbortController();

  /** @internal Created by {@link RedisLock}. */
  constructor(
    private readonly target: CommandTarget,
    /** The lock's key. */
    readonly key: string,
    /** This holder's token (the key's value while held). */
    readonly token: string,
    private readonly ttlMs: number,
  ) {}

  /** Aborted once the lease is lost or released. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether the lease is still believed held (not released, no failed extend). */
  get held(): boolean {
    return !this.controller.signal.aborted;
  }

  /**
   * Resets the lease time to `ttlMs` if the lock is still ours.
   * @returns false (and aborts `signal`) when the lock had expired or belongs to someone else.
   * @throws the connection's error when Redis cannot be reached (the lease may still be held).
   */
  async extend(ttlMs = this.ttlMs): Promise<boolean> {
    checkTtl(ttlMs);
    const r = await this.target.send(this.key, ['EVAL', EXTEND, '1', this.key, this.token, String(ttlMs)]);
    const ok = Number(r) === 1;
    if (!ok) this.lose(`lock ${this.key} was lost before it could be extended`);
    return ok;
  }

  /**
   * Deletes the lock if it is still ours.
   * @returns false when it had already expired or been taken over (nothing was deleted).
   */
  async release(): Promise<boolean> {
    const r = await this.target.send(this.key, ['EVAL', RELEASE, '1', this.key, this.token]);
    this.lose(`lock ${this.key} was released`);
    return Number(r) === 1;
  }

  private lose(message: string): void {
    if (!this.controller.signal.aborted) this.controller.abort(new LockLostError(message, { details: { key: this.key } }));
  }
}

/**
 * A lease lock on one key: `SET key <random token> NX PX ttl` to take it; release and extend by
 * Lua compare-and-act on the token, so only the holder can do either (SPEC §6 uses it as
 * `lock:treasury:<from>:<to>`).
 *
 * It is an *advisory, single-instance* lock: on a failover the replica may not have the key yet,
 * and a paused holder may outlive its TTL. It keeps honest processes from working on the same
 * thing at once; correctness still rests on idempotency (the `transfer_id`), never on the lock.
 * On a Cluster the key routes to one master like any other key.
 */
export class RedisLock {
  private readonly target: CommandTarget;
  private readonly ttlMs: number;
  private readonly retryDelayMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;

  /** @throws ValidationError when `ttlMs` or `retryDelayMs` is not a positive integer. */
  constructor(
    redis: RedisConnection,
    /** The lock's key. */
    readonly key: string,
    options: RedisLockOptions = {},
  ) {
    this.target = toCommandTarget(redis);
    this.ttlMs = options.ttlMs ?? 30_000;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    checkTtl(this.ttlMs);
    checkTtl(this.retryDelayMs);
    this.clock = options.clock ?? new SystemClock();
    this.logger = (options.logger ?? noopLogger).child({ component: 'redis-lock', key });
  }

  /**
   * One attempt to take the lock.
   * @returns the lease, or `undefined` when someone else holds it.
   * @throws the connection's error when Redis cannot be reached.
   */
  async tryAcquire(ttlMs = this.ttlMs): Promise<LockLease | undefined> {
    checkTtl(ttlMs);
    const token = randomUUID();
    const r = await this.target.send(this.key, ['SET', this.key, token, 'NX', 'PX', String(ttlMs)]);
    return r === 'OK' ? new LockLease(this.target, this.key, token, ttlMs) : undefined;
  }

  /**
   * Takes the lock, retrying every `retryDelayMs` for up to `waitMs`.
   * @throws LockBusyError when it is still held by someone else after `waitMs`.
   */
  async acquire(options: AcquireOptions = {}): Promise<LockLease> {
    const waitMs = options.waitMs ?? 0;
    const deadline = this.clock.now() + waitMs;
    for (;;) {
      const lease = await this.tryAcquire(options.ttlMs);
      if (lease) return lease;
      const left = deadline - this.clock.now();
      if (left <= 0) throw new LockBusyError(`lock ${this.key} is held by another owner`, { details: { key: this.key, waited_ms: waitMs } });
      await this.clock.sleep(Math.min(this.retryDelayMs, left));
    }
  }

  /**
   * Runs `fn` under the lock: acquires (see {@link RedisLock.acquire}), extends the lease every
   * third of its TTL while `fn` runs, and releases it afterwards, whatever `fn` did. If an extend
   * finds the lock lost, `lease.signal` aborts so `fn` can stop; `fn`'s result is returned either way.
   * @throws LockBusyError when the lock cannot be taken in time; whatever `fn` throws.
   */
  async withLock<T>(fn: (lease: LockLease) => Promise<T>, options: AcquireOptions = {}): Promise<T> {
    const ttlMs = options.ttlMs ?? this.ttlMs;
    const lease = await this.acquire({ ...options, ttlMs });
    const renew = this.clock.setInterval(() => {
      if (!lease.held) return;
      lease.extend(ttlMs).catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'lock extend failed; will retry'));
    }, Math.max(1, Math.floor(ttlMs / 3)));
    try {
      return await fn(lease);
    } finally {
      this.clock.clearInterval(renew);
      if (lease.held) {
        await lease.release().catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'lock release failed; it expires by itself'));
      }
    }
  }

  /** The current holder's token, or `undefined` when free (for diagnostics). */
  async holder(): Promise<string | undefined> {
    const r = await this.target.send(this.key, ['GET', this.key]);
    return r === null || r === undefined ? undefined : String(r);
  }
}

/**
 * The treasury lock of SPEC §6 for one direction, `lock:treasury:<from>:<to>` (key from `keys`,
 * default scheme).
 */
export function treasuryLock(
  redis: RedisConnection,
  from: Market,
  to: Market,
  options: RedisLockOptions & { keys?: StreamKeys } = {},
): RedisLock {
  return new RedisLock(redis, (options.keys ?? DEFAULT_STREAM_KEYS).treasuryLock(from, to), options);
}
