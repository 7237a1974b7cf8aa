/**
 * `BinanceConnector`: the core `ExchangeConnector` over Binance Spot and USDⓈ-M futures REST
 * (BINANCE.md §1–§5) and WebSocket streams (§6–§8). Requests are built by the pure layer
 * (`./rest`), signed on every attempt with a timestamp from the product's synced clock, limited
 * client-side and corrected by the used-weight headers, and mapped back to domain types. Submits
 * whose outcome is unknown are settled by a query by client order id, never resent (DESIGN.md
 * principle 4). Market data streams through `BinanceMarketStreams`, account events through the
 * Spot and UM user streams (`./ws`).
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import {
  classifyOutcome,
  isChimeraError,
  isTerminalStatus,
  noopLogger,
  OcoOrder,
  OcoRequest,
  OrderRequest,
  parseWith,
  type RateLimitRule,
  redactingLogger,
  settleUnknown,
  SystemClock,
  toDecimalString,
  UnsupportedError,
  ValidationError,
  VenueError,
  type Balance,
  type BookSnapshot,
  type ClockSkewReport,
  type OrderBook,
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
  type MarkPriceTick,
  type MarketTick,
  type Clock,
  type Order,
  type OrderRef,
  type Position,
  type SubscriptionHandle,
  type TimeWindow,
  type VenueCapabilities,
  type VenueTransfer,
  type VenueTransferRequest,
} from '@chimera/core';
import { BINANCE_BASE_URLS, SPOT_RATE_LIMITS, UM_RATE_LIMITS } from './connector/defaults.js';
import { declaredRateLimits } from './connector/declared-limits.js';
import { buildAllOrders, buildUmAllAlgoOrders, HISTORY_SPAN_MS, parseOrderListSummary } from './connector/history-requests.js';
import { BinanceConnectorOptions, type BinanceConnectorOptionsInput } from './connector/options.js';
import { AccountStreams } from './connector/account-streams.js';
import { AlreadyDoneError, ProductClient } from './connector/product-client.js';
import { forwardedStreamAlert, streamHealthAlert } from './connector/stream-alerts.js';
import { resolveStreamUrls } from './connector/stream-urls.js';
import { buildSpotAccount, buildSpotMyTrades } from './rest/account-spot.js';
import {
  buildUmBalance,
  buildUmFundingIncome,
  buildUmLeverageBracket,
  buildUmPositionRisk,
  buildUmSetLeverage,
  buildUmSetMarginType,
  buildUmSymbolConfig,
  buildUmUserTrades,
} from './rest/account-um.js';
import { parseSpotExchangeInfo, parseUmExchangeInfo, parseUmLeverageBrackets, withLeverageBrackets } from './rest/instruments.js';
import {
  parseSpotBalances,
  parseSpotTrades,
  parseUmBalances,
  parseUmFundingIncome,
  parseUmLeverageResult,
  parseUmMarginTypeResult,
  parseUmPositions,
  parseUmSymbolConfigs,
  parseUmTrades,
} from './rest/map-account.js';
import { parseBookTicker, parseDepth, parseServerTime, parseUmFundingRates, parseUmPremiumIndex } from './rest/map-market-data.js';
import { parseSpotOrder, parseSpotOrderList, parseSpotOrders } from './rest/map-orders-spot.js';
import { mergeTriggeredOrder, parseUmAlgoCancel, parseUmAlgoOrder, parseUmAlgoOrders, parseUmOrder, parseUmOrders } from './rest/map-orders-um.js';
import { parseUniversalTransferHistory, parseUniversalTransferResult } from './rest/map-transfer.js';
import {
  buildBookTicker,
  buildDepth,
  buildExchangeInfo,
  buildServerTime,
  buildUmFundingRateHistory,
  buildUmPremiumIndex,
  UM_DEPTH_LIMITS,
} from './rest/market-data.js';
import { buildSpotCancelOrder, buildSpotCancelOrderList, buildSpotOpenOrders, buildSpotPlaceOco, buildSpotPlaceOrder, buildSpotQueryOrder } from './rest/orders-spot.js';
import {
  buildUmCancelAlgoOrder,
  buildUmCancelOrder,
  buildUmOpenAlgoOrders,
  buildUmOpenOrders,
  buildUmPlaceOrder,
  buildUmQueryAlgoOrder,
  buildUmQueryOrder,
  isUmAlgoType,
} from './rest/orders-um.js';
import { VENUE_ID, type BinanceProduct, type BinanceRequest } from './rest/request.js';
import { createSigner, type BinanceSigner } from './rest/signing.js';
import { buildUniversalTransfer, buildUniversalTransferHistory } from './rest/transfer.js';
import { isZero } from './rest/wire.js';
import { BinanceMarketStreams } from './ws/market-streams.js';
import type { BinanceSpotUserStream } from './ws/spot-user-stream.js';
import type { BinanceUmUserStream } from './ws/um-user-stream.js';

/** How many client order ids the connector remembers as regular or algo (UM), oldest forgotten first. */
const KIND_MEMORY = 10_000;
/** Most history requests one call may split its window into (a guard against runaway windows). */
const MAX_HISTORY_CHUNKS = 100;
/** Orders looked up one by one when a fill's order is missing from the `allOrders` page. */
const MAX_SINGLE_LOOKUPS = 20;

type UmOrderKind = 'regular' | 'algo';

function isNotFound(err: unknown): boolean {
  return isChimeraError(err) && err.code === 'ORDER_NOT_FOUND';
}

function byCreatedAt(a: Order, b: Order): number {
  return a.createdAt - b.createdAt;
}

