/**
 * The paper venue engine: per symbol and market a visible book fed by market data and the resting
 * orders of one account; matching, OCO lists, conditional orders, spot wallets, one-way futures
 * positions, funding and SPOT↔FUT transfers. Synchronous and venue-neutral, so a connector or a
 * venue's wire protocol can sit on top; time comes only from the injected clock and ids from the
 * seed, so the same inputs give the same fills.
 *
 * Matching rules: see `matching.ts`. Out of scope: liquidation, self-trade prevention (own orders
 * never meet), hedge mode, spot commission in BNB.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { EventEmitter } from 'eventemitter3';
import type { TimerHandle } from '../clock/clock.js';
import type { OrderRef, TimeWindow, VenueCapabilities, VenueTransferRequest } from '../connector.js';
import type { Balance, Fill, FundingIncome, FundingRate, Position, VenueTransfer } from '../domain/account.js';
import { DECIMAL_PATTERN } from '../domain/decimal.js';
import type { Market, OrderStatus, OrderType, Side, TimeInForce, WorkingType } from '../domain/enums.js';
import type { Instrument } from '../domain/instrument.js';
import type { BookSnapshot, MarkPriceTick, MarketTick, TradeTick } from '../domain/market-data.js';
import { tickFigures } from '../domain/market-data.js';
import type { OcoOrder, Order } from '../domain/order.js';
import {
  BusinessRuleError,
  InsufficientFundsError,
  OrderNotFoundError,
  PostOnlyRejectedError,
  StateError,
  UnsupportedError,
  ValidationError,
  VenueError,
} from '../errors.js';
import { noopLogger, type Logger } from '../logging/logger.js';
import { checkFilters } from '../precision/filters.js';
import {
  DEFAULT_FEES,
  FuturesPosition,
  marginFor,
  SpotWallet,
  type FeeSchedule,
  type SpotLock,
} from './accounts.js';
import { PaperBook, type PaperBookUpdate, type PaperBookSide, type PaperTopOfBook } from './book.js';
import { paperInstruments } from './instruments.js';
import { crossesLevel, isConditional, planRestingFills, planTradeFills, planWalk, stopTriggered, wouldTake, type RestingView } from './matching.js';
import { randomInt, seededRandom } from './random.js';
import {
  FULL_PAPER_CAPABILITIES,
  type PaperEngineEvents,
  type PaperEngineOptions,
  type PaperMarkInput,
  type PaperOcoRequest,
  type PaperOrderRequest,
  type PaperTradeInput,
} from './types.js';

/** A private big.js constructor, so a host's global big.js settings cannot reach the engine. */
const D = Big();
const ZERO = new D(0);

/** Canonical decimal text (`"0"`, never `"-0"`). */
function str(v: Big): string {
  return v.eq(0) ? '0' : v.toFixed();
}

/** The engine's working state of one order. */
interface OrderState {
  id: string;
  seq: number;
  market: Market;
  symbol: string;
  clientOrderId: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce | undefined;
  postOnly: boolean;
  reduceOnly: boolean;
  price: string | undefined;
  priceB: Big | undefined;
  stopPrice: string | undefined;
  stopB: Big | undefined;
  workingType: WorkingType | undefined;
  qty: Big;
  qtyText: string;
  filled: Big;
  filledText: string;
  /** Σ fill qty × price, for the average price. */
  notional: Big;
  /** Average fill price (8 dp), updated on each fill. */
  avgPrice: string | undefined;
  status: OrderStatus;
  listId: string | undefined;
  createdAt: number;
  updatedAt: number;
  /** Conditional order whose trigger fired. */
  triggered: boolean;
  /** Spot funds held for the order (shared by OCO legs). */
  lock: SpotLock | undefined;
  /** Quote locked per unit of base for spot buys; 1 for sells. */
  lockPerUnit: Big;
  /** Futures initial margin reserved by a resting order. */
  reserved: Big;
}

interface MarkState {
  markPrice: string;
  indexPrice: string | undefined;
  fundingRate: string;
  nextFundingTime: number;
  eventTime: number;
}

/** Per market and symbol: the visible book and the account's working orders. */
interface MarketState {
  market: Market;
  symbol: string;
  book: PaperBook;
  /** Resting buy limits, best price first then oldest. */
  bids: OrderState[];
  /** Resting sell limits, best price first then oldest. */
  asks: OrderState[];
  /** Untriggered conditional orders, oldest first. */
  stops: OrderState[];
  lastTrade: Big | undefined;
  mark: MarkState | undefined;
  fundingTimer: TimerHandle | undefined;
  fundingTimerAt: number | undefined;
  lastFundingTime: number | undefined;
}

interface ListState {
  id: string;
  clientListId: string;
  symbol: string;
  tp: OrderState;
  sl: OrderState;
}

type Queued = { [K in keyof PaperEngineEvents]: [K, Parameters<PaperEngineEvents[K]>] }[keyof PaperEngineEvents];

function isOpen(o: OrderState): boolean {
  return o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
}

function inWindow(ts: number, w: TimeWindow | undefined): boolean {
  if (!w) return true;
  return (w.startTime === undefined || ts >= w.startTime) && (w.endTime === undefined || ts <= w.endTime);
}

function unknownSymbol(market: Market, symbol: string): VenueError {
  return new VenueError(`unknown symbol ${symbol} on ${market}`, { code: 'UNKNOWN_SYMBOL', status: 422, details: { market, symbol, venueCode: -1121 } });
}

function decimal(value: unknown, field: string): Big {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    const message = 'expected a decimal string';
    throw new ValidationError(`${field}: ${message}`, [{ path: field, message }], { code: 'INVALID_DECIMAL' });
  }
  return new D(value);
}

/**
 * The paper venue engine. All operations are synchronous; events are emitted once an operation
 * has finished, in the order things happened. Errors are the typed ones of the connector contract:
 * `FilterError`, `PostOnlyRejectedError`, `OrderNotFoundError`, `InsufficientFundsError`,
 * `UnsupportedError`, and `VenueError` with codes `UNKNOWN_SYMBOL`, `DUPLICATE_ORDER`,
 * `REDUCE_ONLY_REJECTED`, `WOULD_IMMEDIATELY_TRIGGER`, `OCO_INVALID_PRICES`, `MARKET_CLOSED`,
 * `MARGIN_TYPE_LOCKED`, `INVALID_LEVERAGE`, `NO_MARKET_DATA`.
 */
export class PaperEngine {
  /** Typed events (no event is named `error`). */
  readonly events = new EventEmitter<PaperEngineEvents>();
  /** Venue id written into every record. */
  readonly venue: string;
  /** What this engine supports. */
  readonly capabilities: VenueCapabilities;

  private readonly clock: PaperEngineOptions['clock'];
  private readonly logger: Logger;
  private readonly fees: FeeSchedule;
  private readonly feeRates: Record<Market, { maker: Big; taker: Big }>;
  private readonly defaultLeverage: number;
  private readonly defaultMarginType: 'ISOLATED' | 'CROSSED';
  private readonly maxHistory: number;

  private readonly instrumentsByKey = new Map<string, Instrument>();
  private readonly markets = new Map<string, MarketState>();
  private readonly orders = new Map<string, OrderState>();
  private readonly byCid = new Map<string, OrderState>();
  private readonly terminal: string[] = [];
  private terminalHead = 0;
  private readonly lists = new Map<string, ListState>();
  private readonly listsByCid = new Map<string, ListState>();
  private readonly fillLog: Fill[] = [];
  private readonly spot: SpotWallet;
  private readonly futWallet = new Map<string, Big>();
  /** Futures margin reserved by resting orders, per quote asset. */
  private readonly futReserved = new Map<string, Big>();
  private readonly positionsBySymbol = new Map<string, FuturesPosition>();
  private readonly fundingIncomeLog: FundingIncome[] = [];
  private readonly fundingRateLog: FundingRate[] = [];
  private readonly transfers: VenueTransfer[] = [];
  private readonly transfersByClientId = new Map<string, VenueTransfer>();

  private nextOrderId: number;
  private nextTradeId: number;
  private nextListId: number;
  private nextTranId: number;
  private seq = 0;
  private nesting = 0;
  private flushing = false;
  private readonly queue: Queued[] = [];
  private closed = false;

