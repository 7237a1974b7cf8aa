import { mulberry32, SystemClock, type Market } from '@chimera/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalBinanceWs, type LocalBinanceWs, type StreamRoute } from '../../src/testing/ws/index.js';
import { BinanceMarketStreams } from '../../src/ws/index.js';
import { BookDriver, levelsOf, makeEngine, snapshotFetcher, waitFor } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const SYMBOL = 'BTCUSDT';
const MARKETS: Market[] = ['SPOT', 'FUT'];
const EXPECTED: Record<StreamRoute, string[]> = {
  spot: ['btcusdt@bookTicker', 'btcusdt@depth@100ms'],
  public: ['btcusdt@bookTicker', 'btcusdt@depth@100ms'],
  market: ['btcusdt@aggTrade', 'btcusdt@markPrice@1s'],
};

/** Streams the server sees per route (a renewal may briefly show two connections of one route). */
function serverStreams(ws: LocalBinanceWs): Record<string, string[][]> {
  const out: Record<string, string[][]> = {};
  for (const c of ws.connections()) if (c.kind === 'stream' && c.route) (out[c.route] ??= []).push(c.streams);
  return out;
}

/** True when each route has one connection carrying exactly its streams. */
function restored(ws: LocalBinanceWs): boolean {
  const seen = serverStreams(ws);
  return Object.keys(seen).length === 3 && (Object.keys(EXPECTED) as StreamRoute[]).every((r) => JSON.stringify(seen[r]) === JSON.stringify([EXPECTED[r]]));
}

describe('market streams under scripted faults', () => {
  it('resyncs after ≥ 200 random disconnects and gaps; every book equals the server book level for level; every subscription is restored', async () => {
    const clock = new SystemClock();
    const engine = makeEngine(clock);
    const ws = await startLocalBinanceWs({ engine, clock, markPriceIntervalMs: 10, shutdownGraceMs: 20, serverPingIntervalMs: 0 });
    closers.push(() => ws.close());
    const random = mulberry32(2026);
    const attempts = { maxConnectAttemptsPer: { count: 100_000, windowMs: 1_000 } };
    const streams = new BinanceMarketStreams({
      clock,
      urls: ws.urls,
      fetchSnapshot: snapshotFetcher(ws, random),
      random,
      backoff: { baseMs: 1, maxMs: 8, jitterMs: 2 },
      // Depth moves every millisecond or so in this test: 60 ms of silence means the connection went quiet.
      maxSilenceMs: (s) => (s.includes('@depth') || s.includes('@markPrice') ? 60 : undefined),
      handoverTimeoutMs: 100,
      // A gap right after a snapshot reads as a stale snapshot, refetched after a back-off: keep it short here.
      bookSync: { retryBaseMs: 5, retryMaxMs: 50 },
      protocol: { spot: attempts, um: attempts },
    });
    closers.push(() => streams.close());
    const resyncs: Record<string, number> = {};
    streams.events.on('resync', (r) => {
      resyncs[r.reason] = (resyncs[r.reason] ?? 0) + 1;
    });
    let renewals = 0;
    streams.events.on('renewed', () => renewals++);
    for (const market of MARKETS) {
      await streams.subscribe({ channel: 'depth', market, symbol: SYMBOL }, () => undefined);
      await streams.subscribe({ channel: 'ticker', market, symbol: SYMBOL }, () => undefined);
    }
    await streams.subscribe({ channel: 'trades', market: 'FUT', symbol: SYMBOL }, () => undefined);
    await streams.subscribe({ channel: 'markPrice', market: 'FUT', symbol: SYMBOL }, () => undefined);

    const driver = new BookDriver(engine, 99);
    let compared = 0;
    /** Moves the books until both clients stand at the server's last update id, then compares them. */
    const ready = (): boolean =>
      MARKETS.every((m) => {
        const status = streams.bookStatus(m, SYMBOL);
        return status?.state === 'synced' && status.lastUpdateId === ws.serverBook(m, SYMBOL).lastUpdateId;
      });
    const settle = async (): Promise<void> => {
      for (let round = 0; round < 2_000; round++) {
        for (const m of MARKETS) driver.step(m);
        // Let the frames cross the loopback and a snapshot or a reconnect finish; move on when caught up.
        for (let turn = 0; turn < 40 && !ready(); turn++) await new Promise((resolve) => (turn < 20 ? setImmediate(resolve) : setTimeout(resolve, 1)));
        if (!ready()) continue;
        for (const m of MARKETS) {
          const book = streams.book(m, SYMBOL)!;
          const server = ws.serverBook(m, SYMBOL);
          expect(levelsOf(book, 'bid')).toEqual(server.bids);
          expect(levelsOf(book, 'ask')).toEqual(server.asks);
        }
        compared++;
        return;
      }
      throw new Error(`books did not resync: ${JSON.stringify(MARKETS.map((m) => streams.bookStatus(m, SYMBOL)))}`);
    };

    /** Waits while the market keeps moving (a silent market would trip the data watchdog). */
    const waitMoving = (cond: () => boolean, what: string): Promise<void> =>
      waitFor(
        () => {
          for (const m of MARKETS) driver.step(m);
          return cond();
        },
        3_000,
        what,
        1,
      );

    await settle();
    const faults = { drop: 0, skip: 0, lose: 0, shutdown: 0, silence: 0 };
    const routes: StreamRoute[] = ['spot', 'public', 'market'];
    for (let i = 0; i < 220; i++) {
      const r = random();
      const market = MARKETS[Math.floor(random() * 2)]!;
      const route = routes[Math.floor(random() * 3)]!;
      if (r < 0.4) {
        ws.faults.drop({ kind: 'stream', route });
        faults.drop++;
      } else if (r < 0.65) {
        ws.faults.skipSequence(market, SYMBOL, 1 + Math.floor(random() * 3));
        faults.skip++;
      } else if (r < 0.85) {
        ws.faults.loseNextDiff(market, SYMBOL);
        faults.lose++;
      } else if (r < 0.96) {
        ws.faults.serverShutdown({ route });
        faults.shutdown++;
      } else {
        ws.faults.silence({ kind: 'stream', route: market === 'SPOT' ? 'spot' : 'public' });
        faults.silence++;
      }
      await settle();
      if (i % 20 === 19) {
        await waitMoving(() => restored(ws), `subscriptions restored after fault ${i + 1}`);
      }
    }

    // Every connection carries its route's streams again, and nothing else.
    await waitMoving(() => restored(ws), 'subscriptions restored');
    expect(streams.connections().map((c) => [c.route, c.streams.sort()]).sort()).toEqual([
      ['spot', EXPECTED.spot],
      ['um-market', EXPECTED.market],
      ['um-public', EXPECTED.public],
    ]);
    const disconnectsAndGaps = faults.drop + faults.skip + faults.lose + faults.shutdown + faults.silence;
    expect(disconnectsAndGaps).toBe(220);
    expect(faults.drop).toBeGreaterThan(60);
    expect(faults.skip + faults.lose).toBeGreaterThan(80);
    expect(compared).toBe(221);
    // Gaps are found by the sequence rules; drops and silences reset the books through reconnects.
    expect(resyncs.gap ?? 0).toBeGreaterThan(0);
    expect(resyncs.reset ?? 0).toBeGreaterThan(0);
    expect(renewals).toBeGreaterThan(0);
  }, 60_000);
});
