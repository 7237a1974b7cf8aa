import type { Clock, Logger } from '@chimera/core';
import { Database } from 'arangojs';
import { isArangoDatabase } from 'arangojs/databases';
import { z } from 'zod';
import { COLLECTION_PREFIX_PATTERN } from './collections.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

const LoggerSchema = z.custom<Logger>(
  (v) => isObject(v) && ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'child'].every((m) => typeof v[m] === 'function'),
  'expected a pino-compatible logger',
);

const ClockSchema = z.custom<Clock>(
  (v) => isObject(v) && ['now', 'sleep', 'setTimeout', 'clearTimeout'].every((m) => typeof v[m] === 'function'),
  'expected a Clock',
);

const ServerUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  // Credentials in a URL end up in logs and error messages; they belong in `auth`.
  .refine((u) => {
    const parsed = new URL(u);
    return parsed.username === '' && parsed.password === '';
  }, 'put credentials in `auth`, not in the URL');

/**
 * Options of {@link ArangoStore} (validated at the boundary with this schema).
 *
 * Exactly one of `url` and `database` is required.
 */
export const ArangoStoreOptionsSchema = z
  .strictObject({
    /** Server URL(s), e.g. `http://127.0.0.1:8529`. The store creates (and on `close` closes) its own connection. */
    url: z.union([ServerUrl, z.array(ServerUrl).min(1)]).optional(),
    /** An existing arangojs `Database`; the store uses it as is and never closes it. */
    database: z.custom<Database>((v) => isArangoDatabase(v), 'expected an arangojs Database').optional(),
    /**
     * Database to use. With `url`: default `_system`. With `database`: when given, the store uses
     * `database.database(databaseName)` (same connection, other database).
     */
    databaseName: z.string().min(1).max(64).optional(),
    /** Basic (`username` / `password`, default password empty) or bearer (`token`) credentials; only with `url`. */
    auth: z
      .union([z.object({ username: z.string().min(1), password: z.string().default('') }), z.object({ token: z.string().min(1) })])
      .optional(),
    /** Prefix of every collection name, e.g. `chimera_` → `chimera_orders`. Default empty. */
    collectionPrefix: z.string().regex(COLLECTION_PREFIX_PATTERN, 'expected a letter, then letters, digits, "_" or "-"').default(''),
    /** Requests arangojs runs at once on this connection (arangojs default 3); only with `url`. */
    poolSize: z.number().int().min(1).max(256).optional(),
    /** Seconds a stream transaction waits for its collection locks before failing (ArangoDB caps it at 60). Default 30. */
    lockTimeoutSeconds: z.number().int().min(1).max(60).default(30),
    /** Rows per AQL cursor batch. Default 1000. */
    batchSize: z.number().int().min(1).max(100_000).default(1000),
    /** Logger (pino-compatible); records are redacted. Default: silent. */
    logger: LoggerSchema.optional(),
    /** Clock for insertion sequence numbers. Default: the system clock. */
    clock: ClockSchema.optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.url === undefined) === (o.database === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'give exactly one of `url` and `database`' });
    }
    if (o.database !== undefined && (o.auth !== undefined || o.poolSize !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['auth'], message: '`auth` and `poolSize` configure a connection the store creates; with `database` set them on that Database' });
    }
  });

/** What callers pass to `ArangoStore.connect` / `new ArangoStore`. */
export type ArangoStoreOptions = z.input<typeof ArangoStoreOptionsSchema>;
/** Options after validation and defaults. */
export type ResolvedArangoStoreOptions = z.output<typeof ArangoStoreOptionsSchema>;

/**
 * The arangojs `Database` the options describe: a new connection for `url`, or the given
 * `database` (switched to `databaseName` when set).
 */
export function databaseFrom(o: ResolvedArangoStoreOptions): { db: Database; owned: boolean } {
  if (o.database) return { db: o.databaseName ? o.database.database(o.databaseName) : o.database, owned: false };
  const db = new Database({
    url: o.url!,
    databaseName: o.databaseName ?? '_system',
    ...(o.auth ? { auth: o.auth } : {}),
    ...(o.poolSize !== undefined ? { poolSize: o.poolSize } : {}),
  });
  return { db, owned: true };
}
