/**
 * Generates packages/core/fixtures/btcusdt-3min.jsonl, the paper venue's replay fixture.
 *
 * THE DATA IS SYNTHETIC. These machines have no internet access, so nothing was recorded from
 * Binance. The script simulates three minutes (2025-09-20 07:58:00 → 08:01:00 UTC, spanning the
 * 08:00 funding time) of BTCUSDT on Binance Spot and USDⓈ-M with a seeded random generator, and
 * writes the frames in Binance's wire shapes so the replay parser and the paper engine meet the
 * same fields they will meet live:
 *
 * - mid price: a geometric random walk around 65 000 USDT (about 0.02 % per √s, stronger than the
 *   real market so that three minutes move resting orders), the perpetual trading at a small
 *   premium with its own noise;
 * - books: about 20–50 levels a side on the instruments' ticks (spot 0.01, perp 0.1), spread of one
 *   to three ticks, level sizes from a heavy-tailed distribution, levels appearing, changing and
 *   vanishing every 200 ms; a REST snapshot of each book at the start;
 * - `<s>@bookTicker` whenever the best bid or offer changes (checked every 200 ms), `<s>@depth`
 *   diffs every second with Binance's update-id rules (spot `U`/`u`, perp adds `pu`), `<s>@aggTrade`
 *   prints at the touch, and `<s>@markPrice@1s` for the perp with the funding rate and the next
 *   funding time (08:00, then 16:00);
 * - spot numbers are 8-decimal strings as Binance Spot sends them; perp numbers use the tick's
 *   decimals as USDⓈ-M sends them.
 *
 * Line format: see packages/core/src/paper/replay.ts. The output is deterministic: the same seed
 * gives the same file byte for byte.
 *
 * Usage: `npx tsx scripts/make-replay-fixture.ts [--seed 42] [--out <path>]`
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../packages/core/src/paper/random.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SEED = Number(arg('--seed') ?? 42);
const here = dirname(fileURLToPath(import.meta.url));
const OUT = arg('--out') ?? join(here, '..', 'packages', 'core', 'fixtures', 'btcusdt-3min.jsonl');

const START = Date.UTC(2025, 8, 20, 7, 58, 0); // 2025-09-20T07:58:00Z
const DURATION_MS = 180_000;
const STEP_MS = 200;
const FUNDING_1 = Date.UTC(2025, 8, 20, 8, 0, 0);
const FUNDING_2 = Date.UTC(2025, 8, 20, 16, 0, 0);

const rnd = seededRandom(SEED);
function normal(): number {
  // Box–Muller; 1 − u keeps log() finite.
  const u = 1 - rnd();
  const v = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
function int(min: number, max: number): number {
  return min + Math.floor(rnd() * (max - min + 1));
}
/** A heavy-tailed level size in base units: mostly small, sometimes a few BTC. */
function size(scale: number): number {
  const x = Math.exp(normal() * 1.1) * scale;
  return Math.min(x, scale * 40);
}

interface MarketModel {
  market: 'SPOT' | 'FUT';
  stream: string;
  tickDp: number;
  /** Price grid step in integer ticks of 10^-tickDp. */
  qtyDp: number;
  fmt: (ticks: number) => string;
  fmtQty: (q: number) => string;
  bids: Map<number, number>;
  asks: Map<number, number>;
  /** Levels as emitted in the last depth frame, to compute diffs. */
  lastBids: Map<number, number>;
  lastAsks: Map<number, number>;
  updateId: number;
  lastEmittedU: number;
  lastTop: string;
  sizeScale: number;
  tradeId: number;
}

function model(market: 'SPOT' | 'FUT'): MarketModel {
  const spot = market === 'SPOT';
  const tickDp = spot ? 2 : 1;
  const qtyDp = spot ? 5 : 3;
  return {
    market,
    stream: 'btcusdt',
    tickDp,
    qtyDp,
    fmt: (t) => (t / 10 ** tickDp).toFixed(spot ? 8 : tickDp),
    fmtQty: (q) => q.toFixed(spot ? 8 : qtyDp),
    bids: new Map(),
    asks: new Map(),
    lastBids: new Map(),
    lastAsks: new Map(),
    updateId: spot ? 71_234_567_890 : 8_456_789_012_345,
    lastEmittedU: 0,
    lastTop: '',
    sizeScale: spot ? 0.08 : 0.6,
    tradeId: spot ? 3_456_789_000 : 2_567_890_000,
  };
}

const roundQty = (m: MarketModel, q: number): number => {
  const f = 10 ** m.qtyDp;
  return Math.max(1, Math.round(q * f)) / f;
};

