import { describe, expect, it } from 'vitest';
import {
  BusinessRuleError,
  ChimeraError,
  FilterError,
  isChimeraError,
  PostOnlyRejectedError,
  RateLimitError,
  RiskRejectedError,
  UnknownOutcomeError,
  ValidationError,
} from './errors.js';

describe('ChimeraError hierarchy', () => {
  it('carries code, status, retryable, details and cause', () => {
    const cause = new Error('socket hang up');
    const e = new UnknownOutcomeError('submit timed out', { cause, details: { clientOrderId: 'c1' } });
    expect(e).toBeInstanceOf(ChimeraError);
    expect(e).toMatchObject({ code: 'UNKNOWN_OUTCOME', status: 503, retryable: false, shortMessage: 'submit timed out' });
    expect(e.message).toBe('[UNKNOWN_OUTCOME] submit timed out');
    expect(e.cause).toBe(cause);
    expect(e.name).toBe('UnknownOutcomeError');
    expect(e.toJSON()).toEqual({ name: 'UnknownOutcomeError', code: 'UNKNOWN_OUTCOME', message: 'submit timed out', status: 503, retryable: false, details: { clientOrderId: 'c1' } });
  });

  it('uses 400 for format and 422 for business rules; neither retries', () => {
    const v = new ValidationError('bad', [{ path: 'qty', message: 'must be > 0' }]);
    expect([v.status, v.retryable, v.details.issues]).toEqual([400, false, [{ path: 'qty', message: 'must be > 0' }]]);
    const b = new BusinessRuleError('too much', { code: 'MAX_AMOUNT' });
    expect([b.status, b.retryable, b.code]).toEqual([422, false, 'MAX_AMOUNT']);
    expect(new FilterError('off grid', { code: 'PRICE_OFF_TICK' })).toMatchObject({ status: 422, retryable: false, code: 'PRICE_OFF_TICK' });
    expect(new RiskRejectedError('too big', 'max_position').details.rule).toBe('max_position');
    expect(new PostOnlyRejectedError()).toMatchObject({ code: 'POST_ONLY_REJECTED', retryable: false });
  });

  it('distinguishes rate limit from ban', () => {
    expect(new RateLimitError('slow down', 1000, false)).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 1000 });
    expect(new RateLimitError('banned', 60_000, true)).toMatchObject({ code: 'IP_BANNED', retryable: false, banned: true });
  });

  it('recognises errors by shape across module copies', () => {
    expect(isChimeraError(new ValidationError('x', []))).toBe(true);
    expect(isChimeraError({ code: 'X', retryable: false, status: 400 })).toBe(true);
    expect(isChimeraError(new Error('plain'))).toBe(false);
  });
});
