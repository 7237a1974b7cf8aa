import { describe, expect, it } from 'vitest';
import { ClientOrderId } from '../domain/order.js';
import { ReconcileResponse } from '../domain/reconcile.js';
import { ValidationError } from '../errors.js';
import { describePlan } from './describe-plan.js';
import { diff } from './diff.js';
import type { LocalState } from './local.js';
import { plan, reconcileOrderId, type PlanPolicy } from './plan.js';
import { setMetrics } from './set-metrics.js';
import type { PlannedAction } from './planned-action.js';
import { intentRecord, localOf, localOrder, OLD, snapshot, T, truthOf, venueOrder, venuePosition } from './states.test-data.js';
import type { VenueTruth } from './truth.js';
import type { IntentRecord } from '../sinks/store.js';

const NOW = T + 2_000;
const conservative: PlanPolicy = { orphanPolicy: 'CONSERVATIVE', dryRun: false, now: NOW };
const reclaim: PlanPolicy = { orphanPolicy: 'RECLAIM_IF_SAFE', dryRun: false, now: NOW };

function planOf(truth: VenueTruth, local: LocalState, policy: PlanPolicy = conservative): PlannedAction[] {
  return plan(diff(truth, local, { mode: 'ALL' }), policy).actions;
}

/** The action type whose `kind` can be K (the reduce action has two kinds). */
type ActionOf<K> = PlannedAction extends infer A ? (A extends { kind: infer Q } ? (K extends Q ? A : never) : never) : never;

function only<K extends PlannedAction['kind']>(actions: PlannedAction[], kind: K): ActionOf<K> {
  const found = actions.filter((a) => a.kind === kind);
  expect(found, `one ${kind} in ${actions.map((a) => a.kind).join(',')}`).toHaveLength(1);
  return found[0] as ActionOf<K>;
}

describe('plan: orders', () => {
  it('cancels an untracked orphan order and alerts', () => {
    const a = only(planOf(truthOf({ openOrders: [venueOrder({ clientOrderId: 'x', venueOrderId: '99' })] }), localOf()), 'CANCEL_ORDER');
    expect(a.order).toEqual({ venue: 'test', market: 'FUT', symbol: 'BTCUSDT', clientOrderId: 'x', venueOrderId: '99' });
    expect(a.item).toEqual({
      type: 'ORPHAN_ORDER',
      action: 'CANCELLED',
      order_id: 'x',
      symbol: 'BTCUSDT',
      market: 'FUT',
      reason: 'venue works BUY 0.01 (NEW); store has no record → cancel (untracked order)',
    });
    expect(a.alert).toMatchObject({ level: 'WARN', code: 'ORPHAN_ORDER_CANCELLED', ts: NOW });
  });

  it('stores, not cancels, an orphan order an unfinished intent claims', () => {
    const a = only(
      planOf(truthOf({ openOrders: [venueOrder({ clientOrderId: 'mine' })] }), localOf({ intents: [intentRecord({ intent_id: 'i-9', client_order_ids: ['mine'] })] })),
      'WRITE_ORDER',
    );
    expect(a.record).toMatchObject({ clientOrderId: 'mine', intent_id: 'i-9', status: 'NEW' });
    expect(a.item.action).toBe('FIXED');
  });

  it('cancels an order the store has final but the venue still works, and one on the wrong side', () => {
    const actions = planOf(
      truthOf({ openOrders: [venueOrder({ clientOrderId: 'a' }), venueOrder({ clientOrderId: 'b', side: 'SELL' })] }),
      localOf({ orders: [localOrder({ clientOrderId: 'a', status: 'CANCELED' }), localOrder({ clientOrderId: 'b' })] }),
    );
    expect(actions.map((a) => [a.kind, a.item.type, a.alert?.code])).toEqual([
      ['CANCEL_ORDER', 'STATUS_MISMATCH', 'UNTRACKED_ORDER_CANCELLED'],
      ['CANCEL_ORDER', 'SIDE_MISMATCH', 'UNTRACKED_ORDER_CANCELLED'],
    ]);
    expect(actions[1]).toMatchObject({ intentId: 'i-1' });
  });

  it('fixes a quantity or status mismatch from the venue, keeping the intent links', () => {
    const a = only(
      planOf(
        truthOf({ openOrders: [venueOrder({ filledQty: '0.004', status: 'PARTIALLY_FILLED', updatedAt: OLD + 5 })] }),
        localOf({ orders: [localOrder({ intent_id: 'i-7', leg: 'maker' })] }),
      ),
      'WRITE_ORDER',
    );
    expect(a.record).toMatchObject({ filledQty: '0.004', status: 'PARTIALLY_FILLED', intent_id: 'i-7', leg: 'maker', updatedAt: OLD + 5 });
    expect(a.item).toMatchObject({ type: 'QTY_MISMATCH', action: 'FIXED' });
  });

  it('confirms a stale order before closing it, with the record to write if the venue does not know it', () => {
    const local = localOrder({ clientOrderId: 'gone' });
    const a = only(planOf(truthOf(), localOf({ orders: [local] })), 'CONFIRM_THEN_FIX_ORDER');
    expect(a.order.clientOrderId).toBe('gone');
    expect(a.local).toBe(local);
    expect(a.ifNotFound).toEqual({ ...local, status: 'CANCELED', updatedAt: T });
    expect(a.item).toMatchObject({ type: 'STALE_ORDER', action: 'FIXED' });
  });

  it('defers what changed during the run: a report, no I/O', () => {
    const a = only(planOf(truthOf(), localOf({ orders: [localOrder({ updatedAt: T + 1 })] })), 'DEFER');
    expect(a.item).toMatchObject({ type: 'STALE_ORDER', action: 'REPORTED' });
    expect(a.reason).toMatch(/^changed during run/);
    expect(a.item.reason).toContain('deferred: changed during run');
  });
});