  constructor(options: PaperEngineOptions) {
    this.clock = options.clock;
    this.venue = options.venue ?? 'paper';
    this.logger = options.logger ?? noopLogger;
    this.capabilities = { ...FULL_PAPER_CAPABILITIES, ...options.capabilities };
    this.fees = { ...DEFAULT_FEES, ...options.fees };
    this.feeRates = {
      SPOT: { maker: new D(this.fees.SPOT.maker), taker: new D(this.fees.SPOT.taker) },
      FUT: { maker: new D(this.fees.FUT.maker), taker: new D(this.fees.FUT.taker) },
    };
    this.defaultLeverage = options.defaultLeverage ?? 20;
    this.defaultMarginType = options.defaultMarginType ?? 'CROSSED';
    this.maxHistory = options.maxHistory ?? 100_000;
    const random = seededRandom(options.seed ?? 1);
    // Ids start at seeded offsets so two sessions (or two seeds) do not hand out the same ids.
    this.nextOrderId = randomInt(random, 1, 899_999) * 10_000;
    this.nextTradeId = randomInt(random, 1, 899_999) * 10_000;
    this.nextListId = randomInt(random, 1, 89_999) * 100;
    this.nextTranId = randomInt(random, 1, 899_999) * 10_000;
    for (const inst of options.instruments ?? paperInstruments(this.venue)) this.addInstrument(inst);
    const balances = options.balances ?? { SPOT: { USDT: '10000' }, FUT: { USDT: '10000' } };
    this.spot = new SpotWallet(balances.SPOT ?? {});
    for (const [asset, amount] of Object.entries(balances.FUT ?? {})) this.futWallet.set(asset, new D(amount));
  }

  // ───────────────────────────── instruments and market data ─────────────────────────────

  /** Adds or replaces an instrument (its `venue` is set to this engine's). */
  addInstrument(instrument: Instrument): void {
    this.instrumentsByKey.set(`${instrument.market}|${instrument.symbol}`, { ...instrument, venue: this.venue });
  }

  /**
   * One instrument.
   * @throws VenueError `UNKNOWN_SYMBOL` (422) when the engine does not list it.
   */
  instrument(market: Market, symbol: string): Instrument {
    const inst = this.instrumentsByKey.get(`${market}|${symbol}`);
    if (!inst) throw unknownSymbol(market, symbol);
    return inst;
  }

  /** Every instrument of a market. */
  instruments(market: Market): Instrument[] {
    return [...this.instrumentsByKey.values()].filter((i) => i.market === market);
  }

  /** The visible book of a symbol (created empty on first use). */
  book(market: Market, symbol: string): PaperBook {
    return this.state(market, symbol).book;
  }

  /** Replaces the visible book, then fills resting orders it crosses and fires due stops. */
  applyBookSnapshot(market: Market, symbol: string, update: PaperBookUpdate): void {
    this.mutate(() => {
      const st = this.state(market, symbol);
      st.book.applySnapshot(update);
      this.afterBookChange(st);
    });
  }

  /** Applies an absolute depth diff (`0` removes a level), then matches as {@link applyBookSnapshot}. */
  applyBookDiff(market: Market, symbol: string, update: PaperBookUpdate): void {
    this.mutate(() => {
      const st = this.state(market, symbol);
      st.book.applyDiff(update);
      this.afterBookChange(st);
    });
  }

  /** Applies a best bid/offer tick, then matches as {@link applyBookSnapshot}. */
  applyTicker(market: Market, symbol: string, update: PaperTopOfBook): void {
    this.mutate(() => {
      const st = this.state(market, symbol);
      st.book.applyTop(update);
      this.afterBookChange(st);
    });
  }

  /**
   * Applies a public trade: sets the last price, fills resting orders priced strictly through it
   * (up to its quantity) and fires conditional orders working on the last price.
   */
  applyTrade(market: Market, symbol: string, trade: PaperTradeInput): void {
    this.mutate(() => {
      const st = this.state(market, symbol);
      const price = decimal(trade.price, 'price');
      const qty = decimal(trade.qty, 'qty');
      st.lastTrade = price;
      const now = this.clock.now();
      if (this.events.listenerCount('trade') > 0) {
        const tick: TradeTick = {
          venue: this.venue,
          market,
          symbol,
          tradeId: trade.tradeId ?? `${symbol}-${now}`,
          price: trade.price,
          qty: trade.qty,
          takerSide: trade.takerSide,
          eventTime: trade.eventTime ?? now,
          receiveTime: now,
        };
        this.enqueue(['trade', [tick]]);
      }
      const makers = trade.takerSide === 'SELL' ? st.bids : st.asks;
      if (makers.length > 0) {
        const list = makers.slice();
        const plan = planTradeFills(this.views(list), price, qty);
        for (const f of plan) {
          const o = list[f.order]!;
          if (!isOpen(o)) continue;
          const q = this.capReduceOnly(o, f.qty);
          if (q.gt(0)) this.fill(o, o.price!, q, true);
          else this.expireIfStuck(o);
        }
      }
      this.evaluateStops(st);
    });
  }

  /**
   * Applies a mark price with the funding rate and time that follow it. A funding time that has
   * passed is settled first with the rate known before this update; conditional orders working on
   * the mark price are then evaluated.
   */
  applyMarkPrice(symbol: string, mark: PaperMarkInput): void {
    this.mutate(() => {
      const st = this.state('FUT', symbol);
      const now = this.clock.now();
      this.settleFunding(st, now);
      st.mark = {
        markPrice: mark.markPrice,
        indexPrice: mark.indexPrice,
        fundingRate: mark.fundingRate,
        nextFundingTime: mark.nextFundingTime,
        eventTime: mark.eventTime ?? now,
      };
      this.scheduleFunding(st, now);
      if (this.events.listenerCount('mark') > 0) this.enqueue(['mark', [this.markTick(st, now)]]);
      this.evaluateStops(st);
    });
  }

  /** A depth snapshot of the visible book, best levels first. */
  depth(market: Market, symbol: string, limit = 100): BookSnapshot {
    this.instrument(market, symbol);
    const st = this.state(market, symbol);
    const { bids, asks } = st.book.top(limit);
    const now = this.clock.now();
    const snap: BookSnapshot = { venue: this.venue, market, symbol, sequence: st.book.sequence, bids, asks, receiveTime: now };
    if (st.book.eventTime !== undefined) snap.eventTime = st.book.eventTime;
    return snap;
  }

  /**
   * The top of the visible book as a normalised tick.
   * @throws VenueError `NO_MARKET_DATA` (503, retryable) while the book is not two-sided.
   */
  ticker(market: Market, symbol: string): MarketTick {
    this.instrument(market, symbol);
    const st = this.state(market, symbol);
    const bid = st.book.best('bid');
    const ask = st.book.best('ask');
    if (!bid || !ask) throw noData(market, symbol);
    const now = this.clock.now();
    const bidQty = str(bid.qty);
    const askQty = str(ask.qty);
    return {
      venue: this.venue,
      market,
      symbol,
      bid: bid.price,
      bidQty,
      ask: ask.price,
      askQty,
      ...tickFigures(bid.price, bidQty, ask.price, askQty),
      eventTime: st.book.eventTime ?? now,
      receiveTime: now,
    };
  }

  /**
   * Mark price and next funding of a perpetual (mid price and a zero rate before any mark update).
   * @throws VenueError `NO_MARKET_DATA` when neither a mark nor a two-sided book is known.
   */
  markPrice(symbol: string): MarkPriceTick {
    this.instrument('FUT', symbol);
    return this.markTick(this.state('FUT', symbol), this.clock.now());
  }

  /** Last price used by conditional orders on the last price: last public trade, else mid. */
  lastPrice(market: Market, symbol: string): string | undefined {
    const p = this.last(this.state(market, symbol));
    return p === undefined ? undefined : str(p);
  }

  // ───────────────────────────── orders ─────────────────────────────

