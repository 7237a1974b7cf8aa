/**
 * The same ArangoDB suite as `arango-store.fake.test.ts`, against a real server. Runs only when
 * `ARANGO_URL` is set, e.g.
 *
 *   ARANGO_URL=http://127.0.0.1:8529 ARANGO_USER=root ARANGO_PASSWORD=secret \
 *     npx vitest run packages/arango-sink/test/live.test.ts
 *
 * It creates a database `chimera_test_<run>` and drops it afterwards (or, with `ARANGO_DB` set,
 * uses that database and drops only the collections it created).
 */
import { describe, it } from 'vitest';
import { LIVE_ENV_HELP, LiveTarget } from './arango-target.js';
import { describeArangoStore } from './describe-arango-store.js';

if (process.env.ARANGO_URL) {
  describeArangoStore(new LiveTarget(process.env));
} else {
  describe('ArangoStore on a live ArangoDB', () => {
    it.skip(`skipped: ARANGO_URL is not set — to run it, ${LIVE_ENV_HELP}`, () => {});
  });
}
