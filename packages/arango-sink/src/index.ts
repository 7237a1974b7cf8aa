/**
 * `@chimera/arango-sink` — ArangoDB store. Not built yet: see the package README.
 *
 * @packageDocumentation
 */

/** Name of this store, as it reports itself in health checks. */
export const ARANGO_STORE = 'arango';
