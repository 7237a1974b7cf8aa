import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { SlidingWindowLimiter, TransferRateLimitError } from './request-rate-limiter.js';

describe('SlidingWindowLimiter', () => {
  it('admits `limit` requests per sliding window and says when the next fits', () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(clock, { limit: 3, windowMs: 60_000 });
    expect(limiter.tryTake()).toEqual({ ok: true });
    clock.advance(10_000);
    expect(limiter.tryTake()).toEqual({ ok: true });
    expect(limiter.tryTake()).toEqual({ ok: true });
    expect(limiter.used).toBe(3);
    clock.advance(5_000);
    expect(limiter.tryTake()).toEqual({ ok: false, retryAfterMs: 45_000 });
    clock.advance(45_000);
    // The first request left the window exactly now.
    expect(limiter.tryTake()).toEqual({ ok: true });
    expect(limiter.tryTake()).toEqual({ ok: false, retryAfterMs: 10_000 });
  });

  it('rejects a non-positive rule', () => {
    expect(() => new SlidingWindowLimiter(new FakeClock(), { limit: 0, windowMs: 1 })).toThrow(RangeError);
    expect(() => new SlidingWindowLimiter(new FakeClock(), { limit: 1, windowMs: 0 })).toThrow(RangeError);
  });
});

describe('TransferRateLimitError', () => {
  it('is a local, retryable 429 RATE_LIMITED', () => {
    const err = new TransferRateLimitError('slow down', 1_500);
    expect(err.toJSON()).toEqual({
      name: 'TransferRateLimitError',
      code: 'RATE_LIMITED',
      message: 'slow down',
      status: 429,
      retryable: true,
      details: { retryAfterMs: 1_500, local: true },
    });
  });
});
