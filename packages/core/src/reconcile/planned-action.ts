import type { Market, Side } from '../domain/enums.js';
import type { ReconcileItem, ReconcileMode, ReconcileEvent } from '../domain/reconcile.js';
import type { OrderRecord, PositionSnapshot, StrategyEvent } from '../domain/records.js';
import type { IntentRecord } from '../sinks/store.js';
import type { BalanceDiscrepancy, DiffMetrics } from './discrepancy.js';

/**
 * An alert a planned action raises when applied, shaped like connector and risk alerts so a host
 * publishes all of them to the `alerts` stream: `{ level, code, message, details, ts }`.
 */
export interface ReconcileAlert {
  level: 'WARN' | 'ERROR' | 'FATAL';
  /** `ORPHAN_CLOSED`, `POSITION_REDUCED`, `ORPHAN_ORDER_CANCELLED`, `UNTRACKED_ORDER_CANCELLED`, `BALANCE_MISMATCH`. */
  code: string;
  message: string;
  details: Record<string, unknown>;
  /** Epoch ms (the plan's injected `now`). */
  ts: number;
}

/** One venue order, identified for `cancelOrder` / `getOrder` (the connector's `OrderRef` plus the venue). */
export interface VenueOrderRef {
  venue: string;
  market: Market;
  symbol: string;
  clientOrderId: string;
  venueOrderId: string;
}

/** What every planned action carries: the report line it produces and where it belongs. */
interface ActionBase {
  /** The `strategy:reconciled` subject. */
  subject: ReconcileEvent['kind'];
  /** The subject's key: client order id, `venue:symbol`, or `venue:market:asset`. */
  ref: string;
  /** The line `describePlan` (and so the response) reports for this action. */
  item: ReconcileItem;
  /** Raised when the action is applied. */
  alert?: ReconcileAlert;
}

/**
 * Cancel a venue order the bot does not track (orphan), or tracks wrongly (final in the store, or
 * on the other side). `apply` stores the final state `cancelOrder` returns (linked to
 * `intentId` when known); a failed cancel is a FATAL alert and is retried next round (SPEC §5).
 */
export interface CancelOrderAction extends ActionBase {
  kind: 'CANCEL_ORDER';
  order: VenueOrderRef;
  intentId?: string;
}

/** Write the venue's view of an order into the store (links to the intent kept). No venue call. */
export interface WriteOrderAction extends ActionBase {
  kind: 'WRITE_ORDER';
  record: OrderRecord;
}

/**
 * A stale order: query it by client order id first. Found and final → store the venue's view
 * (with `local`'s intent links); found and still open → nothing (the open-order list lagged);
 * not found → store `ifNotFound` (the local record, `CANCELED`, stamped at collection start).
 */
export interface ConfirmThenFixOrderAction extends ActionBase {
  kind: 'CONFIRM_THEN_FIX_ORDER';
  order: VenueOrderRef;
  local: OrderRecord;
  ifNotFound: OrderRecord;
}

/**
 * Adopt a PENDING_ENTRY crash leftover (policy RECLAIM_IF_SAFE): write the snapshot, the intent
 * as ACTIVE, the orders of the intent the venue still works, the orders `fetchOrderIds` names
 * (fetched by `getOrder` and written), and the events. No venue order is placed.
 */
export interface AdoptPositionAction extends ActionBase {
  kind: 'ADOPT_POSITION';
  snapshot: PositionSnapshot;
  /** The intent record as it must be stored (state ACTIVE). */
  intent: IntentRecord;
  orders: OrderRecord[];
  fetchOrderIds: string[];
  events: StrategyEvent[];
}

/**
 * Reduce a futures position with reduce-only MARKET orders in slices: the whole position
 * (`CLOSE_POSITION`, an orphan that cannot be adopted) or only the unexplained excess
 * (`REDUCE_POSITION`). The slices sum to exactly `qty` ≤ |`positionQty`|, on the side opposite the
 * position, so the position only shrinks toward flat and never flips. Orders in `cancelFirst`
 * (non-reduce-only, same side as the position; for a trim only those no unfinished intent
 * claims) are cancelled before the first slice so they cannot rebuild it.
 */
export interface ReducePositionAction extends ActionBase {
  kind: 'CLOSE_POSITION' | 'REDUCE_POSITION';
  venue: string;
  market: 'FUT';
  symbol: string;
  /** The venue's signed position quantity the plan was made from. */
  positionQty: string;
  /** Opposite the position: SELL closes a long, BUY a short. */
  side: Side;
  type: 'MARKET';
  reduceOnly: true;
  /** Base quantity to take off: the sum of `slices`. */
  qty: string;
  slices: string[];
  /** Deterministic client order id per slice (same plan, same ids: a replay cannot double-send). */
  clientOrderIds: string[];
  cancelFirst: VenueOrderRef[];
  events: StrategyEvent[];
}

/**
 * Replace the store's snapshot with the venue's (quantity or side mismatch), or with a flat one
 * (stale position). With `confirmFlat`, `apply` first asks the venue for this symbol's position
 * and writes only if it is still flat; `settleIntents` (stored as RECONCILED) and `events` are
 * written only then.
 */
export interface FixPositionSnapshotAction extends ActionBase {
  kind: 'FIX_POSITION_SNAPSHOT';
  snapshot: PositionSnapshot;
  confirmFlat: boolean;
  settleIntents: IntentRecord[];
  events: StrategyEvent[];
}

/** Report a balance difference and alert; balances are never "fixed" by trading. */
export interface ReportBalanceAction extends ActionBase {
  kind: 'REPORT_BALANCE';
  discrepancy: BalanceDiscrepancy;
}

/** A discrepancy left for the next round (changed during the run, or in flight). No I/O. */
export interface DeferAction extends ActionBase {
  kind: 'DEFER';
  reason: string;
}

/** One step of a reconciliation plan: plain data, applied by `apply`, described by `describePlan`. */
export type PlannedAction =
  | CancelOrderAction
  | WriteOrderAction
  | ConfirmThenFixOrderAction
  | AdoptPositionAction
  | ReducePositionAction
  | FixPositionSnapshotAction
  | ReportBalanceAction
  | DeferAction;

/** What `plan` returns. The same plan is applied (dryRun false) or only described (dryRun true). */
export interface ReconcilePlan {
  /** When true, `apply` changes nothing and returns `describePlan(plan)`. */
  dryRun: boolean;
  mode: ReconcileMode;
  /** The truth's collection start (epoch ms). */
  collectedAt: number;
  /** The injected time the plan was made at (epoch ms); stamps events and alerts. */
  now: number;
  /** In diff order: orders, then positions, then balances. */
  actions: PlannedAction[];
  /** The diff's metrics, for the summary. */
  metrics: DiffMetrics;
}
