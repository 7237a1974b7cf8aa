export * from './stream-keys.js';
export * from './event-sink.js';
export * from './memory-event-sink.js';
export * from './store.js';
export * from './store-rules.js';
export * from './memory-store.js';
export * from './natural-keys.js';
