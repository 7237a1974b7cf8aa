import Big from 'big.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import type { MarketEvent } from '../connector.js';
import type { Fill } from '../domain/account.js';
import { paperInstruments } from './instruments.js';
import { PaperConnector } from './paper-connector.js';
import { FIXTURE_PATH, ladder, REPLAY_START } from './paper-test-kit.test-data.js';
import { loadReplayFile, ReplaySource } from './replay.js';

const S = { market: 'SPOT' as const, symbol: 'BTCUSDT' };
const F = { market: 'FUT' as const, symbol: 'BTCUSDT' };
const frames = loadReplayFile(FIXTURE_PATH);
const FUNDING = Date.UTC(2025, 8, 20, 8, 0, 0);

function staticVenue(options: ConstructorParameters<typeof PaperConnector>[0] = {}): PaperConnector {
  const c = new PaperConnector({ clock: new FakeClock(REPLAY_START), balances: { SPOT: { USDT: '1000000', BTC: '1' }, FUT: { USDT: '100000' } }, ...options });
  c.engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(64999, -1, 5), asks: ladder(65001, 1, 5) });
  c.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: ladder(64999, -1, 5, '1', 1), asks: ladder(65001, 1, 5, '1', 1) });
  return c;
}

describe('PaperConnector', () => {
  it('rounds orders to the filters before they reach the engine, on the conservative side', async () => {
    const c = staticVenue();
    const buy = await c.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', price: '60000.129', qty: '0.0001234', clientOrderId: 'r1' });
    expect(buy).toMatchObject({ price: '60000.12', qty: '0.00012' });
    const sell = await c.placeOrder({ ...S, side: 'SELL', type: 'LIMIT', price: '70000.121', qty: '0.0001299', clientOrderId: 'r2' });
    expect(sell).toMatchObject({ price: '70000.13', qty: '0.00012' });
    await expect(c.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', price: '60000', qty: '0.000009', clientOrderId: 'r3' })).rejects.toMatchObject({
      code: 'QTY_BELOW_MIN',
      status: 422,
    });
    await expect(c.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', price: '60000', qty: 'abc', clientOrderId: 'r4' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
    });
    await expect(c.instrument('SPOT', 'NOPE')).rejects.toMatchObject({ code: 'UNKNOWN_SYMBOL', status: 422 });
  });

  it('pushes order, fill, position and balance events on the user stream before the request settles', async () => {
    const c = staticVenue();
    const seen: string[] = [];
    c.events.on('order', (o) => seen.push(`order ${o.status}`));
    c.events.on('fill', () => seen.push('fill'));
    c.events.on('position', (p) => seen.push(`position ${p.qty}`));
    c.events.on('balance', (b) => seen.push(`balance ${b.market} ${b.asset}`));
    const o = await c.placeOrder({ ...F, side: 'BUY', type: 'MARKET', qty: '0.002', clientOrderId: 'm' });
    seen.push(`reply ${o.status}`);
    expect(seen).toEqual(['order NEW', 'fill', 'order FILLED', 'position 0.002', 'balance FUT USDT', 'reply FILLED']);
  });

  it('pushes nothing when declared without a user stream', async () => {
    const c = staticVenue({ capabilities: { userStream: false } });
    let n = 0;
    c.events.on('order', () => n++);
    c.events.on('fill', () => n++);
    await c.placeOrder({ ...S, side: 'BUY', type: 'MARKET', qty: '0.001', clientOrderId: 'm' });
    expect(n).toBe(0);
  });

  it('serves ticker, depth, trades and mark price subscriptions from the paper book', async () => {
    const c = staticVenue();
    const got: MarketEvent[] = [];
    const handles = await Promise.all([
      c.subscribe({ channel: 'ticker', ...S }, (e) => got.push(e)),
      c.subscribe({ channel: 'depth', ...S, levels: 2 }, (e) => got.push(e)),
      c.subscribe({ channel: 'trades', ...S }, (e) => got.push(e)),
      c.subscribe({ channel: 'markPrice', ...F }, (e) => got.push(e)),
    ]);
    expect(got.map((e) => e.type)).toEqual(['ticker', 'depth', 'markPrice']);
    got.length = 0;
    // An own taker order moves the visible book: subscribers see it.
    await c.placeOrder({ ...S, side: 'BUY', type: 'MARKET', qty: '1', clientOrderId: 'm' });
    const depth = got.find((e) => e.type === 'depth');
    expect(depth?.type === 'depth' && depth.book.asks).toEqual([{ price: '65002', qty: '1' }, { price: '65003', qty: '1' }]);
    c.engine.applyTrade('SPOT', 'BTCUSDT', { price: '65000', qty: '0.1', takerSide: 'SELL', tradeId: 't1' });
    c.engine.applyMarkPrice('BTCUSDT', { markPrice: '65010', fundingRate: '0.0001', nextFundingTime: FUNDING });
    expect(got.filter((e) => e.type === 'trades').map((e) => e.type === 'trades' && e.trade.tradeId)).toEqual(['t1']);
    expect(got.filter((e) => e.type === 'markPrice').map((e) => e.type === 'markPrice' && e.mark.markPrice)).toEqual(['65010']);
    for (const h of handles) await h.unsubscribe();
    got.length = 0;
    c.engine.applyTicker('SPOT', 'BTCUSDT', { bid: '64000', bidQty: '1', ask: '64001', askQty: '1' });
    expect(got).toEqual([]);
    await expect(c.subscribe({ channel: 'markPrice', ...S }, () => undefined)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('paper-trades on live data from another connector (instruments, books, fills)', async () => {
    const clock = new FakeClock(REPLAY_START);
    // The "live" venue: any ExchangeConnector; here another paper venue whose book the test moves.
    const live = new PaperConnector({ clock, venue: 'live', instruments: paperInstruments('live') });
    live.engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(64999, -1, 5), asks: ladder(65001, 1, 5) });
    const paper = new PaperConnector({ clock, marketData: live, balances: { SPOT: { USDT: '100000' } } });
    await paper.connect();
    const inst = await paper.instrument('SPOT', 'BTCUSDT');
    expect(inst.venue).toBe('paper');
    expect((await paper.ticker('SPOT', 'BTCUSDT')).ask).toBe('65001');
    const fills: Fill[] = [];
    paper.events.on('fill', (f) => fills.push(f));
    await paper.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', price: '64990', qty: '0.5', clientOrderId: 'bid' });
    // The live market trades down through the paper bid.
    live.engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(64980, -1, 5), asks: ladder(64985, 1, 5, '0.2') });
    expect(fills.map((f) => [f.price, f.qty, f.isMaker])).toEqual([['64990', '0.5', true]]);
    // The live venue's own account saw nothing.
    expect(await live.fills('SPOT', 'BTCUSDT')).toEqual([]);
    await paper.close();
    await paper.close();
  });

  it('settles funding on a replayed perpetual at the funding time', async () => {
    const clock = new FakeClock(REPLAY_START);
    const c = new PaperConnector({ clock, marketData: new ReplaySource({ clock, frames }) });
    await c.connect();
    await c.placeOrder({ ...F, side: 'BUY', type: 'MARKET', qty: '0.01', clientOrderId: 'long' });
    const before = frames.filter((f) => f.kind === 'markPrice' && f.ts <= FUNDING).pop()!;
    clock.advance(FUNDING - REPLAY_START);
    const income = await c.fundingIncome();
    expect(income).toHaveLength(1);
    expect(income[0]).toMatchObject({ symbol: 'BTCUSDT', fundingTime: FUNDING });
    if (before.kind !== 'markPrice') throw new Error('unreachable');
    expect(income[0]!.amount).toBe(new Big('-0.01').times(before.markPrice).times(before.fundingRate).round(8, Big.roundHalfEven).toFixed());
    expect((await c.fundingRates('BTCUSDT')).map((r) => r.fundingTime)).toEqual([FUNDING]);
    clock.advance(120_000);
    expect(await c.fundingIncome()).toHaveLength(1);
    await c.close();
  });
});