describe('plan: positions', () => {
  const leftover = intentRecord({ intent_id: 'i-1', qty: '0.02', client_order_ids: ['entry-1', 'entry-2', 'lost'] });
  const crash = {
    truth: truthOf({
      positions: [venuePosition({ qty: '0.02', markPrice: '50000' })],
      openOrders: [venueOrder({ clientOrderId: 'entry-2' }), venueOrder({ clientOrderId: 'sl', side: 'SELL', reduceOnly: true, type: 'STOP_MARKET' })],
    }),
    local: localOf({ orders: [localOrder({ clientOrderId: 'entry-1', status: 'FILLED', filledQty: '0.01' })], intents: [leftover] }),
  };

  it('adopts a PENDING_ENTRY crash leftover under RECLAIM_IF_SAFE: snapshot, ACTIVE intent, orders, event — no trade', () => {
    const actions = plan(diff(crash.truth, crash.local, { mode: 'POSITIONS' }), reclaim).actions;
    const a = only(actions, 'ADOPT_POSITION');
    expect(actions.some((x) => x.kind === 'CLOSE_POSITION' || x.kind === 'REDUCE_POSITION')).toBe(false);
    expect(a.snapshot).toMatchObject({ qty: '0.02', intent_id: 'i-1', snapshot_ts: T });
    expect(a.intent).toMatchObject({ intent_id: 'i-1', state: 'ACTIVE', updated_at: NOW });
    expect(a.orders.map((o) => [o.clientOrderId, o.intent_id])).toEqual([['entry-2', 'i-1']]);
    expect(a.fetchOrderIds).toEqual(['lost']);
    expect(a.events).toEqual([
      {
        event_id: 'i-1:ACTIVE',
        kind: 'RECONCILE_ADOPTED',
        intent_id: 'i-1',
        state: 'ACTIVE',
        from_state: 'PENDING_ENTRY',
        symbol: 'BTCUSDT',
        market: 'FUT',
        payload: { venue: 'test', qty: '0.02', entryPrice: '65000', reconcile: true },
        ts: NOW,
      },
    ]);
    expect(a.item).toMatchObject({ type: 'ORPHAN_POS', action: 'ADOPTED', symbol: 'BTCUSDT', market: 'FUT' });
  });

  it('closes the same orphan under CONSERVATIVE: reduce-only market slices, entry orders cancelled first, ERROR alert', () => {
    const a = only(plan(diff(crash.truth, crash.local, { mode: 'POSITIONS' }), { ...conservative, maxSliceNotionalUsdt: '400' }).actions, 'CLOSE_POSITION');
    // 400 USDT at mark 50 000 is 0.008: below one step of 0.02's own grid (0.01, no venue step
    // given), so each slice is one step.
    expect(a).toMatchObject({ venue: 'test', symbol: 'BTCUSDT', positionQty: '0.02', side: 'SELL', type: 'MARKET', reduceOnly: true, qty: '0.02', slices: ['0.01', '0.01'] });
    expect(a.clientOrderIds).toEqual([`rc-${T.toString(36)}-cBTCUSDT-0`, `rc-${T.toString(36)}-cBTCUSDT-1`]);
    expect(a.cancelFirst.map((o) => o.clientOrderId)).toEqual(['entry-2']);
    expect(a.alert).toMatchObject({ level: 'ERROR', code: 'ORPHAN_CLOSED', message: 'orphan closed' });
    expect(a.events[0]).toMatchObject({ kind: 'ORPHAN_CLOSED', event_id: `reconcile:${T}:ORPHAN_CLOSED:test:BTCUSDT` });
    expect(a.item.reason).toContain('policy CONSERVATIVE');
  });

  it('uses the venue step when given, so slices land on its grid', () => {
    const d = diff(crash.truth, crash.local, { mode: 'POSITIONS' });
    const a = only(plan(d, { ...conservative, maxSliceNotionalUsdt: '400', stepFor: () => '0.001' }).actions, 'CLOSE_POSITION');
    expect(a.slices).toEqual(['0.008', '0.008', '0.004']);
  });

  it('closes under RECLAIM_IF_SAFE when no safe leftover exists (a short, and an intent too small)', () => {
    const actions = planOf(
      truthOf({ positions: [venuePosition({ qty: '-0.5', markPrice: '10' }), venuePosition({ symbol: 'ETHUSDT', qty: '3', markPrice: '10' })] }),
      localOf({ intents: [intentRecord({ symbol: 'ETHUSDT', qty: '2' })] }),
      reclaim,
    );
    expect(actions.map((a) => [a.kind, a.item.symbol, a.kind === 'CLOSE_POSITION' ? a.side : '', a.kind === 'CLOSE_POSITION' ? a.qty : ''])).toEqual([
      ['CLOSE_POSITION', 'BTCUSDT', 'BUY', '0.5'],
      ['CLOSE_POSITION', 'ETHUSDT', 'SELL', '3'],
    ]);
    expect(actions[0]?.item.reason).toContain('no single PENDING_ENTRY intent');
  });

  it('stores a stale position as flat after confirmation and settles the intents that held it', () => {
    const a = only(
      planOf(truthOf(), localOf({ positions: [snapshot({ qty: '0.01', isolatedMargin: '5' })], intents: [intentRecord({ intent_id: 'h', state: 'ACTIVE' })] })),
      'FIX_POSITION_SNAPSHOT',
    );
    expect(a.confirmFlat).toBe(true);
    expect(a.snapshot).toMatchObject({ qty: '0', entryPrice: '0', unrealizedPnl: '0', snapshot_ts: T, updatedAt: T });
    expect(a.snapshot.isolatedMargin).toBeUndefined();
    expect(a.settleIntents).toEqual([expect.objectContaining({ intent_id: 'h', state: 'RECONCILED', updated_at: NOW })]);
    expect(a.events).toEqual([expect.objectContaining({ event_id: 'h:RECONCILED', state: 'RECONCILED', from_state: 'ACTIVE', kind: 'RECONCILE_FIXED' })]);
    expect(a.item).toMatchObject({ type: 'STALE_POS', action: 'FIXED' });
  });

  describe('quantity mismatch: the venue is the truth, never traded toward the store', () => {
    const truth = truthOf({ positions: [venuePosition({ qty: '0.05', markPrice: '100' })] });
    const local = localOf({ positions: [snapshot({ qty: '0.01', intent_id: 'h' })], intents: [intentRecord({ intent_id: 'h', state: 'ACTIVE', qty: '0.03' })] });

    it('fixes the store and, under CONSERVATIVE, reduces only the excess no intent explains', () => {
      const withOrders = truthOf({
        positions: truth.positions,
        openOrders: [venueOrder({ clientOrderId: 'claimed' }), venueOrder({ clientOrderId: 'stray' }), venueOrder({ clientOrderId: 'exit', side: 'SELL' })],
      });
      const claiming = localOf({ ...local, orders: [localOrder({ clientOrderId: 'claimed' }), localOrder({ clientOrderId: 'stray' }), localOrder({ clientOrderId: 'exit', side: 'SELL' })], intents: [{ ...(local.intents[0] as IntentRecord), client_order_ids: ['claimed'] }] });
      const trim = only(planOf(withOrders, claiming), 'REDUCE_POSITION');
      // Only the same-side order no intent claims could rebuild the excess.
      expect(trim.cancelFirst.map((o) => o.clientOrderId)).toEqual(['stray']);
      const actions = planOf(truth, local);
      expect(actions.map((a) => a.kind)).toEqual(['FIX_POSITION_SNAPSHOT', 'REDUCE_POSITION']);
      const fix = only(actions, 'FIX_POSITION_SNAPSHOT');
      expect(fix.snapshot).toMatchObject({ qty: '0.05', intent_id: 'h', snapshot_ts: T });
      expect(fix.confirmFlat).toBe(false);
      const red = only(actions, 'REDUCE_POSITION');
      expect(red).toMatchObject({ qty: '0.02', side: 'SELL', reduceOnly: true, slices: ['0.02'] });
      expect(red.item).toMatchObject({ type: 'QTY_MISMATCH', action: 'REDUCED' });
      expect(red.alert?.code).toBe('POSITION_REDUCED');
    });

    it('only fixes the store under RECLAIM_IF_SAFE, or when intents explain the whole position', () => {
      expect(planOf(truth, local, reclaim).map((a) => a.kind)).toEqual(['FIX_POSITION_SNAPSHOT']);
      const explained = localOf({ positions: [snapshot({ qty: '0.01' })], intents: [intentRecord({ state: 'ACTIVE', qty: '0.05' })] });
      expect(planOf(truth, explained).map((a) => a.kind)).toEqual(['FIX_POSITION_SNAPSHOT']);
    });

    it('does not trim what an entry still in progress accounts for', () => {
      const entering = localOf({
        positions: [snapshot({ qty: '0.01', intent_id: 'h' })],
        intents: [intentRecord({ intent_id: 'h', state: 'ACTIVE', qty: '0.03' }), intentRecord({ intent_id: 'e', state: 'PENDING_ENTRY', qty: '0.02' })],
      });
      expect(planOf(truth, entering).map((a) => a.kind)).toEqual(['FIX_POSITION_SNAPSHOT']);
    });

    it('never trades when the venue holds less than the store believes', () => {
      const smaller = truthOf({ positions: [venuePosition({ qty: '0.005' })] });
      expect(planOf(smaller, local).map((a) => a.kind)).toEqual(['FIX_POSITION_SNAPSHOT']);
    });

    it('reduces a flipped side nobody explains completely', () => {
      const flipped = truthOf({ positions: [venuePosition({ qty: '-0.05', markPrice: '100' })] });
      const actions = planOf(flipped, local);
      expect(actions.map((a) => [a.kind, a.item.type])).toEqual([
        ['FIX_POSITION_SNAPSHOT', 'SIDE_MISMATCH'],
        ['REDUCE_POSITION', 'SIDE_MISMATCH'],
      ]);
      expect(only(actions, 'REDUCE_POSITION')).toMatchObject({ side: 'BUY', qty: '0.05' });
    });
  });
});

