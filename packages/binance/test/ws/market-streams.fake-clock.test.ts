import { FakeClock, type MarketEvent, type SyncSnapshot } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { BinanceMarketStreams, type BinanceMarketStreamsOptions } from '../../src/ws/index.js';
import { fakeSockets } from './fake-socket.js';

const T0 = 1_758_326_400_000;
const SPOT_TICKER = (u: number, bid: string) => ({ stream: 'btcusdt@bookTicker', data: { u, s: 'BTCUSDT', b: bid, B: '1.00000000', a: '65000.01000000', A: '2.00000000' } });
const SPOT_DEPTH = (U: number, u: number, b: [string, string][] = [], a: [string, string][] = []) => ({
  stream: 'btcusdt@depth@100ms',
  data: { e: 'depthUpdate', E: T0, s: 'BTCUSDT', U, u, b, a },
});
const MARK = (E: number) => ({
  stream: 'btcusdt@markPrice@1s',
  data: { e: 'markPriceUpdate', E, s: 'BTCUSDT', p: '65010.1', i: '65000', P: '65010', r: '0.0001', T: T0 + 3_600_000 },
});

function setup(options: Partial<BinanceMarketStreamsOptions> = {}) {
  const clock = new FakeClock(T0);
  const net = fakeSockets(() => clock.now());
  const snapshots: { market: string; resolve: (s: SyncSnapshot) => void }[] = [];
  const streams = new BinanceMarketStreams({
    clock,
    socketFactory: net.factory,
    random: () => 0.5,
    backoff: { baseMs: 500, maxMs: 30_000, jitterMs: 1_000 },
    metricsIntervalMs: 0,
    fetchSnapshot: (market) => new Promise<SyncSnapshot>((resolve) => snapshots.push({ market, resolve })),
    ...options,
  });
  return { clock, net, streams, snapshots };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BinanceMarketStreams on the fake clock', () => {
  it('connects to the combined-stream URL and reconnects on the backoff schedule min(max, base·2^n) + U(0, jitter)', async () => {
    const { clock, net, streams } = setup();
    const reconnected: number[] = [];
    streams.events.on('reconnected', (e) => reconnected.push(e.downtimeMs));
    await streams.subscribe({ channel: 'ticker', market: 'SPOT', symbol: 'BTCUSDT' }, () => undefined);
    expect(net.sockets.map((s) => s.url)).toEqual(['wss://stream.binance.com:9443/stream?streams=btcusdt@bookTicker']);
    net.last().accept();
    net.last().drop();
    // retry 0: 500·2^0 + 0.5·1000 = 1000 ms; then 1500, 2500, 4500 after refused attempts.
    const attempts: number[] = [];
    for (const wait of [1_000, 1_500, 2_500, 4_500]) {
      clock.advance(wait - 1);
      expect(net.sockets).toHaveLength(attempts.length + 1);
      clock.advance(1);
      expect(net.sockets).toHaveLength(attempts.length + 2);
      attempts.push(clock.now() - T0);
      if (attempts.length < 4) net.last().refuse();
    }
    expect(attempts).toEqual([1_000, 2_500, 5_000, 9_500]);
    net.last().accept();
    expect(reconnected).toEqual([9_500]);
    expect(net.last().url).toBe('wss://stream.binance.com:9443/stream?streams=btcusdt@bookTicker');
    await streams.close();
  });

  it('routes UM streams: bookTicker and depth on /public, aggTrade and markPrice on /market; live SUBSCRIBE and UNSUBSCRIBE', async () => {
    const { net, streams } = setup();
    await streams.subscribe({ channel: 'ticker', market: 'FUT', symbol: 'BTCUSDT' }, () => undefined);
    await streams.subscribe({ channel: 'markPrice', market: 'FUT', symbol: 'BTCUSDT' }, () => undefined);
    expect(net.sockets.map((s) => s.url)).toEqual([
      'wss://fstream.binance.com/public/stream?streams=btcusdt@bookTicker',
      'wss://fstream.binance.com/market/stream?streams=btcusdt@markPrice@1s',
    ]);
    const [pub, market] = net.sockets;
    pub!.accept();
    market!.accept();
    const depth = await streams.subscribe({ channel: 'depth', market: 'FUT', symbol: 'ETHUSDT' }, () => undefined);
    await streams.subscribe({ channel: 'trades', market: 'FUT', symbol: 'BTCUSDT' }, () => undefined);
    await depth.unsubscribe();
    expect(pub!.sent).toEqual(['{"method":"SUBSCRIBE","params":["ethusdt@depth@100ms"],"id":1}', '{"method":"UNSUBSCRIBE","params":["ethusdt@depth@100ms"],"id":2}']);
    expect(market!.sent).toEqual(['{"method":"SUBSCRIBE","params":["btcusdt@aggTrade"],"id":1}']);
    await expect(streams.subscribe({ channel: 'markPrice', market: 'SPOT', symbol: 'BTCUSDT' }, () => undefined)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await streams.close();
  });

  it('buffers depth while the snapshot loads, resets the book after a reconnect and resyncs it', async () => {
    const { clock, net, streams, snapshots } = setup();
    const books: MarketEvent[] = [];
    const resyncs: string[] = [];
    streams.events.on('resync', (r) => resyncs.push(r.reason));
    await streams.subscribe({ channel: 'depth', market: 'SPOT', symbol: 'BTCUSDT', levels: 2 }, (e) => books.push(e));
    net.last().accept();
    net.last().push(SPOT_DEPTH(101, 105, [['64999.99000000', '1.00000000']]));
    net.last().push(SPOT_DEPTH(106, 108, [], [['65000.02000000', '3.00000000']]));
    expect(snapshots).toHaveLength(1);
    snapshots[0]!.resolve({ sequence: 103, bids: [['64999.98', '5']], asks: [['65000.01', '2']] });
    await flush();
    expect(streams.book('SPOT', 'BTCUSDT')?.top(5)).toEqual({
      bids: [
        { price: '64999.99', qty: '1' },
        { price: '64999.98', qty: '5' },
      ],
      asks: [
        { price: '65000.01', qty: '2' },
        { price: '65000.02', qty: '3' },
      ],
    });
    expect(streams.bookStatus('SPOT', 'BTCUSDT')?.lastUpdateId).toBe(108);
    const last = books.at(-1) as Extract<MarketEvent, { type: 'depth' }>;
    expect([last.book.sequence, last.book.bids.length, last.book.asks.length]).toEqual([108, 2, 2]);

    // A gap: U beyond the local id + 1.
    net.last().push(SPOT_DEPTH(110, 111));
    expect(resyncs).toEqual(['gap']);
    expect(streams.book('SPOT', 'BTCUSDT')).toBeUndefined();
    snapshots[1]!.resolve({ sequence: 111, bids: [['64999.97', '1']], asks: [['65000.03', '1']] });
    await flush();
    expect(streams.bookStatus('SPOT', 'BTCUSDT')?.state).toBe('synced');

    // A reconnect: the book is thrown away and rebuilt from a new snapshot.
    net.last().drop();
    expect(resyncs).toEqual(['gap']);
    clock.advance(1_000);
    net.last().accept();
    expect(resyncs).toEqual(['gap', 'reset']);
    net.last().push(SPOT_DEPTH(150, 152, [['64999.96000000', '4.00000000']]));
    expect(snapshots).toHaveLength(3);
    snapshots[2]!.resolve({ sequence: 151, bids: [], asks: [['65000.05', '1']] });
    await flush();
    expect(streams.book('SPOT', 'BTCUSDT')?.top(5)).toEqual({ bids: [{ price: '64999.96', qty: '4' }], asks: [{ price: '65000.05', qty: '1' }] });
    await streams.close();
  });

  it('renews a connection whose markPrice stream is silent for 10 s while pings still work (data watchdog)', async () => {
    const { clock, net, streams } = setup();
    const renewed: string[] = [];
    const marks: number[] = [];
    streams.events.on('renewed', (r) => renewed.push(`${r.reason}@${clock.now() - T0}`));
    await streams.subscribe({ channel: 'markPrice', market: 'FUT', symbol: 'BTCUSDT' }, (e) => e.type === 'markPrice' && marks.push(e.mark.eventTime));
    const first = net.last();
    first.accept();
    first.push(MARK(T0));
    clock.advance(9_999);
    expect(net.sockets).toHaveLength(1);
    clock.advance(1);
    // Silent since T0: the replacement opens at once, the old connection keeps delivering meanwhile.
    expect(net.sockets).toHaveLength(2);
    const second = net.last();
    expect(second.url).toBe(first.url);
    second.accept();
    second.push(MARK(T0 + 10_000));
    expect(renewed).toEqual(['stale@10000']);
    expect(first.closedWith).toBe(1000);
    expect(marks).toEqual([T0, T0 + 10_000]);
    await streams.close();
  });

  it('renews 5 minutes before the 24 h lifetime, and at once on serverShutdown, handing streams over by sequence', async () => {
    // The fake peer answers no pings: liveness checks are off so the day passes on one connection.
    const { clock, net, streams } = setup({ protocol: { spot: { clientPing: false, idleTimeoutMs: 2 * 86_400_000 } } });
    const renewed: string[] = [];
    const ticks: string[] = [];
    streams.events.on('renewed', (r) => renewed.push(`${r.reason}@${clock.now() - T0}`));
    await streams.subscribe({ channel: 'ticker', market: 'SPOT', symbol: 'BTCUSDT' }, (e) => e.type === 'ticker' && ticks.push(`${e.tick.bid}`));
    net.last().accept();
    clock.advance(24 * 3_600_000 - 300_000 - 1);
    expect(net.sockets).toHaveLength(1);
    clock.advance(1);
    expect(net.sockets).toHaveLength(2);
    const [old, next] = net.sockets as [ReturnType<typeof net.last>, ReturnType<typeof net.last>];
    next.accept();
    // Both deliver; each update once: the old one up to where the new one starts.
    old.push(SPOT_TICKER(10, '64999.90'));
    next.push(SPOT_TICKER(11, '64999.91'));
    old.push(SPOT_TICKER(11, '64999.91'));
    next.push(SPOT_TICKER(12, '64999.92'));
    expect(ticks).toEqual(['64999.9', '64999.91', '64999.92']);
    expect(renewed).toEqual([`lifetime@${24 * 3_600_000 - 300_000}`]);
    expect(old.closedWith).toBe(1000);

    next.push({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: clock.now() } });
    expect(net.sockets).toHaveLength(3);
    net.last().accept();
    net.last().push(SPOT_TICKER(13, '64999.93'));
    next.push(SPOT_TICKER(13, '64999.93'));
    expect(ticks.filter((t) => t === '64999.93')).toHaveLength(1);
    expect(renewed.at(-1)).toBe(`shutdown@${24 * 3_600_000 - 300_000}`);
    expect(ticks.at(-1)).toBe('64999.93');
    await streams.close();
  });

  it('throttles ticker deliveries per symbol and always ends on the latest tick', async () => {
    const { clock, net, streams } = setup({ throttleMs: 100 });
    const ticks: string[] = [];
    await streams.subscribe({ channel: 'ticker', market: 'SPOT', symbol: 'BTCUSDT' }, (e) => e.type === 'ticker' && ticks.push(`${clock.now() - T0}:${e.tick.bid}`));
    net.last().accept();
    net.last().push(SPOT_TICKER(1, '64999.91'));
    net.last().push(SPOT_TICKER(2, '64999.92'));
    net.last().push(SPOT_TICKER(3, '64999.93'));
    // An out-of-order frame is dropped before the throttle.
    net.last().push(SPOT_TICKER(2, '64999.80'));
    clock.advance(100);
    clock.advance(100);
    expect(ticks).toEqual(['0:64999.91', '100:64999.93']);
    await streams.close();
  });
});
