/**
 * ArangoEventSink against the fake ArangoDB: batching, idempotent event ids, the bounded queue,
 * retries and drops under injected faults, and a `publish` that never throws.
 */
import { FIXTURE_T0, MemoryLogger } from '@chimera/core/testing';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArangoEventSink, ArangoStore, type ArangoEventSinkDropReason } from '../src/index.js';
import { FakeTarget } from './arango-target.js';
import type { FakeArangoServer } from './fake-arango-server.js';

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

const saves = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/_api/document/${store.collections.strategyEvents}`));
const unavailable = { status: 503, body: { code: 503, error: true, errorNum: 503, errorMessage: 'service unavailable' } };

describe('ArangoEventSink', () => {
  it('returns from publish at once and writes a tick’s events in one batch, in publish order', async () => {
    const sink = await store.createEventSink();
    for (let i = 0; i < 5; i++) sink.publish('ops:events', { event_id: `e${i}`, ts: FIXTURE_T0 });
    expect(fake.requests).toHaveLength(0);
    expect(sink.stats.pending).toBe(5);
    await sink.flush();
    expect(saves()).toHaveLength(1);
    expect(saves()[0]!.query).toEqual({ overwriteMode: 'conflict' });
    expect((await store.listStrategyEvents({ kind: 'ops:events' })).map((e) => e.event_id)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    await sink.close();
  });

  it('splits large backlogs into batches of batchSize', async () => {
    const sink = await store.createEventSink({ batchSize: 2 });
    for (let i = 0; i < 5; i++) sink.publish('alerts', { event_id: `a${i}` });
    await sink.flush();
    expect(saves().map((r) => (r.body as unknown[]).length)).toEqual([2, 2, 1]);
    expect(sink.stats).toMatchObject({ written: 5, pending: 0 });
    await sink.close();
  });

  it('retries a failed batch with doubling delays and writes it once the server answers', async () => {
    const logger = new MemoryLogger();
    const sink = await store.createEventSink({ retryDelayMs: 1, logger });
    fake.injectFault((r) => r.method === 'POST' && r.path.endsWith(`/_api/document/${store.collections.strategyEvents}`), unavailable, 2);
    sink.publish('orders:executed', { order_id: '1', ts: FIXTURE_T0 });
    await sink.flush();
    expect(saves()).toHaveLength(3);
    expect(sink.stats).toMatchObject({ written: 1, dropped: 0 });
    expect(await store.listStrategyEvents({ kind: 'orders:executed' })).toHaveLength(1);
    expect(logger.records.filter((r) => r.msg === 'event batch failed; retrying')).toHaveLength(2);
    await sink.close();
  });

  it('drops a batch after maxRetries, reports it, and keeps working', async () => {
    const drops: [number, ArangoEventSinkDropReason][] = [];
    const sink = await store.createEventSink({ retryDelayMs: 1, maxRetries: 2, onDrop: (n, why) => drops.push([n, why]) });
    fake.injectFault((r) => r.method === 'POST' && r.path.endsWith(`/_api/document/${store.collections.strategyEvents}`), unavailable, 3);
    sink.publish('alerts', { event_id: 'lost-1' });
    sink.publish('alerts', { event_id: 'lost-2' });
    await sink.flush();
    expect(drops).toEqual([[2, 'retries_exhausted']]);
    expect(sink.stats).toMatchObject({ dropped: 2, written: 0, pending: 0 });
    sink.publish('alerts', { event_id: 'kept' });
    await sink.close();
    expect((await store.listStrategyEvents({ kind: 'alerts' })).map((e) => e.event_id)).toEqual(['kept']);
  });

  it('drops the oldest events when the queue is full', async () => {
    const drops: ArangoEventSinkDropReason[] = [];
    const sink = await store.createEventSink({ maxQueue: 2, onDrop: (_n, why) => drops.push(why) });
    for (let i = 0; i < 5; i++) sink.publish('alerts', { event_id: `q${i}` });
    await sink.close();
    expect(drops).toEqual(['queue_full', 'queue_full', 'queue_full']);
    expect((await store.listStrategyEvents({ kind: 'alerts' })).map((e) => e.event_id)).toEqual(['q3', 'q4']);
  });

  it('never throws from publish: bad payloads, throwing callbacks and publishes after close are counted', async () => {
    const logger = new MemoryLogger();
    const drops: ArangoEventSinkDropReason[] = [];
    const sink = await store.createEventSink({
      logger,
      onDrop: (_n, why) => drops.push(why),
      kind: (stream, payload) => {
        if (payload.boom) throw new Error('kind callback failed');
        return stream;
      },
    });
    expect(() => sink.publish('alerts', { big: 10n } as unknown as Record<string, unknown>)).not.toThrow();
    expect(() => sink.publish('alerts', { boom: true })).not.toThrow();
    await sink.close();
    expect(() => sink.publish('alerts', { event_id: 'late' })).not.toThrow();
    expect(drops).toEqual(['invalid', 'invalid', 'closed']);
    expect(sink.stats).toMatchObject({ dropped: 3, written: 0 });
    expect(logger.records.some((r) => r.msg === 'event cannot be stored; dropped')).toBe(true);
  });

  it('keeps only the configured streams and can write to its own collection', async () => {
    const sink = await store.createEventSink({ collection: `${store.collections.strategyEvents}_audit`, streams: ['ops:events'] });
    sink.publish('ops:events', { event_id: 'o1' });
    sink.publish('alerts', { event_id: 'a1' });
    await sink.close();
    expect(sink.stats).toMatchObject({ written: 1, ignored: 1 });
    const stored = fake.documents(target.storeOptions().databaseName!, `${store.collections.strategyEvents}_audit`);
    expect(stored.map((d) => d._key)).toEqual(['o1']);
    expect(await store.listStrategyEvents()).toEqual([]);
  });

  it('rejects malformed options', () => {
    expect(() => new ArangoEventSink({ database: {} as never, collection: 'x' })).toThrow(/database/);
    expect(() => new ArangoEventSink({ database: store.database, collection: '', maxQueue: 0 })).toThrow(/collection.*maxQueue|maxQueue.*collection/s);
  });
});

describe('ArangoEventSink on a missing collection', () => {
  it('drops a batch the server refuses for good without retrying it', async () => {
    const drops: [number, ArangoEventSinkDropReason][] = [];
    const sink = new ArangoEventSink({ database: store.database, collection: 'no_such_collection', retryDelayMs: 1, onDrop: (n, why) => drops.push([n, why]) });
    sink.publish('alerts', { event_id: 'x' });
    await sink.close();
    expect(drops).toEqual([[1, 'rejected']]);
    expect(fake.requests.filter((r) => r.path.endsWith('/_api/document/no_such_collection'))).toHaveLength(1);
  });
});
