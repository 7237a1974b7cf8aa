import { z } from 'zod';
import { DecimalString, EpochMs } from './decimal.js';
import { Market, Side, Symbol } from './enums.js';

/** One execution of an order. `venue + tradeId` identifies it uniquely. */
export const Fill = z.object({
  venue: z.string().min(1),
  market: Market,
  symbol: Symbol,
  /** The venue's trade id (unique per venue and market). */
  tradeId: z.string().min(1),
  venueOrderId: z.string().min(1),
  clientOrderId: z.string().min(1),
  side: Side,
  price: DecimalString,
  qty: DecimalString,
  /** Fee paid (positive) or rebate (negative), in `feeAsset`. */
  fee: DecimalString,
  feeAsset: z.string().min(1),
  /** True when this fill provided liquidity. */
  isMaker: z.boolean(),
  /** Execution time (epoch ms, venue clock). */
  ts: EpochMs,
});
/** One execution of an order. */
export type Fill = z.infer<typeof Fill>;

/** A futures position in one-way mode. `qty` is signed: positive long, negative short, 0 flat. */
export const Position = z.object({
  venue: z.string().min(1),
  market: z.literal('FUT'),
  symbol: Symbol,
  /** Signed base quantity. */
  qty: DecimalString,
  /** Average entry price; `"0"` when flat. */
  entryPrice: DecimalString,
  markPrice: DecimalString.optional(),
  /** Unrealised PnL in the quote asset (USDT). */
  unrealizedPnl: DecimalString,
  leverage: z.number().int().positive(),
  marginType: z.enum(['ISOLATED', 'CROSSED']),
  /** Margin assigned to an isolated position (USDT). */
  isolatedMargin: DecimalString.optional(),
  liquidationPrice: DecimalString.optional(),
  updatedAt: EpochMs,
});
/** A futures position in one-way mode. */
export type Position = z.infer<typeof Position>;

/** Which side a signed position quantity is on. */
export function positionSide(qty: string): 'LONG' | 'SHORT' | 'FLAT' {
  if (/^-/.test(qty) && !/^-0(\.0+)?$/.test(qty)) return 'SHORT';
  return /^0(\.0+)?$/.test(qty) ? 'FLAT' : 'LONG';
}

/** Free and locked amounts of one asset in one market's wallet. */
export const Balance = z.object({
  venue: z.string().min(1),
  market: Market,
  asset: z.string().min(1),
  /** Available for new orders or transfers. */
  free: DecimalString,
  /** Held by open orders (spot) or used as margin (futures). */
  locked: DecimalString,
});
/** Free and locked amounts of one asset. */
export type Balance = z.infer<typeof Balance>;

/** A funding payment received (positive) or paid (negative) on a futures position. */
export const FundingIncome = z.object({
  venue: z.string().min(1),
  symbol: Symbol,
  /** Funding time (epoch ms). */
  fundingTime: EpochMs,
  /** Amount in USDT, signed. */
  amount: DecimalString,
  /** The venue's id of the income record, when it has one. */
  tranId: z.string().optional(),
});
/** A funding payment. */
export type FundingIncome = z.infer<typeof FundingIncome>;

/** One row of a venue's funding-rate history. */
export const FundingRate = z.object({
  venue: z.string().min(1),
  symbol: Symbol,
  fundingTime: EpochMs,
  /** Rate as a decimal (0.0001 = 0.01 %). */
  rate: DecimalString,
  markPrice: DecimalString.optional(),
});
/** One row of a venue's funding-rate history. */
export type FundingRate = z.infer<typeof FundingRate>;

/** A record of `funding_records` (SPEC §1.2): realised funding per symbol and funding time. */
export const FundingRecord = z.object({
  symbol: Symbol,
  funding_time: EpochMs,
  rate: DecimalString,
  amount_usdt: DecimalString,
  venue: z.string().min(1).default('binance'),
});
/** A record of `funding_records`. */
export type FundingRecord = z.infer<typeof FundingRecord>;

/** A SPOT↔FUT transfer as the venue reports it in its history. */
export const VenueTransfer = z.object({
  /** The venue's transaction id. */
  tranId: z.string().min(1),
  /** The client's idempotency id, when the venue echoes one. */
  clientTransferId: z.string().optional(),
  from: Market,
  to: Market,
  asset: z.string().min(1),
  amount: DecimalString,
  status: z.enum(['PENDING', 'CONFIRMED', 'FAILED']),
  ts: EpochMs,
});
/** A SPOT↔FUT transfer as the venue reports it. */
export type VenueTransfer = z.infer<typeof VenueTransfer>;
