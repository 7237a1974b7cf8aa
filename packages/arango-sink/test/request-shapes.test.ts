/**
 * The exact HTTP requests arangojs sends for ArangoStore's key operations (method, path with the
 * `/_db/<name>` prefix, query options, headers, body), answered with documented ArangoDB bodies
 * (`arango-http-fixtures.ts`) through nock. Every interceptor must be used (`scope.done()`), and
 * nothing else may leave the process.
 */
import { isChimeraError } from '@chimera/core';
import { FIXTURE_T0, sampleFill, sampleOrder, sampleTransfer } from '@chimera/core/testing';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AQL_QUERIES } from '../src/aql-queries.js';
import { ArangoStore, COLLECTIONS, INDEXES, type CollectionRole } from '../src/index.js';
import {
  COLLECTION_NOT_FOUND,
  DOCUMENT_NOT_FOUND,
  UNIQUE_CONSTRAINT,
  collectionInfo,
  cursorAnswer,
  docMeta,
  indexAnswer,
  trxBegun,
  trxEnded,
} from './arango-http-fixtures.js';

const HOST = 'http://arango.test:8529';
const DB = '/_db/chimera';
const AUTH = `Basic ${Buffer.from('chimera:s3cret').toString('base64')}`;

let store: ArangoStore;
let scope: nock.Scope;

beforeAll(() => nock.disableNetConnect());
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});
beforeEach(() => {
  store = new ArangoStore({ url: HOST, databaseName: 'chimera', auth: { username: 'chimera', password: 's3cret' } });
  scope = nock(HOST).matchHeader('authorization', AUTH);
});
afterEach(async () => {
  await store.close();
  nock.cleanAll();
});

/** Captures request bodies for assertions nock's matchers would make unreadable. */
function capture(into: unknown[]) {
  return (body: unknown) => {
    into.push(body);
    return true;
  };
}

describe('schema', () => {
  it('reads each collection and ensures its indexes (200 = already there): no creation', async () => {
    const bodies: unknown[] = [];
    for (const role of Object.keys(COLLECTIONS) as CollectionRole[]) {
      const name = COLLECTIONS[role];
      scope.get(`${DB}/_api/collection/${name}`).reply(200, collectionInfo(name));
      for (const spec of INDEXES[role]) {
        scope
          .post(`${DB}/_api/index`, capture(bodies))
          .query({ collection: name })
          .reply(200, indexAnswer(name, spec, false));
      }
    }
    expect(await store.ensureSchema()).toEqual({ createdCollections: [], createdIndexes: [] });
    scope.done();
    expect(bodies).toContainEqual({ type: 'persistent', name: 'idx_orders_symbol_updatedAt', fields: ['symbol', 'updatedAt'], sparse: false });
    expect(bodies).toContainEqual({ type: 'persistent', name: 'idx_strategy_events_intent_id_ts', fields: ['intent_id', 'ts'], sparse: true });
    expect(bodies).toHaveLength(Object.values(INDEXES).flat().length);
  });

  it('creates a missing collection after 1203, and takes 1207 (created meanwhile) as success', async () => {
    const created: unknown[] = [];
    for (const role of Object.keys(COLLECTIONS) as CollectionRole[]) {
      const name = COLLECTIONS[role];
      scope.get(`${DB}/_api/collection/${name}`).reply(404, COLLECTION_NOT_FOUND(name));
      const create = scope.post(`${DB}/_api/collection`, capture(created));
      if (role === 'fills') create.reply(409, { code: 409, error: true, errorNum: 1207, errorMessage: 'duplicate name' });
      else create.reply(200, collectionInfo(name));
      for (const spec of INDEXES[role]) scope.post(`${DB}/_api/index`).query({ collection: name }).reply(201, indexAnswer(name, spec, true));
    }
    const report = await store.ensureSchema();
    scope.done();
    expect(created).toContainEqual({ name: 'orders' });
    expect(report.createdCollections.sort()).toEqual(Object.values(COLLECTIONS).filter((c) => c !== 'fills').sort());
    expect(report.createdIndexes).toContain('orders/idx_orders_intent_id');
  });
});

