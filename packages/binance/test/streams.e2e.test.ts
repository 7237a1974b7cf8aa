/**
 * Market data through the real `BinanceConnector` against the local exchange (REST and WebSocket
 * on one port): ticker and depth subscriptions survive dropped connections and sequence gaps, and
 * after every fault the connector's book — synced from the REST face's depth snapshot — equals the
 * server's book level for level. A stream that keeps failing is reported as FATAL
 * `STREAM_DEGRADED`, and as INFO `STREAM_RECOVERED` with the same reason once it is back.
 */
import { mulberry32, SystemClock, type ConnectorAlert, type Market, type MarketEvent } from '@chimera/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { BinanceConnector } from '@chimera/binance';
import { startLocalBinance, type LocalBinance, type StreamRoute } from '@chimera/binance/testing';
import { localConnector } from './local-market.js';
import { BookDriver, levelsOf, makeEngine, waitFor } from './ws/helpers.js';

const SYMBOL = 'BTCUSDT';
const MARKETS: Market[] = ['SPOT', 'FUT'];
/** Fast reconnects and resyncs: the faults come every few milliseconds here. */
const FAST = {
  backoff: { baseMs: 1, maxMs: 8, jitterMs: 2 },
  handoverTimeoutMs: 50,
  bookSync: { retryBaseMs: 5, retryMaxMs: 50 },
  // The local books hold 20 levels; a 1000-level Spot snapshot costs a fifth of a 5000-level one.
  snapshotDepth: { SPOT: 1000 },
};

/** Changes the best bid's quantity: the diffs of the book driver stay away from the touch, and only a new top moves bookTicker. */
function touch(engine: ReturnType<typeof makeEngine>, market: Market): void {
  const top = engine.ticker(market, SYMBOL);
  engine.applyBookDiff(market, SYMBOL, { bids: [[top.bid, (Number(top.bidQty) + 0.001).toFixed(3)]], asks: [] });
}

let ex: LocalBinance | undefined;
let c: BinanceConnector | undefined;
afterEach(async () => {
  await c?.close();
  await ex?.close();
  c = undefined;
  ex = undefined;
});

