/**
 * `@chimera/core`: the domain types and schemas, contracts and building blocks every Chimera
 * package shares. See the README for a tour.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './domain/index.js';
export * from './precision/index.js';
export * from './connector.js';
export * from './clock/index.js';
export * from './logging/index.js';
export * from './sinks/index.js';
export * from './risk/index.js';
export * from './execution/index.js';
export * from './transport/index.js';
export * from './market/index.js';
export * from './paper/index.js';
export * from './treasury/index.js';
export * from './jobs/index.js';
export * from './health/index.js';
export * from './reconcile/index.js';
