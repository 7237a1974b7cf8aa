/**
 * `PaperConnector`: the `ExchangeConnector` contract over a {@link PaperEngine}, for paper trading
 * on live data (`new PaperConnector({ marketData: someConnector, balances })`) or on a replay, and
 * as the venue every test, example and demo runs against. Adds what a network would: latency and
 * the scripted faults of {@link PaperFaults}, all on the injected clock.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { EventEmitter } from 'eventemitter3';
import { SystemClock, type Clock } from '../clock/clock.js';
import type {
  ConnectorEvents,
  ExchangeConnector,
  MarketChannel,
  MarketEvent,
  MarketSubscription,
  OrderRef,
  SubscriptionHandle,
  TimeWindow,
  VenueCapabilities,
  VenueTransferRequest,
} from '../connector.js';
import type { Balance, Fill, FundingIncome, FundingRate, Position, VenueTransfer } from '../domain/account.js';
import type { Market } from '../domain/enums.js';
import type { Instrument } from '../domain/instrument.js';
import type { BookSnapshot, MarkPriceTick, MarketTick, TradeTick } from '../domain/market-data.js';
import { OcoRequest, OrderRequest, type OcoOrder, type OcoRequestInput, type Order, type OrderRequestInput } from '../domain/order.js';
import { parseWith } from '../domain/parse.js';
import { OrderNotFoundError, UnknownOutcomeError, UnsupportedError, type ChimeraError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { noopLogger } from '../logging/logger.js';
import { prepareOrder } from '../precision/filters.js';
import type { PriceRole } from '../precision/round.js';
import { roundQty } from '../precision/round.js';
import type { FeeSchedule, PaperBalances } from './accounts.js';
import { PaperEngine } from './engine.js';
import { PaperFaults, type PaperOperation } from './faults.js';
import type { PaperMarketData } from './types.js';
import { FULL_PAPER_CAPABILITIES } from './types.js';

/** Options of {@link PaperConnector}. */
export interface PaperConnectorOptions {
  /**
   * Market data: a live connector or a `ReplaySource`. Without one the books stay empty until fed
   * through `connector.engine` (tests do that). The caller owns the source: the paper connector
   * subscribes to it per symbol on first use and unsubscribes on `close()`, but never connects or
   * closes it.
   */
  marketData?: PaperMarketData;
  /** Starting balances (default: 10 000 USDT in each market's wallet). */
  balances?: PaperBalances;
  /** Time source (default {@link SystemClock}). */
  clock?: Clock;
  /** Seed of ids and latency jitter (default 1). */
  seed?: number;
  /** Venue id (default `paper`). */
  venue?: string;
  /** What to support; missing fields default to everything ({@link FULL_PAPER_CAPABILITIES}). */
  capabilities?: Partial<VenueCapabilities>;
  /** Fee rates per market (default Binance base tier). */
  fees?: Partial<FeeSchedule>;
  /**
   * Instruments to trade. Default: the market-data source's instruments when it has them,
   * otherwise {@link paperInstruments}.
   */
  instruments?: readonly Instrument[];
  /** Futures leverage until `setLeverage` (default 20). */
  defaultLeverage?: number;
  /** Depth levels per side requested from the source for the paper book (default 100). */
  feedDepthLevels?: number;
  /** Where listener failures and feed problems are reported (default: dropped). */
  logger?: Logger;
  /** Use this engine instead of building one (the other engine options are then ignored). */
  engine?: PaperEngine;
}

interface UserSubscription {
  subscription: MarketSubscription;
  onEvent: (event: MarketEvent) => void;
}

/** A private big.js constructor, so a host's global big.js settings cannot reach the venue. */
const D = Big();

const LIMIT_PRICED = new Set(['LIMIT', 'STOP_LIMIT', 'TAKE_PROFIT_LIMIT']);

