/**
 * `MaxConnector`: the core `ExchangeConnector` over MAX (MaiCoin) spot — REST v3 through the core
 * `RestClient` (requests built and mapped by the pure layer in `./rest`, signed on every attempt
 * with a fresh nonce calibrated from the server's clock), market data and the private channels
 * over two `ReconnectingSocket`s (`./connector`). Capabilities are declared honestly: spot only,
 * no OCO, no transfers, no leverage or funding.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import {
  AuthError,
  classifyOutcome,
  isChimeraError,
  isTerminalStatus,
  noopLogger,
  OrderNotFoundError,
  OrderRequest,
  parseWith,
  PostOnlyRejectedError,
  prepareOrder,
  redactingLogger,
  RestClient,
  settleUnknown,
  StateError,
  SystemClock,
  ThrottledQueue,
  UnsupportedError,
  ValidationError,
  VenueError,
  type Balance,
  type BookSnapshot,
  type Clock,
  type ConnectorAlert,
  type ConnectorEvents,
  type ExchangeConnector,
  type Fill,
  type FundingIncome,
  type FundingRate,
  type Instrument,
  type Logger,
  type Market,
  type MarketEvent,
  type MarketSubscription,
  type MarketTick,
  type MarkPriceTick,
  type OcoOrder,
  type OcoRequest,
  type Order,
  type OrderRef,
  type Position,
  type PriceRole,
  type SubscriptionHandle,
  type TimeWindow,
  type VenueCapabilities,
  type VenueTransfer,
  type VenueTransferRequest,
} from '@chimera/core';
import { AccountEventRelay } from './connector/account-events.js';
import { maxCapabilities } from './connector/capabilities.js';
import { MaxMarketStreams, type MaxBookState } from './connector/market-streams.js';
import { MaxConnectorOptions, type MaxConnectorOptionsInput } from './connector/options.js';
import { MaxUserStream, type MaxAccountEvent } from './connector/user-stream.js';
import { createMaxErrorMapper } from './rest/errors.js';
import { parseMarkets, toMaxMarket } from './rest/instruments.js';
import { parseBalances, parseCancelResult, parseDepth, parseOrder, parseOrders, parseServerTime, parseTicker, parseTrades } from './rest/mappers.js';
import { NonceSource } from './rest/nonce-source.js';
import { isSyntheticClientOrderId } from './rest/order-vocabulary.js';
import {
  balancesRequest,
  cancelOrderRequest,
  closedOrdersRequest,
  depthRequest,
  marketsRequest,
  maxOrderType,
  MAX_REST_LIMITS,
  myTradesRequest,
  openOrdersRequest,
  orderRequest,
  serverTimeRequest,
  submitOrderRequest,
  tickerRequest,
  type MaxOrderRef,
  type MaxRequest,
} from './rest/requests.js';
import { toRestRequest, type MaxAuth } from './rest/rest-request.js';
import { MaxSigner } from './rest/signing.js';
import { D, VENUE_ID } from './rest/wire.js';

/** Most orders one catch-up looks up one by one (those that were open and are gone from the open list). */
const MAX_CATCH_UP_LOOKUPS = 50;
/** Most orders `fills()` looks up one by one for client order ids it does not know. */
const MAX_FILL_LOOKUPS = 20;
/** Most entries the connector's "cancel requested" memory keeps. */
const CANCEL_MEMORY = 1_000;
/** Deepest `GET /api/v3/depth` MAX serves. */
const MAX_DEPTH_LIMIT = 300;
/** Markets asked at once when open orders are listed market by market. */
const OPEN_ORDERS_CONCURRENCY = 8;

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function isNotFound(err: unknown): boolean {
  return isChimeraError(err) && err.code === 'ORDER_NOT_FOUND';
}

function byCreatedAt(a: Order, b: Order): number {
  return a.createdAt - b.createdAt;
}

function inWindow(ts: number, window: TimeWindow): boolean {
  return (window.startTime === undefined || ts >= window.startTime) && (window.endTime === undefined || ts <= window.endTime);
}

/**
 * The rounding role of a limit price: a resting limit (GTC, post-only) is a `maker` price; an IOC
 * limit and a stop-limit's limit are `taker` prices (the worst acceptable).
 */
function priceRole(request: Pick<OrderRequest, 'type' | 'timeInForce' | 'postOnly'>): PriceRole {
  if (request.type === 'LIMIT' && (request.postOnly || request.timeInForce === undefined || request.timeInForce === 'GTC' || request.timeInForce === 'GTX')) return 'maker';
  return 'taker';
}

