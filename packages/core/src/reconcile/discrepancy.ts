import type { Position } from '../domain/account.js';
import type { Market } from '../domain/enums.js';
import type { Order } from '../domain/order.js';
import type { ReconcileMode } from '../domain/reconcile.js';
import type { OrderRecord, PositionSnapshot } from '../domain/records.js';
import type { IntentRecord } from '../sinks/store.js';
import type { SetMetrics } from './set-metrics.js';

/**
 * Why a discrepancy is left for the next round instead of being settled now. Set when the store
 * or the venue changed so recently that the two views may simply not have met yet.
 */
export type DeferReason = string;

/** A disagreement about one order, keyed by client order id. */
export interface OrderDiscrepancy {
  /**
   * - `ORPHAN_ORDER`: the venue works an order the store has no record of;
   * - `STALE_ORDER`: the store thinks an order is open, the venue does not list it;
   * - `STATUS_MISMATCH`: statuses differ (including "final in the store, still working at the venue");
   * - `QTY_MISMATCH`: ordered or filled quantity differs;
   * - `SIDE_MISMATCH`: the venue's order is on the other side.
   */
  type: 'ORPHAN_ORDER' | 'STALE_ORDER' | 'STATUS_MISMATCH' | 'QTY_MISMATCH' | 'SIDE_MISMATCH';
  clientOrderId: string;
  venue: string;
  market: Market;
  symbol: string;
  /** The venue's view; absent for `STALE_ORDER`. */
  venueOrder?: Order;
  /** The store's view; absent for `ORPHAN_ORDER`. */
  local?: OrderRecord;
  /** Id of the unfinished intent that lists this client order id (so the order is ours). */
  claimedBy?: string;
  /**
   * True for `STALE_ORDER`: the venue's open-order list is not proof the order is gone (it may be
   * an algo order listed elsewhere, or the list may lag), so a single-order query must confirm
   * before the store closes it (nautilus_trader: "targeted single-order query").
   */
  needsConfirmation: boolean;
  /** What differs, for the report. */
  detail: string;
  /** Set when the discrepancy must not be settled this round. */
  deferReason?: DeferReason;
}

/** A disagreement about one futures position (one-way mode), keyed by venue and symbol. */
export interface PositionDiscrepancy {
  /**
   * - `ORPHAN_POS`: the venue holds a position that no snapshot and no holding intent explains;
   * - `STALE_POS`: the store holds a position the venue shows flat;
   * - `QTY_MISMATCH`: same side, different size (or the store has none but a holding intent explains it);
   * - `SIDE_MISMATCH`: the venue holds the other side.
   */
  type: 'ORPHAN_POS' | 'STALE_POS' | 'QTY_MISMATCH' | 'SIDE_MISMATCH';
  venue: string;
  market: 'FUT';
  symbol: string;
  /** The venue's signed quantity (`"0"` when flat). */
  venueQty: string;
  /** The store's signed quantity (`"0"` when it has no snapshot or a flat one). */
  localQty: string;
  /** The venue's position; absent when flat. */
  venuePosition?: Position;
  /** The store's newest snapshot, if any. */
  local?: PositionSnapshot;
  /**
   * Base quantity on the venue position's side that unfinished intents (PENDING_ENTRY, ACTIVE or
   * PENDING_CLOSING; not reduce-only; same side) account for; `"0"` when none. Only the excess
   * above it is unexplained.
   */
  explainedQty: string;
  /** Ids of the holding intents among them (ACTIVE or PENDING_CLOSING): they make a position "known". */
  holders: string[];
  /**
   * For `ORPHAN_POS`: the one PENDING_ENTRY intent that could have left this position behind
   * (same market, symbol and side, not reduce-only, qty ≥ |position|). Absent when there is none
   * or more than one (ambiguous is not safe).
   */
  adoptionCandidate?: IntentRecord;
  /** The candidate's orders the venue still works but the store lacks (to write on adoption). */
  candidateOpenOrders: Order[];
  /** The candidate's client order ids that neither the store nor the venue's open list has. */
  candidateMissingOrderIds: string[];
  /**
   * Open, non-reduce-only venue orders on this venue and symbol on the position's side: they
   * would add to the position if it is being closed, so they are cancelled first.
   */
  addingOrders: Order[];
  /**
   * Those of `addingOrders` no unfinished intent claims. Trimming an unexplained excess cancels
   * only these: a claimed order belongs to an intent whose size `explainedQty` already counts.
   */
  unclaimedAddingOrders: Order[];
  /** For `STALE_POS`: holding intents to settle once the venue confirms it is flat. */
  settleIntents: IntentRecord[];
  /** True for `STALE_POS`: confirm "flat" with a single-symbol query before writing it. */
  needsConfirmation: boolean;
  /** What differs, for the report. */
  detail: string;
  /** Set when the discrepancy must not be settled this round. */
  deferReason?: DeferReason;
}

/** A difference between the venue's balance and the bot's expectation for one asset. */
export interface BalanceDiscrepancy {
  type: 'BALANCE_MISMATCH';
  venue: string;
  market: Market;
  asset: string;
  /** `free + locked` at the venue (`"0"` when the venue lists no such asset). */
  venueTotal: string;
  /** `free + locked` the bot expected. */
  expectedTotal: string;
  /** `venueTotal − expectedTotal`, signed. */
  difference: string;
  detail: string;
}

/** How many records each check looked at, agreed on, and left for the next round. */
export interface CheckCounts {
  /** Records examined: `|A∪B|` for orders; distinct venue+symbol for positions; expected assets for balances. */
  checked: number;
  /** Records that agreed with no action needed. */
  agreeing: number;
  /** Records whose discrepancy was deferred (they neither agree nor disagree yet). */
  deferred: number;
}

/** Set and agreement metrics of one run. Members are absent for checks the mode skipped. */
export interface DiffMetrics {
  /** Order sets by client order id: venue open orders vs store open orders. */
  orders?: SetMetrics & CheckCounts;
  /** Position sets by venue + symbol + side (LONG/SHORT): venue non-zero vs store non-flat. */
  positions?: SetMetrics & CheckCounts;
  /** Balances of the assets the bot expects. */
  balances?: CheckCounts;
  /** `Σ agreeing / Σ (checked − deferred)` over the checks run; 1 when nothing could be judged. */
  consistencyRate: number;
  /** `|(A∪B) \ (A∩B)|` of orders plus that of positions. */
  symmetricDifference: number;
}

/** What `diff` returns: every classified discrepancy plus the run's metrics. Plain data. */
export interface ReconcileDiff {
  mode: ReconcileMode;
  /** The truth's collection start (epoch ms); stamps written from the truth use it. */
  collectedAt: number;
  orders: OrderDiscrepancy[];
  positions: PositionDiscrepancy[];
  balances: BalanceDiscrepancy[];
  metrics: DiffMetrics;
}