/**
 * The paper venue as an {@link ExchangeConnector}. The engine is reachable as `connector.engine`
 * (feed books, force fills) and the fault hooks as `connector.faults`.
 *
 * Behaviour worth knowing:
 * - orders are rounded with the precision module (`prepareOrder`: quantity down to the step,
 *   limit price on the conservative side for the order's role) and checked against the filters;
 *   failures throw `FilterError` before anything reaches the engine;
 * - market data for a symbol is subscribed from the source on first use of that symbol;
 * - user-stream events (`order`, `fill`, `position`, `balance`) are emitted synchronously as the
 *   engine produces them, before the request's promise settles;
 * - every request waits the configured latency on the clock first, so with a `FakeClock` and a
 *   latency set, tests must advance the clock for requests to complete.
 */
export class PaperConnector implements ExchangeConnector {
  readonly venue: string;
  readonly capabilities: VenueCapabilities;
  readonly events = new EventEmitter<ConnectorEvents>();
  /** The matching engine (feed books, force fills, inspect state). */
  readonly engine: PaperEngine;
  /** Scripted faults: latency, rejections, accept-then-time-out, fill racing cancel, stalled data. */
  readonly faults: PaperFaults;

  private readonly clock: Clock;
  private readonly marketData: PaperMarketData | undefined;
  private readonly options: PaperConnectorOptions;
  private readonly logger: Logger;
  private readonly feeds = new Map<string, Promise<void>>();
  private readonly feedHandles: SubscriptionHandle[] = [];
  private readonly userSubs = new Map<string, Set<UserSubscription>>();
  private readonly detach: Array<() => void> = [];
  private connected = false;
  private instrumentsLoaded: Promise<void> | undefined;

  constructor(options: PaperConnectorOptions = {}) {
    this.options = options;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? noopLogger;
    this.marketData = options.marketData;
    const engineOptions = {
      clock: this.clock,
      seed: options.seed ?? 1,
      venue: options.venue ?? 'paper',
      capabilities: { ...FULL_PAPER_CAPABILITIES, ...options.capabilities },
      logger: this.logger,
      ...(options.fees ? { fees: options.fees } : {}),
      ...(options.instruments ? { instruments: options.instruments } : {}),
      ...(options.balances ? { balances: options.balances } : {}),
      ...(options.defaultLeverage !== undefined ? { defaultLeverage: options.defaultLeverage } : {}),
    };
    this.engine = options.engine ?? new PaperEngine(engineOptions);
    this.venue = this.engine.venue;
    this.capabilities = { ...this.engine.capabilities, ...options.capabilities };
    this.faults = new PaperFaults(options.seed ?? 1);
    this.wireEngineEvents();
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.connected = true;
    await this.loadInstruments();
    this.events.emit('userStreamConnected', { reconnect: false, ts: this.clock.now() });
  }

  async close(): Promise<void> {
    if (!this.connected && this.feedHandles.length === 0) {
      this.engine.close();
      return;
    }
    this.connected = false;
    const handles = this.feedHandles.splice(0);
    this.feeds.clear();
    await Promise.all(handles.map((h) => h.unsubscribe().catch((err: unknown) => this.logger.warn({ err }, 'paper feed unsubscribe failed'))));
    this.engine.close();
  }

  async serverTime(): Promise<number> {
    return this.request('serverTime', () => this.clock.now());
  }

  async instruments(market: Market): Promise<Instrument[]> {
    await this.loadInstruments();
    return this.request('instruments', () => {
      this.requireMarket(market);
      return this.engine.instruments(market);
    });
  }

  async instrument(market: Market, symbol: string): Promise<Instrument> {
    await this.loadInstruments();
    return this.request('instruments', () => this.engine.instrument(market, symbol));
  }

  async depth(market: Market, symbol: string, limit = 100): Promise<BookSnapshot> {
    await this.ensureFeed(market, symbol);
    return this.request('depth', () => this.engine.depth(market, symbol, limit));
  }

  async ticker(market: Market, symbol: string): Promise<MarketTick> {
    await this.ensureFeed(market, symbol);
    return this.request('ticker', () => this.engine.ticker(market, symbol));
  }

