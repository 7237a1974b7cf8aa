/**
 * A fake ArangoDB: an in-process HTTP server on 127.0.0.1 (random port) that answers the subset of
 * ArangoDB's HTTP API that arangojs sends for `ArangoStore`, with ArangoDB's paths, query options,
 * status codes and `{ code, error, errorNum, errorMessage }` bodies. Point arangojs at `server.url`.
 *
 * What it models, exactly, is listed in the package README ("What the fixtures cover"). Requests
 * outside that subset get 501 / errorNum 9 ("fake-arango does not model …") — never a made-up
 * success — and unknown paths get ArangoDB's 404 / errorNum 404 "unknown path".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AQL_EVALUATORS, declaredBindParameters } from './fake-arango-aql.js';
import { ArangoFault, FakeArangoEngine, faults, type Doc, type FakeCollection, type FakeDatabase, type FakeTransaction } from './fake-arango-engine.js';

/** A request as the fake received it. */
export interface RecordedRequest {
  method: string;
  /** Path as sent, e.g. `/_db/chimera/_api/document/orders`. */
  path: string;
  /** Query string parameters. */
  query: Record<string, string>;
  /** `x-arango-trx-id`, when sent. */
  trxId?: string;
  /** Parsed JSON body, when there was one. */
  body?: unknown;
}

/** An injected answer for matching requests, instead of the normal one. */
export type FaultResponse = { status: number; body: unknown } | { drop: true } | { delayMs: number };

interface FaultRule {
  match: (req: RecordedRequest) => boolean;
  respond: FaultResponse;
  remaining: number;
}

interface Cursor {
  id: string;
  batches: unknown[][];
  next: number;
  count?: number;
  extra: Record<string, unknown>;
}

/** Options of {@link FakeArangoServer.start}. */
export interface FakeArangoServerOptions {
  /** When set, requests without this Basic auth get 401. Default: any credentials are accepted. */
  auth?: { username: string; password: string };
}

const DEFAULT_BATCH_SIZE = 1000;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const flag = (v: string | undefined): boolean => v === 'true' || v === '1';

