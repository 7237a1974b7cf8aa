import type { EventEmitter } from 'eventemitter3';
import type { Balance, Fill, FundingIncome, FundingRate, Position, VenueTransfer } from './domain/account.js';
import type { Market, WorkingType } from './domain/enums.js';
import type { Instrument } from './domain/instrument.js';
import type { BookSnapshot, MarkPriceTick, MarketTick, TradeTick } from './domain/market-data.js';
import type { OcoOrder, OcoRequest, Order, OrderRequest } from './domain/order.js';

/**
 * What a venue can do, declared up front so policies choose fallbacks by asking, never by
 * `instanceof` (SPEC §1.1). A connector must not declare a capability it cannot honour: the
 * conformance suite exercises every declared one.
 */
export interface VenueCapabilities {
  /** Markets the venue offers through this connector. */
  markets: readonly Market[];
  /** Post-only limit orders (rejected when they would take). */
  postOnly: boolean;
  /** Spot OCO lists (`placeOco`). */
  oco: boolean;
  /** Conditional orders (STOP_MARKET / TAKE_PROFIT_MARKET, or spot stop-limit), per market. */
  stopOrders: Readonly<Partial<Record<Market, boolean>>>;
  /** Trigger sources accepted for futures conditional orders. */
  workingTypes: readonly WorkingType[];
  /** Reduce-only futures orders. */
  reduceOnly: boolean;
  /** IOC and FOK limit orders. */
  ioc: boolean;
  fok: boolean;
  /** `setLeverage` / `setMarginType` for futures. */
  leverage: boolean;
  /** SPOT↔FUT transfers (`transfer`, `transferHistory`). */
  transfers: boolean;
  /** Funding-rate history and funding income. */
  funding: boolean;
  /** A push stream of the account's order, fill, position and balance updates. */
  userStream: boolean;
  /** Market-data subscriptions offered. */
  streams: readonly MarketChannel[];
}

/** Market-data channels a connector may offer. */
export type MarketChannel = 'ticker' | 'depth' | 'trades' | 'markPrice';

/** A market-data subscription. */
export interface MarketSubscription {
  channel: MarketChannel;
  market: Market;
  symbol: string;
  /** For `depth`: how many levels each side to deliver (default 20). */
  levels?: number;
}

/** What a market-data handler receives; `type` names the channel's payload. */
export type MarketEvent =
  | { type: 'ticker'; tick: MarketTick }
  | { type: 'depth'; book: BookSnapshot }
  | { type: 'trades'; trade: TradeTick }
  | { type: 'markPrice'; mark: MarkPriceTick };

/** A live subscription; `unsubscribe` stops delivery (idempotent). */
export interface SubscriptionHandle {
  readonly subscription: MarketSubscription;
  unsubscribe(): Promise<void>;
}

/** Identifies one order: by client order id (preferred) or by the venue's id. */
export interface OrderRef {
  market: Market;
  symbol: string;
  clientOrderId?: string;
  venueOrderId?: string;
}

/** A time window (epoch ms, both ends inclusive). */
export interface TimeWindow {
  startTime?: number;
  endTime?: number;
}

/** A SPOT↔FUT transfer request as a connector executes it. */
export interface VenueTransferRequest {
  asset: string;
  /** Decimal string amount of `asset`. */
  amount: string;
  from: Market;
  to: Market;
  /** The caller's idempotency id; connectors pass it to the venue where it has a field for it. */
  clientTransferId: string;
}

/** An alert raised by a connector (stream lost, listen key expired, degraded mode …). */
export interface ConnectorAlert {
  level: 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  code: string;
  message: string;
  details?: Record<string, unknown>;
  ts: number;
}

/**
 * Events a connector emits. Ordering rules (checked by the conformance suite): an order's `NEW`
 * update precedes its fills; the fills of an order sum to its reported `filledQty`; a cancelled
 * order's final update carries its final `filledQty`. No event is named `error` (DESIGN.md).
 */
export interface ConnectorEvents {
  /** An order changed (placed, partly filled, filled, cancelled, expired, rejected). */
  order: (order: Order) => void;
  /** An execution happened. */
  fill: (fill: Fill) => void;
  /** A futures position changed. */
  position: (position: Position) => void;
  /** A balance changed. */
  balance: (balance: Balance) => void;
  /** The user stream (re)connected; hosts run a catch-up and a reconciliation after it. */
  userStreamConnected: (info: { reconnect: boolean; ts: number }) => void;
  /** Something a human or the risk layer should know. */
  alert: (alert: ConnectorAlert) => void;
}

