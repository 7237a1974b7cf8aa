/**
 * The WebSocket face of the local Binance exchange: the paper engine behind Binance's stream,
 * `/private` and WS API wire protocols, with scripted faults (DESIGN.md testing layer 3).
 *
 * @packageDocumentation
 */
import { createHmac, createPublicKey, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { SystemClock, type Clock, type Market, type PaperEngine, type PaperEngineEvents, type TimerHandle } from '@chimera/core';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeParams } from '../../rest/signing.js';
import type { BinanceWsUrls } from '../../ws/streams.js';
import { DepthFeed, type WireDepthSnapshot, type WireLevel } from './depth-feed.js';
import { LocalListenKeys } from './listen-keys.js';
import {
  isUmAlgoOrder,
  spotAccountPosition,
  spotBalanceUpdate,
  spotExecutionReport,
  spotListStatus,
  umAccountConfigUpdate,
  umAccountUpdate,
  umAlgoUpdate,
  umOrderTradeUpdate,
  type WireEvent,
} from './wire-user-events.js';
import type { Balance, Fill, Order, Position } from '@chimera/core';

/** A key the WS API accepts: an HMAC secret, or the public key of an Ed25519/RSA key pair. */
export type LocalApiKey = string | { publicKeyPem: string };

/** Options of {@link startLocalBinanceWs} and {@link attachBinanceWs}. */
export interface LocalBinanceWsOptions {
  /** The venue engine served. */
  engine: PaperEngine;
  /** Time of events, pings, mark-price ticks and listen keys (default system clock). */
  clock?: Clock;
  /** Interface to bind (default `127.0.0.1`; standalone only). */
  host?: string;
  /** Port (default 0: a free one; standalone only). */
  port?: number;
  /**
   * API keys the WS API accepts for `userDataStream.subscribe.signature`, by key id: the HMAC
   * secret, or `{ publicKeyPem }`. Absent: any key is accepted without a signature check.
   */
  apiKeys?: Readonly<Record<string, LocalApiKey>>;
  /** The listen-key registry, shared with the REST face (default a new one on `clock`). */
  listenKeys?: LocalListenKeys;
  /** Publish book changes as diffs at once (0, default) or batched every this many ms. */
  depthIntervalMs?: number;
  /** `markPrice@1s` cadence, ms (default 1000). */
  markPriceIntervalMs?: number;
  /** Server ping interval, ms (default 20 000, Binance Spot's); 0 disables. */
  serverPingIntervalMs?: number;
  /** Close a connection whose pong is this late, ms (default 60 000). */
  pongTimeoutMs?: number;
  /** Time between a `serverShutdown` notice and the close, ms (default 1000). */
  shutdownGraceMs?: number;
  /** Incoming messages per second before a connection is dropped (Spot 5, UM 10); `false` disables. */
  messageLimit?: { spot: number; um: number } | false;
  /** Update id before the first diff of every book (default 1 000 000). */
  firstUpdateId?: number;
  /** Spot pads prices and quantities to this many decimals, as Binance does (default 8). */
  spotDecimals?: number;
  /**
   * The client order id Binance shows for an engine order (default: the engine's own). The REST
   * face passes its alias table, so both faces name an OCO leg by the id the client chose.
   */
  clientIdOf?: (order: Pick<Order, 'market' | 'clientOrderId'>) => string;
}

/** Selects connections for a fault. */
export interface ConnectionFilter {
  /** `stream` (market data), `private` (UM user data), `wsapi` (Spot WS API). */
  kind?: ConnectionKind;
  /** Stream connections: `spot`, `public`, `market`. */
  route?: StreamRoute;
  /** One connection id. */
  id?: number;
}

/** What a connection serves. */
export type ConnectionKind = 'stream' | 'private' | 'wsapi';
/** The route of a market-stream connection. */
export type StreamRoute = 'spot' | 'public' | 'market';

/** One open connection, as the server sees it. */
export interface LocalConnectionInfo {
  id: number;
  kind: ConnectionKind;
  route: StreamRoute | undefined;
  /** Market streams subscribed (stream connections), or WS API subscription ids. */
  streams: string[];
  silent: boolean;
}

