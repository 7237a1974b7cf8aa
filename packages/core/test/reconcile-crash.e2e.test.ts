/**
 * Crash recovery end to end (issue 7): kill a MakerThenTaker / TWAP / OCO intent at ≥ 100 random
 * points, restart (`Executor.resume()` and `Reconciler.reconcile()`, in either order, under
 * either orphan policy), and check that no orphan order or position is left, the store equals
 * the venue, and nothing was added.
 *
 * The venue is a parameter: add a `[name, factory]` pair to `VENUES` to run the same trials on a
 * venue's local exchange (the factory builds a fresh venue per trial; see `CrashVenue`).
 */
import { describe, expect, it } from 'vitest';
import { crashTrial, paperCrashVenue, type CrashScenario, type CrashTrial, type CrashVenueFactory } from '../src/reconcile/crash-harness.test-data.js';

const VENUES: Array<[string, CrashVenueFactory]> = [['paper venue', paperCrashVenue]];
const SCENARIOS: readonly CrashScenario[] = ['MakerThenTaker', 'TWAP', 'OCO'];
/** Random kill points per scenario (3 × 50 = 150 trials). */
const TRIALS = 50;

describe.each(VENUES)('crash recovery on the %s', (_name, factory) => {
  it(`leaves no orphan and no drift after ${SCENARIOS.length * TRIALS} random kills`, async () => {
    const trials: CrashTrial[] = [];
    for (const scenario of SCENARIOS) {
      // A run nobody kills gives the number of calls a whole run makes: kills spread over all of it.
      const whole = await crashTrial(factory, 0, scenario, Number.POSITIVE_INFINITY);
      expect(whole.completed).toBe(true);
      expect(whole.violations).toEqual([]);
      for (let seed = 1; seed <= TRIALS; seed++) trials.push(await crashTrial(factory, seed, scenario, undefined, whole.opsBeforeDeath));
    }

    expect(trials).toHaveLength(SCENARIOS.length * TRIALS);
    const failures = trials.filter((t) => t.violations.length > 0).map((t) => ({ scenario: t.scenario, seed: t.seed, killedAt: t.opsBeforeDeath, landed: t.lastCallLanded, policy: t.policy, order: t.order, violations: t.violations }));
    expect(failures).toEqual([]);

    // The kills must actually have hurt: most runs died mid-way, and the recovery had real work
    // of every kind to do (otherwise the trials prove nothing).
    const recovered = trials.flatMap((t) => t.recovery.map((i) => `${i.type}:${i.action}`));
    expect(trials.filter((t) => !t.completed).length).toBeGreaterThan(trials.length / 2);
    for (const kind of ['ORPHAN_POS:CLOSED', 'ORPHAN_POS:ADOPTED', 'ORPHAN_ORDER:CANCELLED', 'STALE_ORDER:FIXED', 'QTY_MISMATCH:FIXED']) {
      expect(recovered, kind).toContain(kind);
    }
    // A last run over the recovered state finds nothing to do.
    expect(trials.flatMap((t) => t.verify)).toEqual([]);
    // Resume never fails (a stop still resting is adopted, not placed again).
    expect(trials.flatMap((t) => (t.resumeError !== undefined ? [t.resumeError] : []))).toEqual([]);
  }, 60_000);
});
