import { describe, expect, it } from 'vitest';
import { parseIntent } from '../domain/intent.js';
import { parseReconcileRequest, type ReconcileRequestInput } from '../domain/reconcile.js';
import { UnknownOutcomeError } from '../errors.js';
import { applyPlan, RECONCILE_ACTION_FAILED, type ApplyDeps } from './apply.js';
import { diff } from './diff.js';
import { loadLocal } from './local-loader.js';
import { plan } from './plan.js';
import type { ReconcilePlan, ReducePositionAction } from './planned-action.js';
import { intercept, orphanPosition, pendingIntent, reconcileKit, SETTLED_MS, type ReconcileKit } from './reconcile-test-kit.test-data.js';
import { collectTruth } from './truth-loader.js';

/** The plan a run would make now, built from the pure steps (step from the venue's instrument). */
async function planNow(kit: ReconcileKit, input: ReconcileRequestInput = {}): Promise<ReconcilePlan> {
  const request = parseReconcileRequest(input);
  const { truth } = await collectTruth(kit.venue, request, kit.clock);
  const local = await loadLocal(kit.store, request, truth.collectedAt);
  return plan(diff(truth, local, request), { orphanPolicy: request.orphan_policy, dryRun: request.dry_run, now: kit.clock.now(), stepFor: () => '0.001' });
}

function deps(kit: ReconcileKit, extra: Partial<ApplyDeps> = {}): ApplyDeps {
  return { connector: kit.venue, store: kit.store, sink: kit.sink, clock: kit.clock, lifecycle: kit.lifecycle, ...extra };
}

async function held(kit: ReconcileKit): Promise<string> {
  return (await kit.connector.positions('BTCUSDT'))[0]?.qty ?? '0';
}

function reconcileOrders(kit: ReconcileKit): Promise<string[]> {
  return kit.connector.orderHistory('FUT', 'BTCUSDT').then((os) => os.filter((o) => o.clientOrderId.startsWith('rc-')).map((o) => `${o.clientOrderId}:${o.qty}`));
}