describe('market data through BinanceConnector on the local exchange', () => {
  it('ticker and depth subscriptions survive drops and gaps; the book equals the server book after every resync', async () => {
    const clock = new SystemClock();
    const engine = makeEngine(clock);
    ex = await startLocalBinance({ engine, clock, ws: { serverPingIntervalMs: 0, markPriceIntervalMs: 0 } });
    // The fault script has its own generator, so the reconnect jitter cannot change it.
    const random = mulberry32(4242);
    c = localConnector(ex, { clock, random: mulberry32(4243), marketStreams: FAST, userStream: { enabled: false } });
    const connector = c;
    const local = ex;
    const alerts: ConnectorAlert[] = [];
    connector.events.on('alert', (a) => alerts.push(a));
    const resyncs: Record<string, number> = {};
    connector.marketStreams.events.on('resync', (r) => {
      resyncs[r.reason] = (resyncs[r.reason] ?? 0) + 1;
    });

    const ticks: Record<Market, number> = { SPOT: 0, FUT: 0 };
    const lastDepth: Partial<Record<Market, Extract<MarketEvent, { type: 'depth' }>['book']>> = {};
    for (const market of MARKETS) {
      await connector.subscribe({ channel: 'ticker', market, symbol: SYMBOL }, (e) => {
        if (e.type === 'ticker' && e.tick.symbol === SYMBOL && e.tick.market === market) ticks[market]++;
      });
      await connector.subscribe({ channel: 'depth', market, symbol: SYMBOL, levels: 5 }, (e) => {
        if (e.type === 'depth') lastDepth[market] = e.book;
      });
    }

    const driver = new BookDriver(engine, 7);
    const ready = (): boolean =>
      MARKETS.every((m) => {
        const status = connector.marketStreams.bookStatus(m, SYMBOL);
        return status?.state === 'synced' && status.lastUpdateId === local.ws.serverBook(m, SYMBOL).lastUpdateId;
      });
    let compared = 0;
    /** Moves the books until both are synced at the server's last update id, then compares them. */
    const settle = async (): Promise<void> => {
      for (let round = 0; round < 2_000; round++) {
        for (const m of MARKETS) driver.step(m);
        for (let turn = 0; turn < 40 && !ready(); turn++) await new Promise((resolve) => (turn < 20 ? setImmediate(resolve) : setTimeout(resolve, 1)));
        if (!ready()) continue;
        for (const m of MARKETS) {
          const server = local.ws.serverBook(m, SYMBOL);
          const book = connector.book(m, SYMBOL)!;
          expect(levelsOf(book, 'bid')).toEqual(server.bids);
          expect(levelsOf(book, 'ask')).toEqual(server.asks);
        }
        compared++;
        return;
      }
      throw new Error(`books did not resync: ${JSON.stringify(MARKETS.map((m) => connector.marketStreams.bookStatus(m, SYMBOL)))}`);
    };

    await settle();
    const faults = { drop: 0, gap: 0 };
    const routes: StreamRoute[] = ['spot', 'public'];
    for (let i = 0; i < 30; i++) {
      const market = MARKETS[Math.floor(random() * 2)]!;
      const r = random();
      if (r < 0.5) {
        local.wsFaults.drop({ kind: 'stream', route: routes[Math.floor(random() * 2)]! });
        faults.drop++;
      } else if (r < 0.75) {
        local.wsFaults.skipSequence(market, SYMBOL, 1 + Math.floor(random() * 3));
        faults.gap++;
      } else {
        local.wsFaults.loseNextDiff(market, SYMBOL);
        faults.gap++;
      }
      await settle();
    }
    expect(compared).toBe(31);
    expect(faults.drop).toBeGreaterThan(5);
    expect(faults.gap).toBeGreaterThan(5);
    expect(resyncs.gap ?? 0).toBeGreaterThan(0);
    expect(resyncs.reset ?? 0).toBeGreaterThan(0);
    // Gaps are reported on the connector's alerts, marked as market-stream alerts.
    expect(alerts.some((a) => a.code === 'BOOK_RESYNC' && a.details?.stream === 'market')).toBe(true);

    // The subscriptions still deliver: fresh ticks, and depth events showing the server's top levels.
    const before = { ...ticks };
    await waitFor(
      () => {
        if (MARKETS.every((m) => ticks[m] > before[m])) return true;
        for (const m of MARKETS) touch(engine, m);
        return false;
      },
      3_000,
      'ticks after the faults',
      1,
    );
    await waitFor(() => MARKETS.every((m) => lastDepth[m]?.sequence === local.ws.serverBook(m, SYMBOL).lastUpdateId), 3_000, 'depth events at the server book');
    for (const m of MARKETS) {
      const server = local.ws.serverBook(m, SYMBOL);
      expect(lastDepth[m]!.bids.map((l) => [l.price, l.qty])).toEqual(server.bids.slice(0, 5));
      expect(lastDepth[m]!.asks.map((l) => [l.price, l.qty])).toEqual(server.asks.slice(0, 5));
    }
    // Every book resynced from the REST face's depth endpoint.
    expect(local.hits({ method: 'GET', path: '/api/v3/depth' })).toBeGreaterThan(1);
    expect(local.hits({ method: 'GET', path: '/fapi/v1/depth' })).toBeGreaterThan(1);
    expect(alerts.filter((a) => a.level === 'FATAL')).toEqual([]);
  }, 30_000);

  it('reports a stream that keeps failing as STREAM_DEGRADED (FATAL) and its return as STREAM_RECOVERED (INFO)', async () => {
    const clock = new SystemClock();
    const engine = makeEngine(clock);
    ex = await startLocalBinance({ engine, clock, ws: { serverPingIntervalMs: 0, markPriceIntervalMs: 0 } });
    c = localConnector(ex, { clock, random: mulberry32(1), marketStreams: { ...FAST, maxConsecutiveFailures: 2 }, userStream: { enabled: false } });
    const connector = c;
    const local = ex;
    const alerts: ConnectorAlert[] = [];
    connector.events.on('alert', (a) => alerts.push(a));
    let ticks = 0;
    await connector.subscribe({ channel: 'ticker', market: 'FUT', symbol: SYMBOL }, () => ticks++);
    await waitFor(() => local.ws.connections().some((x) => x.route === 'public'), 3_000, 'the public connection');

    local.wsFaults.refuseConnections(4);
    local.wsFaults.drop({ kind: 'stream', route: 'public' });
    await waitFor(() => alerts.some((a) => a.code === 'STREAM_RECOVERED'), 5_000, 'recovery');
    const degraded = alerts.filter((a) => a.code === 'STREAM_DEGRADED');
    const recovered = alerts.filter((a) => a.code === 'STREAM_RECOVERED');
    expect(degraded).toHaveLength(1);
    expect(recovered).toHaveLength(1);
    expect(degraded[0]).toMatchObject({ level: 'FATAL', details: { stream: 'market', connection: expect.stringContaining('um-public') } });
    expect(recovered[0]).toMatchObject({ level: 'INFO', details: { stream: 'market', reason: degraded[0]!.details!.reason } });
    // The socket's own FATAL / RECOVERED alerts are replaced, not repeated.
    expect(alerts.filter((a) => a.code === 'WS_FATAL' || a.code === 'WS_RECOVERED')).toEqual([]);

    const before = ticks;
    await waitFor(
      () => {
        touch(engine, 'FUT');
        return ticks > before;
      },
      3_000,
      'ticks after recovery',
      1,
    );
  }, 15_000);

  it('delivers trades (Spot and UM) and mark prices (UM) through the connector', async () => {
    const clock = new SystemClock();
    const engine = makeEngine(clock);
    ex = await startLocalBinance({ engine, clock, ws: { serverPingIntervalMs: 0, markPriceIntervalMs: 20 } });
    c = localConnector(ex, { clock, userStream: { enabled: false } });
    const events: MarketEvent[] = [];
    for (const market of MARKETS) await c.subscribe({ channel: 'trades', market, symbol: SYMBOL }, (e) => events.push(e));
    await c.subscribe({ channel: 'markPrice', market: 'FUT', symbol: SYMBOL }, (e) => events.push(e));
    const local = ex;
    await waitFor(() => local.ws.connections().filter((x) => x.streams.includes('btcusdt@aggTrade')).length === 2, 3_000, 'trade streams subscribed');
    engine.applyTrade('SPOT', SYMBOL, { price: '65000.00', qty: '0.5', takerSide: 'BUY' });
    engine.applyTrade('FUT', SYMBOL, { price: '65010.0', qty: '0.25', takerSide: 'SELL' });
    await waitFor(() => events.filter((e) => e.type === 'trades').length === 2 && events.some((e) => e.type === 'markPrice'), 3_000, 'trades and a mark price');
    const trades = events.flatMap((e) => (e.type === 'trades' ? [e.trade] : []));
    expect(trades.map((t) => [t.market, t.symbol, Number(t.price), Number(t.qty)]).sort()).toEqual([
      ['FUT', SYMBOL, 65010, 0.25],
      ['SPOT', SYMBOL, 65000, 0.5],
    ]);
    const mark = events.find((e) => e.type === 'markPrice');
    expect(mark?.type === 'markPrice' && mark.mark.symbol).toBe(SYMBOL);
  });
});