describe('idempotent writes', () => {
  it('addFills: one batch insert with overwriteMode=conflict; inline 1210 counts as already stored', async () => {
    const bodies: unknown[] = [];
    const f1 = sampleFill({ tradeId: '1' });
    const f2 = sampleFill({ tradeId: '2' });
    scope
      .post(`${DB}/_api/document/fills`, capture(bodies))
      .query({ overwriteMode: 'conflict' })
      .reply(202, [docMeta('fills', 'test:FUT:BTCUSDT:1'), { error: true, errorNum: 1210, errorMessage: UNIQUE_CONSTRAINT('test:FUT:BTCUSDT:2').errorMessage }], {
        'x-arango-error-codes': '{"1210":1}',
      });
    expect(await store.addFills([f1, f2])).toBe(1);
    scope.done();
    expect(bodies[0]).toEqual([
      { ...f1, _key: 'test:FUT:BTCUSDT:1', _seq: expect.any(Number) },
      { ...f2, _key: 'test:FUT:BTCUSDT:2', _seq: expect.any(Number) },
    ]);
    const [a, b] = bodies[0] as { _seq: number }[];
    expect(b!._seq).toBeGreaterThan(a!._seq);
  });

  it('addFills: any other inline error fails the call with that error number', async () => {
    scope
      .post(`${DB}/_api/document/fills`)
      .query({ overwriteMode: 'conflict' })
      .reply(202, [{ error: true, errorNum: 1221, errorMessage: 'illegal document key' }], { 'x-arango-error-codes': '{"1221":1}' });
    const err = await store.addFills([sampleFill()]).catch((e: unknown) => e);
    expect(isChimeraError(err) && err.toJSON()).toMatchObject({ code: 'ARANGO_REQUEST_FAILED', details: { operation: 'addFills', errorNum: 1221 } });
    scope.done();
  });

  it('createTransfer: insert, then on 409 / 1210 read the stored transfer back', async () => {
    const t = sampleTransfer();
    const stored = { ...docMeta('treasury_transfers', 'tr-1'), ...t };
    scope
      .post(`${DB}/_api/document/treasury_transfers`, { ...t, amount: '999', _key: 'tr-1' })
      .query({ overwriteMode: 'conflict' })
      .reply(409, UNIQUE_CONSTRAINT('tr-1'))
      .get(`${DB}/_api/document/treasury_transfers/tr-1`)
      .reply(200, stored);
    // The stored transfer wins over the repeated request's fields.
    expect(await store.createTransfer({ ...t, amount: '999' })).toEqual({ created: false, record: t });
    scope.done();
  });
});