describe('applyPlan: reductions never add exposure', () => {
  it('caps a close at what is held at apply time', async () => {
    const kit = await reconcileKit();
    await orphanPosition(kit.connector, 'BUY', '0.01');
    await kit.clock.tickAsync(SETTLED_MS);
    const p = await planNow(kit);
    expect(p.actions.map((a) => a.kind)).toEqual(['CLOSE_POSITION']);
    // Between planning and applying, something else sells 0.006.
    await kit.connector.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: '0.006', reduceOnly: true, postOnly: false, clientOrderId: 'other' });

    const r = await applyPlan(p, deps(kit));

    expect(r.items.map((i) => i.action)).toEqual(['CLOSED']);
    expect(await held(kit)).toBe('0');
    const sent = (await kit.connector.orderHistory('FUT', 'BTCUSDT')).filter((o) => o.clientOrderId.startsWith('rc-'));
    expect(sent.map((o) => [o.qty, o.reduceOnly, o.side])).toEqual([['0.004', true, 'SELL']]);
  });

  it('sends nothing when the position is already flat or flipped, and reports it', async () => {
    const kit = await reconcileKit();
    await orphanPosition(kit.connector, 'BUY', '0.01');
    await kit.clock.tickAsync(SETTLED_MS);
    const p = await planNow(kit);
    // Flipped to short by someone else: closing "the long" now would add to the short.
    await kit.connector.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: '0.02', postOnly: false, reduceOnly: false, clientOrderId: 'flip' });

    const r = await applyPlan(p, deps(kit));

    expect(r.items).toEqual([expect.objectContaining({ action: 'REPORTED', reason: expect.stringContaining('venue holds -0.01 at apply time: nothing sent') })]);
    expect(r.failed).toBe(0);
    expect(await held(kit)).toBe('-0.01');
    expect(await reconcileOrders(kit)).toEqual([]);
    expect(kit.sink.payloads('alerts')).toEqual([]);
  });

  it('a replayed plan does not resend a slice the venue already has', async () => {
    const kit = await reconcileKit();
    await orphanPosition(kit.connector, 'BUY', '0.05');
    await kit.clock.tickAsync(SETTLED_MS);
    const p = await planNow(kit);
    const close = p.actions[0] as ReducePositionAction;
    expect(close.slices).toEqual(['0.015', '0.015', '0.015', '0.005']);
    // A first apply died right after its first slice landed (the store never heard of it).
    await kit.connector.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: '0.015', reduceOnly: true, postOnly: false, clientOrderId: close.clientOrderIds[0]! });

    const r = await applyPlan(p, deps(kit));

    expect(r.items.map((i) => i.action)).toEqual(['CLOSED']);
    expect(await held(kit)).toBe('0');
    expect(await reconcileOrders(kit)).toEqual(close.clientOrderIds.map((id, i) => `${id}:${close.slices[i]}`));
    expect((await kit.store.getOrder(close.clientOrderIds[0]!))?.status).toBe('FILLED');
  });

  it('a trim keeps what the intents explain, even if the position shrank meanwhile', async () => {
    const kit = await reconcileKit();
    await pendingIntent(kit, { intent_id: 'held', qty: 0.002 }, ['held-mkt']);
    await orphanPosition(kit.connector, 'BUY', '0.002', 'held-mkt');
    await kit.lifecycle.transition('held', 'ACTIVE');
    await orphanPosition(kit.connector, 'BUY', '0.003', 'extra');
    await kit.clock.tickAsync(SETTLED_MS);
    const p = await planNow(kit);
    expect(p.actions.map((a) => [a.kind, a.kind === 'REDUCE_POSITION' ? a.qty : ''])).toEqual([
      ['FIX_POSITION_SNAPSHOT', ''],
      ['REDUCE_POSITION', '0.003'],
    ]);
    await kit.connector.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: '0.001', reduceOnly: true, postOnly: false, clientOrderId: 'shrink' });

    const r = await applyPlan(p, deps(kit));

    expect(r.items.map((i) => i.action)).toEqual(['FIXED', 'REDUCED']);
    expect(await held(kit)).toBe('0.002');
    expect((await kit.store.latestPositions()).map((s) => s.qty)).toEqual(['0.002']);
    expect(kit.sink.payloads('alerts')).toEqual([expect.objectContaining({ level: 'ERROR', code: 'POSITION_REDUCED' })]);
  });

  it('an unknown outcome stops the slices without resending: FAILED with an ERROR alert', async () => {
    const kit = await reconcileKit();
    await orphanPosition(kit.connector, 'BUY', '0.05');
    await kit.clock.tickAsync(SETTLED_MS);
    const p = await planNow(kit);
    const venue = intercept(kit.venue, {
      placeOrder: async () => {
        throw new UnknownOutcomeError('timed out');
      },
    });

    const r = await applyPlan(p, deps(kit, { connector: venue }));

    expect(r.failed).toBe(1);
    expect(r.items[0]).toMatchObject({ action: 'FAILED', reason: expect.stringContaining('UNKNOWN_OUTCOME') });
    expect(venue.calls.get('placeOrder')).toBe(1);
    expect(kit.sink.payloads('alerts')).toEqual([expect.objectContaining({ level: 'ERROR', code: RECONCILE_ACTION_FAILED })]);
    expect((await kit.store.listStrategyEvents({ kind: 'ORPHAN_CLOSED' })).length).toBe(0);
  });
});