/** Scripted faults. Every method acts at once. */
export interface LocalWsFaults {
  /** Drops matching connections without a closing handshake. @returns how many. */
  drop(filter?: ConnectionFilter): number;
  /** Consumes `count` update ids of a book without sending them: the next diff shows a gap. */
  skipSequence(market: Market, symbol: string, count?: number): void;
  /** Publishes the next diff of a book to nobody: its changes are lost on the way. */
  loseNextDiff(market: Market, symbol: string): void;
  /** Stops (or resumes) data on matching connections; pings are still answered. @returns how many. */
  silence(filter?: ConnectionFilter, silent?: boolean): number;
  /** Sends `serverShutdown` to matching stream connections and closes them after the grace time. @returns how many. */
  serverShutdown(filter?: ConnectionFilter): number;
  /** Expires a listen key (or all): `listenKeyExpired`, then silence on its streams. @returns how many. */
  expireListenKey(listenKey?: string): number;
  /** Refuses the next `count` WebSocket upgrades with `status` (default 503). */
  refuseConnections(count: number, status?: number): void;
}

/** Counters of the WS face. */
export interface LocalWsStats {
  /** Connections accepted since start. */
  accepted: number;
  /** Upgrades refused (faults, unknown paths, invalid listen keys). */
  refused: number;
  /** Data frames sent. */
  framesSent: number;
  /** Depth diffs published (sent or lost). */
  diffs: number;
  /** Connections dropped for exceeding the incoming-message limit. */
  rateLimited: number;
}

/** The running WS face. */
export interface LocalBinanceWs {
  /** Endpoints to give the SDK (`ws://127.0.0.1:<port>…`). */
  readonly urls: BinanceWsUrls;
  /** The port. */
  readonly port: number;
  /** The listen-key registry (the REST face serves `/fapi/v1/listenKey` from it). */
  readonly listenKeys: LocalListenKeys;
  /** Scripted faults. */
  readonly faults: LocalWsFaults;
  /**
   * A depth snapshot matching the stream (pending changes are published first), as the REST face
   * serves it: Spot `GET /api/v3/depth` `{lastUpdateId,bids,asks}`, UM `GET /fapi/v1/depth` adds `E`, `T`.
   */
  depthSnapshot(market: Market, symbol: string, limit?: number): WireDepthSnapshot & { E?: number; T?: number };
  /** The whole published book of a symbol, best first (what a synced client must hold). */
  serverBook(market: Market, symbol: string): WireDepthSnapshot;
  /** Publishes pending book changes now (with `depthIntervalMs` > 0). */
  flushDepth(): void;
  /** Open connections. */
  connections(): LocalConnectionInfo[];
  /** Counters. */
  stats(): LocalWsStats;
  /** Closes every connection (and the server when standalone), stops timers, detaches from the engine. */
  close(): Promise<void>;
}

interface Conn {
  readonly id: number;
  readonly ws: WebSocket;
  readonly kind: ConnectionKind;
  readonly route: StreamRoute | undefined;
  readonly product: 'spot' | 'um' | undefined;
  combined: boolean;
  silent: boolean;
  readonly subs: Set<string>;
  /** UM private: the listen key; dead once it expired. */
  listenKey: string | undefined;
  dead: boolean;
  /** WS API subscriptions. */
  readonly subscriptions: Set<number>;
  readonly received: number[];
  pingSentAt: number | undefined;
}

const DEPTH_SUFFIXES = ['@depth', '@depth@100ms', '@depth@250ms', '@depth@500ms', '@depth@1000ms'];

/**
 * Starts the WS face on its own HTTP server (127.0.0.1, a free port by default).
 *
 * Paths: Spot market streams `/stream?streams=…` and `/ws[/<stream>]`; USDⓈ-M routes
 * `/public/…` (bookTicker, depth) and `/market/…` (aggTrade, markPrice) — a stream subscribed on
 * the wrong route is acknowledged but never delivered, as on Binance; UM user data
 * `/private/ws/<listenKey>` (or `?listenKey=`); the Spot WS API `/ws-api/v3`.
 */
export async function startLocalBinanceWs(options: LocalBinanceWsOptions): Promise<LocalBinanceWs> {
  const server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  return new LocalWsServer(server, options, true);
}

/**
 * Serves the WS face on an existing HTTP server (the REST face's), sharing its port: upgrades on
 * the WS paths are taken, others are left alone.
 */
export function attachBinanceWs(server: Server, options: LocalBinanceWsOptions): LocalBinanceWs {
  return new LocalWsServer(server, options, false);
}

class LocalWsServer implements LocalBinanceWs {
  readonly urls: BinanceWsUrls;
  readonly port: number;
  readonly listenKeys: LocalListenKeys;
  readonly faults: LocalWsFaults;

