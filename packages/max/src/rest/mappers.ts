/**
 * MAX v3 REST responses mapped to the core's types: server time, orders, the account's trades
 * (`Fill`), balances, depth (`BookSnapshot`), tickers (`MarketTick`), public trades (`TradeTick`)
 * and k-lines. Schemas are lenient (unknown fields are dropped, numbers or strings accepted for
 * decimals, `null` for "not set"); what cannot be mapped fails with `UNEXPECTED_RESPONSE`.
 *
 * Units (VENUES.md A.2, A.4): times are **seconds** in `/timestamp`, ticker `at`, depth
 * `timestamp` and k-lines, **milliseconds** in orders, trades and public trades; everything comes
 * out in epoch ms. Local receive times are passed in (time is injected, DESIGN.md principle 2).
 *
 * @packageDocumentation
 */
import {
  Balance,
  BookSnapshot,
  Fill,
  MarketTick,
  Order,
  tickFigures,
  TradeTick,
  VenueError,
  type BookLevel,
} from '@chimera/core';
import { z } from 'zod';
import { fromMaxCurrency, fromMaxMarket, splitMaxMarket } from './instruments.js';
import { orderKindOf, orderStatusOf, sideOf, syntheticClientOrderId } from './order-vocabulary.js';
import { D, isPositive, OptionalWireDecimal, parseVenue, unexpected, VENUE_ID, WireDecimal, WireId, WireMillis, WireSeconds } from './wire.js';

// ---------------------------------------------------------------------------------------------
// Server time
// ---------------------------------------------------------------------------------------------

const Timestamp = z.union([z.object({ timestamp: WireSeconds }).transform((t) => t.timestamp), WireSeconds]);

/**
 * Reads `GET /api/v3/timestamp` (`{"timestamp": 1728011557}`, seconds) as epoch milliseconds.
 * A bare number is accepted too (the v2 answer).
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseServerTime(body: unknown): number {
  return parseVenue(Timestamp, body, 'timestamp');
}

// ---------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------

/** A v3 order object (`POST …/order`, `GET /order`, the order lists). */
const MaxOrderSchema = z.object({
  id: WireId,
  market: z.string().min(1),
  client_oid: z.string().nullish(),
  side: z.string(),
  state: z.string(),
  ord_type: z.string(),
  price: OptionalWireDecimal,
  stop_price: OptionalWireDecimal,
  avg_price: OptionalWireDecimal,
  volume: WireDecimal,
  remaining_volume: WireDecimal,
  executed_volume: WireDecimal,
  created_at: WireMillis,
  updated_at: WireMillis.nullish(),
});

/** The fields an order needs, in MAX's terms, whichever channel (REST or WebSocket) carried it. */
export interface MaxOrderFields {
  id: string;
  market: string;
  clientOid: string | null | undefined;
  side: string;
  state: string;
  ordType: string;
  price: string | undefined;
  stopPrice: string | undefined;
  avgPrice: string | undefined;
  volume: string;
  executedVolume: string;
  remainingVolume: string;
  createdAt: number;
  updatedAt: number | null | undefined;
}

/**
 * Builds a core order from MAX's fields (shared by the REST and WebSocket mappers). A missing
 * `client_oid` becomes `max:<id>` ({@link syntheticClientOrderId}); `avgPrice` is left out until
 * something executed (MAX reports `"0.0"`); market orders carry no price, non-stop orders no
 * stop price.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on an unknown state, type or side.
 */
export function buildOrder(o: MaxOrderFields): Order {
  const kind = orderKindOf(o.ordType);
  const executed = new D(o.executedVolume).gt(0);
  return parseVenue(
    Order,
    {
      venue: VENUE_ID,
      market: 'SPOT',
      symbol: fromMaxMarket(o.market),
      clientOrderId: o.clientOid ? o.clientOid : syntheticClientOrderId(o.id),
      venueOrderId: o.id,
      side: sideOf(o.side),
      type: kind.type,
      timeInForce: kind.timeInForce,
      postOnly: kind.postOnly,
      reduceOnly: false,
      price: kind.type === 'MARKET' || kind.type === 'STOP_MARKET' ? undefined : o.price,
      // Only stop orders have a trigger; MAX's documented limit order still echoes one (`sp`).
      stopPrice: kind.type === 'STOP_LIMIT' || kind.type === 'STOP_MARKET' ? o.stopPrice : undefined,
      qty: o.volume,
      filledQty: o.executedVolume,
      avgPrice: executed && o.avgPrice !== undefined && isPositive(o.avgPrice) ? o.avgPrice : undefined,
      status: orderStatusOf(o.state, o.executedVolume, o.remainingVolume),
      createdAt: o.createdAt,
      updatedAt: o.updatedAt ?? o.createdAt,
    },
    'order',
  );
}

