import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { NetworkError } from '../errors.js';
import { Heartbeat } from '../jobs/heartbeat.js';
import { ReconcileSchedule } from '../jobs/reconcile-schedule.js';
import { JobScheduler } from '../jobs/scheduler.js';
import { PaperConnector } from '../paper/index.js';
import { DegradedMode } from '../risk/degraded-mode.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { degradedModeHealth } from './degraded-mode-health.js';
import { HealthMonitor } from './health-monitor.js';
import { heartbeatHealth } from './heartbeat-health.js';
import { reconcileHealth } from './reconcile-health.js';
import { sinkHealth } from './sink-health.js';

describe('health of a running system', () => {
  it('follows heartbeats, reconciliation, the sink and degraded mode', async () => {
    const clock = new FakeClock();
    const paper = new PaperConnector({ clock });
    const sink = new MemoryEventSink();
    const heartbeat = new Heartbeat({ connector: paper, clock });
    const scheduler = new JobScheduler({ clock }).add(heartbeat.job());
    const reconcile = new ReconcileSchedule({ clock, run: async () => ({ ok: true }) });
    const degraded = new DegradedMode(clock);
    const monitor = new HealthMonitor({
      clock,
      providers: [
        heartbeatHealth(heartbeat, { clock }),
        reconcileHealth({ lastRun: () => reconcile.lastRun, clock }),
        sinkHealth({ name: 'sink:memory', metrics: () => ({ dropped: sink.dropped }) }),
        degradedModeHealth(degraded),
      ],
    });

    const before = await monitor.health();
    expect(before.status).toBe('DOWN');
    expect(before.checks.map((c) => [c.name, c.status])).toEqual([
      ['heartbeat:paper', 'DOWN'],
      ['reconciliation', 'DEGRADED'],
      ['sink:memory', 'OK'],
      ['degraded-mode', 'OK'],
    ]);

    scheduler.start();
    reconcile.start();
    await clock.tickAsync(60_000);
    expect((await monitor.health()).status).toBe('OK');

    degraded.enter('binance:FUT ws FATAL');
    expect((await monitor.health()).status).toBe('DEGRADED');
    degraded.exit();

    // The venue stops answering: after 90 s without a successful beat it is DOWN.
    paper.faults.rejectNext(1_000, () => new NetworkError('connection refused'), ['serverTime']);
    await clock.tickAsync(120_000);
    const down = await monitor.health();
    expect(down.status).toBe('DOWN');
    expect(down.checks[0]).toMatchObject({ name: 'heartbeat:paper', status: 'DOWN' });
    await scheduler.stop();
    await reconcile.stop();
  });
});
