import type { CheckCounts, DiffMetrics } from './discrepancy.js';
import type { ReconcilePlan } from './planned-action.js';
import { setMetrics, type SetMetrics } from './set-metrics.js';

type SetCounts = SetMetrics & CheckCounts;

function addSets(a: SetCounts | undefined, b: SetCounts | undefined): SetCounts | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  // Venues are disjoint, so sizes and intersections add; the ratios are recomputed from them.
  const sets = setMetrics(a.venue + b.venue, a.local + b.local, a.intersection + b.intersection);
  return { ...sets, checked: a.checked + b.checked, agreeing: a.agreeing + b.agreeing, deferred: a.deferred + b.deferred };
}

function addCounts(a: CheckCounts | undefined, b: CheckCounts | undefined): CheckCounts | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { checked: a.checked + b.checked, agreeing: a.agreeing + b.agreeing, deferred: a.deferred + b.deferred };
}

/**
 * Joins the plans of several venues (one `diff` + `plan` per venue, each scoped to its venue by
 * `truth.venues`) into one: actions in venue order, metrics summed over the disjoint venues with
 * the Jaccard indices and the consistency rate recomputed from the sums. `collectedAt` is the
 * earliest of the plans' (every action keeps the ids and stamps of its own plan). Pure.
 *
 * @param plans - At least one plan, all with the same mode and dry-run flag.
 * @returns The joined plan (the single plan itself when given one).
 * @throws RangeError when `plans` is empty.
 */
export function mergePlans(plans: readonly ReconcilePlan[]): ReconcilePlan {
  const [first, ...rest] = plans;
  if (first === undefined) throw new RangeError('mergePlans: no plans');
  if (rest.length === 0) return first;
  const metrics: DiffMetrics = { consistencyRate: 1, symmetricDifference: 0 };
  let collectedAt = first.collectedAt;
  for (const p of plans) {
    const orders = addSets(metrics.orders, p.metrics.orders);
    const positions = addSets(metrics.positions, p.metrics.positions);
    const balances = addCounts(metrics.balances, p.metrics.balances);
    if (orders !== undefined) metrics.orders = orders;
    if (positions !== undefined) metrics.positions = positions;
    if (balances !== undefined) metrics.balances = balances;
    metrics.symmetricDifference += p.metrics.symmetricDifference;
    collectedAt = Math.min(collectedAt, p.collectedAt);
  }
  let judged = 0;
  let agreeing = 0;
  for (const c of [metrics.orders, metrics.positions, metrics.balances]) {
    if (c === undefined) continue;
    judged += c.checked - c.deferred;
    agreeing += c.agreeing;
  }
  metrics.consistencyRate = judged === 0 ? 1 : agreeing / judged;
  return { dryRun: first.dryRun, mode: first.mode, collectedAt, now: first.now, actions: plans.flatMap((p) => p.actions), metrics };
}