  private readonly engine: PaperEngine;
  private readonly clock: Clock;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Map<number, Conn>();
  /** `product|stream` → subscribed connections. */
  private readonly index = new Map<string, Set<Conn>>();
  private readonly feeds = new Map<string, DepthFeed>();
  private readonly lastTop = new Map<string, string>();
  private readonly lose = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly pendingFills = new Map<string, Fill[]>();
  private readonly leverage = new Map<string, number>();
  private readonly timers: TimerHandle[] = [];
  private readonly intervals: TimerHandle[] = [];
  private readonly detach: (() => void)[] = [];
  private depthTimer: TimerHandle | undefined;
  private balanceBatch: { SPOT: Balance[]; FUT: Balance[]; positions: Position[] } | undefined;
  private nextConnId = 1;
  private nextSubscriptionId = 0;
  private aggId = 1;
  private refuse: { count: number; status: number } = { count: 0, status: 503 };
  private readonly counters: LocalWsStats = { accepted: 0, refused: 0, framesSent: 0, diffs: 0, rateLimited: 0 };
  private closed = false;

  constructor(
    private readonly server: Server,
    private readonly options: LocalBinanceWsOptions,
    private readonly owned: boolean,
  ) {
    this.engine = options.engine;
    this.clock = options.clock ?? new SystemClock();
    this.listenKeys = options.listenKeys ?? new LocalListenKeys(this.clock);
    const address = server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    const origin = `ws://127.0.0.1:${this.port}`;
    this.urls = {
      spotStream: origin,
      spotWsApi: `${origin}/ws-api/v3`,
      umPublic: `${origin}/public`,
      umMarket: `${origin}/market`,
      umPrivate: `${origin}/private`,
    };
    this.faults = this.makeFaults();
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => this.onUpgrade(req, socket, head);
    server.on('upgrade', onUpgrade);
    this.detach.push(() => server.off('upgrade', onUpgrade));
    this.attachEngine();
    const markEvery = options.markPriceIntervalMs ?? 1_000;
    if (markEvery > 0) this.intervals.push(this.clock.setInterval(() => this.publishMarks(), markEvery));
    const pingEvery = options.serverPingIntervalMs ?? 20_000;
    if (pingEvery > 0) this.intervals.push(this.clock.setInterval(() => this.pingAll(), pingEvery));
    this.intervals.push(this.clock.setInterval(() => this.listenKeys.sweep(), Math.max(1_000, Math.min(60_000, this.listenKeys.validityMs / 4))));
    const onExpired = (key: string): void => this.onListenKeyGone(key, true);
    const onClosed = (key: string): void => this.onListenKeyGone(key, false);
    this.listenKeys.events.on('expired', onExpired);
    this.listenKeys.events.on('closed', onClosed);
    this.detach.push(() => {
      this.listenKeys.events.off('expired', onExpired);
      this.listenKeys.events.off('closed', onClosed);
    });
  }

  // ---------------------------------------------------------------- public surface

  depthSnapshot(market: Market, symbol: string, limit = 1000): WireDepthSnapshot & { E?: number; T?: number } {
    this.publishDepth(market, symbol);
    const snap = this.feed(market, symbol).snapshot(limit);
    const pad = this.padder(market);
    const out: WireDepthSnapshot & { E?: number; T?: number } = {
      lastUpdateId: snap.lastUpdateId,
      bids: snap.bids.map(([p, q]) => [pad(p), pad(q)]),
      asks: snap.asks.map(([p, q]) => [pad(p), pad(q)]),
    };
    if (market === 'FUT') {
      const now = this.clock.now();
      return { lastUpdateId: out.lastUpdateId, E: now, T: now, bids: out.bids, asks: out.asks };
    }
    return out;
  }

  serverBook(market: Market, symbol: string): WireDepthSnapshot {
    return this.feed(market, symbol).snapshot();
  }