/** The fake ArangoDB server. */
export class FakeArangoServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** The storage engine (databases, collections, transactions), for assertions. */
  readonly engine = new FakeArangoEngine();
  private readonly faultRules: FaultRule[] = [];
  private readonly cursors = new Map<string, Cursor>();
  private cursorCounter = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: FakeArangoServerOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts a fake on a free loopback port. */
  static async start(options: FakeArangoServerOptions = {}): Promise<FakeArangoServer> {
    let fake!: FakeArangoServer;
    const server = createServer((req, res) => {
      fake.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) json(res, 500, { code: 500, error: true, errorNum: 4, errorMessage: `internal error: ${String(err)}` });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new FakeArangoServer(server, options);
    return fake;
  }

  /** Answers the next `times` requests matching `match` with `respond` (a fault) instead of normally. */
  injectFault(match: (req: RecordedRequest) => boolean, respond: FaultResponse, times = 1): void {
    this.faultRules.push({ match, respond, remaining: times });
  }

  /** Committed documents of a collection (system attributes included), by `_key`. */
  documents(database: string, collection: string): Doc[] {
    const c = this.engine.database(database).collection(collection);
    return c
      .keys()
      .map((k) => c.read(k))
      .filter((d): d is Doc => d !== null)
      .sort((a, b) => String(a._key).localeCompare(String(b._key)));
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── HTTP plumbing ─────────────────────────────────────────────────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const trxHeader = req.headers['x-arango-trx-id'];
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(typeof trxHeader === 'string' ? { trxId: trxHeader } : {}),
    };
    let body: unknown;
    let badJson = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
        recorded.body = body;
      } catch {
        badJson = true;
      }
    }
    this.requests.push(recorded);

    const rule = this.faultRules.find((r) => r.remaining > 0 && r.match(recorded));
    if (rule) {
      rule.remaining--;
      if ('drop' in rule.respond) {
        req.socket.destroy();
        return;
      }
      if ('delayMs' in rule.respond) {
        await new Promise((r) => setTimeout(r, (rule.respond as { delayMs: number }).delayMs));
      } else {
        json(res, rule.respond.status, rule.respond.body);
        return;
      }
    }

    if (this.options.auth) {
      const expected = `Basic ${Buffer.from(`${this.options.auth.username}:${this.options.auth.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        json(res, 401, { code: 401, error: true, errorNum: 11, errorMessage: 'not authorized to execute this request' });
        return;
      }
    }

    try {
      if (badJson) throw faults.corruptedJson();
      const { status, body: out, headers } = await this.route(recorded, body);
      json(res, status, out, headers);
    } catch (err) {
      if (err instanceof ArangoFault) json(res, err.status, err.body());
      else throw err;
    }
  }

  private async route(r: RecordedRequest, body: unknown): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const m = /^\/_db\/([^/]+)(\/.*)$/.exec(r.path);
    const dbName = m ? decodeURIComponent(m[1]!) : '_system';
    const rest = m ? m[2]! : r.path;
    const db = this.engine.database(dbName);
    const trx = r.trxId !== undefined ? this.engine.running(r.trxId) : undefined;
    if (trx && trx.db !== db) throw faults.transactionNotFound(r.trxId!);
    const seg = rest.split('/').filter(Boolean).map(decodeURIComponent);
    if (seg[0] !== '_api') throw this.unknownPath(rest);
    const [, api, a, b] = seg;
    const method = r.method;

    switch (api) {
      case 'database':
        if (dbName !== '_system') throw faults.useSystemDatabase();
        if (method === 'POST' && a === undefined) {
          this.engine.createDatabase((body as { name?: unknown } | undefined)?.name);
          return { status: 201, body: { code: 201, error: false, result: true } };
        }
        if (method === 'DELETE' && a !== undefined && b === undefined) {
          this.engine.dropDatabase(a);
          return { status: 200, body: { code: 200, error: false, result: true } };
        }
        break;
      case 'collection':
        return this.collectionApi(method, db, a, b, body);
      case 'index':
        return this.indexApi(method, db, a, r.query, body);
      case 'document':
        return this.documentApi(method, db, trx, a, b, r.query, body);
      case 'cursor':
        return this.cursorApi(method, db, trx, a, b, body);
      case 'transaction':
        return this.transactionApi(method, db, a, b, body);
      default:
        throw this.unknownPath(rest);
    }
    throw this.methodNotAllowed();
  }

  private unknownPath(path: string): ArangoFault {
    return new ArangoFault(404, 404, `unknown path '${path}'`);
  }

  private methodNotAllowed(): ArangoFault {
    return new ArangoFault(405, 405, 'method not supported');
  }

  // ── /_api/collection ──────────────────────────────────────────────────────────────────────

  private collectionApi(method: string, db: FakeDatabase, name: string | undefined, sub: string | undefined, body: unknown) {
    if (method === 'POST' && name === undefined) {
      const spec = (body ?? {}) as { name?: unknown; type?: unknown };
      const c = this.engine.createCollection(db, spec.name, spec.type);
      // Collection creation answers 200 (not 201) with the new collection's properties.
      return {
        status: 200,
        body: {
          ...c.info(),
          waitForSync: false,
          keyOptions: { allowUserKeys: true, type: 'traditional', lastValue: 0 },
          schema: null,
          computedValues: null,
          cacheEnabled: false,
          syncByRevision: true,
          error: false,
          code: 200,
        },
      };
    }
    if (name !== undefined && sub === undefined) {
      if (method === 'GET') return { status: 200, body: { ...db.collection(name).info(), error: false, code: 200 } };
      if (method === 'DELETE') {
        const c = this.engine.dropCollection(db, name);
        return { status: 200, body: { id: c.id, error: false, code: 200 } };
      }
    }
    if (name !== undefined && sub !== undefined) throw faults.notImplemented(`/_api/collection/{name}/${sub}`);
    throw this.methodNotAllowed();
  }

  // ── /_api/index ───────────────────────────────────────────────────────────────────────────

  private indexApi(method: string, db: FakeDatabase, handle: string | undefined, query: Record<string, string>, body: unknown) {
    if (handle !== undefined) throw faults.notImplemented('/_api/index/{handle}');
    const name = query.collection;
    if (name === undefined) throw faults.notImplemented('/_api/index without ?collection=');
    const c = db.collection(name);
    if (method === 'GET') {
      return {
        status: 200,
        body: { error: false, code: 200, indexes: c.indexes, identifiers: Object.fromEntries(c.indexes.map((i) => [i.id, i])) },
      };
    }
    if (method === 'POST') {
      const spec = (body ?? {}) as { type?: unknown; fields?: unknown; unique?: unknown; sparse?: unknown; name?: unknown };
      if (spec.type !== 'persistent') throw faults.notImplemented(`index type ${JSON.stringify(spec.type)}`);
      if (!Array.isArray(spec.fields) || spec.fields.length === 0 || !spec.fields.every((f) => typeof f === 'string' && f !== '')) {
        throw faults.badParameter('fields');
      }
      const { index, created } = c.ensureIndex({
        type: 'persistent',
        fields: spec.fields as string[],
        unique: spec.unique === true,
        sparse: spec.sparse === true,
        ...(typeof spec.name === 'string' ? { name: spec.name } : {}),
      });
      const status = created ? 201 : 200;
      return { status, body: { ...index, isNewlyCreated: created, error: false, code: status } };
    }
    throw this.methodNotAllowed();
  }

  // ── /_api/document ────────────────────────────────────────────────────────────────────────

  private async documentApi(
    method: string,
    db: FakeDatabase,
    trx: FakeTransaction | undefined,
    collectionName: string | undefined,
    key: string | undefined,
    query: Record<string, string>,
    body: unknown,
  ) {
    if (collectionName === undefined) throw faults.notImplemented('/_api/document without a collection');
    const c = db.collection(collectionName);
    if (key !== undefined) {
      if (method === 'GET') {
        const doc = this.engine.read(c, key, trx);
        if (!doc) throw faults.documentNotFound();
        return { status: 200, body: doc, headers: { etag: `"${String(doc._rev)}"` } };
      }
      throw faults.notImplemented(`${method} /_api/document/{collection}/{key}`);
    }
    if (method === 'PUT' && flag(query.onlyget)) return this.readMany(c, trx, body);
    if (method === 'POST') return this.insert(db, c, trx, query, body);
    throw faults.notImplemented(`${method} /_api/document/{collection}${method === 'PUT' ? ' without onlyget (replace)' : ''}`);
  }

  /** `PUT /_api/document/{collection}?onlyget=true`: documents in input order, inline 1202 for missing ones. */
  private readMany(c: FakeCollection, trx: FakeTransaction | undefined, body: unknown) {
    if (!Array.isArray(body)) throw faults.badParameter('expecting an array of keys');
    const out = body.map((sel: unknown) => {
      const key = typeof sel === 'string' ? sel : typeof sel === 'object' && sel !== null ? (sel as Doc)._key : undefined;
      if (typeof key !== 'string') return faults.illegalKey().inline();
      return this.engine.read(c, key, trx) ?? faults.documentNotFound().inline();
    });
    return { status: 200, body: out, ...this.errorCodesHeader(out) };
  }

  /**
   * `POST /_api/document/{collection}`: insert one document (object body; errors as the HTTP
   * answer) or many (array body; answers in input order, failures inline, `x-arango-error-codes`).
   * Modelled `overwriteMode`s: `conflict` (default) and `replace` (also `overwrite=true`).
   */
  private async insert(db: FakeDatabase, c: FakeCollection, trx: FakeTransaction | undefined, query: Record<string, string>, body: unknown) {
    const mode = query.overwriteMode ?? (flag(query.overwrite) ? 'replace' : 'conflict');
    if (mode !== 'conflict' && mode !== 'replace') throw faults.notImplemented(`overwriteMode=${mode}`);
    const returnNew = flag(query.returnNew);
    const returnOld = flag(query.returnOld);
    const silent = flag(query.silent);
    if (returnOld && mode !== 'replace') throw faults.badParameter('returnOld needs an overwrite mode');
    const status = flag(query.waitForSync) ? 201 : 202;
    const many = Array.isArray(body);
    const inputs: unknown[] = many ? (body as unknown[]) : [body];

    const results = await this.engine.writeRequest(db, c, trx, (write, check) =>
      inputs.map((input) => {
        try {
          if (typeof input !== 'object' || input === null || Array.isArray(input)) throw faults.invalidDocumentType();
          const given = (input as Doc)._key;
          const key = given === undefined ? c.generateKey() : FakeArangoEngine.checkKey(given);
          const old = this.engine.read(c, key, trx);
          if (old && mode === 'conflict') throw faults.uniqueConstraint(key);
          check(key);
          const { _id: _ignoredId, _rev: _ignoredRev, _key: _ignoredKey, ...attrs } = structuredClone(input as Doc);
          const doc: Doc = { _key: key, _id: `${c.name}/${key}`, _rev: this.engine.newRev(), ...attrs };
          write(key, doc);
          return {
            _id: doc._id,
            _key: key,
            _rev: doc._rev,
            ...(old ? { _oldRev: old._rev } : {}),
            ...(returnNew ? { new: doc } : {}),
            ...(returnOld && old ? { old } : {}),
          } as Doc;
        } catch (err) {
          if (err instanceof ArangoFault) return err;
          throw err;
        }
      }),
    );

    if (!many) {
      const only = results[0]!;
      if (only instanceof ArangoFault) throw only;
      return { status, body: silent ? {} : only };
    }
    const answers = results.map((r) => (r instanceof ArangoFault ? r.inline() : r));
    const failures = answers.filter((a) => (a as Doc).error === true);
    const headers = this.errorCodesHeader(answers).headers;
    if (silent) return { status, body: failures.length === 0 ? {} : failures, ...(headers ? { headers } : {}) };
    return { status, body: answers, ...(headers ? { headers } : {}) };
  }

  /** `x-arango-error-codes: {"1210":2}` when any inline failure is present. */
  private errorCodesHeader(answers: unknown[]): { headers?: Record<string, string> } {
    const counts: Record<string, number> = {};
    for (const a of answers) {
      const e = a as { error?: unknown; errorNum?: unknown };
      if (e.error === true) counts[String(e.errorNum)] = (counts[String(e.errorNum)] ?? 0) + 1;
    }
    return Object.keys(counts).length > 0 ? { headers: { 'x-arango-error-codes': JSON.stringify(counts) } } : {};
  }

  // ── /_api/cursor ──────────────────────────────────────────────────────────────────────────

  private cursorApi(method: string, db: FakeDatabase, trx: FakeTransaction | undefined, id: string | undefined, batchId: string | undefined, body: unknown) {
    if (id === undefined) {
      if (method !== 'POST') throw this.methodNotAllowed();
      return this.runQuery(db, trx, body);
    }
    const cursor = this.cursors.get(id);
    if (!cursor) throw faults.cursorNotFound();
    if (method === 'DELETE') {
      this.cursors.delete(id);
      return { status: 202, body: { id, error: false, code: 202 } };
    }
    if (method === 'POST' || method === 'PUT') {
      if (batchId !== undefined && Number(batchId) !== cursor.next + 1) throw faults.badParameter(`batch ${batchId} is not the next batch`);
      return { status: 200, body: this.cursorBatch(cursor, 200) };
    }
    throw this.methodNotAllowed();
  }

  private runQuery(db: FakeDatabase, trx: FakeTransaction | undefined, body: unknown) {
    const spec = (body ?? {}) as { query?: unknown; bindVars?: unknown; batchSize?: unknown; count?: unknown };
    if (typeof spec.query !== 'string' || spec.query.trim() === '') throw faults.queryEmpty();
    const bind = (spec.bindVars ?? {}) as Record<string, unknown>;
    if (typeof bind !== 'object' || Array.isArray(bind)) throw new ArangoFault(400, 1550, 'invalid structure of bind parameters');
    const declared = declaredBindParameters(spec.query);
    for (const name of declared) if (!(name in bind)) throw faults.bindMissing(name);
    for (const name of Object.keys(bind)) if (!declared.includes(name)) throw faults.bindUndeclared(name);
    const evaluate = AQL_EVALUATORS.get(spec.query);
    if (!evaluate) throw faults.notImplemented(`this AQL query: ${spec.query.slice(0, 80)}`);
    const collectionName = bind['@collection'];
    if (typeof collectionName !== 'string') throw faults.bindType('@collection');
    const c = db.collection(collectionName);
    const docs = this.engine.scan(c, trx);
    const result = evaluate(docs, bind);
    const batchSize = typeof spec.batchSize === 'number' && spec.batchSize > 0 ? spec.batchSize : DEFAULT_BATCH_SIZE;
    const batches: unknown[][] = [];
    for (let i = 0; i < result.length; i += batchSize) batches.push(result.slice(i, i + batchSize));
    if (batches.length === 0) batches.push([]);
    const cursor: Cursor = {
      id: String(++this.cursorCounter + 1000),
      batches,
      next: 0,
      ...(spec.count === true ? { count: result.length } : {}),
      extra: {
        warnings: [],
        stats: {
          writesExecuted: 0,
          writesIgnored: 0,
          scannedFull: docs.length,
          scannedIndex: 0,
          filtered: Math.max(0, docs.length - result.length),
          httpRequests: 0,
          executionTime: 0.0001,
          peakMemoryUsage: 0,
        },
      },
    };
    return { status: 201, body: this.cursorBatch(cursor, 201) };
  }

  /** The next batch; a cursor with more batches stays registered, an exhausted one is deleted. */
  private cursorBatch(cursor: Cursor, code: number): Record<string, unknown> {
    const result = cursor.batches[cursor.next] ?? [];
    cursor.next++;
    const hasMore = cursor.next < cursor.batches.length;
    if (hasMore) this.cursors.set(cursor.id, cursor);
    else this.cursors.delete(cursor.id);
    return {
      result,
      hasMore,
      ...(hasMore ? { id: cursor.id, nextBatchId: String(cursor.next + 1) } : {}),
      ...(cursor.count !== undefined ? { count: cursor.count } : {}),
      cached: false,
      extra: cursor.extra,
      error: false,
      code,
    };
  }

  // ── /_api/transaction ─────────────────────────────────────────────────────────────────────

  private async transactionApi(method: string, db: FakeDatabase, a: string | undefined, b: string | undefined, body: unknown) {
    if (b !== undefined) throw this.unknownPath(`/_api/transaction/${a}/${b}`);
    if (a === 'begin') {
      if (method !== 'POST') throw this.methodNotAllowed();
      const spec = (body ?? {}) as { collections?: { read?: unknown; write?: unknown; exclusive?: unknown }; lockTimeout?: unknown };
      if (typeof spec.collections !== 'object' || spec.collections === null) throw faults.badParameter("missing 'collections'");
      const lockTimeout = typeof spec.lockTimeout === 'number' && spec.lockTimeout > 0 ? spec.lockTimeout : FakeArangoEngine.DEFAULT_LOCK_TIMEOUT_S;
      const trx = await this.engine.begin(
        db,
        { read: asList(spec.collections.read), write: asList(spec.collections.write), exclusive: asList(spec.collections.exclusive) },
        lockTimeout,
      );
      return { status: 201, body: { code: 201, error: false, result: { id: trx.id, status: 'running' } } };
    }
    if (a === undefined) throw faults.notImplemented('GET /_api/transaction (list)');
    const existing = this.engine.transactions.get(a);
    if (!existing || existing.db !== db) throw faults.transactionNotFound(a);
    const done = method === 'GET' ? existing : method === 'PUT' ? this.engine.commit(a) : method === 'DELETE' ? this.engine.abort(a) : undefined;
    if (!done) throw this.methodNotAllowed();
    return { status: 200, body: { code: 200, error: false, result: { id: done.id, status: done.status } } };
  }
}