/**
 * The one contract every venue implements (SPEC §1.1), for SPOT and perpetual FUT markets.
 *
 * Conventions for every member:
 * - symbols are venue-neutral uppercase (`BTCUSDT`); prices and quantities are decimal strings;
 *   times are epoch ms;
 * - orders are rounded to the instrument's filters and checked before they leave; a filter failure
 *   throws `FilterError` (422, never retried);
 * - venue refusals throw `VenueError` subclasses (`PostOnlyRejectedError`, `OrderNotFoundError`,
 *   `InsufficientFundsError`, `RateLimitError`, `ClockSkewError`, `AuthError`);
 * - a submit whose outcome is unknown throws `UnknownOutcomeError` only after the connector failed
 *   to settle it by a query by client order id; it never resends on its own;
 * - calling an operation the capabilities deny throws `UnsupportedError` (422).
 */
export interface ExchangeConnector {
  /** Venue id, e.g. `binance`, `max`, `paper`. */
  readonly venue: string;
  /** What this venue supports. */
  readonly capabilities: VenueCapabilities;
  /** Account events (the user stream). Subscribe before `connect()` to miss nothing. */
  readonly events: EventEmitter<ConnectorEvents>;

  /** Opens connections, syncs the clock, loads instruments and starts the user stream if any. */
  connect(): Promise<void>;
  /** Closes every connection and timer. Idempotent. */
  close(): Promise<void>;

  /** The venue's current time (epoch ms). */
  serverTime(): Promise<number>;
  /** Every instrument of a market, with its filters. */
  instruments(market: Market): Promise<Instrument[]>;
  /**
   * One instrument (from the connector's cache, loaded on demand).
   * @throws VenueError code `UNKNOWN_SYMBOL` when the venue does not list it.
   */
  instrument(market: Market, symbol: string): Promise<Instrument>;

  /** A depth snapshot, best levels first. @param limit - levels per side (default 100). */
  depth(market: Market, symbol: string, limit?: number): Promise<BookSnapshot>;
  /** The current best bid/ask as a normalised tick. */
  ticker(market: Market, symbol: string): Promise<MarketTick>;
  /** Mark price and next funding of a perpetual. @throws UnsupportedError without FUT. */
  markPrice(symbol: string): Promise<MarkPriceTick>;
  /** Funding-rate history of a perpetual, oldest first. */
  fundingRates(symbol: string, window?: TimeWindow & { limit?: number }): Promise<FundingRate[]>;
  /** Funding payments of the account, oldest first. */
  fundingIncome(window?: TimeWindow & { symbol?: string }): Promise<FundingIncome[]>;
  /** Starts a market-data subscription; `onEvent` receives every update until unsubscribed. */
  subscribe(subscription: MarketSubscription, onEvent: (event: MarketEvent) => void): Promise<SubscriptionHandle>;

  /**
   * Places one order. Resolves with the venue's acknowledgement (status NEW, or already
   * FILLED/PARTIALLY_FILLED for takers; EXPIRED for an IOC that found nothing).
   * @throws FilterError, PostOnlyRejectedError, InsufficientFundsError, UnsupportedError,
   *   UnknownOutcomeError (after settlement by query failed).
   */
  placeOrder(request: OrderRequest): Promise<Order>;
  /** Places a spot OCO list. @throws UnsupportedError when `capabilities.oco` is false. */
  placeOco(request: OcoRequest): Promise<OcoOrder>;
  /**
   * Cancels one order and resolves with its final state, including the filled quantity confirmed
   * by the venue (a fill racing the cancel shows up here).
   * @throws OrderNotFoundError when the venue has no such open order.
   */
  cancelOrder(ref: OrderRef): Promise<Order>;
  /** Cancels an OCO list by its client list id; resolves with the final legs. */
  cancelOco(symbol: string, clientListId: string): Promise<OcoOrder>;
  /** One order by reference (open or recent). @throws OrderNotFoundError. */
  getOrder(ref: OrderRef): Promise<Order>;
  /** Open orders of a market (FUT: regular and conditional/algo orders merged). */
  openOrders(market: Market, symbol?: string): Promise<Order[]>;
  /** Orders of a symbol inside a time window, newest last. */
  orderHistory(market: Market, symbol: string, window?: TimeWindow): Promise<Order[]>;
  /** The account's fills of a symbol inside a time window, oldest first. */
  fills(market: Market, symbol: string, window?: TimeWindow): Promise<Fill[]>;

  /** Open futures positions (non-zero), or the one for `symbol` (which may be flat). */
  positions(symbol?: string): Promise<Position[]>;
  /** Balances of one market's wallet (assets with a non-zero total). */
  balances(market: Market): Promise<Balance[]>;
  /** Sets futures leverage. Idempotent. */
  setLeverage(symbol: string, leverage: number): Promise<void>;
  /** Sets futures margin type. Idempotent (already set is success). */
  setMarginType(symbol: string, marginType: 'ISOLATED' | 'CROSSED'): Promise<void>;

  /** Moves an asset between the SPOT and FUT wallets. @throws UnsupportedError without transfers. */
  transfer(request: VenueTransferRequest): Promise<VenueTransfer>;
  /** Recent transfers in one direction, to settle a transfer whose outcome is unknown. */
  transferHistory(from: Market, to: Market, window?: TimeWindow): Promise<VenueTransfer[]>;
}
