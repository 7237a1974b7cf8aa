/**
 * `@chimera/arango-sink` — the ArangoDB {@link ArangoStore} (orders, fills, position snapshots,
 * strategy events, intents, treasury transfers, funding records, instruments) over arangojs, and
 * {@link ArangoEventSink}, which keeps the event-log streams in a collection. See the README for
 * collections, indexes, keys, transactions and the test fixtures.
 *
 * @packageDocumentation
 */

/** Name of this store, as it reports itself in health checks. */
export const ARANGO_STORE = 'arango';

export { ArangoStore, type SchemaReport } from './arango-store.js';
export { ArangoStoreOptionsSchema, type ArangoStoreOptions, type ResolvedArangoStoreOptions } from './arango-store-options.js';
export { ArangoStoreError, ARANGO_ERROR, toStoreError } from './arango-store-error.js';
export {
  ArangoEventSink,
  ArangoEventSinkOptionsSchema,
  EVENT_LOG_FAMILIES,
  type ArangoEventSinkDropReason,
  type ArangoEventSinkOptions,
  type ArangoEventSinkStats,
} from './arango-event-sink.js';
export { COLLECTIONS, INDEXES, collectionNames, type CollectionRole, type PersistentIndexSpec } from './collections.js';
export { AQL_QUERIES } from './aql-queries.js';
export { toDocumentKey, MAX_KEY_LENGTH } from './document-keys.js';
