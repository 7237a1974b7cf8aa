/**
 * RestClient against a real node:http server on 127.0.0.1: timeouts, dropped connections, refused
 * connections, 429 and 418 — counting what actually reached the server.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { NetworkError, RateLimitError, UnknownOutcomeError, type ChimeraError } from '../errors.js';
import { classifyOutcome } from './outcome.js';
import { RestClient, type RestClientEvents, type RestClientOptions } from './rest-client.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const T0 = 29_305_440 * 60_000;
let server: http.Server;
let baseUrl: string;
const sockets = new Set<Socket>();
let hits: { method: string; url: string }[] = [];
let handler: Handler = (_req, res) => res.end('{}');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '' });
      handler(req, res, body);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const clients: RestClient[] = [];
function client(options: Partial<RestClientOptions> = {}): RestClient {
  const c = new RestClient({ baseUrl, timeoutMs: 150, retry: { retries: 3, minTimeout: 0 }, ...options });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const s of sockets) s.destroy();
  hits = [];
  handler = (_req, res) => res.end('{}');
});

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

function collect<K extends keyof RestClientEvents>(c: RestClient, name: K): Parameters<RestClientEvents[K]>[0][] {
  const out: Parameters<RestClientEvents[K]>[0][] = [];
  c.events.on(name, ((e: Parameters<RestClientEvents[K]>[0]) => out.push(e)) as never);
  return out;
}

describe('writes whose outcome is unknown are never resent', () => {
  it('a write that times out after sending is UnknownOutcomeError, sent exactly once', async () => {
    handler = () => undefined; // read the request, never answer
    const c = client();
    const err = (await c.request({ method: 'POST', path: '/order', body: { newClientOrderId: 'c-1' }, kind: 'write' }).catch((e: unknown) => e)) as ChimeraError;
    expect(err).toBeInstanceOf(UnknownOutcomeError);
    expect(err.details).toMatchObject({ method: 'POST', path: '/order', timedOut: true, transportCode: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(classifyOutcome(err)).toBe('unknown');
    expect(hits).toEqual([{ method: 'POST', url: '/order' }]);
  });

  it('a write whose connection drops after sending is UnknownOutcomeError, sent exactly once', async () => {
    handler = (req) => req.socket.destroy();
    const c = client();
    const err = (await c.request({ method: 'DELETE', path: '/order', query: { origClientOrderId: 'c-1' }, kind: 'write' }).catch((e: unknown) => e)) as ChimeraError;
    expect(err).toBeInstanceOf(UnknownOutcomeError);
    expect(err.details).toMatchObject({ timedOut: false });
    expect(hits).toHaveLength(1);
  });
});

describe('reads are retried', () => {
  it('a read that loses its connection twice succeeds on the third attempt', async () => {
    handler = (req, res) => (hits.length < 3 ? req.socket.destroy() : json(res, 200, { price: '100.5' }));
    const c = client();
    const res = await c.request({ method: 'GET', path: '/ticker', kind: 'read' });
    expect(res).toMatchObject({ status: 200, body: { price: '100.5' }, attempts: 3 });
    expect(hits).toHaveLength(3);
  });

  it('a read that times out is retried with the same request', async () => {
    handler = (_req, res) => (hits.length === 1 ? undefined : json(res, 200, { serverTime: 1 }));
    const c = client();
    const res = await c.request({ method: 'GET', path: '/time', query: { a: 1 }, kind: 'read' });
    expect(res).toMatchObject({ body: { serverTime: 1 }, attempts: 2 });
    expect(hits).toEqual([
      { method: 'GET', url: '/time?a=1' },
      { method: 'GET', url: '/time?a=1' },
    ]);
  });

  it('a read that fails every attempt ends as a retryable NetworkError marked sent', async () => {
    handler = (req) => req.socket.destroy();
    const c = client({ retry: { retries: 2, minTimeout: 0 } });
    const err = (await c.request({ method: 'GET', path: '/gone', kind: 'read' }).catch((e: unknown) => e)) as ChimeraError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ retryable: true, details: { sent: true, timedOut: false } });
    expect(classifyOutcome(err)).toBe('unknown');
    expect(hits).toHaveLength(3);
  });
});

describe('refused before sending', () => {
  it('connection refused is denied, and a write may be retried', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = client({ baseUrl: `http://127.0.0.1:${port}`, retry: { retries: 2, minTimeout: 0 } });
    const retries = collect(c, 'retry');
    const err = (await c.request({ method: 'POST', path: '/order', kind: 'write' }).catch((e: unknown) => e)) as ChimeraError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.details).toMatchObject({ sent: false, transportCode: 'ECONNREFUSED' });
    expect(classifyOutcome(err)).toBe('denied');
    expect(retries).toHaveLength(2);
  });
});

describe('429 and 418', () => {
  it('429 pauses every request until Retry-After has passed on the clock, then the read is retried', async () => {
    const clock = new FakeClock(T0);
    handler = (_req, res) => (hits.length === 1 ? json(res, 429, { code: -1003 }, { 'retry-after': '2' }) : json(res, 200, { ok: hits.length }));
    const c = client({ clock });
    const limited = collect(c, 'rate_limited');
    const alerts = collect(c, 'alert');
    const results: unknown[] = [];
    const first = c.request({ method: 'GET', path: '/a', kind: 'read' }).then((r) => results.push(r.body));
    await vi.waitFor(() => expect(limited).toHaveLength(1), { timeout: 2_000, interval: 5 });
    expect(limited[0]).toMatchObject({ untilMs: T0 + 2_000, retryAfterMs: 2_000, path: '/a' });
    expect(alerts[0]).toMatchObject({ level: 'WARN', code: 'RATE_LIMITED' });
    const second = c.request({ method: 'POST', path: '/b', kind: 'write' }).then((r) => results.push(r.body));
    await clock.tickAsync(1_999);
    await new Promise((r) => setTimeout(r, 30));
    expect(hits).toHaveLength(1);
    expect(results).toEqual([]);
    await clock.tickAsync(1);
    await Promise.all([first, second]);
    expect(hits.map((h) => h.url).sort()).toEqual(['/a', '/a', '/b']);
    expect(results).toHaveLength(2);
  });

  it('418 stops all traffic until the ban lifts, refuses queued and new requests locally, then resumes', async () => {
    const clock = new FakeClock(T0);
    handler = (_req, res) => (hits.length === 1 ? json(res, 418, { code: -1003, msg: 'banned' }, { 'retry-after': '60' }) : json(res, 200, { ok: true }));
    const c = client({ clock, limits: [{ kind: 'weight', interval: '1m', limit: 1 }], maxWaitMs: 300_000 });
    const banned = collect(c, 'banned');
    const lifted = collect(c, 'ban_lifted');
    const alerts = collect(c, 'alert');

    const first = c.request({ method: 'GET', path: '/heavy', kind: 'read' }).catch((e: unknown) => e);
    // Queued behind the weight limit when the ban arrives: must be refused, not sent later.
    const queued = c.request({ method: 'POST', path: '/order', kind: 'write' }).catch((e: unknown) => e);
    const firstErr = (await first) as RateLimitError;
    expect(firstErr).toBeInstanceOf(RateLimitError);
    expect(firstErr).toMatchObject({ banned: true, retryAfterMs: 60_000, code: 'IP_BANNED', retryable: false });
    const queuedErr = (await queued) as RateLimitError;
    expect(queuedErr).toMatchObject({ banned: true, details: { local: true } });
    expect(classifyOutcome(queuedErr)).toBe('denied');
    expect(banned).toEqual([{ untilMs: T0 + 60_000, retryAfterMs: 60_000, method: 'GET', path: '/heavy' }]);
    expect(alerts.map((a) => [a.level, a.code])).toEqual([['ERROR', 'IP_BANNED']]);

    await clock.tickAsync(30_000);
    for (const kind of ['read', 'write'] as const) {
      const err = (await c.request({ method: 'GET', path: '/x', kind }).catch((e: unknown) => e)) as RateLimitError;
      expect(err).toMatchObject({ banned: true, retryAfterMs: 30_000, details: { local: true } });
    }
    expect(c.banned).toBe(true);
    expect(hits).toHaveLength(1);

    await clock.tickAsync(30_000);
    expect(lifted).toEqual([{ atMs: T0 + 60_000 }]);
    expect(c.banned).toBe(false);
    const res = await c.request({ method: 'GET', path: '/after', kind: 'read' });
    expect(res.body).toEqual({ ok: true });
    expect(hits.map((h) => h.url)).toEqual(['/heavy', '/after']);
    expect(alerts.map((a) => a.code)).toEqual(['IP_BANNED', 'BAN_LIFTED']);
  });
});
