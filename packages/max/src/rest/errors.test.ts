import {
  AuthError,
  ClockSkewError,
  FilterError,
  InsufficientFundsError,
  OrderNotFoundError,
  PostOnlyRejectedError,
  RateLimitError,
  UnknownOutcomeError,
  VenueError,
} from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { restFixture } from '../../test/fixtures/load.js';
import { createMaxErrorMapper, DEFAULT_BAN_WAIT_MS, mapMaxError, parseMaxErrorBody, retryAfterMs } from './errors.js';

const env = (code: number, message = 'msg'): unknown => ({ success: false, error: { code, message } });
const map = (code: number, opts: { status?: number; isWrite?: boolean; path?: string; message?: string } = {}) =>
  mapMaxError({ status: opts.status ?? 400, body: env(code, opts.message), isWrite: opts.isWrite ?? true, path: opts.path });

describe('parseMaxErrorBody', () => {
  it('reads the envelope, the flat ccxt shape, JSON text and HTML pages', () => {
    expect(parseMaxErrorBody(env(2004, 'Order not found'))).toEqual({ code: 2004, message: 'Order not found' });
    expect(parseMaxErrorBody({ code: '2018', message: 'cannot lock funds' })).toEqual({ code: 2018, message: 'cannot lock funds' });
    expect(parseMaxErrorBody('{"error":{"code":2005,"message":"bad signature"}}')).toEqual({ code: 2005, message: 'bad signature' });
    expect(parseMaxErrorBody('<html><body><h1>502 Bad Gateway</h1></body></html>')).toEqual({ code: undefined, message: '502 Bad Gateway' });
    expect(parseMaxErrorBody(undefined)).toEqual({ code: undefined, message: '' });
  });

  it('redacts inline secrets echoed in a message', () => {
    expect(parseMaxErrorBody(env(1001, 'bad param signature=abcdef')).message).toBe('bad param signature=[REDACTED]');
  });
});

describe('mapMaxError (fixtures)', () => {
  it('2004 → OrderNotFoundError with venue details', () => {
    const fx = restFixture('error-order-not-found');
    const err = mapMaxError({ status: fx.status, body: fx.response, isWrite: false, path: fx.path });
    expect(err).toBeInstanceOf(OrderNotFoundError);
    expect(err.toJSON()).toEqual({
      name: 'OrderNotFoundError',
      code: 'ORDER_NOT_FOUND',
      message: 'max 2004: Order not found',
      status: 404,
      retryable: false,
      details: { venueCode: 2004, venueMessage: 'Order not found', httpStatus: 404 },
    });
  });

  it('2018 → InsufficientFundsError; 2007 → ClockSkewError', () => {
    const funds = restFixture('error-insufficient-funds');
    expect(mapMaxError({ status: funds.status, body: funds.response, isWrite: true })).toBeInstanceOf(InsufficientFundsError);
    const nonce = restFixture('error-nonce');
    const err = mapMaxError({ status: nonce.status, body: nonce.response, isWrite: false });
    expect(err).toBeInstanceOf(ClockSkewError);
    expect([err.code, err.retryable, err.details.reason]).toEqual(['CLOCK_SKEW', true, 'NONCE_OUT_OF_WINDOW']);
  });
});