/**
 * Binance Spot + USDⓈ-M futures as an `ExchangeConnector`.
 *
 * - Two REST clients (Spot incl. wallet `/sapi`, and UM), each with its own `ClockSync`; signed
 *   calls carry `recvWindow`, the synced `timestamp` and the signature (HMAC-SHA256, Ed25519 or
 *   RSA), and a `-1021` is answered by one resync and one retry.
 * - Client-side limits (documented defaults, overridable) corrected by `X-MBX-USED-WEIGHT-*` and
 *   `X-MBX-ORDER-COUNT-*`; 429 pauses until `Retry-After`; 418 refuses every request locally
 *   until the ban lifts. Transport and clock alerts are re-emitted as connector `alert`s.
 * - Instruments from `exchangeInfo` (+ `leverageBracket` on UM) cached for `instrumentsTtlMs`;
 *   orders are rounded and checked against them before they leave.
 * - UM conditional orders (STOP_MARKET, TAKE_PROFIT_MARKET, STOP_LIMIT, TAKE_PROFIT_LIMIT) go
 *   through the Algo Service; queries and cancels by client id find them there (the connector
 *   remembers which ids it placed where, and otherwise tries the regular endpoint first).
 * - A placement, OCO, cancel or transfer whose outcome is unknown (timeout, dropped connection,
 *   5xx) is settled by queries (`settle` options) and never resent; a settled one raises a WARN
 *   `alert` with code `UNKNOWN_OUTCOME_SETTLED`.
 * - `subscribe()` streams `ticker` (bookTicker), `depth` (a local book synced from a REST snapshot
 *   with Binance's update-id rules, resynced after every gap and reconnect), `trades` (aggTrade)
 *   and, on FUT, `markPrice` over WebSocket ({@link BinanceConnector.marketStreams}).
 * - With a key, `connect()` starts the user streams (Spot: WebSocket API
 *   `userDataStream.subscribe.signature`; UM: listen key on `/private`, kept alive over REST) and
 *   waits until they are live; `order`, `fill` (exactly once per trade), `position`, `balance`,
 *   `userStreamConnected` and `alert` arrive on `events`. After every reconnect the streams catch
 *   up over this connector's REST reads (open orders, fills since the last one seen, single
 *   orders). A stream that fails `N_max` times in a row raises a FATAL `STREAM_DEGRADED` alert, and
 *   INFO `STREAM_RECOVERED` when it is back (`details.reason` is the same on both).
 */
export class BinanceConnector implements ExchangeConnector {
  /** Always `binance`. */
  readonly venue = VENUE_ID;
  /** What this connector does, for the configured markets. */
  readonly capabilities: VenueCapabilities;
  /** Account events from the user streams (started by `connect()` with a key) and `alert`s. */
  readonly events = new EventEmitter<ConnectorEvents>();
  /**
   * The market-data streams behind `subscribe()`: synced books ({@link BinanceMarketStreams.book}),
   * their sync state, and events for sinks (`tick`, `depth`, `synced`, `resync`, `metric` …).
   */
  readonly marketStreams: BinanceMarketStreams;

  private readonly clock: Clock;
  /** Which products' limits the host set in the options (those are never replaced). */
  private readonly pinnedLimits: { spot: boolean; um: boolean };
  private readonly log: Logger;
  private readonly markets: readonly Market[];
  private readonly spot: ProductClient | undefined;
  private readonly um: ProductClient | undefined;
  private readonly hasKey: boolean;
  private readonly settle: { attempts: number; delayMs: number };
  private readonly instrumentsTtlMs: number;
  private readonly cache = new Map<Market, { at: number; list: Instrument[]; bySymbol: Map<string, Instrument> }>();
  private readonly loading = new Map<Market, Promise<Instrument[]>>();
  private readonly umKinds = new Map<string, UmOrderKind>();
  private readonly accountStreams: AccountStreams | undefined;
  private closed = false;

