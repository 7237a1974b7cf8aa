/**
 * ReconnectingSocket against a real `ws` server on 127.0.0.1 (random port), on the system clock
 * with short intervals: random drops, a stream that goes silent while pings continue, a
 * serverShutdown notice, and lifetime rotation. Every loop is bounded and ends by itself.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { SystemClock } from '../src/clock/clock.js';
import { mulberry32 } from '../src/transport/backoff.js';
import { ReconnectingSocket, type ReconnectingSocketOptions } from '../src/transport/reconnecting-socket.js';
import type { ReconnectingSocketEvents, SocketMessage, VenueProtocol } from '../src/transport/socket-types.js';

const STREAMS = ['btcusdt@bookTicker', 'ethusdt@bookTicker', 'solusdt@bookTicker'] as const;
const [A, B, C] = STREAMS;

interface ServerConn {
  readonly id: number;
  readonly ws: WebSocket;
  readonly subs: Set<string>;
  /** Streams the server stops sending on this connection (pings go on). */
  readonly muted: Set<string>;
  closeCode: number | undefined;
}

/**
 * A tiny Binance-like market stream server: SUBSCRIBE/UNSUBSCRIBE with acks, combined-stream
 * envelopes `{stream, data: {u}}` where `u` counts up per stream, a ws ping every 50 ms.
 */
class LocalStreamServer {
  readonly conns: ServerConn[] = [];
  onConnection: (conn: ServerConn) => void = () => undefined;
  private readonly seq = new Map<string, number>();
  private wss: WebSocketServer | undefined;
  private publisher: NodeJS.Timeout | undefined;
  private pinger: NodeJS.Timeout | undefined;
  url = '';

  /** Upgrades still to refuse with HTTP 429 and `Retry-After: 0.1`. */
  refuseUpgrades = 0;
  refusedAt: number[] = [];

