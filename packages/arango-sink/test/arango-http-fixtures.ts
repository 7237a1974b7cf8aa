/**
 * ArangoDB HTTP answers, shaped as ArangoDB documents them, for the nock request-shape tests.
 * Sources: ArangoDB `Documentation/DocuBlocks/Rest/*` (document, cursor, transaction, index and
 * collection APIs), the server's `tests/js/client/shell/*-multi` tests (per-document inline
 * errors and `x-arango-error-codes`), `lib/Basics/errors.dat` (numbers and messages) and
 * `lib/Rest/GeneralResponse.cpp` (error number → HTTP status).
 */

/** `{ code, error: true, errorNum, errorMessage }` — every ArangoDB error body. */
export const arangoError = (code: number, errorNum: number, errorMessage: string) => ({ code, error: true, errorNum, errorMessage });

export const COLLECTION_NOT_FOUND = (name: string) => arangoError(404, 1203, `collection or view not found: ${name}`);
export const DOCUMENT_NOT_FOUND = arangoError(404, 1202, 'document not found');
export const UNIQUE_CONSTRAINT = (key: string) =>
  arangoError(409, 1210, `unique constraint violated - in index primary of type primary over '_key'; conflicting key: ${key}`);

/** `GET /_api/collection/{name}` → 200. */
export const collectionInfo = (name: string, id = '1234') => ({ id, name, status: 3, type: 2, isSystem: false, globallyUniqueId: `h${id}/${name}`, error: false, code: 200 });

/** `POST /_api/index?collection=…` → 201 (new) or 200 (existing), the index description. */
export const indexAnswer = (collection: string, spec: { name: string; fields: string[]; sparse: boolean }, created: boolean) => ({
  id: `${collection}/${spec.name}`,
  type: 'persistent',
  name: spec.name,
  fields: spec.fields,
  unique: false,
  sparse: spec.sparse,
  deduplicate: true,
  estimates: true,
  isNewlyCreated: created,
  error: false,
  code: created ? 201 : 200,
});

/** `POST /_api/document/{c}` per-document metadata. */
export const docMeta = (collection: string, key: string, rev = '_hV3zq8O---') => ({ _id: `${collection}/${key}`, _key: key, _rev: rev });

/** `POST /_api/transaction/begin` → 201. */
export const trxBegun = (id: string) => ({ code: 201, error: false, result: { id, status: 'running' } });
/** `PUT` / `DELETE /_api/transaction/{id}` → 200. */
export const trxEnded = (id: string, status: 'committed' | 'aborted') => ({ code: 200, error: false, result: { id, status } });

/** `POST /_api/cursor` → 201, a single batch. */
export const cursorAnswer = (result: unknown[]) => ({
  result,
  hasMore: false,
  cached: false,
  extra: {
    warnings: [],
    stats: { writesExecuted: 0, writesIgnored: 0, scannedFull: result.length, scannedIndex: 0, filtered: 0, httpRequests: 0, executionTime: 0.0002, peakMemoryUsage: 0 },
  },
  error: false,
  code: 201,
});
