import {
  AuthError,
  ClockSkewError,
  FilterError,
  InsufficientFundsError,
  OrderNotFoundError,
  PostOnlyRejectedError,
  RateLimitError,
  UnknownOutcomeError,
  UnsupportedError,
  VenueError,
  type ChimeraError,
} from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BAN_WAIT_MS, DEFAULT_RATE_LIMIT_WAIT_MS, mapBinanceError, type BinanceErrorInput } from './errors.js';

function errorOf(input: Partial<BinanceErrorInput> & { body?: unknown }): ChimeraError {
  const outcome = mapBinanceError({ product: 'spot', status: 400, isWrite: true, ...input });
  if (outcome.outcome !== 'error') throw new Error(`expected an error, got ${JSON.stringify(outcome)}`);
  return outcome.error;
}

const spot = (code: number, msg: string, extra: Partial<BinanceErrorInput> = {}) => errorOf({ product: 'spot', body: { code, msg }, ...extra });
const um = (code: number, msg: string, extra: Partial<BinanceErrorInput> = {}) => errorOf({ product: 'um', body: { code, msg }, ...extra });

describe('mapBinanceError: rate limits', () => {
  it('429 → RateLimitError with Retry-After in ms (any header case)', () => {
    const err = spot(-1003, 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE.', {
      status: 429,
      headers: { 'Retry-After': '7' },
    });
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBe(7000);
    expect((err as RateLimitError).banned).toBe(false);
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryable).toBe(true);
  });

  it('429 without Retry-After (order-count limit) waits the 10-second window', () => {
    const err = um(-1015, 'Too many new orders; current limit is 300 orders per 10 SECOND.', { status: 429 }) as RateLimitError;
    expect(err.retryAfterMs).toBe(DEFAULT_RATE_LIMIT_WAIT_MS);
    expect(DEFAULT_RATE_LIMIT_WAIT_MS).toBe(10_000);
    expect(spot(-1015, 'Too many new orders; current limit is 50 orders per 10 SECOND.', { status: 400 })).toBeInstanceOf(RateLimitError);
  });

  it('418 → banned RateLimitError; the wait comes from Retry-After, else "banned until", else 2 min', () => {
    const withHeader = spot(-1003, 'Way too much request weight used; IP banned until 1700000120000.', {
      status: 418,
      headers: { 'retry-after': ['120'] },
    }) as RateLimitError;
    expect(withHeader.banned).toBe(true);
    expect(withHeader.code).toBe('IP_BANNED');
    expect(withHeader.retryable).toBe(false);
    expect(withHeader.retryAfterMs).toBe(120_000);
    const fromMessage = spot(-1003, 'Way too much request weight used; IP banned until 1700000120000.', { status: 418, now: 1700000000000 });
    expect((fromMessage as RateLimitError).retryAfterMs).toBe(120_000);
    const bare = errorOf({ status: 418, body: undefined }) as RateLimitError;
    expect(bare.retryAfterMs).toBe(DEFAULT_BAN_WAIT_MS);
  });
});

