/**
 * The WebSocket side of the local MAX exchange (`/ws`, VENUES.md A.5): `sub`/`unsub` of `book`
 * (snapshot, then updates with `fi`/`li`/`v`), `ticker` and `trade`; `auth` and the private `user`
 * channel (`order_*`, `trade_*`, `account_*`) from the paper engine's events; the 130 s ping rule;
 * and a count of clients exceeding 20 messages a second or 200 a minute.
 *
 * @packageDocumentation
 */
import type { Balance, Clock, Fill, Order, PaperEngine, TimerHandle } from '@chimera/core';
import type { WebSocket } from 'ws';
import { verifyWsAuth, type NonceLedger } from './auth.js';
import { BookFeed, type FeedMessage } from './book-feed.js';
import type { ConnectionFilter, MaxFaults, StallFilter } from './faults.js';
import type { OrderLedger } from './order-ledger.js';
import type { PublicPrint, PublicTape } from './public-tape.js';
import { renderWsBalance, renderWsOrder, renderWsTrade } from './render.js';

/** Counters of the WebSocket side, for tests. */
export interface WsHubStats {
  /** Connections accepted. */
  connections: number;
  /** Connections closed for sending no ping within the limit. */
  pingTimeouts: number;
  /** Client messages received. */
  messages: number;
  /** Client messages beyond 20 in a second or 200 in a minute on their connection. */
  rateViolations: number;
  /** Successful `auth` messages. */
  authenticated: number;
  /** Refused `auth` messages. */
  authFailures: number;
  /** `sub` messages. */
  subscribes: number;
  /** `unsub` messages. */
  unsubscribes: number;
}

type Channel = 'book' | 'ticker' | 'trade';

interface Subscription {
  channel: Channel;
  symbol: string;
  depth: number;
  stalled: boolean;
}

interface Conn {
  readonly id: number;
  readonly ws: WebSocket;
  readonly subs: Map<string, Subscription>;
  auth: { accessKey: string; filters: Set<string>; stalled: boolean } | undefined;
  lastPingAt: number;
  readonly sent: number[];
}

/** Options of {@link WsHub}. */
export interface WsHubOptions {
  engine: PaperEngine;
  clock: Clock;
  ledger: OrderLedger;
  tape: PublicTape;
  faults: MaxFaults;
  keys: ReadonlyMap<string, string>;
  nonces: NonceLedger;
  /** Close a connection that sent no ping frame for this long, ms (MAX: 130 s). */
  pingTimeoutMs: number;
  /** The book version `v` of every stream. */
  bookVersion: number;
}

const BOOK_DEPTHS = new Set([1, 5, 10, 20, 50]);
const DEFAULT_DEPTH = 50;
const TRADE_SNAPSHOT = 20;

function subKey(channel: Channel, symbol: string, depth: number): string {
  return channel === 'book' ? `book:${symbol}:${depth}` : `${channel}:${symbol}`;
}

/** Every WebSocket connection of the local exchange. */
export class WsHub {
  /** Counters, for tests. */
  readonly stats: WsHubStats = { connections: 0, pingTimeouts: 0, messages: 0, rateViolations: 0, authenticated: 0, authFailures: 0, subscribes: 0, unsubscribes: 0 };

  private readonly o: WsHubOptions;
  private readonly conns = new Set<Conn>();
  private readonly feeds = new Map<string, BookFeed>();
  private nextId = 1;
  private readonly pingTimer: TimerHandle;

  /** @param options - See {@link WsHubOptions}. */
  constructor(options: WsHubOptions) {
    this.o = options;
    this.pingTimer = options.clock.setInterval(() => this.checkPings(), Math.max(10, Math.min(1000, Math.floor(options.pingTimeoutMs / 4))));
  }

  /** The last update id of a market's deepest open stream (0 before any subscription). */
  bookSequence(symbol: string): number {
    let seq = 0;
    for (const [key, feed] of this.feeds) if (key.startsWith(`${symbol}:`)) seq = Math.max(seq, feed.sequence);
    return seq;
  }

