import {
  applyTransferUpdate,
  fillKey,
  fundingKey,
  instrumentKey,
  mergeOrder,
  noopLogger,
  orderKey,
  parseWith,
  positionSnapshotKey,
  redactingLogger,
  StateError,
  SystemClock,
  TERMINAL_ORDER_STATUSES,
  type ChimeraError,
  type Clock,
  type Fill,
  type FillQuery,
  type FundingRecord,
  type Instrument,
  type IntentRecord,
  type IntentState,
  type Logger,
  type Market,
  type OrderQuery,
  type OrderRecord,
  type PositionSnapshot,
  type Store,
  type StrategyEvent,
  type StrategyEventQuery,
  type TransferRecord,
  type TransferUpdate,
} from '@chimera/core';
import type { Database } from 'arangojs';
import type { Transaction } from 'arangojs/transactions';
import {
  LATEST_POSITIONS,
  LIST_FILLS,
  LIST_FUNDING_RECORDS,
  LIST_INSTRUMENTS,
  LIST_INTENTS,
  LIST_ORDERS,
  LIST_STRATEGY_EVENTS,
} from './aql-queries.js';
import { ArangoEventSink, type ArangoEventSinkOptions } from './arango-event-sink.js';
import { ArangoStoreOptionsSchema, databaseFrom, type ArangoStoreOptions } from './arango-store-options.js';
import { ARANGO_ERROR, ArangoStoreError, hasErrorNum, toStoreError } from './arango-store-error.js';
import { collectionNames, INDEXES, type CollectionRole } from './collections.js';
import { fromDocument, toDocument, toDocumentKey } from './document-keys.js';
import { insertionSequence } from './insertion-sequence.js';
import { KeyedMutex } from './keyed-mutex.js';
import { ensureCollection } from './schema.js';

type Doc = Record<string, unknown>;

/** An inline per-document failure in a batch answer (`{ error: true, errorNum, errorMessage }`). */
interface DocumentFailure {
  error: true;
  errorNum: number;
  errorMessage: string;
}

