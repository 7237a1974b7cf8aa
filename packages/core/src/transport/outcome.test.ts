import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import {
  AuthError,
  ChimeraError,
  FilterError,
  NetworkError,
  OrderNotFoundError,
  RateLimitError,
  UnknownOutcomeError,
  VenueError,
} from '../errors.js';
import { MemoryLogger } from '../logging/logger.js';
import { classifyOutcome, settleUnknown } from './outcome.js';
import { RestClient } from './rest-client.js';

describe('classifyOutcome', () => {
  it.each([
    ['UnknownOutcomeError', new UnknownOutcomeError('timeout'), 'unknown'],
    ['NetworkError after sending', new NetworkError('reset', { details: { sent: true } }), 'unknown'],
    ['NetworkError before sending', new NetworkError('refused', { details: { sent: false } }), 'denied'],
    ['local ban refusal', new RateLimitError('banned', 1, true, { details: { local: true } }), 'denied'],
    ['local signer failure', new ChimeraError('x', { code: 'SIGNING_FAILED', details: { local: true } }), 'denied'],
    ['venue 429', new RateLimitError('429', 1, false), 'definitive'],
    ['venue rejection', new VenueError('rejected'), 'definitive'],
    ['filter failure', new FilterError('lot size'), 'definitive'],
    ['order not found', new OrderNotFoundError(), 'definitive'],
    ['plain Error', new Error('boom'), 'unknown'],
    ['thrown string', 'boom', 'unknown'],
  ] as const)('%s → %s', (_name, err, expected) => {
    expect(classifyOutcome(err)).toBe(expected);
  });
});

type Order = { clientOrderId: string; status: string };