  async markPrice(symbol: string): Promise<MarkPriceTick> {
    this.requireMarket('FUT');
    await this.ensureFeed('FUT', symbol);
    return this.request('markPrice', () => this.engine.markPrice(symbol));
  }

  async fundingRates(symbol: string, window?: TimeWindow & { limit?: number }): Promise<FundingRate[]> {
    this.requireFunding();
    return this.request('fundingRates', () => this.engine.fundingRates(symbol, window));
  }

  async fundingIncome(window?: TimeWindow & { symbol?: string }): Promise<FundingIncome[]> {
    this.requireFunding();
    return this.request('fundingIncome', () => this.engine.fundingIncome(window));
  }

  async subscribe(subscription: MarketSubscription, onEvent: (event: MarketEvent) => void): Promise<SubscriptionHandle> {
    if (!this.capabilities.streams.includes(subscription.channel)) {
      throw new UnsupportedError(`market-data channel ${subscription.channel} is not offered`);
    }
    this.requireMarket(subscription.market);
    if (subscription.channel === 'markPrice' && subscription.market !== 'FUT') {
      throw new UnsupportedError('mark price exists only for FUT');
    }
    await this.loadInstruments();
    this.engine.instrument(subscription.market, subscription.symbol);
    await this.ensureFeed(subscription.market, subscription.symbol);
    const key = `${subscription.market}|${subscription.symbol}`;
    const sub: UserSubscription = { subscription, onEvent };
    let set = this.userSubs.get(key);
    if (!set) {
      set = new Set();
      this.userSubs.set(key, set);
    }
    set.add(sub);
    this.deliverCurrent(sub);
    return {
      subscription,
      unsubscribe: async () => {
        set.delete(sub);
      },
    };
  }

  async placeOrder(request: OrderRequestInput | OrderRequest): Promise<Order> {
    const req = parseWith(OrderRequest, request, 'order request');
    await this.loadInstruments();
    await this.ensureFeed(req.market, req.symbol);
    return this.request(
      'placeOrder',
      () => {
        const inst = this.engine.instrument(req.market, req.symbol);
        const role: PriceRole = req.postOnly || req.timeInForce === 'GTX' || req.timeInForce === undefined || req.timeInForce === 'GTC' ? 'maker' : 'taker';
        const filterOrder: Parameters<typeof prepareOrder>[1] = { type: req.type, side: req.side, qty: req.qty, reduceOnly: req.reduceOnly };
        if (req.price !== undefined && LIMIT_PRICED.has(req.type)) filterOrder.price = req.price;
        if (req.stopPrice !== undefined) filterOrder.stopPrice = req.stopPrice;
        const prepared = prepareOrder(inst, filterOrder, role);
        const { price: _price, stopPrice: _stop, ...rest } = req;
        return this.engine.placeOrder({
          ...rest,
          qty: prepared.qty,
          ...(prepared.price !== undefined ? { price: prepared.price } : {}),
          ...(prepared.stopPrice !== undefined ? { stopPrice: prepared.stopPrice } : {}),
        });
      },
      `order ${req.clientOrderId}`,
    );
  }

  async placeOco(request: OcoRequestInput | OcoRequest): Promise<OcoOrder> {
    if (!this.capabilities.oco) throw new UnsupportedError('OCO lists are not supported');
    const req = parseWith(OcoRequest, request, 'OCO request');
    await this.loadInstruments();
    await this.ensureFeed('SPOT', req.symbol);
    return this.request(
      'placeOco',
      () => {
        const inst = this.engine.instrument('SPOT', req.symbol);
        const step = inst.stepSize;
        return this.engine.placeOco({ ...req, qty: roundQty(req.qty, step, inst.gridFromMin ? { min: inst.minQty } : {}) });
      },
      `OCO ${req.clientListId}`,
    );
  }

  async cancelOrder(ref: OrderRef): Promise<Order> {
    return this.request('cancelOrder', () => {
      const fraction = this.faults.takeCancelRace();
      if (fraction !== undefined) this.raceFill(ref, fraction);
      return this.engine.cancelOrder(ref);
    });
  }

