import type { Logger } from '@chimera/core';
import type { Database } from 'arangojs';
import { ARANGO_ERROR, hasErrorNum } from './arango-store-error.js';
import type { PersistentIndexSpec } from './collections.js';

/** What {@link ensureCollection} changed. */
export interface EnsureCollectionResult {
  /** True when the collection did not exist and was created now. */
  created: boolean;
  /** Names of the indexes created now (those that already existed are not listed). */
  createdIndexes: string[];
}

/**
 * Makes sure a document collection and its persistent indexes exist; safe to call again and from
 * several processes at once.
 *
 * `GET /_api/collection/{name}` first, because on a restart the collection almost always exists and
 * reading needs no admin rights; on 1203 (not found) `POST /_api/collection`, where 1207 (duplicate
 * name) means another process created it in between. `POST /_api/index` answers 200 for an index
 * that already exists and 201 for a new one, so ensuring indexes is idempotent by itself.
 *
 * @throws the arangojs error of any other failure (the caller converts it).
 */
export async function ensureCollection(db: Database, name: string, indexes: readonly PersistentIndexSpec[], logger: Logger): Promise<EnsureCollectionResult> {
  const collection = db.collection(name);
  let created = false;
  try {
    await collection.get();
  } catch (err) {
    if (!hasErrorNum(err, ARANGO_ERROR.DATA_SOURCE_NOT_FOUND)) throw err;
    try {
      await collection.create();
      created = true;
      logger.info({ collection: name }, 'created ArangoDB collection');
    } catch (createErr) {
      if (!hasErrorNum(createErr, ARANGO_ERROR.DUPLICATE_NAME)) throw createErr;
    }
  }
  const createdIndexes: string[] = [];
  for (const spec of indexes) {
    const answer = (await collection.ensureIndex({ ...spec, fields: [...spec.fields] })) as { isNewlyCreated?: boolean };
    if (answer.isNewlyCreated) {
      createdIndexes.push(spec.name);
      logger.info({ collection: name, index: spec.name }, 'created ArangoDB index');
    }
  }
  return { created, createdIndexes };
}
