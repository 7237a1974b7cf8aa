/**
 * The MAX WebSocket wire format (`wss://max-stream.maicoin.com/ws`; VENUES.md A.5, ws-docs): the
 * messages the client sends (`sub`, `unsub`, `auth`) and the parsing of what the server pushes —
 * acknowledgements, errors, `book` snapshots/updates with `fi`/`li`/`v`, `ticker`, `trade`, and the
 * private `user` channel (orders, trades, balances) mapped to core types.
 *
 * @packageDocumentation
 */
import {
  AuthError,
  Balance,
  BookSnapshot,
  ClockSkewError,
  TradeTick,
  ValidationError,
  VenueError,
  type ChimeraError,
  type Fill,
  type Order,
} from '@chimera/core';
import { z } from 'zod';
import { fromMaxCurrency, fromMaxMarket, toMaxMarket } from '../rest/instruments.js';
import { buildFill, buildOrder, sortLevels, type FillMappingOptions } from '../rest/mappers.js';
import type { NonceSource } from '../rest/nonce-source.js';
import { sideOf } from '../rest/order-vocabulary.js';
import type { MaxSigner } from '../rest/signing.js';
import { OptionalWireDecimal, parseVenue, VENUE_ID, WireDecimal, WireId, WireMillis } from '../rest/wire.js';
import type { MaxBookUpdate, MaxLevel, MaxSyncSnapshot } from './book-rules.js';

/** The MAX WebSocket endpoint (VENUES.md A.1). */
export const MAX_WS_URL = 'wss://max-stream.maicoin.com/ws';

/** Book depths MAX offers (default 50). */
export type MaxBookDepth = 1 | 5 | 10 | 20 | 50;

/** The depths MAX offers, as a list. */
export const MAX_BOOK_DEPTHS: readonly MaxBookDepth[] = [1, 5, 10, 20, 50];

/** One public subscription, in MAX's spelling (`market` is the lowercase MAX id). */
export type MaxWsSubscription =
  | { channel: 'book'; market: string; depth?: MaxBookDepth }
  | { channel: 'ticker'; market: string }
  | { channel: 'trade'; market: string };

/** The private channels the `auth` message can ask for (`trade_update`: trades without the snapshot). */
export type MaxAuthFilter = 'order' | 'trade' | 'account' | 'trade_update';

/** A `sub` or `unsub` message. */
export interface MaxSubscriptionMessage {
  action: 'sub' | 'unsub';
  subscriptions: MaxWsSubscription[];
  id?: string;
}

/** An `auth` message. */
export interface MaxAuthMessage {
  action: 'auth';
  apiKey: string;
  nonce: number;
  signature: string;
  id?: string;
  filters?: MaxAuthFilter[];
}

/**
 * A `book` subscription for a core symbol.
 * @throws ValidationError (`INVALID_SYMBOL`) on a bad symbol; (`INVALID_DEPTH`) on a depth MAX does not offer.
 */
export function bookSubscription(symbol: string, depth?: MaxBookDepth): MaxWsSubscription {
  if (depth !== undefined && !MAX_BOOK_DEPTHS.includes(depth)) {
    throw new ValidationError(`depth: expected one of ${MAX_BOOK_DEPTHS.join(', ')}`, [{ path: 'depth', message: 'not a depth MAX offers' }], {
      code: 'INVALID_DEPTH',
    });
  }
  return depth === undefined ? { channel: 'book', market: toMaxMarket(symbol) } : { channel: 'book', market: toMaxMarket(symbol), depth };
}

/** A `ticker` subscription for a core symbol. @throws ValidationError on a bad symbol. */
export function tickerSubscription(symbol: string): MaxWsSubscription {
  return { channel: 'ticker', market: toMaxMarket(symbol) };
}

/** A `trade` subscription for a core symbol. @throws ValidationError on a bad symbol. */
export function tradeSubscription(symbol: string): MaxWsSubscription {
  return { channel: 'trade', market: toMaxMarket(symbol) };
}

/**
 * `{"action":"sub","subscriptions":[…],"id":"…"}`. MAX answers `{"e":"subscribed","s":[…],"i":…}`
 * and then the channels' snapshots.
 */
