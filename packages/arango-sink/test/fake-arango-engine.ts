/**
 * Storage engine of the fake ArangoDB (see `fake-arango-server.ts` for the HTTP side and the
 * README for the list of modelled behaviours): databases, document collections with versioned
 * documents, persistent index descriptions, collection locks, and stream transactions with
 * snapshot reads and write-write conflict detection, modelled on ArangoDB's RocksDB engine.
 */

/** A stored document: the user's attributes plus `_key`, `_id`, `_rev`. */
export type Doc = Record<string, unknown>;

/** An ArangoDB error answer: HTTP status, error number and message (`lib/Basics/errors.dat`). */
export class ArangoFault extends Error {
  constructor(
    readonly status: number,
    readonly errorNum: number,
    readonly errorMessage: string,
  ) {
    super(errorMessage);
  }

  /** The body ArangoDB sends: `{ code, error: true, errorMessage, errorNum }`. */
  body(): Record<string, unknown> {
    return { code: this.status, error: true, errorMessage: this.errorMessage, errorNum: this.errorNum };
  }

  /** The inline form used inside batch answers: `{ error: true, errorNum, errorMessage }`. */
  inline(): Record<string, unknown> {
    return { error: true, errorNum: this.errorNum, errorMessage: this.errorMessage };
  }
}

/** Error constructors with ArangoDB's numbers, messages and HTTP statuses (`GeneralResponse::responseCode`). */
export const faults = {
  badParameter: (detail?: string) => new ArangoFault(400, 10, detail ? `bad parameter: ${detail}` : 'bad parameter'),
  notImplemented: (what: string) => new ArangoFault(501, 9, `not implemented: fake-arango does not model ${what}`),
  lockTimeout: () => new ArangoFault(500, 18, 'lock timeout'),
  corruptedJson: () => new ArangoFault(400, 600, 'invalid JSON object'),
  conflict: (key: string) => new ArangoFault(409, 1200, `conflict, _key: ${key}`),
  documentNotFound: () => new ArangoFault(404, 1202, 'document not found'),
  collectionNotFound: (name: string) => new ArangoFault(404, 1203, `collection or view not found: ${name}`),
  duplicateName: () => new ArangoFault(409, 1207, 'duplicate name'),
  illegalName: () => new ArangoFault(400, 1208, 'illegal name'),
  uniqueConstraint: (key: string) =>
    new ArangoFault(409, 1210, `unique constraint violated - in index primary of type primary over '_key'; conflicting key: ${key}`),
  illegalKey: () => new ArangoFault(400, 1221, 'illegal document key'),
  invalidDocumentType: () => new ArangoFault(400, 1227, 'invalid document type'),
  databaseNotFound: () => new ArangoFault(404, 1228, 'database not found'),
  databaseNameInvalid: () => new ArangoFault(400, 1229, 'database name invalid'),
  useSystemDatabase: () => new ArangoFault(403, 1230, 'operation only allowed in system database'),
  queryEmpty: () => new ArangoFault(400, 1502, 'query is empty'),
  bindMissing: (name: string) => new ArangoFault(400, 1551, `no value specified for declared bind parameter '${name}' (while parsing)`),
  bindUndeclared: (name: string) => new ArangoFault(400, 1552, `bind parameter '${name}' was not declared in the query (while parsing)`),
  bindType: (name: string) => new ArangoFault(400, 1553, `bind parameter '${name}' has an invalid value or type (while parsing)`),
  cursorNotFound: () => new ArangoFault(404, 1600, 'cursor not found'),
  unregisteredCollection: (name: string, mode: string) => new ArangoFault(400, 1652, `unregistered collection used in transaction: ${name} [${mode}]`),
  transactionAborted: (status: number) => new ArangoFault(status, 1654, 'transaction aborted'),
  transactionNotFound: (id: string) => new ArangoFault(404, 1655, `transaction '${id}' not found`),
};

