import type { z } from 'zod';
import type { Clock } from '../clock/clock.js';
import { parseWith } from '../domain/parse.js';
import { RetryBudgetConfig } from './risk-config.js';

/** Input form of {@link RetryBudgetConfig}. */
export type RetryBudgetConfigInput = z.input<typeof RetryBudgetConfig>;

// Refill is float arithmetic; this tolerance keeps 0.9999999 from refusing a token that is due.
const EPSILON = 1e-9;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A retry budget: one token bucket per key on the injected {@link Clock}. Each retry takes a token;
 * tokens come back at `perMinute` per minute up to `burst`. A storm of retries therefore drains the
 * bucket and further retries are refused until it refills, instead of hammering a failing venue.
 * Refill is computed lazily from elapsed clock time; no timer runs.
 */
export class RetryBudget {
  /** The parsed settings in force. */
  readonly config: RetryBudgetConfig;
  private readonly clock: Clock;
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly buckets = new Map<string, Bucket>();

  /**
   * @param options.clock - the time source.
   * @param options.config - `perMinute` (default 30) and `burst` (default `perMinute`).
   * @throws ValidationError when the settings are invalid.
   */
  constructor(options: { clock: Clock; config?: RetryBudgetConfigInput }) {
    this.clock = options.clock;
    this.config = parseWith(RetryBudgetConfig, options.config ?? {}, 'retry budget config');
    this.capacity = this.config.burst ?? Math.max(1, Math.floor(this.config.perMinute));
    this.perMs = this.config.perMinute / 60_000;
  }

  /** Tokens available for `key` now (fractional while refilling). A new key starts full. */
  available(key = 'default'): number {
    return this.bucket(key).tokens;
  }

  /**
   * Takes `tokens` from `key`'s bucket if it holds that many.
   * @returns true when the retry may proceed.
   */
  tryConsume(key = 'default', tokens = 1): boolean {
    const b = this.bucket(key);
    if (b.tokens + EPSILON < tokens) return false;
    b.tokens = Math.max(0, b.tokens - tokens);
    return true;
  }

  /** Milliseconds until `key` holds `tokens` tokens (0 when it already does). */
  msUntilAvailable(key = 'default', tokens = 1): number {
    const missing = tokens - this.bucket(key).tokens;
    return missing <= EPSILON ? 0 : Math.ceil(missing / this.perMs);
  }

  /** Refills `key` to full (e.g. after the venue recovered). */
  reset(key = 'default'): void {
    this.buckets.delete(key);
  }

  private bucket(key: string): Bucket {
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.capacity, at: now };
      this.buckets.set(key, b);
      return b;
    }
    if (now > b.at) {
      b.tokens = Math.min(this.capacity, b.tokens + (now - b.at) * this.perMs);
      b.at = now;
    }
    return b;
  }
}
