/**
 * The full ArangoDB suite (core conformance + ArangoStore specifics) against the fake ArangoDB on
 * 127.0.0.1. Nothing else is reachable: nock blocks every other host.
 */
import nock from 'nock';
import { afterAll, beforeAll } from 'vitest';
import { FakeTarget } from './arango-target.js';
import { describeArangoStore } from './describe-arango-store.js';

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => {
  nock.enableNetConnect();
});

describeArangoStore(new FakeTarget());