describe('PaperConnector on the replay: determinism', () => {
  /** A fixed trading script over the whole replay; returns every fill. */
  async function script(seed: number): Promise<Fill[]> {
    const clock = new FakeClock(REPLAY_START);
    const c = new PaperConnector({ clock, seed, marketData: new ReplaySource({ clock, frames }), balances: { SPOT: { USDT: '1000000', BTC: '5' }, FUT: { USDT: '1000000' } } });
    const fills: Fill[] = [];
    c.events.on('fill', (f) => fills.push(f));
    await c.connect();
    for (let i = 0; i < 18; i++) {
      const spot = await c.ticker('SPOT', 'BTCUSDT');
      const fut = await c.ticker('FUT', 'BTCUSDT');
      const bidBelow = new Big(spot.bid).minus(15 + i).toFixed(2);
      const askAbove = new Big(fut.ask).plus(10 + i).toFixed(1);
      await c.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', price: bidBelow, qty: '0.05', clientOrderId: `sb${i}` });
      await c.placeOrder({ ...F, side: 'SELL', type: 'LIMIT', price: askAbove, qty: '0.01', clientOrderId: `fs${i}` });
      if (i % 3 === 0) await c.placeOrder({ ...F, side: i % 2 === 0 ? 'BUY' : 'SELL', type: 'MARKET', qty: '0.003', clientOrderId: `fm${i}` });
      if (i % 4 === 1) await c.placeOrder({ ...S, side: 'SELL', type: 'LIMIT', timeInForce: 'IOC', price: new Big(spot.bid).minus(1).toFixed(2), qty: '0.01', clientOrderId: `si${i}` });
      clock.advance(10_000);
    }
    await c.close();
    return fills;
  }

  it('gives the same fills for the same seed and inputs, and only other ids for another seed', async () => {
    const a = await script(11);
    const b = await script(11);
    const other = await script(12);
    expect(a.filter((f) => f.isMaker).length).toBeGreaterThan(5);
    expect(a.filter((f) => !f.isMaker).length).toBeGreaterThan(5);
    expect(b).toEqual(a);
    const strip = (fs: Fill[]): unknown[] => fs.map(({ tradeId: _t, venueOrderId: _v, ...rest }) => rest);
    expect(strip(other)).toEqual(strip(a));
    expect(other.map((f) => f.tradeId)).not.toEqual(a.map((f) => f.tradeId));
  });
});