describe('settleUnknown', () => {
  const isNotFound = (e: unknown): boolean => e instanceof OrderNotFoundError;

  it('returns the submit answer and never queries when the submit answers', async () => {
    let queries = 0;
    const res = await settleUnknown<Order>({
      clock: new FakeClock(),
      submit: async () => ({ clientOrderId: 'c-1', status: 'NEW' }),
      query: async () => {
        queries++;
        return undefined;
      },
      isNotFound,
    });
    expect(res).toEqual({ value: { clientOrderId: 'c-1', status: 'NEW' }, via: 'submit', queryAttempts: 0 });
    expect(queries).toBe(0);
  });

  it.each([
    ['definitive', new VenueError('insufficient balance')],
    ['denied', new NetworkError('refused', { details: { sent: false } })],
  ])('rethrows a %s submit failure unchanged without querying', async (_name, failure) => {
    let queries = 0;
    let submits = 0;
    const err = await settleUnknown({
      clock: new FakeClock(),
      submit: async () => {
        submits++;
        throw failure;
      },
      query: async () => {
        queries++;
        return undefined;
      },
      isNotFound,
    }).catch((e: unknown) => e);
    expect(err).toBe(failure);
    expect([submits, queries]).toEqual([1, 0]);
  });

  it('settles an unknown submit by querying after delayMs on the clock, until the order shows up', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const queriedAt: number[] = [];
    let submits = 0;
    const p = settleUnknown<Order>({
      clock,
      delayMs: 500,
      attempts: 4,
      submit: async () => {
        submits++;
        throw new UnknownOutcomeError('timed out after sending');
      },
      query: async () => {
        queriedAt.push(clock.now() - start);
        if (queriedAt.length === 1) throw new OrderNotFoundError();
        if (queriedAt.length === 2) return null;
        return { clientOrderId: 'c-1', status: 'FILLED' };
      },
      isNotFound,
    });
    await clock.tickAsync(1_499);
    expect(queriedAt).toEqual([500, 1000]);
    await clock.tickAsync(1);
    expect(await p).toEqual({ value: { clientOrderId: 'c-1', status: 'FILLED' }, via: 'query', queryAttempts: 3 });
    expect(queriedAt).toEqual([500, 1000, 1500]);
    expect(submits).toBe(1);
  });

  it('after bounded not-found queries throws UnknownOutcomeError with details, never resending', async () => {
    const clock = new FakeClock();
    const submitErr = new UnknownOutcomeError('dropped');
    let submits = 0;
    let queries = 0;
    const logger = new MemoryLogger();
    const p = settleUnknown<Order>({
      clock,
      delayMs: 100,
      attempts: 3,
      ref: { clientOrderId: 'c-9', symbol: 'BTCUSDT' },
      logger,
      submit: async () => {
        submits++;
        throw submitErr;
      },
      query: async () => {
        queries++;
        throw new OrderNotFoundError();
      },
      isNotFound,
    }).catch((e: unknown) => e);
    await clock.tickAsync(300);
    const err = (await p) as UnknownOutcomeError;
    expect(err).toBeInstanceOf(UnknownOutcomeError);
    expect(err.details).toEqual({ clientOrderId: 'c-9', symbol: 'BTCUSDT', queryAttempts: 3, lastQuery: 'not_found', submitCode: 'UNKNOWN_OUTCOME' });
    expect(err.cause).toBe(submitErr);
    expect([submits, queries]).toEqual([1, 3]);
    expect(logger.records.map((r) => r.level)).toEqual(['warn', 'error']);
  });

  it('keeps querying through failed queries but stops at a definitive non-retryable one', async () => {
    const clock = new FakeClock();
    let queries = 0;
    const failed = await settleUnknown({
      clock,
      delayMs: 0,
      attempts: 3,
      submit: async () => {
        throw new NetworkError('reset', { details: { sent: true } });
      },
      query: async () => {
        queries++;
        throw new NetworkError('down', { details: { sent: false } });
      },
      isNotFound,
    }).catch((e: unknown) => e);
    expect((failed as UnknownOutcomeError).details).toMatchObject({ lastQuery: 'failed', queryAttempts: 3, queryCode: 'NETWORK_ERROR', submitCode: 'NETWORK_ERROR' });
    expect(queries).toBe(3);

    queries = 0;
    const auth = await settleUnknown({
      clock,
      delayMs: 0,
      attempts: 3,
      submit: async () => {
        throw new Error('socket hang up');
      },
      query: async () => {
        queries++;
        throw new AuthError('bad key');
      },
      isNotFound,
    }).catch((e: unknown) => e);
    expect((auth as UnknownOutcomeError).details).toMatchObject({ lastQuery: 'failed', queryAttempts: 1, queryCode: 'AUTH_FAILED', submitCode: 'UNCLASSIFIED' });
    expect(queries).toBe(1);
  });

  it('end to end: an order that landed behind a dropped connection is found by client order id, sent once', async () => {
    const ORIGIN = 'http://127.0.0.1:9';
    const agent = new MockAgent();
    agent.disableNetConnect();
    const book = new Map<string, Order>();
    let posts = 0;
    let gets = 0;
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: '/order', method: 'POST' })
      .reply((opts) => {
        posts++;
        const id = new URLSearchParams(String(opts.body)).get('newClientOrderId')!;
        book.set(id, { clientOrderId: id, status: 'NEW' });
        // The venue took the order, then the connection died before the answer came back.
        throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
      })
      .persist();
    pool
      .intercept({ path: (p) => p.startsWith('/order?'), method: 'GET' })
      .reply((opts) => {
        gets++;
        const id = new URL(opts.path, ORIGIN).searchParams.get('origClientOrderId')!;
        const order = gets > 1 ? book.get(id) : undefined; // not visible on the first look
        return order ? { statusCode: 200, data: JSON.stringify(order) } : { statusCode: 400, data: JSON.stringify({ code: -2013 }) };
      })
      .persist();
    const clock = new FakeClock();
    const rest = new RestClient({
      baseUrl: ORIGIN,
      dispatcher: agent,
      clock,
      retry: { retries: 3, minTimeout: 0 },
      errorMapper: (status, body) => ((body as { code?: number }).code === -2013 ? new OrderNotFoundError() : new VenueError(`HTTP ${status}`)),
    });
    const p = settleUnknown<Order>({
      clock,
      delayMs: 200,
      ref: { clientOrderId: 'intent-1-e' },
      submit: async () => (await rest.request<Order>({ method: 'POST', path: '/order', body: { newClientOrderId: 'intent-1-e' }, kind: 'write' })).body,
      query: async () => (await rest.request<Order>({ method: 'GET', path: '/order', query: { origClientOrderId: 'intent-1-e' }, kind: 'read' })).body,
      isNotFound,
    });
    for (let i = 0; i < 20 && gets < 2; i++) await clock.tickAsync(100);
    expect(await p).toEqual({ value: { clientOrderId: 'intent-1-e', status: 'NEW' }, via: 'query', queryAttempts: 2 });
    expect([posts, gets]).toEqual([1, 2]);
    await agent.close();
  });
});
