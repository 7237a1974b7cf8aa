/**
 * Reconciliation (SPEC §5): `diffReconcile(truth, local)` classifies, `planReconcile(diff, policy)` decides, both
 * pure; `describePlan(plan)` is the response a run (or a dry run) returns. The I/O half:
 * `collectTruth` (venue), `loadLocal` (store), `applyPlan` (executes the {@link PlannedAction}
 * data), the {@link Reconciler} that runs them in order, and `scheduleReconciler` (start-up,
 * interval, alert and reconnect triggers).
 *
 * @packageDocumentation
 */
export type { VenueTruth } from './truth.js';
export type { LocalState } from './local.js';
export { setMetrics, type SetMetrics } from './set-metrics.js';
export type {
  BalanceDiscrepancy,
  CheckCounts,
  DeferReason,
  DiffMetrics,
  OrderDiscrepancy,
  PositionDiscrepancy,
  ReconcileDiff,
} from './discrepancy.js';
// Re-exported under specific names: `diff` and `plan` are too generic for a package's surface.
export { DEFAULT_SETTLE_MS, diff as diffReconcile, type DiffOptions, type DiffRequest } from './diff.js';
export { DEFAULT_MAX_SLICES, sliceQuantity, type SliceLimits } from './close-slices.js';
export type {
  AdoptPositionAction,
  CancelOrderAction,
  ConfirmThenFixOrderAction,
  DeferAction,
  FixPositionSnapshotAction,
  PlannedAction,
  ReconcileAlert,
  ReconcilePlan,
  ReducePositionAction,
  ReportBalanceAction,
  VenueOrderRef,
  WriteOrderAction,
} from './planned-action.js';
export { DEFAULT_MAX_SLICE_NOTIONAL_USDT, plan as planReconcile, reconcileOrderId, type PlanPolicy } from './plan.js';
export { describePlan } from './describe-plan.js';
export { collectTruth, type CollectedTruth, type TruthFetchFailure, type TruthRequest } from './truth-loader.js';
export { loadLocal, type LoadLocalOptions, type LocalRequest } from './local-loader.js';
export {
  applyPlan,
  RECONCILE_ACTION_FAILED,
  RECONCILE_CANCEL_FAILED,
  type ApplyDeps,
  type ApplyResult,
  type LastRunRecorder,
} from './apply.js';
export { mergePlans } from './merge-plans.js';
export {
  isBadReconcileResult,
  RECONCILE_REPEATED_FAILURE,
  RECONCILE_TRUTH_PARTIAL,
  Reconciler,
  type ReconcileCallOptions,
  type ReconcilerEvents,
  type ReconcilerOptions,
} from './reconciler.js';
export { scheduleReconciler, type ReconcilerSchedule, type ReconcilerScheduleOptions } from './reconcile-trigger.js';