  /**
   * Places one order: checks it, records it (`NEW`), executes what crosses the visible book and
   * rests, expires or arms the rest according to its type and time in force.
   *
   * @returns the order's state after the placement (NEW, PARTIALLY_FILLED, FILLED or EXPIRED).
   * @throws VenueError `UNKNOWN_SYMBOL`, `DUPLICATE_ORDER`, `REDUCE_ONLY_REJECTED`,
   *   `WOULD_IMMEDIATELY_TRIGGER`, `MARKET_CLOSED`; FilterError; ValidationError;
   *   PostOnlyRejectedError; InsufficientFundsError; UnsupportedError.
   */
  placeOrder(request: PaperOrderRequest): Order {
    return this.mutate(() => this.toOrder(this.place(request)));
  }

  /**
   * Places a spot OCO list: a take-profit limit-maker leg and a stop leg (stop-market, or
   * stop-limit with `slLimitPrice`) over one quantity, locked once. Either leg filling (even
   * partly) or the stop triggering cancels the other.
   *
   * @throws UnsupportedError without `oco`; VenueError `OCO_INVALID_PRICES` when the prices are not
   *   on both sides of the last price (SELL: tp > last > stop; BUY: tp < last < stop),
   *   `DUPLICATE_ORDER`, `UNKNOWN_SYMBOL`; FilterError; PostOnlyRejectedError; InsufficientFundsError.
   */
  placeOco(request: PaperOcoRequest): OcoOrder {
    return this.mutate(() => this.toOco(this.placeList(request)));
  }

  /**
   * Cancels an open order (an OCO leg cancels its whole list) and returns its final state,
   * including everything filled before the cancel landed.
   * @throws OrderNotFoundError when no such open order exists.
   */
  cancelOrder(ref: OrderRef): Order {
    return this.mutate(() => {
      const o = this.find(ref);
      if (!o || !isOpen(o)) throw notFound(ref, -2011);
      if (o.listId !== undefined) {
        const list = this.lists.get(o.listId)!;
        for (const leg of [list.tp, list.sl]) if (isOpen(leg)) this.end(leg, 'CANCELED');
        this.enqueueOco(list);
      } else {
        this.end(o, 'CANCELED');
      }
      return this.toOrder(o);
    });
  }

  /**
   * Cancels an OCO list by its client list id.
   * @throws OrderNotFoundError when no such list is executing.
   */
  cancelOco(symbol: string, clientListId: string): OcoOrder {
    return this.mutate(() => {
      const list = this.listsByCid.get(`${symbol}|${clientListId}`);
      if (!list || (!isOpen(list.tp) && !isOpen(list.sl))) {
        throw new OrderNotFoundError(`no executing OCO list ${clientListId} on ${symbol}`, { details: { symbol, clientListId, venueCode: -2011 } });
      }
      for (const leg of [list.tp, list.sl]) if (isOpen(leg)) this.end(leg, 'CANCELED');
      this.enqueueOco(list);
      return this.toOco(list);
    });
  }

  /**
   * An OCO list by client list id.
   * @throws OrderNotFoundError when unknown.
   */
  getOco(symbol: string, clientListId: string): OcoOrder {
    const list = this.listsByCid.get(`${symbol}|${clientListId}`);
    if (!list) throw new OrderNotFoundError(`no OCO list ${clientListId} on ${symbol}`, { details: { symbol, clientListId, venueCode: -2013 } });
    return this.toOco(list);
  }

  /**
   * One order by venue id or client order id (the latest order with that id).
   * @throws OrderNotFoundError when unknown (or dropped from the history).
   */
  getOrder(ref: OrderRef): Order {
    const o = this.find(ref);
    if (!o) throw notFound(ref, -2013);
    return this.toOrder(o);
  }

  /** Open orders of a market (resting limits and untriggered conditional orders), oldest first. */
  openOrders(market: Market, symbol?: string): Order[] {
    const out: OrderState[] = [];
    for (const st of this.markets.values()) {
      if (st.market !== market || (symbol !== undefined && st.symbol !== symbol)) continue;
      out.push(...st.bids, ...st.asks, ...st.stops);
    }
    return out.sort((a, b) => a.seq - b.seq).map((o) => this.toOrder(o));
  }

  /** Orders of a symbol created inside the window (epoch ms, inclusive), oldest first. */
  orderHistory(market: Market, symbol: string, window?: TimeWindow): Order[] {
    const out: Order[] = [];
    for (const o of this.orders.values()) {
      if (o.market === market && o.symbol === symbol && inWindow(o.createdAt, window)) out.push(this.toOrder(o));
    }
    return out;
  }

  /** Fills of a symbol inside the window, oldest first. */
  fills(market: Market, symbol: string, window?: TimeWindow): Fill[] {
    return this.fillLog.filter((f) => f.market === market && f.symbol === symbol && inWindow(f.ts, window));
  }

  /**
   * Fills a resting limit order as maker at its own price, as if a counterparty outside the
   * visible book took it. A fault hook (a fill racing a cancel) and a test tool.
   *
   * @param qty - quantity to fill (default: all that is open); capped at what is open.
   * @throws OrderNotFoundError when the order is not open; StateError when it is not a resting limit.
   */
  fillOrder(ref: OrderRef, qty?: string): Order {
    return this.mutate(() => {
      const o = this.find(ref);
      if (!o || !isOpen(o)) throw notFound(ref, -2013);
      if (o.priceB === undefined || (isConditional(o.type) && !o.triggered)) {
        throw new StateError(`order ${o.clientOrderId} is not a resting limit order`, { details: { clientOrderId: o.clientOrderId } });
      }
      const open = o.qty.minus(o.filled);
      let q = qty === undefined ? open : decimal(qty, 'qty');
      if (q.gt(open)) q = open;
      q = this.capReduceOnly(o, q);
      if (q.gt(0)) this.fill(o, o.price!, q, true);
      else this.expireIfStuck(o);
      return this.toOrder(o);
    });
  }

  // ───────────────────────────── accounts ─────────────────────────────

  /** Balances of one market's wallets (assets with a non-zero total). FUT `locked` is margin in use. */
  balances(market: Market): Balance[] {
    this.requireMarket(market);
    if (market === 'SPOT') {
      return this.spot.list().map((b) => ({ venue: this.venue, market, asset: b.asset, free: str(b.free), locked: str(b.locked) }));
    }
    const assets = new Set([...this.futWallet.keys(), ...this.futReserved.keys()]);
    return [...assets]
      .sort()
      .map((a) => this.futBalance(a))
      .filter((b) => !new D(b.free).eq(0) || !new D(b.locked).eq(0));
  }

  /**
   * Futures positions: the non-flat ones, or the one of `symbol` (which may be flat).
   * @throws UnsupportedError without FUT; VenueError `UNKNOWN_SYMBOL` for an unlisted symbol.
   */
  positions(symbol?: string): Position[] {
    this.requireMarket('FUT');
    if (symbol !== undefined) {
      this.instrument('FUT', symbol);
      return [this.toPosition(this.position(symbol))];
    }
    return [...this.positionsBySymbol.values()].filter((p) => !p.qty.eq(0)).map((p) => this.toPosition(p));
  }

  /**
   * Sets the leverage of a futures symbol (idempotent).
   * @throws VenueError `INVALID_LEVERAGE` outside 1..max bracket leverage; InsufficientFundsError
   *   when the position's margin at the new leverage exceeds the free balance; UnsupportedError.
   */
  setLeverage(symbol: string, leverage: number): void {
    this.mutate(() => {
      if (!this.capabilities.leverage) throw new UnsupportedError('leverage changes are not supported');
      const inst = this.instrument('FUT', symbol);
      const max = inst.leverageBrackets.reduce((m, b) => Math.max(m, b.initialLeverage), 0) || 125;
      if (!Number.isInteger(leverage) || leverage < 1 || leverage > max) {
        throw new VenueError(`leverage ${leverage} is outside 1..${max}`, { code: 'INVALID_LEVERAGE', status: 422, details: { symbol, leverage, max, venueCode: -4028 } });
      }
      const pos = this.position(symbol);
      if (pos.leverage === leverage) return;
      const before = pos.leverage;
      pos.leverage = leverage;
      if (leverage < before && this.futAvailable(inst.quote).lt(0)) {
        pos.leverage = before;
        throw new InsufficientFundsError(`not enough margin for leverage ${leverage}`, { details: { symbol, leverage, venueCode: -2019 } });
      }
      if (!pos.qty.eq(0)) {
        this.enqueuePosition(pos);
        this.enqueueBalance('FUT', inst.quote);
      }
    });
  }