  async cancelOco(symbol: string, clientListId: string): Promise<OcoOrder> {
    if (!this.capabilities.oco) throw new UnsupportedError('OCO lists are not supported');
    return this.request('cancelOco', () => this.engine.cancelOco(symbol, clientListId));
  }

  async getOrder(ref: OrderRef): Promise<Order> {
    return this.request('getOrder', () => this.engine.getOrder(ref));
  }

  async openOrders(market: Market, symbol?: string): Promise<Order[]> {
    return this.request('openOrders', () => {
      this.requireMarket(market);
      return this.engine.openOrders(market, symbol);
    });
  }

  async orderHistory(market: Market, symbol: string, window?: TimeWindow): Promise<Order[]> {
    return this.request('orderHistory', () => this.engine.orderHistory(market, symbol, window));
  }

  async fills(market: Market, symbol: string, window?: TimeWindow): Promise<Fill[]> {
    return this.request('fills', () => this.engine.fills(market, symbol, window));
  }

  async positions(symbol?: string): Promise<Position[]> {
    this.requireMarket('FUT');
    return this.request('positions', () => this.engine.positions(symbol));
  }

  async balances(market: Market): Promise<Balance[]> {
    return this.request('balances', () => this.engine.balances(market));
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    this.requireMarket('FUT');
    return this.request('setLeverage', () => this.engine.setLeverage(symbol, leverage));
  }

  async setMarginType(symbol: string, marginType: 'ISOLATED' | 'CROSSED'): Promise<void> {
    this.requireMarket('FUT');
    return this.request('setMarginType', () => this.engine.setMarginType(symbol, marginType));
  }

  async transfer(request: VenueTransferRequest): Promise<VenueTransfer> {
    if (!this.capabilities.transfers) throw new UnsupportedError('SPOT↔FUT transfers are not supported');
    return this.request('transfer', () => this.engine.transfer(request), `transfer ${request.clientTransferId}`);
  }

  async transferHistory(from: Market, to: Market, window?: TimeWindow): Promise<VenueTransfer[]> {
    if (!this.capabilities.transfers) throw new UnsupportedError('SPOT↔FUT transfers are not supported');
    return this.request('transferHistory', () => this.engine.transferHistory(from, to, window));
  }

  // ───────────────────────────── internals ─────────────────────────────

  /**
   * Runs one request the way a network would: wait the latency, apply a scripted rejection, run
   * it, then apply an accept-then-time-out fault (the effect stays, the answer is lost).
   */
  private async request<T>(op: PaperOperation, run: () => T, what: string = op): Promise<T> {
    const latency = this.faults.nextLatencyMs();
    // Always yield once, so a caller reacting to a user-stream event never re-enters the engine
    // from inside the engine's own event flush.
    if (latency > 0) await this.clock.sleep(latency);
    else await Promise.resolve();
    const rejection: ChimeraError | undefined = this.faults.takeRejection(op);
    if (rejection) throw rejection;
    const result = run();
    const timeoutMs = this.faults.takeTimeout(op);
    if (timeoutMs !== undefined) {
      if (timeoutMs > 0) await this.clock.sleep(timeoutMs);
      throw new UnknownOutcomeError(`${what}: no answer from the venue (timed out)`, { details: { operation: op } });
    }
    return result;
  }

