/**
 * Where the integration suites run: the fake ArangoDB on loopback, or a real server from
 * `ARANGO_URL`. Both are driven the same way (arangojs, real HTTP), so one suite serves both.
 */
import { Database } from 'arangojs';
import type { ArangoStoreOptions } from '../src/index.js';
import { FakeArangoServer } from './fake-arango-server.js';

/** A server the suites can use. */
export interface ArangoTarget {
  /** Shown in test names. */
  readonly label: string;
  /** Starts what is needed and creates the test database. */
  setup(): Promise<void>;
  /** Drops what `setup` and the tests created, then stops. */
  teardown(): Promise<void>;
  /** Options for a fresh, empty store: the test database and a collection prefix no other store used (unless `prefix` is given). */
  storeOptions(extra?: Partial<ArangoStoreOptions> & { prefix?: string }): ArangoStoreOptions;
  /** A new prefix, for tests that open several stores on the same collections. */
  newPrefix(): string;
  /** An arangojs handle on the test database, for assertions on stored documents. */
  database(): Database;
  /** The fake, when this target is the fake. */
  readonly fake: FakeArangoServer | undefined;
}

const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

abstract class BaseTarget implements ArangoTarget {
  abstract readonly label: string;
  abstract readonly fake: FakeArangoServer | undefined;
  protected url = '';
  protected auth: { username: string; password: string } | undefined;
  protected dbName = '';
  private prefixes = 0;
  private handles: Database[] = [];

  abstract setup(): Promise<void>;
  abstract teardown(): Promise<void>;

  newPrefix(): string {
    return `t${runId}_${++this.prefixes}_`;
  }

  storeOptions(extra: Partial<ArangoStoreOptions> & { prefix?: string } = {}): ArangoStoreOptions {
    const { prefix, ...rest } = extra;
    return {
      url: this.url,
      databaseName: this.dbName,
      ...(this.auth ? { auth: this.auth } : {}),
      collectionPrefix: prefix ?? this.newPrefix(),
      ...rest,
    };
  }

  database(): Database {
    const db = new Database({ url: this.url, databaseName: this.dbName, ...(this.auth ? { auth: this.auth } : {}) });
    this.handles.push(db);
    return db;
  }

  protected system(): Database {
    return new Database({ url: this.url, databaseName: '_system', ...(this.auth ? { auth: this.auth } : {}) });
  }

  protected closeHandles(): void {
    for (const h of this.handles) h.close();
    this.handles = [];
  }
}

/** The fake ArangoDB on 127.0.0.1, a database created through its HTTP API. */
export class FakeTarget extends BaseTarget {
  readonly label = 'fake ArangoDB (fixtures)';
  fake: FakeArangoServer | undefined;

  async setup(): Promise<void> {
    this.fake = await FakeArangoServer.start();
    this.url = this.fake.url;
    this.dbName = `chimera_test_${runId}`;
    const system = this.system();
    await system.createDatabase(this.dbName);
    system.close();
  }

  async teardown(): Promise<void> {
    this.closeHandles();
    if (!this.fake) return;
    const system = this.system();
    await system.dropDatabase(this.dbName);
    system.close();
    await this.fake.close();
  }
}

/** Environment variables of the live suite. */
export const LIVE_ENV_HELP =
  'set ARANGO_URL (e.g. http://127.0.0.1:8529) and optionally ARANGO_USER (default root), ARANGO_PASSWORD (default empty), ' +
  'ARANGO_DB (use this existing database instead of creating and dropping chimera_test_<run>)';

/**
 * A real ArangoDB from the environment: `ARANGO_URL`, `ARANGO_USER` (default `root`),
 * `ARANGO_PASSWORD` (default empty), `ARANGO_DB` (optional: an existing database to use; by
 * default a uniquely named one is created and dropped).
 */
export class LiveTarget extends BaseTarget {
  readonly label: string;
  readonly fake = undefined;
  private readonly ownDatabase: boolean;

  constructor(env: NodeJS.ProcessEnv) {
    super();
    this.url = env.ARANGO_URL ?? '';
    this.auth = { username: env.ARANGO_USER ?? 'root', password: env.ARANGO_PASSWORD ?? '' };
    this.ownDatabase = !env.ARANGO_DB;
    this.dbName = env.ARANGO_DB ?? `chimera_test_${runId}`;
    this.label = `live ArangoDB at ${this.url}`;
  }

  async setup(): Promise<void> {
    if (!this.ownDatabase) return;
    const system = this.system();
    await system.createDatabase(this.dbName);
    system.close();
  }

  async teardown(): Promise<void> {
    this.closeHandles();
    if (this.ownDatabase) {
      const system = this.system();
      await system.dropDatabase(this.dbName);
      system.close();
      return;
    }
    // In a shared database, drop only the collections this run created.
    const db = this.database();
    for (const c of await db.collections()) if (c.name.startsWith(`t${runId}_`)) await c.drop();
    db.close();
  }
}