  /**
   * Sets the margin type of a futures symbol (idempotent: the same type is success).
   * @throws VenueError `MARGIN_TYPE_LOCKED` (422) while the symbol has a position or open orders;
   *   UnsupportedError.
   */
  setMarginType(symbol: string, marginType: 'ISOLATED' | 'CROSSED'): void {
    this.mutate(() => {
      if (!this.capabilities.leverage) throw new UnsupportedError('margin type changes are not supported');
      this.instrument('FUT', symbol);
      const pos = this.position(symbol);
      if (pos.marginType === marginType) return;
      const st = this.state('FUT', symbol);
      if (!pos.qty.eq(0) || st.bids.length + st.asks.length + st.stops.length > 0) {
        throw new VenueError(`cannot change the margin type of ${symbol} with a position or open orders`, {
          code: 'MARGIN_TYPE_LOCKED',
          status: 422,
          details: { symbol, venueCode: -4048 },
        });
      }
      pos.marginType = marginType;
    });
  }

  /**
   * Moves an asset between the SPOT and FUT wallets. Idempotent by `clientTransferId`: a repeat
   * returns the first transfer and moves nothing.
   * @throws UnsupportedError without `transfers`; BusinessRuleError `SAME_MARKET`; ValidationError
   *   for a non-positive amount; InsufficientFundsError when the source's free balance is short.
   */
  transfer(request: VenueTransferRequest): VenueTransfer {
    return this.mutate(() => {
      if (!this.capabilities.transfers) throw new UnsupportedError('SPOT↔FUT transfers are not supported');
      const done = this.transfersByClientId.get(request.clientTransferId);
      if (done) return done;
      if (request.from === request.to) throw new BusinessRuleError('from and to markets must differ', { code: 'SAME_MARKET' });
      this.requireMarket(request.from);
      this.requireMarket(request.to);
      const amount = decimal(request.amount, 'amount');
      if (amount.lte(0)) throw new ValidationError('amount must be greater than 0', [{ path: 'amount', message: 'must be greater than 0' }]);
      if (request.from === 'SPOT') {
        this.spot.debit(request.asset, amount);
        this.futWallet.set(request.asset, (this.futWallet.get(request.asset) ?? ZERO).plus(amount));
      } else {
        const free = this.futAvailable(request.asset);
        if (free.lt(amount)) {
          throw new InsufficientFundsError(`insufficient ${request.asset} in FUT: need ${str(amount)}, free ${str(free)}`, {
            details: { asset: request.asset, needed: str(amount), free: str(free) },
          });
        }
        this.futWallet.set(request.asset, (this.futWallet.get(request.asset) ?? ZERO).minus(amount));
        this.spot.credit(request.asset, amount);
      }
      const t: VenueTransfer = {
        tranId: String(this.nextTranId++),
        clientTransferId: request.clientTransferId,
        from: request.from,
        to: request.to,
        asset: request.asset,
        amount: str(amount),
        status: 'CONFIRMED',
        ts: this.clock.now(),
      };
      this.transfers.push(t);
      this.transfersByClientId.set(request.clientTransferId, t);
      this.enqueue(['transfer', [t]]);
      this.enqueueBalance('SPOT', request.asset);
      this.enqueueBalance('FUT', request.asset);
      return t;
    });
  }

  /** Transfers in one direction inside the window, oldest first. */
  transferHistory(from: Market, to: Market, window?: TimeWindow): VenueTransfer[] {
    if (!this.capabilities.transfers) throw new UnsupportedError('SPOT↔FUT transfers are not supported');
    return this.transfers.filter((t) => t.from === from && t.to === to && inWindow(t.ts, window));
  }

  /** Funding payments settled on the account's positions, oldest first. */
  fundingIncome(window?: TimeWindow & { symbol?: string }): FundingIncome[] {
    if (!this.capabilities.funding) throw new UnsupportedError('funding is not supported');
    return this.fundingIncomeLog.filter((f) => (window?.symbol === undefined || f.symbol === window.symbol) && inWindow(f.fundingTime, window));
  }

  /** Funding rates settled by the engine for a symbol, oldest first (`limit` keeps the newest). */
  fundingRates(symbol: string, window?: TimeWindow & { limit?: number }): FundingRate[] {
    if (!this.capabilities.funding) throw new UnsupportedError('funding is not supported');
    const rows = this.fundingRateLog.filter((r) => r.symbol === symbol && inWindow(r.fundingTime, window));
    return window?.limit !== undefined ? rows.slice(-window.limit) : rows;
  }

  /** Settles every funding payment that is due at the clock's current time. */
  settleDueFunding(): void {
    this.mutate(() => {
      const now = this.clock.now();
      for (const st of this.markets.values()) if (st.market === 'FUT') this.settleFunding(st, now);
    });
  }

  /** Stops the funding timers. The engine still answers queries. Idempotent. */
  close(): void {
    this.closed = true;
    for (const st of this.markets.values()) {
      this.clock.clearTimeout(st.fundingTimer);
      st.fundingTimer = undefined;
      st.fundingTimerAt = undefined;
    }
  }

  // ───────────────────────────── placement ─────────────────────────────