  /** The fill-racing-cancel fault: a counterparty takes part of the order just before the cancel. */
  private raceFill(ref: OrderRef, fraction: Big): void {
    let order: Order;
    try {
      order = this.engine.getOrder(ref);
    } catch (err) {
      if (err instanceof OrderNotFoundError) return;
      throw err;
    }
    if ((order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED') || order.price === undefined) return;
    const inst = this.engine.instrument(order.market, order.symbol);
    const open = new D(order.qty).minus(order.filledQty);
    const qty = roundQty((fraction.gte(1) ? open : open.times(fraction)).toFixed(), inst.stepSize);
    if (new D(qty).lte(0)) return;
    this.engine.fillOrder({ market: order.market, symbol: order.symbol, venueOrderId: order.venueOrderId }, qty);
  }

  private wireEngineEvents(): void {
    const e = this.engine.events;
    // A venue declared without a user stream pushes no account events (callers must poll).
    const user = this.capabilities.userStream;
    const onOrder = (o: Order): void => void (user && this.events.emit('order', o));
    const onFill = (f: Fill): void => void (user && this.events.emit('fill', f));
    const onPosition = (p: Position): void => void (user && this.events.emit('position', p));
    const onBalance = (b: Balance): void => void (user && this.events.emit('balance', b));
    const onBook = (market: Market, symbol: string): void => this.deliverBook(market, symbol);
    const onTrade = (t: TradeTick): void => this.deliver(t.market, t.symbol, 'trades', { type: 'trades', trade: t });
    const onMark = (m: MarkPriceTick): void => this.deliver('FUT', m.symbol, 'markPrice', { type: 'markPrice', mark: m });
    e.on('order', onOrder);
    e.on('fill', onFill);
    e.on('position', onPosition);
    e.on('balance', onBalance);
    e.on('book', onBook);
    e.on('trade', onTrade);
    e.on('mark', onMark);
    this.detach.push(() => {
      e.off('order', onOrder);
      e.off('fill', onFill);
      e.off('position', onPosition);
      e.off('balance', onBalance);
      e.off('book', onBook);
      e.off('trade', onTrade);
      e.off('mark', onMark);
    });
  }

  private deliver(market: Market, symbol: string, channel: MarketChannel, event: MarketEvent): void {
    if (this.faults.isStalled(market, symbol)) return;
    const set = this.userSubs.get(`${market}|${symbol}`);
    if (!set) return;
    for (const s of set) if (s.subscription.channel === channel) s.onEvent(event);
  }

  private deliverBook(market: Market, symbol: string): void {
    const set = this.userSubs.get(`${market}|${symbol}`);
    if (!set || set.size === 0 || this.faults.isStalled(market, symbol)) return;
    let tick: MarketTick | undefined;
    for (const s of set) {
      if (s.subscription.channel === 'depth') {
        s.onEvent({ type: 'depth', book: this.engine.depth(market, symbol, s.subscription.levels ?? 20) });
      } else if (s.subscription.channel === 'ticker') {
        if (!tick) {
          if (!this.engine.book(market, symbol).isTwoSided()) continue;
          tick = this.engine.ticker(market, symbol);
        }
        s.onEvent({ type: 'ticker', tick });
      }
    }
  }

  private deliverCurrent(sub: UserSubscription): void {
    const { channel, market, symbol } = sub.subscription;
    const book = this.engine.book(market, symbol);
    if (channel === 'ticker' && book.isTwoSided()) sub.onEvent({ type: 'ticker', tick: this.engine.ticker(market, symbol) });
    else if (channel === 'depth' && (book.best('bid') || book.best('ask'))) sub.onEvent({ type: 'depth', book: this.engine.depth(market, symbol, sub.subscription.levels ?? 20) });
    else if (channel === 'markPrice' && book.isTwoSided()) sub.onEvent({ type: 'markPrice', mark: this.engine.markPrice(symbol) });
  }

  /**
   * Starts feeding the engine with one symbol's market data from the source (ticks, depth,
   * trades, mark price). Done automatically on first use of a symbol; call it directly when the
   * engine is traded through something else — e.g. a local exchange serving this engine.
   * Idempotent.
   */
  follow(market: Market, symbol: string): Promise<void> {
    return this.ensureFeed(market, symbol);
  }

  /** Subscribes the source's channels for one symbol into the engine (once per symbol). */
  private ensureFeed(market: Market, symbol: string): Promise<void> {
    const src = this.marketData;
    if (!src) return Promise.resolve();
    const key = `${market}|${symbol}`;
    let p = this.feeds.get(key);
    if (!p) {
      p = this.startFeed(src, market, symbol);
      this.feeds.set(key, p);
      p.catch(() => this.feeds.delete(key));
    }
    return p;
  }

  private async startFeed(src: PaperMarketData, market: Market, symbol: string): Promise<void> {
    const streams = src.capabilities?.streams ?? ['ticker', 'depth', 'trades', 'markPrice'];
    const levels = this.options.feedDepthLevels ?? 100;
    const stalled = (): boolean => this.faults.isStalled(market, symbol);
    const handlers: Partial<Record<MarketChannel, (e: MarketEvent) => void>> = {
      depth: (e) => {
        if (e.type !== 'depth' || stalled()) return;
        const update = { bids: e.book.bids, asks: e.book.asks, sequence: e.book.sequence };
        this.engine.applyBookSnapshot(market, symbol, e.book.eventTime === undefined ? update : { ...update, eventTime: e.book.eventTime });
      },
      ticker: (e) => {
        if (e.type !== 'ticker' || stalled()) return;
        this.engine.applyTicker(market, symbol, { bid: e.tick.bid, bidQty: e.tick.bidQty, ask: e.tick.ask, askQty: e.tick.askQty, eventTime: e.tick.eventTime });
      },
      trades: (e) => {
        if (e.type !== 'trades' || stalled()) return;
        this.engine.applyTrade(market, symbol, { price: e.trade.price, qty: e.trade.qty, takerSide: e.trade.takerSide, tradeId: e.trade.tradeId, eventTime: e.trade.eventTime });
      },
      markPrice: (e) => {
        if (e.type !== 'markPrice' || stalled()) return;
        const m = e.mark;
        this.engine.applyMarkPrice(symbol, {
          markPrice: m.markPrice,
          fundingRate: m.fundingRate,
          nextFundingTime: m.nextFundingTime,
          eventTime: m.eventTime,
          ...(m.indexPrice !== undefined ? { indexPrice: m.indexPrice } : {}),
        });
      },
    };
    if (src.depth && streams.includes('depth')) {
      try {
        const snap = await src.depth(market, symbol, levels);
        if (!stalled()) this.engine.applyBookSnapshot(market, symbol, { bids: snap.bids, asks: snap.asks, sequence: snap.sequence });
      } catch (err) {
        this.alert('WARN', 'PAPER_FEED_SNAPSHOT_FAILED', `initial depth of ${symbol} on ${market} failed`, err);
      }
    }
    for (const channel of ['depth', 'ticker', 'trades', 'markPrice'] as const) {
      if (!streams.includes(channel) || (channel === 'markPrice' && market !== 'FUT')) continue;
      try {
        const sub: MarketSubscription = channel === 'depth' ? { channel, market, symbol, levels: Math.min(levels, 20) } : { channel, market, symbol };
        this.feedHandles.push(await src.subscribe(sub, handlers[channel]!));
      } catch (err) {
        this.alert('WARN', 'PAPER_FEED_SUBSCRIBE_FAILED', `${channel} of ${symbol} on ${market} could not be subscribed`, err);
      }
    }
  }

  private loadInstruments(): Promise<void> {
    if (!this.instrumentsLoaded) {
      this.instrumentsLoaded = (async () => {
        if (this.options.instruments || this.options.engine || !this.marketData?.instruments) return;
        for (const market of this.capabilities.markets) {
          try {
            const list = await this.marketData.instruments(market);
            for (const inst of list) this.engine.addInstrument(inst);
          } catch (err) {
            this.alert('WARN', 'PAPER_INSTRUMENTS_FAILED', `instruments of ${market} could not be loaded from the source`, err);
          }
        }
      })();
    }
    return this.instrumentsLoaded;
  }

  private alert(level: 'INFO' | 'WARN', code: string, message: string, err: unknown): void {
    this.logger.warn({ err, code }, message);
    this.events.emit('alert', { level, code, message, details: { cause: err instanceof Error ? err.message : String(err) }, ts: this.clock.now() });
  }

  private requireMarket(market: Market): void {
    if (!this.capabilities.markets.includes(market)) throw new UnsupportedError(`market ${market} is not supported`);
  }

  private requireFunding(): void {
    this.requireMarket('FUT');
    if (!this.capabilities.funding) throw new UnsupportedError('funding is not supported');
  }
}
