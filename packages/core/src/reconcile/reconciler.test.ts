/**
 * Contract tests of s5-reconciler §12 on the paper venue and the in-memory store:
 * dry_run reports only; an adoptable orphan → ADOPTED and written; a non-adoptable orphan →
 * CLOSED with an alert; mode ORDERS checks only orders. Plus the run-level rules: failed cancels,
 * health, the start-up gate, serialisation, several venues.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { VenueError } from '../errors.js';
import { reconcileHealth } from '../health/reconcile-health.js';
import { RECONCILE_CANCEL_FAILED } from './apply.js';
import { isBadReconcileResult, RECONCILE_REPEATED_FAILURE, RECONCILE_TRUTH_PARTIAL, Reconciler } from './reconciler.js';
import { intercept, orphanOrder, orphanPosition, pendingIntent, reconcileKit, SETTLED_MS, T0, type ReconcileKit } from './reconcile-test-kit.test-data.js';

function reconciler(kit: ReconcileKit, extra: Partial<ConstructorParameters<typeof Reconciler>[0]> = {}): Reconciler {
  return new Reconciler({ connector: kit.venue, store: kit.store, sink: kit.sink, clock: kit.clock, lifecycle: kit.lifecycle, ...extra });
}

async function futPosition(kit: ReconcileKit): Promise<string> {
  return (await kit.connector.positions('BTCUSDT'))[0]?.qty ?? '0';
}

describe('Reconciler contract (s5 §12)', () => {
  it('dry_run reports the same plan a real run then carries out, and changes nothing', async () => {
    const kit = await reconcileKit();
    await orphanOrder(kit.connector, 'orphan-1');
    await orphanPosition(kit.connector, 'BUY', '0.003');
    await kit.clock.tickAsync(SETTLED_MS);
    const r = reconciler(kit);

    const dry = await r.reconcile({ dry_run: true });
    expect(dry.dry_run).toBe(true);
    expect(dry.items.map((i) => [i.type, i.action, i.order_id ?? i.symbol])).toEqual([
      ['ORPHAN_ORDER', 'CANCELLED', 'orphan-1'],
      ['ORPHAN_POS', 'CLOSED', 'BTCUSDT'],
    ]);
    expect(dry.summary).toMatchObject({ checked_orders: 1, checked_positions: 1, adopted: 0, closed: 2, fixed: 0, jaccard_orders: 0, jaccard_positions: 0 });
    // Nothing changed anywhere: venue, store, streams, health state.
    expect((await kit.connector.openOrders('FUT')).map((o) => o.clientOrderId)).toEqual(['orphan-1']);
    expect(await futPosition(kit)).toBe('0.003');
    expect(await kit.store.listOrders()).toEqual([]);
    expect(await kit.store.listStrategyEvents()).toEqual([]);
    expect(await kit.store.latestPositions()).toEqual([]);
    expect(kit.sink.all()).toEqual([]);
    expect(r.lastRun).toBeUndefined();
    expect(r.lastRunTs).toBeUndefined();
    expect(r.isReady).toBe(false);

    const real = await r.reconcile({});
    expect(real.dry_run).toBe(false);
    expect(real.items).toEqual(dry.items);
    expect(real.summary).toEqual(dry.summary);
    expect(await kit.connector.openOrders('FUT')).toEqual([]);
    expect(await futPosition(kit)).toBe('0');
  });

  it('an adoptable orphan (PENDING_ENTRY crash leftover, RECLAIM_IF_SAFE) → ADOPTED and written', async () => {
    const kit = await reconcileKit();
    // The intent persisted its client order id, the MARKET order filled, then the process died.
    await pendingIntent(kit, { intent_id: 'i-1', qty: 0.002 }, ['i-1-mkt']);
    const entry = await orphanPosition(kit.connector, 'BUY', '0.002', 'i-1-mkt');
    await kit.clock.tickAsync(SETTLED_MS);
    const before = (await kit.connector.orderHistory('FUT', 'BTCUSDT')).length;

    const res = await reconciler(kit).reconcile({ orphan_policy: 'RECLAIM_IF_SAFE' });

    expect(res.items).toEqual([{ type: 'ORPHAN_POS', action: 'ADOPTED', symbol: 'BTCUSDT', market: 'FUT', reason: expect.stringContaining('intent i-1') }]);
    expect(res.summary).toMatchObject({ adopted: 1, closed: 0, fixed: 0 });
    // Written: the intent is ACTIVE, its order and the venue's position are in the store.
    expect((await kit.store.getIntent('i-1'))?.state).toBe('ACTIVE');
    expect(await kit.store.getOrder('i-1-mkt')).toMatchObject({ intent_id: 'i-1', status: 'FILLED', filledQty: '0.002', venueOrderId: entry.venueOrderId });
    expect((await kit.store.latestPositions()).map((p) => [p.symbol, p.qty, p.intent_id])).toEqual([['BTCUSDT', '0.002', 'i-1']]);
    const kinds = (await kit.store.listStrategyEvents({ intentId: 'i-1' })).map((e) => [e.kind, e.state ?? null]);
    expect(kinds).toEqual([
      ['INTENT_STATE', 'PENDING_ENTRY'],
      ['INTENT_STATE', 'ACTIVE'],
      ['RECONCILE_ADOPTED', 'ACTIVE'],
      ['RECONCILE_POSITION', null],
    ]);
    // Adopting trades nothing.
    expect(await futPosition(kit)).toBe('0.002');
    expect((await kit.connector.orderHistory('FUT', 'BTCUSDT')).length).toBe(before);
    expect(kit.sink.payloads('strategy:reconciled')).toEqual([{ kind: 'POSITION', action: 'ADOPTED', ref: 'paper:BTCUSDT', ts: T0 + SETTLED_MS }]);
    expect(kit.sink.payloads('alerts')).toEqual([]);
  });

  it('a non-adoptable orphan → CLOSED in reduce-only MARKET slices, with an ERROR "orphan closed" alert', async () => {
    const kit = await reconcileKit();
    await orphanPosition(kit.connector, 'SELL', '0.05');
    await kit.clock.tickAsync(SETTLED_MS);

    const res = await reconciler(kit).reconcile({ orphan_policy: 'RECLAIM_IF_SAFE' });

    expect(res.items).toEqual([{ type: 'ORPHAN_POS', action: 'CLOSED', symbol: 'BTCUSDT', market: 'FUT', reason: expect.stringContaining('no single PENDING_ENTRY intent') }]);
    expect(await futPosition(kit)).toBe('0');
    // 0.05 BTC at ~65 000 in ≤ 1 000 USDT slices on the 0.001 step: 0.015 ×3 + 0.005.
    const sent = (await kit.connector.orderHistory('FUT', 'BTCUSDT')).filter((o) => o.clientOrderId.startsWith('rc-'));
    expect(sent.map((o) => [o.side, o.type, o.reduceOnly, o.qty, o.status])).toEqual([
      ['BUY', 'MARKET', true, '0.015', 'FILLED'],
      ['BUY', 'MARKET', true, '0.015', 'FILLED'],
      ['BUY', 'MARKET', true, '0.015', 'FILLED'],
      ['BUY', 'MARKET', true, '0.005', 'FILLED'],
    ]);
    const alerts = kit.sink.payloads('alerts');
    expect(alerts).toEqual([expect.objectContaining({ level: 'ERROR', code: 'ORPHAN_CLOSED', message: 'orphan closed', source: 'reconcile' })]);
    expect((await kit.store.listStrategyEvents()).map((e) => e.kind)).toEqual(['ORPHAN_CLOSED', 'RECONCILE_POSITION']);
    expect((await kit.store.latestPositions()).map((p) => p.qty)).toEqual(['0']);
    // The store knows every order the close sent.
    expect((await kit.store.listOrders()).map((o) => [o.clientOrderId, o.leg])).toEqual(sent.map((o) => [o.clientOrderId, 'reconcile']));
  });

  it('CONSERVATIVE closes even an adoptable orphan, cancels the entry order that would rebuild it and writes ROLLBACK', async () => {
    const kit = await reconcileKit();
    await pendingIntent(kit, { intent_id: 'i-2', qty: 0.004 }, ['i-2-mkt', 'i-2-lim']);
    await orphanPosition(kit.connector, 'BUY', '0.002', 'i-2-mkt');
    await orphanOrder(kit.connector, 'i-2-lim', 'FUT', 'BUY');
    await kit.clock.tickAsync(SETTLED_MS);

    const res = await reconciler(kit).reconcile({});

    expect(res.items.map((i) => [i.type, i.action])).toEqual([
      ['ORPHAN_ORDER', 'FIXED'], // claimed by the intent: stored, not cancelled
      ['ORPHAN_POS', 'CLOSED'],
    ]);
    expect(await futPosition(kit)).toBe('0');
    expect(await kit.connector.openOrders('FUT')).toEqual([]);
    expect(await kit.store.getOrder('i-2-lim')).toMatchObject({ status: 'CANCELED', intent_id: 'i-2' });
    const rollback = (await kit.store.listStrategyEvents({ kind: 'ROLLBACK' }))[0];
    expect(rollback).toMatchObject({ intent_id: 'i-2', payload: { cancelled: ['i-2-lim'] } });
    // The intent's state is left for Executor.resume() to settle.
    expect((await kit.store.getIntent('i-2'))?.state).toBe('PENDING_ENTRY');
  });

  it('mode ORDERS checks only orders', async () => {
    const kit = await reconcileKit();
    await orphanOrder(kit.connector, 'orphan-o');
    await orphanPosition(kit.connector, 'BUY', '0.003');
    await kit.clock.tickAsync(SETTLED_MS);

    const res = await reconciler(kit).reconcile({ mode: 'ORDERS' });

    expect(res.items.map((i) => [i.type, i.action, i.order_id])).toEqual([['ORPHAN_ORDER', 'CANCELLED', 'orphan-o']]);
    expect(res.summary).toMatchObject({ checked_orders: 1, checked_positions: 0, closed: 1 });
    expect(res.summary.jaccard_positions).toBeUndefined();
    expect(await futPosition(kit)).toBe('0.003');
    expect(await kit.store.latestPositions()).toEqual([]);
    expect(await kit.store.getOrder('orphan-o')).toMatchObject({ status: 'CANCELED' });
    expect(kit.sink.payloads('alerts')).toEqual([expect.objectContaining({ level: 'WARN', code: 'ORPHAN_ORDER_CANCELLED' })]);
  });

  it('mode POSITIONS leaves orphan orders alone but cancels the ones that would rebuild a closed position', async () => {
    const kit = await reconcileKit();
    await orphanOrder(kit.connector, 'spot-orphan', 'SPOT');
    await orphanOrder(kit.connector, 'fut-adding', 'FUT', 'BUY');
    await orphanPosition(kit.connector, 'BUY', '0.003');
    await kit.clock.tickAsync(SETTLED_MS);

    const res = await reconciler(kit).reconcile({ mode: 'POSITIONS' });

    expect(res.items.map((i) => [i.type, i.action])).toEqual([['ORPHAN_POS', 'CLOSED']]);
    expect((await kit.connector.openOrders('SPOT')).map((o) => o.clientOrderId)).toEqual(['spot-orphan']);
    expect(await kit.connector.openOrders('FUT')).toEqual([]);
  });
});

describe('Reconciler: holdings', () => {
  it('mode HOLDINGS compares balances with the expectation and reports, never trades', async () => {
    const kit = await reconcileKit();
    await orphanOrder(kit.connector, 'ignored');
    const venue = intercept(kit.venue);
    const r = reconciler(kit, {
      connector: venue,
      expectedBalances: () => [
        { venue: 'paper', market: 'SPOT', asset: 'USDT', free: '1000000', locked: '0' },
        { venue: 'paper', market: 'FUT', asset: 'USDT', free: '90000', locked: '0' },
      ],
    });

    const res = await r.reconcile({ mode: 'HOLDINGS' });

    expect(res.items).toEqual([{ type: 'BALANCE_MISMATCH', action: 'REPORTED', market: 'FUT', reason: expect.stringContaining('difference 10000') }]);
    expect(res.summary).toMatchObject({ checked_orders: 0, checked_positions: 0, consistency_rate: 0.5 });
    expect([...venue.calls.keys()].sort()).toEqual(['balances']);
    expect(kit.sink.payloads('alerts')).toEqual([expect.objectContaining({ level: 'WARN', code: 'BALANCE_MISMATCH' })]);
    expect((await kit.store.listStrategyEvents()).map((e) => [e.kind, e.payload.outcome])).toEqual([['RECONCILE_BALANCE', 'REPORTED']]);
    expect(kit.sink.payloads('strategy:reconciled')).toEqual([{ kind: 'BALANCE', action: 'REPORTED', ref: 'paper:FUT:USDT', ts: kit.clock.now() }]);
  });
});

describe('Reconciler: stale orders, freshness, failures', () => {
  it('STALE_ORDER is closed only after a single-order query confirms it', async () => {
    const kit = await reconcileKit();
    const filled = await orphanOrder(kit.connector, 'gone-filled');
    kit.connector.engine.fillOrder({ market: 'FUT', symbol: 'BTCUSDT', clientOrderId: 'gone-filled' });
    const lagging = await orphanOrder(kit.connector, 'still-open');
    await kit.store.upsertOrders([
      { ...filled, intent_id: 'i-9' },
      { ...lagging, intent_id: 'i-9' },
      { ...filled, clientOrderId: 'never-landed', venueOrderId: 'nope', intent_id: 'i-9' },
    ]);
    await kit.clock.tickAsync(SETTLED_MS);
    // The venue's open-order list lags and omits `still-open`: only the query tells the truth.
    const venue = intercept(kit.connector, {
      openOrders: async (market, symbol) => (await kit.connector.openOrders(market, symbol)).filter((o) => o.clientOrderId !== 'still-open'),
    });
    const r = new Reconciler({ connector: venue, store: kit.store, sink: kit.sink, clock: kit.clock });

    const res = await r.reconcile({ mode: 'ORDERS' });

    expect(res.items.map((i) => [i.type, i.action, i.order_id])).toEqual([
      ['STALE_ORDER', 'FIXED', 'gone-filled'],
      ['STALE_ORDER', 'REPORTED', 'still-open'],
      ['STALE_ORDER', 'FIXED', 'never-landed'],
    ]);
    expect(venue.calls.get('getOrder')).toBe(3);
    expect(await kit.store.getOrder('gone-filled')).toMatchObject({ status: 'FILLED', filledQty: '0.002', intent_id: 'i-9' });
    expect(await kit.store.getOrder('still-open')).toMatchObject({ status: 'NEW' });
    expect(await kit.store.getOrder('never-landed')).toMatchObject({ status: 'CANCELED', updatedAt: T0 + SETTLED_MS });
  });

  it('collection start is captured before fetching: a store update during the fetch is deferred, not undone', async () => {
    const kit = await reconcileKit();
    const o = await orphanOrder(kit.connector, 'racing');
    await kit.store.upsertOrders([{ ...o, intent_id: 'i-r' }]);
    await kit.clock.tickAsync(SETTLED_MS);
    // While the venue answers (with the order still NEW), the user stream reports it FILLED.
    const venue = intercept(kit.connector, {
      openOrders: async (market, symbol) => {
        const rows = await kit.connector.openOrders(market, symbol);
        if (market === 'FUT') {
          await kit.clock.tickAsync(50);
          const fill = kit.connector.engine.fillOrder({ market: 'FUT', symbol: 'BTCUSDT', clientOrderId: 'racing' });
          await kit.store.upsertOrders([{ ...fill, intent_id: 'i-r' }]);
          await kit.store.addFills(kit.connector.engine.fills('FUT', 'BTCUSDT'));
          // The answer arrives later still: a collection start read now would be after the update.
          await kit.clock.tickAsync(50);
        }
        return rows;
      },
    });
    const res = await new Reconciler({ connector: venue, store: kit.store, sink: kit.sink, clock: kit.clock }).reconcile({ mode: 'ORDERS' });

    expect(res.items).toEqual([expect.objectContaining({ type: 'STATUS_MISMATCH', action: 'REPORTED', order_id: 'racing', reason: expect.stringContaining('changed during run') })]);
    expect(await kit.store.getOrder('racing')).toMatchObject({ status: 'FILLED' });
  });

  it('a failed cancel raises a FATAL alert, the item is FAILED, health degrades, and the next round retries it', async () => {
    const kit = await reconcileKit();
    await orphanOrder(kit.connector, 'stuck');
    await kit.clock.tickAsync(SETTLED_MS);
    const r = reconciler(kit);
    const health = reconcileHealth({ lastRun: () => r.lastRun, clock: kit.clock });
    kit.connector.faults.rejectNext(1, () => new VenueError('venue busy', { code: 'VENUE_BUSY' }), ['cancelOrder']);

    const first = await r.reconcile({});
    expect(first.items).toEqual([expect.objectContaining({ type: 'ORPHAN_ORDER', action: 'FAILED', order_id: 'stuck', reason: expect.stringContaining('VENUE_BUSY') })]);
    expect(first.summary.closed).toBe(0);
    expect(kit.sink.payloads('alerts')).toEqual([expect.objectContaining({ level: 'FATAL', code: RECONCILE_CANCEL_FAILED, source: 'reconcile', reconcile_id: first.reconcile_id })]);
    expect(r.consecutiveFailures).toBe(1);
    expect(r.lastRun).toMatchObject({ ok: true, bad: true, reason: 'manual' });
    expect((await health.check()).status).toBe('DEGRADED');
    expect(r.isReady).toBe(false);
    expect((await kit.connector.openOrders('FUT')).map((o) => o.clientOrderId)).toEqual(['stuck']);
    expect((await kit.store.listStrategyEvents({ kind: 'RECONCILE_ORDER' }))[0]?.payload).toMatchObject({ outcome: 'FAILED' });

    await kit.clock.tickAsync(1000);
    const second = await r.reconcile({});
    expect(second.items.map((i) => [i.order_id, i.action])).toEqual([['stuck', 'CANCELLED']]);
    expect(await kit.connector.openOrders('FUT')).toEqual([]);
    expect(r.consecutiveFailures).toBe(0);
    expect(r.isReady).toBe(true);
    // Health stays DEGRADED for a run that found an orphan, even a settled one; a clean run clears it.
    expect((await health.check()).status).toBe('DEGRADED');
    await r.reconcile({});
    expect((await health.check()).status).toBe('OK');
    expect(r.lastRunTs).toBe(kit.clock.now());
  });

  it('repeated failure escalates to a FATAL RECONCILE_REPEATED_FAILURE alert', async () => {
    const kit = await reconcileKit();
    await orphanOrder(kit.connector, 'stuck');
    await kit.clock.tickAsync(SETTLED_MS);
    const r = reconciler(kit, { escalateAfter: 2 });
    kit.connector.faults.rejectNext(2, () => new VenueError('venue busy', { code: 'VENUE_BUSY' }), ['cancelOrder']);
    const seen: string[] = [];
    r.events.on('alert', (a) => seen.push(`${a.level}:${a.code}`));
    await r.reconcile({});
    await r.reconcile({});
    expect(seen).toEqual([`FATAL:${RECONCILE_CANCEL_FAILED}`, `FATAL:${RECONCILE_CANCEL_FAILED}`, `FATAL:${RECONCILE_REPEATED_FAILURE}`]);
    expect(r.consecutiveFailures).toBe(2);
  });

  it('a venue that cannot be read rejects the run (503) and counts as a failure; a partial read checks the rest', async () => {
    const kit = await reconcileKit();
    const r = reconciler(kit);
    kit.connector.faults.rejectNext(10, () => new VenueError('down', { code: 'VENUE_DOWN' }), ['openOrders', 'positions', 'balances']);
    const err = await r.reconcile({}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RECONCILE_TRUTH_UNAVAILABLE', status: 503 });
    expect(r.lastRun).toMatchObject({ ok: false, bad: true });
    expect(r.consecutiveFailures).toBe(1);

    const kit2 = await reconcileKit();
    const o = await orphanOrder(kit2.connector, 'spot-known', 'SPOT');
    await kit2.store.upsertOrders([{ ...o, status: 'NEW', intent_id: 'i-s' }]);
    await orphanOrder(kit2.connector, 'fut-orphan', 'FUT');
    await kit2.clock.tickAsync(SETTLED_MS);
    // SPOT cannot be listed: its orders must not look stale, FUT is still checked.
    const venue = intercept(kit2.connector, {
      openOrders: async (market, symbol) => {
        if (market === 'SPOT') throw new VenueError('spot down', { code: 'VENUE_DOWN' });
        return kit2.connector.openOrders(market, symbol);
      },
    });
    const r2 = new Reconciler({ connector: venue, store: kit2.store, sink: kit2.sink, clock: kit2.clock });
    const res = await r2.reconcile({ mode: 'ORDERS' });
    expect(res.items.map((i) => [i.order_id, i.action])).toEqual([['fut-orphan', 'CANCELLED']]);
    expect(await kit2.store.getOrder('spot-known')).toMatchObject({ status: 'NEW' });
    expect(kit2.sink.payloads('alerts').map((a) => a.code)).toEqual([RECONCILE_TRUTH_PARTIAL, 'ORPHAN_ORDER_CANCELLED']);
    expect(r2.consecutiveFailures).toBe(1);
    expect(r2.isReady).toBe(false);
  });

  it('opens the start-up gate only after a clean run over everything', async () => {
    const kit = await reconcileKit();
    const r = reconciler(kit);
    let opened = false;
    void r.ready.then(() => (opened = true));
    await r.reconcile({ mode: 'ORDERS' });
    await r.reconcile({ symbols: ['BTCUSDT'] });
    await r.reconcile({ dry_run: true });
    await kit.clock.tickAsync(1);
    expect([opened, r.isReady, r.consecutiveFailures]).toEqual([false, false, 0]);
    await r.reconcile({});
    await kit.clock.tickAsync(1);
    expect([opened, r.isReady]).toEqual([true, true]);
  });

  it('rejects a malformed request with a 400 before touching anything', async () => {
    const kit = await reconcileKit();
    const venue = intercept(kit.connector);
    const r = new Reconciler({ connector: venue, store: kit.store, clock: kit.clock });
    const err = await r.reconcile({ time_window_h: 200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(venue.calls.size).toBe(0);
    expect(r.lastRun).toBeUndefined();
  });

  it('serialises runs: a call during a run starts after it finishes', async () => {
    const kit = await reconcileKit();
    kit.connector.faults.setLatency(100);
    const r = reconciler(kit);
    const spans: Array<[number, number]> = [];
    const a = r.reconcile({}).then((x) => spans.push([x.started_at!, x.finished_at!]));
    const b = r.reconcile({}).then((x) => spans.push([x.started_at!, x.finished_at!]));
    for (let i = 0; i < 50 && spans.length < 2; i++) await kit.clock.tickAsync(50);
    await Promise.all([a, b]);
    expect(spans).toHaveLength(2);
    expect(spans[1]![0]).toBeGreaterThanOrEqual(spans[0]![1]);
    expect(spans[0]![1]).toBeGreaterThan(spans[0]![0]);
  });

  it('covers several venues, each against its own records', async () => {
    const clock = new FakeClock(T0);
    const a = await reconcileKit({ venue: 'va', clock });
    const b = await reconcileKit({ venue: 'vb', clock });
    const known = await orphanOrder(a.connector, 'a-known');
    await a.store.upsertOrders([{ ...known, intent_id: 'i-a' }]);
    await orphanOrder(b.connector, 'b-orphan');
    await orphanPosition(b.connector, 'BUY', '0.002');
    await clock.tickAsync(SETTLED_MS);
    const r = new Reconciler({ connectors: [a.venue, b.venue], store: a.store, sink: a.sink, clock });

    const res = await r.reconcile({});

    expect(res.items.map((i) => [i.type, i.action, i.order_id ?? i.symbol])).toEqual([
      ['ORPHAN_ORDER', 'CANCELLED', 'b-orphan'],
      ['ORPHAN_POS', 'CLOSED', 'BTCUSDT'],
    ]);
    expect(res.summary).toMatchObject({ checked_orders: 2, jaccard_orders: 0.5, checked_positions: 1 });
    expect((await a.connector.openOrders('FUT')).map((o) => o.clientOrderId)).toEqual(['a-known']);
    expect((await b.connector.positions('BTCUSDT'))[0]?.qty).toBe('0');
    expect(() => new Reconciler({ connectors: [a.connector, a.connector], store: a.store, clock })).toThrow(/one per venue/);
  });

  it('isBadReconcileResult: failed actions and orphans are bad, fixes are not', () => {
    const item = (type: 'ORPHAN_ORDER' | 'STALE_ORDER', action: 'FAILED' | 'FIXED' | 'CANCELLED') => ({ type, action, reason: 'x' });
    expect(isBadReconcileResult({ items: [item('STALE_ORDER', 'FIXED')] })).toBe(false);
    expect(isBadReconcileResult({ items: [item('STALE_ORDER', 'FAILED')] })).toBe(true);
    expect(isBadReconcileResult({ items: [item('ORPHAN_ORDER', 'CANCELLED')] })).toBe(true);
    expect(isBadReconcileResult({ items: [] })).toBe(false);
  });
});
