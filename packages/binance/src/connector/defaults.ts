/**
 * Defaults of the Binance connector: production base URLs (BINANCE.md §1) and the documented
 * rate limits (§3) the client-side limiter starts from.
 *
 * @packageDocumentation
 */
import type { RateLimitRule } from '@chimera/core';

/** Production REST base URLs: Spot (also the wallet's `/sapi`) and USDⓈ-M futures. */
export const BINANCE_BASE_URLS: Readonly<{ spot: string; um: string }> = Object.freeze({
  spot: 'https://api.binance.com',
  um: 'https://fapi.binance.com',
});

/**
 * Spot limits from the documented `exchangeInfo` example: REQUEST_WEIGHT 6000 per minute, ORDERS
 * 50 per 10 s and 160 000 per day. The used-weight headers correct the limiter on every answer,
 * so a stricter live limit is still honoured once the venue reports it.
 */
export const SPOT_RATE_LIMITS: readonly RateLimitRule[] = Object.freeze([
  { kind: 'weight', interval: '1m', limit: 6000 },
  { kind: 'orders', interval: '10s', limit: 50 },
  { kind: 'orders', interval: '1d', limit: 160_000 },
]);

/** USDⓈ-M limits from the documented `exchangeInfo` example: REQUEST_WEIGHT 2400 and ORDERS 1200 per minute. */
export const UM_RATE_LIMITS: readonly RateLimitRule[] = Object.freeze([
  { kind: 'weight', interval: '1m', limit: 2400 },
  { kind: 'orders', interval: '1m', limit: 1200 },
]);

/** How long cached instruments stay fresh: SPEC §1.2 refreshes them daily. */
export const INSTRUMENTS_TTL_MS = 24 * 3_600_000;
