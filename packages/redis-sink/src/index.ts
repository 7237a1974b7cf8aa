/**
 * `@chimera/redis-sink` — Redis Streams event sink. Not built yet: see the package README.
 *
 * @packageDocumentation
 */

/** Name of this sink, as it reports itself in health checks. */
export const REDIS_SINK = 'redis';
