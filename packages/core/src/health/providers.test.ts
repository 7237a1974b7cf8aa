import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import type { HeartbeatReport } from '../jobs/heartbeat.js';
import type { ReconcileRunInfo } from '../jobs/reconcile-schedule.js';
import { DegradedMode } from '../risk/degraded-mode.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { degradedModeHealth } from './degraded-mode-health.js';
import { heartbeatHealth } from './heartbeat-health.js';
import { pingHealth } from './ping-health.js';
import { reconcileHealth } from './reconcile-health.js';
import { sinkHealth } from './sink-health.js';
import { treasuryHealth } from './treasury-health.js';

describe('heartbeatHealth', () => {
  const clock = new FakeClock();
  const now = clock.now();
  const report = (over: Partial<HeartbeatReport>): HeartbeatReport => ({
    venue: 'binance',
    ts: now,
    ok: true,
    pUp: 1,
    total: 120,
    okCount: 120,
    lastOkAt: now - 10_000,
    lastSkewMs: 40,
    lastTier: 'PASS',
    consecutiveFailures: 0,
    ...over,
  });
  const check = (r: HeartbeatReport | undefined) => heartbeatHealth({ venue: 'binance', report: () => r }, { clock }).check();

  it.each([
    ['no beat yet', undefined, 'DOWN'],
    ['no successful beat', report({ lastOkAt: undefined, ok: false }), 'DOWN'],
    ['last success too old', report({ lastOkAt: now - 90_001 }), 'DOWN'],
    ['p_up below 0.5', report({ pUp: 0.4 }), 'DOWN'],
    ['p_up below 0.9', report({ pUp: 0.85 }), 'DEGRADED'],
    ['skew tier ERROR', report({ lastTier: 'ERROR', lastSkewMs: 1_200 }), 'DEGRADED'],
    ['skew tier WARN', report({ lastTier: 'WARN', lastSkewMs: 300 }), 'OK'],
    ['all good', report({}), 'OK'],
  ])('%s → %s', async (_what, r, status) => {
    expect((await check(r)).status).toBe(status);
  });

  it('names itself after the venue and carries the figures', async () => {
    const p = heartbeatHealth({ venue: 'binance', report: () => report({ rttP50: 12, rttP95: 80 }) }, { clock });
    expect(p.name).toBe('heartbeat:binance');
    expect((await p.check()).data).toMatchObject({ pUp: 1, skewMs: 40, tier: 'PASS', rttP50: 12, rttP95: 80, ageMs: 10_000 });
  });
});

describe('sinkHealth', () => {
  it('is DOWN when disconnected or stalled, DEGRADED on new drops or a nearly full queue, else OK; not critical', async () => {
    let m: Record<string, unknown> = { connected: true, dropped: 0, queued: 10, capacity: 100 };
    const p = sinkHealth({ name: 'sink:redis', metrics: () => m });
    expect(p.critical).toBe(false);
    expect((await p.check()).status).toBe('OK');
    m = { ...m, dropped: 5 };
    expect(await p.check()).toMatchObject({ status: 'DEGRADED', detail: '5 events dropped since the last check' });
    expect((await p.check()).status).toBe('OK');
    m = { ...m, queued: 85 };
    expect((await p.check()).status).toBe('DEGRADED');
    m = { ...m, connected: false };
    expect((await p.check()).status).toBe('DOWN');
    m = { connected: true, stalled: true };
    expect((await p.check()).status).toBe('DOWN');
  });

  it('works with the memory sink’s drop counter', async () => {
    const sink = new MemoryEventSink(1);
    const p = sinkHealth({ name: 'sink:memory', metrics: () => ({ dropped: sink.dropped }) });
    sink.publish('s', {});
    expect((await p.check()).status).toBe('OK');
    sink.publish('s', {});
    expect((await p.check()).status).toBe('DEGRADED');
  });
});

describe('pingHealth', () => {
  it('is OK when fast, DEGRADED when slow, DOWN when the ping fails', async () => {
    const clock = new FakeClock();
    let delay = 5;
    let fail = false;
    const p = pingHealth({
      name: 'store:arango',
      clock,
      slowMs: 100,
      ping: async () => {
        await clock.sleep(delay);
        if (fail) throw new Error('ECONNREFUSED');
      },
    });
    const run = async () => {
      const r = p.check();
      await clock.tickAsync(delay);
      return r;
    };
    expect(await run()).toMatchObject({ status: 'OK', data: { latencyMs: 5 } });
    delay = 250;
    expect(await run()).toMatchObject({ status: 'DEGRADED', data: { latencyMs: 250 } });
    fail = true;
    expect(await run()).toMatchObject({ status: 'DOWN', detail: 'store:arango ping failed: ECONNREFUSED' });
  });
});

describe('reconcileHealth', () => {
  const clock = new FakeClock();
  const run = (over: Partial<ReconcileRunInfo>): ReconcileRunInfo => ({
    reason: 'interval',
    startedAt: clock.now() - 60_000,
    finishedAt: clock.now() - 50_000,
    ok: true,
    bad: false,
    ...over,
  });
  const check = (r: ReconcileRunInfo | undefined) => reconcileHealth({ lastRun: () => r, clock }).check();

  it.each([
    ['never ran', undefined, 'DEGRADED'],
    ['failed', run({ ok: false, bad: true, error: 'timeout' }), 'DEGRADED'],
    ['bad result', run({ bad: true }), 'DEGRADED'],
    ['too old', run({ finishedAt: clock.now() - 900_001 }), 'DEGRADED'],
    ['recent and clean', run({}), 'OK'],
  ])('%s → %s', async (_what, r, status) => {
    expect((await check(r)).status).toBe(status);
  });
});

describe('degradedModeHealth and treasuryHealth', () => {
  it('degraded mode on → DEGRADED with its reasons', async () => {
    const mode = new DegradedMode(new FakeClock());
    const p = degradedModeHealth(mode);
    expect((await p.check()).status).toBe('OK');
    mode.enter('binance:FUT ws FATAL');
    expect(await p.check()).toMatchObject({ status: 'DEGRADED', data: { reasons: ['binance:FUT ws FATAL'] } });
  });

  it('treasury FATAL → DEGRADED', async () => {
    const t = { fatal: false, consecutiveFailures: 1 };
    const p = treasuryHealth(t);
    expect((await p.check()).status).toBe('OK');
    t.fatal = true;
    t.consecutiveFailures = 3;
    expect(await p.check()).toMatchObject({ status: 'DEGRADED', data: { consecutiveFailures: 3 } });
  });
});
