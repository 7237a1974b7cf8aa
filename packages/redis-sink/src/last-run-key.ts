import { DEFAULT_STREAM_KEYS, ValidationError, type StreamKeys } from '@chimera/core';
import { toCommandTarget, type CommandTarget, type RedisConnection } from './command-target.js';

// Keeps the larger of the stored and the given time, so two hosts (or a late retry) reporting
// runs out of order never move the mark backwards.
const SET_MAX = `local cur = tonumber(redis.call('GET', KEYS[1]))
local new = tonumber(ARGV[1])
if cur == nil or new > cur then redis.call('SET', KEYS[1], ARGV[1]) return ARGV[1] end
return tostring(redis.call('GET', KEYS[1]))`;

/**
 * A "last run" timestamp in one Redis string key, epoch ms as decimal text — by default
 * `recon:{last_run_ts}` (SPEC §5), which reconciliation sets after each run and health reads.
 */
export class LastRunKey {
  private readonly target: CommandTarget;

  constructor(
    redis: RedisConnection,
    /** The key (default `recon:{last_run_ts}`). */
    readonly key: string = DEFAULT_STREAM_KEYS.reconLastRun(),
  ) {
    this.target = toCommandTarget(redis);
  }

  /**
   * The stored time in epoch ms, or `undefined` when never set (or not a number).
   * @throws the connection's error when Redis cannot be reached.
   */
  async get(): Promise<number | undefined> {
    const r = await this.target.send(this.key, ['GET', this.key]);
    if (r === null || r === undefined) return undefined;
    const n = Number(String(r));
    return Number.isFinite(n) ? n : undefined;
  }

  /**
   * Records a run at `epochMs` unless a later one is already stored (the mark only moves forward).
   * @returns the stored time afterwards.
   * @throws ValidationError when `epochMs` is not a non-negative integer; the connection's error
   * when Redis cannot be reached.
   */
  async set(epochMs: number): Promise<number> {
    if (!Number.isSafeInteger(epochMs) || epochMs < 0) {
      throw new ValidationError('last-run time must be epoch milliseconds', [{ path: 'epochMs', message: `got ${String(epochMs)}` }]);
    }
    const r = await this.target.send(this.key, ['EVAL', SET_MAX, '1', this.key, String(epochMs)]);
    return Number(String(r));
  }
}

/** The reconciliation last-run key, `recon:{last_run_ts}` (key from `keys`, default scheme). */
export function reconLastRunKey(redis: RedisConnection, keys: StreamKeys = DEFAULT_STREAM_KEYS): LastRunKey {
  return new LastRunKey(redis, keys.reconLastRun());
}
