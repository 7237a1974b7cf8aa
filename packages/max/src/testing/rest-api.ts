/**
 * The REST side of the local MAX exchange: MAX's v3 endpoints (VENUES.md A.2, A.4) answered from
 * the paper engine, with MAX's signature and nonce checks on the private ones, its error envelope,
 * and the scripted faults (429 with an IP ban, answers lost after execution).
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Big from 'big.js';
import {
  DECIMAL_PATTERN,
  FilterError,
  InsufficientFundsError,
  isChimeraError,
  OrderNotFoundError,
  PostOnlyRejectedError,
  type Clock,
  type Order,
  type OrderType,
  type PaperEngine,
  type PaperOrderRequest,
  type TimeInForce,
} from '@chimera/core';
import { verifyRestRequest, type NonceLedger } from './auth.js';
import type { MaxFaults } from './faults.js';
import type { OrderLedger } from './order-ledger.js';
import type { PublicTape } from './public-tape.js';
import { maxState, renderAcceptedOrder, renderAccount, renderOrder, renderTrade } from './render.js';
import type { WsHub } from './ws-hub.js';
import { maxErrors, MaxWireError } from './wire-error.js';

/** A private big.js constructor. */
const D = Big();

/** Counters of the REST side, for tests. */
export interface RestStats {
  /** Requests received (429s and dropped answers included). */
  requests: number;
  /** Requests per `METHOD /path`. */
  byRoute: Record<string, number>;
  /** Requests answered 429. */
  rateLimited: number;
  /** Answers dropped after execution. */
  droppedResponses: number;
  /** Signed requests refused (signature, key, payload or nonce). */
  authFailures: number;
}

/** What the REST handler needs. */
export interface RestApiContext {
  engine: PaperEngine;
  clock: Clock;
  ledger: OrderLedger;
  tape: PublicTape;
  hub: WsHub;
  faults: MaxFaults;
  keys: ReadonlyMap<string, string>;
  nonces: NonceLedger;
  /** The `/api/v3/markets` rows. */
  markets: () => Array<Record<string, unknown>>;
  bookVersion: number;
  stats: RestStats;
}

type Params = Record<string, unknown>;
type Handler = (ctx: RestApiContext, params: Params) => unknown;

const PREFIX = '/api/v3';
const MAX_CLIENT_OID = /^[A-Za-z0-9._:-]{1,36}$/;

// ───────────────────────────── parameter readers ─────────────────────────────

