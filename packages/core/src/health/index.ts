/**
 * Health (SPEC §9): `HealthMonitor` assembles `{ status, checks }` from providers — venue
 * heartbeats (connection, skew), sinks and stores, the last reconciliation, degraded mode and the
 * treasury.
 *
 * @packageDocumentation
 */
export * from './health-check.js';
export * from './health-monitor.js';
export * from './heartbeat-health.js';
export * from './sink-health.js';
export * from './ping-health.js';
export * from './reconcile-health.js';
export * from './degraded-mode-health.js';
export * from './treasury-health.js';
