import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import type { MarketTick } from '../domain/market-data.js';
import type { Logger } from '../logging/logger.js';
import type { BookSyncRules, SyncSnapshot } from './book-sync-rules.js';
import { BookSync } from './book-sync.js';
import type { BookLevels } from './order-book.js';
import { Throttle } from './throttle.js';
import { TickNormalizer } from './tick-normalizer.js';

interface Diff extends BookLevels {
  E: number;
  U: number;
  u: number;
}

const rules: BookSyncRules<Diff> = {
  firstUpdateAfterSnapshot: (s, e) => (e.u <= s.sequence ? 'drop' : e.U <= s.sequence + 1 ? 'apply' : 'gap'),
  next: (p, e) => (e.u <= p.u ? 'drop' : e.U > p.u + 1 ? 'gap' : 'apply'),
};

describe('book → tick → throttle', () => {
  it('publishes throttled ticks from a synced book and logs resyncs', async () => {
    const clock = new FakeClock(1_000_000);
    const records: Array<[string, unknown, string | undefined]> = [];
    const logger = {
      trace: () => undefined,
      debug: () => undefined,
      info: (o: unknown, m?: string) => records.push(['info', o, m]),
      warn: (o: unknown, m?: string) => records.push(['warn', o, m]),
      error: () => undefined,
      fatal: () => undefined,
      child: () => logger,
    } as unknown as Logger;
    let answer: ((s: SyncSnapshot) => void) | undefined;
    const sync = new BookSync<Diff>({
      rules,
      clock,
      logger,
      fetchSnapshot: () => new Promise((resolve) => (answer = resolve)),
    });
    const normalizer = new TickNormalizer({ venue: 'binance', market: 'SPOT', clock });
    const published: MarketTick[] = [];
    const throttle = new Throttle<string, MarketTick>({ clock, intervalMs: 100, deliver: (_s, t) => published.push(t) });
    sync.events.on('update', ({ book, update }) => {
      const r = normalizer.fromBook('BTCUSDT', book, update ? { eventTime: update.E, sequence: update.u } : {});
      if (r.accepted) throttle.push(r.tick.symbol, r.tick);
    });

    sync.push({ E: clock.now(), U: 10, u: 10, bids: [['65000', '1']], asks: [] });
    answer!({ sequence: 9, bids: [['64999', '1']], asks: [['65001', '2']] });
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 11; i <= 15; i++) {
      clock.advance(10);
      sync.push({ E: clock.now(), U: i, u: i, bids: [], asks: [['65001', `${i}`]] });
    }
    clock.advance(100);
    expect(published.map((t) => t.askQty)).toEqual(['2', '15']);
    expect(published[1]).toMatchObject({ bid: '65000', ask: '65001', eventTime: 1_000_050, receiveTime: 1_000_050 });

    sync.push({ E: clock.now(), U: 20, u: 20, bids: [], asks: [] });
    expect(records).toEqual([['warn', { reason: 'gap', detail: undefined, buffered: 1 }, 'order book resync']]);
    sync.reset();
    expect(records.at(-1)).toEqual(['info', { reason: 'reset', detail: 'reconnect', buffered: 0 }, 'order book resync']);
  });
});
