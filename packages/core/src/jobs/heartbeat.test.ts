import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { NetworkError } from '../errors.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { Heartbeat } from './heartbeat.js';
import type { JobAlert } from './scheduler.js';

interface Step {
  offsetMs?: number;
  rttMs?: number;
  fail?: boolean;
  hang?: boolean;
}

/** A venue whose clock is `offsetMs` ahead, answering after `rttMs` (server time taken halfway). */
function scriptedVenue(clock: FakeClock, steps: Step[]) {
  let i = 0;
  return {
    venue: 'stub',
    serverTime: async (): Promise<number> => {
      const s = steps[Math.min(i++, steps.length - 1)]!;
      if (s.hang) return new Promise<number>(() => undefined);
      const half = (s.rttMs ?? 0) / 2;
      await clock.sleep(half);
      if (s.fail) throw new NetworkError('connection refused');
      const t = clock.now() + (s.offsetMs ?? 0);
      await clock.sleep(half);
      return t;
    },
  };
}

async function beats(clock: FakeClock, hb: Heartbeat, n: number, gapMs = 30_000) {
  const reports = [];
  for (let k = 0; k < n; k++) {
    const p = hb.beat();
    await clock.tickAsync(20_000);
    reports.push(await p);
    await clock.tickAsync(gapMs - 20_000);
  }
  return reports;
}

describe('Heartbeat', () => {
  it('measures offset, skew, tier and RTT, and p_up with RTT p50/p95 over the window', async () => {
    const clock = new FakeClock();
    const rtts = [10, 20, 30, 40, 200];
    const hb = new Heartbeat({ connector: scriptedVenue(clock, rtts.map((rttMs) => ({ rttMs, offsetMs: -120 }))), clock });
    const reports = await beats(clock, hb, 5);
    const last = reports[4]!;
    expect(last).toMatchObject({ venue: 'stub', ok: true, offsetMs: -120, skewMs: 120, tier: 'PASS', rttMs: 200, pUp: 1, total: 5, okCount: 5 });
    expect(last.rttP50).toBe(30);
    expect(last.rttP95).toBe(200);
    expect(last.serverTime).toBe(last.ts - 100 - 120);
    expect(hb.skewMs()).toBe(120);
  });

  it('alerts when the skew tier changes: WARN, ERROR, then INFO back to PASS', async () => {
    const clock = new FakeClock();
    const sink = new MemoryEventSink();
    const hb = new Heartbeat({
      connector: scriptedVenue(clock, [{ offsetMs: 100 }, { offsetMs: 400 }, { offsetMs: -1_200 }, { offsetMs: -1_300 }, { offsetMs: 50 }]),
      clock,
      sink,
    });
    const alerts: JobAlert[] = [];
    hb.events.on('alert', (a) => alerts.push(a));
    const tiers = (await beats(clock, hb, 5)).map((r) => r.tier);
    expect(tiers).toEqual(['PASS', 'WARN', 'ERROR', 'ERROR', 'PASS']);
    expect(alerts.map((a) => [a.level, a.code, a.details.skewMs])).toEqual([
      ['WARN', 'CLOCK_SKEW', 400],
      ['ERROR', 'CLOCK_SKEW', 1_200],
      ['INFO', 'CLOCK_SKEW', 50],
    ]);
    expect(sink.payloads('alerts')).toHaveLength(3);
  });

  it('counts failures and timeouts into p_up, alerts after 3 in a row, and notes the recovery', async () => {
    const clock = new FakeClock();
    const hb = new Heartbeat({
      connector: scriptedVenue(clock, [{ rttMs: 10 }, { fail: true }, { hang: true }, { fail: true }, { rttMs: 10 }]),
      clock,
      timeoutMs: 5_000,
    });
    const alerts: JobAlert[] = [];
    hb.events.on('alert', (a) => alerts.push(a));
    const reports = await beats(clock, hb, 5);
    expect(reports.map((r) => r.ok)).toEqual([true, false, false, false, true]);
    expect(reports[2]!.error).toMatch(/UNKNOWN_OUTCOME: server time: no answer within 5000 ms/);
    expect(reports[3]).toMatchObject({ consecutiveFailures: 3, pUp: 0.25, lastSkewMs: 0 });
    expect(reports[4]).toMatchObject({ consecutiveFailures: 0, pUp: 0.4, okCount: 2, total: 5 });
    expect(alerts.map((a) => [a.level, a.code])).toEqual([
      ['ERROR', 'HEARTBEAT_FAILED'],
      ['INFO', 'HEARTBEAT_RECOVERED'],
    ]);
  });

  it('forgets samples older than the window', async () => {
    const clock = new FakeClock();
    const hb = new Heartbeat({ connector: scriptedVenue(clock, [{ fail: true }, { fail: true }, { rttMs: 2 }]), clock, windowMs: 60_000 });
    const reports = await beats(clock, hb, 5);
    expect(reports[1]).toMatchObject({ total: 2, okCount: 0, pUp: 0 });
    // At the fifth beat (120 s) the window (60 s, 120 s] holds the beats at 90 s and 120 s only.
    expect(reports[4]).toMatchObject({ total: 2, okCount: 2, pUp: 1 });
  });

  it('measures through a ClockSync when given one', async () => {
    const clock = new FakeClock();
    const hb = new Heartbeat({
      connector: { venue: 'stub', serverTime: async () => 0 },
      clockSync: { sync: async () => ({ offsetMs: 700, skewMs: 700, tier: 'ERROR' as const, rttMs: 33, syncedAt: clock.now(), samples: 3 }) },
      clock,
    });
    const r = await hb.beat();
    expect(r).toMatchObject({ ok: true, offsetMs: 700, skewMs: 700, tier: 'ERROR', rttMs: 33, serverTime: clock.now() + 700 });
  });

  it('is a 30 s job that beats on start', () => {
    const clock = new FakeClock();
    const job = new Heartbeat({ connector: scriptedVenue(clock, [{}]), clock }).job();
    expect(job).toMatchObject({ name: 'heartbeat:stub', everyMs: 30_000, runOnStart: true });
  });
});