  private place(req: PaperOrderRequest): OrderState {
    const market = req.market;
    const postOnly = req.postOnly === true || req.timeInForce === 'GTX';
    const reduceOnly = req.reduceOnly === true;
    const conditional = isConditional(req.type);
    this.checkOrderCapabilities(req, postOnly, reduceOnly, conditional);
    const inst = this.instrument(market, req.symbol);
    if (inst.status !== 'TRADING') {
      throw new VenueError(`${req.symbol} is not trading (${inst.status})`, { code: 'MARKET_CLOSED', status: 422, details: { symbol: req.symbol, venueCode: -2010 } });
    }
    if (postOnly && req.type !== 'LIMIT') {
      throw new ValidationError('post-only needs a LIMIT order', [{ path: 'postOnly', message: 'post-only needs a LIMIT order' }], { code: 'POST_ONLY_NEEDS_LIMIT' });
    }
    if (postOnly && (req.timeInForce === 'IOC' || req.timeInForce === 'FOK')) {
      throw new ValidationError('post-only cannot be IOC or FOK', [{ path: 'timeInForce', message: 'post-only cannot be IOC or FOK' }], { code: 'POST_ONLY_TIF' });
    }
    this.checkDuplicate(market, req.clientOrderId);
    const st = this.state(market, req.symbol);
    const ref = market === 'FUT' ? this.markOrMid(st) : st.book.mid();
    const filterOrder: Parameters<typeof checkFilters>[1] = { type: req.type, side: req.side, qty: req.qty, reduceOnly };
    if (req.price !== undefined) filterOrder.price = req.price;
    if (req.stopPrice !== undefined) filterOrder.stopPrice = req.stopPrice;
    if (ref !== undefined) filterOrder.referencePrice = str(ref);
    checkFilters(inst, filterOrder);

    const qty = new D(req.qty);
    const limit = req.type === 'LIMIT' || req.type === 'STOP_LIMIT' || req.type === 'TAKE_PROFIT_LIMIT' ? new D(req.price!) : undefined;
    const stop = conditional ? new D(req.stopPrice!) : undefined;
    const workingType: WorkingType | undefined = conditional ? (req.workingType ?? (market === 'FUT' ? 'MARK_PRICE' : 'CONTRACT_PRICE')) : undefined;
    if (reduceOnly) {
      const pos = this.position(req.symbol);
      if (pos.closable(req.side).eq(0)) {
        throw new VenueError(`reduce-only ${req.side} would not reduce the ${req.symbol} position`, {
          code: 'REDUCE_ONLY_REJECTED',
          status: 422,
          details: { symbol: req.symbol, side: req.side, position: str(pos.qty), venueCode: -2022 },
        });
      }
    }
    if (conditional) {
      const trig = this.triggerPrice(st, workingType!);
      if (trig !== undefined && stopTriggered(req.type, req.side, stop!, trig)) {
        throw new VenueError(`${req.type} ${req.side} at ${req.stopPrice} would trigger immediately (reference ${str(trig)})`, {
          code: 'WOULD_IMMEDIATELY_TRIGGER',
          status: 422,
          details: { symbol: req.symbol, stopPrice: req.stopPrice, reference: str(trig), venueCode: -2021 },
        });
      }
    }
    const oppSide: PaperBookSide = req.side === 'BUY' ? 'ask' : 'bid';
    if (postOnly && wouldTake(req.side, limit!, st.book.best(oppSide))) {
      throw new PostOnlyRejectedError(`post-only ${req.side} at ${req.price} would take liquidity`, {
        details: { symbol: req.symbol, price: req.price, venueCode: market === 'FUT' ? -5022 : -2010 },
      });
    }

    const tif: TimeInForce | undefined = postOnly ? 'GTX' : req.type === 'LIMIT' || req.type === 'STOP_LIMIT' || req.type === 'TAKE_PROFIT_LIMIT' ? (req.timeInForce ?? 'GTC') : undefined;
    // Funds are checked before anything changes, so a refusal leaves no trace.
    let lock: SpotLock | undefined;
    let lockPerUnit = new D(1);
    if (market === 'SPOT') {
      if (req.side === 'BUY') {
        if (req.type === 'MARKET') {
          const plan = planWalk(st.book.levels('ask'), 'BUY', qty);
          const free = this.spot.get(inst.quote).free;
          if (plan.notional.gt(free)) throw insufficientSpot(inst.quote, plan.notional, free);
        } else {
          lockPerUnit = limit ?? stop!;
          lock = this.spot.lock(inst.quote, qty.times(lockPerUnit));
        }
      } else if (req.type === 'MARKET') {
        const free = this.spot.get(inst.base).free;
        if (free.lt(qty)) throw insufficientSpot(inst.base, qty, free);
      } else {
        lock = this.spot.lock(inst.base, qty);
      }
    } else if (!reduceOnly) {
      const pos = this.position(req.symbol);
      const opening = qty.minus(pos.closable(req.side));
      if (opening.gt(0)) {
        const px = limit ?? stop ?? (st.book.best(oppSide) ? new D(st.book.best(oppSide)!.price) : ref);
        if (px !== undefined) {
          const need = marginFor(opening.times(px), pos.leverage);
          const free = this.futAvailable(inst.quote);
          if (need.gt(free)) {
            throw new InsufficientFundsError(`margin is insufficient: need ${str(need)} ${inst.quote}, free ${str(free)}`, {
              details: { asset: inst.quote, needed: str(need), free: str(free), venueCode: -2019 },
            });
          }
        }
      }
    }

    const now = this.clock.now();
    const o: OrderState = {
      id: String(this.nextOrderId++),
      seq: ++this.seq,
      market,
      symbol: req.symbol,
      clientOrderId: req.clientOrderId,
      side: req.side,
      type: req.type,
      timeInForce: tif,
      postOnly,
      reduceOnly,
      price: limit === undefined ? undefined : str(limit),
      priceB: limit,
      stopPrice: stop === undefined ? undefined : str(stop),
      stopB: stop,
      workingType,
      qty,
      qtyText: str(qty),
      filled: ZERO,
      filledText: '0',
      notional: ZERO,
      avgPrice: undefined,
      status: 'NEW',
      listId: undefined,
      createdAt: now,
      updatedAt: now,
      triggered: false,
      lock,
      lockPerUnit,
      reserved: ZERO,
    };
    this.register(o);
    this.enqueueOrder(o);
    if (lock) this.enqueueBalance('SPOT', lock.asset);

    if (conditional) {
      st.stops.push(o);
      return o;
    }
    this.work(o, st, inst);
    return o;
  }

  /** Executes a (now active) limit or market order: take, then rest or expire the remainder. */
  private work(o: OrderState, st: MarketState, inst: Instrument): void {
    const isLimit = o.priceB !== undefined;
    if (o.timeInForce === 'FOK') {
      const want = this.capReduceOnly(o, o.qty.minus(o.filled));
      const plan = planWalk(st.book.levels(o.side === 'BUY' ? 'ask' : 'bid'), o.side, want, o.priceB);
      if (plan.filled.lt(o.qty.minus(o.filled))) {
        this.end(o, 'EXPIRED');
        return;
      }
    }
    this.take(o, st, inst);
    if (!isOpen(o)) return;
    if (isLimit && (o.timeInForce === 'GTC' || o.timeInForce === 'GTX')) this.rest(o, st, inst);
    else this.end(o, 'EXPIRED');
  }

  /** Walks the visible book for what the order can take now. */
  private take(o: OrderState, st: MarketState, inst: Instrument): void {
    const want = this.capReduceOnly(o, o.qty.minus(o.filled));
    if (want.lte(0)) return;
    const side: PaperBookSide = o.side === 'BUY' ? 'ask' : 'bid';
    let budget: Big | undefined;
    if (o.market === 'SPOT' && o.side === 'BUY' && o.priceB === undefined && o.lock) {
      // A triggered stop-market buy may cost more than its lock: the free quote tops it up.
      budget = o.lock.amount.plus(this.spot.get(inst.quote).free);
    }
    const plan = planWalk(st.book.levels(side), o.side, want, o.priceB, budget, inst.stepSize);
    if (plan.takes.length === 0) return;
    for (const t of plan.takes) this.fill(o, t.price, t.qty, false);
    for (let i = plan.takes.length - 1; i >= 0; i--) st.book.consumeAt(side, plan.takes[i]!.index, plan.takes[i]!.qty);
    this.enqueueBook(st);
  }

  /** Puts a limit order on the account's resting list in price-time priority. */
  private rest(o: OrderState, st: MarketState, inst: Instrument): void {
    const list = o.side === 'BUY' ? st.bids : st.asks;
    let i = list.length;
    // Walk back from the end: a new order goes after every order at an equal or better price.
    while (i > 0) {
      const prev = list[i - 1]!;
      const prevIsWorse = o.side === 'BUY' ? prev.priceB!.lt(o.priceB!) : prev.priceB!.gt(o.priceB!);
      if (!prevIsWorse) break;
      i--;
    }
    list.splice(i, 0, o);
    if (o.market === 'FUT' && !o.reduceOnly) this.reserve(o, inst);
  }