export function subscribeMessage(subscriptions: readonly MaxWsSubscription[], id?: string): MaxSubscriptionMessage {
  return id === undefined ? { action: 'sub', subscriptions: [...subscriptions] } : { action: 'sub', subscriptions: [...subscriptions], id };
}

/**
 * `{"action":"unsub","subscriptions":[…],"id":"…"}`. The doc's example spells the key
 * `subscription`; the official SDK sends `subscriptions`, which is what is sent here.
 */
export function unsubscribeMessage(subscriptions: readonly MaxWsSubscription[], id?: string): MaxSubscriptionMessage {
  return id === undefined ? { action: 'unsub', subscriptions: [...subscriptions] } : { action: 'unsub', subscriptions: [...subscriptions], id };
}

/**
 * The `auth` message for the private channels:
 * `{"action":"auth","apiKey":…,"nonce":…,"signature":…,"id":…,"filters":[…]}` with
 * signature = hex(HMAC-SHA256(secret, String(nonce))). The nonce must be within 30 s of the
 * server's clock (error 1006) and unused (1012): take it from the key's {@link NonceSource}.
 *
 * @param signer - The key's signer.
 * @param nonces - The key's nonce source (shared with REST).
 * @param options - `id` to match the answer; `filters` (MAX default: order, trade, account).
 */