/** `_key`: 1–254 bytes of ArangoDB's allowed characters. */
const KEY_PATTERN = /^[A-Za-z0-9_\-:.@()+,=;$!*'%]{1,254}$/;
/** Traditional naming for collections (letter first; `_` first is for system collections). */
const COLLECTION_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,255}$/;
/** Traditional naming for databases. */
const DATABASE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** A persistent index description as `GET /_api/index` lists it. */
export interface IndexDescription {
  id: string;
  name: string;
  type: string;
  fields: string[];
  unique: boolean;
  sparse: boolean;
  [extra: string]: unknown;
}

interface Version {
  version: number;
  doc: Doc | null;
}

/** A document collection: versioned documents (for snapshot reads) and its indexes. */
export class FakeCollection {
  /** Every committed version per key, oldest first; `doc: null` is a removal. */
  readonly versions = new Map<string, Version[]>();
  readonly indexes: IndexDescription[];
  private nextIndexId = 1;
  private keyCounter = 0;

  constructor(
    readonly id: string,
    readonly name: string,
  ) {
    this.indexes = [{ id: `${name}/0`, name: 'primary', type: 'primary', fields: ['_key'], unique: true, sparse: false }];
  }

  /** The document as of `atVersion` (latest when undefined). */
  read(key: string, atVersion?: number): Doc | null {
    const list = this.versions.get(key);
    if (!list) return null;
    for (let i = list.length - 1; i >= 0; i--) {
      const v = list[i]!;
      if (atVersion === undefined || v.version <= atVersion) return v.doc;
    }
    return null;
  }

  /** Version number of the newest committed change of `key` (0 when never written). */
  latestVersion(key: string): number {
    const list = this.versions.get(key);
    return list && list.length > 0 ? list[list.length - 1]!.version : 0;
  }

  /** Keys that have any version. */
  keys(): string[] {
    return [...this.versions.keys()];
  }

  /** A key for a document without one (the traditional key generator: increasing integers). */
  generateKey(): string {
    return String(++this.keyCounter);
  }

  /** Adds an index, or returns the equivalent existing one (`created: false`). */
  ensureIndex(spec: { type: string; fields: string[]; unique: boolean; sparse: boolean; name?: string; [k: string]: unknown }): { index: IndexDescription; created: boolean } {
    const same = this.indexes.find(
      (i) => i.type === spec.type && i.unique === spec.unique && i.sparse === spec.sparse && JSON.stringify(i.fields) === JSON.stringify(spec.fields),
    );
    if (same) return { index: same, created: false };
    if (spec.name !== undefined && this.indexes.some((i) => i.name === spec.name)) {
      throw faults.notImplemented('an index name clash with a different definition');
    }
    const id = this.nextIndexId++;
    const index: IndexDescription = {
      id: `${this.name}/${id}`,
      name: spec.name ?? `idx_${id}`,
      type: spec.type,
      fields: [...spec.fields],
      unique: spec.unique,
      sparse: spec.sparse,
      deduplicate: true,
      estimates: true,
      cacheEnabled: false,
    };
    this.indexes.push(index);
    return { index, created: true };
  }

  /** Collection description as `GET /_api/collection/{name}` answers it. */
  info(): Record<string, unknown> {
    return { id: this.id, name: this.name, status: 3, type: 2, isSystem: false, globallyUniqueId: `h${this.id}/${this.name}` };
  }
}

/** A database: its collections by name. */
export class FakeDatabase {
  readonly collections = new Map<string, FakeCollection>();
  constructor(readonly name: string) {}

  /** The collection, or the 1203 fault. */
  collection(name: string): FakeCollection {
    const c = this.collections.get(name);
    if (!c) throw faults.collectionNotFound(name);
    return c;
  }
}

type LockMode = 'shared' | 'exclusive';

/** A collection lock as the RocksDB engine takes them: `write` → shared, `exclusive` → exclusive. */
class CollectionLock {
  private exclusiveOwner: string | null = null;
  private readonly sharedOwners = new Map<string, number>();
  private readonly waiters: { owner: string; mode: LockMode; grant: () => void }[] = [];