  flushDepth(): void {
    this.clock.clearTimeout(this.depthTimer);
    this.depthTimer = undefined;
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) {
      const [market, symbol] = key.split('|') as [Market, string];
      this.publishDepth(market, symbol);
    }
  }

  connections(): LocalConnectionInfo[] {
    return [...this.conns.values()].map((c) => ({
      id: c.id,
      kind: c.kind,
      route: c.route,
      streams: c.kind === 'wsapi' ? [...c.subscriptions].map(String) : [...c.subs].sort(),
      silent: c.silent,
    }));
  }

  stats(): LocalWsStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const d of this.detach) d();
    for (const t of this.timers) this.clock.clearTimeout(t);
    for (const t of this.intervals) this.clock.clearInterval(t);
    this.clock.clearTimeout(this.depthTimer);
    for (const c of this.conns.values()) c.ws.terminate();
    this.conns.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (this.owned) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
  }

  // ---------------------------------------------------------------- faults

  private makeFaults(): LocalWsFaults {
    return {
      drop: (filter) => {
        const hit = this.select(filter);
        for (const c of hit) c.ws.terminate();
        return hit.length;
      },
      skipSequence: (market, symbol, count = 1) => {
        this.publishDepth(market, symbol);
        this.feed(market, symbol).skip(count);
      },
      loseNextDiff: (market, symbol) => {
        this.lose.add(`${market}|${symbol}`);
      },
      silence: (filter, silent = true) => {
        const hit = this.select(filter);
        for (const c of hit) c.silent = silent;
        return hit.length;
      },
      serverShutdown: (filter) => {
        const hit = this.select({ ...filter, kind: 'stream' });
        const now = this.clock.now();
        for (const c of hit) {
          const data = { e: 'serverShutdown', E: now };
          this.sendRaw(c, c.combined ? JSON.stringify({ stream: '!serverShutdown', data }) : JSON.stringify(data));
          this.timers.push(this.clock.setTimeout(() => c.ws.close(1001, 'server shutdown'), this.options.shutdownGraceMs ?? 1_000));
        }
        return hit.length;
      },
      expireListenKey: (listenKey) => this.listenKeys.expire(listenKey).length,
      refuseConnections: (count, status = 503) => {
        this.refuse = { count: Math.max(0, count), status };
      },
    };
  }

  private select(filter: ConnectionFilter = {}): Conn[] {
    return [...this.conns.values()].filter(
      (c) => (filter.kind === undefined || c.kind === filter.kind) && (filter.route === undefined || c.route === filter.route) && (filter.id === undefined || c.id === filter.id),
    );
  }

  // ---------------------------------------------------------------- connections

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://local');
    const target = this.route(url);
    if (target === undefined) {
      if (this.owned) this.reject(socket, 404);
      return;
    }
    if (this.closed) return this.reject(socket, 503);
    if (this.refuse.count > 0) {
      this.refuse.count--;
      return this.reject(socket, this.refuse.status);
    }
    if (target.kind === 'private' && (target.listenKey === undefined || !this.listenKeys.isActive(target.listenKey))) {
      return this.reject(socket, 400);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, target));
  }

  private reject(socket: Duplex, status: number): void {
    this.counters.refused++;
    socket.write(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Refused'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }

  private route(url: URL):
    | { kind: 'stream'; route: StreamRoute; combined: boolean; streams: string[] }
    | { kind: 'private'; listenKey: string | undefined }
    | { kind: 'wsapi' }
    | undefined {
    const parts = url.pathname.split('/').filter((p) => p !== '');
    if (parts[0] === 'ws-api' && parts[1] === 'v3' && parts.length === 2) return { kind: 'wsapi' };
    if (parts[0] === 'private') {
      if (parts[1] !== 'ws' && parts[1] !== 'stream') return undefined;
      return { kind: 'private', listenKey: parts[2] ?? url.searchParams.get('listenKey') ?? undefined };
    }
    let route: StreamRoute = 'spot';
    let rest = parts;
    if (parts[0] === 'public' || parts[0] === 'market') {
      route = parts[0];
      rest = parts.slice(1);
    }
    if (rest[0] === 'stream' && rest.length === 1) {
      const streams = (url.searchParams.get('streams') ?? '').split('/').filter((s) => s !== '');
      return { kind: 'stream', route, combined: true, streams };
    }
    if (rest[0] === 'ws') return { kind: 'stream', route, combined: false, streams: rest.slice(1) };
    return undefined;
  }

  private onConnection(ws: WebSocket, target: NonNullable<ReturnType<LocalWsServer['route']>>): void {
    this.counters.accepted++;
    const conn: Conn = {
      id: this.nextConnId++,
      ws,
      kind: target.kind,
      route: target.kind === 'stream' ? target.route : undefined,
      product: target.kind === 'stream' ? (target.route === 'spot' ? 'spot' : 'um') : target.kind === 'private' ? 'um' : 'spot',
      combined: target.kind === 'stream' ? target.combined : false,
      silent: false,
      subs: new Set(),
      listenKey: target.kind === 'private' ? target.listenKey : undefined,
      dead: false,
      subscriptions: new Set(),
      received: [],
      pingSentAt: undefined,
    };
    this.conns.set(conn.id, conn);
    if (target.kind === 'stream') for (const s of target.streams) this.addSub(conn, s);
    ws.on('message', (data, isBinary) => {
      if (isBinary || !this.countIncoming(conn)) return;
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      if (conn.kind === 'stream') this.onStreamRequest(conn, text);
      else if (conn.kind === 'wsapi') this.onWsApiRequest(conn, text);
    });
    ws.on('ping', () => this.countIncoming(conn));
    ws.on('pong', () => {
      conn.pingSentAt = undefined;
    });
    ws.on('close', () => this.forget(conn));
    ws.on('error', () => this.forget(conn));
  }

  private forget(conn: Conn): void {
    if (!this.conns.delete(conn.id)) return;
    for (const s of conn.subs) this.index.get(`${conn.product}|${s}`)?.delete(conn);
  }

  /** Counts an incoming message; drops the connection past the limit. @returns false when dropped. */
  private countIncoming(conn: Conn): boolean {
    const limits = this.options.messageLimit;
    if (limits === false || conn.kind !== 'stream') return true;
    const limit = conn.product === 'spot' ? (limits?.spot ?? 5) : (limits?.um ?? 10);
    const now = this.clock.now();
    conn.received.push(now);
    while (conn.received.length > 0 && conn.received[0]! <= now - 1_000) conn.received.shift();
    if (conn.received.length <= limit) return true;
    this.counters.rateLimited++;
    conn.ws.close(1008, 'Too many requests');
    this.forget(conn);
    return false;
  }

  private pingAll(): void {
    const now = this.clock.now();
    const timeout = this.options.pongTimeoutMs ?? 60_000;
    for (const c of this.conns.values()) {
      if (c.pingSentAt !== undefined && now - c.pingSentAt > timeout) {
        c.ws.terminate();
        continue;
      }
      if (c.pingSentAt === undefined) c.pingSentAt = now;
      try {
        c.ws.ping();
      } catch {
        c.ws.terminate();
      }
    }
  }

  private addSub(conn: Conn, stream: string): void {
    conn.subs.add(stream);
    const key = `${conn.product}|${stream}`;
    let set = this.index.get(key);
    if (set === undefined) {
      set = new Set();
      this.index.set(key, set);
    }
    set.add(conn);
  }

  private removeSub(conn: Conn, stream: string): void {
    conn.subs.delete(stream);
    this.index.get(`${conn.product}|${stream}`)?.delete(conn);
  }

  private onStreamRequest(conn: Conn, text: string): void {
    let msg: { method?: unknown; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return this.sendRaw(conn, JSON.stringify({ error: { code: 3, msg: 'Invalid JSON' }, id: null }));
    }
    const id = msg.id ?? null;
    const params = Array.isArray(msg.params) ? msg.params : [];
    switch (msg.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
        if (!params.every((p) => typeof p === 'string' && p.length > 0)) {
          return this.sendRaw(conn, JSON.stringify({ error: { code: 2, msg: 'Invalid request: stream names must be strings' }, id }));
        }
        for (const s of params as string[]) {
          if (msg.method === 'SUBSCRIBE') this.addSub(conn, s);
          else this.removeSub(conn, s);
        }
        return this.sendRaw(conn, JSON.stringify({ result: null, id }));
      case 'LIST_SUBSCRIPTIONS':
        return this.sendRaw(conn, JSON.stringify({ result: [...conn.subs], id }));
      case 'SET_PROPERTY':
        if (params[0] === 'combined') conn.combined = params[1] === true;
        return this.sendRaw(conn, JSON.stringify({ result: null, id }));
      case 'GET_PROPERTY':
        return this.sendRaw(conn, JSON.stringify({ result: params[0] === 'combined' ? conn.combined : null, id }));
      default:
        return this.sendRaw(conn, JSON.stringify({ error: { code: 2, msg: 'Invalid request: unknown method' }, id }));
    }
  }

  // ---------------------------------------------------------------- Spot WS API

  private onWsApiRequest(conn: Conn, text: string): void {
    let msg: { id?: unknown; method?: unknown; params?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return this.sendRaw(conn, JSON.stringify({ id: null, status: 400, error: { code: -1102, msg: 'Malformed request.' } }));
    }
    const id = msg.id ?? null;
    const params = typeof msg.params === 'object' && msg.params !== null ? (msg.params as Record<string, unknown>) : {};
    const ok = (result: unknown): void => this.sendRaw(conn, JSON.stringify({ id, status: 200, result, rateLimits: [] }));
    const fail = (status: number, code: number, text: string): void => this.sendRaw(conn, JSON.stringify({ id, status, error: { code, msg: text } }));
    switch (msg.method) {
      case 'userDataStream.subscribe.signature': {
        const refusal = this.checkSignature(params);
        if (refusal) return fail(refusal.status, refusal.code, refusal.msg);
        const subscriptionId = this.nextSubscriptionId++;
        conn.subscriptions.add(subscriptionId);
        return ok({ subscriptionId });
      }
      case 'userDataStream.unsubscribe': {
        const sid = params.subscriptionId;
        if (typeof sid === 'number') conn.subscriptions.delete(sid);
        else conn.subscriptions.clear();
        return ok({});
      }
      case 'session.subscriptions':
        return ok([...conn.subscriptions].map((subscriptionId) => ({ subscriptionId })));
      case 'ping':
        return ok({});
      case 'time':
        return ok({ serverTime: this.clock.now() });
      default:
        return fail(400, -1100, 'Illegal characters found in parameter \'method\'.');
    }
  }

  private checkSignature(params: Record<string, unknown>): { status: number; code: number; msg: string } | undefined {
    const apiKey = params.apiKey;
    const timestamp = params.timestamp;
    const signature = params.signature;
    if (typeof apiKey !== 'string' || typeof timestamp !== 'number' || typeof signature !== 'string') {
      return { status: 400, code: -1102, msg: 'Mandatory parameter was not sent, was empty/null, or malformed.' };
    }
    const now = this.clock.now();
    const recvWindow = typeof params.recvWindow === 'number' ? params.recvWindow : 5_000;
    if (timestamp > now + 1_000 || now - timestamp > recvWindow) {
      return { status: 400, code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' };
    }
    const keys = this.options.apiKeys;
    if (keys === undefined) return undefined;
    const key = keys[apiKey];
    if (key === undefined) return { status: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' };
    const signed: Record<string, string> = {};
    for (const k of Object.keys(params).sort()) if (k !== 'signature' && params[k] !== undefined) signed[k] = String(params[k]);
    const payload = encodeParams(signed);
    return verifySignature(key, payload, signature) ? undefined : { status: 400, code: -1022, msg: 'Signature for this request is not valid.' };
  }

  // ---------------------------------------------------------------- market data

  private feed(market: Market, symbol: string): DepthFeed {
    const key = `${market}|${symbol}`;
    let feed = this.feeds.get(key);
    if (feed === undefined) {
      feed = new DepthFeed(market, symbol, this.options.firstUpdateId ?? 1_000_000);
      this.feeds.set(key, feed);
    }
    return feed;
  }

  private padder(market: Market): (x: string) => string {
    const places = this.options.spotDecimals ?? 8;
    if (market !== 'SPOT' || places <= 0) return (x) => x;
    return (x) => {
      const dot = x.indexOf('.');
      const have = dot < 0 ? 0 : x.length - dot - 1;
      if (have >= places) return x;
      return `${x}${dot < 0 ? '.' : ''}${'0'.repeat(places - have)}`;
    };
  }

  private attachEngine(): void {
    const e = this.engine.events;
    const on = <K extends keyof PaperEngineEvents>(name: K, fn: PaperEngineEvents[K]): void => {
      (e.on as (n: K, f: PaperEngineEvents[K]) => unknown)(name, fn);
      this.detach.push(() => (e.off as (n: K, f: PaperEngineEvents[K]) => unknown)(name, fn));
    };
    on('book', (market: Market, symbol: string) => {
      const every = this.options.depthIntervalMs ?? 0;
      if (every <= 0) return this.publishDepth(market, symbol);
      this.dirty.add(`${market}|${symbol}`);
      if (this.depthTimer === undefined) this.depthTimer = this.clock.setTimeout(() => this.flushDepth(), every);
    });
    on('trade', (trade) => {
      const product = trade.market === 'SPOT' ? 'spot' : 'um';
      const id = this.aggId++;
      const pad = this.padder(trade.market);
      this.broadcast(product, `${trade.symbol.toLowerCase()}@aggTrade`, {
        e: 'aggTrade',
        E: this.clock.now(),
        s: trade.symbol,
        a: id,
        p: pad(trade.price),
        q: pad(trade.qty),
        f: id,
        l: id,
        T: trade.eventTime,
        m: trade.takerSide === 'SELL',
      });
    });
    on('fill', (fill: Fill) => {
      const key = `${fill.market}|${fill.venueOrderId}`;
      const list = this.pendingFills.get(key);
      if (list) list.push(fill);
      else this.pendingFills.set(key, [fill]);
    });
    on('order', (order: Order) => this.onOrder(order));
    on('balance', (b: Balance) => {
      this.currentBatch()[b.market].push(b);
    });
    on('position', (p: Position) => {
      this.currentBatch().positions.push(p);
    });
    on('transfer', (t) => {
      const event = spotBalanceUpdate(t, this.clock.now());
      if (event) this.sendUser('SPOT', event);
    });
    on('oco', (list) => this.sendUser('SPOT', spotListStatus({ ...list, tp: this.asClientSees(list.tp), sl: this.asClientSees(list.sl) }, this.clock.now())));
  }

  private publishDepth(market: Market, symbol: string): void {
    const feed = this.feed(market, symbol);
    const diff = feed.publish(this.engine.book(market, symbol));
    const key = `${market}|${symbol}`;
    const product = market === 'SPOT' ? 'spot' : 'um';
    const s = symbol.toLowerCase();
    const now = this.clock.now();
    if (diff !== undefined) {
      this.counters.diffs++;
      if (this.lose.delete(key)) {
        // Lost on the way: the published book moved on, no client heard of it.
      } else {
        const pad = this.padder(market);
        const levels = (ls: WireLevel[]): WireLevel[] => ls.map(([p, q]) => [pad(p), pad(q)]);
        const data: Record<string, unknown> =
          market === 'SPOT'
            ? { e: 'depthUpdate', E: now, s: symbol, U: diff.U, u: diff.u, b: levels(diff.b), a: levels(diff.a) }
            : { e: 'depthUpdate', E: now, T: now, s: symbol, U: diff.U, u: diff.u, pu: diff.pu, b: diff.b, a: diff.a };
        for (const suffix of DEPTH_SUFFIXES) this.broadcast(product, `${s}${suffix}`, data);
      }
    }
    const top = feed.top();
    if (top === undefined) return;
    const sig = `${top.bid[0]}|${top.bid[1]}|${top.ask[0]}|${top.ask[1]}`;
    if (this.lastTop.get(key) === sig) return;
    this.lastTop.set(key, sig);
    const pad = this.padder(market);
    const ticker: Record<string, unknown> =
      market === 'SPOT'
        ? { u: feed.u, s: symbol, b: pad(top.bid[0]), B: pad(top.bid[1]), a: pad(top.ask[0]), A: pad(top.ask[1]) }
        : { e: 'bookTicker', u: feed.u, s: symbol, b: top.bid[0], B: top.bid[1], a: top.ask[0], A: top.ask[1], T: now, E: now };
    this.broadcast(product, `${s}@bookTicker`, ticker);
  }

  private publishMarks(): void {
    const now = this.clock.now();
    for (const [key, conns] of this.index) {
      if (conns.size === 0 || !key.startsWith('um|')) continue;
      const stream = key.slice(3);
      const at = stream.indexOf('@markPrice');
      if (at < 0) continue;
      const symbol = stream.slice(0, at).toUpperCase();
      let mark;
      try {
        mark = this.engine.markPrice(symbol);
      } catch {
        continue; // no mark and no book yet
      }
      this.broadcast('um', stream, {
        e: 'markPriceUpdate',
        E: now,
        s: symbol,
        p: mark.markPrice,
        ap: mark.markPrice,
        i: mark.indexPrice ?? mark.markPrice,
        P: mark.markPrice,
        r: mark.fundingRate,
        T: mark.nextFundingTime,
      });
    }
  }

  /** Sends a stream payload to every connection subscribed on the right route. */
  private broadcast(product: 'spot' | 'um', stream: string, data: unknown): void {
    const conns = this.index.get(`${product}|${stream}`);
    if (conns === undefined || conns.size === 0) return;
    // On UM a stream is only served on its own route; elsewhere the SUBSCRIBE is acked and silent.
    const route: StreamRoute = product === 'spot' ? 'spot' : umRoute(stream);
    let combined: string | undefined;
    let raw: string | undefined;
    for (const c of conns) {
      if (c.route !== route || c.silent) continue;
      const text = c.combined ? (combined ??= JSON.stringify({ stream, data })) : (raw ??= JSON.stringify(data));
      this.sendRaw(c, text);
      this.counters.framesSent++;
    }
  }

  private sendRaw(conn: Conn, text: string): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.ws.send(text);
  }

  // ---------------------------------------------------------------- user data

  /** The order with the client order id the client knows it by. */
  private asClientSees(order: Order): Order {
    const id = this.options.clientIdOf?.(order);
    return id === undefined || id === order.clientOrderId ? order : { ...order, clientOrderId: id };
  }

  private onOrder(engineOrder: Order): void {
    const order = this.asClientSees(engineOrder);
    const now = this.clock.now();
    const key = `${order.market}|${order.venueOrderId}`;
    const fills = this.pendingFills.get(key);
    const fill = fills?.shift();
    if (fills !== undefined && fills.length === 0) this.pendingFills.delete(key);
    if (order.market === 'SPOT') {
      this.sendUser('SPOT', spotExecutionReport(order, fill, now));
      return;
    }
    if (isUmAlgoOrder(order)) {
      // The trigger's executions are reported like a regular order's; the algo order's status follows.
      if (fill) this.sendUser('FUT', umOrderTradeUpdate(order, fill, now));
      this.sendUser('FUT', umAlgoUpdate(order, now));
      return;
    }
    this.sendUser('FUT', umOrderTradeUpdate(order, fill, now));
  }

  /**
   * The balance/position batch of the current engine operation: the engine emits one event per
   * asset and position synchronously, Binance sends one account event; the batch goes out once
   * the operation's events have all been emitted.
   */
  private currentBatch(): { SPOT: Balance[]; FUT: Balance[]; positions: Position[] } {
    let batch = this.balanceBatch;
    if (batch === undefined) {
      const fresh = { SPOT: [] as Balance[], FUT: [] as Balance[], positions: [] as Position[] };
      batch = fresh;
      this.balanceBatch = fresh;
      queueMicrotask(() => {
        this.balanceBatch = undefined;
        if (!this.closed) this.flushBalances(fresh);
      });
    }
    return batch;
  }

  private flushBalances(batch: { SPOT: Balance[]; FUT: Balance[]; positions: Position[] }): void {
    const now = this.clock.now();
    if (batch.SPOT.length > 0) this.sendUser('SPOT', spotAccountPosition(latestBy(batch.SPOT, (b) => b.asset), now));
    for (const p of batch.positions) {
      if (this.leverage.get(p.symbol) !== p.leverage) {
        this.leverage.set(p.symbol, p.leverage);
        this.sendUser('FUT', umAccountConfigUpdate(p.symbol, p.leverage, now));
      }
    }
    if (batch.FUT.length > 0 || batch.positions.length > 0) {
      this.sendUser('FUT', umAccountUpdate(latestBy(batch.FUT, (b) => b.asset), latestBy(batch.positions, (p) => p.symbol), now));
    }
  }

  private sendUser(market: Market, event: WireEvent): void {
    for (const c of this.conns.values()) {
      if (c.silent) continue;
      if (market === 'SPOT' && c.kind === 'wsapi') {
        for (const subscriptionId of c.subscriptions) this.sendRaw(c, JSON.stringify({ subscriptionId, event }));
      } else if (market === 'FUT' && c.kind === 'private' && !c.dead && c.listenKey !== undefined && this.listenKeys.isActive(c.listenKey)) {
        this.sendRaw(c, JSON.stringify(event));
      }
    }
  }

  private onListenKeyGone(key: string, expired: boolean): void {
    const now = this.clock.now();
    for (const c of this.conns.values()) {
      if (c.kind !== 'private' || c.listenKey !== key || c.dead) continue;
      c.dead = true;
      if (expired) this.sendRaw(c, JSON.stringify({ e: 'listenKeyExpired', E: now, listenKey: key }));
    }
  }
}

function umRoute(stream: string): StreamRoute {
  const at = stream.indexOf('@');
  const rest = at < 0 ? stream : stream.slice(at + 1);
  return rest === 'bookTicker' || rest.startsWith('depth') ? 'public' : 'market';
}

function latestBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const out = new Map<string, T>();
  for (const t of items) out.set(key(t), t);
  return [...out.values()];
}

/** Checks a WS API signature: HMAC-SHA256 hex for a secret, Ed25519/RSA base64 for a public key. */
function verifySignature(key: LocalApiKey, payload: string, signature: string): boolean {
  if (typeof key === 'string') {
    const expected = Buffer.from(createHmac('sha256', key).update(payload).digest('hex'));
    const given = Buffer.from(signature.toLowerCase());
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
  try {
    const pub = createPublicKey(key.publicKeyPem);
    const algorithm = pub.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    return cryptoVerify(algorithm, Buffer.from(payload), pub, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
