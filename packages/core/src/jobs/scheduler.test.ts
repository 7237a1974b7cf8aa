import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { JobScheduler, type JobAlert, type JobRun } from './scheduler.js';

describe('JobScheduler', () => {
  it('runs a job every period on the clock, plus once on start when asked', async () => {
    const clock = new FakeClock();
    const s = new JobScheduler({ clock });
    const at: number[] = [];
    const t0 = clock.now();
    s.add({ name: 'a', everyMs: 1_000, runOnStart: true, run: async () => at.push(clock.now() - t0) });
    s.add({ name: 'b', everyMs: 2_500, run: async () => undefined });
    s.start();
    await clock.tickAsync(5_000);
    expect(at).toEqual([0, 1_000, 2_000, 3_000, 4_000, 5_000]);
    expect(s.stats('a')).toMatchObject({ runs: 6, failures: 0, skipped: 0, running: false, lastOkAt: t0 + 5_000 });
    expect(s.stats('b')?.runs).toBe(2);
  });

  it('never overlaps a job with itself: ticks during a run are skipped and counted', async () => {
    const clock = new FakeClock();
    const s = new JobScheduler({ clock });
    let concurrent = 0;
    let maxConcurrent = 0;
    s.add({
      name: 'slow',
      everyMs: 1_000,
      run: async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await clock.sleep(2_500);
        concurrent--;
      },
    });
    s.start();
    await clock.tickAsync(10_000);
    expect(maxConcurrent).toBe(1);
    // Starts at 1 s, 4 s, 7 s, 10 s; the ticks at 2, 3, 5, 6, 8, 9 s are skipped.
    expect(s.stats('slow')).toMatchObject({ runs: 3, skipped: 6, running: true });
  });

  it('reports failures as events and alerts (WARN, then ERROR from the third in a row), never throws, and notes recovery', async () => {
    const clock = new FakeClock();
    const sink = new MemoryEventSink();
    const s = new JobScheduler({ clock, sink });
    let fail = true;
    const failed: JobRun[] = [];
    const alerts: JobAlert[] = [];
    s.events.on('jobFailed', (r) => failed.push(r));
    s.events.on('alert', (a) => alerts.push(a));
    s.add({
      name: 'flaky',
      everyMs: 1_000,
      run: () => {
        if (fail) throw new Error('venue down');
        return Promise.resolve('fine');
      },
    });
    s.start();
    await clock.tickAsync(3_000);
    fail = false;
    await clock.tickAsync(1_000);

    expect(failed.map((r) => r.error)).toEqual(['venue down', 'venue down', 'venue down']);
    expect(alerts.map((a) => [a.level, a.code])).toEqual([
      ['WARN', 'JOB_FAILED'],
      ['WARN', 'JOB_FAILED'],
      ['ERROR', 'JOB_FAILED'],
      ['INFO', 'JOB_RECOVERED'],
    ]);
    expect(sink.payloads('alerts').map((a) => a.source)).toEqual(['jobs', 'jobs', 'jobs', 'jobs']);
    expect(s.stats('flaky')).toMatchObject({ runs: 4, failures: 3, consecutiveFailures: 0, lastError: 'venue down' });
  });

  it('runNow joins a running run and reports its result', async () => {
    const clock = new FakeClock();
    const s = new JobScheduler({ clock });
    let calls = 0;
    s.add({
      name: 'j',
      everyMs: 60_000,
      run: async () => {
        calls++;
        await clock.sleep(100);
        return calls;
      },
    });
    const a = s.runNow('j');
    const b = s.runNow('j');
    await clock.tickAsync(100);
    expect(await a).toMatchObject({ ok: true, reason: 'manual', result: 1 });
    expect(await b).toBe(await a);
    expect(calls).toBe(1);
    await expect(s.runNow('nope')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('stop() clears the timers and waits for the running run', async () => {
    const clock = new FakeClock();
    const s = new JobScheduler({ clock });
    let finished = 0;
    s.add({ name: 'j', everyMs: 1_000, run: async () => void (await clock.sleep(500), finished++) });
    s.start();
    await clock.tickAsync(1_000);
    const stopped = s.stop();
    await clock.tickAsync(500);
    await stopped;
    expect(finished).toBe(1);
    await clock.tickAsync(10_000);
    expect(finished).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects duplicate names and bad periods', () => {
    const s = new JobScheduler({ clock: new FakeClock() });
    s.add({ name: 'x', everyMs: 1, run: async () => undefined });
    expect(() => s.add({ name: 'x', everyMs: 1, run: async () => undefined })).toThrow(/already exists/);
    expect(() => s.add({ name: 'y', everyMs: 0, run: async () => undefined })).toThrow(/everyMs/);
  });
});