  private compatible(owner: string, mode: LockMode): boolean {
    if (this.exclusiveOwner !== null && this.exclusiveOwner !== owner) return false;
    if (mode === 'exclusive') return [...this.sharedOwners.keys()].every((o) => o === owner);
    return true;
  }

  /** Resolves once granted; rejects with lock timeout (18) after `timeoutMs` (`Infinity`: wait forever). */
  acquire(owner: string, mode: LockMode, timeoutMs: number): Promise<void> {
    // First come, first served: a request never overtakes an earlier waiter.
    if (this.waiters.length === 0 && this.compatible(owner, mode)) {
      this.grant(owner, mode);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        owner,
        mode,
        grant: () => {
          if (timer) clearTimeout(timer);
          this.grant(owner, mode);
          resolve();
        },
      };
      const timer =
        timeoutMs === Infinity
          ? undefined
          : setTimeout(() => {
              const i = this.waiters.indexOf(waiter);
              if (i >= 0) this.waiters.splice(i, 1);
              reject(faults.lockTimeout());
              this.wake();
            }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private grant(owner: string, mode: LockMode): void {
    if (mode === 'exclusive') this.exclusiveOwner = owner;
    else this.sharedOwners.set(owner, (this.sharedOwners.get(owner) ?? 0) + 1);
  }

  /** Releases every hold of `owner`. */
  release(owner: string): void {
    if (this.exclusiveOwner === owner) this.exclusiveOwner = null;
    this.sharedOwners.delete(owner);
    this.wake();
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.compatible(this.waiters[0]!.owner, this.waiters[0]!.mode)) {
      this.waiters.shift()!.grant();
    }
  }

  /** Whether anybody holds or waits for the lock (for tests). */
  get busy(): boolean {
    return this.exclusiveOwner !== null || this.sharedOwners.size > 0 || this.waiters.length > 0;
  }
}

/** A stream transaction. */
export interface FakeTransaction {
  id: string;
  db: FakeDatabase;
  status: 'running' | 'committed' | 'aborted';
  /** Snapshot: committed versions up to this one are visible. */
  snapshot: number;
  write: Set<string>;
  exclusive: Set<string>;
  /** Uncommitted writes per collection and key (`null`: removed). */
  overlay: Map<string, Map<string, Doc | null>>;
}

/** Everything the fake server stores, and the rules that change it. */
export class FakeArangoEngine {
  readonly databases = new Map<string, FakeDatabase>([['_system', new FakeDatabase('_system')]]);
  readonly transactions = new Map<string, FakeTransaction>();
  private readonly locks = new Map<string, CollectionLock>();
  private version = 0;
  private revCounter = 0;
  private idCounter = 100;

  /** Default lock timeout of a stream transaction, seconds. */
  static readonly DEFAULT_LOCK_TIMEOUT_S = 60;

  database(name: string): FakeDatabase {
    const db = this.databases.get(name);
    if (!db) throw faults.databaseNotFound();
    return db;
  }

  createDatabase(name: unknown): void {
    if (typeof name !== 'string' || !DATABASE_NAME_PATTERN.test(name)) throw faults.databaseNameInvalid();
    if (this.databases.has(name)) throw faults.duplicateName();
    this.databases.set(name, new FakeDatabase(name));
  }

  dropDatabase(name: string): void {
    if (name === '_system') throw faults.useSystemDatabase();
    if (!this.databases.delete(name)) throw faults.databaseNotFound();
    for (const [id, trx] of this.transactions) if (trx.db.name === name) this.finish(trx, 'aborted', id);
  }

  createCollection(db: FakeDatabase, name: unknown, type: unknown): FakeCollection {
    if (typeof name !== 'string' || !COLLECTION_NAME_PATTERN.test(name)) throw faults.illegalName();
    if (type !== undefined && type !== 2) throw faults.notImplemented('edge collections');
    if (db.collections.has(name)) throw faults.duplicateName();
    const c = new FakeCollection(String(++this.idCounter), name);
    db.collections.set(name, c);
    return c;
  }