describe('mapMaxError table', () => {
  it('nonce and auth codes', () => {
    expect(map(2006).details.reason).toBe('NONCE_USED');
    expect(map(2006)).toBeInstanceOf(ClockSkewError);
    for (const code of [2001, 2005, 2008, 2009, 2010, 2011, 2014, 2015, 2017, 5004]) {
      expect(map(code)).toBeInstanceOf(AuthError);
    }
    expect(mapMaxError({ status: 401, body: undefined, isWrite: false })).toBeInstanceOf(AuthError);
  });

  it('order and funds codes', () => {
    expect(map(2004)).toBeInstanceOf(OrderNotFoundError);
    expect(map(4000, { path: '/api/v3/order' })).toBeInstanceOf(OrderNotFoundError);
    expect(map(4000, { path: '/api/v3/order/trades' })).toBeInstanceOf(OrderNotFoundError);
    expect(map(4000, { path: '/api/v3/wallet/spot/accounts' }).code).toBe('NOT_FOUND');
    expect(map(2025)).toBeInstanceOf(InsufficientFundsError);
  });

  it('duplicate client_oid → DUPLICATE_ORDER, by code 2036 or by message', () => {
    const err = map(2036);
    expect(err).toBeInstanceOf(VenueError);
    expect([err.code, err.status, err.retryable, err.details.settleBy]).toEqual(['DUPLICATE_ORDER', 409, false, 'GET /api/v3/order?client_oid=']);
    expect(map(2002, { message: 'client_oid has already been taken' }).code).toBe('DUPLICATE_ORDER');
    expect(map(1001, { message: 'Client oid already exists' }).code).toBe('DUPLICATE_ORDER');
  });

  it('post-only would take → PostOnlyRejectedError when MAX says so', () => {
    expect(map(2002, { message: 'post_only order would be executed immediately' })).toBeInstanceOf(PostOnlyRejectedError);
    expect(map(2002, { message: 'create order error' }).code).toBe('ORDER_REJECTED');
  });

  it('filters and other business codes', () => {
    const small = map(2016);
    expect(small).toBeInstanceOf(FilterError);
    expect([small.code, small.status, small.details.filter]).toEqual(['VENUE_FILTER_FAILED', 422, 'MIN_AMOUNT']);
    expect(map(2020).details.filter).toBe('VOLUME_RANGE');
    expect(map(2021).details.filter).toBe('VOLUME_RANGE');
    const codes = [2019, 2024, 2034, 2003, 2022, 5011, 2023, 1001, 4001, 2066].map((c) => {
      const e = map(c);
      return [c, e.code, e.status, e.retryable];
    });
    expect(codes).toEqual([
      [2019, 'INSUFFICIENT_MARKET_DEPTH', 422, false],
      [2024, 'PRICE_CHANGED', 422, false],
      [2034, 'TOO_MANY_ORDERS', 422, false],
      [2003, 'CANCEL_REJECTED', 422, false],
      [2022, 'HAS_OUTSTANDING_ORDER', 422, false],
      [5011, 'MARKET_PRICE_UNAVAILABLE', 422, false],
      [2023, 'CANCEL_RATE_LIMITED', 503, true],
      [1001, 'INVALID_REQUEST', 400, false],
      [4001, 'INVALID_REQUEST', 400, false],
      [2066, 'SERVICE_UNAVAILABLE', 503, true],
    ]);
    expect(map(9999).code).toBe('VENUE_REJECTED');
  });

  it('5xx, 408 and 5999: unknown outcome for writes, retryable for reads', () => {
    expect(mapMaxError({ status: 502, body: '<html>Bad Gateway</html>', isWrite: true })).toBeInstanceOf(UnknownOutcomeError);
    expect(map(5999, { status: 500, isWrite: true })).toBeInstanceOf(UnknownOutcomeError);
    expect(map(5999, { status: 200, isWrite: true })).toBeInstanceOf(UnknownOutcomeError);
    const read = mapMaxError({ status: 503, body: undefined, isWrite: false });
    expect([read.code, read.status, read.retryable]).toEqual(['SERVICE_UNAVAILABLE', 503, true]);
    expect(mapMaxError({ status: 408, body: undefined, isWrite: false }).code).toBe('VENUE_TIMEOUT');
    expect(mapMaxError({ status: 408, body: undefined, isWrite: true }).code).toBe('UNKNOWN_OUTCOME');
  });

  it('429 is an IP ban: wait from Retry-After (unix seconds or delay) or the default', () => {
    const now = 1_728_011_555_000;
    const byTimestamp = mapMaxError({ status: 429, body: undefined, isWrite: false, headers: { 'Retry-After': '1728011615' }, now });
    expect(byTimestamp).toBeInstanceOf(RateLimitError);
    expect([byTimestamp.code, (byTimestamp as RateLimitError).retryAfterMs, (byTimestamp as RateLimitError).banned]).toEqual(['IP_BANNED', 60_000, true]);
    expect((mapMaxError({ status: 429, isWrite: true, headers: { 'retry-after': '30' } }) as RateLimitError).retryAfterMs).toBe(30_000);
    expect((mapMaxError({ status: 429, isWrite: true }) as RateLimitError).retryAfterMs).toBe(DEFAULT_BAN_WAIT_MS);
  });

  it('other statuses', () => {
    expect(mapMaxError({ status: 403, isWrite: false }).code).toBe('FORBIDDEN');
    expect(mapMaxError({ status: 404, isWrite: false }).code).toBe('NOT_FOUND');
    expect(mapMaxError({ status: 400, isWrite: false }).code).toBe('HTTP_400');
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds, unix seconds and HTTP dates', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('1728011615', 1_728_011_555_000)).toBe(60_000);
    expect(retryAfterMs('1728011615')).toBeUndefined();
    expect(retryAfterMs('1728011000', 1_728_011_555_000)).toBe(0);
    expect(retryAfterMs('Fri, 04 Oct 2024 03:13:35 GMT', Date.parse('Fri, 04 Oct 2024 03:12:35 GMT'))).toBe(60_000);
    expect(retryAfterMs('soon', 1)).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('createMaxErrorMapper', () => {
  it('adapts to the core RestClient mapper (kind → write, path → order lookups)', () => {
    const mapper = createMaxErrorMapper({ now: () => 0 });
    expect(mapper(500, undefined, {}, { method: 'POST', path: '/api/v3/wallet/spot/order', kind: 'write' })).toBeInstanceOf(UnknownOutcomeError);
    expect(mapper(404, env(4000), {}, { method: 'GET', path: '/api/v3/order', kind: 'read' })).toBeInstanceOf(OrderNotFoundError);
  });
});
