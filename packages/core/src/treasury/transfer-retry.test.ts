import { describe, expect, it } from 'vitest';
import {
  AuthError,
  ClockSkewError,
  InsufficientFundsError,
  NetworkError,
  RateLimitError,
  UnknownOutcomeError,
  ValidationError,
  VenueError,
} from '../errors.js';
import { DEFAULT_TRANSFER_RETRY, transferFailureAction, transferRetryDelayMs } from './transfer-retry.js';

describe('transferFailureAction', () => {
  it.each([
    ['a 429', new RateLimitError('slow', 0, false), 'retry'],
    ['a retryable 503 refusal', new VenueError('busy', { status: 503, retryable: true }), 'retry'],
    ['a connection refused before sending', new NetworkError('refused'), 'retry'],
    ['a clock-skew rejection', new ClockSkewError('-1021'), 'retry'],
    ['a timeout', new UnknownOutcomeError('timed out'), 'settle'],
    ['a connection dropped after sending', new NetworkError('reset', { details: { sent: true } }), 'settle'],
    ['a foreign error', new Error('boom'), 'settle'],
    ['a ban (418)', new RateLimitError('banned', 60_000, true), 'fail'],
    ['insufficient funds', new InsufficientFundsError(), 'fail'],
    ['bad credentials', new AuthError('bad key'), 'fail'],
    ['a validation error', new ValidationError('bad', []), 'fail'],
  ])('%s → %s', (_what, err, action) => {
    expect(transferFailureAction(err)).toBe(action);
  });
});

describe('transferRetryDelayMs', () => {
  it('is the fixed delay plus a jitter of 0..jitterMs', () => {
    const p = { ...DEFAULT_TRANSFER_RETRY, delayMs: 5_000, jitterMs: 1_000 };
    expect(transferRetryDelayMs(p, new Error('x'), () => 0)).toBe(5_000);
    expect(transferRetryDelayMs(p, new Error('x'), () => 0.5)).toBe(5_500);
    expect(transferRetryDelayMs(p, new Error('x'), () => 0.999_999_9)).toBe(6_000);
  });

  it('waits at least a 429 Retry-After', () => {
    const p = { ...DEFAULT_TRANSFER_RETRY, jitterMs: 0 };
    expect(transferRetryDelayMs(p, new RateLimitError('slow', 9_000, false), () => 0)).toBe(9_000);
    expect(transferRetryDelayMs(p, new RateLimitError('slow', 1_000, false), () => 0)).toBe(5_000);
  });

  it('defaults to 3 tries, 5 s apart, 30 s timeout', () => {
    expect(DEFAULT_TRANSFER_RETRY).toEqual({ tries: 3, delayMs: 5_000, jitterMs: 1_000, timeoutMs: 30_000 });
  });
});