function str(params: Params, key: string, required = true): string | undefined {
  const v = params[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw maxErrors.invalidParameter(`${key} is required`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw maxErrors.invalidParameter(`${key} must be a string`);
  return String(v);
}

function int(params: Params, key: string, fallback?: number, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = params[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw maxErrors.invalidParameter(`${key} must be an integer in [${min}, ${max}]`);
  return n;
}

function decimal(params: Params, key: string, required: boolean): string | undefined {
  const v = str(params, key, required);
  if (v === undefined) return undefined;
  if (!DECIMAL_PATTERN.test(v) || new D(v).lte(0)) throw maxErrors.invalidParameter(`${key} must be a positive decimal`);
  return new D(v).toFixed();
}

function symbolOf(ctx: RestApiContext, market: string | undefined): string | undefined {
  if (market === undefined) return undefined;
  const symbol = market.toUpperCase();
  if (!/^[a-z0-9]+$/.test(market) || !ctx.engine.instruments('SPOT').some((i) => i.symbol === symbol)) throw maxErrors.invalidParameter(`market ${market} not found`);
  return symbol;
}

function orderBy(params: Params): 'asc' | 'desc' {
  const v = str(params, 'order_by', false) ?? str(params, 'order', false) ?? 'desc';
  if (v === 'asc' || v === 'asc_updated_at') return 'asc';
  if (v === 'desc' || v === 'desc_updated_at') return 'desc';
  throw maxErrors.invalidParameter('order_by must be asc, desc, asc_updated_at or desc_updated_at');
}

/** The order a request names by `id` / `order_id` or `client_oid` (exactly one). */
function findOrder(ctx: RestApiContext, params: Params, idKey: 'id' | 'order_id'): Order {
  const id = str(params, idKey, false);
  const cid = str(params, 'client_oid', false);
  if ((id === undefined) === (cid === undefined)) throw maxErrors.invalidParameter(`give ${idKey} or client_oid`);
  const venueOrderId = id ?? ctx.ledger.idOf(cid!);
  const order = venueOrderId === undefined ? undefined : ctx.ledger.get(venueOrderId);
  if (!order) throw maxErrors.orderNotFound();
  return order;
}

/** Lists sorted by creation time in the requested direction, filtered by `timestamp` (desc: at or before; asc: at or after) and cut to `limit`. */
function page<T>(items: T[], params: Params, ts: (t: T) => number, id: (t: T) => number): T[] {
  const dir = orderBy(params);
  const limit = int(params, 'limit', 50, 1, 1000)!;
  const at = int(params, 'timestamp');
  const fromId = int(params, 'from_id');
  let out = items.filter((t) => (at === undefined ? true : dir === 'desc' ? ts(t) <= at : ts(t) >= at)).filter((t) => fromId === undefined || id(t) >= fromId);
  out = out.sort((a, b) => ts(a) - ts(b) || id(a) - id(b));
  if (dir === 'desc' && fromId === undefined) out.reverse();
  return out.slice(0, limit);
}

// ───────────────────────────── public endpoints ─────────────────────────────

function ticker(ctx: RestApiContext, symbol: string): Record<string, unknown> {
  const now = ctx.clock.now();
  const book = ctx.engine.book('SPOT', symbol);
  const bid = book.best('bid');
  const ask = book.best('ask');
  const mid = bid && ask ? new D(bid.price).plus(ask.price).div(2).toFixed() : '0';
  const s = ctx.tape.stats(symbol, now, mid);
  return {
    market: symbol.toLowerCase(),
    at: Math.floor(now / 1000),
    buy: bid?.price ?? null,
    buy_vol: bid ? bid.qtyText() : null,
    sell: ask?.price ?? null,
    sell_vol: ask ? ask.qtyText() : null,
    open: s.open,
    low: s.low,
    high: s.high,
    last: s.last,
    vol: s.volume,
    vol_in_btc: s.volume,
  };
}

const publicRoutes: Record<string, Handler> = {
  'GET /timestamp': (ctx) => ({ timestamp: Math.floor(ctx.clock.now() / 1000) }),
  'GET /markets': (ctx) => ctx.markets(),
  'GET /ticker': (ctx, p) => ticker(ctx, symbolOf(ctx, str(p, 'market'))!),
  'GET /tickers': (ctx, p) => {
    const list = p.markets;
    if (!Array.isArray(list) || list.length === 0) throw maxErrors.invalidParameter('markets[] is required');
    return list.map((m) => ticker(ctx, symbolOf(ctx, String(m))!));
  },
  'GET /depth': (ctx, p) => {
    const symbol = symbolOf(ctx, str(p, 'market'))!;
    const limit = int(p, 'limit', 300, 1, 300)!;
    const d = ctx.engine.depth('SPOT', symbol, limit);
    // MAX's documented answer lists both sides from the highest price down.
    const desc = (levels: typeof d.bids): string[][] => levels.map((l) => [l.price, l.qty]).sort((a, b) => new D(b[0]!).cmp(a[0]!));
    return {
      timestamp: Math.floor(ctx.clock.now() / 1000),
      last_update_version: ctx.bookVersion,
      last_update_id: ctx.hub.bookSequence(symbol),
      asks: desc(d.asks),
      bids: desc(d.bids),
    };
  },
  'GET /trades': (ctx, p) => {
    const symbol = symbolOf(ctx, str(p, 'market'))!;
    const limit = int(p, 'limit', 50, 1, 1000)!;
    return ctx.tape.recent(symbol, limit).map((t) => ({
      id: t.id,
      price: t.price,
      volume: t.qty,
      funds: new D(t.price).times(t.qty).toFixed(),
      market: symbol.toLowerCase(),
      side: t.takerSide === 'BUY' ? 'bid' : 'ask',
      created_at: t.ts,
    }));
  },
};

// ───────────────────────────── private endpoints ─────────────────────────────

const ORDER_TYPES: Record<string, { type: OrderType; timeInForce?: TimeInForce; postOnly?: boolean; price: boolean; stop: boolean }> = {
  limit: { type: 'LIMIT', timeInForce: 'GTC', price: true, stop: false },
  post_only: { type: 'LIMIT', timeInForce: 'GTC', postOnly: true, price: true, stop: false },
  ioc_limit: { type: 'LIMIT', timeInForce: 'IOC', price: true, stop: false },
  market: { type: 'MARKET', price: false, stop: false },
  stop_limit: { type: 'STOP_LIMIT', timeInForce: 'GTC', price: true, stop: true },
  stop_market: { type: 'STOP_MARKET', price: false, stop: true },
};

function submitOrder(ctx: RestApiContext, p: Params): unknown {
  const symbol = symbolOf(ctx, str(p, 'market'))!;
  const side = str(p, 'side');
  if (side !== 'buy' && side !== 'sell') throw maxErrors.invalidParameter('side must be buy or sell');
  const volume = decimal(p, 'volume', true)!;
  const kind = ORDER_TYPES[str(p, 'ord_type', false) ?? 'limit'];
  if (!kind) throw maxErrors.invalidParameter('ord_type must be limit, market, post_only, ioc_limit, stop_limit or stop_market');
  const price = decimal(p, 'price', kind.price);
  const stopPrice = decimal(p, 'stop_price', kind.stop);
  let clientOid = str(p, 'client_oid', false);
  if (clientOid !== undefined) {
    if (!MAX_CLIENT_OID.test(clientOid)) throw maxErrors.invalidParameter('client_oid must be at most 36 characters');
    // MAX rejects a client_oid used within 24 hours instead of returning the first order.
    if (ctx.ledger.isUsed(clientOid)) throw maxErrors.duplicateClientOid();
  } else {
    clientOid = ctx.ledger.serverClientOid();
  }
  const req: PaperOrderRequest = { market: 'SPOT', symbol, side: side === 'buy' ? 'BUY' : 'SELL', type: kind.type, qty: volume, clientOrderId: clientOid, postOnly: kind.postOnly === true };
  if (kind.price) req.price = price;
  if (kind.stop) req.stopPrice = stopPrice;
  if (kind.timeInForce) req.timeInForce = kind.timeInForce;
  let order: Order;
  try {
    order = ctx.engine.placeOrder(req);
  } catch (err) {
    if (err instanceof PostOnlyRejectedError) return acceptRejectedPostOnly(ctx, req);
    throw engineError(err);
  }
  ctx.ledger.record(order);
  return renderAcceptedOrder(order, ctx.ledger.view(order));
}

/** MAX accepts a post-only order that would take, then cancels it on its own, asynchronously. */
function acceptRejectedPostOnly(ctx: RestApiContext, req: PaperOrderRequest): unknown {
  const order = ctx.ledger.acceptRejectedPostOnly({
    market: 'SPOT',
    symbol: req.symbol,
    clientOrderId: req.clientOrderId,
    side: req.side,
    type: 'LIMIT',
    timeInForce: 'GTX',
    postOnly: true,
    reduceOnly: false,
    price: req.price,
    qty: req.qty,
  });
  ctx.hub.onOrder(order);
  ctx.clock.setTimeout(() => {
    const done = ctx.ledger.cancelSynthetic(order.venueOrderId);
    if (done) ctx.hub.onOrder(done);
  }, ctx.faults.postOnlyCancelDelayMs);
  return renderAcceptedOrder(order, ctx.ledger.view(order));
}

function engineError(err: unknown): MaxWireError {
  if (err instanceof MaxWireError) return err;
  if (err instanceof InsufficientFundsError) return maxErrors.insufficientFunds();
  if (err instanceof FilterError) {
    return err.code === 'QTY_BELOW_MIN' || err.code === 'NOTIONAL_BELOW_MIN' ? maxErrors.amountTooSmall(err.shortMessage) : maxErrors.invalidParameter(err.shortMessage);
  }
  if (isChimeraError(err) && err.code === 'DUPLICATE_ORDER') return maxErrors.duplicateClientOid();
  if (isChimeraError(err) && (err.code === 'VALIDATION_FAILED' || err.code === 'UNSUPPORTED' || err.code === 'INVALID_DECIMAL')) return maxErrors.invalidParameter(err.shortMessage);
  if (isChimeraError(err)) return maxErrors.createOrder(err.shortMessage);
  return maxErrors.server();
}

function cancel(ctx: RestApiContext, order: Order): Order {
  if (ctx.ledger.isSynthetic(order.venueOrderId)) {
    const done = ctx.ledger.cancelSynthetic(order.venueOrderId);
    if (!done) throw maxErrors.orderNotFound();
    ctx.hub.onOrder(done);
    return done;
  }
  try {
    return ctx.engine.cancelOrder({ market: 'SPOT', symbol: order.symbol, venueOrderId: order.venueOrderId });
  } catch (err) {
    if (err instanceof OrderNotFoundError) throw maxErrors.orderNotFound();
    throw engineError(err);
  }
}

function isOpen(o: Order): boolean {
  return maxState(o) === 'wait';
}

const privateRoutes: Record<string, Handler> = {
  'POST /wallet/spot/order': submitOrder,
  'DELETE /order': (ctx, p) => {
    cancel(ctx, findOrder(ctx, p, 'id'));
    return { success: true };
  },
  'DELETE /wallet/spot/orders': (ctx, p) => {
    const symbol = symbolOf(ctx, str(p, 'market', false));
    const side = str(p, 'side', false);
    const open = ctx.ledger.all(symbol).filter((o) => isOpen(o) && (side === undefined || o.side === (side === 'buy' ? 'BUY' : 'SELL')));
    return open.map((o) => {
      try {
        const done = cancel(ctx, o);
        return { error: null, order: renderOrder(done, ctx.ledger.view(done)) };
      } catch (err) {
        return { error: err instanceof Error ? err.message : 'cancel failed', order: renderOrder(o, ctx.ledger.view(o)) };
      }
    });
  },
  'GET /wallet/spot/orders/open': (ctx, p) => {
    const orders = ctx.ledger.all(symbolOf(ctx, str(p, 'market', false))).filter(isOpen);
    return page(orders, p, (o) => o.createdAt, (o) => Number(o.venueOrderId)).map((o) => renderOrder(o, ctx.ledger.view(o)));
  },
  'GET /wallet/spot/orders/closed': (ctx, p) => {
    const orders = ctx.ledger.all(symbolOf(ctx, str(p, 'market', false))).filter((o) => !isOpen(o));
    return page(orders, p, (o) => o.createdAt, (o) => Number(o.venueOrderId)).map((o) => renderOrder(o, ctx.ledger.view(o)));
  },
  'GET /wallet/spot/orders/history': (ctx, p) => {
    const symbol = symbolOf(ctx, str(p, 'market'))!;
    const fromId = int(p, 'from_id', 0)!;
    const limit = int(p, 'limit', 50, 1, 1000)!;
    return ctx.ledger
      .all(symbol)
      .filter((o) => Number(o.venueOrderId) >= fromId)
      .sort((a, b) => Number(a.venueOrderId) - Number(b.venueOrderId))
      .slice(0, limit)
      .map((o) => renderOrder(o, ctx.ledger.view(o)));
  },
  'GET /order': (ctx, p) => {
    const o = findOrder(ctx, p, 'id');
    return renderOrder(o, ctx.ledger.view(o));
  },
  'GET /order/trades': (ctx, p) => {
    const o = findOrder(ctx, p, 'order_id');
    const inst = ctx.engine.instrument('SPOT', o.symbol);
    return ctx.engine
      .fills('SPOT', o.symbol)
      .filter((f) => f.venueOrderId === o.venueOrderId)
      .map((f) => renderTrade(f, inst.base, inst.quote));
  },
  'GET /wallet/spot/accounts': (ctx, p) => {
    const currency = str(p, 'currency', false);
    const held = new Map(ctx.engine.balances('SPOT').map((b) => [b.asset, b]));
    const assets = new Set([...ctx.engine.instruments('SPOT').flatMap((i) => [i.base, i.quote]), ...held.keys()]);
    return [...assets]
      .sort()
      .filter((a) => currency === undefined || a.toLowerCase() === currency)
      .map((a) => renderAccount(a, held.get(a)?.free ?? '0', held.get(a)?.locked ?? '0'));
  },
  'GET /wallet/spot/trades': (ctx, p) => {
    const symbol = symbolOf(ctx, str(p, 'market', false));
    const instruments = ctx.engine.instruments('SPOT').filter((i) => symbol === undefined || i.symbol === symbol);
    const rows = instruments.flatMap((i) => ctx.engine.fills('SPOT', i.symbol).map((f) => ({ f, i })));
    return page(rows, p, (r) => r.f.ts, (r) => Number(r.f.tradeId)).map((r) => renderTrade(r.f, r.i.base, r.i.quote));
  },
  'GET /info': () => ({
    email: 'local@max.invalid',
    level: 2,
    m_wallet_enabled: false,
    current_vip_level: { level: 0, minimum_trading_volume: 0, minimum_staking_volume: 0, maker_fee: 0.0005, taker_fee: 0.0015 },
    next_vip_level: null,
  }),
};

// ───────────────────────────── the handler ─────────────────────────────

function parseQuery(search: URLSearchParams): Params {
  const out: Params = {};
  for (const [k, v] of search) {
    if (k.endsWith('[]')) {
      const key = k.slice(0, -2);
      const list = (out[key] as string[] | undefined) ?? [];
      list.push(v);
      out[key] = list;
    } else {
      out[k] = v;
    }
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The `node:http` request handler of the local exchange. */
export function createRestHandler(ctx: RestApiContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(ctx, req, res).catch(() => {
      if (!res.headersSent) reply(res, 500, maxErrors.server().body());
    });
  };
}

async function handle(ctx: RestApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname;
  const { stats } = ctx;
  stats.requests += 1;
  const route = `${method} ${path}`;
  stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
  const text = await readBody(req);
  const now = ctx.clock.now();
  const retryAfter = ctx.faults.takeRateLimit(now);
  if (retryAfter !== undefined) {
    stats.rateLimited += 1;
    reply(res, 429, new MaxWireError(429, undefined, 'too many requests').body(), { 'retry-after': String(retryAfter) });
    return;
  }
  try {
    if (!path.startsWith(`${PREFIX}/`)) throw maxErrors.notFound(path);
    const key = `${method} ${path.slice(PREFIX.length)}`;
    const open = publicRoutes[key];
    const signed = privateRoutes[key];
    if (!open && !signed) throw maxErrors.notFound(path);
    let params: Params;
    if (method === 'GET') params = parseQuery(url.searchParams);
    else {
      try {
        const parsed = text === '' ? {} : (JSON.parse(text) as unknown);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object');
        params = parsed as Params;
      } catch {
        throw maxErrors.invalidParameter('the body must be a JSON object');
      }
    }
    let result: unknown;
    if (signed) {
      try {
        verifyRestRequest({ path, headers: req.headers, params }, ctx.keys, ctx.nonces, now);
      } catch (err) {
        stats.authFailures += 1;
        throw err;
      }
      const { nonce: _nonce, ...rest } = params;
      result = signed(ctx, rest);
    } else {
      result = open!(ctx, params);
    }
    if (ctx.faults.takeResponseDrop(method, path)) {
      // It happened; the answer is lost on the way back.
      stats.droppedResponses += 1;
      req.socket.destroy();
      return;
    }
    reply(res, 200, result);
  } catch (err) {
    const e = err instanceof MaxWireError ? err : engineError(err);
    reply(res, e.httpStatus, e.body());
  }
}
