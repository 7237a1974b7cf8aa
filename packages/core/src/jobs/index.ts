/**
 * Periodic jobs on the injected clock (SPEC §1.2, §5): the `JobScheduler`, the venue `Heartbeat`
 * (server time, skew tier, p_up, RTT p50/p95), the daily `InstrumentRefresh`, the 8-hourly
 * `FundingBackfill`, and the `ReconcileSchedule` the reconciliation engine plugs into.
 *
 * @packageDocumentation
 */
export * from './clock-timeout.js';
export * from './percentile.js';
export * from './scheduler.js';
export * from './heartbeat.js';
export * from './instrument-refresh.js';
export * from './funding-backfill.js';
export * from './reconcile-schedule.js';
