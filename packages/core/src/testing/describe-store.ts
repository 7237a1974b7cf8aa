import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isChimeraError } from '../errors.js';
import type { Store } from '../sinks/store.js';
import {
  FIXTURE_T0,
  sampleFill,
  sampleFundingRecord,
  sampleInstrument,
  sampleIntentRecord,
  sampleOrder,
  samplePositionSnapshot,
  sampleStrategyEvent,
  sampleTransfer,
} from './fixtures.js';

/** Options of {@link describeStore}. */
export interface DescribeStoreOptions {
  /** Called after each test with the store it used (e.g. drop a test database). */
  cleanup?: (store: Store) => Promise<void> | void;
}

/**
 * The `Store` conformance suite: every implementation (memory, ArangoDB, a host's own) must pass
 * it. It checks round trips, idempotency by natural key and the ordering rules of the contract.
 *
 * @param name - shown in the test report.
 * @param makeStore - returns a fresh, empty store for each test.
 */
export function describeStore(name: string, makeStore: () => Store | Promise<Store>, options: DescribeStoreOptions = {}): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await options.cleanup?.(store);
      await store.close();
    });

    describe('orders', () => {
      it('round-trips an order by client order id', async () => {
        const o = sampleOrder();
        await store.upsertOrders([o]);
        expect(await store.getOrder(o.clientOrderId)).toEqual(o);
        expect(await store.getOrder('missing')).toBeUndefined();
      });

      it('applies newer updates and ignores older ones', async () => {
        const o = sampleOrder();
        const filled = { ...o, status: 'PARTIALLY_FILLED' as const, filledQty: '0.0008', avgPrice: '65001', updatedAt: FIXTURE_T0 + 10 };
        await store.upsertOrders([o, filled]);
        await store.upsertOrders([o]);
        expect((await store.getOrder(o.clientOrderId))?.filledQty).toBe('0.0008');
      });

      it('never reopens a terminal order and keeps the intent link', async () => {
        const o = sampleOrder();
        const done = { ...o, status: 'FILLED' as const, filledQty: o.qty, updatedAt: FIXTURE_T0 + 5, intent_id: undefined, leg: undefined };
        await store.upsertOrders([o]);
        await store.upsertOrders([done]);
        await store.upsertOrders([{ ...o, status: 'NEW', updatedAt: FIXTURE_T0 + 99 }]);
        const got = await store.getOrder(o.clientOrderId);
        expect(got?.status).toBe('FILLED');
        expect(got?.intent_id).toBe('uuid-123');
      });

      it('filters orders by open status, symbol, market, intent and time', async () => {
        await store.upsertOrders([
          sampleOrder({ clientOrderId: 'a', createdAt: FIXTURE_T0, updatedAt: FIXTURE_T0 }),
          sampleOrder({ clientOrderId: 'b', status: 'FILLED', filledQty: '0.0012', createdAt: FIXTURE_T0 + 1, updatedAt: FIXTURE_T0 + 1 }),
          sampleOrder({ clientOrderId: 'c', symbol: 'ETHUSDT', market: 'SPOT', intent_id: 'other', createdAt: FIXTURE_T0 + 2, updatedAt: FIXTURE_T0 + 2 }),
        ]);
        const ids = async (q: Parameters<Store['listOrders']>[0]) => (await store.listOrders(q)).map((o) => o.clientOrderId);
        expect(await ids({})).toEqual(['a', 'b', 'c']);
        expect(await ids({ openOnly: true })).toEqual(['a', 'c']);
        expect(await ids({ symbols: ['ETHUSDT'] })).toEqual(['c']);
        expect(await ids({ markets: ['FUT'] })).toEqual(['a', 'b']);
        expect(await ids({ intentId: 'uuid-123' })).toEqual(['a', 'b']);
        expect(await ids({ since: FIXTURE_T0 + 1 })).toEqual(['b', 'c']);
      });
    });

    describe('fills', () => {
      it('adds fills once per natural key and lists them oldest first', async () => {
        const f1 = sampleFill({ tradeId: '2', ts: FIXTURE_T0 + 2 });
        const f2 = sampleFill({ tradeId: '1', ts: FIXTURE_T0 + 1 });
        expect(await store.addFills([f1, f2])).toBe(2);
        expect(await store.addFills([f1, f2])).toBe(0);
        // Same trade id on another symbol is another fill (Binance numbers trades per symbol).
        expect(await store.addFills([sampleFill({ tradeId: '1', symbol: 'ETHUSDT' })])).toBe(1);
        const list = await store.listFills({ symbols: ['BTCUSDT'] });
        expect(list.map((f) => f.tradeId)).toEqual(['1', '2']);
        expect(list[0]).toEqual(f2);
        expect(await store.listFills({ since: FIXTURE_T0 + 2, symbols: ['BTCUSDT'] })).toHaveLength(1);
        expect(await store.listFills({ clientOrderId: 'nope' })).toEqual([]);
      });
    });

    describe('position snapshots', () => {
      it('returns the newest snapshot per venue and symbol', async () => {
        await store.addPositionSnapshots([
          samplePositionSnapshot({ snapshot_ts: FIXTURE_T0, qty: '0.001' }),
          samplePositionSnapshot({ snapshot_ts: FIXTURE_T0 + 5, qty: '0.002' }),
          samplePositionSnapshot({ symbol: 'ETHUSDT', snapshot_ts: FIXTURE_T0 + 1, qty: '-1' }),
        ]);
        await store.addPositionSnapshots([samplePositionSnapshot({ snapshot_ts: FIXTURE_T0 + 5, qty: '0.002' })]);
        const latest = await store.latestPositions();
        const bySymbol = Object.fromEntries(latest.map((p) => [p.symbol, p.qty]));
        expect(bySymbol).toEqual({ BTCUSDT: '0.002', ETHUSDT: '-1' });
        expect((await store.latestPositions({ symbols: ['ETHUSDT'] })).map((p) => p.symbol)).toEqual(['ETHUSDT']);
        expect(await store.latestPositions({ since: FIXTURE_T0 + 6 })).toEqual([]);
      });
    });

    describe('strategy events', () => {
      it('appends once per event id and reads back in order', async () => {
        const e1 = sampleStrategyEvent();
        const e2 = sampleStrategyEvent({ event_id: 'uuid-123:ACTIVE', state: 'ACTIVE', from_state: 'PENDING_ENTRY', ts: FIXTURE_T0 + 1 });
        const e3 = sampleStrategyEvent({ event_id: 'x', intent_id: 'other', kind: 'RECONCILE_ORDER', state: undefined, ts: FIXTURE_T0 + 2 });
        expect(await store.appendStrategyEvents([e1, e2, e3])).toBe(3);
        expect(await store.appendStrategyEvents([e1])).toBe(0);
        expect((await store.listStrategyEvents({ intentId: 'uuid-123' })).map((e) => e.state)).toEqual(['PENDING_ENTRY', 'ACTIVE']);
        expect((await store.listStrategyEvents({ kind: 'RECONCILE_ORDER' })).map((e) => e.event_id)).toEqual(['x']);
        expect(await store.listStrategyEvents({ since: FIXTURE_T0 + 1 })).toHaveLength(2);
      });
    });

    describe('intents', () => {
      it('puts, replaces and lists intents by state', async () => {
        await store.putIntent(sampleIntentRecord());
        await store.putIntent(sampleIntentRecord({ intent_id: 'i2', state: 'CLOSED', created_at: FIXTURE_T0 + 1 }));
        await store.putIntent(sampleIntentRecord({ state: 'ACTIVE', client_order_ids: ['c1'], updated_at: FIXTURE_T0 + 2 }));
        const got = await store.getIntent('uuid-123');
        expect(got?.state).toBe('ACTIVE');
        expect(got?.client_order_ids).toEqual(['c1']);
        expect(got?.intent.qty).toBe('0.0012');
        expect((await store.listIntents({ states: ['ACTIVE', 'PENDING_ENTRY'] })).map((r) => r.intent_id)).toEqual(['uuid-123']);
        expect(await store.listIntents()).toHaveLength(2);
        expect(await store.getIntent('missing')).toBeUndefined();
      });
    });

    describe('treasury transfers', () => {
      it('creates a transfer once and returns the stored one after', async () => {
        const t = sampleTransfer();
        expect(await store.createTransfer(t)).toEqual({ created: true, record: t });
        const again = await store.createTransfer({ ...t, amount: '999' });
        expect(again.created).toBe(false);
        expect(again.record.amount).toBe('100');
      });

      it('moves PENDING to a final state once; final states are final', async () => {
        await store.createTransfer(sampleTransfer());
        const done = await store.updateTransfer('tr-1', { state: 'SUCCESS', venue_tran_id: '777', updated_at: FIXTURE_T0 + 1 });
        expect(done).toMatchObject({ state: 'SUCCESS', venue_tran_id: '777' });
        expect((await store.updateTransfer('tr-1', { state: 'SUCCESS', updated_at: FIXTURE_T0 + 2 })).state).toBe('SUCCESS');
        const err = await store.updateTransfer('tr-1', { state: 'FAILED', updated_at: FIXTURE_T0 + 3 }).catch((e: unknown) => e);
        expect(isChimeraError(err) && err.code).toBe('TRANSFER_FINAL');
        expect((await store.getTransfer('tr-1'))?.state).toBe('SUCCESS');
        const missing = await store.updateTransfer('nope', { state: 'FAILED', updated_at: 1 }).catch((e: unknown) => e);
        expect(isChimeraError(missing) && missing.code).toBe('TRANSFER_NOT_FOUND');
      });
    });

    describe('funding records', () => {
      it('adds funding once per symbol and funding time', async () => {
        const r1 = sampleFundingRecord();
        const r2 = sampleFundingRecord({ funding_time: FIXTURE_T0 + 8 * 3_600_000 });
        expect(await store.upsertFundingRecords([r1, r2])).toBe(2);
        expect(await store.upsertFundingRecords([r1, r2, r1])).toBe(0);
        expect((await store.listFundingRecords({ symbol: 'BTCUSDT' })).map((r) => r.funding_time)).toEqual([r1.funding_time, r2.funding_time]);
        expect(await store.listFundingRecords({ since: r2.funding_time })).toEqual([r2]);
      });
    });

    describe('instruments', () => {
      it('replaces instruments by venue, market and symbol', async () => {
        await store.putInstruments([sampleInstrument(), sampleInstrument({ market: 'FUT', tickSize: '0.1' })]);
        await store.putInstruments([sampleInstrument({ tickSize: '0.02' })]);
        const spot = await store.listInstruments({ market: 'SPOT' });
        expect(spot).toHaveLength(1);
        expect(spot[0]?.tickSize).toBe('0.02');
        expect(await store.listInstruments({ venue: 'test' })).toHaveLength(2);
        expect(await store.listInstruments({ venue: 'other' })).toEqual([]);
      });
    });
  });
}
