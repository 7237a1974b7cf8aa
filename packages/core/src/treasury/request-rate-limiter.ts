/**
 * The treasury's own request limit (SPEC §6: 10 transfer requests a minute): a sliding window on
 * the injected clock that refuses — it never queues, because a transfer request is an API call
 * whose caller should hear "too many" at once rather than wait.
 *
 * @packageDocumentation
 */
import type { Clock } from '../clock/clock.js';
import { ChimeraError, type ChimeraErrorOptions } from '../errors.js';

/** How many requests a window admits. */
export interface RequestRateLimit {
  /** Requests admitted per window (default 10). */
  limit: number;
  /** Window length in ms (default 60 000). */
  windowMs: number;
}

/** The SPEC §6 default: 10 requests per minute. */
export const DEFAULT_TRANSFER_RATE_LIMIT: Readonly<RequestRateLimit> = Object.freeze({ limit: 10, windowMs: 60_000 });

/**
 * Too many transfer requests in the window. Code `RATE_LIMITED`, status 429 (the HTTP answer a host
 * gives), retryable after `retryAfterMs`; `details.local` is true because the request was refused
 * here and never reached the venue.
 */
export class TransferRateLimitError extends ChimeraError {
  /** Milliseconds until a request would be admitted again. */
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: Omit<ChimeraErrorOptions, 'code' | 'status' | 'retryable'> = {}) {
    super(message, {
      ...options,
      code: 'RATE_LIMITED',
      status: 429,
      retryable: true,
      details: { ...options.details, retryAfterMs, local: true },
    });
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A sliding-window counter: a request is admitted when fewer than `limit` were admitted in the
 * last `windowMs` (exclusive at the old end, so a request exactly `windowMs` later is admitted).
 */
export class SlidingWindowLimiter {
  private readonly admitted: number[] = [];

  /** @throws RangeError on a non-positive limit or window. */
  constructor(
    private readonly clock: Clock,
    private readonly rule: RequestRateLimit = DEFAULT_TRANSFER_RATE_LIMIT,
  ) {
    if (!(rule.limit >= 1) || !(rule.windowMs > 0)) throw new RangeError('rate limit needs limit ≥ 1 and windowMs > 0');
  }

  /**
   * Admits and counts one request, or says how long to wait.
   * @returns `{ ok: true }`, or `{ ok: false, retryAfterMs }` (nothing counted).
   */
  tryTake(): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.clock.now();
    while (this.admitted.length > 0 && this.admitted[0]! <= now - this.rule.windowMs) this.admitted.shift();
    if (this.admitted.length < this.rule.limit) {
      this.admitted.push(now);
      return { ok: true };
    }
    return { ok: false, retryAfterMs: this.admitted[0]! + this.rule.windowMs - now };
  }

  /** Requests counted in the current window. */
  get used(): number {
    const now = this.clock.now();
    return this.admitted.filter((t) => t > now - this.rule.windowMs).length;
  }
}