describe('mapBinanceError: codes shared by both products', () => {
  it('-1021 → ClockSkewError (retryable once after a resync)', () => {
    for (const product of ['spot', 'um'] as const) {
      const err = errorOf({ product, body: { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' } });
      expect(err).toBeInstanceOf(ClockSkewError);
      expect(err.retryable).toBe(true);
      expect(err.details).toMatchObject({ venueCode: -1021, httpStatus: 400, product });
    }
    expect(um(-5028, 'Timestamp for this request is outside of the ME recvWindow.')).toBeInstanceOf(ClockSkewError);
  });

  it('-1022 / -2014 / -2015 / HTTP 401 → AuthError', () => {
    expect(spot(-1022, 'Signature for this request is not valid.')).toBeInstanceOf(AuthError);
    expect(um(-2014, 'API-key format invalid.')).toBeInstanceOf(AuthError);
    expect(spot(-2015, 'Invalid API-key, IP, or permissions for action.', { status: 401 })).toBeInstanceOf(AuthError);
    expect(errorOf({ status: 401, body: '' })).toBeInstanceOf(AuthError);
  });

  it('-2011 / -2013 → OrderNotFoundError, except Spot cancel restrictions', () => {
    expect(spot(-2011, 'Unknown order sent.')).toBeInstanceOf(OrderNotFoundError);
    expect(um(-2011, 'Unknown order sent.')).toBeInstanceOf(OrderNotFoundError);
    expect(um(-2013, 'Order does not exist.')).toBeInstanceOf(OrderNotFoundError);
    const restricted = spot(-2011, 'Order was not canceled due to cancel restrictions.');
    expect(restricted).not.toBeInstanceOf(OrderNotFoundError);
    expect(restricted.code).toBe('CANCEL_REJECTED');
  });

  it('-1111 → FilterError BAD_PRECISION; -1121 → UNKNOWN_SYMBOL; other -11xx → INVALID_REQUEST', () => {
    const precision = spot(-1111, 'Precision is over the maximum defined for this asset.');
    expect(precision).toBeInstanceOf(FilterError);
    expect(precision.code).toBe('BAD_PRECISION');
    expect(precision.retryable).toBe(false);
    expect(um(-1121, 'Invalid symbol.').code).toBe('UNKNOWN_SYMBOL');
    const missing = spot(-1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
    expect(missing.code).toBe('INVALID_REQUEST');
    expect(missing.status).toBe(400);
  });
});

describe('mapBinanceError: Spot dialect', () => {
  it('-2010 is read by message', () => {
    expect(spot(-2010, 'Order would immediately match and take.')).toBeInstanceOf(PostOnlyRejectedError);
    expect(spot(-2010, 'Account has insufficient balance for requested action.')).toBeInstanceOf(InsufficientFundsError);
    expect(spot(-2010, 'Duplicate order sent.').code).toBe('DUPLICATE_ORDER');
    expect(spot(-2010, 'Order would trigger immediately.').code).toBe('WOULD_TRIGGER_IMMEDIATELY');
    expect(spot(-2010, 'Market is closed.').code).toBe('MARKET_CLOSED');
    expect(spot(-2010, 'OCO orders are not supported for this symbol')).toBeInstanceOf(UnsupportedError);
    expect(spot(-2010, 'Stop loss orders are not supported for this symbol.')).toBeInstanceOf(UnsupportedError);
    const other = spot(-2010, 'The relationship of the prices for the orders is not correct.');
    expect(other).toBeInstanceOf(VenueError);
    expect(other.code).toBe('ORDER_REJECTED');
    expect(other.status).toBe(422);
  });

  it('-1013 "Filter failure: X" → FilterError naming the filter', () => {
    const err = spot(-1013, 'Filter failure: LOT_SIZE');
    expect(err).toBeInstanceOf(FilterError);
    expect(err.code).toBe('VENUE_FILTER_FAILED');
    expect(err.details.filter).toBe('LOT_SIZE');
    expect(spot(-1013, 'Filter failure: NOTIONAL').details.filter).toBe('NOTIONAL');
  });

  it('-2021 / -2022 / -2026 read as Spot meanings', () => {
    expect(spot(-2021, 'Order cancel-replace partially failed.', { status: 409 }).code).toBe('CANCEL_REPLACE_PARTIAL');
    expect(spot(-2022, 'Order cancel-replace failed.').code).toBe('CANCEL_REPLACE_FAILED');
    const archived = spot(-2026, 'Order was canceled or expired with no executed qty over 90 days ago and has been archived.');
    expect(archived).toBeInstanceOf(OrderNotFoundError);
    expect(archived.details.archived).toBe(true);
  });

  it('5xx: unknown outcome for writes, retryable for reads', () => {
    const write = errorOf({ product: 'spot', status: 502, body: '<html>Bad Gateway</html>', isWrite: true });
    expect(write).toBeInstanceOf(UnknownOutcomeError);
    expect(write.retryable).toBe(false);
    const read = errorOf({ product: 'spot', status: 502, body: '<html>Bad Gateway</html>', isWrite: false });
    expect(read.code).toBe('SERVICE_UNAVAILABLE');
    expect(read.retryable).toBe(true);
    // On Spot even an "internal error" 5xx may have executed.
    expect(spot(-1001, 'Internal error; unable to process your request. Please try again.', { status: 503 })).toBeInstanceOf(UnknownOutcomeError);
    expect(spot(-1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.', { status: 408 })).toBeInstanceOf(
      UnknownOutcomeError
    );
  });
});

describe('mapBinanceError: USDⓈ-M dialect', () => {
  it('-5022 (GTX would take) → PostOnlyRejectedError; -5021 FOK → FOK_REJECTED', () => {
    const err = um(-5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected.');
    expect(err).toBeInstanceOf(PostOnlyRejectedError);
    expect(err.code).toBe('POST_ONLY_REJECTED');
    expect(um(-5021, 'Due to the order could not be filled immediately, the FOK order has been rejected.').code).toBe('FOK_REJECTED');
  });

  it('-2019 / -2018 → InsufficientFundsError; -2010 → ORDER_REJECTED', () => {
    expect(um(-2019, 'Margin is insufficient.')).toBeInstanceOf(InsufficientFundsError);
    expect(um(-2018, 'Balance is insufficient.')).toBeInstanceOf(InsufficientFundsError);
    expect(um(-2010, 'NEW_ORDER_REJECTED').code).toBe('ORDER_REJECTED');
  });

  it('filter codes incl. -4164 MIN_NOTIONAL and -1013 naming a filter → FilterError; bare -1013 → INVALID_MESSAGE', () => {
    const minNotional = um(-4164, "Order's notional must be no smaller than 5.0 (unless you choose reduce only)");
    expect(minNotional).toBeInstanceOf(FilterError);
    expect(minNotional.details.filter).toBe('MIN_NOTIONAL');
    expect(um(-4014, 'Price not increased by tick size.')).toBeInstanceOf(FilterError);
    expect(um(-4131, "The counterparty's best price does not meet the PERCENT_PRICE filter limit")).toBeInstanceOf(FilterError);
    expect(um(-1013, 'Filter failure: PRICE_FILTER')).toBeInstanceOf(FilterError);
    const bare = um(-1013, 'INVALID_MESSAGE');
    expect(bare.code).toBe('INVALID_MESSAGE');
    expect(bare.status).toBe(400);
  });

  it('-4120 → ALGO_ENDPOINT_REQUIRED', () => {
    const err = um(-4120, 'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.');
    expect(err.code).toBe('ALGO_ENDPOINT_REQUIRED');
    expect(err.retryable).toBe(false);
  });

  it('-2021 / -2022 / -2026 read as UM meanings', () => {
    expect(um(-2021, 'Order would immediately trigger.').code).toBe('WOULD_TRIGGER_IMMEDIATELY');
    expect(um(-2022, 'ReduceOnly Order is rejected.').code).toBe('REDUCE_ONLY_REJECTED');
    expect(um(-2026, 'This OrderType is not supported when reduceOnly.').code).toBe('REDUCE_ONLY_TYPE_UNSUPPORTED');
  });

  it('-4015 / -4116 client order id errors', () => {
    expect(um(-4015, 'Client order id is not valid.').code).toBe('INVALID_CLIENT_ORDER_ID');
    expect(um(-4116, 'clientOrderId is duplicated').code).toBe('DUPLICATE_ORDER');
  });

  it('-4046 "No need to change margin type." is a success marker', () => {
    expect(mapBinanceError({ product: 'um', status: 400, body: { code: -4046, msg: 'No need to change margin type.' }, isWrite: true })).toEqual({
      outcome: 'success',
      venueCode: -4046,
      venueMessage: 'No need to change margin type.',
    });
    // On Spot the code means nothing special.
    expect(spot(-4046, 'whatever').code).toBe('VENUE_REJECTED');
  });

  it('503 variants: unknown outcome vs definite failure', () => {
    const unknownWrite = um(-1000, 'Unknown error, please check your request or try again later.', { status: 503 });
    expect(unknownWrite).toBeInstanceOf(UnknownOutcomeError);
    expect(unknownWrite.code).toBe('UNKNOWN_OUTCOME');
    const unknownRead = um(-1000, 'Unknown error, please check your request or try again later.', { status: 503, isWrite: false });
    expect(unknownRead.code).toBe('VENUE_TIMEOUT');
    expect(unknownRead.retryable).toBe(true);
    const unavailable = errorOf({ product: 'um', status: 503, body: 'Service Unavailable.' });
    expect(unavailable.code).toBe('SERVICE_UNAVAILABLE');
    expect(unavailable.retryable).toBe(true);
    const internal = um(-1001, 'Internal error; unable to process your request. Please try again.', { status: 503 });
    expect(internal.code).toBe('SERVICE_UNAVAILABLE');
    const throttled = um(-1008, 'Request throttled by system-level protection. Reduce-only/close-position orders are exempt. Please try again.', {
      status: 503,
    });
    expect(throttled.code).toBe('VENUE_OVERLOADED');
    expect(throttled.retryable).toBe(true);
    expect(um(-1000, 'Request occur unknown error.', { status: 500 })).toBeInstanceOf(UnknownOutcomeError);
    expect(errorOf({ product: 'um', status: 408, body: '', isWrite: true })).toBeInstanceOf(UnknownOutcomeError);
  });
});

describe('mapBinanceError: fallbacks and hygiene', () => {
  it('maps HTTP-only failures by status', () => {
    expect(errorOf({ status: 403, body: '' }).code).toBe('WAF_BLOCKED');
    expect(errorOf({ status: 410, body: '' }).code).toBe('ENDPOINT_GONE');
    const notFound = errorOf({ status: 404, body: '' });
    expect(notFound.code).toBe('HTTP_404');
    expect(notFound.status).toBe(404);
    expect(spot(-9999, 'something new').code).toBe('VENUE_REJECTED');
  });

  it('reads a JSON string body and a numeric-string code', () => {
    expect(errorOf({ body: '{"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server\'s time."}' })).toBeInstanceOf(ClockSkewError);
    expect(errorOf({ body: { code: '-2013', msg: 'Order does not exist.' } })).toBeInstanceOf(OrderNotFoundError);
  });

  it('redacts inline secrets echoed in the venue message', () => {
    const err = spot(-1100, "Illegal characters found in parameter 'signature'; signature=abcdef0123");
    expect(err.message).not.toContain('abcdef0123');
    expect(String(err.details.venueMessage)).toContain('[REDACTED]');
  });

  it('builds a readable message with product and code', () => {
    expect(spot(-2013, 'Order does not exist.').message).toBe('[ORDER_NOT_FOUND] binance spot -2013: Order does not exist.');
  });
});