  private placeList(req: PaperOcoRequest): ListState {
    if (!this.capabilities.oco) throw new UnsupportedError('OCO lists are not supported');
    this.requireMarket('SPOT');
    const inst = this.instrument('SPOT', req.symbol);
    const key = `${req.symbol}|${req.clientListId}`;
    const existing = this.listsByCid.get(key);
    if (existing && (isOpen(existing.tp) || isOpen(existing.sl))) throw duplicate('SPOT', req.clientListId);
    const tpCid = `${req.clientListId}-tp`;
    const slCid = `${req.clientListId}-sl`;
    this.checkDuplicate('SPOT', tpCid);
    this.checkDuplicate('SPOT', slCid);
    const st = this.state('SPOT', req.symbol);
    const tp = decimal(req.tpPrice, 'tpPrice');
    const sl = decimal(req.slStopPrice, 'slStopPrice');
    const last = this.last(st);
    if (last !== undefined) {
      const ok = req.side === 'SELL' ? tp.gt(last) && last.gt(sl) : tp.lt(last) && last.lt(sl);
      if (!ok) {
        throw new VenueError('the relationship of the prices for the orders is not correct', {
          code: 'OCO_INVALID_PRICES',
          status: 422,
          details: { symbol: req.symbol, side: req.side, tpPrice: req.tpPrice, slStopPrice: req.slStopPrice, last: str(last), venueCode: -1013 },
        });
      }
    }
    const slType: OrderType = req.slLimitPrice === undefined ? 'STOP_MARKET' : 'STOP_LIMIT';
    const ref = st.book.mid();
    const refPart = ref === undefined ? {} : { referencePrice: str(ref) };
    checkFilters(inst, { type: 'LIMIT', side: req.side, qty: req.qty, price: req.tpPrice, ...refPart });
    checkFilters(inst, { type: slType, side: req.side, qty: req.qty, stopPrice: req.slStopPrice, ...(req.slLimitPrice === undefined ? {} : { price: req.slLimitPrice }), ...refPart });
    if (wouldTake(req.side, tp, st.book.best(req.side === 'BUY' ? 'ask' : 'bid'))) {
      throw new PostOnlyRejectedError(`OCO take-profit ${req.side} at ${req.tpPrice} would take liquidity`, { details: { symbol: req.symbol, venueCode: -2010 } });
    }
    const qty = new D(req.qty);
    let lockPerUnit = new D(1);
    let lock: SpotLock;
    if (req.side === 'BUY') {
      const slPx = req.slLimitPrice === undefined ? sl : new D(req.slLimitPrice);
      lockPerUnit = tp.gt(slPx) ? tp : slPx;
      lock = this.spot.lock(inst.quote, qty.times(lockPerUnit), 2);
    } else {
      lock = this.spot.lock(inst.base, qty, 2);
    }
    const now = this.clock.now();
    const listId = String(this.nextListId++);
    const leg = (cid: string, type: OrderType, price: Big | undefined, stop: Big | undefined, postOnly: boolean, tif: TimeInForce | undefined): OrderState => ({
      id: String(this.nextOrderId++),
      seq: ++this.seq,
      market: 'SPOT',
      symbol: req.symbol,
      clientOrderId: cid,
      side: req.side,
      type,
      timeInForce: tif,
      postOnly,
      reduceOnly: false,
      price: price === undefined ? undefined : str(price),
      priceB: price,
      stopPrice: stop === undefined ? undefined : str(stop),
      stopB: stop,
      workingType: stop === undefined ? undefined : 'CONTRACT_PRICE',
      qty,
      qtyText: str(qty),
      filled: ZERO,
      filledText: '0',
      notional: ZERO,
      avgPrice: undefined,
      status: 'NEW',
      listId,
      createdAt: now,
      updatedAt: now,
      triggered: false,
      lock,
      lockPerUnit,
      reserved: ZERO,
    });
    const tpLeg = leg(tpCid, 'LIMIT', tp, undefined, true, 'GTX');
    const slLeg = leg(slCid, slType, req.slLimitPrice === undefined ? undefined : new D(req.slLimitPrice), sl, false, slType === 'STOP_LIMIT' ? (req.legTimeInForce ?? 'GTC') : undefined);
    const list: ListState = { id: listId, clientListId: req.clientListId, symbol: req.symbol, tp: tpLeg, sl: slLeg };
    this.lists.set(listId, list);
    this.listsByCid.set(key, list);
    this.register(tpLeg);
    this.register(slLeg);
    this.enqueueOrder(tpLeg);
    this.enqueueOrder(slLeg);
    this.enqueueBalance('SPOT', lock.asset);
    this.rest(tpLeg, st, inst);
    st.stops.push(slLeg);
    this.enqueueOco(list);
    return list;
  }

  // ───────────────────────────── matching against market moves ─────────────────────────────

  private afterBookChange(st: MarketState): void {
    this.enqueueBook(st);
    this.matchResting(st, 'BUY');
    this.matchResting(st, 'SELL');
    this.evaluateStops(st);
  }

  /** Fills resting orders of one side that the opposite visible side now crosses (maker fills). */
  private matchResting(st: MarketState, side: Side): void {
    const orders = side === 'BUY' ? st.bids : st.asks;
    if (orders.length === 0) return;
    const opp: PaperBookSide = side === 'BUY' ? 'ask' : 'bid';
    const levels = st.book.levels(opp);
    const best = levels[0];
    if (!best || !crossesLevel(side, orders[0]!.priceB, best.price)) return;
    const list = orders.slice();
    // A crossing reduce-only order that can no longer reduce anything expires rather than grows the position.
    for (const o of list) if (o.reduceOnly && crossesLevel(side, o.priceB, best.price)) this.expireIfStuck(o);
    const plan = planRestingFills(this.views(list), levels);
    const consumed = new Map<number, Big>();
    for (const f of plan) {
      const o = list[f.order]!;
      if (!isOpen(o)) continue;
      const q = this.capReduceOnly(o, f.qty);
      if (q.lte(0)) {
        this.expireIfStuck(o);
        continue;
      }
      this.fill(o, o.price!, q, true);
      let left = q;
      for (const [index, take] of f.consumed) {
        if (left.lte(0)) break;
        const used = take.lt(left) ? take : left;
        consumed.set(index, (consumed.get(index) ?? ZERO).plus(used));
        left = left.minus(used);
      }
    }
    if (consumed.size === 0) return;
    for (const index of [...consumed.keys()].sort((a, b) => b - a)) st.book.consumeAt(opp, index, consumed.get(index)!);
    this.enqueueBook(st);
  }

  /** Fires conditional orders whose trigger price has been reached, oldest first. */
  private evaluateStops(st: MarketState): void {
    if (st.stops.length === 0) return;
    for (const o of st.stops.slice()) {
      if (!isOpen(o) || o.triggered) continue;
      const ref = this.triggerPrice(st, o.workingType!);
      if (ref === undefined || !stopTriggered(o.type, o.side, o.stopB!, ref)) continue;
      this.trigger(o, st);
    }
  }

  private trigger(o: OrderState, st: MarketState): void {
    remove(st.stops, o);
    o.triggered = true;
    o.updatedAt = this.clock.now();
    if (o.listId !== undefined) {
      const list = this.lists.get(o.listId)!;
      const other = list.tp === o ? list.sl : list.tp;
      if (isOpen(other)) this.end(other, 'CANCELED');
      this.enqueueOco(list);
    }
    const inst = this.instrument(o.market, o.symbol);
    if (o.priceB !== undefined && o.timeInForce === undefined) o.timeInForce = 'GTC';
    this.work(o, st, inst);
  }

  // ───────────────────────────── fills and endings ─────────────────────────────

  /** Applies one execution to the order, the wallets and positions, and queues the events. */
  private fill(o: OrderState, price: string, qty: Big, isMaker: boolean): void {
    const inst = this.instrument(o.market, o.symbol);
    const rates = this.feeRates[o.market];
    const rate = isMaker ? rates.maker : rates.taker;
    const notional = qty.times(price);
    const now = this.clock.now();
    let fee: Big;
    let feeAsset: string;
    if (o.market === 'SPOT') {
      if (o.side === 'BUY') {
        fee = qty.times(rate);
        feeAsset = inst.base;
        if (o.lock) {
          const share = qty.times(o.lockPerUnit);
          const fromLock = o.lock.amount.lt(share) ? o.lock.amount : share;
          this.spot.spendLocked(o.lock, fromLock);
          this.spot.credit(inst.quote, fromLock.minus(notional));
        } else {
          this.spot.credit(inst.quote, notional.times(-1));
        }
        this.spot.credit(inst.base, qty.minus(fee));
      } else {
        fee = notional.times(rate);
        feeAsset = inst.quote;
        if (o.lock) {
          const fromLock = o.lock.amount.lt(qty) ? o.lock.amount : qty;
          this.spot.spendLocked(o.lock, fromLock);
          this.spot.credit(inst.base, fromLock.minus(qty));
        } else {
          this.spot.credit(inst.base, qty.times(-1));
        }
        this.spot.credit(inst.quote, notional.minus(fee));
      }
    } else {
      fee = notional.times(rate);
      feeAsset = inst.quote;
      const pos = this.position(o.symbol);
      const result = pos.applyFill(o.side, qty, price);
      this.futWallet.set(inst.quote, (this.futWallet.get(inst.quote) ?? ZERO).plus(result.realized).minus(fee));
    }
    o.filled = o.filled.plus(qty);
    o.filledText = str(o.filled);
    o.notional = o.notional.plus(notional);
    o.avgPrice = str(o.notional.div(o.filled).round(8, D.roundHalfUp));
    o.updatedAt = now;
    const done = o.filled.gte(o.qty);
    // Still open here: `end` below moves a completed order off the working lists.
    o.status = 'PARTIALLY_FILLED';
    if (o.market === 'FUT' && o.reserved.gt(0)) this.reserve(o, inst);

    const record: Fill = {
      venue: this.venue,
      market: o.market,
      symbol: o.symbol,
      tradeId: String(this.nextTradeId++),
      venueOrderId: o.id,
      clientOrderId: o.clientOrderId,
      side: o.side,
      price,
      qty: str(qty),
      fee: str(fee),
      feeAsset,
      isMaker,
      ts: now,
    };
    this.fillLog.push(record);
    if (this.fillLog.length > this.maxHistory) this.fillLog.splice(0, this.fillLog.length - this.maxHistory);
    this.enqueue(['fill', [record]]);
    if (done) this.end(o, 'FILLED');
    else this.enqueueOrder(o);
    if (o.market === 'SPOT') {
      this.enqueueBalance('SPOT', inst.base);
      this.enqueueBalance('SPOT', inst.quote);
    } else {
      this.enqueuePosition(this.position(o.symbol));
      this.enqueueBalance('FUT', inst.quote);
    }
    if (o.listId !== undefined) {
      const list = this.lists.get(o.listId)!;
      const other = list.tp === o ? list.sl : list.tp;
      if (isOpen(other)) this.end(other, 'CANCELED');
      this.enqueueOco(list);
    }
  }

