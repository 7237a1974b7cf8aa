import { z } from 'zod';
import { DecimalInput, EpochMs, NonNegativeDecimalInput } from './decimal.js';
import { Market, Side, Symbol } from './enums.js';

/** Ids may arrive as JSON numbers (venue order ids) or strings; the SDK keeps them as strings. */
const IdInput = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

/** Final status of an executed intent. */
export const ExecutionStatus = z.enum(['FILLED', 'PARTIALLY_FILLED', 'NEW', 'ARMED', 'CANCELED', 'REJECTED', 'EXPIRED', 'FAILED']);
/** Final status of an executed intent. */
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

/** One fill in an execution result. */
export const ResultFill = z.object({
  price: DecimalInput,
  qty: DecimalInput,
  /** Execution time (epoch ms). */
  timestamp: EpochMs,
});
/** One fill in an execution result. */
export type ResultFill = z.infer<typeof ResultFill>;

/**
 * What `execute(intent)` returns (SPEC §3; integration-sequences §5.1). Prices and quantities are
 * exact decimal strings; `slippage_bps` against the arrival mid is a float.
 */
export const ExecutionResult = z.object({
  status: ExecutionStatus,
  /** The venue order id of the (last) order that carried the intent. */
  order_id: IdInput.nullable(),
  avg_price: DecimalInput.nullable(),
  filled_qty: NonNegativeDecimalInput,
  fills: z.array(ResultFill).default([]),
  slippage_bps: z.number().nullable().optional(),
  intent_id: z.string().optional(),
  /** Why the intent did not fill completely, when it did not. */
  reason: z.string().optional(),
});
/** What `execute(intent)` returns. */
export type ExecutionResult = z.infer<typeof ExecutionResult>;

/** The `orders:executed` event published for every fill (SPEC §3). */
export const ExecutionEvent = z.object({
  order_id: IdInput,
  intent_id: z.string().min(1),
  symbol: Symbol,
  side: Side,
  avg_px: DecimalInput,
  filled_qty: DecimalInput,
  market: Market,
  ts: EpochMs,
});
/** The `orders:executed` event. */
export type ExecutionEvent = z.infer<typeof ExecutionEvent>;

/** The `spot:oco:armed` event: both OCO legs are working. */
export const OcoArmedEvent = z.object({
  group_id: z.string().min(1),
  symbol: Symbol,
  tp_order_id: IdInput,
  sl_order_id: IdInput,
  qty: DecimalInput,
  ts: EpochMs,
});
/** The `spot:oco:armed` event. */
export type OcoArmedEvent = z.infer<typeof OcoArmedEvent>;

/** The `guard:spot:arm` event: a local guard stop watches the mid. */
export const GuardArmEvent = z.object({
  symbol: Symbol,
  sl_px: DecimalInput,
  qty: DecimalInput,
  side: Side,
  group_id: z.string().min(1),
  ts: EpochMs,
});
/** The `guard:spot:arm` event. */
export type GuardArmEvent = z.infer<typeof GuardArmEvent>;

/** The `risk:sl_arm` event: a venue stop-loss protects a futures position. */
export const StopLossArmEvent = z.object({
  intent_id: z.string().min(1),
  symbol: Symbol,
  side: Side,
  qty: DecimalInput,
  stop_price: DecimalInput,
  working_type: z.enum(['MARK_PRICE', 'CONTRACT_PRICE']),
  order_id: IdInput,
  ts: EpochMs,
});
/** The `risk:sl_arm` event. */
export type StopLossArmEvent = z.infer<typeof StopLossArmEvent>;

/** States of an intent's lifecycle (SPEC §3), plus the ends an intent can reach without a position. */
export const IntentState = z.enum(['PENDING_ENTRY', 'ACTIVE', 'PENDING_CLOSING', 'CLOSED', 'REJECTED', 'FAILED', 'RECONCILED']);
/** States of an intent's lifecycle. */
export type IntentState = z.infer<typeof IntentState>;
