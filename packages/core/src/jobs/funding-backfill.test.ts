import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import type { FundingIncome, FundingRate } from '../domain/account.js';
import { VenueError } from '../errors.js';
import { PaperConnector } from '../paper/index.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { MemoryStore } from '../sinks/memory-store.js';
import { FundingBackfill, joinFunding } from './funding-backfill.js';

const H8 = 8 * 3_600_000;

describe('joinFunding', () => {
  const rate = (t: number, r: string): FundingRate => ({ venue: 'v', symbol: 'BTCUSDT', fundingTime: t, rate: r });
  const inc = (t: number, a: string, symbol = 'BTCUSDT'): FundingIncome => ({ venue: 'v', symbol, fundingTime: t, amount: a });

  it('gives each income row to the nearest rate row within the tolerance; others get 0', () => {
    const { records, unmatchedIncome } = joinFunding(
      'v',
      [rate(2 * H8, '0.0002'), rate(H8, '0.0001'), rate(3 * H8, '-0.0001')],
      [inc(H8 + 3, '-0.5'), inc(H8 - 2, '-0.25'), inc(3 * H8 + 10, '0.5'), inc(2 * H8 + 120_000, '9'), inc(H8, '1', 'ETHUSDT')],
      60_000,
    );
    expect(records).toEqual([
      { symbol: 'BTCUSDT', funding_time: H8, rate: '0.0001', amount_usdt: '-0.75', venue: 'v' },
      { symbol: 'BTCUSDT', funding_time: 2 * H8, rate: '0.0002', amount_usdt: '0', venue: 'v' },
      { symbol: 'BTCUSDT', funding_time: 3 * H8, rate: '-0.0001', amount_usdt: '0.5', venue: 'v' },
    ]);
    expect(unmatchedIncome).toBe(2);
  });
});

/** A paper venue at 00:00 UTC with a 0.1 BTC long on BTCUSDT and three fundings settled 8 h apart. */
async function paperWithFundings(rates = ['0.0001', '0.0002', '-0.0001']) {
  const clock = new FakeClock();
  const start = clock.now();
  const paper = new PaperConnector({ clock, balances: { FUT: { USDT: '100000' } } });
  paper.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: [['64999.0', '5']], asks: [['65001.0', '5']] });
  await paper.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: '0.1', clientOrderId: 'pos-1' });
  for (const [k, r] of rates.entries()) {
    paper.engine.applyMarkPrice('BTCUSDT', { markPrice: '65000', fundingRate: r, nextFundingTime: start + (k + 1) * H8 });
    await clock.tickAsync(H8);
  }
  return { clock, start, paper };
}

describe('FundingBackfill', () => {
  it('writes rate and income per funding time, publishes the new records, and a second run writes and publishes nothing', async () => {
    const { clock, start, paper } = await paperWithFundings();
    await clock.tickAsync(600_000); // past the settle lag of the last funding
    const store = new MemoryStore();
    const sink = new MemoryEventSink();
    const backfill = new FundingBackfill({ connector: paper, store, sink, clock, symbols: ['BTCUSDT', 'ETHUSDT'] });

    const first = await backfill.run();
    expect(first).toMatchObject({ symbols: ['BTCUSDT', 'ETHUSDT'], rates: 3, income: 3, inserted: 3, published: 3, unmatchedIncome: 0, failed: {} });
    // amount = −qty × mark × rate = −0.1 × 65 000 × rate
    expect(await store.listFundingRecords({ symbol: 'BTCUSDT' })).toEqual([
      { symbol: 'BTCUSDT', funding_time: start + H8, rate: '0.0001', amount_usdt: '-0.65', venue: 'paper' },
      { symbol: 'BTCUSDT', funding_time: start + 2 * H8, rate: '0.0002', amount_usdt: '-1.3', venue: 'paper' },
      { symbol: 'BTCUSDT', funding_time: start + 3 * H8, rate: '-0.0001', amount_usdt: '0.65', venue: 'paper' },
    ]);
    expect(sink.payloads('mkt:events:{funding}:BTCUSDT').map((p) => [p.type, p.funding_time, p.amount_usdt])).toEqual([
      ['FUNDING_REALISED', start + H8, '-0.65'],
      ['FUNDING_REALISED', start + 2 * H8, '-1.3'],
      ['FUNDING_REALISED', start + 3 * H8, '0.65'],
    ]);

    const second = await backfill.run();
    expect(second).toMatchObject({ rates: 3, inserted: 0, published: 0 });
    expect(await store.listFundingRecords()).toHaveLength(3);
    expect(sink.payloads('mkt:events:{funding}:BTCUSDT')).toHaveLength(3);
  });

  it('leaves funding times inside the settle lag for the next run', async () => {
    const { clock, start, paper } = await paperWithFundings();
    const store = new MemoryStore();
    const backfill = new FundingBackfill({ connector: paper, store, sink: new MemoryEventSink(), clock, symbols: () => ['BTCUSDT'] });
    expect((await backfill.run()).inserted).toBe(2);
    await clock.tickAsync(300_000);
    expect((await backfill.run()).inserted).toBe(1);
    expect((await store.listFundingRecords()).map((r) => r.funding_time)).toEqual([start + H8, start + 2 * H8, start + 3 * H8]);
  });

  it('two processes backfilling at once publish each record once', async () => {
    const { clock, paper } = await paperWithFundings();
    await clock.tickAsync(600_000);
    const store = new MemoryStore();
    const sink = new MemoryEventSink();
    const a = new FundingBackfill({ connector: paper, store, sink, clock, symbols: ['BTCUSDT'] });
    const b = new FundingBackfill({ connector: paper, store, sink, clock, symbols: ['BTCUSDT'] });
    const [ra, rb] = await Promise.all([a.run(), b.run()]);
    expect(ra.inserted + rb.inserted).toBe(3);
    expect(sink.payloads('mkt:events:{funding}:BTCUSDT')).toHaveLength(3);
  });

  it('finishes the other symbols when one fails, then reports the failure', async () => {
    const { clock, paper } = await paperWithFundings();
    await clock.tickAsync(600_000);
    const store = new MemoryStore();
    const connector = {
      venue: 'paper',
      fundingIncome: paper.fundingIncome.bind(paper),
      fundingRates: (symbol: string, w?: { startTime?: number; endTime?: number }) =>
        symbol === 'ETHUSDT' ? Promise.reject(new VenueError('boom')) : paper.fundingRates(symbol, w),
    };
    const backfill = new FundingBackfill({ connector, store, sink: new MemoryEventSink(), clock, symbols: ['ETHUSDT', 'BTCUSDT'] });
    const err = await backfill.run().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FUNDING_BACKFILL_FAILED', details: { result: { symbols: ['BTCUSDT'], inserted: 3, failed: { ETHUSDT: 'VENUE_ERROR: boom' } } } });
    expect(await store.listFundingRecords()).toHaveLength(3);
  });
});
