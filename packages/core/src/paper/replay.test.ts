import { readFileSync } from 'node:fs';
import Big from 'big.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import type { MarketEvent } from '../connector.js';
import { BookSnapshot, MarkPriceTick, MarketTick, TradeTick } from '../domain/market-data.js';
import { isChimeraError } from '../errors.js';
import { FIXTURE_PATH, REPLAY_START } from './paper-test-kit.test-data.js';
import { loadReplayFile, parseReplay, parseReplayLine, ReplaySource, type DepthUpdateFrame, type ReplayFrame } from './replay.js';

const frames = loadReplayFile(FIXTURE_PATH);
const FUNDING = Date.UTC(2025, 8, 20, 8, 0, 0);

describe('replay fixture', () => {
  it('is synthetic, says so, and stays under 1 MB', () => {
    const text = readFileSync(FIXTURE_PATH, 'utf8');
    expect(text.length).toBeLessThan(1_000_000);
    const meta = JSON.parse(text.split('\n')[0]!) as { meta: { synthetic: boolean; generator: string } };
    expect(meta.meta).toMatchObject({ synthetic: true, generator: 'scripts/make-replay-fixture.ts' });
  });

  it('holds about three minutes of BTCUSDT spot and perp frames of every kind, in time order', () => {
    expect(frames[0]!.ts).toBe(REPLAY_START);
    expect(frames[frames.length - 1]!.ts - REPLAY_START).toBeGreaterThanOrEqual(179_000);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.ts).toBeGreaterThanOrEqual(frames[i - 1]!.ts);
    const kinds = new Map<string, number>();
    for (const f of frames) kinds.set(`${f.market}:${f.kind}`, (kinds.get(`${f.market}:${f.kind}`) ?? 0) + 1);
    for (const m of ['SPOT', 'FUT']) {
      expect(kinds.get(`${m}:depthSnapshot`)).toBe(1);
      expect(kinds.get(`${m}:depthUpdate`)).toBeGreaterThan(150);
      expect(kinds.get(`${m}:bookTicker`)).toBeGreaterThan(500);
      expect(kinds.get(`${m}:trade`)).toBeGreaterThan(200);
    }
    expect(kinds.get('FUT:markPrice')).toBeGreaterThan(170);
    expect(new Set(frames.map((f) => f.symbol))).toEqual(new Set(['BTCUSDT']));
  });

  it('follows Binance update-id rules: spot U = previous u + 1, perp pu = previous u', () => {
    for (const m of ['SPOT', 'FUT'] as const) {
      const snap = frames.find((f) => f.market === m && f.kind === 'depthSnapshot')!;
      let last = snap.kind === 'depthSnapshot' ? snap.lastUpdateId : 0;
      for (const f of frames.filter((x): x is DepthUpdateFrame => x.market === m && x.kind === 'depthUpdate')) {
        expect(f.firstUpdateId).toBe(last + 1);
        if (m === 'FUT') expect(f.prevFinalUpdateId).toBe(last);
        last = f.finalUpdateId;
      }
    }
  });
});

describe('parseReplayLine', () => {
  it('skips blanks and meta lines and parses each Binance shape', () => {
    expect(parseReplayLine('')).toBeUndefined();
    expect(parseReplayLine('{"meta":{"x":1}}')).toBeUndefined();
    const t = parseReplayLine('{"ts":5,"market":"SPOT","stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":4,"s":"BTCUSDT","a":9,"p":"1.5","q":"2","m":true}}');
    expect(t).toEqual({ ts: 5, market: 'SPOT', symbol: 'BTCUSDT', kind: 'trade', tradeId: '9', price: '1.5', qty: '2', takerSide: 'SELL', eventTime: 4 });
  });

  it('rejects malformed lines with INVALID_REPLAY and the line number', () => {
    for (const bad of ['{', '{"ts":"x","market":"SPOT","stream":"a","data":{}}', '{"ts":1,"market":"SPOT","stream":"x@kline","data":{"e":"kline"}}']) {
      try {
        parseReplay(`\n${bad}`);
        expect.unreachable();
      } catch (err) {
        expect(isChimeraError(err) && err.code).toBe('INVALID_REPLAY');
        expect((err as Error).message).toContain('line 2');
      }
    }
  });
});

