import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import type { Market } from '../domain/enums.js';
import { PaperConnector } from '../paper/index.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { MemoryStore } from '../sinks/memory-store.js';
import { FundingBackfill } from './funding-backfill.js';
import { Heartbeat } from './heartbeat.js';
import { InstrumentRefresh } from './instrument-refresh.js';
import { ReconcileSchedule } from './reconcile-schedule.js';
import { JobScheduler } from './scheduler.js';

describe('a simulated day of jobs on the fake clock', () => {
  it('runs 24 hours in well under a second with the expected number of calls', async () => {
    const clock = new FakeClock();
    const paper = new PaperConnector({ clock });
    const calls = { serverTime: 0, instruments: 0, fundingRates: 0, reconcile: 0 };
    const venue = {
      venue: paper.venue,
      capabilities: paper.capabilities,
      serverTime: () => (calls.serverTime++, paper.serverTime()),
      instruments: (m: Market) => (calls.instruments++, paper.instruments(m)),
      fundingRates: (s: string, w?: { startTime?: number; endTime?: number }) => (calls.fundingRates++, paper.fundingRates(s, w)),
      fundingIncome: paper.fundingIncome.bind(paper),
    };
    const store = new MemoryStore();
    const sink = new MemoryEventSink();
    const heartbeat = new Heartbeat({ connector: venue, clock, sink });
    const scheduler = new JobScheduler({ clock, sink })
      .add(heartbeat.job())
      .add(new InstrumentRefresh({ connector: venue, store, clock }).job())
      .add(new FundingBackfill({ connector: venue, store, sink, clock, symbols: ['BTCUSDT'] }).job());
    const reconcile = new ReconcileSchedule({ clock, run: async () => calls.reconcile++ });

    const started = performance.now();
    scheduler.start();
    reconcile.start();
    await clock.tickAsync(24 * 3_600_000);
    await scheduler.stop();
    await reconcile.stop();
    const elapsedMs = performance.now() - started;

    // Each count is the start-up run plus one per period in 24 h.
    expect(calls.serverTime).toBe(1 + 2_880);
    expect(calls.instruments / paper.capabilities.markets.length).toBe(1 + 1);
    expect(calls.fundingRates).toBe(1 + 3);
    expect(calls.reconcile).toBe(1 + 288);
    expect(scheduler.stats('heartbeat:paper')).toMatchObject({ runs: 2_881, failures: 0, skipped: 0 });
    expect(heartbeat.report()).toMatchObject({ ok: true, skewMs: 0, tier: 'PASS', pUp: 1, total: 120 });
    expect(sink.payloads('alerts')).toEqual([]);
    expect(elapsedMs).toBeLessThan(1_000);
  });
});