  dropCollection(db: FakeDatabase, name: string): FakeCollection {
    const c = db.collection(name);
    db.collections.delete(name);
    return c;
  }

  private lock(db: FakeDatabase, collection: string): CollectionLock {
    const k = `${db.name}/${collection}`;
    let l = this.locks.get(k);
    if (!l) this.locks.set(k, (l = new CollectionLock()));
    return l;
  }

  /**
   * Begins a stream transaction: unknown collections → 1203; then shared locks for `write`,
   * exclusive locks for `exclusive`, waiting up to `lockTimeoutS`; the snapshot is taken after the
   * locks are held, so a transaction that waited for an exclusive lock sees its predecessor's writes.
   */
  async begin(db: FakeDatabase, spec: { read: string[]; write: string[]; exclusive: string[] }, lockTimeoutS: number): Promise<FakeTransaction> {
    for (const name of [...spec.read, ...spec.write, ...spec.exclusive]) db.collection(name);
    const id = String(++this.idCounter);
    const held: string[] = [];
    try {
      for (const name of spec.write.filter((n) => !spec.exclusive.includes(n))) {
        await this.lock(db, name).acquire(id, 'shared', lockTimeoutS * 1000);
        held.push(name);
      }
      for (const name of spec.exclusive) {
        await this.lock(db, name).acquire(id, 'exclusive', lockTimeoutS * 1000);
        held.push(name);
      }
    } catch (err) {
      for (const name of held) this.lock(db, name).release(id);
      throw err;
    }
    const trx: FakeTransaction = {
      id,
      db,
      status: 'running',
      snapshot: this.version,
      write: new Set(spec.write),
      exclusive: new Set(spec.exclusive),
      overlay: new Map(),
    };
    this.transactions.set(id, trx);
    return trx;
  }

  /** The running transaction with this id: unknown → 404 1655; aborted → 410 1654; committed → 404 1655. */
  running(id: string): FakeTransaction {
    const trx = this.transactions.get(id);
    if (!trx) throw faults.transactionNotFound(id);
    if (trx.status === 'aborted') throw faults.transactionAborted(410);
    if (trx.status === 'committed') throw faults.transactionNotFound(id);
    return trx;
  }

  /** Commits (idempotent on a committed transaction; 409 1654 on an aborted one). */
  commit(id: string): FakeTransaction {
    const trx = this.transactions.get(id);
    if (!trx) throw faults.transactionNotFound(id);
    if (trx.status === 'committed') return trx;
    if (trx.status === 'aborted') throw faults.transactionAborted(409);
    this.version++;
    for (const [collection, writes] of trx.overlay) {
      const c = trx.db.collections.get(collection);
      if (!c) continue;
      for (const [key, doc] of writes) this.pushVersion(c, key, doc);
    }
    this.finish(trx, 'committed', id);
    return trx;
  }

  /** Aborts (idempotent on an aborted transaction; 409 1654 on a committed one). */
  abort(id: string): FakeTransaction {
    const trx = this.transactions.get(id);
    if (!trx) throw faults.transactionNotFound(id);
    if (trx.status === 'aborted') return trx;
    if (trx.status === 'committed') throw new ArangoFault(409, 1654, 'transaction aborted');
    this.finish(trx, 'aborted', id);
    return trx;
  }

  private finish(trx: FakeTransaction, status: 'committed' | 'aborted', id: string): void {
    trx.status = status;
    trx.overlay.clear();
    for (const name of new Set([...trx.write, ...trx.exclusive])) this.lock(trx.db, name).release(id);
    this.pruneVersions();
  }