/** Moves the model's book to a new mid: clears crossed levels, sets the touch, mutates and trims. */
function evolve(m: MarketModel, midTicks: number): void {
  const spreadTicks = rnd() < 0.8 ? 1 : int(2, 3);
  const bestBid = Math.floor(midTicks - spreadTicks / 2);
  const bestAsk = bestBid + spreadTicks;
  for (const p of [...m.bids.keys()]) if (p > bestBid) m.bids.delete(p);
  for (const p of [...m.asks.keys()]) if (p < bestAsk) m.asks.delete(p);
  if (!m.bids.has(bestBid) || rnd() < 0.5) m.bids.set(bestBid, roundQty(m, size(m.sizeScale)));
  if (!m.asks.has(bestAsk) || rnd() < 0.5) m.asks.set(bestAsk, roundQty(m, size(m.sizeScale)));
  for (const [side, best, dir] of [
    [m.bids, bestBid, -1],
    [m.asks, bestAsk, 1],
  ] as const) {
    // Random level changes: new levels near the touch, size changes, cancellations.
    const changes = int(0, 2);
    for (let i = 0; i < changes; i++) {
      const off = Math.floor(Math.abs(normal()) * 12) + (rnd() < 0.3 ? int(1, 120) : 0);
      const p = best + dir * off;
      if (side.has(p) && rnd() < 0.3 && p !== best) side.delete(p);
      else side.set(p, roundQty(m, size(m.sizeScale)));
    }
    // Keep 20–50 levels: drop the farthest, refill beyond the worst.
    const prices = [...side.keys()].sort((a, b) => dir * (a - b));
    while (prices.length > 50) side.delete(prices.pop()!);
    let worst = prices[prices.length - 1] ?? best;
    while (side.size < 20) {
      worst += dir * int(1, 15);
      side.set(worst, roundQty(m, size(m.sizeScale)));
    }
  }
  m.updateId += int(3, 40);
}

function sorted(side: Map<number, number>, dir: 1 | -1): Array<[number, number]> {
  return [...side.entries()].sort((a, b) => dir * (a[0] - b[0]));
}

const lines: string[] = [];
const push = (obj: unknown): void => {
  lines.push(JSON.stringify(obj));
};

push({
  meta: {
    synthetic: true,
    description:
      'SYNTHETIC BTCUSDT Binance Spot + USD-M frames (no real market data): seeded random-walk mid around 65000 with realistic spreads and depth, Binance-shaped fields.',
    generator: 'scripts/make-replay-fixture.ts',
    seed: SEED,
    start: START,
    end: START + DURATION_MS,
    funding: [FUNDING_1],
    format: 'one JSON object per line: { ts, market, stream, symbol?, data }; see packages/core/src/paper/replay.ts',
  },
});

const spot = model('SPOT');
const fut = model('FUT');
let mid = 65_000;
let basis = 14;
let fundingRate = 0.0001;

const midTicks = (m: MarketModel, price: number): number => price * 10 ** m.tickDp;

function snapshot(m: MarketModel, ts: number): void {
  push({
    ts,
    market: m.market,
    stream: 'depth.snapshot',
    symbol: 'BTCUSDT',
    data: {
      lastUpdateId: m.updateId,
      ...(m.market === 'FUT' ? { E: ts - 3, T: ts - 4 } : {}),
      bids: sorted(m.bids, -1).map(([p, q]) => [m.fmt(p), m.fmtQty(q)]),
      asks: sorted(m.asks, 1).map(([p, q]) => [m.fmt(p), m.fmtQty(q)]),
    },
  });
  m.lastBids = new Map(m.bids);
  m.lastAsks = new Map(m.asks);
  m.lastEmittedU = m.updateId;
}

function depthDiff(m: MarketModel, ts: number): void {
  const diff = (now: Map<number, number>, before: Map<number, number>, dir: 1 | -1): Array<[string, string]> => {
    const out: Array<[number, string]> = [];
    for (const [p, q] of now) if (before.get(p) !== q) out.push([p, m.fmtQty(q)]);
    for (const p of before.keys()) if (!now.has(p)) out.push([p, m.fmtQty(0)]);
    return out.sort((a, b) => dir * (a[0] - b[0])).map(([p, q]) => [m.fmt(p), q]);
  };
  const b = diff(m.bids, m.lastBids, -1);
  const a = diff(m.asks, m.lastAsks, 1);
  if (b.length === 0 && a.length === 0) return;
  const E = ts - int(2, 15);
  const data: Record<string, unknown> = { e: 'depthUpdate', E, ...(m.market === 'FUT' ? { T: E - 1 } : {}), s: 'BTCUSDT', U: m.lastEmittedU + 1, u: m.updateId };
  if (m.market === 'FUT') data.pu = m.lastEmittedU;
  data.b = b;
  data.a = a;
  push({ ts, market: m.market, stream: 'btcusdt@depth', data });
  m.lastBids = new Map(m.bids);
  m.lastAsks = new Map(m.asks);
  m.lastEmittedU = m.updateId;
}