function orderFromRest(o: z.output<typeof MaxOrderSchema>): Order {
  return buildOrder({
    id: o.id,
    market: o.market,
    clientOid: o.client_oid,
    side: o.side,
    state: o.state,
    ordType: o.ord_type,
    price: o.price,
    stopPrice: o.stop_price,
    avgPrice: o.avg_price,
    volume: o.volume,
    executedVolume: o.executed_volume,
    remainingVolume: o.remaining_volume,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
  });
}

/**
 * Maps one v3 order (`POST /api/v3/wallet/spot/order`, `GET /api/v3/order`).
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape or an unknown state/type/side.
 */
export function parseOrder(body: unknown): Order {
  return orderFromRest(parseVenue(MaxOrderSchema, body, 'order'));
}

/**
 * Maps a list of v3 orders (open, closed, history).
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseOrders(body: unknown): Order[] {
  return parseVenue(z.array(MaxOrderSchema), body, 'orders').map(orderFromRest);
}

/**
 * Reads the answer of `DELETE /api/v3/order` (`{"success": true}`): MAX accepted the cancel; the
 * order's final state arrives later (WebSocket `order_update` or a query).
 *
 * @throws VenueError (`CANCEL_REJECTED`, 422) when `success` is not true; (`UNEXPECTED_RESPONSE`)
 *   on another shape.
 */
export function parseCancelResult(body: unknown): true {
  const r = parseVenue(z.object({ success: z.boolean() }), body, 'cancel');
  if (!r.success) throw new VenueError('max did not accept the cancel', { code: 'CANCEL_REJECTED', status: 422, details: { venueBody: body } });
  return true;
}

// Tried in this order: a bare order, a bare acknowledgement, then the `{ error, order }` wrapper
// (whose fields are all optional, so it would swallow the other two).
const CancelAllItem = z.union([
  MaxOrderSchema,
  z.object({ success: z.boolean() }),
  z.object({ error: z.unknown().optional(), order: MaxOrderSchema.nullish() }),
]);

/** The answer of a cancel-all: the orders MAX cancelled and the per-order errors it reported. */
export interface CancelAllResult {
  /** Orders MAX reported on (as it last saw them). */
  orders: Order[];
  /** Per-order error texts, when MAX reported any. */
  errors: string[];
  /** Items that said only `{ success: true/false }` (the node SDK's documented shape). */
  acknowledged: number;
}

/**
 * Reads the answer of `DELETE /api/v3/wallet/spot/orders`. The node SDK fixture shows
 * `[{ "error": null, "order": {…} }]`, its typings `[{ "success": true }]`, and ccxt parses bare
 * orders: all three are accepted.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseCancelAll(body: unknown): CancelAllResult {
  const items = parseVenue(z.array(CancelAllItem), body, 'cancel-all');
  const out: CancelAllResult = { orders: [], errors: [], acknowledged: 0 };
  for (const item of items) {
    if ('success' in item) out.acknowledged += 1;
    else if ('ord_type' in item) out.orders.push(orderFromRest(item));
    else {
      if (item.order) out.orders.push(orderFromRest(item.order));
      if (item.error !== null && item.error !== undefined) out.errors.push(typeof item.error === 'string' ? item.error : JSON.stringify(item.error));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The account's trades
// ---------------------------------------------------------------------------------------------

const MaxTradeSchema = z.object({
  id: WireId,
  order_id: WireId,
  market: z.string().min(1),
  side: z.string(),
  price: WireDecimal,
  volume: WireDecimal,
  fee: OptionalWireDecimal,
  fee_currency: z.string().nullish(),
  liquidity: z.string().nullish(),
  created_at: WireMillis,
  self_trade_bid_fee: OptionalWireDecimal,
  self_trade_bid_fee_currency: z.string().nullish(),
  self_trade_bid_order_id: WireId.nullish(),
});

/** How a trade's client order id is found (MAX trades carry only the order's venue id). */
export interface FillMappingOptions {
  /**
   * The client order id of the trades' order, or a lookup from the venue order id (e.g. the
   * order tracker's index). Unresolved orders get `max:<order id>` ({@link syntheticClientOrderId}).
   */
  clientOrderId?: string | ((venueOrderId: string) => string | undefined);
}