describe('plan: balances and policy', () => {
  it('reports a balance mismatch with a WARN alert and changes nothing', () => {
    const actions = plan(
      diff(truthOf({ balances: [] }), localOf({ expectedBalances: [{ venue: 'test', market: 'SPOT', asset: 'OP', free: '1', locked: '0' }] }), { mode: 'HOLDINGS' }),
      conservative,
    ).actions;
    const a = only(actions, 'REPORT_BALANCE');
    expect(a.item).toEqual({ type: 'BALANCE_MISMATCH', action: 'REPORTED', market: 'SPOT', reason: 'test SPOT OP total venue 0, expected 1 (difference -1) → report' });
    expect(a.alert).toMatchObject({ level: 'WARN', code: 'BALANCE_MISMATCH', details: { asset: 'OP', difference: '-1' } });
  });

  it('rejects bad slice limits and a missing time', () => {
    const d = diff(truthOf({ positions: [venuePosition()] }), localOf(), { mode: 'ALL' });
    expect(() => plan(d, { ...conservative, closeSliceQty: '0' })).toThrow(ValidationError);
    expect(() => plan(d, { ...conservative, now: Number.NaN })).toThrow(ValidationError);
  });
});

describe('describePlan', () => {
  it('summarises the plan and validates as a ReconcileResponse; a dry run reads the same', () => {
    const truth = truthOf({
      openOrders: [venueOrder({ clientOrderId: 'ok' }), venueOrder({ clientOrderId: 'orphan' })],
      positions: [venuePosition({ qty: '0.02' }), venuePosition({ symbol: 'ETHUSDT', qty: '1' })],
    });
    const local = localOf({
      orders: [localOrder({ clientOrderId: 'ok' }), localOrder({ clientOrderId: 'stale' })],
      positions: [snapshot({ symbol: 'ETHUSDT', qty: '1' }), snapshot({ symbol: 'SOLUSDT', qty: '4' })],
      intents: [intentRecord({ qty: '0.02' })],
    });
    const d = diff(truth, local, { mode: 'ALL' });
    const r = describePlan(plan(d, reclaim));
    expect(ReconcileResponse.parse(r)).toEqual(r);
    expect(r.items.map((i) => [i.type, i.action])).toEqual([
      ['ORPHAN_ORDER', 'CANCELLED'],
      ['STALE_ORDER', 'FIXED'],
      ['ORPHAN_POS', 'ADOPTED'],
      ['STALE_POS', 'FIXED'],
    ]);
    expect(r.summary).toEqual({
      checked_orders: 3,
      checked_positions: 3,
      adopted: 1,
      closed: 1,
      fixed: 2,
      jaccard_orders: 1 / 3,
      jaccard_positions: 1 / 3,
      consistency_rate: 2 / 6,
      symmetric_diff: 4,
    });
    expect(describePlan(plan(d, { ...reclaim, dryRun: true }))).toEqual(r);
  });

  it('leaves out the metrics of checks the mode skipped', () => {
    const r = describePlan(plan(diff(truthOf(), localOf(), { mode: 'HOLDINGS' }), conservative));
    expect(r.summary).toEqual({ checked_orders: 0, checked_positions: 0, adopted: 0, closed: 0, fixed: 0, consistency_rate: 1, symmetric_diff: 0 });
  });
});