/**
 * MAX spot as an `ExchangeConnector`.
 *
 * - **REST**: every call is built by the pure layer (`submitOrderRequest`, `orderRequest`, …),
 *   sent by the core `RestClient` (1200 requests/min client-side; a 429 is an IP ban that refuses
 *   every request locally until MAX's `Retry-After`), and mapped back with MAX's error table. Signed
 *   calls carry a fresh nonce per attempt from a `NonceSource` calibrated from `/api/v3/timestamp`
 *   on `connect()`; a nonce refusal (2006/2007) recalibrates and retries once — MAX refused the
 *   request before doing anything.
 * - **Orders**: rounded and checked against the market's precision and minimums before they leave
 *   (`limit`, `market`, `post_only`, `ioc_limit`, `stop_limit`, `stop_market`). A submit or cancel
 *   whose outcome is unknown is settled by `GET /api/v3/order?client_oid=` and never resent (MAX
 *   rejects a reused `client_oid`); a settled one raises a WARN `alert` `UNKNOWN_OUTCOME_SETTLED`.
 *   MAX accepts a post-only order that would take and then cancels it on its own: the connector
 *   watches it for `postOnlyCheck.timeoutMs` and throws `PostOnlyRejectedError` when it ends
 *   cancelled with nothing filled. A cancel resolves with the order's final state.
 * - **Market data**: `ticker` (top of the synced book), `depth` (the synced book) and `trades`
 *   over one `ReconnectingSocket`; books follow MAX's `fi`/`li`/`v` rules and resubscribe on a gap.
 * - **User stream** (with a key): `order`, `fill`, `balance` events from the private channels,
 *   deduplicated (fills by trade id); after every re-authentication `userStreamConnected` with
 *   `reconnect: true` and a REST catch-up of open orders, recent trades and balances.
 */
export class MaxConnector implements ExchangeConnector {
  /** Always `max`. */
  readonly venue = VENUE_ID;
  /** Spot only; no OCO, transfers, leverage or funding; a user stream when a key was given. */
  readonly capabilities: VenueCapabilities;
  /** Account events (user stream), `userStreamConnected` and `alert`s. */
  readonly events = new EventEmitter<ConnectorEvents>();

  private readonly o: MaxConnectorOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly rest: RestClient;
  private readonly nonces: NonceSource;
  private readonly auth: MaxAuth | undefined;
  private readonly relay: AccountEventRelay;
  private readonly connectQueue: ThrottledQueue;
  private readonly market: MaxMarketStreams;
  private readonly cancelling = new Set<string>();
  private userStream: MaxUserStream | undefined;
  private cache: { at: number; list: Instrument[]; bySymbol: Map<string, Instrument> } | undefined;
  private loading: Promise<Instrument[]> | undefined;
  private calibrating: Promise<number> | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;

