import { z } from 'zod';
import { DecimalString, EpochMs } from './decimal.js';
import { Market, OrderStatus, OrderType, Side, Symbol, TimeInForce, WorkingType } from './enums.js';

/** Client order id: 1–36 chars of `[A-Za-z0-9._:-]` (inside Binance Spot, UM and MAX patterns). */
export const ClientOrderId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,36}$/, 'expected 1–36 chars of letters, digits, ".", "_", ":" or "-"');

/**
 * A request to place one order. Prices and quantities are decimal strings; the connector rounds
 * and checks them against the instrument's filters before they leave.
 */
export const OrderRequest = z.object({
  market: Market,
  symbol: Symbol,
  side: Side,
  type: OrderType,
  /** Base-asset quantity (never multiplied by leverage). */
  qty: DecimalString,
  /** Limit price; required for LIMIT, STOP_LIMIT, TAKE_PROFIT_LIMIT. */
  price: DecimalString.optional(),
  /** Trigger price; required for the conditional types. */
  stopPrice: DecimalString.optional(),
  /** Default GTC for limit orders. */
  timeInForce: TimeInForce.optional(),
  /** Post-only: rejected when it would take liquidity. */
  postOnly: z.boolean().default(false),
  /** Futures only: may only reduce the position. */
  reduceOnly: z.boolean().default(false),
  /** Trigger source for conditional futures orders. Default MARK_PRICE. */
  workingType: WorkingType.optional(),
  /** Caller-chosen id, derived from the intent and persisted before sending (required). */
  clientOrderId: ClientOrderId,
});
/** A request to place one order. */
export type OrderRequest = z.infer<typeof OrderRequest>;
/** Input form of {@link OrderRequest}. */
export type OrderRequestInput = z.input<typeof OrderRequest>;

/** An order as the venue reports it, mapped to the core's vocabulary. */
export const Order = z.object({
  venue: z.string().min(1),
  market: Market,
  symbol: Symbol,
  clientOrderId: z.string().min(1),
  /** The venue's own order id (algo id for futures conditional orders). */
  venueOrderId: z.string().min(1),
  side: Side,
  type: OrderType,
  timeInForce: TimeInForce.optional(),
  postOnly: z.boolean().default(false),
  reduceOnly: z.boolean().default(false),
  price: DecimalString.optional(),
  stopPrice: DecimalString.optional(),
  workingType: WorkingType.optional(),
  /** Ordered quantity. */
  qty: DecimalString,
  /** Cumulative filled quantity. */
  filledQty: DecimalString,
  /** Volume-weighted average fill price; absent before the first fill. */
  avgPrice: DecimalString.optional(),
  status: OrderStatus,
  /** Id of the OCO list this order belongs to, if any. */
  orderListId: z.string().optional(),
  /** Creation time (epoch ms, venue clock). */
  createdAt: EpochMs,
  /** Last change (epoch ms, venue clock). */
  updatedAt: EpochMs,
});
/** An order as the venue reports it. */
export type Order = z.infer<typeof Order>;
/** Input form of {@link Order}. */
export type OrderInput = z.input<typeof Order>;

/** A spot OCO request: a take-profit limit leg and a stop-loss leg over the same quantity. */
export const OcoRequest = z.object({
  market: z.literal('SPOT'),
  symbol: Symbol,
  /** Side of both legs (SELL to protect a long). */
  side: Side,
  qty: DecimalString,
  /** Take-profit limit price. */
  tpPrice: DecimalString,
  /** Stop-loss trigger price. */
  slStopPrice: DecimalString,
  /** Stop-loss limit price; absent means a stop-market leg. */
  slLimitPrice: DecimalString.optional(),
  /** Time in force of the limit legs. Default GTC. */
  legTimeInForce: TimeInForce.default('GTC'),
  /** Caller-chosen id of the list; legs get `<id>-tp` / `<id>-sl`-style ids from the connector. */
  clientListId: ClientOrderId,
});
/** A spot OCO request. */
export type OcoRequest = z.infer<typeof OcoRequest>;
/** Input form of {@link OcoRequest}. */
export type OcoRequestInput = z.input<typeof OcoRequest>;

/** A placed OCO list and its two legs. */
export const OcoOrder = z.object({
  listId: z.string().min(1),
  clientListId: z.string().min(1),
  symbol: Symbol,
  /** `EXECUTING` while both legs work; `ALL_DONE` once one leg filled or both are gone. */
  status: z.enum(['EXECUTING', 'ALL_DONE', 'REJECT']),
  tp: Order,
  sl: Order,
});
/** A placed OCO list. */
export type OcoOrder = z.infer<typeof OcoOrder>;