function resolveClientOrderId(options: FillMappingOptions, venueOrderId: string): string {
  const c = options.clientOrderId;
  const found = typeof c === 'function' ? c(venueOrderId) : c;
  return found && found.length > 0 ? found : syntheticClientOrderId(venueOrderId);
}

function feeAssetOf(currency: string | null | undefined, market: string): string {
  if (currency) return fromMaxCurrency(currency);
  const units = splitMaxMarket(market);
  return units ? fromMaxCurrency(units.quote) : unexpected('trade', 'fee_currency', `missing, and no quote currency found in "${market}"`);
}

/** The fields a fill needs, in MAX's terms, whichever channel carried it. */
export interface MaxFillFields {
  tradeId: string;
  orderId: string;
  market: string;
  side: 'BUY' | 'SELL';
  price: string;
  volume: string;
  fee: string | undefined;
  feeCurrency: string | null | undefined;
  maker: boolean;
  createdAt: number;
}

/**
 * Builds a core fill from MAX's fields (shared by the REST and WebSocket mappers). A missing fee
 * reads as `"0"` in the market's quote currency.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) when the result is not a valid fill.
 */
export function buildFill(f: MaxFillFields, options: FillMappingOptions = {}): Fill {
  return parseVenue(
    Fill,
    {
      venue: VENUE_ID,
      market: 'SPOT',
      symbol: fromMaxMarket(f.market),
      tradeId: f.tradeId,
      venueOrderId: f.orderId,
      clientOrderId: resolveClientOrderId(options, f.orderId),
      side: f.side,
      price: f.price,
      qty: f.volume,
      fee: f.fee ?? '0',
      feeAsset: feeAssetOf(f.feeCurrency, f.market),
      isMaker: f.maker,
      ts: f.createdAt,
    },
    'trade',
  );
}

function fillsFromTrade(t: z.output<typeof MaxTradeSchema>, options: FillMappingOptions): Fill[] {
  const maker = t.liquidity === 'maker';
  const common = { market: t.market, price: t.price, volume: t.volume, createdAt: t.created_at };
  if (t.side !== 'self-trade') {
    return [buildFill({ ...common, tradeId: t.id, orderId: t.order_id, side: sideOf(t.side), fee: t.fee, feeCurrency: t.fee_currency, maker }, options)];
  }
  // A self-trade is one MAX trade with both of the account's orders in it: the record's own
  // order/fee fields are the ask side, `self_trade_bid_*` the bid side, and the bid side took the
  // other liquidity role. Each side becomes a fill; the suffix keeps `venue + tradeId` unique.
  const fills = [
    buildFill({ ...common, tradeId: `${t.id}-ask`, orderId: t.order_id, side: 'SELL', fee: t.fee, feeCurrency: t.fee_currency, maker }, options),
  ];
  if (t.self_trade_bid_order_id) {
    fills.push(
      buildFill(
        {
          ...common,
          tradeId: `${t.id}-bid`,
          orderId: t.self_trade_bid_order_id,
          side: 'BUY',
          fee: t.self_trade_bid_fee,
          feeCurrency: t.self_trade_bid_fee_currency,
          maker: !maker,
        },
        options,
      ),
    );
  }
  return fills;
}