  /**
   * @param options - See {@link BinanceConnectorOptions}.
   * @throws ValidationError (`VALIDATION_FAILED` or `INVALID_CREDENTIALS`, 400) on invalid options
   *   or an unreadable key; messages never contain key material.
   */
  constructor(options: BinanceConnectorOptionsInput = {}) {
    const o = parseWith(BinanceConnectorOptions, options, 'binance connector options');
    this.clock = o.clock ?? new SystemClock();
    this.pinnedLimits = { spot: o.limits.spot !== undefined, um: o.limits.um !== undefined };
    this.log = o.logger ? redactingLogger(o.logger).child({ component: 'binance-connector' }) : noopLogger;
    this.markets = [...o.markets];
    this.settle = o.settle;
    this.instrumentsTtlMs = o.instrumentsTtlMs;
    let signer: BinanceSigner | undefined;
    if (o.apiKey !== undefined) {
      signer =
        o.privateKeyPem !== undefined
          ? createSigner(o.passphrase === undefined ? { apiKey: o.apiKey, privateKeyPem: o.privateKeyPem } : { apiKey: o.apiKey, privateKeyPem: o.privateKeyPem, passphrase: o.passphrase })
          : createSigner({ apiKey: o.apiKey, secret: o.secret ?? '' });
    }
    this.hasKey = signer !== undefined;
    const common = {
      signer,
      recvWindow: o.recvWindow,
      clock: this.clock,
      logger: o.logger,
      dispatcher: o.dispatcher,
      timeoutMs: o.timeoutMs,
      retry: o.retry,
      clockSyncSamples: o.clockSyncSamples,
    };
    // Transfers live on the Spot host too; they need both markets, so a FUT-only connector has no Spot client.
    this.spot = this.markets.includes('SPOT')
      ? new ProductClient({ ...common, product: 'spot', baseUrl: o.baseUrls.spot ?? BINANCE_BASE_URLS.spot, limits: o.limits.spot ?? SPOT_RATE_LIMITS })
      : undefined;
    this.um = this.markets.includes('FUT')
      ? new ProductClient({ ...common, product: 'um', baseUrl: o.baseUrls.um ?? BINANCE_BASE_URLS.um, limits: o.limits.um ?? UM_RATE_LIMITS })
      : undefined;
    for (const client of [this.spot, this.um]) {
      if (!client) continue;
      const forward = (a: ConnectorAlert): void => {
        this.events.emit('alert', { ...a, details: { ...a.details, product: client.product } });
      };
      client.rest.events.on('alert', forward);
      client.clockSync.events.on('alert', forward);
    }
    const spot = this.markets.includes('SPOT');
    const fut = this.markets.includes('FUT');
    const venueClock = (this.spot ?? this.um)!.clockSync;
    const ms = o.marketStreams;
    const snapshotDepth = { SPOT: ms.snapshotDepth.SPOT ?? 5000, FUT: ms.snapshotDepth.FUT ?? 1000 };
    const urls = resolveStreamUrls(o.streamUrls, o.baseUrls);
    this.marketStreams = new BinanceMarketStreams({
      clock: this.clock,
      markets: this.markets,
      urls: { spotStream: urls.spotStream, umPublic: urls.umPublic, umMarket: urls.umMarket },
      // Binance recommends the deepest snapshot (Spot 5000, UM 1000) so the book covers what the diffs touch.
      fetchSnapshot: (m, s) => this.depth(m, s, snapshotDepth[m]),
      venueClockOffsetMs: () => venueClock.offsetMs,
      ...(o.logger === undefined ? {} : { logger: o.logger }),
      ...(o.random === undefined ? {} : { random: o.random }),
      ...(o.socketFactory === undefined ? {} : { socketFactory: o.socketFactory }),
      ...(ms.backoff === undefined ? {} : { backoff: ms.backoff }),
      ...(ms.maxConsecutiveFailures === undefined ? {} : { maxConsecutiveFailures: ms.maxConsecutiveFailures }),
      ...(ms.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: ms.connectTimeoutMs }),
      ...(ms.handoverTimeoutMs === undefined ? {} : { handoverTimeoutMs: ms.handoverTimeoutMs }),
      ...(ms.depthSpeed === undefined ? {} : { depthSpeed: ms.depthSpeed }),
      ...(ms.throttleMs === undefined ? {} : { throttleMs: ms.throttleMs }),
      ...(ms.tickMaxAgeMs === undefined ? {} : { tickMaxAgeMs: ms.tickMaxAgeMs }),
      ...(ms.maxSilenceMs === undefined ? {} : { maxSilenceMs: ms.maxSilenceMs }),
      ...(ms.metricsIntervalMs === undefined ? {} : { metricsIntervalMs: ms.metricsIntervalMs }),
      ...(ms.maxUrlLength === undefined ? {} : { maxUrlLength: ms.maxUrlLength }),
      ...(ms.bookSync === undefined ? {} : { bookSync: ms.bookSync }),
      ...(ms.protocol === undefined ? {} : { protocol: ms.protocol }),
    });
    const marketOrigin = { stream: 'market' as const };
    this.marketStreams.events.on('alert', (a) => {
      const forwarded = forwardedStreamAlert(a, marketOrigin);
      if (forwarded) this.events.emit('alert', forwarded);
    });
    this.marketStreams.events.on('degraded', (info) => this.events.emit('alert', streamHealthAlert('degraded', marketOrigin, info)));
    this.marketStreams.events.on('recovered', (info) => this.events.emit('alert', streamHealthAlert('recovered', marketOrigin, info)));

    const userStream = signer !== undefined && o.userStream.enabled !== false;
    if (userStream && signer !== undefined) {
      const symbols = Array.isArray(o.symbols) ? { SPOT: o.symbols, FUT: o.symbols } : { SPOT: o.symbols.SPOT ?? [], FUT: o.symbols.FUT ?? [] };
      this.accountStreams = new AccountStreams({
        markets: this.markets,
        signer,
        spot: this.spot,
        um: this.um,
        catchUp: this,
        urls: { spotWsApi: urls.spotWsApi, umPrivate: urls.umPrivate },
        symbols,
        tuning: o.userStream,
        events: this.events,
        clock: this.clock,
        ...(o.logger === undefined ? {} : { logger: o.logger }),
        ...(o.random === undefined ? {} : { random: o.random }),
        ...(o.socketFactory === undefined ? {} : { socketFactory: o.socketFactory }),
      });
    }
    const channels = fut ? (['ticker', 'depth', 'trades', 'markPrice'] as const) : (['ticker', 'depth', 'trades'] as const);
    this.capabilities = Object.freeze({
      markets: Object.freeze([...this.markets]),
      postOnly: true,
      oco: spot,
      stopOrders: Object.freeze({ ...(spot ? { SPOT: true } : {}), ...(fut ? { FUT: true } : {}) }),
      workingTypes: Object.freeze(fut ? (['MARK_PRICE', 'CONTRACT_PRICE'] as const) : ([] as const)),
      reduceOnly: fut,
      ioc: true,
      fok: true,
      leverage: fut,
      transfers: spot && fut,
      funding: fut,
      userStream,
      streams: Object.freeze([...channels]),
    }) as VenueCapabilities;
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  /**
   * Syncs each product's clock with its server time, loads the instruments of every configured
   * market (UM with leverage brackets when a key is configured) and, with a key, starts the user
   * streams and waits until they are live (at most `userStream.liveTimeoutMs`; a stream still
   * connecting then raises a WARN `USER_STREAM_NOT_LIVE` and catches up over REST once live).
   * Subscribe to `events` before calling it to miss nothing.
   * @throws whatever the first failing request throws (including the UM listen-key creation).
   */
  async connect(): Promise<void> {
    this.assertOpen();
    await Promise.all(this.products().map((p) => p.clockSync.sync()));
    await Promise.all([...this.markets.map((m) => this.instruments(m)), this.accountStreams?.start()]);
  }

