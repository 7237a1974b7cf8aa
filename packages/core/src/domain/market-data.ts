import { z } from 'zod';
import { DecimalString, EpochMs } from './decimal.js';
import { Market, Side, Symbol } from './enums.js';

/** One price level of a book: price and total quantity resting there. */
export const BookLevel = z.object({ price: DecimalString, qty: DecimalString });
/** One price level of a book. */
export type BookLevel = z.infer<typeof BookLevel>;

/** A full or partial book: bids best (highest) first, asks best (lowest) first. */
export const BookSnapshot = z.object({
  venue: z.string().min(1),
  market: Market,
  symbol: Symbol,
  /** The venue's sequence number of this snapshot (Binance `lastUpdateId`, MAX `li`). */
  sequence: z.number().int().nonnegative(),
  bids: z.array(BookLevel),
  asks: z.array(BookLevel),
  eventTime: EpochMs.optional(),
  receiveTime: EpochMs,
});
/** A full or partial book. */
export type BookSnapshot = z.infer<typeof BookSnapshot>;

/**
 * A normalised top-of-book tick (SPEC §2): `mid = (bid + ask) / 2`,
 * `spread_bps = (ask − bid) / mid · 1e4`, `depth_top1_usdt = min(bidQty, askQty) · mid`.
 * Prices are exact strings; the derived figures are floats (analytics only).
 */
export const MarketTick = z.object({
  venue: z.string().min(1),
  market: Market,
  symbol: Symbol,
  bid: DecimalString,
  bidQty: DecimalString,
  ask: DecimalString,
  askQty: DecimalString,
  mid: z.number(),
  spread_bps: z.number(),
  depth_top1_usdt: z.number(),
  /** Exchange event time (epoch ms, venue clock). */
  eventTime: EpochMs,
  /** Local receive time (epoch ms, injected clock). */
  receiveTime: EpochMs,
});
/** A normalised top-of-book tick. */
export type MarketTick = z.infer<typeof MarketTick>;

/**
 * Computes the SPEC §2 figures from a top of book.
 * @returns `{ mid, spread_bps, depth_top1_usdt }` as floats; NaN-free only for a two-sided book.
 */
export function tickFigures(bid: string, bidQty: string, ask: string, askQty: string): {
  mid: number;
  spread_bps: number;
  depth_top1_usdt: number;
} {
  const b = Number(bid);
  const a = Number(ask);
  const mid = (b + a) / 2;
  return { mid, spread_bps: ((a - b) / mid) * 1e4, depth_top1_usdt: Math.min(Number(bidQty), Number(askQty)) * mid };
}

/** A public trade print. */
export const TradeTick = z.object({
  venue: z.string().min(1),
  market: Market,
  symbol: Symbol,
  tradeId: z.string().min(1),
  price: DecimalString,
  qty: DecimalString,
  /** Side of the taker. */
  takerSide: Side,
  eventTime: EpochMs,
  receiveTime: EpochMs,
});
/** A public trade print. */
export type TradeTick = z.infer<typeof TradeTick>;

/** Mark price and the next funding of a perpetual (from Binance `markPrice`, `premiumIndex`). */
export const MarkPriceTick = z.object({
  venue: z.string().min(1),
  symbol: Symbol,
  markPrice: DecimalString,
  indexPrice: DecimalString.optional(),
  /** Next funding rate as a decimal. */
  fundingRate: DecimalString,
  /** Next funding time (epoch ms). */
  nextFundingTime: EpochMs,
  eventTime: EpochMs,
  receiveTime: EpochMs,
});
/** Mark price and the next funding of a perpetual. */
export type MarkPriceTick = z.infer<typeof MarkPriceTick>;

/**
 * A funding event for `mkt:events:{funding}:<SYMBOL>`: the next (predicted) rate or a realised
 * payment.
 */
export const FundingEvent = z.object({
  venue: z.string().min(1),
  symbol: Symbol,
  kind: z.enum(['NEXT', 'REALISED']),
  rate: DecimalString,
  fundingTime: EpochMs,
  /** Realised amount in USDT (REALISED only). */
  amount_usdt: DecimalString.optional(),
  ts: EpochMs,
});
/** A funding event. */
export type FundingEvent = z.infer<typeof FundingEvent>;