  /** Takes a new connection. */
  add(ws: WebSocket): void {
    const conn: Conn = { id: this.nextId++, ws, subs: new Map(), auth: undefined, lastPingAt: this.o.clock.now(), sent: [] };
    this.conns.add(conn);
    this.stats.connections += 1;
    ws.on('ping', () => {
      conn.lastPingAt = this.o.clock.now();
    });
    ws.on('message', (data, isBinary) => this.onMessage(conn, isBinary ? '' : String(data)));
    ws.on('close', () => this.conns.delete(conn));
    ws.on('error', () => this.conns.delete(conn));
  }

  /** Terminates matching connections now. */
  drop(filter: ConnectionFilter): number {
    let n = 0;
    for (const c of [...this.conns]) {
      if (filter === 'public' && c.auth) continue;
      if (filter === 'private' && !c.auth) continue;
      this.conns.delete(c);
      c.ws.terminate();
      n += 1;
    }
    return n;
  }

  /** Stalls matching subscriptions of the open connections. */
  stall(filter: StallFilter): number {
    let n = 0;
    for (const c of this.conns) {
      if (c.auth && (filter.channel === undefined || filter.channel === 'user') && filter.symbol === undefined) {
        c.auth.stalled = true;
        n += 1;
      }
      for (const s of c.subs.values()) {
        if ((filter.symbol === undefined || filter.symbol === s.symbol) && (filter.channel === undefined || filter.channel === s.channel)) {
          s.stalled = true;
          n += 1;
        }
      }
    }
    return n;
  }

  /** Un-stalls everything. */
  resume(): void {
    for (const c of this.conns) {
      if (c.auth) c.auth.stalled = false;
      for (const s of c.subs.values()) s.stalled = false;
    }
  }

  /** Closes every connection and stops the ping check. */
  close(): void {
    this.o.clock.clearInterval(this.pingTimer);
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
  }

  // ───────────────────────────── engine events ─────────────────────────────

  /** The engine's visible book of `symbol` changed: publish each stream's update. */
  onBook(symbol: string): void {
    let gap: boolean | undefined;
    for (const [key, feed] of this.feeds) {
      if (!key.startsWith(`${symbol}:`)) continue;
      const update = feed.next(this.o.engine.depth('SPOT', symbol, feed.depth));
      if (!update) continue;
      // One gap fault swallows this change on every depth of the market.
      gap ??= this.o.faults.takeBookGap(symbol);
      if (gap) continue;
      this.publish('book', symbol, feed.depth, (T) => bookMessage('update', symbol, update, T));
    }
  }

  /** A public print happened: `trade` update and `ticker` update. */
  onPrint(symbol: string, print: PublicPrint): void {
    this.publish('trade', symbol, 0, (T) => ({ c: 'trade', e: 'update', M: symbol.toLowerCase(), t: [wirePrint(print)], T }));
    this.publish('ticker', symbol, 0, (T) => this.tickerMessage('update', symbol, T));
  }

  /** An order of the account changed. */
  onOrder(order: Order): void {
    this.publishPrivate('order', (T) => ({ c: 'user', e: 'order_update', o: [renderWsOrder(order, this.o.ledger.view(order))], T }));
  }

  /** A fill of the account. */
  onFill(fill: Fill): void {
    this.publishPrivate('trade', (T) => ({ c: 'user', e: 'trade_update', t: [renderWsTrade(fill)], T }));
  }

  /** A balance of the account changed. */
  onBalance(balance: Balance): void {
    this.publishPrivate('account', (T) => ({ c: 'user', e: 'account_update', B: [renderWsBalance(balance, T)], T }));
  }

  // ───────────────────────────── client messages ─────────────────────────────