/**
 * Maps the account's trades (`GET /api/v3/wallet/spot/trades`, `GET /api/v3/order/trades`) to
 * fills, in MAX's order. `liquidity: "maker"` sets `isMaker`; `fee` is in `fee_currency` (MAX
 * token when `fee_discounted`). A `self-trade` record yields two fills (`<id>-ask`, `<id>-bid`).
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseTrades(body: unknown, options: FillMappingOptions = {}): Fill[] {
  return parseVenue(z.array(MaxTradeSchema), body, 'trades').flatMap((t) => fillsFromTrade(t, options));
}

// ---------------------------------------------------------------------------------------------
// Balances
// ---------------------------------------------------------------------------------------------

const MaxAccountSchema = z.object({
  currency: z.string().min(1),
  balance: WireDecimal,
  locked: WireDecimal,
});

/**
 * Maps `GET /api/v3/wallet/spot/accounts`: `balance` is the **available** amount (→ `free`),
 * `locked` what open orders hold. `staked` is neither (it cannot trade) and is left out.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseBalances(body: unknown): Balance[] {
  return parseVenue(z.array(MaxAccountSchema), body, 'accounts').map((a) =>
    parseVenue(Balance, { venue: VENUE_ID, market: 'SPOT', asset: fromMaxCurrency(a.currency), free: a.balance, locked: a.locked }, 'account'),
  );
}

// ---------------------------------------------------------------------------------------------
// Market data
// ---------------------------------------------------------------------------------------------

const Level = z.tuple([WireDecimal, WireDecimal]).rest(z.unknown());

/**
 * Levels sorted best first: bids highest price first, asks lowest first; zero-quantity levels
 * dropped (they mean "no such level").
 */
export function sortLevels(levels: ReadonlyArray<readonly [string, string, ...unknown[]]>, side: 'bid' | 'ask'): BookLevel[] {
  const out = levels.filter(([, qty]) => !new D(qty).eq(0)).map(([price, qty]) => ({ price, qty }));
  out.sort((a, b) => (side === 'bid' ? new D(b.price).cmp(a.price) : new D(a.price).cmp(b.price)));
  return out;
}

const Depth = z.object({
  timestamp: WireSeconds.optional(),
  last_update_version: z.number().int().nonnegative().optional(),
  last_update_id: z.number().int().nonnegative().optional(),
  asks: z.array(Level),
  bids: z.array(Level),
});

/** A depth snapshot with MAX's book version (the `v` its WebSocket book updates must match). */
export type MaxDepthSnapshot = BookSnapshot & {
  /** `last_update_version` (0 when absent). */
  version: number;
};

/**
 * Maps `GET /api/v3/depth` to a book snapshot. The documented example lists **both** sides from
 * the highest price down (so the best ask is the last ask), whatever `sort_by_price` says; the
 * levels are therefore sorted here: bids descending, asks ascending. `sequence` is
 * `last_update_id`, `version` is `last_update_version`, `eventTime` the `timestamp` (seconds → ms).
 *
 * @param symbol - The core symbol asked for (the body names none).
 * @param body - The decoded response body.
 * @param receiveTime - Local receive time, epoch ms.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseDepth(symbol: string, body: unknown, receiveTime: number): MaxDepthSnapshot {
  const d = parseVenue(Depth, body, 'depth');
  const snapshot = parseVenue(
    BookSnapshot,
    {
      venue: VENUE_ID,
      market: 'SPOT',
      symbol,
      sequence: d.last_update_id ?? 0,
      bids: sortLevels(d.bids, 'bid'),
      asks: sortLevels(d.asks, 'ask'),
      eventTime: d.timestamp,
      receiveTime,
    },
    'depth',
  );
  return { ...snapshot, version: d.last_update_version ?? 0 };
}

/** A top of book to normalise into a {@link MarketTick}. */
export interface MaxTopOfBook {
  /** Core symbol. */
  symbol: string;
  bid: string;
  bidQty: string;
  ask: string;
  askQty: string;
  /** Venue time of the quote, epoch ms. */
  eventTime: number;
  /** Local receive time, epoch ms. */
  receiveTime: number;
}

/**
 * A normalised MAX tick (SPEC §2 figures from `tickFigures`) from a top of book — a REST ticker,
 * the best levels of a WebSocket book, or a depth-1 book snapshot.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) when a price or quantity is not a decimal.
 */