export function authMessage(signer: MaxSigner, nonces: NonceSource, options: { id?: string; filters?: readonly MaxAuthFilter[] } = {}): MaxAuthMessage {
  const msg: MaxAuthMessage = { action: 'auth', ...signer.wsAuthFields(nonces.next()) };
  if (options.id !== undefined) msg.id = options.id;
  if (options.filters !== undefined && options.filters.length > 0) msg.filters = [...options.filters];
  return msg;
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/** A `subscribed` / `unsubscribed` acknowledgement. */
export interface MaxAckEvent {
  kind: 'subscribed' | 'unsubscribed';
  /** The client id echoed (`i`). */
  id: string | undefined;
  /** The subscriptions acknowledged (`s`), as MAX echoes them. */
  subscriptions: unknown[];
  /** Server time, epoch ms. */
  ts: number | undefined;
}

/** The `authenticated` answer to `auth`. */
export interface MaxAuthenticatedEvent {
  kind: 'authenticated';
  id: string | undefined;
  ts: number | undefined;
}

/** An `error` message, with the typed error it maps to. */
export interface MaxErrorEvent {
  kind: 'error';
  id: string | undefined;
  /** The texts of `E`, e.g. `"E-1004: invalid action"`. */
  messages: string[];
  /** The codes found in `co` or the texts (1004, 1005, 1006, 1007, 1012 …). */
  codes: number[];
  /**
   * 1006 (nonce off by 30 s) and 1012 (nonce used) → `ClockSkewError`; 1007 → `AuthError`;
   * 1004/1005 → `VenueError` `INVALID_REQUEST` (400); others → `VenueError` `WS_ERROR`.
   */
  error: ChimeraError;
  ts: number | undefined;
}

/** A `book` snapshot or update: levels as sent (not sorted), with the continuity fields. */
export interface MaxBookEvent extends MaxBookUpdate {
  kind: 'book';
  event: 'snapshot' | 'update';
  /** Core symbol. */
  symbol: string;
  /** Event time, epoch ms. */
  ts: number;
}

/** A `ticker` event: 24 h statistics (MAX's WebSocket ticker carries no bid/ask). */
export interface MaxTickerEvent {
  kind: 'ticker';
  event: 'snapshot' | 'update';
  symbol: string;
  open: string;
  high: string;
  low: string;
  close: string;
  /** Base volume (`v`). */
  volume: string;
  /** Volume in BTC (`V`), when sent. */
  volumeInBtc: string | undefined;
  ts: number;
}

/** A `trade` event mapped to trade prints. */
export interface MaxTradesEvent {
  kind: 'trades';
  event: 'snapshot' | 'update';
  symbol: string;
  trades: TradeTick[];
  ts: number;
}

/** A private `order_snapshot` / `order_update`. */
export interface MaxOrdersEvent {
  kind: 'orders';
  event: 'snapshot' | 'update';
  orders: Order[];
  ts: number;
}

/** A private `trade_snapshot` / `trade_update` (the snapshot holds the last 100 trades). */
export interface MaxFillsEvent {
  kind: 'fills';
  event: 'snapshot' | 'update';
  fills: Fill[];
  ts: number;
}

/** A private `account_snapshot` / `account_update`. */
export interface MaxBalancesEvent {
  kind: 'balances';
  event: 'snapshot' | 'update';
  balances: Balance[];
  ts: number;
}

/** A message this adapter does not use (k-lines, market status, margin-wallet events …). */
export interface MaxIgnoredEvent {
  kind: 'ignored';
  channel: string | undefined;
  event: string | undefined;
}

/** Every message the MAX WebSocket sends, parsed. */
export type MaxWsEvent =
  | MaxAckEvent
  | MaxAuthenticatedEvent
  | MaxErrorEvent
  | MaxBookEvent
  | MaxTickerEvent
  | MaxTradesEvent
  | MaxOrdersEvent
  | MaxFillsEvent
  | MaxBalancesEvent
  | MaxIgnoredEvent;

/** Options of {@link parseMaxWsMessage}. */
export interface ParseWsOptions extends FillMappingOptions {
  /** Local receive time, epoch ms (trade prints carry it). */
  receiveTime: number;
}

const Envelope = z.object({
  e: z.string().optional(),
  c: z.string().optional(),
  i: z.union([z.string(), z.number()]).optional(),
  T: WireMillis.optional(),
});

const WsLevel = z.tuple([WireDecimal, WireDecimal]).rest(z.unknown());

const Book = z.object({
  M: z.string(),
  a: z.array(WsLevel),
  b: z.array(WsLevel),
  T: WireMillis,
  fi: z.number().int().nonnegative(),
  li: z.number().int().nonnegative(),
  v: z.number().int().nonnegative(),
});

const Ticker = z.object({
  M: z.string(),
  tk: z.object({ O: WireDecimal, H: WireDecimal, L: WireDecimal, C: WireDecimal, v: WireDecimal, V: OptionalWireDecimal }),
  T: WireMillis,
});

const PublicTrades = z.object({
  M: z.string(),
  t: z.array(z.object({ p: WireDecimal, v: WireDecimal, T: WireMillis, tr: z.string().nullish() })),
  T: WireMillis,
});

const UserOrder = z.object({
  i: WireId,
  M: z.string(),
  sd: z.string(),
  ot: z.string(),
  p: OptionalWireDecimal,
  sp: OptionalWireDecimal,
  ap: OptionalWireDecimal,
  v: WireDecimal,
  rv: WireDecimal,
  ev: WireDecimal,
  S: z.string(),
  T: WireMillis,
  TU: WireMillis.nullish(),
  ci: z.string().nullish(),
});

const UserTrade = z.object({
  i: WireId,
  M: z.string(),
  sd: z.string(),
  p: WireDecimal,
  v: WireDecimal,
  f: OptionalWireDecimal,
  fc: z.string().nullish(),
  T: WireMillis,
  m: z.boolean(),
  oi: WireId,
});

const UserBalance = z.object({ cu: z.string().min(1), av: WireDecimal, l: WireDecimal });

const UserOrders = z.object({ o: z.array(UserOrder), T: WireMillis });
const UserTrades = z.object({ t: z.array(UserTrade), T: WireMillis });
const UserBalances = z.object({ B: z.array(UserBalance), T: WireMillis });

function errorCodes(messages: readonly string[], co: unknown): number[] {
  const codes = new Set<number>();
  if (typeof co === 'number' && Number.isInteger(co)) codes.add(co);
  if (typeof co === 'string' && /^\d+$/.test(co)) codes.add(Number(co));
  for (const m of messages) {
    const match = /E-?(\d{3,5})/.exec(m);
    if (match?.[1] !== undefined) codes.add(Number(match[1]));
  }
  return [...codes];
}

/**
 * The typed error of a MAX WebSocket error message (see {@link MaxErrorEvent.error}).
 */
export function wsErrorToChimera(messages: readonly string[], codes: readonly number[]): ChimeraError {
  const text = `max websocket: ${messages.join('; ') || 'error'}`;
  const details = { venueCodes: [...codes], venueMessages: [...messages] };
  if (codes.includes(1006)) return new ClockSkewError(text, { details: { ...details, reason: 'NONCE_OUT_OF_WINDOW' } });
  if (codes.includes(1012)) return new ClockSkewError(text, { details: { ...details, reason: 'NONCE_USED' } });
  if (codes.includes(1007)) return new AuthError(text, { details });
  if (codes.includes(1004) || codes.includes(1005)) return new VenueError(text, { code: 'INVALID_REQUEST', status: 400, details });
  return new VenueError(text, { code: 'WS_ERROR', status: 503, details });
}

function phase(e: string): 'snapshot' | 'update' {
  return e.endsWith('snapshot') ? 'snapshot' : 'update';
}

/**
 * Parses one MAX WebSocket message (already `JSON.parse`d).
 *
 * - acknowledgements, `authenticated` and `error` messages;
 * - `book`: levels as sent, with `fi`/`li`/`v` for `maxBookRules`;
 * - `ticker`: 24 h open/high/low/close/volume (no bid/ask: derive ticks from the book);
 * - `trade`: trade prints. MAX sends no trade id and no taker side, only the trend `tr`: the id is
 *   `<T>-<index in the message>` (unique within one message only) and `up` reads as a BUY taker,
 *   `down` as SELL (the tick rule, an approximation);
 * - `user` `order_*` → core orders (WebSocket sides are `bid`/`ask`), `trade_*` → fills (`m` is
 *   the maker flag; the client order id comes from `options.clientOrderId`, else `max:<oi>`),
 *   `account_*` → balances (`av` free, `l` locked);
 * - anything else (k-lines, market status, `mwallet_*`) → `{ kind: 'ignored' }`.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) when a message of a known kind has another shape.
 */
export function parseMaxWsMessage(msg: unknown, options: ParseWsOptions): MaxWsEvent {
  const env = parseVenue(Envelope, msg, 'websocket message');
  const raw = msg as Record<string, unknown>;
  const id = env.i === undefined ? undefined : String(env.i);
  const e = env.e;
  if (env.c === undefined) {
    switch (e) {
      case 'subscribed':
      case 'unsubscribed':
        return { kind: e, id, subscriptions: Array.isArray(raw.s) ? [...(raw.s as unknown[])] : [], ts: env.T };
      case 'authenticated':
        return { kind: 'authenticated', id, ts: env.T };
      case 'error': {
        const messages = Array.isArray(raw.E) ? (raw.E as unknown[]).map(String) : [];
        const codes = errorCodes(messages, raw.co);
        return { kind: 'error', id, messages, codes, error: wsErrorToChimera(messages, codes), ts: env.T };
      }
      default:
        return { kind: 'ignored', channel: undefined, event: e };
    }
  }
  if (e === undefined) return { kind: 'ignored', channel: env.c, event: undefined };
  switch (`${env.c}.${e}`) {
    case 'book.snapshot':
    case 'book.update': {
      const b = parseVenue(Book, msg, 'book');
      const level = (l: readonly [string, string, ...unknown[]]): MaxLevel => [l[0], l[1]];
      return {
        kind: 'book',
        event: phase(e),
        symbol: fromMaxMarket(b.M),
        fi: b.fi,
        li: b.li,
        v: b.v,
        bids: b.b.map(level),
        asks: b.a.map(level),
        ts: b.T,
      };
    }
    case 'ticker.snapshot':
    case 'ticker.update': {
      const t = parseVenue(Ticker, msg, 'ticker');
      return {
        kind: 'ticker',
        event: phase(e),
        symbol: fromMaxMarket(t.M),
        open: t.tk.O,
        high: t.tk.H,
        low: t.tk.L,
        close: t.tk.C,
        volume: t.tk.v,
        volumeInBtc: t.tk.V,
        ts: t.T,
      };
    }
    case 'trade.snapshot':
    case 'trade.update': {
      const t = parseVenue(PublicTrades, msg, 'trade');
      const symbol = fromMaxMarket(t.M);
      const trades = t.t.map((x, index) =>
        parseVenue(
          TradeTick,
          {
            venue: VENUE_ID,
            market: 'SPOT',
            symbol,
            tradeId: `${x.T}-${index}`,
            price: x.p,
            qty: x.v,
            takerSide: x.tr === 'down' ? 'SELL' : 'BUY',
            eventTime: x.T,
            receiveTime: options.receiveTime,
          },
          'trade',
        ),
      );
      return { kind: 'trades', event: phase(e), symbol, trades, ts: t.T };
    }
    case 'user.order_snapshot':
    case 'user.order_update': {
      const u = parseVenue(UserOrders, msg, 'user order');
      const orders = u.o.map((o) =>
        buildOrder({
          id: o.i,
          market: o.M,
          clientOid: o.ci,
          side: o.sd,
          state: o.S,
          ordType: o.ot,
          price: o.p,
          stopPrice: o.sp,
          avgPrice: o.ap,
          volume: o.v,
          executedVolume: o.ev,
          remainingVolume: o.rv,
          createdAt: o.T,
          updatedAt: o.TU,
        }),
      );
      return { kind: 'orders', event: phase(e), orders, ts: u.T };
    }
    case 'user.trade_snapshot':
    case 'user.trade_update': {
      const u = parseVenue(UserTrades, msg, 'user trade');
      const fills = u.t.map((t) =>
        buildFill(
          {
            tradeId: t.i,
            orderId: t.oi,
            market: t.M,
            side: sideOf(t.sd),
            price: t.p,
            volume: t.v,
            fee: t.f,
            feeCurrency: t.fc,
            maker: t.m,
            createdAt: t.T,
          },
          options,
        ),
      );
      return { kind: 'fills', event: phase(e), fills, ts: u.T };
    }
    case 'user.account_snapshot':
    case 'user.account_update': {
      const u = parseVenue(UserBalances, msg, 'user account');
      const balances = u.B.map((b) =>
        parseVenue(Balance, { venue: VENUE_ID, market: 'SPOT', asset: fromMaxCurrency(b.cu), free: b.av, locked: b.l }, 'user account'),
      );
      return { kind: 'balances', event: phase(e), balances, ts: u.T };
    }
    default:
      return { kind: 'ignored', channel: env.c, event: e };
  }
}

/**
 * Decodes and parses one text frame.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) when the text is not JSON or the message has an unexpected shape.
 */
export function parseMaxWsText(text: string, options: ParseWsOptions): MaxWsEvent {
  let msg: unknown;
  try {
    msg = JSON.parse(text) as unknown;
  } catch {
    throw new VenueError('unexpected max websocket payload: not JSON', { code: 'UNEXPECTED_RESPONSE', status: 502, details: { what: 'websocket message' } });
  }
  return parseMaxWsMessage(msg, options);
}

/** The snapshot the book sync driver loads from a book `snapshot` event (`sequence` = `li`). */
export function toSyncSnapshot(event: MaxBookEvent): MaxSyncSnapshot {
  return { sequence: event.li, v: event.v, bids: event.bids, asks: event.asks };
}

/**
 * A book event as a core `BookSnapshot` (levels sorted best first, zero volumes dropped), e.g. for
 * a depth-limited book whose every snapshot is the whole picture.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) when a level is not a decimal.
 */
export function toBookSnapshot(event: MaxBookEvent, receiveTime: number): BookSnapshot {
  return parseVenue(
    BookSnapshot,
    {
      venue: VENUE_ID,
      market: 'SPOT',
      symbol: event.symbol,
      sequence: event.li,
      bids: sortLevels(event.bids, 'bid'),
      asks: sortLevels(event.asks, 'ask'),
      eventTime: event.ts,
      receiveTime,
    },
    'book',
  );
}
