import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { positionSide } from '../domain/account.js';
import { isTerminalStatus, type Market } from '../domain/enums.js';
import type { OrphanPolicy } from '../domain/reconcile.js';
import { describePlan } from './describe-plan.js';
import { diff } from './diff.js';
import { plan, type PlanPolicy } from './plan.js';
import type { ReducePositionAction } from './planned-action.js';
import { deepFreeze, generatedState, type GeneratedState } from './states.test-data.js';

const policyArb = fc.record({
  orphanPolicy: fc.constantFrom<OrphanPolicy>('CONSERVATIVE', 'RECLAIM_IF_SAFE'),
  closeSliceQty: fc.option(fc.constantFrom('0.1', '0.3', '1'), { nil: undefined }),
  maxSliceNotionalUsdt: fc.option(fc.constantFrom('0', '1', '7', '1000'), { nil: undefined }),
  maxSlices: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
});

type PolicyParts = { orphanPolicy: OrphanPolicy; closeSliceQty: string | undefined; maxSliceNotionalUsdt: string | undefined; maxSlices: number | undefined };

function policyOf(p: PolicyParts, dryRun: boolean): PlanPolicy {
  const out: PlanPolicy = { orphanPolicy: p.orphanPolicy, dryRun, now: 1_000_000_500 };
  if (p.closeSliceQty !== undefined) out.closeSliceQty = p.closeSliceQty;
  if (p.maxSliceNotionalUsdt !== undefined) out.maxSliceNotionalUsdt = p.maxSliceNotionalUsdt;
  if (p.maxSlices !== undefined) out.maxSlices = p.maxSlices;
  return out;
}

/** The scope rule, restated from the definition (not from the implementation). */
function scope(s: GeneratedState): (venue: string, market: Market, symbol: string) => boolean {
  return (venue, market, symbol) =>
    s.truth.markets.includes(market) &&
    (s.request.markets === undefined || s.request.markets.includes(market)) &&
    (s.request.symbols === undefined || s.request.symbols.includes(symbol)) &&
    (s.truth.venues === undefined || s.truth.venues.includes(venue));
}

function jaccard(a: Set<string>, b: Set<string>): { jaccard: number; union: number; inter: number; sym: number } {
  const union = new Set([...a, ...b]);
  const inter = [...a].filter((x) => b.has(x)).length;
  return { jaccard: union.size === 0 ? 1 : inter / union.size, union: union.size, inter, sym: union.size - inter };
}

