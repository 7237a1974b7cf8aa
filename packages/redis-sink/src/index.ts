/**
 * `@chimera/redis-sink` — Redis for Chimera (SPEC §7): {@link RedisStreamSink}, an `EventSink` on
 * Redis Streams for single nodes and Clusters that never blocks trading; {@link RedisLock} for
 * `lock:treasury:<from>:<to>`; {@link LastRunKey} for `recon:{last_run_ts}`; and
 * {@link StreamConsumer}, a consumer-group reader for downstream services (at-least-once).
 *
 * @packageDocumentation
 */

/** Name of this sink, as it reports itself in health checks. */
export const REDIS_SINK = 'redis';

export * from './command-target.js';
export * from './redis-connection.js';
export * from './entry-codec.js';
export * from './errors.js';
export * from './bounded-event-queue.js';
export * from './latency-histogram.js';
export * from './sink-options.js';
export * from './redis-stream-sink.js';
export * from './prefixed-stream-keys.js';
export * from './redis-lock.js';
export * from './redis-lock-provider.js';
export * from './last-run-key.js';
export * from './stream-consumer.js';
