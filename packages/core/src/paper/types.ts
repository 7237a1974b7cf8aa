/**
 * Shared types of the paper venue: engine options, inputs and the typed event map.
 *
 * @packageDocumentation
 */
import type { Clock } from '../clock/clock.js';
import type { MarketChannel, MarketEvent, MarketSubscription, SubscriptionHandle, VenueCapabilities } from '../connector.js';
import type { Balance, Fill, FundingIncome, Position, VenueTransfer } from '../domain/account.js';
import type { Market, Side } from '../domain/enums.js';
import type { Instrument } from '../domain/instrument.js';
import type { BookSnapshot, MarkPriceTick, TradeTick } from '../domain/market-data.js';
import type { OcoOrder, OcoRequest, Order, OrderRequest } from '../domain/order.js';
import type { Logger } from '../logging/logger.js';
import type { FeeSchedule, PaperBalances } from './accounts.js';

/**
 * Everything the paper venue can do. A connector built on an engine with fewer capabilities
 * refuses the rest with `UnsupportedError`, which is how policies' fallback paths get exercised.
 */
export const FULL_PAPER_CAPABILITIES: VenueCapabilities = Object.freeze({
  markets: ['SPOT', 'FUT'],
  postOnly: true,
  oco: true,
  stopOrders: { SPOT: true, FUT: true },
  workingTypes: ['MARK_PRICE', 'CONTRACT_PRICE'],
  reduceOnly: true,
  ioc: true,
  fok: true,
  leverage: true,
  transfers: true,
  funding: true,
  userStream: true,
  streams: ['ticker', 'depth', 'trades', 'markPrice'],
}) as VenueCapabilities;

/** Options of {@link PaperEngine}. */
export interface PaperEngineOptions {
  /** Time source for every timestamp and the funding timers. */
  clock: Clock;
  /** Seed of the id generator (default 1): the same seed and inputs give the same ids and fills. */
  seed?: number;
  /** Venue id written into every record (default `paper`). */
  venue?: string;
  /** What the venue supports; missing fields default to {@link FULL_PAPER_CAPABILITIES}. */
  capabilities?: Partial<VenueCapabilities>;
  /** Fee rates per market; missing markets default to {@link DEFAULT_FEES}. */
  fees?: Partial<FeeSchedule>;
  /** Tradable instruments (default {@link paperInstruments}); their `venue` is rewritten. */
  instruments?: readonly Instrument[];
  /** Starting balances (default: 10 000 USDT in each market's wallet). */
  balances?: PaperBalances;
  /** Leverage of a futures symbol until `setLeverage` (default 20, Binance's default). */
  defaultLeverage?: number;
  /** Margin type of a futures symbol until `setMarginType` (default `CROSSED`, Binance's default). */
  defaultMarginType?: 'ISOLATED' | 'CROSSED';
  /** Terminal orders and fills kept per engine for queries (default 100 000 each); oldest dropped first. */
  maxHistory?: number;
  /** Where listener failures are reported (default: dropped). */
  logger?: Logger;
}

/** An order request as the engine takes it: {@link OrderRequest} with the boolean flags optional. */
export type PaperOrderRequest = Omit<OrderRequest, 'postOnly' | 'reduceOnly'> & { postOnly?: boolean; reduceOnly?: boolean };

/** An OCO request as the engine takes it: {@link OcoRequest} with `market` and `legTimeInForce` optional. */
export type PaperOcoRequest = Omit<OcoRequest, 'market' | 'legTimeInForce'> & {
  market?: 'SPOT';
  legTimeInForce?: OcoRequest['legTimeInForce'];
};

/** A public trade for {@link PaperEngine.applyTrade}. */
export interface PaperTradeInput {
  price: string;
  qty: string;
  /** Side of the aggressor (Binance `m: true` means the buyer was the maker, so the taker SOLD). */
  takerSide: Side;
  tradeId?: string;
  eventTime?: number;
}

/** A mark price update for {@link PaperEngine.applyMarkPrice}. */
export interface PaperMarkInput {
  markPrice: string;
  indexPrice?: string;
  /** Funding rate that applies at `nextFundingTime`, as a decimal. */
  fundingRate: string;
  /** Next funding time (epoch ms). */
  nextFundingTime: number;
  eventTime?: number;
}

/**
 * Events of the engine, emitted after each operation completes (never in the middle of one), in
 * the order things happened. An order's first event is its `NEW` update; each fill is followed by
 * the order's updated state; fills of an order sum to its `filledQty`.
 */
export interface PaperEngineEvents {
  /** An order was placed or changed (its state after the change). */
  order: (order: Order) => void;
  /** An execution of one of the account's orders. */
  fill: (fill: Fill) => void;
  /** A futures position changed (fill, leverage change). */
  position: (position: Position) => void;
  /** A wallet balance changed (fill, lock, funding, transfer). */
  balance: (balance: Balance) => void;
  /** A funding payment was settled on a position. */
  funding: (income: FundingIncome) => void;
  /** A SPOT↔FUT transfer was made. */
  transfer: (transfer: VenueTransfer) => void;
  /** An OCO list changed (placed, a leg filled or was cancelled). */
  oco: (list: OcoOrder) => void;
  /** The visible book of a symbol changed (feed update or own execution). */
  book: (market: Market, symbol: string) => void;
  /** A public trade was applied. */
  trade: (trade: TradeTick) => void;
  /** A mark price was applied. */
  mark: (mark: MarkPriceTick) => void;
}

/**
 * Where the paper venue's market data comes from: any `ExchangeConnector` fits (live data),
 * and so does a `ReplaySource` (a recorded JSONL file played on the clock).
 */
export interface PaperMarketData {
  /** Channels the source offers; all four are assumed when absent. */
  readonly capabilities?: { readonly streams: readonly MarketChannel[] };
  /** Starts a market-data subscription. */
  subscribe(subscription: MarketSubscription, onEvent: (event: MarketEvent) => void): Promise<SubscriptionHandle>;
  /** An initial depth snapshot, when the source can give one. */
  depth?(market: Market, symbol: string, limit?: number): Promise<BookSnapshot>;
  /** The source's instruments, used when the paper venue is given none. */
  instruments?(market: Market): Promise<Instrument[]>;
}
