/**
 * ArangoStore under injected faults (fake ArangoDB only: a real server cannot be made to fail on
 * cue): transactions abort and leave nothing behind, errors are typed, locks are released.
 */
import { isChimeraError } from '@chimera/core';
import { FIXTURE_T0, sampleFill, sampleIntentRecord, sampleOrder, sampleStrategyEvent, sampleTransfer } from '@chimera/core/testing';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArangoStore } from '../src/index.js';
import { FakeTarget } from './arango-target.js';
import type { FakeArangoServer, RecordedRequest } from './fake-arango-server.js';

const target = new FakeTarget();
let fake: FakeArangoServer;
let store: ArangoStore;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  await target.setup();
  fake = target.fake!;
});
afterAll(async () => {
  await target.teardown();
  nock.enableNetConnect();
});
beforeEach(async () => {
  store = await ArangoStore.connect(target.storeOptions());
  fake.requests.length = 0;
});
afterEach(() => store.close());

const unavailable = { status: 503, body: { code: 503, error: true, errorNum: 503, errorMessage: 'service unavailable' } };
const inTrx = (collection: string, method = 'POST') => (r: RecordedRequest) => r.method === method && r.trxId !== undefined && r.path.endsWith(`/_api/document/${collection}`);
const transactionCalls = () => fake.requests.filter((r) => r.path.includes('/_api/transaction')).map((r) => `${r.method} ${r.path.replace(/.*\/_api/, '')}`);

async function error(p: Promise<unknown>): Promise<{ code: string; retryable: boolean; details: Record<string, unknown> }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isChimeraError(e)) throw new Error(`expected a ChimeraError, got ${String(e)}`);
  return e;
}

describe('transactions under faults', () => {
  it('putIntentWithEvents writes nothing when the second write fails, and aborts the transaction', async () => {
    fake.injectFault(inTrx(store.collections.strategyEvents), unavailable);
    const err = await error(store.putIntentWithEvents(sampleIntentRecord({ state: 'ACTIVE' }), [sampleStrategyEvent()]));
    expect(err).toMatchObject({ code: 'ARANGO_UNAVAILABLE', retryable: true, details: { operation: 'putIntentWithEvents', errorNum: 503, httpStatus: 503 } });
    expect(await store.getIntent('uuid-123')).toBeUndefined();
    expect(await store.listStrategyEvents()).toEqual([]);
    const [begin, abort] = transactionCalls();
    expect(begin).toBe('POST /transaction/begin');
    expect(abort).toMatch(/^DELETE \/transaction\/\d+$/);
    // The same call succeeds once the server is back: the retry is safe.
    expect(await store.putIntentWithEvents(sampleIntentRecord({ state: 'ACTIVE' }), [sampleStrategyEvent()])).toBe(1);
  });

  it('upsertOrders keeps the stored order when its write fails, and releases the lock', async () => {
    const o = sampleOrder();
    await store.upsertOrders([o]);
    fake.injectFault(inTrx(store.collections.orders), unavailable);
    await error(store.upsertOrders([{ ...o, status: 'FILLED', filledQty: o.qty, updatedAt: FIXTURE_T0 + 1 }]));
    expect((await store.getOrder(o.clientOrderId))?.status).toBe('NEW');
    expect(fake.engine.locksBusy(target.storeOptions().databaseName!)).toBe(false);
    await store.upsertOrders([{ ...o, status: 'FILLED', filledQty: o.qty, updatedAt: FIXTURE_T0 + 1 }]);
    expect((await store.getOrder(o.clientOrderId))?.status).toBe('FILLED');
  });

  it('updateTransfer aborts on a rule violation and on an unknown transfer', async () => {
    await store.createTransfer(sampleTransfer());
    await store.updateTransfer('tr-1', { state: 'SUCCESS', updated_at: FIXTURE_T0 + 1 });
    fake.requests.length = 0;
    expect((await error(store.updateTransfer('tr-1', { state: 'FAILED', updated_at: FIXTURE_T0 + 2 }))).code).toBe('TRANSFER_FINAL');
    expect((await error(store.updateTransfer('nope', { state: 'FAILED', updated_at: FIXTURE_T0 + 2 }))).code).toBe('TRANSFER_NOT_FOUND');
    expect(transactionCalls().map((c) => c.split(' ')[0])).toEqual(['POST', 'DELETE', 'POST', 'DELETE']);
  });

  it('queues one connection’s order writers in process, so a small request pool never deadlocks on the lock', async () => {
    const small = await ArangoStore.connect(target.storeOptions({ poolSize: 2, lockTimeoutSeconds: 2 }));
    try {
      fake.requests.length = 0;
      const base = sampleOrder();
      await Promise.all(
        Array.from({ length: 6 }, (_, i) => small.upsertOrders([{ ...base, filledQty: `0.000${i + 1}`, status: 'PARTIALLY_FILLED', updatedAt: FIXTURE_T0 + i + 1 }])),
      );
      expect((await small.getOrder(base.clientOrderId))?.updatedAt).toBe(FIXTURE_T0 + 6);
      // Begin and commit strictly alternate: never two order transactions of this store at once.
      expect(transactionCalls().map((c) => c.split(' ')[0])).toEqual(Array.from({ length: 6 }, () => ['POST', 'PUT']).flat());
    } finally {
      await small.close();
    }
  });
});

describe('errors', () => {
  it('maps a dropped connection to a retryable ARANGO_UNAVAILABLE', async () => {
    fake.injectFault((r) => r.path.includes('/_api/cursor'), { drop: true });
    const err = await error(store.listOrders());
    expect(err).toMatchObject({ code: 'ARANGO_UNAVAILABLE', retryable: true, details: { operation: 'listOrders' } });
  });

  it('maps a refused request to a non-retryable ARANGO_REQUEST_FAILED with ArangoDB’s error number', async () => {
    const other = new ArangoStore(target.storeOptions());
    try {
      // No ensureSchema: the collections do not exist.
      const err = await error(other.addFills([sampleFill()]));
      expect(err).toMatchObject({ code: 'ARANGO_REQUEST_FAILED', retryable: false, details: { operation: 'addFills', errorNum: 1203, httpStatus: 404 } });
    } finally {
      await other.close();
    }
  });

  it('maps a write-write conflict to a retryable ARANGO_CONFLICT', async () => {
    fake.injectFault((r) => r.method === 'POST' && r.path.endsWith(`/_api/document/${store.collections.intents}`), {
      status: 409,
      body: { code: 409, error: true, errorNum: 1200, errorMessage: 'conflict, _key: uuid-123' },
    });
    expect(await error(store.putIntent(sampleIntentRecord()))).toMatchObject({ code: 'ARANGO_CONFLICT', retryable: true, details: { errorNum: 1200 } });
  });

  it('createTransfer reads the stored transfer back after a 1210 answer', async () => {
    await store.createTransfer(sampleTransfer());
    fake.requests.length = 0;
    const again = await store.createTransfer(sampleTransfer({ amount: '5' }));
    expect(again).toEqual({ created: false, record: sampleTransfer() });
    expect(fake.requests.map((r) => `${r.method} ${r.path.replace(/.*\/_api/, '')}${r.query.overwriteMode ? `?overwriteMode=${r.query.overwriteMode}` : ''}`)).toEqual([
      `POST /document/${store.collections.treasuryTransfers}?overwriteMode=conflict`,
      `GET /document/${store.collections.treasuryTransfers}/tr-1`,
    ]);
  });
});