  /** Closes the market streams, the user streams and both REST clients. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Streams first: a catch-up in flight must not find the REST clients gone.
    await Promise.all([this.marketStreams.close(), this.accountStreams?.close()]);
    await Promise.all([this.spot?.close(), this.um?.close()]);
  }

  /**
   * A market's user stream (for its state, a manual `catchUp()`, or the events the connector
   * does not forward: `catchUp`, `balanceDelta`, `listStatus`, `algoUpdate`, `metric`), or
   * undefined when the market is not configured or no key is.
   */
  userStream(market: 'SPOT'): BinanceSpotUserStream | undefined;
  userStream(market: 'FUT'): BinanceUmUserStream | undefined;
  userStream(market: Market): BinanceSpotUserStream | BinanceUmUserStream | undefined;
  userStream(market: Market): BinanceSpotUserStream | BinanceUmUserStream | undefined {
    return market === 'SPOT' ? this.accountStreams?.spot : this.accountStreams?.um;
  }

  /**
   * The last clock-sync report of a market's product (offset, skew, tier), or undefined before
   * the first sync. Feed it to a health check or the clock-skew risk gate.
   */
  clockSkew(market: Market): ClockSkewReport | undefined {
    return (market === 'SPOT' ? this.spot : this.um)?.clockSync.skew();
  }

  // ───────────────────────────── market data ─────────────────────────────

  /** Server time of the first configured market's product, epoch ms. */
  async serverTime(): Promise<number> {
    const client = this.client(this.markets[0]!);
    return parseServerTime((await client.send(buildServerTime(client.product))).body);
  }

  /**
   * Every instrument of a market, from a cache refreshed after `instrumentsTtlMs`.
   * @throws UnsupportedError for a market that is not configured.
   */
  async instruments(market: Market): Promise<Instrument[]> {
    this.requireMarket(market);
    const cached = this.cache.get(market);
    if (cached && this.clock.now() - cached.at < this.instrumentsTtlMs) return cached.list.slice();
    return (await this.loadInstruments(market)).slice();
  }

  /**
   * One instrument. A symbol missing from a cache older than a minute triggers one refresh.
   * @throws VenueError `UNKNOWN_SYMBOL` (404) when Binance does not list it.
   */
  async instrument(market: Market, symbol: string): Promise<Instrument> {
    await this.instruments(market);
    let entry = this.cache.get(market)!;
    let found = entry.bySymbol.get(symbol);
    if (!found && this.clock.now() - entry.at > 60_000) {
      await this.loadInstruments(market);
      entry = this.cache.get(market)!;
      found = entry.bySymbol.get(symbol);
    }
    if (!found) {
      throw new VenueError(`binance does not list ${symbol} on ${market}`, { code: 'UNKNOWN_SYMBOL', status: 404, details: { market, symbol, venueCode: -1121 } });
    }
    return found;
  }

  /**
   * A depth snapshot. UM accepts only 5, 10, 20, 50, 100, 500 and 1000 levels: the next allowed
   * size is requested and the answer trimmed to `limit`.
   */
  async depth(market: Market, symbol: string, limit = 100): Promise<BookSnapshot> {
    const client = this.client(market);
    const asked = client.product === 'um' ? (UM_DEPTH_LIMITS.find((l) => l >= limit) ?? 1000) : limit;
    const book = parseDepth(client.product, symbol, (await client.send(buildDepth(client.product, symbol, asked))).body, this.clock.now());
    if (book.bids.length > limit) book.bids = book.bids.slice(0, limit);
    if (book.asks.length > limit) book.asks = book.asks.slice(0, limit);
    return book;
  }

  /** Best bid/ask (`bookTicker`) as a normalised tick. */
  async ticker(market: Market, symbol: string): Promise<MarketTick> {
    const client = this.client(market);
    return parseBookTicker(client.product, (await client.send(buildBookTicker(client.product, symbol))).body, this.clock.now());
  }

  /** Mark price, index price and next funding (`premiumIndex`). @throws UnsupportedError without FUT. */
  async markPrice(symbol: string): Promise<MarkPriceTick> {
    const um = this.client('FUT');
    return parseUmPremiumIndex((await um.send(buildUmPremiumIndex(symbol))).body, this.clock.now());
  }

  /** Funding-rate history (`fundingRate`), oldest first. @throws UnsupportedError without FUT. */
  async fundingRates(symbol: string, window: TimeWindow & { limit?: number } = {}): Promise<FundingRate[]> {
    const um = this.client('FUT');
    return parseUmFundingRates((await um.send(buildUmFundingRateHistory(symbol, window))).body);
  }

  /** Funding payments (`income?incomeType=FUNDING_FEE`, USDT), oldest first. @throws UnsupportedError without FUT. */
  async fundingIncome(window: TimeWindow & { symbol?: string } = {}): Promise<FundingIncome[]> {
    const um = this.client('FUT');
    const rows = parseUmFundingIncome((await um.send(buildUmFundingIncome(window))).body);
    return window.symbol === undefined ? rows : rows.filter((r) => r.symbol === window.symbol);
  }

  /**
   * Streams market data over WebSocket until the handle's `unsubscribe()`: `ticker` (bookTicker),
   * `depth` (the top `levels`, default 20, of a local book after each change; nothing while it
   * syncs), `trades` (aggTrade), `markPrice` (FUT, every second). Resolves once the stream is
   * registered; the connection opens in the background and survives drops (books resync).
   * Needs no `connect()` and no key.
   * @throws UnsupportedError for a market that is not configured, `markPrice` on SPOT, or after
   *   `close()`; ValidationError (`INVALID_STREAM`) for a malformed symbol.
   */
  async subscribe(subscription: MarketSubscription, onEvent: (event: MarketEvent) => void): Promise<SubscriptionHandle> {
    this.assertOpen();
    this.requireMarket(subscription.market);
    if (!this.capabilities.streams.includes(subscription.channel)) {
      throw new UnsupportedError(`binance ${subscription.channel} streams need the FUT market`, {
        details: { venue: VENUE_ID, channel: subscription.channel, market: subscription.market },
      });
    }
    return this.marketStreams.subscribe(subscription, onEvent);
  }