  /** Ends an order (FILLED, CANCELED, EXPIRED): off the working lists, funds released, event queued. */
  private end(o: OrderState, status: 'FILLED' | 'CANCELED' | 'EXPIRED'): void {
    const wasOpen = isOpen(o);
    o.status = status;
    o.updatedAt = this.clock.now();
    if (wasOpen) {
      const st = this.state(o.market, o.symbol);
      remove(o.side === 'BUY' ? st.bids : st.asks, o);
      remove(st.stops, o);
      if (o.lock) {
        o.lock.holders -= 1;
        if (o.lock.holders <= 0) {
          const had = !o.lock.amount.eq(0);
          this.spot.release(o.lock);
          if (had) this.enqueueBalance('SPOT', o.lock.asset);
        }
      }
      if (o.reserved.gt(0)) this.unreserve(o, this.instrument(o.market, o.symbol).quote);
      this.terminal.push(o.id);
      this.prune();
    }
    this.enqueueOrder(o);
  }

  /** A reduce-only order that can no longer reduce anything expires instead of growing the position. */
  private expireIfStuck(o: OrderState): void {
    if (o.reduceOnly && isOpen(o) && this.position(o.symbol).closable(o.side).eq(0)) this.end(o, 'EXPIRED');
  }

  /** Caps a reduce-only order's quantity at what it can close now. */
  private capReduceOnly(o: OrderState, qty: Big): Big {
    if (!o.reduceOnly || o.market !== 'FUT') return qty;
    const closable = this.position(o.symbol).closable(o.side);
    return closable.lt(qty) ? closable : qty;
  }

  private views(list: readonly OrderState[]): RestingView[] {
    return list.map((o) => ({ side: o.side, price: o.priceB!, open: this.capReduceOnly(o, o.qty.minus(o.filled)) }));
  }

  // ───────────────────────────── futures margin and funding ─────────────────────────────

  /** (Re)computes a resting futures order's reserved margin for what is still open. */
  private reserve(o: OrderState, inst: Instrument): void {
    const lev = this.position(o.symbol).leverage;
    const next = marginFor(o.qty.minus(o.filled).times(o.priceB!), lev);
    const total = (this.futReserved.get(inst.quote) ?? ZERO).minus(o.reserved).plus(next);
    this.futReserved.set(inst.quote, total);
    o.reserved = next;
  }

  private unreserve(o: OrderState, quote: string): void {
    this.futReserved.set(quote, (this.futReserved.get(quote) ?? ZERO).minus(o.reserved));
    o.reserved = ZERO;
  }

  /** Margin in use for one asset: positions' initial margin plus resting orders' reserve. */
  private futLocked(asset: string): Big {
    let used = this.futReserved.get(asset) ?? ZERO;
    for (const pos of this.positionsBySymbol.values()) {
      if (pos.qty.eq(0)) continue;
      const inst = this.instrumentsByKey.get(`FUT|${pos.symbol}`);
      if ((inst?.quote ?? 'USDT') === asset) used = used.plus(pos.margin());
    }
    return used;
  }

  private futAvailable(asset: string): Big {
    return (this.futWallet.get(asset) ?? ZERO).minus(this.futLocked(asset));
  }

  private futBalance(asset: string): Balance {
    const locked = this.futLocked(asset);
    const wallet = this.futWallet.get(asset) ?? ZERO;
    return { venue: this.venue, market: 'FUT', asset, free: str(wallet.minus(locked)), locked: str(locked) };
  }

  private settleFunding(st: MarketState, now: number): void {
    const m = st.mark;
    if (!m || m.nextFundingTime > now || st.lastFundingTime === m.nextFundingTime) return;
    st.lastFundingTime = m.nextFundingTime;
    if (!this.capabilities.funding) return;
    this.fundingRateLog.push({ venue: this.venue, symbol: st.symbol, fundingTime: m.nextFundingTime, rate: m.fundingRate, markPrice: m.markPrice });
    const pos = this.positionsBySymbol.get(st.symbol);
    if (!pos || pos.qty.eq(0)) return;
    // Longs pay shorts when the rate is positive: amount = −qty × mark × rate (Binance rounds to 8 dp).
    const amount = pos.qty.times(m.markPrice).times(m.fundingRate).times(-1).round(8, D.roundHalfEven);
    const quote = this.instrumentsByKey.get(`FUT|${st.symbol}`)?.quote ?? 'USDT';
    this.futWallet.set(quote, (this.futWallet.get(quote) ?? ZERO).plus(amount));
    const income: FundingIncome = { venue: this.venue, symbol: st.symbol, fundingTime: m.nextFundingTime, amount: str(amount), tranId: String(this.nextTranId++) };
    this.fundingIncomeLog.push(income);
    this.enqueue(['funding', [income]]);
    this.enqueueBalance('FUT', quote);
  }

  private scheduleFunding(st: MarketState, now: number): void {
    const at = st.mark!.nextFundingTime;
    if (this.closed || at <= now || st.fundingTimerAt === at) return;
    this.clock.clearTimeout(st.fundingTimer);
    st.fundingTimerAt = at;
    st.fundingTimer = this.clock.setTimeout(() => {
      st.fundingTimer = undefined;
      st.fundingTimerAt = undefined;
      this.mutate(() => this.settleFunding(st, this.clock.now()));
    }, at - now);
  }

  // ───────────────────────────── helpers ─────────────────────────────

  private checkOrderCapabilities(req: PaperOrderRequest, postOnly: boolean, reduceOnly: boolean, conditional: boolean): void {
    const caps = this.capabilities;
    this.requireMarket(req.market);
    if (postOnly && !caps.postOnly) throw new UnsupportedError('post-only orders are not supported');
    if (conditional && !caps.stopOrders[req.market]) throw new UnsupportedError(`conditional orders are not supported on ${req.market}`);
    if (conditional && req.workingType !== undefined && req.market === 'FUT' && !caps.workingTypes.includes(req.workingType)) {
      throw new UnsupportedError(`working type ${req.workingType} is not supported`);
    }
    if (reduceOnly && (!caps.reduceOnly || req.market !== 'FUT')) throw new UnsupportedError(`reduce-only orders are not supported on ${req.market}`);
    if (req.timeInForce === 'IOC' && !caps.ioc) throw new UnsupportedError('IOC orders are not supported');
    if (req.timeInForce === 'FOK' && !caps.fok) throw new UnsupportedError('FOK orders are not supported');
  }

  private requireMarket(market: Market): void {
    if (!this.capabilities.markets.includes(market)) throw new UnsupportedError(`market ${market} is not supported`);
  }

  private checkDuplicate(market: Market, clientOrderId: string): void {
    const prior = this.byCid.get(`${market}|${clientOrderId}`);
    if (prior && isOpen(prior)) throw duplicate(market, clientOrderId);
  }

  private register(o: OrderState): void {
    this.orders.set(o.id, o);
    this.byCid.set(`${o.market}|${o.clientOrderId}`, o);
  }