  private onMessage(conn: Conn, text: string): void {
    const now = this.o.clock.now();
    this.stats.messages += 1;
    conn.sent.push(now);
    while (conn.sent.length > 0 && conn.sent[0]! <= now - 60_000) conn.sent.shift();
    const lastSecond = conn.sent.filter((t) => t > now - 1000).length;
    if (lastSecond > 20 || conn.sent.length > 200) this.stats.rateViolations += 1;
    let msg: Record<string, unknown>;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object');
      msg = parsed as Record<string, unknown>;
    } catch {
      this.sendError(conn, undefined, 1005, 'invalid json');
      return;
    }
    const id = typeof msg.id === 'string' || typeof msg.id === 'number' ? String(msg.id) : undefined;
    switch (msg.action) {
      case 'sub':
        this.onSub(conn, msg, id);
        return;
      case 'unsub':
        this.onUnsub(conn, msg, id);
        return;
      case 'auth':
        this.onAuth(conn, msg, id);
        return;
      default:
        this.sendError(conn, id, 1004, 'invalid action');
    }
  }

  private parseSubs(conn: Conn, msg: Record<string, unknown>, id: string | undefined): Array<{ raw: unknown; sub: Subscription }> | undefined {
    // The doc's example spells the key `subscription`; the official SDK sends `subscriptions`.
    const list = msg.subscriptions ?? msg.subscription;
    if (!Array.isArray(list) || list.length === 0) {
      this.sendError(conn, id, 1004, 'invalid action: subscriptions required');
      return undefined;
    }
    const out: Array<{ raw: unknown; sub: Subscription }> = [];
    for (const raw of list) {
      const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const channel = r.channel;
      const market = typeof r.market === 'string' ? r.market : '';
      const symbol = market.toUpperCase();
      const known = /^[a-z0-9]+$/.test(market) && this.o.engine.instruments('SPOT').some((i) => i.symbol === symbol);
      const depth = r.depth === undefined ? DEFAULT_DEPTH : Number(r.depth);
      if ((channel !== 'book' && channel !== 'ticker' && channel !== 'trade') || !known || (channel === 'book' && !BOOK_DEPTHS.has(depth))) {
        this.sendError(conn, id, 1004, `invalid subscription ${JSON.stringify(raw)}`);
        return undefined;
      }
      out.push({ raw, sub: { channel, symbol, depth: channel === 'book' ? depth : 0, stalled: false } });
    }
    return out;
  }

  private onSub(conn: Conn, msg: Record<string, unknown>, id: string | undefined): void {
    const subs = this.parseSubs(conn, msg, id);
    if (!subs) return;
    this.stats.subscribes += 1;
    const T = this.o.clock.now();
    this.send(conn, { e: 'subscribed', s: subs.map((s) => s.raw), i: id, T });
    for (const { sub } of subs) {
      conn.subs.set(subKey(sub.channel, sub.symbol, sub.depth), sub);
      if (sub.channel === 'book') this.send(conn, bookMessage('snapshot', sub.symbol, this.feed(sub.symbol, sub.depth).snapshot(), T));
      else if (sub.channel === 'ticker') this.send(conn, this.tickerMessage('snapshot', sub.symbol, T));
      else {
        const prints = this.o.tape.recent(sub.symbol, TRADE_SNAPSHOT);
        this.send(conn, { c: 'trade', e: 'snapshot', M: sub.symbol.toLowerCase(), t: prints.map(wirePrint), T });
      }
    }
  }

  private onUnsub(conn: Conn, msg: Record<string, unknown>, id: string | undefined): void {
    const subs = this.parseSubs(conn, msg, id);
    if (!subs) return;
    this.stats.unsubscribes += 1;
    for (const { sub } of subs) conn.subs.delete(subKey(sub.channel, sub.symbol, sub.depth));
    this.send(conn, { e: 'unsubscribed', s: subs.map((s) => s.raw), i: id, T: this.o.clock.now() });
  }

  private onAuth(conn: Conn, msg: Record<string, unknown>, id: string | undefined): void {
    const now = this.o.clock.now();
    const verdict = verifyWsAuth(msg, this.o.keys, this.o.nonces, now);
    if (!('accessKey' in verdict)) {
      this.stats.authFailures += 1;
      this.sendError(conn, id, verdict.code, verdict.message);
      // The connection is closed after the error frame (ws sends queued frames first).
      conn.ws.close(4001, 'authentication failed');
      return;
    }
    const filters = Array.isArray(msg.filters) && msg.filters.length > 0 ? msg.filters.map(String) : ['order', 'trade', 'account'];
    conn.auth = { accessKey: verdict.accessKey, filters: new Set(filters), stalled: false };
    this.stats.authenticated += 1;
    this.send(conn, { e: 'authenticated', i: id, T: now });
    const { engine, ledger } = this.o;
    if (conn.auth.filters.has('order')) {
      const open = engine.openOrders('SPOT').concat(ledger.all().filter((o) => ledger.isSynthetic(o.venueOrderId) && o.status === 'NEW'));
      this.send(conn, { c: 'user', e: 'order_snapshot', o: open.map((o) => renderWsOrder(o, ledger.view(o))), T: now });
    }
    if (conn.auth.filters.has('trade')) {
      const fills = engine
        .instruments('SPOT')
        .flatMap((i) => engine.fills('SPOT', i.symbol))
        .sort((a, b) => a.ts - b.ts || Number(a.tradeId) - Number(b.tradeId))
        .slice(-100);
      this.send(conn, { c: 'user', e: 'trade_snapshot', t: fills.map(renderWsTrade), T: now });
    }
    if (conn.auth.filters.has('account')) {
      this.send(conn, { c: 'user', e: 'account_snapshot', B: engine.balances('SPOT').map((b) => renderWsBalance(b, now)), T: now });
    }
  }

  // ───────────────────────────── sending ─────────────────────────────

  private feed(symbol: string, depth: number): BookFeed {
    const key = `${symbol}:${depth}`;
    let feed = this.feeds.get(key);
    if (!feed) {
      // Every depth of a market starts at the market's current id, so ids stay comparable.
      feed = new BookFeed(depth, this.o.bookVersion, Math.max(1_000, this.bookSequence(symbol)), this.o.engine.depth('SPOT', symbol, depth));
      this.feeds.set(key, feed);
    }
    return feed;
  }

  private tickerMessage(e: 'snapshot' | 'update', symbol: string, T: number): Record<string, unknown> {
    let mid = '0';
    try {
      mid = String(this.o.engine.ticker('SPOT', symbol).mid);
    } catch {
      // A one-sided book has no mid: the statistics show zeros.
    }
    const s = this.o.tape.stats(symbol, T, mid);
    const M = symbol.toLowerCase();
    return { c: 'ticker', e, M, tk: { M, O: s.open, H: s.high, L: s.low, C: s.last, v: s.volume }, T };
  }

  private publish(channel: Channel, symbol: string, depth: number, build: (T: number) => Record<string, unknown>): void {
    const key = subKey(channel, symbol, depth);
    let msg: Record<string, unknown> | undefined;
    for (const c of this.conns) {
      const sub = c.subs.get(key);
      if (!sub || sub.stalled) continue;
      msg ??= build(this.o.clock.now());
      this.send(c, msg);
    }
  }

  private publishPrivate(filter: string, build: (T: number) => Record<string, unknown>): void {
    let msg: Record<string, unknown> | undefined;
    for (const c of this.conns) {
      if (!c.auth || c.auth.stalled || !c.auth.filters.has(filter)) continue;
      msg ??= build(this.o.clock.now());
      this.send(c, msg);
    }
  }

  private sendError(conn: Conn, id: string | undefined, code: number, message: string): void {
    this.send(conn, { e: 'error', E: [`E-${code}: ${message}`], i: id, T: this.o.clock.now() });
  }

  private send(conn: Conn, msg: Record<string, unknown>): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.ws.send(JSON.stringify(msg));
  }

  private checkPings(): void {
    const now = this.o.clock.now();
    for (const c of [...this.conns]) {
      if (now - c.lastPingAt <= this.o.pingTimeoutMs) continue;
      this.stats.pingTimeouts += 1;
      this.conns.delete(c);
      c.ws.close(4000, 'no ping received');
    }
  }
}

function wirePrint(p: PublicPrint): Record<string, unknown> {
  return { p: p.price, v: p.qty, T: p.ts, tr: p.takerSide === 'BUY' ? 'up' : 'down' };
}

function bookMessage(e: 'snapshot' | 'update', symbol: string, m: FeedMessage, T: number): Record<string, unknown> {
  return { c: 'book', e, M: symbol.toLowerCase(), a: m.asks, b: m.bids, T, fi: m.fi, li: m.li, v: m.v };
}
