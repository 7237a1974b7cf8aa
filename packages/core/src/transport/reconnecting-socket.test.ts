import { EventEmitter as NodeEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { BusinessRuleError, FatalError, NetworkError, StateError, ValidationError } from '../errors.js';
import { ReconnectingSocket, ThrottledQueue, type ReconnectingSocketOptions } from './reconnecting-socket.js';
import type { ReconnectingSocketEvents, SocketLike, SocketMessage, VenueProtocol } from './socket-types.js';

/** A socket with `ws`'s surface whose server side the test drives. */
class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  pings = 0;
  closedWith: number | undefined;
  private readonly ee = new NodeEmitter();

  constructor(
    readonly url: string,
    readonly createdAt: number,
  ) {}

  on(event: string, listener: (...args: never[]) => void): this {
    this.ee.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
  removeAllListeners(): this {
    this.ee.removeAllListeners();
    return this;
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }
  ping(): void {
    this.pings++;
  }
  /** When true, close() only starts the handshake, as with a peer that never answers it. */
  lazyClose = false;
  close(code?: number): void {
    if (this.lazyClose) {
      this.readyState = 2;
      return;
    }
    this.end(code ?? 1005);
  }
  terminate(): void {
    this.end(1006);
  }

  // Server side.
  accept(): void {
    this.readyState = 1;
    this.ee.emit('open');
  }
  refuse(): void {
    this.readyState = 3;
    this.ee.emit('error', new Error('connect ECONNREFUSED 127.0.0.1'));
    this.ee.emit('close', 1006, Buffer.alloc(0));
  }
  refuseUpgrade(statusCode: number, headers: Record<string, string> = {}): void {
    this.ee.emit('unexpected-response', {}, { statusCode, headers });
  }
  push(msg: unknown): void {
    this.ee.emit('message', Buffer.from(JSON.stringify(msg)), false);
  }
  data(stream: string, u: number): void {
    this.push({ stream, data: { u } });
  }
  serverPing(): void {
    this.ee.emit('ping', Buffer.alloc(0));
  }
  pong(): void {
    this.ee.emit('pong', Buffer.alloc(0));
  }
  drop(): void {
    this.end(1006);
  }
  /** Subscribe requests' params, in order. */
  subscribed(): string[][] {
    return this.sent.map((t) => JSON.parse(t) as { method?: string; params?: string[] }).filter((m) => m.method === 'SUBSCRIBE').map((m) => m.params ?? []);
  }
  private end(code: number): void {
    if (this.readyState === 3 && this.closedWith !== undefined) return;
    this.readyState = 3;
    this.closedWith = code;
    this.ee.emit('close', code, Buffer.alloc(0));
  }
}

/** A Binance-like wire protocol: combined-stream envelopes, `u` sequence numbers. */
function binanceLike(overrides: Partial<VenueProtocol> = {}): VenueProtocol {
  let id = 0;
  return {
    subscribeMessages: (streams) => [JSON.stringify({ method: 'SUBSCRIBE', params: streams, id: ++id })],
    unsubscribeMessages: (streams) => [JSON.stringify({ method: 'UNSUBSCRIBE', params: streams, id: ++id })],
    controlKind: (m) => {
      const msg = m as { result?: unknown; id?: unknown; e?: string; pong?: boolean; data?: { e?: string } };
      if (msg.id !== undefined && 'result' in msg) return 'ack';
      if (msg.e === 'serverShutdown' || msg.data?.e === 'serverShutdown') return 'shutdown';
      if (msg.pong === true) return 'pong';
      return undefined;
    },
    streamOf: (m) => (m as { stream?: string }).stream,
    sequenceOf: (m) => (m as { data?: { u?: number } }).data?.u,
    maxStreamsPerConnection: 5,
    maxMessagesPerSecond: 5,
    maxConnectAttemptsPer: { count: 300, windowMs: 300_000 },
    ...overrides,
  };
}

type Recorded = { [K in keyof ReconnectingSocketEvents]: Parameters<ReconnectingSocketEvents[K]>[0][] };

function setup(options: Partial<ReconnectingSocketOptions> = {}, protocol: Partial<VenueProtocol> = {}) {
  const clock = new FakeClock();
  const t0 = clock.now();
  const sockets: FakeSocket[] = [];
  const socket = new ReconnectingSocket({
    url: 'wss://venue.test/stream',
    clock,
    protocol: binanceLike(protocol),
    random: () => 0.5,
    backoff: { baseMs: 100, maxMs: 1_000, jitterMs: 100 },
    metricsIntervalMs: 0,
    socketFactory: (url) => {
      const s = new FakeSocket(url, clock.now());
      sockets.push(s);
      return s;
    },
    ...options,
  });
  const seen: Recorded = {
    open: [], message: [], control: [], reconnecting: [], reconnected: [], stale: [], renewing: [], renewed: [],
    fatal: [], degraded: [], recovered: [], alert: [], metric: [], closed: [],
  };
  for (const name of Object.keys(seen) as (keyof ReconnectingSocketEvents)[]) {
    socket.events.on(name, ((e: never) => (seen[name] as unknown[]).push(e)) as never);
  }
  const last = (): FakeSocket => {
    const s = sockets[sockets.length - 1];
    if (!s) throw new Error('no socket yet');
    return s;
  };
  const us = (): number[] => seen.message.map((m: SocketMessage) => (m.data as { data: { u: number } }).data.u);
  return { clock, t0, sockets, socket, seen, last, us };
}

describe('ReconnectingSocket: connect, subscribe, deliver', () => {
  it('subscribes everything on open and delivers data with stream and receive time; acks go to control', () => {
    const { clock, socket, seen, last, t0 } = setup();
    socket.subscribe(['btcusdt@bookTicker', 'ethusdt@bookTicker']);
    expect(socket.state).toBe('idle');
    socket.start();
    expect(socket.state).toBe('connecting');
    const ws = last();
    expect(ws.url).toBe('wss://venue.test/stream');
    ws.accept();
    expect(socket.state).toBe('open');
    expect(ws.subscribed()).toEqual([['btcusdt@bookTicker', 'ethusdt@bookTicker']]);
    expect(seen.open).toEqual([{ connectionId: 1, reconnect: false, ts: t0 }]);
    clock.advance(7);
    ws.push({ result: null, id: 1 });
    ws.data('btcusdt@bookTicker', 10);
    expect(seen.control).toEqual([{ kind: 'ack', data: { result: null, id: 1 }, receivedAt: t0 + 7, connectionId: 1 }]);
    expect(seen.message).toEqual([{ data: { stream: 'btcusdt@bookTicker', data: { u: 10 } }, stream: 'btcusdt@bookTicker', receivedAt: t0 + 7, connectionId: 1 }]);
    socket.subscribe(['solusdt@bookTicker', 'btcusdt@bookTicker']);
    expect(ws.subscribed()).toEqual([['btcusdt@bookTicker', 'ethusdt@bookTicker'], ['solusdt@bookTicker']]);
    socket.unsubscribe(['ethusdt@bookTicker', 'nope']);
    expect(JSON.parse(ws.sent[ws.sent.length - 1] ?? '{}')).toMatchObject({ method: 'UNSUBSCRIBE', params: ['ethusdt@bookTicker'] });
    expect(socket.subscriptions()).toEqual(['btcusdt@bookTicker', 'solusdt@bookTicker']);
  });

  it('drops undecodable frames and keeps going', () => {
    const { socket, seen, last } = setup();
    socket.start();
    last().accept();
    (last() as unknown as { ee: NodeEmitter }).ee.emit('message', Buffer.from('not json'), false);
    last().data('a', 1);
    expect(seen.message.map((m) => m.stream)).toEqual(['a']);
  });

  it('refuses more streams than one connection may carry, changing nothing', () => {
    const { socket, last } = setup();
    socket.start();
    last().accept();
    socket.subscribe(['a', 'b', 'c', 'd']);
    const err = (() => {
      try {
        socket.subscribe(['e', 'f']);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).code).toBe('WS_STREAM_LIMIT');
    expect((err as BusinessRuleError).details).toMatchObject({ subscribed: 4, requested: 2, max: 5 });
    expect(socket.subscriptions()).toEqual(['a', 'b', 'c', 'd']);
    expect(last().subscribed()).toEqual([['a', 'b', 'c', 'd']]);
    socket.subscribe(['e']);
    expect(socket.subscriptions()).toHaveLength(5);
  });

  it('validates its options', () => {
    const clock = new FakeClock();
    const bad = () =>
      new ReconnectingSocket({ clock, protocol: binanceLike({ maxMessagesPerSecond: 0, maxStreamsPerConnection: 1.5 }), maxConsecutiveFailures: -1 });
    expect(bad).toThrow(ValidationError);
    try {
      bad();
    } catch (e) {
      expect((e as ValidationError).issues.map((i) => i.path)).toEqual([
        'url',
        'protocol.maxStreamsPerConnection',
        'protocol.maxMessagesPerSecond',
        'maxConsecutiveFailures',
      ]);
    }
  });
});

describe('ReconnectingSocket: backoff and reconnect', () => {
  it('waits min(maxWait, base·2^retry) + U(0, jitter) between failed attempts, exactly', () => {
    const { clock, t0, sockets, socket, seen, last } = setup();
    socket.start();
    for (let i = 0; i < 6; i++) {
      last().refuse();
      clock.advance(seen.reconnecting[seen.reconnecting.length - 1]?.delayMs ?? 0);
    }
    // Failures 1..6 → retry counts 1..6: 100·2^n capped at 1000, plus 0.5·100 jitter.
    expect(seen.reconnecting.map((r) => [r.retryCount, r.delayMs, r.reason])).toEqual([
      [1, 250, 'connect_failed'],
      [2, 450, 'connect_failed'],
      [3, 850, 'connect_failed'],
      [4, 1_050, 'connect_failed'],
      [5, 1_050, 'connect_failed'],
      [6, 1_050, 'connect_failed'],
    ]);
    expect(sockets.map((s) => s.createdAt - t0)).toEqual([0, 250, 700, 1_550, 2_600, 3_650, 4_700]);
    expect(socket.retryCount).toBe(6);
  });

  it('a success resets retry_count: the next drop waits the base again', () => {
    const { clock, socket, seen, last } = setup();
    socket.start();
    last().accept();
    expect(seen.open[0]).toMatchObject({ connectionId: 1, reconnect: false });
    last().drop();
    clock.advance(150);
    last().refuse();
    clock.advance(250);
    last().refuse();
    expect(socket.retryCount).toBe(2);
    clock.advance(450);
    last().accept();
    expect(socket.retryCount).toBe(0);
    expect(seen.reconnected).toEqual([{ connectionId: 4, downtimeMs: 850, attempts: 3, ts: clock.now() }]);
    last().drop();
    expect(seen.reconnecting.map((r) => [r.retryCount, r.delayMs, r.reason])).toEqual([
      [0, 150, 'closed'],
      [1, 250, 'connect_failed'],
      [2, 450, 'connect_failed'],
      [0, 150, 'closed'],
    ]);
    expect(socket.state).toBe('reconnecting');
  });

  it('resubscribes everything that was subscribed, after every reconnect', () => {
    const { clock, socket, sockets, last, seen } = setup();
    socket.subscribe(['a', 'b']);
    socket.start();
    last().accept();
    socket.subscribe(['c']);
    socket.unsubscribe(['b']);
    last().drop();
    socket.subscribe(['d']); // while down: remembered, sent on the next open
    clock.advance(150);
    expect(sockets).toHaveLength(2);
    last().accept();
    expect(last().subscribed()).toEqual([['a', 'c', 'd']]);
    last().data('d', 1);
    expect(seen.message.map((m) => [m.stream, m.connectionId])).toEqual([['d', 2]]);
    expect(seen.open.map((o) => o.reconnect)).toEqual([false, true]);
  });

  it('times out an attempt that never opens', () => {
    const { clock, socket, sockets, seen } = setup({ connectTimeoutMs: 2_000 });
    socket.start();
    clock.advance(1_999);
    expect(seen.reconnecting).toHaveLength(0);
    clock.advance(1);
    expect(sockets[0]?.closedWith).toBe(1006);
    expect(seen.reconnecting[0]).toMatchObject({ retryCount: 1, delayMs: 250, reason: 'connect_timeout' });
  });

  it('treats a factory that throws (bad URL) as a failed attempt', () => {
    const clock = new FakeClock();
    const reasons: string[] = [];
    const socket = new ReconnectingSocket({
      url: 'nope',
      clock,
      protocol: binanceLike(),
      socketFactory: () => {
        throw new SyntaxError('Invalid URL');
      },
      backoff: { baseMs: 10, maxMs: 10, jitterMs: 0 },
      metricsIntervalMs: 0,
    });
    socket.events.on('reconnecting', (e) => reasons.push(`${e.reason}:${e.retryCount}`));
    socket.start();
    clock.advance(25);
    expect(reasons).toEqual(['connect_failed:1', 'connect_failed:2', 'connect_failed:3']);
  });
});

describe('ReconnectingSocket: refused upgrades and URLs', () => {
  it('honours Retry-After of a 429 (seconds or a unix timestamp) and alerts', () => {
    const { clock, t0, socket, seen, last, sockets } = setup();
    socket.start();
    last().refuseUpgrade(429, { 'retry-after': '30' });
    expect(sockets[0]?.closedWith).toBe(1006);
    expect(seen.reconnecting[0]).toMatchObject({ retryCount: 1, delayMs: 30_000, reason: 'connect_failed' });
    expect(seen.alert[0]).toMatchObject({ level: 'WARN', code: 'WS_RATE_LIMITED', details: { status: 429, retryAfterMs: 30_000 } });
    clock.advance(30_000);
    last().refuseUpgrade(418, { 'retry-after': String(Math.floor((t0 + 120_000) / 1_000)) });
    expect(seen.alert[1]).toMatchObject({ level: 'ERROR', code: 'WS_IP_BANNED' });
    expect(seen.reconnecting[1]?.delayMs).toBe(90_000);
    clock.advance(90_000);
    last().refuseUpgrade(503);
    expect(seen.reconnecting[2]?.delayMs).toBe(850); // no Retry-After: plain backoff
    expect(seen.alert).toHaveLength(2);
  });

  it('builds the URL from the streams and skips subscribe messages the URL already covers', () => {
    const { socket, last } = setup({ url: undefined, urlFor: (s) => `wss://venue.test/stream?streams=${s.join('/')}`, urlIncludesStreams: true });
    socket.subscribe(['a', 'b']);
    socket.start();
    expect(last().url).toBe('wss://venue.test/stream?streams=a/b');
    socket.subscribe(['c']); // while connecting: not in this URL, subscribed on open
    last().accept();
    expect(last().subscribed()).toEqual([['c']]);
  });

  it('cuts a peer that does not answer the closing handshake after 1 s', async () => {
    const { clock, socket, last, seen } = setup();
    socket.start();
    last().accept();
    last().lazyClose = true;
    let done = false;
    const closing = socket.close().then(() => (done = true));
    await clock.tickAsync(999);
    expect(done).toBe(false);
    expect(last().readyState).toBe(2);
    await clock.tickAsync(1);
    await closing;
    expect(last().closedWith).toBe(1006);
    expect(seen.closed).toHaveLength(1);
  });

  it('closes an attempt still connecting', async () => {
    const { socket, last, seen } = setup();
    socket.start();
    await socket.close();
    expect(last().closedWith).toBe(1006);
    expect(seen.closed).toHaveLength(1);
    expect(seen.reconnecting).toHaveLength(0);
  });
});

describe('ReconnectingSocket: FATAL after N_max consecutive failures', () => {
  it('raises fatal, a FATAL alert and the degraded signal once, keeps retrying at the cap, and recovers', () => {
    const { clock, t0, socket, seen, last } = setup({ maxConsecutiveFailures: 3 });
    socket.subscribe(['a']);
    socket.start();
    for (let i = 0; i < 3; i++) {
      last().refuse();
      clock.advance(seen.reconnecting[seen.reconnecting.length - 1]?.delayMs ?? 0);
    }
    expect(seen.fatal).toHaveLength(0);
    last().refuse(); // the 4th consecutive failure: more than N_max = 3
    const fatalAt = clock.now();
    expect(seen.fatal).toHaveLength(1);
    const fatal = seen.fatal[0]!;
    expect(fatal.error).toBeInstanceOf(FatalError);
    expect(fatal.error.code).toBe('WS_FATAL');
    expect(fatal.failures).toBe(4);
    expect(fatal.degraded).toEqual({ mode: 'manage_existing_positions_only', reason: 'ws ws FATAL', since: fatalAt });
    expect(seen.degraded).toEqual([fatal.degraded]);
    expect(seen.alert).toEqual([
      expect.objectContaining({ level: 'FATAL', code: 'WS_FATAL', ts: fatalAt, details: expect.objectContaining({ failures: 4, maxConsecutiveFailures: 3 }) }),
    ]);
    expect(socket.degraded).toEqual(fatal.degraded);
    // Still retrying, at the cap, without raising again.
    for (let i = 0; i < 5; i++) {
      clock.advance(seen.reconnecting[seen.reconnecting.length - 1]?.delayMs ?? 0);
      last().refuse();
    }
    expect(seen.fatal).toHaveLength(1);
    expect(seen.reconnecting.slice(-3).map((r) => r.delayMs)).toEqual([1_050, 1_050, 1_050]);
    clock.advance(1_050);
    last().accept();
    expect(seen.recovered).toEqual([{ reason: 'ws ws FATAL', downtimeMs: clock.now() - t0, failures: 9, ts: clock.now() }]);
    expect(seen.alert[1]).toMatchObject({ level: 'INFO', code: 'WS_RECOVERED' });
    expect(socket.degraded).toBeUndefined();
    expect(last().subscribed()).toEqual([['a']]);
  });
});

describe('ReconnectingSocket: liveness', () => {
  it('sends WebSocket pings, reports ws_rtt, and replaces a connection whose pong is late', () => {
    const { clock, socket, seen, last, sockets } = setup({}, { clientPing: { intervalMs: 30_000, timeoutMs: 5_000 } });
    socket.start();
    const ws = last();
    ws.accept();
    clock.advance(29_999);
    expect(ws.pings).toBe(0);
    clock.advance(1);
    expect(ws.pings).toBe(1);
    clock.advance(42);
    ws.pong();
    expect(seen.metric).toEqual([{ name: 'ws_rtt', value: 42, unit: 'ms', ts: clock.now(), labels: { name: 'ws', connectionId: 1 } }]);
    ws.pong(); // unsolicited: no sample
    expect(seen.metric).toHaveLength(1);
    clock.advance(30_000 - 42);
    expect(ws.pings).toBe(2);
    clock.advance(4_999);
    expect(seen.reconnecting).toHaveLength(0);
    clock.advance(1);
    expect(ws.closedWith).toBe(1006);
    expect(seen.reconnecting[0]).toMatchObject({ retryCount: 0, delayMs: 150, reason: 'ping_timeout' });
    clock.advance(150);
    expect(sockets).toHaveLength(2);
  });

  it('sends application-level pings when the venue wants them and reads the pong control message', () => {
    const { clock, socket, seen, last } = setup({}, { clientPing: { intervalMs: 10_000, message: () => '{"method":"ping"}' } });
    socket.start();
    last().accept();
    clock.advance(10_000);
    expect(last().sent).toEqual(['{"method":"ping"}']);
    expect(last().pings).toBe(0);
    clock.advance(15);
    last().push({ pong: true });
    expect(seen.metric.map((m) => [m.name, m.value])).toEqual([['ws_rtt', 15]]);
    expect(seen.control.map((c) => c.kind)).toEqual(['pong']);
  });

  it('replaces a connection on which nothing arrived for idleTimeoutMs; server pings keep it alive', () => {
    const { clock, socket, seen, last } = setup({}, { idleTimeoutMs: 60_000 });
    socket.start();
    last().accept();
    for (let i = 0; i < 5; i++) {
      clock.advance(20_000);
      last().serverPing();
    }
    expect(seen.reconnecting).toHaveLength(0);
    clock.advance(59_999);
    expect(seen.reconnecting).toHaveLength(0);
    clock.advance(1);
    expect(seen.reconnecting[0]).toMatchObject({ reason: 'idle_timeout' });
  });
});

describe('ReconnectingSocket: staleness watchdog', () => {
  it('renews when a watched stream is silent too long while the connection lives, with no gap on the others', () => {
    const { clock, socket, seen, last, sockets, us } = setup({ maxSilenceMs: (s) => (s === 'a' ? 5_000 : undefined) });
    socket.subscribe(['a', 'b']);
    socket.start();
    const old = last();
    old.accept();
    for (let i = 1; i <= 10; i++) {
      clock.advance(1_000);
      old.data('a', i);
      old.serverPing();
    }
    const lastA = clock.now();
    // 'a' goes silent; 'b' and pings continue.
    for (let i = 1; i <= 4; i++) {
      clock.advance(1_000);
      old.data('b', 100 + i);
      old.serverPing();
    }
    expect(seen.stale).toHaveLength(0);
    clock.advance(999);
    expect(seen.stale).toHaveLength(0);
    clock.advance(1);
    expect(seen.stale).toEqual([{ stream: 'a', silentMs: 5_000, maxSilenceMs: 5_000, ts: lastA + 5_000 }]);
    expect(seen.alert.map((a) => a.code)).toEqual(['WS_STREAM_STALE']);
    expect(seen.renewing).toEqual([{ reason: 'stale', delayMs: 0, ts: lastA + 5_000 }]);
    expect(sockets).toHaveLength(2);
    expect(old.closedWith).toBeUndefined();
    const fresh = last();
    fresh.accept();
    expect(fresh.subscribed()).toEqual([['a', 'b']]);
    // 'b' keeps flowing on the old connection until the new one catches up; 'a' moves at once.
    old.data('b', 105);
    fresh.data('a', 11);
    fresh.data('b', 105);
    old.data('b', 106);
    fresh.data('b', 106);
    expect(seen.renewed).toEqual([expect.objectContaining({ reason: 'stale', connectionId: 2 })]);
    expect(old.closedWith).toBe(1000);
    fresh.data('b', 107);
    expect(us()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 101, 102, 103, 104, 105, 11, 106, 107]);
    expect(seen.reconnecting).toHaveLength(0);
  });

  it('backs off consecutive stale renewals of a stream that stays silent, and resets when it speaks', () => {
    const { clock, socket, seen, last } = setup({ maxSilenceMs: 1_000, handoverTimeoutMs: 100 });
    socket.subscribe(['a']);
    socket.start();
    last().accept();
    clock.advance(1_000);
    last().accept();
    clock.advance(100); // hand-over timeout: the new connection takes over
    expect(seen.renewed).toHaveLength(1);
    clock.advance(1_000);
    expect(seen.renewing.map((r) => r.delayMs)).toEqual([0, 150]);
    clock.advance(150);
    last().accept();
    last().data('a', 1); // speaks again on the new connection
    expect(seen.renewed).toHaveLength(2);
    clock.advance(1_000);
    expect(seen.renewing.map((r) => r.delayMs)).toEqual([0, 150, 0]);
  });
});

describe('ReconnectingSocket: make-before-break renewal', () => {
  const day = 24 * 3_600_000;

  it('opens the replacement at lifetime − renewBefore and hands over with no gap and no duplicate', () => {
    const { clock, t0, socket, sockets, seen, last, us } = setup({}, { lifetimeMs: day, renewBeforeMs: 600_000 });
    socket.subscribe(['a', 'b']);
    socket.start();
    const old = last();
    old.accept();
    clock.advance(day - 600_000 - 1);
    expect(sockets).toHaveLength(1);
    clock.advance(1);
    expect(sockets).toHaveLength(2);
    expect(last().createdAt - t0).toBe(day - 600_000);
    expect(seen.renewing).toEqual([{ reason: 'lifetime', delayMs: 0, ts: t0 + day - 600_000 }]);
    const fresh = last();
    old.data('a', 1);
    old.data('b', 50);
    clock.advance(30);
    fresh.accept();
    expect(fresh.subscribed()).toEqual([['a', 'b']]);
    // Stream a: the new connection is ahead (starts at 4 while the old has delivered 2).
    old.data('a', 2);
    fresh.data('a', 4);
    fresh.data('a', 5);
    old.data('a', 3);
    old.data('a', 4); // caught up: 5 comes from the buffer
    old.data('a', 5); // already delivered
    // Stream b: the new connection is behind (repeats 50, 51).
    old.data('b', 51);
    old.data('b', 52);
    fresh.data('b', 50);
    fresh.data('b', 51);
    fresh.data('b', 52);
    fresh.data('b', 53);
    expect(seen.renewed).toEqual([{ reason: 'lifetime', connectionId: 2, overlapMs: 0, ts: t0 + day - 600_000 + 30 }]);
    expect(old.closedWith).toBe(1000);
    fresh.data('a', 6);
    old.data('a', 7); // a retired socket is deaf
    const a = seen.message.filter((m) => m.stream === 'a').map((m) => (m.data as { data: { u: number } }).data.u);
    const b = seen.message.filter((m) => m.stream === 'b').map((m) => (m.data as { data: { u: number } }).data.u);
    expect(a).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b).toEqual([50, 51, 52, 53]);
    expect(us()).toHaveLength(10);
    // The next renewal counts from the new connection's own open.
    const nextAt = t0 + day - 600_000 + 30 + day - 600_000;
    clock.setTime(nextAt - 1);
    expect(sockets).toHaveLength(2);
    clock.setTime(nextAt);
    expect(sockets).toHaveLength(3);
    expect(seen.reconnecting).toHaveLength(0);
    expect(seen.open).toHaveLength(1);
  });

  it('without sequence numbers, switches each stream at the new connection’s first message', () => {
    const { clock, socket, seen, last } = setup({}, { lifetimeMs: 1_000, renewBeforeMs: 100, sequenceOf: undefined });
    socket.subscribe(['a']);
    socket.start();
    const old = last();
    old.accept();
    clock.advance(900);
    const fresh = last();
    fresh.accept();
    old.data('a', 1);
    fresh.data('a', 2);
    old.data('a', 3);
    expect(seen.message.map((m) => m.connectionId)).toEqual([1, 2]);
    expect(seen.renewed).toHaveLength(1);
  });

  it('renews at once on a serverShutdown notice', () => {
    const { socket, sockets, seen, last } = setup();
    socket.subscribe(['a']);
    socket.start();
    const old = last();
    old.accept();
    old.push({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: 1 } });
    expect(seen.control.map((c) => c.kind)).toEqual(['shutdown']);
    expect(seen.renewing).toEqual([expect.objectContaining({ reason: 'shutdown', delayMs: 0 })]);
    expect(sockets).toHaveLength(2);
    last().accept();
    old.data('a', 1);
    last().data('a', 1);
    expect(seen.renewed).toEqual([expect.objectContaining({ reason: 'shutdown', connectionId: 2 })]);
    expect(seen.message).toHaveLength(1);
    expect(old.closedWith).toBe(1000);
  });

  it('finishes the hand-over when the old connection drops first, without a reconnect', () => {
    const { socket, seen, last, sockets } = setup();
    socket.subscribe(['a']);
    socket.start();
    const old = last();
    old.accept();
    expect(socket.renew()).toBe(true);
    expect(socket.renew()).toBe(false);
    const fresh = last();
    fresh.accept();
    old.data('a', 1);
    fresh.data('a', 3); // ahead of the old connection: buffered until it catches up
    expect(seen.renewed).toHaveLength(0);
    old.drop();
    expect(seen.renewed).toEqual([expect.objectContaining({ reason: 'manual', connectionId: 2 })]);
    expect(seen.message.map((m) => [m.connectionId, (m.data as { data: { u: number } }).data.u])).toEqual([
      [1, 1],
      [2, 3],
    ]);
    expect(seen.reconnecting).toHaveLength(0);
    expect(sockets).toHaveLength(2);
    expect(socket.connectionId).toBe(2);
  });

  it('lets a still-connecting replacement become the reconnect when the old connection drops', () => {
    const { socket, seen, last, sockets } = setup();
    socket.subscribe(['a']);
    socket.start();
    last().accept();
    socket.renew();
    sockets[0]!.drop();
    expect(seen.reconnecting).toEqual([expect.objectContaining({ retryCount: 0, delayMs: 0, reason: 'closed' })]);
    last().accept();
    expect(seen.reconnected).toEqual([expect.objectContaining({ connectionId: 2, attempts: 1 })]);
    expect(sockets).toHaveLength(2);
    expect(last().subscribed()).toEqual([['a']]);
  });

  it('keeps the old connection when the replacement fails, and retries with backoff', () => {
    const { clock, socket, seen, last, sockets } = setup();
    socket.subscribe(['a']);
    socket.start();
    const old = last();
    old.accept();
    socket.renew();
    last().refuse();
    expect(seen.alert.map((a) => [a.level, a.code])).toEqual([['WARN', 'WS_RENEWAL_FAILED']]);
    expect(seen.renewing.map((r) => [r.reason, r.delayMs])).toEqual([
      ['manual', 0],
      ['manual', 150],
    ]);
    old.data('a', 1);
    expect(seen.message).toHaveLength(1);
    clock.advance(150);
    expect(sockets).toHaveLength(3);
    last().accept();
    old.data('a', 2);
    last().data('a', 2); // a repeat: the feeds overlap, the stream moves
    expect(seen.renewed).toHaveLength(1);
    expect(old.closedWith).toBe(1000);
    last().data('a', 3);
    expect(seen.message.map((m) => (m.data as { data: { u: number } }).data.u)).toEqual([1, 2, 3]);
  });
});

