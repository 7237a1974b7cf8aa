import { mulberry32, SystemClock, tickFigures, type MarketEvent } from '@chimera/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalBinanceWs, type LocalBinanceWs } from '../../src/testing/ws/index.js';
import { BinanceMarketStreams } from '../../src/ws/index.js';
import { BookDriver, levelsOf, makeEngine, priceAt, snapshotFetcher, waitFor } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function setup(overrides: Partial<ConstructorParameters<typeof BinanceMarketStreams>[0]> = {}) {
  const clock = new SystemClock();
  const engine = makeEngine(clock);
  const ws: LocalBinanceWs = await startLocalBinanceWs({ engine, clock, markPriceIntervalMs: 20 });
  closers.push(() => ws.close());
  const random = mulberry32(7);
  const streams = new BinanceMarketStreams({
    clock,
    urls: ws.urls,
    fetchSnapshot: snapshotFetcher(ws, random),
    random,
    backoff: { baseMs: 2, maxMs: 20, jitterMs: 2 },
    ...overrides,
  });
  closers.push(() => streams.close());
  return { clock, engine, ws, streams };
}

describe('BinanceMarketStreams against the local exchange', () => {
  it('delivers ticks, books, trades and funding, each UM stream on its own route', async () => {
    const { engine, ws, streams } = await setup();
    const events: MarketEvent[] = [];
    const funding: string[] = [];
    streams.events.on('funding', (f) => funding.push(`${f.symbol} ${f.rate} ${f.fundingTime}`));
    for (const market of ['SPOT', 'FUT'] as const) {
      await streams.subscribe({ channel: 'ticker', market, symbol: 'BTCUSDT' }, (e) => events.push(e));
      await streams.subscribe({ channel: 'depth', market, symbol: 'BTCUSDT', levels: 5 }, (e) => events.push(e));
      await streams.subscribe({ channel: 'trades', market, symbol: 'BTCUSDT' }, (e) => events.push(e));
    }
    await streams.subscribe({ channel: 'markPrice', market: 'FUT', symbol: 'BTCUSDT' }, (e) => events.push(e));
    engine.applyMarkPrice('BTCUSDT', { markPrice: '65010.5', indexPrice: '65000.2', fundingRate: '0.0001', nextFundingTime: 1_900_000_000_000 });

    // Streams added after a connection started travel as live SUBSCRIBE messages.
    await waitFor(() => ws.connections().reduce((n, c) => n + c.streams.length, 0) === 7, 2_000, 'seven streams');
    const byRoute = Object.fromEntries(ws.connections().map((c) => [c.route, c.streams]));
    expect(byRoute).toEqual({
      spot: ['btcusdt@aggTrade', 'btcusdt@bookTicker', 'btcusdt@depth@100ms'],
      public: ['btcusdt@bookTicker', 'btcusdt@depth@100ms'],
      market: ['btcusdt@aggTrade', 'btcusdt@markPrice@1s'],
    });

    // A change at the touch: the bookTicker and the depth book both move.
    engine.applyBookDiff('SPOT', 'BTCUSDT', { bids: [[priceAt('SPOT', 0), '1.5']], asks: [] });
    engine.applyBookDiff('FUT', 'BTCUSDT', { bids: [], asks: [[priceAt('FUT', 0.0), '2.25']] });
    engine.applyTrade('SPOT', 'BTCUSDT', { price: '65000.01', qty: '0.01', takerSide: 'BUY', tradeId: 'x' });
    engine.applyTrade('FUT', 'BTCUSDT', { price: '65010.1', qty: '0.02', takerSide: 'SELL', tradeId: 'y' });

    await waitFor(() => streams.book('SPOT', 'BTCUSDT')?.bestBid()?.price === '65000' && streams.book('FUT', 'BTCUSDT')?.bestAsk()?.price === '65010', 3_000, 'books');
    await waitFor(() => events.filter((e) => e.type === 'trades').length === 2 && funding.length > 0, 3_000, 'trades and funding');

    const spotTick = events.filter((e): e is Extract<MarketEvent, { type: 'ticker' }> => e.type === 'ticker' && e.tick.market === 'SPOT').at(-1)!.tick;
    expect({ ...spotTick, eventTime: 0, receiveTime: 0 }).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'BTCUSDT',
      bid: '65000',
      bidQty: '1.5',
      ask: '65000.01',
      askQty: '0.2',
      // The SPEC §2 figures exactly as the core computes them.
      ...tickFigures('65000', '1.5', '65000.01', '0.2'),
      eventTime: 0,
      receiveTime: 0,
    });
    const futTick = events.filter((e): e is Extract<MarketEvent, { type: 'ticker' }> => e.type === 'ticker' && e.tick.market === 'FUT').at(-1)!.tick;
    expect([futTick.bid, futTick.bidQty, futTick.ask, futTick.askQty]).toEqual(['65009.9', '0.1', '65010', '2.25']);
    expect(futTick.eventTime).toBeGreaterThan(0);

    const trades = events.filter((e): e is Extract<MarketEvent, { type: 'trades' }> => e.type === 'trades').map((e) => e.trade);
    // Two connections: the order between them is not defined.
    expect(trades.map((t) => [t.market, t.price, t.qty, t.takerSide]).sort()).toEqual([
      ['FUT', '65010.1', '0.02', 'SELL'],
      ['SPOT', '65000.01', '0.01', 'BUY'],
    ]);
    expect(funding[0]).toBe('BTCUSDT 0.0001 1900000000000');
    const mark = events.find((e): e is Extract<MarketEvent, { type: 'markPrice' }> => e.type === 'markPrice')!.mark;
    expect([mark.markPrice, mark.indexPrice, mark.fundingRate, mark.nextFundingTime]).toEqual(['65010.5', '65000.2', '0.0001', 1_900_000_000_000]);

    for (const market of ['SPOT', 'FUT'] as const) {
      const book = streams.book(market, 'BTCUSDT')!;
      const server = ws.serverBook(market, 'BTCUSDT');
      expect(levelsOf(book, 'bid')).toEqual(server.bids);
      expect(levelsOf(book, 'ask')).toEqual(server.asks);
      const depth = events.filter((e): e is Extract<MarketEvent, { type: 'depth' }> => e.type === 'depth' && e.book.market === market).at(-1)!.book;
      expect(depth.bids.map((l) => [l.price, l.qty])).toEqual(server.bids.slice(0, 5));
      expect(depth.asks.map((l) => [l.price, l.qty])).toEqual(server.asks.slice(0, 5));
      expect(depth.sequence).toBe(server.lastUpdateId);
    }
  });

  it('unsubscribes live and closes a connection when its last stream goes', async () => {
    const { ws, streams, engine } = await setup();
    const ticker = await streams.subscribe({ channel: 'ticker', market: 'SPOT', symbol: 'BTCUSDT' }, () => undefined);
    const trades = await streams.subscribe({ channel: 'trades', market: 'SPOT', symbol: 'BTCUSDT' }, () => undefined);
    await waitFor(() => ws.connections()[0]?.streams.length === 2, 2_000, 'subscribed');
    await ticker.unsubscribe();
    await waitFor(() => ws.connections()[0]?.streams.join() === 'btcusdt@aggTrade', 2_000, 'unsubscribed');
    await trades.unsubscribe();
    await waitFor(() => ws.connections().length === 0, 2_000, 'connection closed');
    new BookDriver(engine, 1).step('SPOT');
    expect(streams.connections()).toEqual([]);
  });
});