  /** Drops versions no running transaction can see any more. */
  private pruneVersions(): void {
    const running = [...this.transactions.values()].filter((t) => t.status === 'running');
    const oldest = running.length === 0 ? this.version : Math.min(...running.map((t) => t.snapshot));
    for (const db of this.databases.values()) {
      for (const c of db.collections.values()) {
        for (const [key, list] of c.versions) {
          let keepFrom = 0;
          for (let i = list.length - 1; i >= 0; i--) {
            if (list[i]!.version <= oldest) {
              keepFrom = i;
              break;
            }
          }
          const kept = list.slice(keepFrom);
          if (kept.length === 1 && kept[0]!.doc === null) c.versions.delete(key);
          else c.versions.set(key, kept);
        }
      }
    }
  }

  private pushVersion(c: FakeCollection, key: string, doc: Doc | null): void {
    let list = c.versions.get(key);
    if (!list) c.versions.set(key, (list = []));
    list.push({ version: this.version, doc });
  }

  /** A new `_rev` (unique, increasing; ArangoDB's are hybrid logical clock strings). */
  newRev(): string {
    return `_${(++this.revCounter).toString(36).padStart(10, '0')}`;
  }

  /** Reads a document as a request sees it: inside a transaction its own writes, then its snapshot. */
  read(c: FakeCollection, key: string, trx: FakeTransaction | undefined): Doc | null {
    if (trx) {
      const own = trx.overlay.get(c.name);
      if (own?.has(key)) return own.get(key) ?? null;
      return c.read(key, trx.snapshot);
    }
    return c.read(key);
  }

  /** Every visible document of a collection (for AQL). */
  scan(c: FakeCollection, trx: FakeTransaction | undefined): Doc[] {
    const keys = new Set(c.keys());
    for (const k of trx?.overlay.get(c.name)?.keys() ?? []) keys.add(k);
    const out: Doc[] = [];
    for (const k of keys) {
      const d = this.read(c, k, trx);
      if (d) out.push(d);
    }
    return out;
  }

  /**
   * Runs a write request: outside a transaction it takes a shared lock on the collection (so it
   * waits while a transaction holds it exclusively) and commits each document at once; inside one,
   * the collection must be declared `write`/`exclusive` (else 1652) and writes go to its overlay.
   */
  async writeRequest<T>(db: FakeDatabase, c: FakeCollection, trx: FakeTransaction | undefined, fn: (write: (key: string, doc: Doc | null) => void, check: (key: string) => void) => T): Promise<T> {
    if (trx) {
      if (!trx.write.has(c.name) && !trx.exclusive.has(c.name)) throw faults.unregisteredCollection(c.name, 'write');
      const writes = trx.overlay.get(c.name) ?? new Map<string, Doc | null>();
      trx.overlay.set(c.name, writes);
      return fn(
        (key, doc) => writes.set(key, doc),
        (key) => this.checkConflict(db, c, key, trx),
      );
    }
    const owner = `request-${++this.idCounter}`;
    const lock = this.lock(db, c.name);
    await lock.acquire(owner, 'shared', Infinity);
    try {
      return fn(
        (key, doc) => {
          this.version++;
          this.pushVersion(c, key, doc);
        },
        (key) => this.checkConflict(db, c, key, undefined),
      );
    } finally {
      lock.release(owner);
    }
  }

  /**
   * Write-write conflict (1200): the key has an uncommitted write of another running transaction,
   * or (inside a transaction) a committed change newer than the transaction's snapshot.
   */
  private checkConflict(db: FakeDatabase, c: FakeCollection, key: string, trx: FakeTransaction | undefined): void {
    for (const other of this.transactions.values()) {
      if (other === trx || other.status !== 'running' || other.db !== db) continue;
      if (other.overlay.get(c.name)?.has(key)) throw faults.conflict(key);
    }
    if (trx && c.latestVersion(key) > trx.snapshot) throw faults.conflict(key);
  }

  /** Validates a `_key` value. */
  static checkKey(key: unknown): string {
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) throw faults.illegalKey();
    return key;
  }

  /** Whether any collection lock of a database is held or awaited (for tests). */
  locksBusy(dbName: string): boolean {
    return [...this.locks].some(([k, l]) => k.startsWith(`${dbName}/`) && l.busy);
  }
}
