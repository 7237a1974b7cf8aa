/**
 * `@chimera/core/testing`: conformance suites every adapter and store must pass, the fake clock,
 * and fixture builders. Needs `vitest` (a peer dependency) at test time.
 *
 * @packageDocumentation
 */
export { FakeClock } from '../clock/clock.js';
export { MemoryLogger } from '../logging/logger.js';
export { describeConnector, type ConformanceTarget, type DescribeConnectorOptions } from './describe-connector.js';
export { describeStore, type DescribeStoreOptions } from './describe-store.js';
export * from './fixtures.js';
