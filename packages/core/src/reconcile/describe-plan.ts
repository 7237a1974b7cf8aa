import type { ReconcileResponse, ReconcileSummary } from '../domain/reconcile.js';
import type { ReconcilePlan } from './planned-action.js';

/**
 * The response a plan produces: `{ summary, items }`, one item per action in plan order. A dry
 * run returns exactly this, and so does `apply` for a plan whose every action succeeded, so a dry
 * run shows what a real run would do. Run identity (`reconcile_id`, `dry_run`, times) is the
 * caller's to add.
 *
 * Counts: `adopted` = ADOPTED items; `closed` = CLOSED, REDUCED and CANCELLED items (exposure taken
 * off the venue); `fixed` = FIXED items (the store corrected). Metrics come from the diff and are
 * present only for the checks the mode ran.
 *
 * @param p - The plan.
 * @returns The summary and items; pure.
 */
export function describePlan(p: ReconcilePlan): Pick<ReconcileResponse, 'summary' | 'items'> {
  const items = p.actions.map((a) => ({ ...a.item }));
  let adopted = 0;
  let closed = 0;
  let fixed = 0;
  for (const it of items) {
    if (it.action === 'ADOPTED') adopted++;
    else if (it.action === 'CLOSED' || it.action === 'REDUCED' || it.action === 'CANCELLED') closed++;
    else if (it.action === 'FIXED') fixed++;
  }
  const m = p.metrics;
  const summary: ReconcileSummary = {
    checked_orders: m.orders?.checked ?? 0,
    checked_positions: m.positions?.checked ?? 0,
    adopted,
    closed,
    fixed,
    consistency_rate: m.consistencyRate,
    symmetric_diff: m.symmetricDifference,
  };
  if (m.orders !== undefined) summary.jaccard_orders = m.orders.jaccard;
  if (m.positions !== undefined) summary.jaccard_positions = m.positions.jaccard;
  return { summary, items };
}
