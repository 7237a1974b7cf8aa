import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import {
  AuthError,
  ClockSkewError,
  NetworkError,
  RateLimitError,
  UnknownOutcomeError,
  VenueError,
  type ChimeraError,
} from '../errors.js';
import { MemoryLogger } from '../logging/logger.js';
import { classifyOutcome } from './outcome.js';
import { headerValue, parseRetryAfter, type ResponseHeaders } from './http-headers.js';
import type { UsageReport } from './rate-limit-rule.js';
import { encodeParams, isSafeToRetry, RestClient, type RestClientOptions, type RestClientEvents } from './rest-client.js';

const ORIGIN = 'http://127.0.0.1:9';
const T0 = 29_305_440 * 60_000; // a minute boundary

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/** A MockAgent whose one route answers from a script and records every request it saw. */
function scripted(replies: Reply[] | ((seen: Seen, n: number) => Reply)) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const seen: Seen[] = [];
  agent
    .get(ORIGIN)
    .intercept({ path: () => true, method: () => true })
    .reply((opts) => {
      const s: Seen = {
        method: opts.method,
        path: opts.path,
        headers: { ...(opts.headers as Record<string, string>) },
        body: typeof opts.body === 'string' ? opts.body : undefined,
      };
      seen.push(s);
      const r = typeof replies === 'function' ? replies(s, seen.length) : (replies[seen.length - 1] ?? { status: 599 });
      const data = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      return { statusCode: r.status, data, responseOptions: { headers: r.headers ?? {} } };
    })
    .persist();
  return { agent, seen };
}