  /**
   * The synced local book of a `depth` subscription (best bid/ask in O(1)), or undefined while it
   * syncs or when the symbol is not subscribed. Read it, never change it.
   */
  book(market: Market, symbol: string): OrderBook | undefined {
    return this.marketStreams.book(market, symbol);
  }

  // ───────────────────────────── orders ─────────────────────────────

  /**
   * Rounds, checks and places one order: Spot `POST /api/v3/order` (post-only as `LIMIT_MAKER`),
   * UM `POST /fapi/v1/order` (post-only as `GTX`) or, for conditional types, UM
   * `POST /fapi/v1/algoOrder`. An unknown outcome is settled by querying the client order id.
   *
   * @throws ValidationError on a malformed request; FilterError when the rounded order breaks a
   *   filter (nothing is sent); UnsupportedError (e.g. reduce-only on Spot); the venue's typed
   *   refusal (PostOnlyRejectedError, InsufficientFundsError, `DUPLICATE_ORDER`, …);
   *   UnknownOutcomeError when the settlement queries did not find the order.
   */
  async placeOrder(request: OrderRequest): Promise<Order> {
    const req = parseWith(OrderRequest, request, 'order request');
    this.requireMarket(req.market);
    const inst = await this.instrument(req.market, req.symbol);
    const ref: OrderRef = { market: req.market, symbol: req.symbol, clientOrderId: req.clientOrderId };
    if (req.market === 'SPOT') {
      const built = buildSpotPlaceOrder(req, inst);
      return this.submit(this.client('SPOT'), built, parseSpotOrder, () => this.getOrder(ref), ref);
    }
    const algo = isUmAlgoType(req.type);
    const built = buildUmPlaceOrder(req, inst);
    this.rememberKind(req.clientOrderId, algo ? 'algo' : 'regular');
    const parse = algo ? (body: unknown): Order => parseUmAlgoOrder(body).order : parseUmOrder;
    return this.submit(this.client('FUT'), built, parse, () => (algo ? this.getAlgoOrder(ref) : this.getRegularOrder(ref)), ref);
  }

  /**
   * Places a Spot OCO list (`POST /api/v3/orderList/oco`). An unknown outcome is settled by
   * querying the list by its client id.
   * @throws UnsupportedError without SPOT; as {@link placeOrder} otherwise.
   */
  async placeOco(request: OcoRequest): Promise<OcoOrder> {
    const req = parseWith(OcoRequest, request, 'OCO request');
    const spot = this.client('SPOT');
    const inst = await this.instrument('SPOT', req.symbol);
    const built = buildSpotPlaceOco(req, inst);
    return this.submit(spot, built, parseSpotOrderList, () => this.getOco(req.symbol, req.clientListId), { market: 'SPOT', symbol: req.symbol, clientListId: req.clientListId });
  }

  /**
   * Cancels one order and returns its final state (filled quantity as Binance confirms it). UM
   * conditional orders are cancelled through the Algo Service and then queried for their state.
   * An unknown outcome is settled by querying until the order is in a final state.
   * @throws OrderNotFoundError when Binance has no such open order.
   */
  async cancelOrder(ref: OrderRef): Promise<Order> {
    const client = this.client(ref.market);
    const settleQuery = async (): Promise<Order | undefined> => {
      const o = await this.getOrder(ref);
      return isTerminalStatus(o.status) ? o : undefined;
    };
    if (ref.market === 'SPOT') return this.submit(client, buildSpotCancelOrder(ref), parseSpotOrder, settleQuery, ref);
    const regular = (): Promise<Order> => this.submit(client, buildUmCancelOrder(ref), parseUmOrder, settleQuery, ref);
    const algo = async (): Promise<Order> => {
      const built = buildUmCancelAlgoOrder(ref);
      // The algo cancel answer carries only the ids: the final state comes from a query.
      await this.submitWith(
        async () => parseUmAlgoCancel((await client.send(built)).body),
        async () => ((await settleQuery()) ? { algoId: '', clientAlgoId: ref.clientOrderId ?? '' } : undefined),
        { ...ref, path: built.path },
      );
      return this.getAlgoOrder(ref);
    };
    return this.byKind(ref, regular, algo);
  }

  /**
   * Cancels a Spot OCO list by its client list id (`DELETE /api/v3/orderList`).
   * @throws OrderNotFoundError when no such list is executing.
   */
  async cancelOco(symbol: string, clientListId: string): Promise<OcoOrder> {
    const spot = this.client('SPOT');
    const settleQuery = async (): Promise<OcoOrder | undefined> => {
      const list = await this.getOco(symbol, clientListId);
      return list.status === 'EXECUTING' ? undefined : list;
    };
    return this.submit(spot, buildSpotCancelOrderList(symbol, clientListId), parseSpotOrderList, settleQuery, { market: 'SPOT', symbol, clientListId });
  }

  /**
   * One order by client order id (or venue id). On UM a conditional order that has triggered is
   * merged with the order its trigger created, for the real fills and average price.
   * @throws OrderNotFoundError when Binance does not know it.
   */
  async getOrder(ref: OrderRef): Promise<Order> {
    if (ref.market === 'SPOT') {
      const spot = this.client('SPOT');
      return parseSpotOrder((await spot.send(buildSpotQueryOrder(ref))).body);
    }
    this.client('FUT');
    return this.byKind(
      ref,
      () => this.getRegularOrder(ref),
      () => this.getAlgoOrder(ref),
    );
  }