function bookTicker(m: MarketModel, ts: number): void {
  const [bid, bq] = sorted(m.bids, -1)[0]!;
  const [ask, aq] = sorted(m.asks, 1)[0]!;
  const top = `${bid}:${bq}:${ask}:${aq}`;
  if (top === m.lastTop) return;
  m.lastTop = top;
  const E = ts - int(2, 15);
  const core = { u: m.updateId, s: 'BTCUSDT', b: m.fmt(bid), B: m.fmtQty(bq), a: m.fmt(ask), A: m.fmtQty(aq) };
  push({ ts, market: m.market, stream: 'btcusdt@bookTicker', data: m.market === 'FUT' ? { e: 'bookTicker', ...core, T: E - 1, E } : core });
}

function trade(m: MarketModel, ts: number, drift: number): void {
  if (rnd() > 0.4) return;
  // Aggressors lean with the move: buyers lift the offer when the mid rose.
  const buy = rnd() < 0.5 + Math.max(-0.3, Math.min(0.3, drift * 20));
  const [price] = buy ? sorted(m.asks, 1)[0]! : sorted(m.bids, -1)[0]!;
  const qty = roundQty(m, size(m.sizeScale / 4));
  const E = ts - int(2, 15);
  m.tradeId += 1;
  const first = m.tradeId * 3;
  push({
    ts,
    market: m.market,
    stream: 'btcusdt@aggTrade',
    data: { e: 'aggTrade', E, s: 'BTCUSDT', a: m.tradeId, p: m.fmt(price), q: m.fmtQty(qty), f: first, l: first + int(0, 3), T: E - 1, m: !buy },
  });
}

function markPrice(ts: number): void {
  const futMid = mid + basis;
  const mark = futMid + normal() * 0.6;
  const index = mid + normal() * 0.3;
  const next = ts < FUNDING_1 ? FUNDING_1 : FUNDING_2;
  const E = ts - int(2, 15);
  push({
    ts,
    market: 'FUT',
    stream: 'btcusdt@markPrice@1s',
    data: {
      e: 'markPriceUpdate',
      E,
      s: 'BTCUSDT',
      p: mark.toFixed(8),
      i: index.toFixed(8),
      P: (mark - 0.2).toFixed(8),
      r: fundingRate.toFixed(8),
      T: next,
    },
  });
}

// Initial books and their REST snapshots.
evolve(spot, midTicks(spot, mid));
evolve(fut, midTicks(fut, mid + basis));
for (let i = 0; i < 10; i++) {
  evolve(spot, midTicks(spot, mid));
  evolve(fut, midTicks(fut, mid + basis));
}
snapshot(spot, START);
snapshot(fut, START);
bookTicker(spot, START);
bookTicker(fut, START);
markPrice(START);

for (let t = START + STEP_MS; t <= START + DURATION_MS; t += STEP_MS) {
  const before = mid;
  mid *= Math.exp(normal() * 0.0002 * Math.sqrt(STEP_MS / 1000));
  basis += normal() * 0.4 - (basis - 14) * 0.02;
  fundingRate = Math.min(0.0003, Math.max(-0.0001, fundingRate + normal() * 0.000001));
  const drift = (mid - before) / before;
  const tSpot = t + int(0, 20);
  const tFut = t + int(0, 20);
  evolve(spot, midTicks(spot, mid));
  evolve(fut, midTicks(fut, mid + basis));
  bookTicker(spot, tSpot);
  bookTicker(fut, tFut);
  trade(spot, tSpot + 1, drift);
  trade(fut, tFut + 1, drift);
  if ((t - START) % 1000 === 0) {
    depthDiff(spot, tSpot + 2);
    depthDiff(fut, tFut + 2);
    markPrice(tFut + 3);
  }
}

// Frames are written in time order, as a recorder would have received them.
const header = lines.shift()!;
const body = lines.map((l, i) => [JSON.parse(l).ts as number, i, l] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
writeFileSync(OUT, [header, ...body.map(([, , l]) => l)].join('\n') + '\n');
console.log(`wrote ${body.length} frames to ${OUT}`);