const clients: RestClient[] = [];
function client(agent: MockAgent, options: Partial<RestClientOptions> = {}): RestClient {
  const c = new RestClient({ baseUrl: ORIGIN, dispatcher: agent, retry: { retries: 0 }, ...options });
  clients.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function collect<K extends keyof RestClientEvents>(c: RestClient, name: K): Parameters<RestClientEvents[K]>[0][] {
  const out: Parameters<RestClientEvents[K]>[0][] = [];
  c.events.on(name, ((e: Parameters<RestClientEvents[K]>[0]) => out.push(e)) as never);
  return out;
}

describe('encodeParams / headers helpers', () => {
  it('percent-encodes in insertion order and skips undefined/null', () => {
    expect(encodeParams({ symbol: 'BTCUSDT', qty: '0.001', note: 'a b&c', skip: undefined, none: null, flag: true, n: 5 })).toBe(
      'symbol=BTCUSDT&qty=0.001&note=a%20b%26c&flag=true&n=5',
    );
    expect(encodeParams(undefined)).toBe('');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-09-20T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter('Sat, 20 Sep 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 19 Sep 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    const h: ResponseHeaders = { 'retry-after': ['7', '8'], 'x-a': 'b' };
    expect(headerValue(h, 'Retry-After')).toBe('7');
    expect(headerValue(h, 'X-A')).toBe('b');
  });
});

describe('isSafeToRetry', () => {
  const unknown = new UnknownOutcomeError('timeout');
  const denied = new NetworkError('refused', { details: { sent: false } });
  const lostRead = new NetworkError('reset', { details: { sent: true } });
  const limited = new RateLimitError('429', 1000, false);
  const limitedLocally = new RateLimitError('no room', 1000, false, { details: { local: true } });
  const banned = new RateLimitError('418', 1000, true);
  const skew = new ClockSkewError('-1021');
  const rejected = new VenueError('insufficient balance', { retryable: false });
  const throttled = new VenueError('-1008 throttled', { retryable: true });

  it.each([
    ['unknown outcome', unknown, true, false],
    ['not sent', denied, true, true],
    ['lost after sending', lostRead, true, false],
    ['429', limited, true, true],
    ['local limiter refusal', limitedLocally, false, false],
    ['418 ban', banned, false, false],
    ['-1021 (ClockSync retries it)', skew, false, false],
    ['definitive rejection', rejected, false, false],
    ['definitive, retryable', throttled, true, true],
    ['not a ChimeraError', new Error('x'), false, false],
  ] as const)('%s → read %s, write %s', (_name, err, read, write) => {
    expect(isSafeToRetry(err, 'read')).toBe(read);
    expect(isSafeToRetry(err, 'write')).toBe(write);
  });
});

describe('RestClient over MockAgent', () => {
  it('sends the signed query, base and signer headers, and parses the JSON answer', async () => {
    const { agent, seen } = scripted([{ status: 200, body: { orderId: 42 }, headers: { 'x-venue': 'ok' } }]);
    const signed: string[] = [];
    const c = client(agent, { headers: { 'x-api-key': 'KEY-123' } });
    const res = await c.request<{ orderId: number }>({
      method: 'GET',
      path: '/api/v3/order',
      query: { symbol: 'BTCUSDT', origClientOrderId: 'c-1' },
      kind: 'read',
      sign: ({ query, body, method, path }) => {
        signed.push(`${method} ${path} ${query} ${String(body)}`);
        return { query: `${query}&timestamp=1000&signature=deadbeef`, headers: { 'x-sig-version': '2' } };
      },
    });
    expect(res).toEqual({ status: 200, headers: expect.objectContaining({ 'x-venue': 'ok' }), body: { orderId: 42 }, attempts: 1 });
    expect(signed).toEqual(['GET /api/v3/order symbol=BTCUSDT&origClientOrderId=c-1 undefined']);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'GET',
      path: '/api/v3/order?symbol=BTCUSDT&origClientOrderId=c-1&timestamp=1000&signature=deadbeef',
      headers: { 'x-api-key': 'KEY-123', 'x-sig-version': '2' },
    });
  });

  it('encodes form and JSON bodies, keeps a base-URL path prefix, and returns text or undefined bodies', async () => {
    const { agent, seen } = scripted([
      { status: 200, body: 'OK plain' },
      { status: 204 },
    ]);
    const c = new RestClient({ baseUrl: `${ORIGIN}/v3/`, dispatcher: agent, retry: { retries: 0 } });
    clients.push(c);
    const a = await c.request({ method: 'POST', path: '/order', body: { symbol: 'BTCUSDT', price: '100.10' }, kind: 'write' });
    const b = await c.request({ method: 'PUT', path: '/x', body: { a: 1, b: [1, 2] } as never, bodyEncoding: 'json', kind: 'write' });
    expect(a.body).toBe('OK plain');
    expect(b.body).toBeUndefined();
    expect(seen[0]).toMatchObject({ path: '/v3/order', body: 'symbol=BTCUSDT&price=100.10', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(seen[1]).toMatchObject({ path: '/v3/x', body: '{"a":1,"b":[1,2]}', headers: { 'content-type': 'application/json' } });
  });

  it('corrects the limiter from the usage headers and then holds requests until the window rolls', async () => {
    const clock = new FakeClock(T0);
    const { agent, seen } = scripted(() => ({ status: 200, body: {}, headers: { 'x-used-1m': '5990' } }));
    const readUsage = (h: ResponseHeaders): UsageReport[] => {
      const v = headerValue(h, 'x-used-1m');
      return v === undefined ? [] : [{ kind: 'weight', interval: '1m', used: Number(v) }];
    };
    const c = client(agent, { clock, limits: [{ kind: 'weight', interval: '1m', limit: 6000 }], readUsage });
    const usage = collect(c, 'usage');
    await c.request({ method: 'GET', path: '/depth', weight: 5, kind: 'read' });
    expect(c.limiter.usage()[0]?.used).toBe(5990);
    expect(usage[0]?.raised).toEqual(['weight:1m']);
    let done = false;
    const second = c.request({ method: 'GET', path: '/depth', weight: 20, kind: 'read' }).then(() => (done = true));
    await clock.tickAsync(59_999);
    expect(done).toBe(false);
    expect(seen).toHaveLength(1);
    await clock.tickAsync(1);
    await second;
    expect(seen).toHaveLength(2);
  });

  it('hands (status, body, headers, context) to the venue mapper and does not retry a definitive write rejection', async () => {
    const { agent, seen } = scripted(() => ({ status: 400, body: { code: -2010, msg: 'insufficient balance' }, headers: { 'x-h': '1' } }));
    const calls: unknown[] = [];
    const c = client(agent, {
      retry: { retries: 3, minTimeout: 0 },
      errorMapper: (status, body, headers, context) => {
        calls.push({ status, body, h: headers['x-h'], context });
        return new VenueError('insufficient balance', { code: 'INSUFFICIENT_FUNDS', retryable: false, details: { venueCode: -2010 } });
      },
    });
    const err = (await c.request({ method: 'POST', path: '/order', kind: 'write' }).catch((e: unknown) => e)) as ChimeraError;
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
    expect(classifyOutcome(err)).toBe('definitive');
    expect(seen).toHaveLength(1);
    expect(calls).toEqual([
      { status: 400, body: { code: -2010, msg: 'insufficient balance' }, h: '1', context: { method: 'POST', path: '/order', kind: 'write' } },
    ]);
  });

  it('default mapping: a 5xx on a write is an unknown outcome, sent once; 401 is AuthError', async () => {
    const { agent, seen } = scripted([{ status: 503, body: { msg: 'Unknown error' } }, { status: 401, body: 'no' }]);
    const c = client(agent, { retry: { retries: 3, minTimeout: 0 } });
    const err = await c.request({ method: 'POST', path: '/order', kind: 'write' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownOutcomeError);
    expect((err as ChimeraError).details).toMatchObject({ httpStatus: 503, method: 'POST', path: '/order' });
    expect(seen).toHaveLength(1);
    await expect(c.request({ method: 'GET', path: '/account', kind: 'read' })).rejects.toBeInstanceOf(AuthError);
    expect(seen).toHaveLength(2);
  });

  it('retries a read after a 5xx with backoff on the injected clock', async () => {
    const clock = new FakeClock(T0);
    const { agent, seen } = scripted([{ status: 502 }, { status: 500 }, { status: 200, body: { ok: true } }]);
    const c = client(agent, { clock, retry: { retries: 3, minTimeout: 100, factor: 3 } });
    const retries = collect(c, 'retry');
    let result: unknown;
    const p = c.request({ method: 'GET', path: '/ticker', kind: 'read' }).then((r) => (result = r.body));
    await clock.tickAsync(99);
    expect(seen).toHaveLength(1);
    await clock.tickAsync(1);
    expect(seen).toHaveLength(2);
    await clock.tickAsync(299);
    expect(seen).toHaveLength(2);
    await clock.tickAsync(1);
    await p;
    expect(result).toEqual({ ok: true });
    expect(retries.map((r) => [r.attempt, r.delayMs, r.code])).toEqual([
      [2, 100, 'NETWORK_ERROR'],
      [3, 300, 'NETWORK_ERROR'],
    ]);
  });

  it('uses the mapper’s retryAfterMs for a rate-limit answer in preference to the header', async () => {
    const clock = new FakeClock(T0);
    const { agent } = scripted([{ status: 429, body: { code: -1003 }, headers: { 'retry-after': '1' } }]);
    const c = client(agent, {
      clock,
      errorMapper: () => new RateLimitError('too many requests', 5_000, false, { details: { venueCode: -1003 } }),
    });
    const err = (await c.request({ method: 'GET', path: '/x', kind: 'read' }).catch((e: unknown) => e)) as RateLimitError;
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.retryAfterMs).toBe(5_000);
    expect(err.details).toMatchObject({ venueCode: -1003, httpStatus: 429, banned: false });
    expect(c.limiter.pausedUntilMs).toBe(T0 + 5_000);
  });

  it('treats a venue-mapped ban on a non-418 status as a ban', async () => {
    const clock = new FakeClock(T0);
    const { agent, seen } = scripted([{ status: 429, headers: { 'retry-after': '30' } }]);
    const c = client(agent, { clock, errorMapper: () => new RateLimitError('IP banned until …', 0, true) });
    await expect(c.request({ method: 'GET', path: '/x', kind: 'read' })).rejects.toMatchObject({ banned: true, retryAfterMs: 30_000 });
    expect(c.banned).toBe(true);
    await expect(c.request({ method: 'GET', path: '/x', kind: 'read' })).rejects.toMatchObject({ code: 'IP_BANNED', details: { local: true } });
    expect(seen).toHaveLength(1);
  });

  it('a refused-before-sending failure is denied, and writes may retry it', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get(ORIGIN);
    let hits = 0;
    pool.intercept({ path: '/order', method: 'POST' }).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    pool.intercept({ path: '/order', method: 'POST' }).reply(() => {
      hits++;
      return { statusCode: 200, data: '{"orderId":1}' };
    });
    const c = client(agent, { retry: { retries: 2, minTimeout: 0 } });
    const res = await c.request({ method: 'POST', path: '/order', kind: 'write' });
    expect(res).toMatchObject({ body: { orderId: 1 }, attempts: 2 });
    expect(hits).toBe(1);
  });

  it('never puts signer secrets or API keys in logs or errors', async () => {
    const { agent } = scripted(() => ({ status: 400, body: { code: -1022, msg: 'Signature for this request is not valid.' } }));
    const logger = new MemoryLogger();
    const c = client(agent, { logger, headers: { 'X-MBX-APIKEY': 'APIKEY-SECRET-1' } });
    const err = (await c
      .request({ method: 'POST', path: '/order', kind: 'write', sign: ({ query }) => ({ query: `${query}&signature=SIG-SECRET-2` }) })
      .catch((e: unknown) => e)) as ChimeraError;
    const everything = `${logger.dump()} ${JSON.stringify(err)} ${err.message}`;
    expect(everything).not.toContain('APIKEY-SECRET-1');
    expect(everything).not.toContain('SIG-SECRET-2');
    expect(logger.records.length).toBeGreaterThan(0);
  });

  it('a failing signer is a denied, non-retryable error that does not quote what it signed', async () => {
    const { agent, seen } = scripted([{ status: 200 }]);
    const c = client(agent, { retry: { retries: 2, minTimeout: 0 } });
    const err = (await c
      .request({
        method: 'POST',
        path: '/order',
        kind: 'write',
        sign: () => {
          throw new Error('bad key secret=SHHH');
        },
      })
      .catch((e: unknown) => e)) as ChimeraError;
    expect(err.code).toBe('SIGNING_FAILED');
    expect(classifyOutcome(err)).toBe('denied');
    expect(JSON.stringify(err)).not.toContain('SHHH');
    expect(seen).toHaveLength(0);
  });

  it('refuses requests after close', async () => {
    const { agent, seen } = scripted([{ status: 200 }]);
    const c = client(agent);
    await c.close();
    await expect(c.request({ method: 'GET', path: '/x', kind: 'read' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(seen).toHaveLength(0);
  });
});