describe('setMetrics', () => {
  it('computes the set measures from sizes and rejects impossible ones', () => {
    expect(setMetrics(3, 2, 1)).toEqual({ venue: 3, local: 2, intersection: 1, union: 4, jaccard: 0.25, symmetricDifference: 3 });
    expect(setMetrics(0, 0, 0)).toMatchObject({ union: 0, jaccard: 1, symmetricDifference: 0 });
    expect(() => setMetrics(1, 2, 2)).toThrow(ValidationError);
    expect(() => setMetrics(1, 1, -1)).toThrow(ValidationError);
  });
});

describe('reconcileOrderId', () => {
  it('is a valid client order id of at most 36 chars, hashing long symbols', () => {
    const short = reconcileOrderId(T, 'CLOSE_POSITION', 'BTCUSDT', 3);
    const long = reconcileOrderId(T, 'REDUCE_POSITION', '1000000MOGUSDT1000000MOGUSDT', 19);
    expect(short).toBe(`rc-${T.toString(36)}-cBTCUSDT-3`);
    expect(long.length).toBeLessThanOrEqual(36);
    expect(ClientOrderId.safeParse(short).success && ClientOrderId.safeParse(long).success).toBe(true);
    expect(reconcileOrderId(T, 'REDUCE_POSITION', '1000000MOGUSDT1000000MOGUSDT', 19)).toBe(long);
  });
});
