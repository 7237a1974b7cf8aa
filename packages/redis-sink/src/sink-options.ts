import { ValidationError, type Clock, type FieldIssue, type Logger, type StreamFamily, type StreamKeys } from '@chimera/core';
import type { RedisConnection } from './command-target.js';

/**
 * Default `XADD … MAXLEN ~ n` per stream family (entries kept per stream, approximately: `~` lets
 * Redis trim whole macro-nodes, so a stream may hold a few dozen more).
 *
 * Market streams exist per symbol and per kind (spot, perp, funding, tick, depth), so their cap
 * multiplies: 50 symbols × 5 kinds × 10 000 entries × ~200 B ≈ 500 MB. They are live feeds, so
 * 10 000 (minutes to hours of history) is the default; raise it per family when consumers replay.
 * The audit families are low-rate and kept long.
 */
export const DEFAULT_MAX_LEN: Readonly<Record<StreamFamily, number>> = Object.freeze({
  market: 10_000,
  metrics: 10_000,
  signals: 100_000,
  execution: 1_000_000,
  risk: 1_000_000,
  reconcile: 1_000_000,
  alerts: 1_000_000,
  ops: 1_000_000,
});

/**
 * Families the drop policy may sacrifice first when the queue is full: their newest value
 * supersedes the old one (a tick, an RTT sample, a signal that is stale once delayed).
 */
export const DEFAULT_LOSSY_FAMILIES: readonly StreamFamily[] = Object.freeze(['market', 'metrics', 'signals'] as StreamFamily[]);

/** Options of {@link RedisStreamSink}. */
export interface RedisStreamSinkOptions {
  /**
   * A node-redis 5 client or cluster (best made with `createRedisConnection` /
   * `createRedisClusterConnection`, which disable node-redis's unbounded offline queue), or a
   * {@link CommandTarget}. Connected by the sink if it is not open yet.
   */
  redis: RedisConnection;
  /** Key scheme, for each stream's family (default: core's `DEFAULT_STREAM_KEYS`). */
  keys?: StreamKeys;
  /** `MAXLEN ~` per family; missing families use {@link DEFAULT_MAX_LEN}. */
  maxLen?: Partial<Record<StreamFamily, number>>;
  /** Families evicted first when the queue is full (default {@link DEFAULT_LOSSY_FAMILIES}). */
  lossyFamilies?: readonly StreamFamily[];
  /** Most events buffered (queued or being retried) before the drop policy applies (default 100 000). */
  maxQueued?: number;
  /** Most events per pipelined write (default 512). */
  batchSize?: number;
  /** Pipelined writes awaiting replies at once (default 8): keeps the server busy while the publisher runs. */
  maxInFlightBatches?: number;
  /**
   * Send several events of one stream as one `EVAL` of `XADD_BATCH_SCRIPT` (default true);
   * false sends one plain `XADD` per event, for servers whose ACL forbids scripts.
   */
  scriptBatching?: boolean;
  /** First wait after a failed write, in ms (default 50); doubles per failure. */
  retryBaseMs?: number;
  /** Longest wait between write attempts while Redis is away, in ms (default 1 000). */
  retryMaxMs?: number;
  /** Least time between two drop alerts, in ms (default 10 000); drops in between are summed. */
  alertIntervalMs?: number;
  /** A write unanswered this long raises a `REDIS_SINK_STALLED` alert, in ms (default 5 000). */
  stallAlertMs?: number;
  /** How long `close()` waits for the queue to drain before dropping the rest, in ms (default 5 000). */
  closeTimeoutMs?: number;
  /** Also append the sink's own alerts to the `alerts` stream (written once Redis is back; default true). */
  publishAlerts?: boolean;
  /** Close the connection in `close()` (default true). Set false when the connection is shared. */
  ownsConnection?: boolean;
  /** Injected clock for timers and alert timestamps (default `SystemClock`). */
  clock?: Clock;
  /** Logger (default silent). */
  logger?: Logger;
}

/** Options with every default filled in. */
export interface ResolvedSinkOptions {
  maxLen: Record<StreamFamily, number>;
  lossyFamilies: ReadonlySet<StreamFamily>;
  maxQueued: number;
  batchSize: number;
  maxInFlightBatches: number;
  scriptBatching: boolean;
  retryBaseMs: number;
  retryMaxMs: number;
  alertIntervalMs: number;
  stallAlertMs: number;
  closeTimeoutMs: number;
  publishAlerts: boolean;
  ownsConnection: boolean;
}

function positiveInt(issues: FieldIssue[], path: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) issues.push({ path, message: `must be a positive integer, got ${String(value)}` });
  return value;
}

/**
 * Fills defaults and checks every number.
 * @throws ValidationError listing each bad field (non-positive or non-integer values).
 */
export function resolveSinkOptions(o: RedisStreamSinkOptions): ResolvedSinkOptions {
  const issues: FieldIssue[] = [];
  const maxLen = { ...DEFAULT_MAX_LEN };
  for (const [family, n] of Object.entries(o.maxLen ?? {}) as [StreamFamily, number | undefined][]) {
    if (!(family in DEFAULT_MAX_LEN)) issues.push({ path: `maxLen.${family}`, message: 'unknown stream family' });
    else maxLen[family] = positiveInt(issues, `maxLen.${family}`, n, DEFAULT_MAX_LEN[family]);
  }
  const resolved: ResolvedSinkOptions = {
    maxLen,
    lossyFamilies: new Set(o.lossyFamilies ?? DEFAULT_LOSSY_FAMILIES),
    maxQueued: positiveInt(issues, 'maxQueued', o.maxQueued, 100_000),
    batchSize: positiveInt(issues, 'batchSize', o.batchSize, 512),
    maxInFlightBatches: positiveInt(issues, 'maxInFlightBatches', o.maxInFlightBatches, 8),
    scriptBatching: o.scriptBatching ?? true,
    retryBaseMs: positiveInt(issues, 'retryBaseMs', o.retryBaseMs, 50),
    retryMaxMs: positiveInt(issues, 'retryMaxMs', o.retryMaxMs, 1_000),
    alertIntervalMs: positiveInt(issues, 'alertIntervalMs', o.alertIntervalMs, 10_000),
    stallAlertMs: positiveInt(issues, 'stallAlertMs', o.stallAlertMs, 5_000),
    closeTimeoutMs: positiveInt(issues, 'closeTimeoutMs', o.closeTimeoutMs, 5_000),
    publishAlerts: o.publishAlerts ?? true,
    ownsConnection: o.ownsConnection ?? true,
  };
  if (issues.length > 0) throw new ValidationError('invalid RedisStreamSink options', issues, { code: 'INVALID_SINK_OPTIONS' });
  return resolved;
}