describe('applyPlan: store fixes', () => {
  it('adoption waits for an intent that moved on since the plan', async () => {
    const kit = await reconcileKit();
    await pendingIntent(kit, { intent_id: 'i-1' }, ['i-1-mkt']);
    await orphanPosition(kit.connector, 'BUY', '0.002', 'i-1-mkt');
    await kit.clock.tickAsync(SETTLED_MS);
    const p = await planNow(kit, { orphan_policy: 'RECLAIM_IF_SAFE' });
    expect(p.actions.map((a) => a.kind)).toEqual(['ADOPT_POSITION']);
    await kit.lifecycle.transition('i-1', 'ACTIVE'); // the executor's resume got there first

    const r = await applyPlan(p, deps(kit));

    expect(r.items).toEqual([expect.objectContaining({ action: 'REPORTED', reason: expect.stringContaining('intent is ACTIVE now') })]);
    expect(await kit.store.latestPositions()).toEqual([]);
    expect(await kit.store.listStrategyEvents({ kind: 'RECONCILE_ADOPTED' })).toEqual([]);
  });

  it('a stale position is stored flat and its intent RECONCILED only once the venue confirms flat', async () => {
    const kit = await reconcileKit();
    const intent = parseIntent({ intent_id: 'gone', market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.002, exec_policy: 'Market' });
    await kit.lifecycle.begin(intent);
    await kit.lifecycle.transition('gone', 'ACTIVE');
    const [flat] = await kit.connector.positions('BTCUSDT');
    await kit.store.addPositionSnapshots([{ ...flat!, qty: '0.002', entryPrice: '65000', snapshot_ts: kit.clock.now(), intent_id: 'gone' }]);
    await kit.clock.tickAsync(SETTLED_MS);
    const p = await planNow(kit);
    expect(p.actions.map((a) => a.kind)).toEqual(['FIX_POSITION_SNAPSHOT']);

    // First attempt: the venue shows a position again by apply time → nothing written.
    await orphanPosition(kit.connector, 'BUY', '0.002');
    const first = await applyPlan(p, deps(kit));
    expect(first.items[0]).toMatchObject({ action: 'REPORTED' });
    expect((await kit.store.getIntent('gone'))?.state).toBe('ACTIVE');

    // Second attempt: flat again → stored flat, intent settled.
    await kit.connector.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: '0.002', reduceOnly: true, postOnly: false, clientOrderId: 'flat-again' });
    const second = await applyPlan(p, deps(kit));
    expect(second.items[0]).toMatchObject({ type: 'STALE_POS', action: 'FIXED' });
    expect((await kit.store.latestPositions()).map((s) => s.qty)).toEqual(['0']);
    expect((await kit.store.getIntent('gone'))?.state).toBe('RECONCILED');
    expect((await kit.store.listStrategyEvents({ intentId: 'gone' })).map((e) => e.kind)).toEqual(['INTENT_STATE', 'INTENT_STATE', 'INTENT_STATE', 'RECONCILE_FIXED']);
  });

  it('a dry-run plan is not applied; every item publishes strategy:reconciled; the last-run hook gets the finish time', async () => {
    const kit = await reconcileKit();
    await orphanPosition(kit.connector, 'BUY', '0.002');
    await kit.clock.tickAsync(SETTLED_MS);
    const dry = await planNow(kit, { dry_run: true });
    const seen: number[] = [];
    const lastRun = { set: (ts: number) => seen.push(ts) };
    expect(await applyPlan(dry, deps(kit, { lastRun }))).toEqual({ items: dry.actions.map((a) => a.item), failed: 0, alerts: [] });
    expect(kit.sink.all()).toEqual([]);
    expect(seen).toEqual([]);

    // A failing hook is logged, not thrown.
    const failing = { set: async () => Promise.reject(new Error('redis down')) };
    const real = await planNow(kit);
    await expect(applyPlan(real, deps(kit, { lastRun: failing }))).resolves.toMatchObject({ failed: 0 });
    await applyPlan(await planNow(kit), deps(kit, { lastRun }));
    expect(seen).toEqual([kit.clock.now()]);
    expect(kit.sink.payloads('strategy:reconciled')).toEqual([{ kind: 'POSITION', action: 'CLOSED', ref: 'paper:BTCUSDT', ts: kit.clock.now() }]);
  });

  it('an action for a venue no connector serves is FAILED, the rest still applied', async () => {
    const kit = await reconcileKit();
    await orphanPosition(kit.connector, 'BUY', '0.002');
    await kit.clock.tickAsync(SETTLED_MS);
    const p = await planNow(kit);
    const r = await applyPlan(p, deps(kit, { connector: intercept(kit.venue, { venue: 'elsewhere' }) }));
    expect(r.items[0]).toMatchObject({ action: 'FAILED', reason: expect.stringContaining('RECONCILE_NO_CONNECTOR') });
    expect(await held(kit)).toBe('0.002');
  });
});
