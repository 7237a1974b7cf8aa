import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { ReconcileSchedule, type ReconcileTrigger } from './reconcile-schedule.js';

describe('ReconcileSchedule', () => {
  it('runs at start-up and every 5 minutes, and records the last successful run', async () => {
    const clock = new FakeClock();
    const reasons: ReconcileTrigger[] = [];
    const marks: number[] = [];
    const s = new ReconcileSchedule({
      clock,
      run: async (reason) => {
        reasons.push(reason);
        return { summary: { checked_orders: 0 } };
      },
      lastRunKey: { set: async (ms) => marks.push(ms) },
    });
    s.start();
    await clock.tickAsync(15 * 60_000);
    expect(reasons).toEqual(['startup', 'interval', 'interval', 'interval']);
    expect(marks).toEqual([0, 5, 10, 15].map((m) => clock.now() - 15 * 60_000 + m * 60_000));
    expect(s.lastRun).toMatchObject({ reason: 'interval', ok: true, bad: false, result: { summary: { checked_orders: 0 } } });
    await s.stop();
    await clock.tickAsync(15 * 60_000);
    expect(reasons).toHaveLength(4);
  });

  it('skips interval ticks during a run and queues one follow-up for alert/reconnect triggers', async () => {
    const clock = new FakeClock();
    const reasons: ReconcileTrigger[] = [];
    const s = new ReconcileSchedule({
      clock,
      everyMs: 1_000,
      runOnStart: false,
      run: async (reason) => {
        reasons.push(reason);
        await clock.sleep(2_500);
      },
    });
    const first = s.runNow('manual');
    const a = s.runNow('alert');
    const b = s.runNow('reconnect');
    expect(a).toBe(b);
    s.start();
    await clock.tickAsync(2_500);
    await first;
    await clock.tickAsync(2_400);
    // Ticks at 1, 2 s (first run) and 3, 4 s (follow-up) were skipped.
    expect(s.skipped).toBe(4);
    const stopped = s.stop();
    await clock.tickAsync(100);
    await stopped;
    expect((await a).reason).toBe('alert');
    expect(reasons).toEqual(['manual', 'alert']);
  });

  it('alerts on a failed run and on a bad result, both lowering the run info', async () => {
    const clock = new FakeClock();
    const sink = new MemoryEventSink();
    let outcome: 'fail' | 'bad' | 'good' = 'fail';
    const s = new ReconcileSchedule({
      clock,
      sink,
      run: async () => {
        if (outcome === 'fail') throw new Error('venue unreachable');
        return { orphans: outcome === 'bad' ? 2 : 0 };
      },
      isBad: (r) => (r as { orphans: number }).orphans > 0,
    });
    expect(await s.runNow()).toMatchObject({ ok: false, bad: true, error: 'venue unreachable' });
    expect(s.lastOkAt).toBeUndefined();
    outcome = 'bad';
    expect(await s.runNow()).toMatchObject({ ok: true, bad: true });
    outcome = 'good';
    expect(await s.runNow()).toMatchObject({ ok: true, bad: false });
    expect(s.lastOkAt).toBe(clock.now());
    expect(sink.payloads('alerts').map((a) => [a.level, a.code])).toEqual([
      ['ERROR', 'RECONCILE_FAILED'],
      ['WARN', 'RECONCILE_BAD_RESULT'],
    ]);
  });
});
