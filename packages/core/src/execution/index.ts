export * from './intent-state.js';
export * from './intent-lifecycle.js';
export * from './client-order-id.js';
