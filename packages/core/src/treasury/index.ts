/**
 * Treasury transfers between the SPOT and FUT wallets (SPEC §6): the idempotent `Treasury`, its
 * lease locks, request limit and retry rules, and the approved automatic top-up.
 *
 * @packageDocumentation
 */
export * from './lock-provider.js';
export * from './request-rate-limiter.js';
export * from './transfer-retry.js';
export * from './match-venue-transfer.js';
export * from './treasury-events.js';
export * from './treasury.js';
export * from './top-up.js';
export * from './auto-top-up.js';
