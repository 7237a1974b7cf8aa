import { z } from 'zod';
import { EpochMs } from './decimal.js';
import { Market, Symbol } from './enums.js';
import { parseWith } from './parse.js';

/** What a reconciliation compares. */
export const ReconcileMode = z.enum(['ALL', 'ORDERS', 'POSITIONS', 'HOLDINGS']);
/** What a reconciliation compares. */
export type ReconcileMode = z.infer<typeof ReconcileMode>;

/** How orphans are settled: adopt crash leftovers when safe, or always reduce. */
export const OrphanPolicy = z.enum(['RECLAIM_IF_SAFE', 'CONSERVATIVE']);
/** How orphans are settled. */
export type OrphanPolicy = z.infer<typeof OrphanPolicy>;

/**
 * A reconciliation request (SPEC §5). Defaults: mode ALL, dry_run false, orphan_policy
 * CONSERVATIVE, time_window_h 72 (1–168; outside is a 400 format error).
 */
export const ReconcileRequest = z.strictObject({
  mode: ReconcileMode.default('ALL'),
  dry_run: z.boolean().default(false),
  orphan_policy: OrphanPolicy.default('CONSERVATIVE'),
  /** Look-back window of local state in hours, 1–168. */
  time_window_h: z.number().int().min(1).max(168).default(72),
  symbols: z.array(Symbol).min(1).optional(),
  markets: z.array(Market).min(1).optional(),
});
/** A parsed reconciliation request. */
export type ReconcileRequest = z.infer<typeof ReconcileRequest>;
/** What callers may pass as a reconciliation request. */
export type ReconcileRequestInput = z.input<typeof ReconcileRequest>;

/** Discrepancy classes (SPEC §5). */
export const ReconcileItemType = z.enum([
  'ORPHAN_ORDER',
  'ORPHAN_POS',
  'STALE_ORDER',
  'STALE_POS',
  'QTY_MISMATCH',
  'SIDE_MISMATCH',
  'STATUS_MISMATCH',
  'BALANCE_MISMATCH',
]);
/** Discrepancy classes. */
export type ReconcileItemType = z.infer<typeof ReconcileItemType>;

/** What was (or, in a dry run, would be) done about a discrepancy. */
export const ReconcileAction = z.enum(['CANCELLED', 'ADOPTED', 'CLOSED', 'FIXED', 'REDUCED', 'REPORTED', 'FAILED']);
/** What was done about a discrepancy. */
export type ReconcileAction = z.infer<typeof ReconcileAction>;

/** One discrepancy and its settlement. */
export const ReconcileItem = z.object({
  type: ReconcileItemType,
  action: ReconcileAction,
  order_id: z.string().optional(),
  symbol: Symbol.optional(),
  market: Market.optional(),
  reason: z.string(),
});
/** One discrepancy and its settlement. */
export type ReconcileItem = z.infer<typeof ReconcileItem>;

/** Totals of a reconciliation run, with the set-agreement metrics of SPEC §5. */
export const ReconcileSummary = z.object({
  checked_orders: z.number().int().nonnegative(),
  checked_positions: z.number().int().nonnegative(),
  adopted: z.number().int().nonnegative(),
  closed: z.number().int().nonnegative(),
  fixed: z.number().int().nonnegative(),
  /** `|A∩B| / |A∪B|` of venue and store order sets (1 when both are empty). */
  jaccard_orders: z.number().min(0).max(1).optional(),
  /** `|A∩B| / |A∪B|` of venue and store position sets. */
  jaccard_positions: z.number().min(0).max(1).optional(),
  /** Share of checked records that agreed without action. */
  consistency_rate: z.number().min(0).max(1).optional(),
  /** `|(A∪B) \ (A∩B)|` over orders and positions. */
  symmetric_diff: z.number().int().nonnegative().optional(),
});
/** Totals of a reconciliation run. */
export type ReconcileSummary = z.infer<typeof ReconcileSummary>;

/** What `reconcile(request)` returns. */
export const ReconcileResponse = z.object({
  reconcile_id: z.string().optional(),
  dry_run: z.boolean().optional(),
  summary: ReconcileSummary,
  items: z.array(ReconcileItem),
  started_at: EpochMs.optional(),
  finished_at: EpochMs.optional(),
});
/** What `reconcile(request)` returns. */
export type ReconcileResponse = z.infer<typeof ReconcileResponse>;

/** The `strategy:reconciled` event. */
export const ReconcileEvent = z.object({
  kind: z.enum(['ORDER', 'POSITION', 'BALANCE']),
  action: ReconcileAction,
  ref: z.string().min(1),
  ts: EpochMs,
});
/** The `strategy:reconciled` event. */
export type ReconcileEvent = z.infer<typeof ReconcileEvent>;

/**
 * Parses a reconciliation request, applying the defaults.
 * @throws ValidationError (400) naming the field, e.g. `time_window_h` outside 1–168.
 */
export function parseReconcileRequest(input: unknown): ReconcileRequest {
  return parseWith(ReconcileRequest, input ?? {}, 'reconcile request');
}