  /** Drops the oldest terminal orders beyond `maxHistory`. */
  private prune(): void {
    while (this.terminal.length - this.terminalHead > this.maxHistory) {
      const id = this.terminal[this.terminalHead++]!;
      const o = this.orders.get(id);
      if (!o) continue;
      this.orders.delete(id);
      const key = `${o.market}|${o.clientOrderId}`;
      if (this.byCid.get(key) === o) this.byCid.delete(key);
    }
    if (this.terminalHead > 4096 && this.terminalHead * 2 > this.terminal.length) {
      this.terminal.splice(0, this.terminalHead);
      this.terminalHead = 0;
    }
  }

  private find(ref: OrderRef): OrderState | undefined {
    let o: OrderState | undefined;
    if (ref.venueOrderId !== undefined) o = this.orders.get(ref.venueOrderId);
    else if (ref.clientOrderId !== undefined) o = this.byCid.get(`${ref.market}|${ref.clientOrderId}`);
    if (!o || o.market !== ref.market || o.symbol !== ref.symbol) return undefined;
    return o;
  }

  private state(market: Market, symbol: string): MarketState {
    const key = `${market}|${symbol}`;
    let st = this.markets.get(key);
    if (!st) {
      st = {
        market,
        symbol,
        book: new PaperBook(market, symbol),
        bids: [],
        asks: [],
        stops: [],
        lastTrade: undefined,
        mark: undefined,
        fundingTimer: undefined,
        fundingTimerAt: undefined,
        lastFundingTime: undefined,
      };
      this.markets.set(key, st);
    }
    return st;
  }

  private position(symbol: string): FuturesPosition {
    let p = this.positionsBySymbol.get(symbol);
    if (!p) {
      p = new FuturesPosition(symbol, this.defaultLeverage, this.defaultMarginType);
      this.positionsBySymbol.set(symbol, p);
    }
    return p;
  }

  private last(st: MarketState): Big | undefined {
    return st.lastTrade ?? st.book.mid();
  }

  private markOrMid(st: MarketState): Big | undefined {
    return st.mark ? new D(st.mark.markPrice) : st.book.mid();
  }

  private triggerPrice(st: MarketState, workingType: WorkingType): Big | undefined {
    return workingType === 'MARK_PRICE' && st.market === 'FUT' ? this.markOrMid(st) : this.last(st);
  }

  private markTick(st: MarketState, now: number): MarkPriceTick {
    const mark = this.markOrMid(st);
    if (mark === undefined) throw noData('FUT', st.symbol);
    const tick: MarkPriceTick = {
      venue: this.venue,
      symbol: st.symbol,
      markPrice: st.mark?.markPrice ?? str(mark),
      fundingRate: st.mark?.fundingRate ?? '0',
      nextFundingTime: st.mark?.nextFundingTime ?? nextEightHour(now),
      eventTime: st.mark?.eventTime ?? now,
      receiveTime: now,
    };
    if (st.mark?.indexPrice !== undefined) tick.indexPrice = st.mark.indexPrice;
    return tick;
  }

  private toOrder(o: OrderState): Order {
    const out: Order = {
      venue: this.venue,
      market: o.market,
      symbol: o.symbol,
      clientOrderId: o.clientOrderId,
      venueOrderId: o.id,
      side: o.side,
      type: o.type,
      postOnly: o.postOnly,
      reduceOnly: o.reduceOnly,
      qty: o.qtyText,
      filledQty: o.filledText,
      status: o.status,
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
    };
    if (o.timeInForce !== undefined) out.timeInForce = o.timeInForce;
    if (o.price !== undefined) out.price = o.price;
    if (o.stopPrice !== undefined) out.stopPrice = o.stopPrice;
    if (o.workingType !== undefined) out.workingType = o.workingType;
    if (o.avgPrice !== undefined) out.avgPrice = o.avgPrice;
    if (o.listId !== undefined) out.orderListId = o.listId;
    return out;
  }

  private toOco(list: ListState): OcoOrder {
    return {
      listId: list.id,
      clientListId: list.clientListId,
      symbol: list.symbol,
      status: isOpen(list.tp) || isOpen(list.sl) ? 'EXECUTING' : 'ALL_DONE',
      tp: this.toOrder(list.tp),
      sl: this.toOrder(list.sl),
    };
  }

  private toPosition(p: FuturesPosition): Position {
    const st = this.state('FUT', p.symbol);
    const mark = this.markOrMid(st);
    const out: Position = {
      venue: this.venue,
      market: 'FUT',
      symbol: p.symbol,
      qty: str(p.qty),
      entryPrice: p.entryPrice(),
      unrealizedPnl: mark === undefined ? '0' : str(p.unrealized(mark).round(8, D.roundHalfUp)),
      leverage: p.leverage,
      marginType: p.marginType,
      updatedAt: p.changedAt ?? this.clock.now(),
    };
    if (mark !== undefined) out.markPrice = str(mark);
    if (p.marginType === 'ISOLATED') out.isolatedMargin = str(p.margin());
    return out;
  }

  // ───────────────────────────── event queue ─────────────────────────────

  private mutate<T>(fn: () => T): T {
    this.nesting++;
    try {
      return fn();
    } finally {
      this.nesting--;
      if (this.nesting === 0) this.flush();
    }
  }

  private enqueue(item: Queued): void {
    this.queue.push(item);
  }

  private enqueueOrder(o: OrderState): void {
    if (this.events.listenerCount('order') > 0) this.enqueue(['order', [this.toOrder(o)]]);
  }

  private enqueueBook(st: MarketState): void {
    if (this.events.listenerCount('book') > 0) this.enqueue(['book', [st.market, st.symbol]]);
  }

  private enqueueOco(list: ListState): void {
    if (this.events.listenerCount('oco') > 0) this.enqueue(['oco', [this.toOco(list)]]);
  }

  private enqueuePosition(p: FuturesPosition): void {
    // Every change of a position passes here, so this is when it last changed: reconciliation
    // compares that time with its collection time and must not see every read as a change.
    p.changedAt = this.clock.now();
    if (this.events.listenerCount('position') > 0) this.enqueue(['position', [this.toPosition(p)]]);
  }

  private enqueueBalance(market: Market, asset: string): void {
    if (this.events.listenerCount('balance') === 0) return;
    if (market === 'SPOT') {
      const b = this.spot.get(asset);
      this.enqueue(['balance', [{ venue: this.venue, market, asset, free: str(b.free), locked: str(b.locked) }]]);
    } else {
      this.enqueue(['balance', [this.futBalance(asset)]]);
    }
  }

  /** Emits queued events in order; events queued by listeners are emitted after them. */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const [name, args] = this.queue[i]!;
        try {
          (this.events.emit as (event: string, ...a: unknown[]) => boolean)(name, ...args);
        } catch (err) {
          this.logger.warn({ err, event: name }, 'paper engine listener threw');
        }
      }
    } finally {
      this.queue.length = 0;
      this.flushing = false;
    }
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

function notFound(ref: OrderRef, venueCode: number): OrderNotFoundError {
  return new OrderNotFoundError(`no such order ${ref.clientOrderId ?? ref.venueOrderId ?? ''} on ${ref.market} ${ref.symbol}`, {
    details: { market: ref.market, symbol: ref.symbol, clientOrderId: ref.clientOrderId, venueOrderId: ref.venueOrderId, venueCode },
  });
}

function duplicate(market: Market, clientOrderId: string): VenueError {
  return new VenueError(`an open order already uses client order id ${clientOrderId}`, {
    code: 'DUPLICATE_ORDER',
    status: 422,
    details: { market, clientOrderId, venueCode: market === 'FUT' ? -4116 : -2010 },
  });
}

function noData(market: Market, symbol: string): VenueError {
  return new VenueError(`no market data for ${symbol} on ${market} yet`, { code: 'NO_MARKET_DATA', status: 503, retryable: true, details: { market, symbol } });
}

function insufficientSpot(asset: string, needed: Big, free: Big): InsufficientFundsError {
  return new InsufficientFundsError(`insufficient ${asset}: need ${str(needed)}, free ${str(free)}`, {
    details: { asset, needed: str(needed), free: str(free), venueCode: -2010 },
  });
}

/** The next 00:00 / 08:00 / 16:00 UTC after `now` (Binance's default funding schedule). */
function nextEightHour(now: number): number {
  const period = 8 * 3_600_000;
  return Math.floor(now / period) * period + period;
}
