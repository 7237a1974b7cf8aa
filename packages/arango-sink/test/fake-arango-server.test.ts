/**
 * Checks that the fake ArangoDB answers like ArangoDB at the HTTP level (paths, status codes,
 * bodies, headers, transaction and cursor semantics), with raw `fetch` so no driver hides a
 * difference. The expected answers are the documented ones listed in the README.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AQL_QUERIES } from '../src/aql-queries.js';
import { FakeArangoServer } from './fake-arango-server.js';

let fake: FakeArangoServer;
let n = 0;
let db = '';

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => nock.enableNetConnect());

beforeEach(async () => {
  fake = await FakeArangoServer.start();
  db = `db${++n}`;
  await call('POST', '/_api/database', { name: db }, '_system');
});
afterEach(() => fake.close());

async function call(method: string, path: string, body?: unknown, database = db, headers: Record<string, string> = {}) {
  const res = await fetch(`${fake.url}/_db/${database}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

const trx = (id: string) => ({ 'x-arango-trx-id': id });

describe('databases and collections', () => {
  it('answers 1228 for an unknown database and 1207 for a duplicate one', async () => {
    expect(await call('GET', '/_api/collection/x', undefined, 'nope')).toEqual({
      status: 404,
      headers: expect.anything(),
      body: { code: 404, error: true, errorNum: 1228, errorMessage: 'database not found' },
    });
    expect((await call('POST', '/_api/database', { name: db }, '_system')).body).toMatchObject({ code: 409, errorNum: 1207 });
    expect((await call('POST', '/_api/database', { name: 'x' }, db)).body).toMatchObject({ code: 403, errorNum: 1230 });
    expect((await call('DELETE', `/_api/database/${db}`, undefined, '_system')).body).toEqual({ code: 200, error: false, result: true });
    expect((await call('DELETE', `/_api/database/${db}`, undefined, '_system')).body).toMatchObject({ code: 404, errorNum: 1228 });
  });

  it('creates a collection with 200, refuses duplicates with 1207 and bad names with 1208', async () => {
    expect((await call('GET', '/_api/collection/orders')).body).toEqual({
      code: 404,
      error: true,
      errorNum: 1203,
      errorMessage: 'collection or view not found: orders',
    });
    const created = await call('POST', '/_api/collection', { name: 'orders' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: 'orders', type: 2, status: 3, isSystem: false, error: false, code: 200 });
    expect((await call('GET', '/_api/collection/orders')).body).toMatchObject({ name: 'orders', error: false, code: 200 });
    expect((await call('POST', '/_api/collection', { name: 'orders' })).body).toMatchObject({ code: 409, errorNum: 1207, errorMessage: 'duplicate name' });
    expect((await call('POST', '/_api/collection', { name: '1bad' })).body).toMatchObject({ code: 400, errorNum: 1208 });
  });

  it('ensures a persistent index with 201, then answers 200 for the same definition', async () => {
    await call('POST', '/_api/collection', { name: 'fills' });
    const spec = { type: 'persistent', name: 'idx_ts', fields: ['ts'], sparse: false };
    const first = await call('POST', '/_api/index?collection=fills', spec);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: 'idx_ts', type: 'persistent', fields: ['ts'], unique: false, sparse: false, isNewlyCreated: true, code: 201 });
    const again = await call('POST', '/_api/index?collection=fills', spec);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, isNewlyCreated: false, code: 200 });
    const list = await call('GET', '/_api/index?collection=fills');
    expect(list.body.indexes.map((i: { name: string }) => i.name)).toEqual(['primary', 'idx_ts']);
    expect((await call('POST', '/_api/index?collection=nope', spec)).body).toMatchObject({ errorNum: 1203 });
  });

  it('answers an unknown path like ArangoDB', async () => {
    expect((await call('GET', '/_api/nothing')).body).toEqual({ code: 404, error: true, errorNum: 404, errorMessage: "unknown path '/_api/nothing'" });
  });
});

describe('documents', () => {
  beforeEach(async () => {
    await call('POST', '/_api/collection', { name: 'c' });
  });

  it('inserts one document with 202 and refuses a second with the same _key: 409 / 1210', async () => {
    const ok = await call('POST', '/_api/document/c', { _key: 'a:1', v: 1 });
    expect(ok.status).toBe(202);
    expect(Object.keys(ok.body).sort()).toEqual(['_id', '_key', '_rev']);
    expect(ok.body).toMatchObject({ _id: 'c/a:1', _key: 'a:1' });
    const dup = await call('POST', '/_api/document/c', { _key: 'a:1', v: 2 });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({
      code: 409,
      error: true,
      errorNum: 1210,
      errorMessage: "unique constraint violated - in index primary of type primary over '_key'; conflicting key: a:1",
    });
    expect((await call('GET', '/_api/document/c/a:1')).body).toMatchObject({ _key: 'a:1', v: 1 });
    expect((await call('POST', '/_api/document/c?waitForSync=true', { _key: 'b' })).status).toBe(201);
  });

  it('answers a batch in input order with inline failures and x-arango-error-codes', async () => {
    await call('POST', '/_api/document/c', { _key: 'a' });
    const res = await call('POST', '/_api/document/c', [{ _key: 'b' }, { _key: 'a' }, { _key: 'b' }, { _key: 'bad/key' }, 'text', { v: 1 }]);
    expect(res.status).toBe(202);
    expect(res.headers.get('x-arango-error-codes')).toBe('{"1210":2,"1221":1,"1227":1}');
    expect(res.body[0]).toMatchObject({ _key: 'b' });
    expect(res.body[1]).toEqual({ error: true, errorNum: 1210, errorMessage: expect.stringContaining('unique constraint violated') });
    expect(res.body[2]).toMatchObject({ error: true, errorNum: 1210 });
    expect(res.body[3]).toEqual({ error: true, errorNum: 1221, errorMessage: 'illegal document key' });
    expect(res.body[4]).toEqual({ error: true, errorNum: 1227, errorMessage: 'invalid document type' });
    expect(res.body[5]._key).toMatch(/^\d+$/);
  });

  it('replaces with overwriteMode=replace and reports the old revision', async () => {
    const first = await call('POST', '/_api/document/c', { _key: 'a', v: 1, gone: true });
    const res = await call('POST', '/_api/document/c?overwriteMode=replace&returnNew=true&returnOld=true', [{ _key: 'a', v: 2 }]);
    expect(res.body[0]).toMatchObject({ _key: 'a', _oldRev: first.body._rev, old: { v: 1, gone: true }, new: { _key: 'a', v: 2 } });
    expect((await call('GET', '/_api/document/c/a')).body).not.toHaveProperty('gone');
    // Modes the fake does not model say so instead of guessing.
    expect((await call('POST', '/_api/document/c?overwriteMode=ignore', { _key: 'a' })).body).toMatchObject({ code: 501, errorNum: 9 });
  });

  it('reads one document (404 / 1202 when missing) and many with onlyget', async () => {
    await call('POST', '/_api/document/c', [{ _key: 'a' }, { _key: 'b' }]);
    expect((await call('GET', '/_api/document/c/zz')).body).toEqual({ code: 404, error: true, errorNum: 1202, errorMessage: 'document not found' });
    expect((await call('GET', '/_api/document/nope/zz')).body).toMatchObject({ code: 404, errorNum: 1203 });
    const many = await call('PUT', '/_api/document/c?onlyget=true', ['b', 'zz', { _key: 'a' }]);
    expect(many.status).toBe(200);
    expect(many.body[0]).toMatchObject({ _key: 'b', _id: 'c/b' });
    expect(many.body[1]).toEqual({ error: true, errorNum: 1202, errorMessage: 'document not found' });
    expect(many.body[2]).toMatchObject({ _key: 'a' });
  });
});

describe('AQL cursor', () => {
  const bind = (extra: Record<string, unknown> = {}) => ({ '@collection': 'c', symbol: null, since: null, ...extra });

  beforeEach(async () => {
    await call('POST', '/_api/collection', { name: 'c' });
    await call('POST', '/_api/document/c', [1, 2, 3, 4, 5].map((i) => ({ _key: `k${i}`, symbol: i % 2 ? 'A' : 'B', funding_time: 10 - i })));
  });

  it('answers the cursor shape, batches by batchSize and continues with POST /_api/cursor/{id}/{batch}', async () => {
    const first = await call('POST', '/_api/cursor', { query: AQL_QUERIES.LIST_FUNDING_RECORDS, bindVars: bind(), batchSize: 2, count: true });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ hasMore: true, count: 5, cached: false, error: false, code: 201, nextBatchId: '2' });
    expect(first.body.extra.stats).toMatchObject({ writesExecuted: 0, writesIgnored: 0, scannedFull: 5 });
    expect(first.body.result.map((d: { _key: string }) => d._key)).toEqual(['k5', 'k4']);
    const second = await call('POST', `/_api/cursor/${first.body.id}/2`);
    expect(second.body).toMatchObject({ hasMore: true, code: 200, id: first.body.id, nextBatchId: '3' });
    const third = await call('POST', `/_api/cursor/${first.body.id}/3`);
    expect(third.body).toMatchObject({ hasMore: false, code: 200 });
    expect(third.body.result.map((d: { _key: string }) => d._key)).toEqual(['k1']);
    expect((await call('DELETE', `/_api/cursor/${first.body.id}`)).body).toEqual({ code: 404, error: true, errorNum: 1600, errorMessage: 'cursor not found' });
  });

  it('evaluates the filters of the known query', async () => {
    const res = await call('POST', '/_api/cursor', { query: AQL_QUERIES.LIST_FUNDING_RECORDS, bindVars: bind({ symbol: 'A', since: 6 }) });
    expect(res.body.result.map((d: { _key: string }) => d._key)).toEqual(['k3', 'k1']);
    expect(res.body.hasMore).toBe(false);
    expect(res.body).not.toHaveProperty('id');
  });

  it('checks bind parameters (1551 missing, 1552 undeclared) and refuses unknown queries with 501', async () => {
    const { since: _omit, ...missing } = bind();
    expect((await call('POST', '/_api/cursor', { query: AQL_QUERIES.LIST_FUNDING_RECORDS, bindVars: missing })).body).toEqual({
      code: 400,
      error: true,
      errorNum: 1551,
      errorMessage: "no value specified for declared bind parameter 'since' (while parsing)",
    });
    expect((await call('POST', '/_api/cursor', { query: AQL_QUERIES.LIST_FUNDING_RECORDS, bindVars: bind({ extra: 1 }) })).body).toMatchObject({
      code: 400,
      errorNum: 1552,
    });
    expect((await call('POST', '/_api/cursor', { query: 'FOR d IN c RETURN d', bindVars: {} })).body).toMatchObject({ code: 501, errorNum: 9 });
    expect((await call('POST', '/_api/cursor', { query: AQL_QUERIES.LIST_FUNDING_RECORDS, bindVars: bind({ '@collection': 'nope' }) })).body).toMatchObject({
      code: 404,
      errorNum: 1203,
    });
  });
});

describe('stream transactions', () => {
  beforeEach(async () => {
    await call('POST', '/_api/collection', { name: 'c' });
  });

  const begin = async (collections: Record<string, string[]>, lockTimeout?: number) =>
    call('POST', '/_api/transaction/begin', { collections, ...(lockTimeout ? { lockTimeout } : {}) });

  it('begins with 201, hides writes until commit, and commits idempotently', async () => {
    const started = await begin({ write: ['c'] });
    expect(started.status).toBe(201);
    expect(started.body).toEqual({ code: 201, error: false, result: { id: expect.any(String), status: 'running' } });
    const id: string = started.body.result.id;
    await call('POST', '/_api/document/c', { _key: 'a' }, db, trx(id));
    expect((await call('GET', '/_api/document/c/a', undefined, db, trx(id))).status).toBe(200);
    expect((await call('GET', '/_api/document/c/a')).status).toBe(404);
    expect((await call('PUT', `/_api/transaction/${id}`)).body).toEqual({ code: 200, error: false, result: { id, status: 'committed' } });
    expect((await call('PUT', `/_api/transaction/${id}`)).body.result.status).toBe('committed');
    expect((await call('GET', '/_api/document/c/a')).status).toBe(200);
  });

  it('discards writes on abort and then refuses the transaction id', async () => {
    const id: string = (await begin({ write: ['c'] })).body.result.id;
    await call('POST', '/_api/document/c', { _key: 'a' }, db, trx(id));
    expect((await call('DELETE', `/_api/transaction/${id}`)).body).toEqual({ code: 200, error: false, result: { id, status: 'aborted' } });
    expect((await call('GET', '/_api/document/c/a')).status).toBe(404);
    expect((await call('GET', '/_api/document/c/a', undefined, db, trx(id))).body).toMatchObject({ code: 410, errorNum: 1654 });
    expect((await call('GET', '/_api/document/c/a', undefined, db, trx('999999'))).body).toMatchObject({ code: 404, errorNum: 1655 });
    expect((await call('PUT', `/_api/transaction/${id}`)).body).toMatchObject({ code: 409, errorNum: 1654 });
  });

  it('refuses writes to undeclared collections (1652) and unknown collections at begin (1203)', async () => {
    await call('POST', '/_api/collection', { name: 'd' });
    const id: string = (await begin({ read: ['d'], write: ['c'] })).body.result.id;
    expect((await call('POST', '/_api/document/d', { _key: 'x' }, db, trx(id))).body).toEqual({
      code: 400,
      error: true,
      errorNum: 1652,
      errorMessage: 'unregistered collection used in transaction: d [write]',
    });
    expect((await begin({ write: ['nope'] })).body).toMatchObject({ code: 404, errorNum: 1203 });
  });

  it('reads from a snapshot and reports a write-write conflict (1200) on a key changed after it', async () => {
    await call('POST', '/_api/document/c', { _key: 'a', v: 1 });
    const id: string = (await begin({ write: ['c'] })).body.result.id;
    await call('POST', '/_api/document/c?overwriteMode=replace', { _key: 'a', v: 2 });
    expect((await call('GET', '/_api/document/c/a', undefined, db, trx(id))).body.v).toBe(1);
    expect((await call('POST', '/_api/document/c?overwriteMode=replace', { _key: 'a', v: 3 }, db, trx(id))).body).toMatchObject({ code: 409, errorNum: 1200 });
    // Another writer on a key the transaction wrote conflicts too.
    await call('POST', '/_api/document/c', { _key: 'b' }, db, trx(id));
    expect((await call('POST', '/_api/document/c', { _key: 'b' })).body).toMatchObject({ code: 409, errorNum: 1200 });
  });

  it('holds writers back while an exclusive lock is held, and times out a second exclusive begin (500 / 18)', async () => {
    const id: string = (await begin({ exclusive: ['c'] })).body.result.id;
    let written = false;
    const blocked = call('POST', '/_api/document/c', { _key: 'late' }).then((r) => {
      written = true;
      return r;
    });
    const second = await begin({ exclusive: ['c'] }, 1);
    expect(second.body).toEqual({ code: 500, error: true, errorNum: 18, errorMessage: 'lock timeout' });
    expect(written).toBe(false);
    await call('PUT', `/_api/transaction/${id}`);
    expect((await blocked).status).toBe(202);
    expect(fake.engine.locksBusy(db)).toBe(false);
  });
});

describe('auth and faults', () => {
  it('answers 401 without the configured credentials', async () => {
    const strict = await FakeArangoServer.start({ auth: { username: 'u', password: 'p' } });
    try {
      const denied = await fetch(`${strict.url}/_api/collection/x`, { headers: { authorization: `Basic ${btoa('u:wrong')}` } });
      expect(denied.status).toBe(401);
      expect(await denied.json()).toEqual({ code: 401, error: true, errorNum: 11, errorMessage: 'not authorized to execute this request' });
      const allowed = await fetch(`${strict.url}/_api/collection/x`, { headers: { authorization: `Basic ${btoa('u:p')}` } });
      expect(allowed.status).toBe(404);
    } finally {
      await strict.close();
    }
  });

  it('records requests and serves injected faults the given number of times', async () => {
    fake.injectFault((r) => r.path.endsWith('/_api/collection/x'), { status: 503, body: { code: 503, error: true, errorNum: 503, errorMessage: 'service unavailable' } });
    expect((await call('GET', '/_api/collection/x')).status).toBe(503);
    expect((await call('GET', '/_api/collection/x')).status).toBe(404);
    expect(fake.requests.slice(-2).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /_db/${db}/_api/collection/x`, `GET /_db/${db}/_api/collection/x`]);
  });
});