  /** Open orders of a market; FUT merges regular and conditional (algo) orders, oldest first. */
  async openOrders(market: Market, symbol?: string): Promise<Order[]> {
    const client = this.client(market);
    if (market === 'SPOT') return parseSpotOrders((await client.send(buildSpotOpenOrders(symbol))).body).sort(byCreatedAt);
    const [regular, algo] = await Promise.all([client.send(buildUmOpenOrders(symbol)), client.send(buildUmOpenAlgoOrders(symbol))]);
    return [...parseUmOrders(regular.body), ...parseUmAlgoOrders(algo.body).map((v) => v.order)].sort(byCreatedAt);
  }

  /**
   * Orders of a symbol created inside the window, oldest first (Spot `allOrders`; UM `allOrders`
   * and `allAlgoOrders`). A window longer than Binance allows per request (Spot 24 h, UM 7 days)
   * is split; each request returns at most 1000 orders.
   * @throws ValidationError (`INVALID_WINDOW`) for a window that needs more than 100 requests.
   */
  async orderHistory(market: Market, symbol: string, window: TimeWindow = {}): Promise<Order[]> {
    const client = this.client(market);
    const chunks = this.chunks(client.product, window);
    const out: Order[] = [];
    for (const chunk of chunks) {
      if (client.product === 'spot') {
        out.push(...parseSpotOrders((await client.send(buildAllOrders('spot', symbol, chunk))).body));
      } else {
        const [regular, algo] = await Promise.all([client.send(buildAllOrders('um', symbol, chunk)), client.send(buildUmAllAlgoOrders(symbol, chunk))]);
        out.push(...parseUmOrders(regular.body), ...parseUmAlgoOrders(algo.body).map((v) => v.order));
      }
    }
    const seen = new Set<string>();
    return out
      .filter((o) => (window.startTime === undefined || o.createdAt >= window.startTime) && (window.endTime === undefined || o.createdAt <= window.endTime))
      .filter((o) => {
        const key = `${o.type}|${o.venueOrderId}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort(byCreatedAt);
  }

  /**
   * The account's fills of a symbol, oldest first (Spot `myTrades`, UM `userTrades`). Binance's
   * trade lists carry no client order id: it is looked up from `allOrders` (from the oldest
   * order id on), and order by order for the few that page misses.
   */
  async fills(market: Market, symbol: string, window: TimeWindow = {}): Promise<Fill[]> {
    const client = this.client(market);
    const bodies: unknown[] = [];
    for (const chunk of this.chunks(client.product, window)) {
      const req = client.product === 'spot' ? buildSpotMyTrades(symbol, chunk) : buildUmUserTrades(symbol, chunk);
      bodies.push((await client.send(req)).body);
    }
    const parse = client.product === 'spot' ? parseSpotTrades : parseUmTrades;
    const raw = bodies.flatMap((b) => parse(b));
    if (raw.length === 0) return [];
    const ids = [...new Set(raw.map((f) => f.venueOrderId))];
    const lookup = await this.clientIdsOf(client, market, symbol, ids);
    const seen = new Set<string>();
    return bodies
      .flatMap((b) => parse(b, lookup))
      .filter((f) => (seen.has(f.tradeId) ? false : (seen.add(f.tradeId), true)))
      .sort((a, b) => a.ts - b.ts);
  }

  // ───────────────────────────── account ─────────────────────────────

  /**
   * Open UM positions (non-zero), or the one of `symbol`, flat if need be: `positionRisk` v3
   * lists only symbols with a position or open orders and carries no leverage or margin type,
   * so those come from `symbolConfig`.
   * @throws UnsupportedError without FUT; VenueError `UNKNOWN_SYMBOL` for an unlisted symbol.
   */
  async positions(symbol?: string): Promise<Position[]> {
    const um = this.client('FUT');
    const [rows, config] = await Promise.all([um.send(buildUmPositionRisk(symbol)), um.send(buildUmSymbolConfig(symbol))]);
    const settings = parseUmSymbolConfigs(config.body);
    const positions = parseUmPositions(rows.body, settings);
    if (symbol === undefined) return positions.filter((p) => !isZero(p.qty));
    const own = positions.filter((p) => p.symbol === symbol);
    if (own.length > 0) return own;
    const s = settings.get(symbol);
    if (!s) {
      await this.instrument('FUT', symbol);
      throw new VenueError(`binance reports no settings for ${symbol}`, { code: 'UNEXPECTED_RESPONSE', status: 502, details: { symbol } });
    }
    return [{ venue: VENUE_ID, market: 'FUT', symbol, qty: '0', entryPrice: '0', unrealizedPnl: '0', leverage: s.leverage, marginType: s.marginType, updatedAt: um.clockSync.now() }];
  }

  /** Balances of one wallet (Spot `account`, UM `balance` v3), assets with a non-zero total. */
  async balances(market: Market): Promise<Balance[]> {
    const client = this.client(market);
    if (market === 'SPOT') return parseSpotBalances((await client.send(buildSpotAccount())).body);
    return parseUmBalances((await client.send(buildUmBalance())).body);
  }

  /** Sets a UM symbol's initial leverage (1–125). Idempotent. @throws UnsupportedError without FUT. */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const um = this.client('FUT');
    parseUmLeverageResult((await um.send(buildUmSetLeverage(symbol, leverage))).body);
  }

  /** Sets a UM symbol's margin type; "no need to change" (`-4046`) is success. @throws UnsupportedError without FUT. */
  async setMarginType(symbol: string, marginType: 'ISOLATED' | 'CROSSED'): Promise<void> {
    const um = this.client('FUT');
    try {
      parseUmMarginTypeResult((await um.send(buildUmSetMarginType(symbol, marginType))).body);
    } catch (err) {
      if (err instanceof AlreadyDoneError) return;
      throw err;
    }
  }

  /**
   * Moves an asset between the Spot and UM wallets (`POST /sapi/v1/asset/transfer`, type
   * `MAIN_UMFUTURE` / `UMFUTURE_MAIN`), then reads its status from the history (PENDING when the
   * history does not show it yet). Binance has no client id for transfers: an unknown outcome is
   * settled from the history when exactly one transfer of that asset and amount appears there.
   * @throws UnsupportedError unless both markets are configured; UnknownOutcomeError when the
   *   settlement was ambiguous or found nothing.
   */
  async transfer(request: VenueTransferRequest): Promise<VenueTransfer> {
    if (!this.capabilities.transfers) throw new UnsupportedError('SPOT↔FUT transfers need both markets configured', { details: { venue: VENUE_ID } });
    const spot = this.client('SPOT');
    const built = buildUniversalTransfer({ asset: request.asset, amount: request.amount, from: request.from, to: request.to });
    const amount = toDecimalString(request.amount);
    const sentAt = spot.clockSync.now();
    const since = { startTime: Math.max(0, sentAt - 5_000) };
    const settled = await this.submitWith(
      async () => {
        const { tranId } = parseUniversalTransferResult((await spot.send(built)).body);
        try {
          const row = (await this.transferHistory(request.from, request.to, since)).find((t) => t.tranId === tranId);
          if (row) return row;
        } catch (err) {
          this.log.warn({ tranId, code: isChimeraError(err) ? err.code : 'UNCLASSIFIED' }, 'transfer accepted; its status could not be read');
        }
        const pending: VenueTransfer = { tranId, from: request.from, to: request.to, asset: request.asset, amount, status: 'PENDING', ts: sentAt };
        return pending;
      },
      async () => {
        const rows = (await this.transferHistory(request.from, request.to, since)).filter((t) => t.asset === request.asset && toDecimalString(t.amount) === amount);
        return rows.length === 1 ? rows[0] : undefined;
      },
      { asset: request.asset, amount, from: request.from, to: request.to, clientTransferId: request.clientTransferId },
    );
    return { ...settled, clientTransferId: request.clientTransferId };
  }

  /** Recent transfers in one direction (first page of 100), oldest first. @throws UnsupportedError unless both markets are configured. */
  async transferHistory(from: Market, to: Market, window: TimeWindow = {}): Promise<VenueTransfer[]> {
    if (!this.capabilities.transfers) throw new UnsupportedError('SPOT↔FUT transfers need both markets configured', { details: { venue: VENUE_ID } });
    const spot = this.client('SPOT');
    return parseUniversalTransferHistory((await spot.send(buildUniversalTransferHistory(from, to, window))).body);
  }

  // ───────────────────────────── internals ─────────────────────────────

  private products(): ProductClient[] {
    return [this.spot, this.um].filter((p): p is ProductClient => p !== undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw new UnsupportedError('the binance connector is closed', { details: { venue: VENUE_ID } });
  }

  private requireMarket(market: Market): void {
    if (!this.markets.includes(market)) {
      throw new UnsupportedError(`market ${market} is not configured on this binance connector`, { details: { venue: VENUE_ID, market } });
    }
  }

  /**
   * The client-side rate limits in force for a market's product: the documented defaults until
   * `exchangeInfo` was read, then the limits the venue declares there (unless pinned in the
   * options).
   * @throws UnsupportedError for a market that is not configured.
   */
  rateLimits(market: Market): RateLimitRule[] {
    return this.client(market).rest.limiter.rules();
  }

  /** The product client of a market. @throws UnsupportedError for a market that is not configured. */
  private client(market: Market): ProductClient {
    this.requireMarket(market);
    const client = market === 'SPOT' ? this.spot : this.um;
    return client!;
  }

  private loadInstruments(market: Market): Promise<Instrument[]> {
    let p = this.loading.get(market);
    if (!p) {
      p = this.fetchInstruments(market).finally(() => this.loading.delete(market));
      this.loading.set(market, p);
    }
    return p;
  }

  private async fetchInstruments(market: Market): Promise<Instrument[]> {
    const client = this.client(market);
    let list: Instrument[];
    let declared: unknown;
    if (market === 'SPOT') {
      declared = (await client.send(buildExchangeInfo('spot'))).body;
      list = parseSpotExchangeInfo(declared);
    } else {
      const [info, brackets] = await Promise.all([
        client.send(buildExchangeInfo('um')),
        // leverageBracket is USER_DATA: without a key the instruments carry no brackets.
        this.hasKey ? client.send(buildUmLeverageBracket()) : Promise.resolve(undefined),
      ]);
      declared = info.body;
      list = parseUmExchangeInfo(info.body);
      if (brackets) list = withLeverageBrackets(list, parseUmLeverageBrackets(brackets.body));
    }
    // The venue's declared limits replace the documented defaults, unless the host pinned its own.
    const pinned = market === 'SPOT' ? this.pinnedLimits.spot : this.pinnedLimits.um;
    const rules = declaredRateLimits(declared);
    if (!pinned && rules.length > 0) client.rest.limiter.setRules(rules);
    this.cache.set(market, { at: this.clock.now(), list, bySymbol: new Map(list.map((i) => [i.symbol, i])) });
    return list;
  }

  private rememberKind(clientOrderId: string, kind: UmOrderKind): void {
    this.umKinds.delete(clientOrderId);
    this.umKinds.set(clientOrderId, kind);
    if (this.umKinds.size > KIND_MEMORY) this.umKinds.delete(this.umKinds.keys().next().value!);
  }

  /** Runs the regular or algo variant of a UM call: the remembered one, else regular then algo. */
  private async byKind<T>(ref: OrderRef, regular: () => Promise<T>, algo: () => Promise<T>): Promise<T> {
    const kind = ref.clientOrderId === undefined ? undefined : this.umKinds.get(ref.clientOrderId);
    if (kind === 'algo') return algo();
    if (kind === 'regular') return regular();
    try {
      return await regular();
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return algo();
    }
  }

  private async getRegularOrder(ref: OrderRef): Promise<Order> {
    return parseUmOrder((await this.client('FUT').send(buildUmQueryOrder(ref))).body);
  }

  private async getAlgoOrder(ref: OrderRef): Promise<Order> {
    const um = this.client('FUT');
    const view = parseUmAlgoOrder((await um.send(buildUmQueryAlgoOrder(ref))).body);
    if (view.actualOrderId === undefined) return view.order;
    try {
      const triggered = parseUmOrder((await um.send(buildUmQueryOrder({ symbol: ref.symbol, venueOrderId: view.actualOrderId }))).body);
      return mergeTriggeredOrder(view, triggered);
    } catch (err) {
      if (isNotFound(err)) return view.order;
      throw err;
    }
  }

  /** A Spot OCO list by client list id: the list's leg ids, then each leg's state. */
  private async getOco(symbol: string, clientListId: string): Promise<OcoOrder> {
    const spot = this.client('SPOT');
    const summary = parseOrderListSummary((await spot.send({ method: 'GET', path: '/api/v3/orderList', params: { origClientOrderId: clientListId }, weight: 4, signed: true, kind: 'read', product: 'spot' })).body);
    const legs = await Promise.all(summary.orders.map((o) => this.getOrder({ market: 'SPOT', symbol, venueOrderId: o.orderId })));
    const isStop = (o: Order): boolean => o.type === 'STOP_MARKET' || o.type === 'STOP_LIMIT';
    const sl = legs.find(isStop);
    const tp = legs.find((o) => !isStop(o));
    const status = summary.listOrderStatus === 'EXECUTING' ? 'EXECUTING' : summary.listOrderStatus === 'REJECT' ? 'REJECT' : 'ALL_DONE';
    return parseWith(OcoOrder, { listId: String(summary.orderListId), clientListId: summary.listClientOrderId, symbol: summary.symbol, status, tp, sl }, 'binance OCO list');
  }

  /** Client order ids of the given venue order ids: one `allOrders` page, then single queries for the rest. */
  private async clientIdsOf(client: ProductClient, market: Market, symbol: string, ids: readonly string[]): Promise<Map<string, string>> {
    const lookup = new Map<string, string>();
    const numeric = ids.filter((id) => /^\d+$/.test(id)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
    if (numeric.length === 0) return lookup;
    const orders = client.product === 'spot' ? parseSpotOrders : parseUmOrders;
    for (const o of orders((await client.send(buildAllOrders(client.product, symbol, { orderId: numeric[0]! }))).body)) {
      lookup.set(o.venueOrderId, o.clientOrderId);
    }
    const missing = numeric.filter((id) => !lookup.has(id)).slice(0, MAX_SINGLE_LOOKUPS);
    for (const id of missing) {
      try {
        const o = await this.getOrder({ market, symbol, venueOrderId: id });
        lookup.set(id, o.clientOrderId);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return lookup;
  }

  /** Splits a window into the spans one history request may cover. */
  private chunks(product: BinanceProduct, window: TimeWindow): TimeWindow[] {
    const { startTime, endTime } = window;
    if (startTime === undefined || endTime === undefined) return [{ ...window }];
    if (startTime > endTime) throw new ValidationError('startTime must not be after endTime', [{ path: 'startTime', message: 'must not be after endTime' }], { code: 'INVALID_WINDOW' });
    const span = HISTORY_SPAN_MS[product];
    const count = Math.ceil((endTime - startTime + 1) / span);
    if (count > MAX_HISTORY_CHUNKS) {
      throw new ValidationError(`window needs ${count} requests (at most ${MAX_HISTORY_CHUNKS})`, [{ path: 'startTime', message: 'window too long' }], { code: 'INVALID_WINDOW' });
    }
    const out: TimeWindow[] = [];
    for (let s = startTime; s <= endTime; s += span) out.push({ startTime: s, endTime: Math.min(endTime, s + span - 1) });
    return out;
  }

  /** Sends one write and settles an unknown outcome by `query`, never by resending. */
  private submit<T>(client: ProductClient, built: BinanceRequest, parse: (body: unknown) => T, query: () => Promise<T | undefined>, ref: object): Promise<T> {
    return this.submitWith(async () => parse((await client.send(built)).body), query, { ...ref, path: built.path });
  }

  private async submitWith<T>(submit: () => Promise<T>, query: () => Promise<T | undefined>, ref: Record<string, unknown>): Promise<T> {
    this.assertOpen();
    const outcome = await settleUnknown<T>({
      submit,
      query,
      isNotFound,
      clock: this.clock,
      attempts: this.settle.attempts,
      delayMs: this.settle.delayMs,
      ref,
      classify: classifyOutcome,
      logger: this.log,
    });
    if (outcome.via === 'query') {
      this.events.emit('alert', {
        level: 'WARN',
        code: 'UNKNOWN_OUTCOME_SETTLED',
        message: `an unknown outcome was settled by ${outcome.queryAttempts} quer${outcome.queryAttempts === 1 ? 'y' : 'ies'}; nothing was resent`,
        details: { ...ref, queryAttempts: outcome.queryAttempts },
        ts: this.clock.now(),
      });
    }
    return outcome.value;
  }
}

export { BinanceConnectorOptions, type BinanceConnectorOptionsInput } from './connector/options.js';
