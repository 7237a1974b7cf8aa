import { z } from 'zod';
import { EpochMs } from './decimal.js';
import { Order } from './order.js';
import { Position } from './account.js';
import { IntentState } from './execution.js';

/** An order as the store keeps it: the venue view plus the intent that caused it. */
export const OrderRecord = Order.extend({
  /** The intent this order serves; absent for orders adopted by reconciliation. */
  intent_id: z.string().optional(),
  /** Which leg of the intent (e.g. `entry`, `maker`, `taker`, `sl`, `tp`). */
  leg: z.string().optional(),
});
/** An order as the store keeps it. */
export type OrderRecord = z.infer<typeof OrderRecord>;

/** A point-in-time copy of a position (`positions_snapshots`). */
export const PositionSnapshot = Position.extend({
  /** When the snapshot was taken (epoch ms, injected clock). */
  snapshot_ts: EpochMs,
  intent_id: z.string().optional(),
});
/** A point-in-time copy of a position. */
export type PositionSnapshot = z.infer<typeof PositionSnapshot>;

/**
 * One row of `strategy_events`: an intent transition (`kind: STATE`), a reconciliation action
 * (`RECONCILE_*`, `ROLLBACK`, `ORPHAN_CLOSED`), a treasury transfer, and so on. `event_id` is the
 * natural key that makes writes idempotent.
 */
export const StrategyEvent = z.object({
  event_id: z.string().min(1),
  kind: z.string().min(1),
  intent_id: z.string().optional(),
  /** New state, for transitions. */
  state: IntentState.optional(),
  /** Previous state, for transitions. */
  from_state: IntentState.optional(),
  symbol: z.string().optional(),
  market: z.enum(['SPOT', 'FUT']).optional(),
  payload: z.record(z.string(), z.unknown()).default({}),
  ts: EpochMs,
});
/** One row of `strategy_events`. */
export type StrategyEvent = z.infer<typeof StrategyEvent>;
/** Input form of {@link StrategyEvent}. */
export type StrategyEventInput = z.input<typeof StrategyEvent>;
