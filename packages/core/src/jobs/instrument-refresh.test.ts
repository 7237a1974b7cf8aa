import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { VenueError } from '../errors.js';
import { PaperConnector } from '../paper/index.js';
import { MemoryStore } from '../sinks/memory-store.js';
import { InstrumentRefresh } from './instrument-refresh.js';

describe('InstrumentRefresh', () => {
  it('writes every market of the venue to the instrument registry', async () => {
    const clock = new FakeClock();
    const paper = new PaperConnector({ clock });
    const store = new MemoryStore();
    const refresh = new InstrumentRefresh({ connector: paper, store, clock });
    const result = await refresh.refreshNow();

    expect(result).toEqual({ venue: 'paper', counts: { SPOT: 2, FUT: 2 }, failed: {}, ts: clock.now() });
    expect((await store.listInstruments({ venue: 'paper', market: 'FUT' })).map((i) => i.symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(refresh.lastResult).toEqual(result);
  });

  it('keeps going when one market fails, then reports the failure', async () => {
    const clock = new FakeClock();
    const paper = new PaperConnector({ clock });
    const store = new MemoryStore();
    let calls = 0;
    const connector = {
      venue: paper.venue,
      capabilities: paper.capabilities,
      instruments: (market: 'SPOT' | 'FUT') => {
        calls++;
        return market === 'SPOT' ? Promise.reject(new VenueError('exchangeInfo unavailable', { retryable: true })) : paper.instruments(market);
      },
    };
    const err = await new InstrumentRefresh({ connector, store, clock }).refreshNow().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INSTRUMENT_REFRESH_FAILED', retryable: true, details: { result: { counts: { FUT: 2 }, failed: { SPOT: 'VENUE_ERROR: exchangeInfo unavailable' } } } });
    expect(calls).toBe(2);
    expect(await store.listInstruments({ market: 'FUT' })).toHaveLength(2);
  });

  it('shares one run between concurrent refreshes and is a daily job that runs on start', async () => {
    const clock = new FakeClock();
    const paper = new PaperConnector({ clock });
    let reads = 0;
    const connector = { venue: 'paper', capabilities: paper.capabilities, instruments: (m: 'SPOT' | 'FUT') => (reads++, paper.instruments(m)) };
    const refresh = new InstrumentRefresh({ connector, store: new MemoryStore(), clock });
    await Promise.all([refresh.refreshNow(), refresh.refreshNow()]);
    expect(reads).toBe(2);
    expect(refresh.job()).toMatchObject({ name: 'instrument-refresh:paper', everyMs: 86_400_000, runOnStart: true });
  });
});
