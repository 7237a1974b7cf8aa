/**
 * The waiting arithmetic of {@link ReconnectingSocket}, as pure functions of their inputs: the
 * reconnect backoff of SPEC §1.2, a seeded generator so tests can fix its jitter, and the sliding
 * window that paces messages and connection attempts under a venue's limits. No timers, no
 * globals: the socket applies these on its injected clock.
 *
 * @packageDocumentation
 */

/** Parameters of {@link backoffDelay}, all in milliseconds. */
export interface BackoffOptions {
  /** `base`: the wait before the first retry, before jitter (ms, ≥ 0). */
  baseMs: number;
  /** `maxWait`: the cap of the exponential part (ms, ≥ 0). Jitter is added on top. */
  maxMs: number;
  /** `jitter`: the width of the uniform random addition `U(0, jitter)` (ms, ≥ 0; 0 disables it). */
  jitterMs: number;
}

/** Defaults of the reconnect backoff: 500 ms base, 30 s cap, up to 1 s jitter. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ baseMs: 500, maxMs: 30_000, jitterMs: 1_000 });

/**
 * The wait before retry number `retryCount` (SPEC §1.2):
 * `min(maxWait, base · 2^retry_count) + U(0, jitter)`.
 *
 * Jitter spreads the reconnects of many clients (or many connections of one client) that lost
 * their sockets at the same moment, so they do not hit the venue's connection limit together.
 *
 * @param retryCount - consecutive failures so far (0 for the first retry after a drop); an integer ≥ 0.
 * @param options - base, cap and jitter in ms.
 * @param random - uniform floats in `[0, 1)` (default `Math.random`); inject {@link mulberry32} in tests.
 * @returns the wait in ms, from `min(maxMs, baseMs·2^retryCount)` up to `jitterMs` more (the
 *   upper end is excluded up to floating-point rounding).
 * @throws RangeError when `retryCount` is not a non-negative integer or an option is negative or not finite.
 */
export function backoffDelay(retryCount: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (!Number.isInteger(retryCount) || retryCount < 0) throw new RangeError(`retryCount must be a non-negative integer, got ${retryCount}`);
  checkNonNegative('baseMs', options.baseMs);
  checkNonNegative('maxMs', options.maxMs);
  checkNonNegative('jitterMs', options.jitterMs);
  // 2^1023 is the largest finite power of two; beyond it base·2^n would be Infinity (or NaN for base 0).
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(retryCount, 1023));
  return exponential + random() * options.jitterMs;
}

function checkNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number ≥ 0, got ${value}`);
}

/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the same sequence of
 * uniform floats in `[0, 1)`, so backoff jitter in tests is exact. Not for cryptography.
 *
 * @param seed - any integer; only its low 32 bits matter.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Counts events in a sliding window: at most `limit` events in any span of `windowMs`.
 *
 * Sliding rather than fixed windows because a venue's own counting window (aligned to the
 * second? to the connection's start?) is not documented for WebSocket limits; a sliding window
 * keeps every possible window of that length within the limit, whichever the venue uses.
 * Pure: time is passed in, nothing is scheduled.
 */
export class SlidingWindow {
  // Times of the events still inside the window, oldest first; `head` skips expired entries
  // without shifting the array on every event.
  private times: number[] = [];
  private head = 0;

  /**
   * @param limit - events allowed per window (integer ≥ 1).
   * @param windowMs - window length in ms (> 0).
   * @throws RangeError when `limit` is not an integer ≥ 1 or `windowMs` is not a positive finite number.
   */
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be an integer ≥ 1, got ${limit}`);
    if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`windowMs must be a finite number > 0, got ${windowMs}`);
  }

  /** Events counted in the window ending at `now` (epoch ms). */
  count(now: number): number {
    this.expire(now);
    return this.times.length - this.head;
  }

  /**
   * The earliest time (epoch ms, ≥ `now`) at which one more event fits: `now` when there is room,
   * else the moment the oldest counted event leaves the window.
   */
  nextAllowedAt(now: number): number {
    this.expire(now);
    if (this.times.length - this.head < this.limit) return now;
    // The window is full: room appears when the event `limit` places from the end expires.
    const oldest = this.times[this.times.length - this.limit] ?? now;
    return Math.max(now, oldest + this.windowMs);
  }

  /** Counts one event at `now` (epoch ms). Recording beyond the limit is allowed (and counted). */
  record(now: number): void {
    this.times.push(now);
  }

  private expire(now: number): void {
    while (this.head < this.times.length && (this.times[this.head] ?? now) <= now - this.windowMs) this.head++;
    // Compact once the dead prefix dominates, so memory stays proportional to the limit.
    if (this.head > 64 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