function isFailure(item: unknown): item is DocumentFailure {
  return typeof item === 'object' && item !== null && (item as { error?: unknown }).error === true;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const list = <T>(v: readonly T[] | undefined): T[] | null => (v === undefined ? null : [...v]);

/** What {@link ArangoStore.ensureSchema} created (empty lists when everything existed). */
export interface SchemaReport {
  /** Physical names of the collections created now. */
  createdCollections: string[];
  /** `collection/index` names of the indexes created now. */
  createdIndexes: string[];
}

/**
 * The ArangoDB {@link Store}: orders, fills, position snapshots, strategy events, intents, treasury
 * transfers, funding records and instruments, one collection each (see `collections.ts`).
 *
 * - Every document's `_key` is the record's natural key (`@chimera/core` key builders), so every
 *   write is idempotent: fills, funding records and strategy events are inserted with
 *   `overwriteMode=conflict` and a per-document 1210 (unique constraint) answer counts as "already
 *   stored"; snapshots, intents and instruments are replaced by key.
 * - Orders are merged in a stream transaction holding an exclusive lock on `orders`: read, merge
 *   with `mergeOrder` (older never overwrites newer; terminal never reopens), write, commit.
 * - Transfers: `createTransfer` inserts, and 1210 means "exists" → the stored one is read back;
 *   `updateTransfer` reads, applies `applyTransferUpdate` and writes in one exclusive transaction.
 * - {@link ArangoStore.putIntentWithEvents} writes an intent and its transition events together.
 *
 * Failures are {@link ArangoStoreError}s (`ARANGO_UNAVAILABLE`, `ARANGO_CONFLICT` retryable;
 * `ARANGO_REQUEST_FAILED` not), or the core's `StateError`s of the transfer rules.
 *
 * @example
 * ```ts
 * const store = await ArangoStore.connect({ url: 'http://127.0.0.1:8529', databaseName: 'chimera',
 *   auth: { username: 'chimera', password: process.env.ARANGO_PASSWORD } });
 * ```
 */
export class ArangoStore implements Store {
  /** The arangojs database the store writes to. */
  readonly database: Database;
  /** Physical collection name per role (after `collectionPrefix`). */
  readonly collections: Readonly<Record<CollectionRole, string>>;
  private readonly ownsDatabase: boolean;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly lockTimeoutSeconds: number;
  private readonly batchSize: number;
  private readonly nextSeq: () => number;
  private readonly mutex = new KeyedMutex();
  private closed = false;

  /**
   * Creates the store without any I/O; call {@link ArangoStore.ensureSchema} (or use
   * {@link ArangoStore.connect}) before the first write to a fresh database.
   *
   * @throws ValidationError when `options` are malformed (see `ArangoStoreOptionsSchema`).
   */
  constructor(options: ArangoStoreOptions) {
    const o = parseWith(ArangoStoreOptionsSchema, options, 'ArangoStore options');
    const { db, owned } = databaseFrom(o);
    this.database = db;
    this.ownsDatabase = owned;
    this.collections = collectionNames(o.collectionPrefix);
    this.logger = redactingLogger(o.logger ?? noopLogger).child({ component: 'arango-store' });
    this.clock = o.clock ?? new SystemClock();
    this.lockTimeoutSeconds = o.lockTimeoutSeconds;
    this.batchSize = o.batchSize;
    this.nextSeq = insertionSequence(this.clock);
  }

  /**
   * Creates the store and its collections and indexes where missing (idempotent).
   *
   * @throws ValidationError for malformed options; ArangoStoreError when the server refuses.
   */
  static async connect(options: ArangoStoreOptions): Promise<ArangoStore> {
    const store = new ArangoStore(options);
    try {
      await store.ensureSchema();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  /**
   * Creates every collection and persistent index that is missing. Safe to run on every start and
   * from several processes at once.
   *
   * @throws ArangoStoreError when the server refuses (e.g. no right to create collections).
   */
  async ensureSchema(): Promise<SchemaReport> {
    this.guard();
    const report: SchemaReport = { createdCollections: [], createdIndexes: [] };
    const roles = Object.keys(this.collections) as CollectionRole[];
    try {
      // Collections are independent: ensure them concurrently (arangojs caps requests in flight at `poolSize`).
      const results = await Promise.all(roles.map((role) => ensureCollection(this.database, this.collections[role], INDEXES[role], this.logger)));
      results.forEach((r, i) => {
        const name = this.collections[roles[i]!];
        if (r.created) report.createdCollections.push(name);
        report.createdIndexes.push(...r.createdIndexes.map((idx) => `${name}/${idx}`));
      });
    } catch (err) {
      throw toStoreError(err, 'ensureSchema');
    }
    return report;
  }

  // ── orders ────────────────────────────────────────────────────────────────────────────────

  async upsertOrders(orders: readonly OrderRecord[]): Promise<void> {
    this.guard();
    if (orders.length === 0) return;
    const name = this.collections.orders;
    const col = this.database.collection<Doc>(name);
    await this.mutex.run(name, () =>
      this.inTransaction({ exclusive: [name] }, 'upsertOrders', async (trx) => {
        const keys = [...new Set(orders.map((o) => toDocumentKey(orderKey(o))))];
        const current = new Map<string, OrderRecord>();
        for (const part of chunks(keys, this.batchSize)) {
          for (const item of await trx.step(() => col.documents(part))) {
            if (isFailure(item)) {
              if (item.errorNum !== ARANGO_ERROR.DOCUMENT_NOT_FOUND) throw this.itemError(item, 'upsertOrders');
              continue;
            }
            const doc = item as Doc;
            current.set(String(doc._key), fromDocument<OrderRecord>(doc));
          }
        }
        const changed = new Set<string>();
        for (const o of orders) {
          const key = toDocumentKey(orderKey(o));
          const stored = current.get(key);
          const merged = mergeOrder(stored, o);
          if (merged !== stored) {
            current.set(key, merged);
            changed.add(key);
          }
        }
        const docs = [...changed].map((key) => toDocument(current.get(key)!, key));
        for (const part of chunks(docs, this.batchSize)) {
          const answer = await trx.step(() => col.saveAll(part, { overwriteMode: 'replace' }));
          this.throwOnFailures(answer, 'upsertOrders');
        }
      }),
    );
  }

  async getOrder(clientOrderId: string): Promise<OrderRecord | undefined> {
    return this.getByKey<OrderRecord>('orders', clientOrderId, 'getOrder');
  }

  async listOrders(query: OrderQuery = {}): Promise<OrderRecord[]> {
    return this.query<OrderRecord>(
      LIST_ORDERS,
      {
        '@collection': this.collections.orders,
        since: query.since ?? null,
        symbols: list(query.symbols),
        markets: list(query.markets),
        venue: query.venue ?? null,
        intentId: query.intentId ?? null,
        openOnly: query.openOnly ?? false,
        terminalStatuses: [...TERMINAL_ORDER_STATUSES],
      },
      'listOrders',
    );
  }

  // ── fills ─────────────────────────────────────────────────────────────────────────────────

  async addFills(fills: readonly Fill[]): Promise<number> {
    return this.insertNew(
      'fills',
      fills.map((f) => toDocument(f, toDocumentKey(fillKey(f)), this.nextSeq())),
      'addFills',
    );
  }

  async listFills(query: FillQuery = {}): Promise<Fill[]> {
    return this.query<Fill>(
      LIST_FILLS,
      {
        '@collection': this.collections.fills,
        since: query.since ?? null,
        symbols: list(query.symbols),
        markets: list(query.markets),
        clientOrderId: query.clientOrderId ?? null,
      },
      'listFills',
    );
  }

  // ── position snapshots ────────────────────────────────────────────────────────────────────

  async addPositionSnapshots(snapshots: readonly PositionSnapshot[]): Promise<void> {
    // Replace, like the reference MemoryStore: a snapshot re-sent for the same instant is the same snapshot.
    await this.replaceAll(
      'positionSnapshots',
      snapshots.map((s) => toDocument(s, toDocumentKey(positionSnapshotKey(s)))),
      'addPositionSnapshots',
    );
  }

  async latestPositions(query: { since?: number; symbols?: readonly string[] } = {}): Promise<PositionSnapshot[]> {
    return this.query<PositionSnapshot>(
      LATEST_POSITIONS,
      { '@collection': this.collections.positionSnapshots, since: query.since ?? null, symbols: list(query.symbols) },
      'latestPositions',
    );
  }

  // ── strategy events ───────────────────────────────────────────────────────────────────────

  async appendStrategyEvents(events: readonly StrategyEvent[]): Promise<number> {
    return this.insertNew(
      'strategyEvents',
      events.map((e) => toDocument(e, toDocumentKey(e.event_id), this.nextSeq())),
      'appendStrategyEvents',
    );
  }

  async listStrategyEvents(query: StrategyEventQuery = {}): Promise<StrategyEvent[]> {
    return this.query<StrategyEvent>(
      LIST_STRATEGY_EVENTS,
      {
        '@collection': this.collections.strategyEvents,
        intentId: query.intentId ?? null,
        kind: query.kind ?? null,
        since: query.since ?? null,
      },
      'listStrategyEvents',
    );
  }

  // ── intents ───────────────────────────────────────────────────────────────────────────────

  async putIntent(record: IntentRecord): Promise<void> {
    await this.replaceAll('intents', [toDocument(record, toDocumentKey(record.intent_id))], 'putIntent');
  }

  async getIntent(intentId: string): Promise<IntentRecord | undefined> {
    return this.getByKey<IntentRecord>('intents', intentId, 'getIntent');
  }

  async listIntents(query: { states?: readonly IntentState[]; since?: number } = {}): Promise<IntentRecord[]> {
    return this.query<IntentRecord>(
      LIST_INTENTS,
      { '@collection': this.collections.intents, states: list(query.states), since: query.since ?? null },
      'listIntents',
    );
  }

  /**
   * Writes an intent record and its transition events in one stream transaction, so a crash never
   * leaves a state without its event or an event without its state. Events whose `event_id` is
   * already stored are skipped (a replayed transition), exactly like {@link appendStrategyEvents}.
   *
   * @returns how many events were new.
   * @throws ArangoStoreError when the transaction fails; nothing is written then.
   */
  async putIntentWithEvents(record: IntentRecord, events: readonly StrategyEvent[]): Promise<number> {
    this.guard();
    const intents = this.database.collection<Doc>(this.collections.intents);
    const eventsCol = this.database.collection<Doc>(this.collections.strategyEvents);
    return this.inTransaction({ write: [intents.name, eventsCol.name] }, 'putIntentWithEvents', async (trx) => {
      // Existing events are looked up first instead of relying on per-document 1210 answers, so
      // the transaction never carries a failed operation.
      const byKey = new Map<string, StrategyEvent>();
      for (const e of events) {
        const key = toDocumentKey(e.event_id);
        if (!byKey.has(key)) byKey.set(key, e);
      }
      const existing = new Set<string>();
      for (const part of chunks([...byKey.keys()], this.batchSize)) {
        for (const item of await trx.step(() => eventsCol.documents(part))) {
          if (isFailure(item)) {
            if (item.errorNum !== ARANGO_ERROR.DOCUMENT_NOT_FOUND) throw this.itemError(item, 'putIntentWithEvents');
            continue;
          }
          existing.add(String((item as Doc)._key));
        }
      }
      const fresh = [...byKey].filter(([key]) => !existing.has(key)).map(([key, e]) => toDocument(e, key, this.nextSeq()));
      const intentAnswer = await trx.step(() => intents.save(toDocument(record, toDocumentKey(record.intent_id)), { overwriteMode: 'replace' }));
      this.throwOnFailures([intentAnswer], 'putIntentWithEvents');
      for (const part of chunks(fresh, this.batchSize)) {
        this.throwOnFailures(await trx.step(() => eventsCol.saveAll(part, { overwriteMode: 'conflict' })), 'putIntentWithEvents');
      }
      return fresh.length;
    });
  }

  // ── treasury transfers ────────────────────────────────────────────────────────────────────

  async createTransfer(record: TransferRecord): Promise<{ created: boolean; record: TransferRecord }> {
    this.guard();
    const name = this.collections.treasuryTransfers;
    const col = this.database.collection<Doc>(name);
    const key = toDocumentKey(record.transfer_id);
    return this.mutex.run(name, async () => {
      try {
        await col.save(toDocument(record, key), { overwriteMode: 'conflict' });
        return { created: true, record: structuredClone(record) };
      } catch (err) {
        if (!hasErrorNum(err, ARANGO_ERROR.UNIQUE_CONSTRAINT_VIOLATED)) throw toStoreError(err, 'createTransfer');
      }
      // The insert lost to an existing transfer: answer with what is stored (transfers are never
      // deleted, so the read cannot miss).
      try {
        return { created: false, record: fromDocument<TransferRecord>(await col.document(key)) };
      } catch (err) {
        throw toStoreError(err, 'createTransfer');
      }
    });
  }

  async updateTransfer(transferId: string, update: TransferUpdate): Promise<TransferRecord> {
    this.guard();
    const name = this.collections.treasuryTransfers;
    const col = this.database.collection<Doc>(name);
    const key = toDocumentKey(transferId);
    return this.mutex.run(name, () =>
      this.inTransaction({ exclusive: [name] }, 'updateTransfer', async (trx) => {
        const doc = await trx.step(() => col.document(key, { graceful: true }));
        if (!doc) {
          throw new StateError(`unknown transfer ${transferId}`, { code: 'TRANSFER_NOT_FOUND', details: { transfer_id: transferId } });
        }
        const stored = fromDocument<TransferRecord>(doc);
        const next = applyTransferUpdate(stored, update);
        if (next !== stored) {
          this.throwOnFailures([await trx.step(() => col.save(toDocument(next, key), { overwriteMode: 'replace' }))], 'updateTransfer');
        }
        return next;
      }),
    );
  }

  async getTransfer(transferId: string): Promise<TransferRecord | undefined> {
    return this.getByKey<TransferRecord>('treasuryTransfers', transferId, 'getTransfer');
  }

  // ── funding records ───────────────────────────────────────────────────────────────────────

  async upsertFundingRecords(records: readonly FundingRecord[]): Promise<number> {
    return this.insertNew(
      'fundingRecords',
      records.map((r) => toDocument(r, toDocumentKey(fundingKey(r)))),
      'upsertFundingRecords',
    );
  }

  async listFundingRecords(query: { symbol?: string; since?: number } = {}): Promise<FundingRecord[]> {
    return this.query<FundingRecord>(
      LIST_FUNDING_RECORDS,
      { '@collection': this.collections.fundingRecords, symbol: query.symbol ?? null, since: query.since ?? null },
      'listFundingRecords',
    );
  }

  // ── instruments ───────────────────────────────────────────────────────────────────────────

  async putInstruments(instruments: readonly Instrument[]): Promise<void> {
    await this.replaceAll(
      'instrumentRegistry',
      instruments.map((i) => toDocument(i, toDocumentKey(instrumentKey(i)))),
      'putInstruments',
    );
  }

  async listInstruments(query: { venue?: string; market?: Market } = {}): Promise<Instrument[]> {
    return this.query<Instrument>(
      LIST_INSTRUMENTS,
      { '@collection': this.collections.instrumentRegistry, venue: query.venue ?? null, market: query.market ?? null },
      'listInstruments',
    );
  }

  // ── event sink ────────────────────────────────────────────────────────────────────────────

  /**
   * An {@link ArangoEventSink} on this store's database that appends the event-log streams
   * (`orders:executed`, `strategy:reconciled`, `alerts`, `ops:events` …) to `strategy_events`, or
   * to `options.collection` (created with the same indexes when missing).
   *
   * @throws ValidationError for malformed options; ArangoStoreError when the collection cannot be created.
   */
  async createEventSink(options: Omit<ArangoEventSinkOptions, 'database' | 'collection'> & { collection?: string } = {}): Promise<ArangoEventSink> {
    this.guard();
    const collection = options.collection ?? this.collections.strategyEvents;
    if (collection !== this.collections.strategyEvents) {
      try {
        await ensureCollection(this.database, collection, INDEXES.strategyEvents, this.logger);
      } catch (err) {
        throw toStoreError(err, 'createEventSink');
      }
    }
    return new ArangoEventSink({
      clock: this.clock,
      logger: this.logger,
      sequence: this.nextSeq,
      ...options,
      database: this.database,
      collection,
    });
  }

  /** Releases the connection when the store created it (a `database` passed in stays open). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDatabase) this.database.close();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private guard(): void {
    if (this.closed) throw new StateError('the ArangoStore is closed', { code: 'STORE_CLOSED' });
  }

  private async getByKey<T>(role: CollectionRole, naturalKey: string, operation: string): Promise<T | undefined> {
    this.guard();
    try {
      const doc = await this.database.collection<Doc>(this.collections[role]).document(toDocumentKey(naturalKey), { graceful: true });
      return doc ? fromDocument<T>(doc) : undefined;
    } catch (err) {
      throw toStoreError(err, operation);
    }
  }

  private async query<T>(text: string, bindVars: Record<string, unknown>, operation: string): Promise<T[]> {
    this.guard();
    try {
      const cursor = await this.database.query<Doc>(text, bindVars, { batchSize: this.batchSize });
      return (await cursor.all()).map((d) => fromDocument<T>(d));
    } catch (err) {
      throw toStoreError(err, operation);
    }
  }

  /**
   * Inserts documents that are not stored yet and counts them. The insert runs with
   * `overwriteMode=conflict`: ArangoDB answers every document in order, a stored `_key` (or a
   * repeat inside the batch) as an inline 1210 error, so "new" is exactly "no error".
   */
  private async insertNew(role: CollectionRole, docs: Doc[], operation: string): Promise<number> {
    this.guard();
    const col = this.database.collection<Doc>(this.collections[role]);
    let added = 0;
    try {
      for (const part of chunks(docs, this.batchSize)) {
        for (const item of await col.saveAll(part, { overwriteMode: 'conflict' })) {
          if (!isFailure(item)) added++;
          else if (item.errorNum !== ARANGO_ERROR.UNIQUE_CONSTRAINT_VIOLATED) throw this.itemError(item, operation);
        }
      }
    } catch (err) {
      throw toStoreError(err, operation);
    }
    return added;
  }

  /** Inserts or replaces documents by `_key`. */
  private async replaceAll(role: CollectionRole, docs: Doc[], operation: string): Promise<void> {
    this.guard();
    const col = this.database.collection<Doc>(this.collections[role]);
    try {
      for (const part of chunks(docs, this.batchSize)) this.throwOnFailures(await col.saveAll(part, { overwriteMode: 'replace' }), operation);
    } catch (err) {
      throw toStoreError(err, operation);
    }
  }

  /**
   * Runs `fn` in a stream transaction: commit when it resolves, abort when it throws (the abort's
   * own failure is logged, the original error is thrown).
   */
  private async inTransaction<T>(
    collections: { exclusive?: string[]; write?: string[] },
    operation: string,
    fn: (trx: Transaction) => Promise<T>,
  ): Promise<T> {
    let trx: Transaction;
    try {
      trx = await this.database.beginTransaction(collections, { lockTimeout: this.lockTimeoutSeconds });
    } catch (err) {
      throw toStoreError(err, operation);
    }
    let result: T;
    try {
      result = await fn(trx);
    } catch (err) {
      try {
        await trx.abort();
      } catch (abortErr) {
        // The server aborts an idle stream transaction on its own after its idle timeout.
        this.logger.warn({ operation, err: abortErr }, 'ArangoDB transaction abort failed');
      }
      throw toStoreError(err, operation);
    }
    try {
      await trx.commit();
    } catch (err) {
      throw toStoreError(err, `${operation} (commit)`);
    }
    return result;
  }

  private throwOnFailures(answer: readonly unknown[], operation: string): void {
    const failure = answer.find(isFailure);
    if (failure) throw this.itemError(failure, operation);
  }

  private itemError(item: DocumentFailure, operation: string): ChimeraError {
    return new ArangoStoreError(`ArangoDB ${operation} failed: ${item.errorMessage} (errorNum ${item.errorNum})`, {
      code: item.errorNum === ARANGO_ERROR.CONFLICT ? 'ARANGO_CONFLICT' : 'ARANGO_REQUEST_FAILED',
      errorNum: item.errorNum,
      operation,
    });
  }
}