  async start(publishEveryMs = 4): Promise<void> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (_info, done) => {
        if (this.refuseUpgrades <= 0) return done(true);
        this.refuseUpgrades--;
        this.refusedAt.push(Date.now());
        done(false, 429, 'Too Many Requests', { 'Retry-After': '0.1' });
      },
    });
    this.wss = wss;
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    this.url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/stream`;
    wss.on('connection', (ws) => {
      const conn: ServerConn = { id: this.conns.length + 1, ws, subs: new Set(), muted: new Set(), closeCode: undefined };
      this.conns.push(conn);
      ws.on('error', () => undefined);
      ws.on('close', (code) => (conn.closeCode = code));
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as { method: string; params: string[]; id: number };
        if (msg.method === 'SUBSCRIBE') msg.params.forEach((s) => conn.subs.add(s));
        if (msg.method === 'UNSUBSCRIBE') msg.params.forEach((s) => conn.subs.delete(s));
        ws.send(JSON.stringify({ result: null, id: msg.id }));
      });
      this.onConnection(conn);
    });
    this.publisher = setInterval(() => this.publish(), publishEveryMs);
    this.pinger = setInterval(() => {
      for (const c of this.conns) if (c.ws.readyState === c.ws.OPEN) c.ws.ping();
    }, 50);
  }

  /** The newest connection. */
  current(): ServerConn | undefined {
    return this.conns[this.conns.length - 1];
  }

  private publish(): void {
    for (const stream of STREAMS) {
      const u = (this.seq.get(stream) ?? 0) + 1;
      this.seq.set(stream, u);
      const text = JSON.stringify({ stream, data: { u } });
      for (const c of this.conns) {
        if (c.ws.readyState === c.ws.OPEN && c.subs.has(stream) && !c.muted.has(stream)) c.ws.send(text);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.publisher);
    clearInterval(this.pinger);
    for (const c of this.conns) c.ws.terminate();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  }
}

const protocol: VenueProtocol = {
  subscribeMessages: (() => {
    let id = 0;
    return (streams: readonly string[]) => [JSON.stringify({ method: 'SUBSCRIBE', params: streams, id: ++id })];
  })(),
  unsubscribeMessages: (streams) => [JSON.stringify({ method: 'UNSUBSCRIBE', params: streams, id: 0 })],
  controlKind: (m) => {
    const msg = m as { id?: unknown; data?: { e?: string } };
    if (msg.id !== undefined && 'result' in (m as object)) return 'ack';
    if (msg.data?.e === 'serverShutdown') return 'shutdown';
    return undefined;
  },
  streamOf: (m) => (m as { stream?: string }).stream,
  sequenceOf: (m) => (m as { data?: { u?: number } }).data?.u,
  clientPing: { intervalMs: 100, timeoutMs: 2_000 },
  maxStreamsPerConnection: 1024,
  maxMessagesPerSecond: 50,
  maxConnectAttemptsPer: { count: 1_000, windowMs: 60_000 },
};

type Seen = { [K in keyof ReconnectingSocketEvents]: Parameters<ReconnectingSocketEvents[K]>[0][] };

function client(url: string, options: Partial<ReconnectingSocketOptions> = {}, proto: Partial<VenueProtocol> = {}) {
  const socket = new ReconnectingSocket({
    url,
    clock: new SystemClock(),
    protocol: { ...protocol, ...proto },
    random: mulberry32(1),
    backoff: { baseMs: 5, maxMs: 50, jitterMs: 5 },
    metricsIntervalMs: 50,
    ...options,
  });
  const seen: Seen = {
    open: [], message: [], control: [], reconnecting: [], reconnected: [], stale: [], renewing: [], renewed: [],
    fatal: [], degraded: [], recovered: [], alert: [], metric: [], closed: [],
  };
  for (const name of Object.keys(seen) as (keyof ReconnectingSocketEvents)[]) {
    socket.events.on(name, ((e: never) => (seen[name] as unknown[]).push(e)) as never);
  }
  const seqs = (stream: string, connectionId?: number): number[] =>
    seen.message
      .filter((m: SocketMessage) => m.stream === stream && (connectionId === undefined || m.connectionId === connectionId))
      .map((m) => (m.data as { data: { u: number } }).data.u);
  return { socket, seen, seqs };
}

/** Polls `cond` every 5 ms; fails after `timeoutMs`. */
async function waitFor(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Every step of `xs` is +1: no gap and no duplicate. Returns the first break, if any. */
function firstBreak(xs: readonly number[]): [number, number] | undefined {
  for (let i = 1; i < xs.length; i++) {
    const prev = xs[i - 1] ?? 0;
    const cur = xs[i] ?? 0;
    if (cur !== prev + 1) return [prev, cur];
  }
  return undefined;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setupServer(): Promise<LocalStreamServer> {
  const server = new LocalStreamServer();
  await server.start();
  cleanups.push(() => server.close());
  return server;
}

describe('ReconnectingSocket end to end (ws on 127.0.0.1)', () => {
  it('survives 50 drops at random moments: every subscription restored, messages resume', async () => {
    const server = await setupServer();
    const random = mulberry32(2025);
    let dropsLeft = 50;
    server.onConnection = (conn) => {
      if (dropsLeft <= 0) return;
      dropsLeft--;
      // Anywhere from before the SUBSCRIBE arrives to well after data flows.
      setTimeout(() => conn.ws.terminate(), Math.floor(random() * 30));
    };
    const { socket, seen, seqs } = client(server.url, { maxConsecutiveFailures: 1_000 });
    cleanups.push(() => socket.close());
    socket.subscribe([...STREAMS]);
    socket.start();
    await waitFor('the 50 drops and a stable connection with data on every stream', () => {
      const id = socket.connectionId;
      return dropsLeft === 0 && server.conns.length === 51 && id !== undefined && STREAMS.every((s) => seqs(s, id).length >= 5);
    }, 8_000);
    expect(server.conns).toHaveLength(51);
    // Every connection that lived long enough to subscribe got every stream back.
    const subscribedSets = server.conns.filter((c) => c.subs.size > 0).map((c) => [...c.subs].sort());
    expect(subscribedSets.length).toBeGreaterThan(0);
    for (const subs of subscribedSets) expect(subs).toEqual([...STREAMS].sort());
    expect([...server.current()!.subs].sort()).toEqual([...STREAMS].sort());
    expect(socket.subscriptions()).toEqual([...STREAMS]);
    expect(seen.reconnecting.length).toBeGreaterThanOrEqual(50);
    expect(seen.reconnected.length).toBeGreaterThanOrEqual(1);
    expect(seen.fatal).toHaveLength(0);
    // The live connection delivers a gap-free feed once it is up.
    const id = socket.connectionId!;
    for (const s of STREAMS) expect(firstBreak(seqs(s, id))).toBeUndefined();
    expect(socket.retryCount).toBe(0);
  });

  it('renews when one stream goes silent while pings continue, with no gap on the others', async () => {
    const server = await setupServer();
    const { socket, seen, seqs } = client(server.url, { maxSilenceMs: 300 });
    cleanups.push(() => socket.close());
    socket.subscribe([...STREAMS]);
    socket.start();
    await waitFor('data on every stream', () => STREAMS.every((s) => seqs(s).length >= 5));
    const first = server.current()!;
    first.muted.add(B);
    await waitFor('a renewal and B flowing again', () => seen.renewed.length === 1 && seqs(B, seen.renewed[0]!.connectionId).length >= 5);
    expect(seen.stale).toHaveLength(1);
    expect(seen.stale[0]).toMatchObject({ stream: B, maxSilenceMs: 300 });
    expect(seen.stale[0]!.silentMs).toBeGreaterThanOrEqual(300);
    expect(seen.renewing.map((r) => r.reason)).toEqual(['stale']);
    expect(seen.reconnecting).toHaveLength(0);
    await waitFor('the old connection closed by the client', () => first.closeCode !== undefined);
    expect(first.closeCode).toBe(1000);
    expect(firstBreak(seqs(A))).toBeUndefined();
    expect(firstBreak(seqs(C))).toBeUndefined();
    // Pings went on throughout: round trips were measured.
    expect(seen.metric.some((m) => m.name === 'ws_rtt' && m.value >= 0)).toBe(true);
  });

  it('moves to a new connection on serverShutdown before the server cuts the old one: no gap, no duplicate', async () => {
    const server = await setupServer();
    const { socket, seen, seqs } = client(server.url);
    cleanups.push(() => socket.close());
    socket.subscribe([...STREAMS]);
    socket.start();
    await waitFor('data on every stream', () => STREAMS.every((s) => seqs(s).length >= 10));
    const first = server.current()!;
    first.ws.send(JSON.stringify({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: Date.now() } }));
    const cut = setTimeout(() => first.ws.terminate(), 2_000);
    cleanups.push(async () => clearTimeout(cut));
    await waitFor('the renewal', () => seen.renewed.length === 1);
    const next = seen.renewed[0]!.connectionId;
    await waitFor('data on the new connection', () => STREAMS.every((s) => seqs(s, next).length >= 10));
    expect(seen.renewed[0]).toMatchObject({ reason: 'shutdown' });
    expect(seen.control.filter((c) => c.kind === 'shutdown')).toHaveLength(1);
    expect(seen.reconnecting).toHaveLength(0);
    await waitFor('the old connection closed by the client', () => first.closeCode !== undefined);
    expect(first.closeCode).toBe(1000);
    for (const s of STREAMS) expect(firstBreak(seqs(s))).toBeUndefined();
    expect(seen.metric.some((m) => m.name === 'mkt_throughput' && m.value > 0)).toBe(true);
  });

  it('waits out a real 429 upgrade refusal for its Retry-After, then connects', async () => {
    const server = await setupServer();
    server.refuseUpgrades = 2;
    const { socket, seen, seqs } = client(server.url);
    cleanups.push(() => socket.close());
    socket.subscribe([A]);
    const startedAt = Date.now();
    socket.start();
    await waitFor('data after two refusals', () => seqs(A).length >= 3);
    expect(server.refusedAt).toHaveLength(2);
    expect(seen.alert.filter((a) => a.code === 'WS_RATE_LIMITED')).toHaveLength(2);
    // Retry-After 0.1 s, counted from the refusal (a millisecond may pass before the wait is set).
    expect(seen.reconnecting.map((r) => [r.reason, r.delayMs >= 90])).toEqual([
      ['connect_failed', true],
      ['connect_failed', true],
    ]);
    expect((server.refusedAt[1] ?? 0) - (server.refusedAt[0] ?? 0)).toBeGreaterThanOrEqual(95);
    expect(seen.open[0]!.ts - startedAt).toBeGreaterThanOrEqual(195);
  });

  it('rotates through the connection lifetime again and again with no gap', async () => {
    const server = await setupServer();
    const { socket, seen, seqs } = client(server.url, {}, { lifetimeMs: 300, renewBeforeMs: 100 });
    cleanups.push(() => socket.close());
    socket.subscribe([...STREAMS]);
    socket.start();
    await waitFor('three lifetime renewals', () => seen.renewed.length >= 3, 4_000);
    const id = socket.connectionId!;
    await waitFor('data on the newest connection', () => STREAMS.every((s) => seqs(s, id).length >= 3));
    expect(seen.renewed.slice(0, 3).map((r) => r.reason)).toEqual(['lifetime', 'lifetime', 'lifetime']);
    expect(seen.reconnecting).toHaveLength(0);
    for (const s of STREAMS) expect(firstBreak(seqs(s))).toBeUndefined();
    // Old connections were closed by the client, never by the server.
    const closed = server.conns.filter((c) => c.closeCode !== undefined);
    expect(closed.length).toBeGreaterThanOrEqual(2);
    for (const c of closed) expect(c.closeCode).toBe(1000);
  });
});
