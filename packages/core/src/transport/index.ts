/**
 * Venue-neutral transports: the REST client (undici pool, rate limiter corrected by the venue's
 * usage headers, 429/418 handling, safe retries), outcome classes and settlement of unknown
 * outcomes, and server-clock sync.
 *
 * @packageDocumentation
 */
export * from './rate-limit-rule.js';
export * from './window-rate-limiter.js';
export * from './http-headers.js';
export * from './transport-alert.js';
export * from './error-mapper.js';
export * from './outcome.js';
export * from './rest-client.js';
export * from './clock-sync.js';
export * from './backoff.js';
export * from './socket-types.js';
export * from './reconnecting-socket.js';