describe('diff metrics (property)', () => {
  it('Jaccard, |A∪B|, |A∩B| and the symmetric difference match their set definitions', () => {
    fc.assert(
      fc.property(generatedState, (s) => {
        const d = diff(s.truth, s.local, s.request, { settleMs: s.settleMs });
        const ok = scope(s);
        let sym = 0;
        if (s.request.mode === 'ALL' || s.request.mode === 'ORDERS') {
          const a = new Set(s.truth.openOrders.filter((o) => !isTerminalStatus(o.status) && ok(o.venue, o.market, o.symbol)).map((o) => o.clientOrderId));
          const b = new Set(s.local.orders.filter((o) => !isTerminalStatus(o.status) && ok(o.venue, o.market, o.symbol)).map((o) => o.clientOrderId));
          const j = jaccard(a, b);
          const m = d.metrics.orders;
          expect(m).toBeDefined();
          expect(m?.jaccard).toBeCloseTo(j.jaccard, 12);
          expect([m?.union, m?.intersection, m?.symmetricDifference, m?.checked]).toEqual([j.union, j.inter, j.sym, j.union]);
          sym += j.sym;
        } else {
          expect(d.metrics.orders).toBeUndefined();
        }
        if (s.request.mode === 'ALL' || s.request.mode === 'POSITIONS') {
          const key = (p: { venue: string; symbol: string; qty: string }): string => `${p.venue}:${p.symbol}:${positionSide(p.qty)}`;
          const live = <P extends { venue: string; symbol: string; qty: string }>(ps: readonly P[]): P[] =>
            ps.filter((p) => positionSide(p.qty) !== 'FLAT' && ok(p.venue, 'FUT', p.symbol));
          const a = new Set(live(s.truth.positions).map(key));
          const b = new Set(live(s.local.positions).map(key));
          const j = jaccard(a, b);
          const places = new Set([...live(s.truth.positions), ...live(s.local.positions)].map((p) => `${p.venue}:${p.symbol}`));
          const m = d.metrics.positions;
          expect(m?.jaccard).toBeCloseTo(j.jaccard, 12);
          expect([m?.union, m?.intersection, m?.symmetricDifference, m?.checked]).toEqual([j.union, j.inter, j.sym, places.size]);
          sym += j.sym;
        } else {
          expect(d.metrics.positions).toBeUndefined();
        }
        expect(d.metrics.symmetricDifference).toBe(sym);
        expect(d.metrics.consistencyRate).toBeGreaterThanOrEqual(0);
        expect(d.metrics.consistencyRate).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('every disagreeing record is either agreeing, a discrepancy, or deferred — counts add up', () => {
    fc.assert(
      fc.property(generatedState, (s) => {
        const d = diff(s.truth, s.local, s.request, { settleMs: s.settleMs });
        const m = d.metrics;
        if (m.orders !== undefined) {
          expect(m.orders.agreeing + d.orders.length).toBe(m.orders.checked);
          expect(m.orders.deferred).toBe(d.orders.filter((x) => x.deferReason !== undefined).length);
        }
        if (m.positions !== undefined) {
          expect(m.positions.agreeing + d.positions.length).toBe(m.positions.checked);
          expect(m.positions.deferred).toBe(d.positions.filter((x) => x.deferReason !== undefined).length);
        }
        if (m.balances !== undefined) expect(m.balances.agreeing + d.balances.length).toBe(m.balances.checked);
      }),
      { numRuns: 300 },
    );
  });

  it('is pure: frozen inputs, the same answer twice', () => {
    fc.assert(
      fc.property(generatedState, policyArb, (s, p) => {
        deepFreeze(s);
        const d1 = diff(s.truth, s.local, s.request, { settleMs: s.settleMs });
        const d2 = diff(s.truth, s.local, s.request, { settleMs: s.settleMs });
        expect(d2).toEqual(d1);
        expect(plan(deepFreeze(d1), policyOf(p, false))).toEqual(plan(d2, policyOf(p, false)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('plan (property)', () => {
  it('never increases any position: only reduce-only MARKET slices, opposite the venue position, summing to at most its size', () => {
    fc.assert(
      fc.property(generatedState, policyArb, (s, p) => {
        const d = diff(s.truth, s.local, s.request, { settleMs: s.settleMs });
        const pl = plan(d, policyOf(p, false));
        const venueQty = new Map(s.truth.positions.map((x) => [`${x.venue}:${x.symbol}`, x.qty]));
        const taken = new Map<string, Big>();
        for (const a of pl.actions) {
          if (a.kind !== 'CLOSE_POSITION' && a.kind !== 'REDUCE_POSITION') continue;
          const r: ReducePositionAction = a;
          const key = `${r.venue}:${r.symbol}`;
          const held = venueQty.get(key);
          expect(held, `order planned for ${key} where the venue holds nothing`).toBeDefined();
          const side = positionSide(held as string);
          expect(side).not.toBe('FLAT');
          expect(r.positionQty).toBe(held);
          expect(r.reduceOnly).toBe(true);
          expect(r.type).toBe('MARKET');
          expect(r.side).toBe(side === 'LONG' ? 'SELL' : 'BUY');
          expect(r.clientOrderIds).toHaveLength(r.slices.length);
          let sum = new Big(0);
          for (const slice of r.slices) {
            expect(new Big(slice).gt(0)).toBe(true);
            sum = sum.plus(slice);
          }
          expect(sum.eq(r.qty)).toBe(true);
          taken.set(key, (taken.get(key) ?? new Big(0)).plus(sum));
        }
        // Simulate every planned order filling completely: |position| must not grow, nor flip.
        for (const [key, sum] of taken) {
          const before = new Big(venueQty.get(key) as string);
          const after = before.gt(0) ? before.minus(sum) : before.plus(sum);
          expect(after.abs().lte(before.abs())).toBe(true);
          expect(after.eq(0) || after.gt(0) === before.gt(0)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('dry run describes exactly what a real run applies', () => {
    fc.assert(
      fc.property(generatedState, policyArb, (s, p) => {
        const d = diff(s.truth, s.local, s.request, { settleMs: s.settleMs });
        const dry = plan(d, policyOf(p, true));
        const real = plan(d, policyOf(p, false));
        expect(dry.dryRun).toBe(true);
        expect(real.dryRun).toBe(false);
        expect(dry.actions).toEqual(real.actions);
        expect(describePlan(dry)).toEqual(describePlan(real));
      }),
      { numRuns: 200 },
    );
  });

  it('never writes the store backwards: nothing changed at or after collection start is settled', () => {
    fc.assert(
      fc.property(generatedState, policyArb, (s, p) => {
        const at = s.truth.collectedAt;
        const d = diff(s.truth, s.local, s.request, { settleMs: s.settleMs });
        const pl = plan(d, policyOf(p, false));
        const lateFillOrders = new Set(s.local.fills.filter((f) => f.ts >= at).map((f) => f.clientOrderId));
        const lateFillPositions = new Set(s.local.fills.filter((f) => f.ts >= at && f.market === 'FUT').map((f) => `${f.venue}:${f.symbol}`));
        const localOrder = new Map(s.local.orders.map((o) => [o.clientOrderId, o]));
        const localSnap = new Map(s.local.positions.map((x) => [`${x.venue}:${x.symbol}`, x]));
        for (const a of pl.actions) {
          if (a.kind === 'DEFER' || a.kind === 'REPORT_BALANCE') continue;
          if (a.subject === 'ORDER') {
            expect(lateFillOrders.has(a.ref)).toBe(false);
            const l = localOrder.get(a.ref);
            if (l !== undefined) expect(l.updatedAt).toBeLessThan(at);
          } else {
            expect(lateFillPositions.has(a.ref)).toBe(false);
            const l = localSnap.get(a.ref);
            if (l !== undefined) expect(l.snapshot_ts).toBeLessThan(at);
            if (a.kind === 'FIX_POSITION_SNAPSHOT' || a.kind === 'ADOPT_POSITION') expect(a.snapshot.snapshot_ts).toBe(at);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('summary counts are the item counts, one item per action', () => {
    fc.assert(
      fc.property(generatedState, policyArb, (s, p) => {
        const d = diff(s.truth, s.local, s.request, { settleMs: s.settleMs });
        const pl = plan(d, policyOf(p, false));
        const r = describePlan(pl);
        expect(r.items).toHaveLength(pl.actions.length);
        const count = (...actions: string[]): number => r.items.filter((i) => actions.includes(i.action)).length;
        expect(r.summary.adopted).toBe(count('ADOPTED'));
        expect(r.summary.closed).toBe(count('CLOSED', 'REDUCED', 'CANCELLED'));
        expect(r.summary.fixed).toBe(count('FIXED'));
        expect(r.summary.adopted + r.summary.closed + r.summary.fixed + count('REPORTED')).toBe(r.items.length);
        // Every discrepancy yields at least one action, and deferred ones only a report.
        expect(pl.actions.length).toBeGreaterThanOrEqual(d.orders.length + d.positions.length + d.balances.length);
        for (const a of pl.actions) if (a.kind === 'DEFER') expect(a.item.action).toBe('REPORTED');
        if (p.orphanPolicy === 'CONSERVATIVE') expect(r.summary.adopted).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