describe('ReplaySource', () => {
  it('plays every frame at its recorded time and keeps a sane book', async () => {
    const clock = new FakeClock(REPLAY_START);
    const source = new ReplaySource({ clock, frames });
    const events: Array<{ at: number; e: MarketEvent }> = [];
    for (const channel of ['ticker', 'depth', 'trades'] as const) {
      for (const market of ['SPOT', 'FUT'] as const) await source.subscribe({ channel, market, symbol: 'BTCUSDT', levels: 5 }, (e) => events.push({ at: clock.now(), e }));
    }
    await source.subscribe({ channel: 'markPrice', market: 'FUT', symbol: 'BTCUSDT' }, (e) => events.push({ at: clock.now(), e }));
    // The current state arrives at once: tickers, books and the mark for both markets.
    expect(events.map((x) => x.e.type).sort()).toEqual(['depth', 'depth', 'markPrice', 'ticker', 'ticker']);
    clock.advance(200_000);
    expect(source.done).toBe(true);
    const byType = (t: MarketEvent['type']): MarketEvent[] => events.filter((x) => x.e.type === t).map((x) => x.e);
    // The frames at the start were played before anyone listened; subscribers got them as the current state.
    expect(byType('ticker').length).toBe(frames.filter((f) => f.kind === 'bookTicker').length);
    expect(byType('trades').length).toBe(frames.filter((f) => f.kind === 'trade').length);
    for (const { at, e } of events) {
      if (e.type === 'depth') {
        const b = BookSnapshot.parse(e.book);
        expect(b.bids.length).toBe(5);
        expect(new Big(b.bids[0]!.price).lt(b.asks[0]!.price)).toBe(true);
        expect(b.receiveTime).toBe(at);
      }
      if (e.type === 'ticker') expect(new Big(MarketTick.parse(e.tick).bid).lt(e.tick.ask)).toBe(true);
      if (e.type === 'trades') expect(TradeTick.parse(e.trade).receiveTime).toBe(at);
      if (e.type === 'markPrice') expect(MarkPriceTick.parse(e.mark).nextFundingTime).toBe(at < FUNDING ? FUNDING : FUNDING + 8 * 3_600_000);
    }
  });

  it('shifts the whole timeline to the clock with timeline "shifted"', async () => {
    const clock = new FakeClock(REPLAY_START + 86_400_000);
    const source = new ReplaySource({ clock, frames, timeline: 'shifted' });
    const marks: MarkPriceTick[] = [];
    await source.subscribe({ channel: 'markPrice', market: 'FUT', symbol: 'BTCUSDT' }, (e) => e.type === 'markPrice' && marks.push(e.mark));
    clock.advance(10_000);
    expect(marks.length).toBeGreaterThan(5);
    expect(marks[0]!.nextFundingTime).toBe(FUNDING + 86_400_000);
    expect(source.startTime).toBe(REPLAY_START);
  });

  it('drops diffs after a sequence gap until the next snapshot, never drifting silently', async () => {
    const clock = new FakeClock(REPLAY_START);
    const head: ReplayFrame[] = frames.filter((f) => f.market === 'SPOT' && (f.kind === 'depthSnapshot' || f.kind === 'depthUpdate')).slice(0, 6);
    const withGap = [head[0]!, head[1]!, head[3]!, head[4]!];
    const source = new ReplaySource({ clock, frames: withGap });
    const books: BookSnapshot[] = [];
    await source.subscribe({ channel: 'depth', market: 'SPOT', symbol: 'BTCUSDT' }, (e) => e.type === 'depth' && books.push(e.book));
    clock.advance(10_000);
    // The snapshot and the first diff apply; the diff after the gap and everything later do not.
    expect(books.map((b) => b.sequence)).toEqual([
      (head[0] as { lastUpdateId: number }).lastUpdateId,
      (head[1] as DepthUpdateFrame).finalUpdateId,
    ]);
    source.stop();
  });

  it('answers depth, ticker and mark queries from the replayed state', async () => {
    const clock = new FakeClock(REPLAY_START);
    const source = new ReplaySource({ clock, frames });
    const book = await source.depth('FUT', 'BTCUSDT', 3);
    expect(book.bids).toHaveLength(3);
    expect((await source.ticker('SPOT', 'BTCUSDT')).symbol).toBe('BTCUSDT');
    expect((await source.markPrice('BTCUSDT')).fundingRate).toMatch(/^0\.000/);
    expect(source.symbols()).toEqual(expect.arrayContaining([{ market: 'SPOT', symbol: 'BTCUSDT' }, { market: 'FUT', symbol: 'BTCUSDT' }]));
    await expect(source.ticker('SPOT', 'ETHUSDT')).rejects.toMatchObject({ code: 'NO_MARKET_DATA' });
  });
});