export function toMarketTick(top: MaxTopOfBook): MarketTick {
  return parseVenue(
    MarketTick,
    {
      venue: VENUE_ID,
      market: 'SPOT',
      symbol: top.symbol,
      bid: top.bid,
      bidQty: top.bidQty,
      ask: top.ask,
      askQty: top.askQty,
      ...tickFigures(top.bid, top.bidQty, top.ask, top.askQty),
      eventTime: top.eventTime,
      receiveTime: top.receiveTime,
    },
    'tick',
  );
}

const Ticker = z.object({
  market: z.string().min(1),
  at: WireSeconds,
  buy: OptionalWireDecimal,
  buy_vol: OptionalWireDecimal,
  sell: OptionalWireDecimal,
  sell_vol: OptionalWireDecimal,
});

function tickerToTick(t: z.output<typeof Ticker>, receiveTime: number): MarketTick | undefined {
  if (t.buy === undefined || t.sell === undefined || !isPositive(t.buy) || !isPositive(t.sell)) return undefined;
  return toMarketTick({
    symbol: fromMaxMarket(t.market),
    bid: t.buy,
    bidQty: t.buy_vol ?? '0',
    ask: t.sell,
    askQty: t.sell_vol ?? '0',
    eventTime: t.at,
    receiveTime,
  });
}

/**
 * Maps `GET /api/v3/ticker` to a tick: `buy`/`buy_vol` are the best bid and its size,
 * `sell`/`sell_vol` the best ask (the documented example matches the depth example's best
 * levels); `at` (seconds) is the event time.
 *
 * @throws VenueError (`NO_TOP_OF_BOOK`, 503, retryable) when a side is empty;
 *   (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseTicker(body: unknown, receiveTime: number): MarketTick {
  const t = parseVenue(Ticker, body, 'ticker');
  const tick = tickerToTick(t, receiveTime);
  if (!tick) {
    throw new VenueError(`max ${t.market} has no two-sided top of book`, {
      code: 'NO_TOP_OF_BOOK',
      status: 503,
      retryable: true,
      details: { market: t.market },
    });
  }
  return tick;
}

/**
 * Maps `GET /api/v3/tickers` to ticks; markets without a two-sided top of book are left out (one
 * illiquid market must not hide the others).
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseTickers(body: unknown, receiveTime: number): MarketTick[] {
  return parseVenue(z.array(Ticker), body, 'tickers').flatMap((t) => tickerToTick(t, receiveTime) ?? []);
}

const PublicTrade = z.object({
  id: WireId,
  market: z.string().min(1),
  price: WireDecimal,
  volume: WireDecimal,
  side: z.string(),
  created_at: WireMillis,
});

/**
 * Maps `GET /api/v3/trades` (newest first, as MAX lists them) to trade prints. `side` is the
 * taker's side (`bid` → BUY), as ccxt reads it.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape or side.
 */
export function parsePublicTrades(body: unknown, receiveTime: number): TradeTick[] {
  return parseVenue(z.array(PublicTrade), body, 'public trades').map((t) =>
    parseVenue(
      TradeTick,
      {
        venue: VENUE_ID,
        market: 'SPOT',
        symbol: fromMaxMarket(t.market),
        tradeId: t.id,
        price: t.price,
        qty: t.volume,
        takerSide: sideOf(t.side),
        eventTime: t.created_at,
        receiveTime,
      },
      'public trade',
    ),
  );
}

/** One candle of `GET /api/v3/k`. Prices and volume as exact decimal strings. */
export interface MaxCandle {
  /** Open time, epoch ms (MAX sends seconds). */
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  /** Base volume. */
  volume: string;
}

const Candle = z.tuple([WireSeconds, WireDecimal, WireDecimal, WireDecimal, WireDecimal, WireDecimal]).rest(z.unknown());

/**
 * Maps `GET /api/v3/k` (`[[ts_seconds, open, high, low, close, volume], …]`, JSON numbers) to
 * candles. Numbers are read through their shortest round-trip text, so `1944444.4` stays
 * `"1944444.4"`.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseKlines(body: unknown): MaxCandle[] {
  return parseVenue(z.array(Candle), body, 'k').map(([openTime, open, high, low, close, volume]) => ({ openTime, open, high, low, close, volume }));
}
