/**
 * Crash recovery end to end on the local Binance exchange: the same trials as the paper venue's
 * (packages/core/test/reconcile-crash.e2e.test.ts), over Binance's REST wire protocol on
 * 127.0.0.1 — kill a MakerThenTaker / TWAP / OCO at random points, restart (`Executor.resume()`),
 * reconcile → no unknown orders or positions, the store equals the venue, nothing added.
 */
import Big from 'big.js';
import { FakeClock, PaperEngine } from '@chimera/core';
import { startLocalBinance } from '@chimera/binance/testing';
import { describe, expect, it } from 'vitest';
import { crashTrial, type CrashScenario, type CrashTrial, type CrashVenueFactory } from '../../core/src/reconcile/crash-harness.test-data.js';
import { localConnector } from './local-market.js';

function ladder(start: number, step: number, n: number, dp: number): Array<[string, string]> {
  return Array.from({ length: n }, (_, i) => [(start + i * step).toFixed(dp), '1'] as [string, string]);
}

const binanceCrashVenue: CrashVenueFactory = async () => {
  const clock = new FakeClock(1_758_355_080_000);
  const engine = new PaperEngine({ clock, venue: 'binance', balances: { SPOT: { USDT: '1000000' }, FUT: { USDT: '100000' } } });
  engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(64999, -1, 10, 2), asks: ladder(65001, 1, 10, 2) });
  engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: ladder(64999, -1, 10, 1), asks: ladder(65001, 1, 10, 1) });
  const ex = await startLocalBinance({ engine, clock });
  const connector = localConnector(ex, { clock });
  await connector.connect();
  return {
    connector,
    clock,
    advance: (ms) => clock.tickAsync(ms),
    async marketMoves(random) {
      for (const market of ['SPOT', 'FUT'] as const) {
        for (const o of engine.openOrders(market)) {
          if (o.type !== 'LIMIT' || random() < 0.5) continue;
          const open = new Big(o.qty).minus(o.filledQty);
          const part = random() < 0.5 ? open : open.times(random()).round(market === 'FUT' ? 3 : 5, Big.roundDown);
          if (part.gt(0)) engine.fillOrder({ market, symbol: o.symbol, clientOrderId: o.clientOrderId }, part.toFixed());
        }
      }
    },
    async close() {
      await connector.close();
      await ex.close();
    },
  };
};

const SCENARIOS: readonly CrashScenario[] = ['MakerThenTaker', 'TWAP', 'OCO'];
/** Random kill points per scenario (3 × 34 = 102 trials). */
const TRIALS = 34;

describe('crash recovery on the local Binance exchange', () => {
  it(`leaves no orphan and no drift after ${SCENARIOS.length * TRIALS} random kills`, async () => {
    const trials: CrashTrial[] = [];
    for (const scenario of SCENARIOS) {
      const whole = await crashTrial(binanceCrashVenue, 0, scenario, Number.POSITIVE_INFINITY);
      expect(whole.completed).toBe(true);
      expect(whole.violations).toEqual([]);
      for (let seed = 1; seed <= TRIALS; seed++) trials.push(await crashTrial(binanceCrashVenue, seed, scenario, undefined, whole.opsBeforeDeath));
    }
    const failures = trials.filter((t) => t.violations.length > 0).map((t) => ({ scenario: t.scenario, seed: t.seed, killedAt: t.opsBeforeDeath, violations: t.violations }));
    expect(failures).toEqual([]);
    expect(trials.filter((t) => !t.completed).length).toBeGreaterThan(trials.length / 2);
    expect(trials.flatMap((t) => t.verify)).toEqual([]);
    expect(trials.flatMap((t) => (t.resumeError !== undefined ? [t.resumeError] : []))).toEqual([]);
  }, 120_000);
});