  /**
   * @param options - See {@link MaxConnectorOptions}.
   * @throws ValidationError (400) on invalid options; messages never contain key material.
   */
  constructor(options: MaxConnectorOptionsInput = {}) {
    const o = parseWith(MaxConnectorOptions, options, 'max connector options');
    this.o = o;
    this.clock = o.clock ?? new SystemClock();
    this.log = o.logger ? redactingLogger(o.logger).child({ component: 'max-connector' }) : noopLogger;
    this.nonces = new NonceSource({ now: () => this.clock.now() });
    if (o.accessKey !== undefined && o.secretKey !== undefined) {
      this.auth = { signer: new MaxSigner({ accessKey: o.accessKey, secretKey: o.secretKey }), nonces: this.nonces };
    }
    this.capabilities = maxCapabilities(this.auth !== undefined);
    this.rest = new RestClient({
      baseUrl: o.baseUrl,
      clock: this.clock,
      limits: MAX_REST_LIMITS,
      errorMapper: createMaxErrorMapper({ now: () => this.clock.now() }),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.retry ? { retry: o.retry } : {}),
    });
    this.rest.events.on('alert', (a) => this.alert({ ...a }));
    this.relay = new AccountEventRelay(this.events, this.log);
    // MAX counts connection attempts per IP (600 an hour): both sockets draw from one queue.
    this.connectQueue = new ThrottledQueue(this.clock, 600, 3_600_000);
    this.market = new MaxMarketStreams({
      url: o.wsUrl,
      clock: this.clock,
      logger: this.log,
      bookDepth: o.ws.bookDepth,
      pingIntervalMs: o.ws.pingIntervalMs,
      snapshotTimeoutMs: o.ws.snapshotTimeoutMs,
      connectQueue: this.connectQueue,
      onAlert: (a) => this.alert(a),
      ...(o.socketFactory ? { socketFactory: o.socketFactory } : {}),
      ...(o.ws.maxSilenceMs !== undefined ? { maxSilenceMs: o.ws.maxSilenceMs } : {}),
      ...(o.ws.backoff ? { backoff: o.ws.backoff } : {}),
      ...(o.ws.maxConsecutiveFailures !== undefined ? { maxConsecutiveFailures: o.ws.maxConsecutiveFailures } : {}),
      ...(o.ws.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.ws.connectTimeoutMs } : {}),
    });
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  /**
   * Calibrates the nonce source from MAX's clock, loads the markets and, with a key, opens the
   * private channel and waits for `authenticated`. Idempotent.
   * @throws AuthError when MAX refuses the key; StateError (`USER_STREAM_TIMEOUT`) when the private
   *   channel did not authenticate within `userStreamTimeoutMs`; transport errors of the REST calls.
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    this.connecting ??= (async () => {
      await this.calibrate();
      await this.loadInstruments();
      if (this.auth) await this.startUserStream(this.auth);
    })().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  /** Closes both sockets and the REST pool. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([this.market.close(), this.userStream?.close(), this.rest.close()]);
  }

  // ───────────────────────────── public data ─────────────────────────────

  /** MAX's clock (`GET /api/v3/timestamp`, seconds) in epoch ms. */
  async serverTime(): Promise<number> {
    return parseServerTime(await this.call(serverTimeRequest()));
  }

  /** Every MAX market as a SPOT instrument (cached for `instrumentsTtlMs`). @throws UnsupportedError for FUT. */
  async instruments(market: Market): Promise<Instrument[]> {
    this.requireSpot(market);
    return [...(await this.instrumentList())];
  }

  /**
   * One market by core symbol (`BTCTWD`).
   * @throws VenueError `UNKNOWN_SYMBOL` (422) when MAX does not list it; UnsupportedError for FUT.
   */
  async instrument(market: Market, symbol: string): Promise<Instrument> {
    this.requireSpot(market);
    await this.instrumentList();
    const inst = this.cache?.bySymbol.get(symbol);
    if (!inst) {
      throw new VenueError(`max lists no market ${symbol}`, { code: 'UNKNOWN_SYMBOL', status: 422, retryable: false, details: { venue: VENUE_ID, market, symbol } });
    }
    return inst;
  }

  /**
   * A depth snapshot (`GET /api/v3/depth`), best levels first.
   * @param limit - Levels per side (default 100; MAX serves at most 300).
   */
  async depth(market: Market, symbol: string, limit = 100): Promise<BookSnapshot> {
    this.requireSpot(market);
    const n = Math.min(MAX_DEPTH_LIMIT, Math.max(1, Math.floor(limit)));
    const snap = parseDepth(symbol, await this.call(depthRequest(symbol, { limit: n })), this.clock.now());
    const { version: _version, ...book } = snap;
    return { ...book, bids: book.bids.slice(0, n), asks: book.asks.slice(0, n) };
  }

  /** The best bid and ask (`GET /api/v3/ticker`) as a normalised tick. */
  async ticker(market: Market, symbol: string): Promise<MarketTick> {
    this.requireSpot(market);
    return parseTicker(await this.call(tickerRequest(symbol)), this.clock.now());
  }

  /** MAX has no perpetuals. @throws UnsupportedError always. */
  async markPrice(_symbol: string): Promise<MarkPriceTick> {
    throw this.unsupported('mark prices (MAX has no perpetual futures)');
  }

  /** MAX has no perpetuals. @throws UnsupportedError always. */
  async fundingRates(_symbol: string): Promise<FundingRate[]> {
    throw this.unsupported('funding rates (MAX has no perpetual futures)');
  }

  /** MAX has no perpetuals. @throws UnsupportedError always. */
  async fundingIncome(): Promise<FundingIncome[]> {
    throw this.unsupported('funding income (MAX has no perpetual futures)');
  }

  /**
   * Starts a SPOT market-data subscription: `ticker` (top of the synced book, on every change of
   * the best levels), `depth` (the synced book, `levels` per side, default 20, at most
   * `ws.bookDepth`), `trades` (new MAX trade prints only, not the history a subscription's
   * snapshot carries; the channel has no trade ids and no taker side, see `parseMaxWsMessage`).
   * @throws UnsupportedError for `markPrice` or FUT; VenueError `UNKNOWN_SYMBOL`; ValidationError
   *   (`INVALID_LEVELS`).
   */
  async subscribe(subscription: MarketSubscription, onEvent: (event: MarketEvent) => void): Promise<SubscriptionHandle> {
    this.assertOpen();
    if (!this.capabilities.streams.includes(subscription.channel)) throw this.unsupported(`${subscription.channel} streams`);
    this.requireSpot(subscription.market);
    toMaxMarket(subscription.symbol);
    await this.instrument('SPOT', subscription.symbol);
    return this.market.subscribe(subscription, onEvent);
  }

  /** How the local book of a subscribed symbol is doing (undefined when no ticker/depth subscription holds it). */
  bookState(symbol: string): MaxBookState | undefined {
    return this.market.bookState(symbol);
  }

  /** The synced local book of a subscribed symbol (`levels` per side, default all), or undefined while syncing. */
  syncedBook(symbol: string, levels?: number): BookSnapshot | undefined {
    return this.market.book(symbol, levels);
  }

  // ───────────────────────────── orders ─────────────────────────────

  /**
   * Rounds, checks and places one order (`POST /api/v3/wallet/spot/order`). LIMIT → `limit`,
   * post-only (or GTX) → `post_only`, IOC → `ioc_limit`, MARKET → `market`, STOP_LIMIT →
   * `stop_limit`, STOP_MARKET → `stop_market`. Resolves with MAX's acknowledgement (usually `NEW`:
   * MAX places orders asynchronously; fills arrive on the user stream), or for post-only with the
   * state after the post-only check.
   *
   * @throws ValidationError on a malformed request; UnsupportedError for FOK, take-profit types,
   *   reduce-only or FUT; FilterError when the rounded order breaks the market's precision or
   *   minimums (nothing is sent); PostOnlyRejectedError; InsufficientFundsError; VenueError
   *   `DUPLICATE_ORDER` (a reused `client_oid`); UnknownOutcomeError when settlement found nothing.
   */
  async placeOrder(request: OrderRequest): Promise<Order> {
    const req = parseWith(OrderRequest, request, 'order request');
    this.requireSpot(req.market);
    const ordType = maxOrderType(req);
    const auth = this.requireAuth();
    const inst = await this.instrument('SPOT', req.symbol);
    if (inst.status !== 'TRADING') {
      throw new VenueError(`max market ${req.symbol} is not trading (${inst.status})`, { code: 'MARKET_CLOSED', status: 422, retryable: false, details: { symbol: req.symbol } });
    }
    const prepared = prepareOrder(inst, { type: req.type, side: req.side, qty: req.qty, price: req.price, stopPrice: req.stopPrice }, priceRole(req));
    const built = submitOrderRequest({ ...req, qty: prepared.qty, price: prepared.price, stopPrice: prepared.stopPrice });
    const ref: OrderRef = { market: 'SPOT', symbol: req.symbol, clientOrderId: req.clientOrderId };
    const ack = await this.settle(
      async () => parseOrder(await this.callWith(built, auth)),
      () => this.getOrder(ref),
      { ...ref, path: built.path },
    );
    this.relay.remember(ack);
    return ordType === 'post_only' ? this.confirmPostOnly(ack, ref) : ack;
  }

  /** MAX has no OCO lists. @throws UnsupportedError always. */
  async placeOco(_request: OcoRequest): Promise<OcoOrder> {
    throw this.unsupported('OCO lists');
  }

  /**
   * Cancels one order (`DELETE /api/v3/order` by `client_oid`, or by `id` when only the venue id
   * is known) and resolves with its final state, including what filled before the cancel landed.
   * @throws OrderNotFoundError when MAX has no such open order; UnknownOutcomeError when the
   *   cancel's outcome could not be settled.
   */
  async cancelOrder(ref: OrderRef): Promise<Order> {
    this.requireSpot(ref.market);
    const auth = this.requireAuth();
    const maxRef = this.maxRef(ref);
    this.markCancelling(ref);
    const built = cancelOrderRequest(maxRef);
    await this.settle(
      async () => parseCancelResult(await this.callWith(built, auth)),
      async () => (isTerminalStatus((await this.getOrder(ref)).status) ? true : undefined),
      { market: ref.market, symbol: ref.symbol, clientOrderId: ref.clientOrderId, venueOrderId: ref.venueOrderId, path: built.path },
    );
    return this.awaitFinal(ref);
  }

  /** MAX has no OCO lists. @throws UnsupportedError always. */
  async cancelOco(_symbol: string, _clientListId: string): Promise<OcoOrder> {
    throw this.unsupported('OCO lists');
  }

  /**
   * One order (`GET /api/v3/order`) by client order id, or by MAX id. This is also how an unknown
   * outcome is settled.
   * @throws OrderNotFoundError when MAX does not know it (or it is on another market).
   */
  async getOrder(ref: OrderRef): Promise<Order> {
    this.requireSpot(ref.market);
    const auth = this.requireAuth();
    const order = parseOrder(await this.callWith(orderRequest(this.maxRef(ref)), auth));
    if (order.symbol !== ref.symbol) {
      throw new OrderNotFoundError(`max order ${order.venueOrderId} is on ${order.symbol}, not ${ref.symbol}`, { details: { symbol: ref.symbol, clientOrderId: ref.clientOrderId } });
    }
    this.relay.remember(order);
    return order;
  }

  /**
   * Open orders (`GET /api/v3/wallet/spot/orders/open`, up to 1000 per market), oldest first.
   * Without `symbol` every listed market is asked in turn (the official SDK marks `market` as
   * required on this endpoint), at most {@link OPEN_ORDERS_CONCURRENCY} at a time.
   */
  async openOrders(market: Market, symbol?: string): Promise<Order[]> {
    this.requireSpot(market);
    const auth = this.requireAuth();
    const symbols = symbol !== undefined ? [symbol] : (await this.instrumentList()).map((i) => i.symbol);
    const lists = await mapLimit(symbols, OPEN_ORDERS_CONCURRENCY, async (s) => parseOrders(await this.callWith(openOrdersRequest({ symbol: s, limit: 1000 }), auth)));
    const orders = lists.flat();
    for (const o of orders) this.relay.remember(o);
    return orders.sort(byCreatedAt);
  }

  /**
   * Orders of a symbol created inside the window, oldest first: MAX's newest 1000 closed orders of
   * the market plus its open ones (MAX serves closed orders for a limited span only).
   */
  async orderHistory(market: Market, symbol: string, window: TimeWindow = {}): Promise<Order[]> {
    this.requireSpot(market);
    const auth = this.requireAuth();
    const [closed, open] = await Promise.all([
      this.callWith(closedOrdersRequest({ symbol, limit: 1000, orderBy: 'desc' }), auth),
      this.callWith(openOrdersRequest({ symbol, limit: 1000 }), auth),
    ]);
    const byId = new Map<string, Order>();
    for (const o of [...parseOrders(open), ...parseOrders(closed)]) {
      this.relay.remember(o);
      byId.set(o.venueOrderId, o);
    }
    return [...byId.values()].filter((o) => inWindow(o.createdAt, window)).sort(byCreatedAt);
  }

  /**
   * The account's fills of a symbol inside the window, oldest first: MAX's newest 1000 trades of
   * the market (`GET /api/v3/wallet/spot/trades`). Trades carry only the order's MAX id; client
   * order ids come from the orders the connector has seen, else from up to 20 order queries, else
   * `max:<order id>`.
   */
  async fills(market: Market, symbol: string, window: TimeWindow = {}): Promise<Fill[]> {
    this.requireSpot(market);
    const auth = this.requireAuth();
    const body = await this.callWith(myTradesRequest({ symbol, limit: 1000, order: 'desc' }), auth);
    const unknown = [...new Set(parseTrades(body).map((f) => f.venueOrderId))].filter((id) => this.relay.clientOrderIdOf(id) === undefined);
    for (const id of unknown.slice(0, MAX_FILL_LOOKUPS)) {
      try {
        this.relay.remember(parseOrder(await this.callWith(orderRequest({ venueOrderId: id }), auth)));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const seen = new Set<string>();
    return parseTrades(body, { clientOrderId: (id) => this.relay.clientOrderIdOf(id) })
      .filter((f) => f.symbol === symbol && inWindow(f.ts, window))
      .filter((f) => (seen.has(f.tradeId) ? false : (seen.add(f.tradeId), true)))
      .sort((a, b) => a.ts - b.ts);
  }

  // ───────────────────────────── account ─────────────────────────────

  /** MAX has no futures positions. @throws UnsupportedError always. */
  async positions(_symbol?: string): Promise<Position[]> {
    throw this.unsupported('futures positions');
  }

  /** Spot balances with a non-zero total (`GET /api/v3/wallet/spot/accounts`; `balance` is the free amount). */
  async balances(market: Market): Promise<Balance[]> {
    this.requireSpot(market);
    const auth = this.requireAuth();
    return parseBalances(await this.callWith(balancesRequest(), auth)).filter((b) => !new D(b.free).plus(b.locked).eq(0));
  }

  /** MAX spot has no leverage. @throws UnsupportedError always. */
  async setLeverage(_symbol: string, _leverage: number): Promise<void> {
    throw this.unsupported('leverage');
  }

  /** MAX spot has no margin types. @throws UnsupportedError always. */
  async setMarginType(_symbol: string, _marginType: 'ISOLATED' | 'CROSSED'): Promise<void> {
    throw this.unsupported('margin types');
  }

  /** MAX has no SPOT↔FUT transfers. @throws UnsupportedError always. */
  async transfer(_request: VenueTransferRequest): Promise<VenueTransfer> {
    throw this.unsupported('SPOT↔FUT transfers');
  }

  /** MAX has no SPOT↔FUT transfers. @throws UnsupportedError always. */
  async transferHistory(_from: Market, _to: Market): Promise<VenueTransfer[]> {
    throw this.unsupported('SPOT↔FUT transfers');
  }

  // ───────────────────────────── internals: REST ─────────────────────────────

  /** Sends a public request. */
  private call(req: MaxRequest): Promise<unknown> {
    return this.callWith(req, undefined);
  }

  /** Sends a request (signed when it must be); a nonce refusal recalibrates and retries once. */
  private async callWith(req: MaxRequest, auth: MaxAuth | undefined): Promise<unknown> {
    this.assertOpen();
    const send = async (): Promise<unknown> => (await this.rest.request(toRestRequest(req, req.signed ? auth : undefined))).body;
    if (!req.signed) return send();
    try {
      return await send();
    } catch (err) {
      // 2006/2007: MAX refused the nonce before doing anything, so one retry with a fresh nonce is
      // safe even for a write.
      if (!isChimeraError(err) || err.code !== 'CLOCK_SKEW') throw err;
      this.log.warn({ path: req.path }, 'max refused the nonce; recalibrating and retrying once');
      await this.calibrate();
      return send();
    }
  }

  /** Measures MAX's clock once and sets the nonce offset (concurrent calls share one measurement). */
  private calibrate(): Promise<number> {
    this.calibrating ??= (async () => {
      const t0 = this.clock.now();
      const server = await this.serverTime();
      const t1 = this.clock.now();
      // `/timestamp` answers whole seconds: take the middle of that second.
      return this.nonces.calibrate(server, (t0 + t1) / 2, { resolutionMs: 1000 });
    })().finally(() => {
      this.calibrating = undefined;
    });
    return this.calibrating;
  }

  private async instrumentList(): Promise<Instrument[]> {
    const cached = this.cache;
    if (cached && this.clock.now() - cached.at < this.o.instrumentsTtlMs) return cached.list;
    return this.loadInstruments();
  }

  private loadInstruments(): Promise<Instrument[]> {
    this.loading ??= (async () => {
      const list = parseMarkets(await this.call(marketsRequest()));
      this.cache = { at: this.clock.now(), list, bySymbol: new Map(list.map((i) => [i.symbol, i])) };
      return list;
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Sends one write and settles an unknown outcome by `query`, never by resending. */
  private async settle<T>(submit: () => Promise<T>, query: () => Promise<unknown>, ref: Record<string, unknown>): Promise<T> {
    this.assertOpen();
    const outcome = await settleUnknown<T>({
      submit,
      query: query as () => Promise<T | undefined>,
      isNotFound,
      clock: this.clock,
      attempts: this.o.settle.attempts,
      delayMs: this.o.settle.delayMs,
      ref,
      classify: classifyOutcome,
      logger: this.log,
    });
    if (outcome.via === 'query') {
      this.alert({
        level: 'WARN',
        code: 'UNKNOWN_OUTCOME_SETTLED',
        message: `an unknown outcome was settled by ${outcome.queryAttempts} quer${outcome.queryAttempts === 1 ? 'y' : 'ies'}; nothing was resent`,
        details: { ...ref, queryAttempts: outcome.queryAttempts },
        ts: this.clock.now(),
      });
    }
    return outcome.value;
  }

  /**
   * Watches a post-only order until MAX has decided: on the user stream when it is up (then one
   * REST check at the end), else by REST queries every `pollMs`.
   * @throws PostOnlyRejectedError when MAX cancelled it with nothing filled (it would have taken).
   */
  private async confirmPostOnly(ack: Order, ref: OrderRef): Promise<Order> {
    const { timeoutMs, pollMs } = this.o.postOnlyCheck;
    const id = ack.venueOrderId;
    const deadline = this.clock.now() + timeoutMs;
    let current = ack;
    const fromStream = (): void => {
      const seen = this.relay.latest(id);
      if (seen && isTerminalStatus(seen.status)) current = seen;
    };
    fromStream();
    while (!isTerminalStatus(current.status)) {
      const left = deadline - this.clock.now();
      if (left <= 0) break;
      const streaming = this.userStream?.authenticated === true;
      await this.relay.nextUpdate(id, streaming ? left : Math.min(pollMs, left), this.clock);
      fromStream();
      if (!isTerminalStatus(current.status) && !streaming) current = await this.getOrder(ref);
    }
    if (!isTerminalStatus(current.status)) current = await this.getOrder(ref);
    const cancelledByUs = this.cancelling.has(id) || this.cancelling.has(ack.clientOrderId);
    if ((current.status === 'CANCELED' || current.status === 'EXPIRED') && new D(current.filledQty).eq(0) && !cancelledByUs) {
      throw new PostOnlyRejectedError(`max cancelled post-only ${current.side} ${current.symbol} at ${current.price ?? '?'}: it would have taken liquidity`, {
        details: { symbol: current.symbol, clientOrderId: current.clientOrderId, venueOrderId: id, price: current.price },
      });
    }
    return current;
  }

  /** After an accepted cancel: the order's final state (stream or REST), within `cancelCheck`. */
  private async awaitFinal(ref: OrderRef): Promise<Order> {
    const { timeoutMs, pollMs } = this.o.cancelCheck;
    const deadline = this.clock.now() + timeoutMs;
    let current = await this.getOrder(ref);
    while (!isTerminalStatus(current.status)) {
      const left = deadline - this.clock.now();
      if (left <= 0) break;
      await this.relay.nextUpdate(current.venueOrderId, Math.min(pollMs, left), this.clock);
      const seen = this.relay.latest(current.venueOrderId);
      current = seen && isTerminalStatus(seen.status) ? seen : await this.getOrder(ref);
    }
    if (!isTerminalStatus(current.status)) {
      this.alert({
        level: 'WARN',
        code: 'MAX_CANCEL_UNCONFIRMED',
        message: `max accepted the cancel of ${current.clientOrderId} but the order was still ${current.status} after ${timeoutMs} ms`,
        details: { symbol: current.symbol, clientOrderId: current.clientOrderId, venueOrderId: current.venueOrderId },
        ts: this.clock.now(),
      });
    }
    return current;
  }

  private maxRef(ref: OrderRef): MaxOrderRef {
    if (ref.clientOrderId !== undefined && !isSyntheticClientOrderId(ref.clientOrderId)) return { clientOrderId: ref.clientOrderId };
    if (ref.venueOrderId !== undefined) return { venueOrderId: ref.venueOrderId };
    if (ref.clientOrderId !== undefined) return { venueOrderId: ref.clientOrderId.slice('max:'.length) };
    throw new ValidationError('an order reference needs clientOrderId or venueOrderId', [{ path: 'clientOrderId', message: 'required' }], { code: 'ORDER_REF_REQUIRED' });
  }

  private markCancelling(ref: OrderRef): void {
    for (const key of [ref.clientOrderId, ref.venueOrderId]) {
      if (key === undefined) continue;
      this.cancelling.delete(key);
      this.cancelling.add(key);
    }
    while (this.cancelling.size > CANCEL_MEMORY) this.cancelling.delete(this.cancelling.values().next().value as string);
  }

  // ───────────────────────────── internals: user stream ─────────────────────────────

  private async startUserStream(auth: MaxAuth): Promise<void> {
    if (!this.userStream) {
      this.userStream = new MaxUserStream({
        url: this.o.wsUrl,
        clock: this.clock,
        logger: this.log,
        signer: auth.signer,
        nonces: auth.nonces,
        pingIntervalMs: this.o.ws.pingIntervalMs,
        connectQueue: this.connectQueue,
        clientOrderId: (id) => this.relay.clientOrderIdOf(id),
        onEvent: (e) => this.onAccountEvent(e),
        onAuthenticated: (info) => this.onAuthenticated(info),
        onNonceRejected: async () => {
          await this.calibrate();
        },
        onAlert: (a) => this.alert(a),
        ...(this.o.socketFactory ? { socketFactory: this.o.socketFactory } : {}),
        ...(this.o.ws.backoff ? { backoff: this.o.ws.backoff } : {}),
        ...(this.o.ws.maxConsecutiveFailures !== undefined ? { maxConsecutiveFailures: this.o.ws.maxConsecutiveFailures } : {}),
        ...(this.o.ws.connectTimeoutMs !== undefined ? { connectTimeoutMs: this.o.ws.connectTimeoutMs } : {}),
      });
    }
    await this.userStream.start(this.o.userStreamTimeoutMs);
  }

  private onAccountEvent(event: MaxAccountEvent): void {
    if (event.kind === 'orders') for (const o of event.orders) this.relay.order(o);
    else if (event.kind === 'fills') for (const f of event.fills) this.relay.fill(f);
    else for (const b of event.balances) this.relay.balance(b);
  }

  private onAuthenticated(info: { reconnect: boolean; ts: number }): void {
    try {
      this.events.emit('userStreamConnected', info);
    } catch (err) {
      this.log.warn({ err }, 'userStreamConnected listener threw');
    }
    if (!info.reconnect || !this.auth) return;
    const auth = this.auth;
    void this.catchUp(auth).catch((err: unknown) => {
      this.alert({
        level: 'WARN',
        code: 'MAX_CATCH_UP_FAILED',
        message: `REST catch-up after the user stream reconnected failed: ${isChimeraError(err) ? err.shortMessage : 'unexpected error'}`,
        details: { code: isChimeraError(err) ? err.code : undefined },
        ts: this.clock.now(),
      });
    });
  }

  /**
   * What the stream may have missed while it was down: recent trades (emitted once each), the
   * final state of orders that were open before and are gone from their market's open list now,
   * the open orders of those markets, and the balances. (MAX's `order_snapshot` after `auth`
   * already lists every open order.)
   */
  private async catchUp(auth: MaxAuth): Promise<void> {
    if (this.closed) return;
    const known = this.relay.openOrders();
    const symbols = [...new Set(known.map((o) => o.symbol))];
    const [tradesBody, balancesBody, openLists] = await Promise.all([
      this.callWith(myTradesRequest({ limit: 100, order: 'desc' }), auth),
      this.callWith(balancesRequest(), auth),
      mapLimit(symbols, OPEN_ORDERS_CONCURRENCY, async (s) => parseOrders(await this.callWith(openOrdersRequest({ symbol: s, limit: 1000 }), auth))),
    ]);
    const open = openLists.flat();
    for (const o of open) this.relay.remember(o);
    const fills = parseTrades(tradesBody, { clientOrderId: (id) => this.relay.clientOrderIdOf(id) }).sort((a, b) => a.ts - b.ts);
    for (const f of fills) this.relay.fill(f);
    const openIds = new Set(open.map((o) => o.venueOrderId));
    for (const o of known.filter((k) => !openIds.has(k.venueOrderId)).slice(0, MAX_CATCH_UP_LOOKUPS)) {
      try {
        this.relay.order(parseOrder(await this.callWith(orderRequest({ venueOrderId: o.venueOrderId }), auth)));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    for (const o of open.sort(byCreatedAt)) this.relay.order(o);
    for (const b of parseBalances(balancesBody)) this.relay.balance(b);
  }

  // ───────────────────────────── small helpers ─────────────────────────────

  private alert(alert: ConnectorAlert): void {
    try {
      this.events.emit('alert', alert);
    } catch (err) {
      this.log.warn({ err }, 'alert listener threw');
    }
  }

  private requireSpot(market: Market): void {
    if (market !== 'SPOT') throw this.unsupported(`market ${market} (MAX trades spot only)`);
  }

  private requireAuth(): MaxAuth {
    this.assertOpen();
    if (!this.auth) throw new AuthError('this max connector has no API key (accessKey/secretKey): private calls are unavailable', { details: { venue: VENUE_ID, reason: 'CREDENTIALS_REQUIRED' } });
    return this.auth;
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): StateError {
    return new StateError('the max connector is closed', { code: 'CONNECTOR_CLOSED', details: { venue: VENUE_ID } });
  }

  private unsupported(what: string): UnsupportedError {
    return new UnsupportedError(`max does not offer ${what}`, { details: { venue: VENUE_ID } });
  }
}

export { MaxConnectorOptions, type MaxConnectorOptionsInput } from './connector/options.js';
