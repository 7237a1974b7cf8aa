import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import type { ExecutionEvents } from '../execution/execution-context.js';
import { reconcileHealth } from '../health/reconcile-health.js';
import type { ReconcileRunInfo } from '../jobs/reconcile-schedule.js';
import { scheduleReconciler } from './reconcile-trigger.js';
import { Reconciler } from './reconciler.js';
import { orphanOrder, reconcileKit, SETTLED_MS } from './reconcile-test-kit.test-data.js';

async function setup() {
  const kit = await reconcileKit();
  const reconciler = new Reconciler({ connector: kit.venue, store: kit.store, sink: kit.sink, clock: kit.clock });
  const executor = { events: new EventEmitter<ExecutionEvents>() };
  const handle = scheduleReconciler(reconciler, { clock: kit.clock, everyMs: 60_000, executors: [executor], request: (reason) => ({ mode: reason === 'reconnect' ? 'ORDERS' : 'ALL' }) });
  const runs: ReconcileRunInfo[] = [];
  handle.schedule.events.on('ran', (info) => runs.push(info));
  return { kit, reconciler, executor, handle, runs };
}

describe('scheduleReconciler', () => {
  it('runs at start-up (opening the entry gate), on the interval, after reconnects and on serious alerts', async () => {
    const { kit, reconciler, executor, handle, runs } = await setup();
    let gateOpenAt: number | undefined;
    void reconciler.ready.then(() => (gateOpenAt = kit.clock.now()));

    handle.start();
    await kit.clock.tickAsync(1);
    expect(runs.map((r) => r.reason)).toEqual(['startup']);
    expect(gateOpenAt).toBeDefined();

    await kit.clock.tickAsync(60_000);
    expect(runs.map((r) => r.reason)).toEqual(['startup', 'interval']);

    kit.connector.events.emit('userStreamConnected', { reconnect: false, ts: kit.clock.now() }); // first connect: not a trigger
    kit.connector.events.emit('userStreamConnected', { reconnect: true, ts: kit.clock.now() });
    await kit.clock.tickAsync(1);
    kit.connector.events.emit('alert', { level: 'WARN', code: 'SLOW', message: 'slow', ts: kit.clock.now() }); // not serious
    kit.connector.events.emit('alert', { level: 'ERROR', code: 'STREAM_LOST', message: 'lost', ts: kit.clock.now() });
    await kit.clock.tickAsync(1);
    executor.events.emit('engine_alert', { level: 'ERROR', code: 'UNKNOWN_OUTCOME', message: 'reconciliation will settle it', ts: kit.clock.now() });
    await kit.clock.tickAsync(1);
    expect(runs.map((r) => r.reason)).toEqual(['startup', 'interval', 'reconnect', 'alert', 'alert']);
    expect(reconciler.lastRun?.reason).toBe('alert');

    await handle.stop();
    kit.connector.events.emit('userStreamConnected', { reconnect: true, ts: kit.clock.now() });
    executor.events.emit('engine_alert', { level: 'FATAL', code: 'X', message: 'x', ts: kit.clock.now() });
    await kit.clock.tickAsync(120_000);
    expect(runs).toHaveLength(5);
  });

  it('judges a run that found orphans bad, which lowers health until a clean run', async () => {
    const { kit, reconciler, handle, runs } = await setup();
    await orphanOrder(kit.connector, 'orphan');
    await kit.clock.tickAsync(SETTLED_MS);
    const health = reconcileHealth({ lastRun: () => handle.schedule.lastRun, clock: kit.clock });
    const alerts: string[] = [];
    handle.schedule.events.on('alert', (a) => alerts.push(a.code));

    await handle.runNow('manual');
    expect(runs[0]).toMatchObject({ ok: true, bad: true });
    expect(alerts).toEqual(['RECONCILE_BAD_RESULT']);
    expect((await health.check()).status).toBe('DEGRADED');
    // The orphan was settled, so the gate is open even though health waits for a clean run.
    expect(reconciler.isReady).toBe(true);

    await handle.runNow('manual');
    expect(runs[1]).toMatchObject({ ok: true, bad: false });
    expect((await health.check()).status).toBe('OK');
  });

  it('a reconnect during a run queues one follow-up run on fresh data', async () => {
    const { kit, handle, runs } = await setup();
    kit.connector.faults.setLatency(500);
    handle.start();
    await kit.clock.tickAsync(100);
    kit.connector.events.emit('userStreamConnected', { reconnect: true, ts: kit.clock.now() });
    kit.connector.events.emit('userStreamConnected', { reconnect: true, ts: kit.clock.now() });
    for (let i = 0; i < 40 && runs.length < 2; i++) await kit.clock.tickAsync(100);
    expect(runs.map((r) => r.reason)).toEqual(['startup', 'reconnect']);
    expect(runs[1]!.startedAt).toBeGreaterThanOrEqual(runs[0]!.finishedAt);
    await handle.stop();
  });
});