describe('ReconnectingSocket: venue limits', () => {
  it('sends at most maxMessagesPerSecond, in order, on the clock', async () => {
    const { clock, socket, last } = setup();
    socket.start();
    const ws = last();
    ws.accept();
    const done: number[] = [];
    const sends = Array.from({ length: 12 }, (_, i) => socket.send({ n: i }).then(() => done.push(i)));
    expect(ws.sent).toHaveLength(5);
    await clock.tickAsync(999);
    expect(ws.sent).toHaveLength(5);
    expect(done).toEqual([0, 1, 2, 3, 4]);
    await clock.tickAsync(1);
    expect(ws.sent).toHaveLength(10);
    await clock.tickAsync(1_000);
    await Promise.all(sends);
    expect(ws.sent.map((t) => (JSON.parse(t) as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('counts subscriptions and pings against the same per-connection limit', () => {
    const { clock, socket, last } = setup({}, { maxMessagesPerSecond: 2, subscribeMessages: (s) => s.map((x) => JSON.stringify({ method: 'SUBSCRIBE', params: [x] })) });
    socket.subscribe(['a', 'b', 'c']);
    socket.start();
    last().accept();
    expect(last().subscribed()).toEqual([['a'], ['b']]);
    clock.advance(1_000);
    expect(last().subscribed()).toEqual([['a'], ['b'], ['c']]);
  });

  it('rejects sends when not connected, and pending sends when the connection drops', async () => {
    const { socket, last } = setup({}, { maxMessagesPerSecond: 1 });
    await expect(socket.send('x')).rejects.toBeInstanceOf(NetworkError);
    socket.start();
    last().accept();
    const first = socket.send('1');
    const second = socket.send('2');
    last().drop();
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow(/closed before the message was sent/);
  });

  it('throttles connection attempts to the venue’s count per window', () => {
    const { clock, t0, socket, sockets } = setup({ backoff: { baseMs: 10, maxMs: 10, jitterMs: 0 } }, { maxConnectAttemptsPer: { count: 3, windowMs: 60_000 } });
    socket.start();
    while (clock.now() - t0 < 130_000) {
      const s = sockets[sockets.length - 1];
      if (s && s.readyState === 0) s.refuse();
      clock.advance(10);
    }
    expect(sockets.map((s) => s.createdAt - t0)).toEqual([0, 10, 20, 60_000, 60_010, 60_020, 120_000, 120_010, 120_020]);
  });

  it('shares one attempt queue across sockets of the same venue', () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const queue = new ThrottledQueue(clock, 2, 10_000);
    const created: number[] = [];
    const make = () =>
      new ReconnectingSocket({
        url: 'wss://venue.test/ws',
        clock,
        protocol: binanceLike(),
        connectQueue: queue,
        metricsIntervalMs: 0,
        socketFactory: (url) => {
          created.push(clock.now() - t0);
          return new FakeSocket(url, clock.now());
        },
      });
    [make(), make(), make()].forEach((s) => s.start());
    expect(created).toEqual([0, 0]);
    clock.advance(10_000);
    expect(created).toEqual([0, 0, 10_000]);
  });
});

describe('ReconnectingSocket: metrics and close', () => {
  it('emits delivered messages per second each interval', () => {
    const { clock, socket, seen, last } = setup({ metricsIntervalMs: 2_000 });
    socket.subscribe(['a']);
    socket.start();
    last().accept();
    for (let i = 0; i < 7; i++) last().data('a', i);
    last().push({ result: null, id: 1 }); // control: not counted
    clock.advance(2_000);
    clock.advance(2_000);
    expect(seen.metric.map((m) => [m.name, m.value, m.unit, m.labels.messages])).toEqual([
      ['mkt_throughput', 3.5, 'msg/s', 7],
      ['mkt_throughput', 0, 'msg/s', 0],
    ]);
  });

  it('closes the sockets, stops every timer and refuses further use', async () => {
    const { clock, socket, seen, last, sockets } = setup({ metricsIntervalMs: 1_000, maxSilenceMs: 1_000 }, { clientPing: { intervalMs: 500 }, lifetimeMs: 5_000 });
    socket.subscribe(['a']);
    socket.start();
    last().accept();
    await socket.close();
    expect(last().closedWith).toBe(1000);
    expect(seen.closed).toHaveLength(1);
    expect(socket.state).toBe('closed');
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(60_000);
    expect(sockets).toHaveLength(1);
    expect(() => socket.start()).toThrow(StateError);
    expect(() => socket.subscribe(['b'])).toThrow(StateError);
    await expect(socket.send('x')).rejects.toBeInstanceOf(StateError);
    await socket.close();
    expect(seen.closed).toHaveLength(1);
  });
});