describe('stream transactions', () => {
  it('upsertOrders: begin (exclusive orders) → read by key → replace → commit, steps carrying x-arango-trx-id', async () => {
    const o = sampleOrder();
    const written: unknown[] = [];
    const steps = nock(HOST).matchHeader('x-arango-trx-id', '4711');
    scope
      .post(`${DB}/_api/transaction/begin`, { collections: { exclusive: ['orders'] }, lockTimeout: 30 })
      .reply(201, trxBegun('4711'))
      .put(`${DB}/_api/transaction/4711`)
      .reply(200, trxEnded('4711', 'committed'));
    steps
      .put(`${DB}/_api/document/orders`, ['cx-uuid-123-entry-0'])
      .query({ onlyget: 'true' })
      .reply(200, [{ error: true, errorNum: 1202, errorMessage: 'document not found' }])
      .post(`${DB}/_api/document/orders`, capture(written))
      .query({ overwriteMode: 'replace' })
      .reply(202, [docMeta('orders', 'cx-uuid-123-entry-0')]);
    await store.upsertOrders([o, { ...o, status: 'PARTIALLY_FILLED', filledQty: '0.0004', updatedAt: FIXTURE_T0 + 1 }]);
    scope.done();
    steps.done();
    expect(written[0]).toEqual([{ ...o, status: 'PARTIALLY_FILLED', filledQty: '0.0004', updatedAt: FIXTURE_T0 + 1, _key: 'cx-uuid-123-entry-0' }]);
  });

  it('upsertOrders: writes nothing when the stored order is newer, and still commits', async () => {
    const o = sampleOrder();
    const newer = { ...docMeta('orders', o.clientOrderId), ...o, status: 'FILLED', filledQty: o.qty, updatedAt: FIXTURE_T0 + 9 };
    scope
      .post(`${DB}/_api/transaction/begin`)
      .reply(201, trxBegun('1'))
      .put(`${DB}/_api/document/orders`)
      .query({ onlyget: 'true' })
      .reply(200, [newer])
      .put(`${DB}/_api/transaction/1`)
      .reply(200, trxEnded('1', 'committed'));
    await store.upsertOrders([o]);
    scope.done();
  });

  it('updateTransfer on an unknown id: begin → 404 / 1202 → abort (DELETE), then TRANSFER_NOT_FOUND', async () => {
    scope
      .post(`${DB}/_api/transaction/begin`, { collections: { exclusive: ['treasury_transfers'] }, lockTimeout: 30 })
      .reply(201, trxBegun('4712'))
      .get(`${DB}/_api/document/treasury_transfers/nope`)
      .matchHeader('x-arango-trx-id', '4712')
      .reply(404, DOCUMENT_NOT_FOUND)
      .delete(`${DB}/_api/transaction/4712`)
      .reply(200, trxEnded('4712', 'aborted'));
    const err = await store.updateTransfer('nope', { state: 'FAILED', updated_at: FIXTURE_T0 }).catch((e: unknown) => e);
    expect(isChimeraError(err) && err.code).toBe('TRANSFER_NOT_FOUND');
    scope.done();
  });
});

describe('reads', () => {
  it('listOrders: POST /_api/cursor with the fixed query text, all filters bound (null when absent)', async () => {
    const o = sampleOrder();
    scope
      .post(`${DB}/_api/cursor`, {
        query: AQL_QUERIES.LIST_ORDERS,
        bindVars: {
          '@collection': 'orders',
          since: null,
          symbols: ['BTCUSDT'],
          markets: null,
          venue: null,
          intentId: null,
          openOnly: true,
          terminalStatuses: ['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'],
        },
        batchSize: 1000,
        options: {},
      })
      .reply(201, cursorAnswer([{ ...docMeta('orders', o.clientOrderId), ...o }]));
    expect(await store.listOrders({ symbols: ['BTCUSDT'], openOnly: true })).toEqual([o]);
    scope.done();
  });

  it('getOrder: GET /_api/document/{c}/{key}; 404 / 1202 is "not stored"', async () => {
    scope.get(`${DB}/_api/document/orders/cx-1`).reply(404, DOCUMENT_NOT_FOUND);
    expect(await store.getOrder('cx-1')).toBeUndefined();
    scope.done();
  });

  it('encodes forbidden key characters, and arangojs escapes the % in the path', async () => {
    scope.get(`${DB}/_api/document/treasury_transfers/tr%252F1`).reply(404, DOCUMENT_NOT_FOUND);
    expect(await store.getTransfer('tr/1')).toBeUndefined();
    scope.done();
  });

  it('a failed connection is ARANGO_UNAVAILABLE (retryable)', async () => {
    scope.get(`${DB}/_api/document/orders/cx-1`).replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    const err = await store.getOrder('cx-1').catch((e: unknown) => e);
    expect(isChimeraError(err) && err.toJSON()).toMatchObject({ code: 'ARANGO_UNAVAILABLE', retryable: true });
  });
});
