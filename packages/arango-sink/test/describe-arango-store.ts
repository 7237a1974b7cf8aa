/**
 * The ArangoDB suite: the core's `describeStore` conformance suite plus the ArangoStore-specific
 * behaviours (schema, natural `_key`s, transactions, batching, event sink). It runs unchanged
 * against the fake (`arango-store.fake.test.ts`) and a real server (`live.test.ts`), so it uses
 * no fault injection.
 */
import { fillKey, fundingKey, instrumentKey, isChimeraError, positionSnapshotKey, type OrderRecord } from '@chimera/core';
import {
  FIXTURE_T0,
  describeStore,
  sampleFill,
  sampleFundingRecord,
  sampleInstrument,
  sampleIntentRecord,
  sampleOrder,
  samplePositionSnapshot,
  sampleStrategyEvent,
  sampleTransfer,
} from '@chimera/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArangoStore, COLLECTIONS, INDEXES, type CollectionRole } from '../src/index.js';
import type { ArangoTarget } from './arango-target.js';

/** Registers the whole ArangoDB suite against `target`. */
export function describeArangoStore(target: ArangoTarget): void {
  describe(`ArangoStore on ${target.label}`, () => {
    beforeAll(() => target.setup());
    afterAll(() => target.teardown());

    describeStore('ArangoStore', () => ArangoStore.connect(target.storeOptions()));

    describe('ArangoStore specifics', () => {
      const opened: ArangoStore[] = [];
      const open = async (extra: Parameters<ArangoTarget['storeOptions']>[0] = {}): Promise<ArangoStore> => {
        const s = await ArangoStore.connect(target.storeOptions(extra));
        opened.push(s);
        return s;
      };
      afterEach(async () => {
        await Promise.all(opened.splice(0).map((s) => s.close()));
      });

      it('creates every collection with its indexes once; a second ensureSchema creates nothing', async () => {
        const prefix = target.newPrefix();
        const first = new ArangoStore(target.storeOptions({ prefix }));
        opened.push(first);
        const report = await first.ensureSchema();
        expect(report.createdCollections.sort()).toEqual(Object.values(COLLECTIONS).map((c) => `${prefix}${c}`).sort());
        const expectedIndexes = (Object.keys(INDEXES) as CollectionRole[]).flatMap((role) => INDEXES[role].map((i) => `${prefix}${COLLECTIONS[role]}/${i.name}`));
        expect(report.createdIndexes.sort()).toEqual(expectedIndexes.sort());
        expect(await (await open({ prefix })).ensureSchema()).toEqual({ createdCollections: [], createdIndexes: [] });

        const indexes = await target.database().collection(`${prefix}orders`).indexes();
        const byName = Object.fromEntries(indexes.map((i) => [i.name, i]));
        expect(byName.idx_orders_symbol_updatedAt).toMatchObject({ type: 'persistent', fields: ['symbol', 'updatedAt'], sparse: false, unique: false });
        expect(byName.idx_orders_intent_id).toMatchObject({ type: 'persistent', fields: ['intent_id'], sparse: true });
        expect(byName.primary).toMatchObject({ type: 'primary', fields: ['_key'] });
      });

      it('stores every record under its natural key as _key and nothing but the record besides', async () => {
        const store = await open();
        const order = sampleOrder();
        const fill = sampleFill();
        const funding = sampleFundingRecord();
        const snapshot = samplePositionSnapshot();
        const instrument = sampleInstrument();
        await store.upsertOrders([order]);
        await store.addFills([fill]);
        await store.upsertFundingRecords([funding]);
        await store.addPositionSnapshots([snapshot]);
        await store.putInstruments([instrument]);
        await store.createTransfer(sampleTransfer());
        await store.putIntent(sampleIntentRecord());
        await store.appendStrategyEvents([sampleStrategyEvent()]);

        const db = target.database();
        const doc = (role: CollectionRole, key: string) => db.collection(store.collections[role]).document(key);
        expect(await doc('orders', 'cx-uuid-123-entry-0')).toMatchObject({ _key: 'cx-uuid-123-entry-0', ...order });
        expect(fillKey(fill)).toBe('test:FUT:BTCUSDT:1001');
        const fillDoc = await doc('fills', 'test:FUT:BTCUSDT:1001');
        expect(fillDoc).toMatchObject(fill);
        expect(typeof fillDoc._seq).toBe('number');
        expect(await doc('fundingRecords', fundingKey(funding))).toMatchObject(funding);
        expect(await doc('positionSnapshots', positionSnapshotKey(snapshot))).toMatchObject(snapshot);
        expect(await doc('instrumentRegistry', instrumentKey(instrument))).toMatchObject(instrument);
        expect(await doc('treasuryTransfers', 'tr-1')).toMatchObject(sampleTransfer());
        expect(await doc('intents', 'uuid-123')).toMatchObject({ intent_id: 'uuid-123', state: 'PENDING_ENTRY' });
        expect(await doc('strategyEvents', 'uuid-123:PENDING_ENTRY')).toMatchObject({ kind: 'STATE' });
        const { _key, _id, _rev, ...rest } = await doc('orders', 'cx-uuid-123-entry-0');
        expect(rest).toEqual(order);
        expect(_id).toBe(`${store.collections.orders}/${_key}`);
        expect(typeof _rev).toBe('string');
      });

      it('encodes natural keys with characters ArangoDB forbids in _key and reads them back', async () => {
        const store = await open();
        const transfer = sampleTransfer({ transfer_id: 'tr/1 ü%' });
        expect(await store.createTransfer(transfer)).toEqual({ created: true, record: transfer });
        expect(await store.getTransfer('tr/1 ü%')).toEqual(transfer);
        expect((await store.createTransfer(transfer)).created).toBe(false);
        const stored = await target.database().collection(store.collections.treasuryTransfers).document('tr%2F1%20%C3%BC%25');
        expect(stored.transfer_id).toBe('tr/1 ü%');
        expect(await store.addFills([sampleFill({ tradeId: 'a/b' }), sampleFill({ tradeId: 'a/b' })])).toBe(1);
      });

      it('serialises concurrent order updates from two connections: the newest view wins', async () => {
        const prefix = target.newPrefix();
        const a = await open({ prefix });
        const b = await open({ prefix });
        const base = sampleOrder();
        const versions: OrderRecord[] = Array.from({ length: 12 }, (_, i) => ({
          ...base,
          status: i === 11 ? ('FILLED' as const) : ('PARTIALLY_FILLED' as const),
          filledQty: (0.0001 * (i + 1)).toFixed(4),
          updatedAt: FIXTURE_T0 + i + 1,
        }));
        // Oldest last, alternating connections: every older update races a newer one already stored.
        await Promise.all([...versions].reverse().map((v, i) => (i % 2 === 0 ? a : b).upsertOrders([v])));
        const stored = await a.getOrder(base.clientOrderId);
        expect(stored?.status).toBe('FILLED');
        expect(stored?.filledQty).toBe('0.0012');
        expect(stored?.updatedAt).toBe(FIXTURE_T0 + 12);
        expect(stored?.intent_id).toBe('uuid-123');
      });

      it('lets exactly one of two racing final transfer updates win', async () => {
        const prefix = target.newPrefix();
        const a = await open({ prefix });
        const b = await open({ prefix });
        await a.createTransfer(sampleTransfer());
        const outcomes = await Promise.allSettled([
          a.updateTransfer('tr-1', { state: 'SUCCESS', venue_tran_id: '1', updated_at: FIXTURE_T0 + 1 }),
          b.updateTransfer('tr-1', { state: 'FAILED', message: 'venue said no', updated_at: FIXTURE_T0 + 1 }),
        ]);
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(isChimeraError(lost[0]!.reason) && lost[0]!.reason.code).toBe('TRANSFER_FINAL');
        const winner = (won[0] as PromiseFulfilledResult<{ state: string }>).value.state;
        expect((await a.getTransfer('tr-1'))?.state).toBe(winner);
      });

      it('writes an intent and its transition events together; replayed events are skipped', async () => {
        const store = await open();
        const active = sampleIntentRecord({ state: 'ACTIVE', updated_at: FIXTURE_T0 + 1 });
        const events = [
          sampleStrategyEvent(),
          sampleStrategyEvent({ event_id: 'uuid-123:ACTIVE', state: 'ACTIVE', from_state: 'PENDING_ENTRY', ts: FIXTURE_T0 }),
        ];
        expect(await store.putIntentWithEvents(active, [...events, events[0]!])).toBe(2);
        expect((await store.getIntent('uuid-123'))?.state).toBe('ACTIVE');
        const closing = { ...active, state: 'PENDING_CLOSING' as const, updated_at: FIXTURE_T0 + 2 };
        const next = sampleStrategyEvent({ event_id: 'uuid-123:PENDING_CLOSING', state: 'PENDING_CLOSING', from_state: 'ACTIVE', ts: FIXTURE_T0 });
        expect(await store.putIntentWithEvents(closing, [...events, next])).toBe(1);
        expect((await store.getIntent('uuid-123'))?.state).toBe('PENDING_CLOSING');
        // Equal timestamps read back in write order (the insertion sequence breaks the tie).
        expect((await store.listStrategyEvents({ intentId: 'uuid-123' })).map((e) => e.state)).toEqual(['PENDING_ENTRY', 'ACTIVE', 'PENDING_CLOSING']);
      });

      it('writes and reads across batches larger than batchSize (cursor continuation)', async () => {
        const store = await open({ batchSize: 2 });
        const fills = Array.from({ length: 5 }, (_, i) => sampleFill({ tradeId: String(i), ts: FIXTURE_T0 + (i % 2) }));
        expect(await store.addFills(fills)).toBe(5);
        expect(await store.addFills(fills)).toBe(0);
        // ts ties are broken by insertion order.
        expect((await store.listFills()).map((f) => f.tradeId)).toEqual(['0', '2', '4', '1', '3']);
        const orders = Array.from({ length: 5 }, (_, i) => sampleOrder({ clientOrderId: `c${i}`, createdAt: FIXTURE_T0 + i }));
        await store.upsertOrders(orders);
        expect((await store.listOrders()).map((o) => o.clientOrderId)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
      });

      it('keeps event-log streams through its event sink, once per event', async () => {
        const store = await open();
        const sink = await store.createEventSink();
        const executed = { order_id: '1', intent_id: 'uuid-123', symbol: 'BTCUSDT', side: 'BUY', avg_px: '65001', filled_qty: '0.0012', market: 'FUT', ts: FIXTURE_T0 };
        sink.publish('orders:executed', executed);
        sink.publish('mkt:events:{spot}:BTCUSDT', { mid: 1 });
        sink.publish('alerts', { level: 'ERROR', message: 'orphan closed', event_id: 'alert-1', ts: FIXTURE_T0 + 1 });
        await sink.flush();
        sink.publish('orders:executed', { ...executed });
        await sink.close();
        expect(sink.stats).toMatchObject({ written: 2, duplicates: 1, ignored: 1, dropped: 0, pending: 0 });
        const stored = await store.listStrategyEvents({ kind: 'orders:executed' });
        expect(stored).toHaveLength(1);
        expect(stored[0]).toMatchObject({ kind: 'orders:executed', intent_id: 'uuid-123', symbol: 'BTCUSDT', market: 'FUT', ts: FIXTURE_T0, payload: executed });
        expect(stored[0]!.event_id).toMatch(/^orders:executed:[0-9a-f]{32}$/);
        expect((await store.listStrategyEvents({ kind: 'alerts' })).map((e) => e.event_id)).toEqual(['alert-1']);
      });

      it('refuses to work once closed', async () => {
        const store = await open();
        await store.close();
        const err = await store.getOrder('x').catch((e: unknown) => e);
        expect(isChimeraError(err) && err.code).toBe('STORE_CLOSED');
      });
    });
  });
}
