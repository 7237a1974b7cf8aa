/**
 * Order book: depth-diff level updates per second into `OrderBook` against ccxt's `OrderBook`
 * fed the same frames (ccxt is a devDependency of this bench only), and bytes per book level.
 * Goals (issue 5): ≥ 8× ccxt for book updates, ≤ 50 B per level.
 *
 * Without ccxt installed the ccxt figures are skipped and a naive book (a Map of price strings,
 * sorted on every read) measured in the same run stands in as the baseline.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OrderBook } from '../packages/core/src/market/index.js';
import { fmt, printRatio } from './harness.js';

type Level = [string, string];
interface Frame {
  bids: Level[];
  asks: Level[];
}

/** Deterministic PRNG (mulberry32), so every run and every book sees the same frames. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TICK = 0.1;
const MID = 65000;
const SNAPSHOT_LEVELS = 1000;
const UPDATES = 200_000;

/** Binance-style strings: 8 decimals, zero-padded. */
const px = (ticks: number): string => (ticks * TICK).toFixed(8);

function makeSnapshot(): Frame {
  const midTicks = Math.round(MID / TICK);
  const r = rng(7);
  const bids: Level[] = [];
  const asks: Level[] = [];
  for (let i = 0; i < SNAPSHOT_LEVELS; i++) {
    bids.push([px(midTicks - 1 - i), (1 + Math.floor(r() * 5000) / 1000).toFixed(8)]);
    asks.push([px(midTicks + i), (1 + Math.floor(r() * 5000) / 1000).toFixed(8)]);
  }
  return { bids, asks };
}

/**
 * Depth diffs as a venue sends them: 1–20 levels a frame, distances from the touch roughly
 * exponential (mean 30 ticks: most activity near the top), a quarter of them deletions, and a
 * mid that random-walks.
 */
function makeFrames(total: number): Frame[] {
  const r = rng(42);
  let midTicks = Math.round(MID / TICK);
  const frames: Frame[] = [];
  let n = 0;
  while (n < total) {
    if (r() < 0.1) midTicks += r() < 0.5 ? -1 : 1;
    const size = Math.min(total - n, 1 + Math.floor(r() * 20));
    const frame: Frame = { bids: [], asks: [] };
    for (let i = 0; i < size; i++) {
      const distance = Math.min(3000, Math.floor(-Math.log(1 - r()) * 30));
      const qty = r() < 0.25 ? '0.00000000' : (Math.floor(r() * 5_000_000) / 1_000_000).toFixed(8);
      if (r() < 0.5) frame.bids.push([px(midTicks - 1 - distance), qty]);
      else frame.asks.push([px(midTicks + distance), qty]);
    }
    frames.push(frame);
    n += size;
  }
  return frames;
}

/** The smallest surface of ccxt's order book the bench drives (what its ws handlers call). */
interface CcxtSide {
  store(price: number, size: number): void;
  [index: number]: [number, number] | undefined;
}
interface CcxtBook {
  bids: CcxtSide;
  asks: CcxtSide;
}
type CcxtBookFactory = () => CcxtBook;

type CcxtExchange = new () => { orderBook(snapshot: object, depth?: number): CcxtBook };

async function loadCcxt(): Promise<CcxtBookFactory | undefined> {
  // A variable specifier keeps TypeScript and bundlers from requiring ccxt to be installed.
  const name = 'ccxt';
  let mod: { default?: unknown } & Record<string, unknown>;
  try {
    mod = (await import(name)) as typeof mod;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND') console.log(`ccxt failed to load: ${(err as Error).message}`);
    return undefined;
  }
  const ccxt = (mod.default ?? mod) as { pro?: Record<string, CcxtExchange | undefined>; Exchange?: CcxtExchange };
  // The same OrderBook class ccxt's binance ws handlers use (Exchange.orderBook → WsOrderBook).
  const Exchange = ccxt.pro?.binance ?? ccxt.Exchange;
  if (Exchange === undefined) {
    console.log('ccxt loaded but exposes neither pro.binance nor Exchange');
    return undefined;
  }
  const exchange = new Exchange();
  return () => exchange.orderBook({});
}

/** The naive baseline: a Map per side keyed by the price string, sorted on every read. */
class NaiveBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  apply(side: Map<string, string>, price: string, qty: string): void {
    if (Number(qty) === 0) side.delete(price);
    else side.set(price, qty);
  }
  best(side: Map<string, string>, desc: boolean): string | undefined {
    const keys = [...side.keys()].sort((a, b) => (desc ? Number(b) - Number(a) : Number(a) - Number(b)));
    return keys[0];
  }
}

function timeIt(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

let sink = 0;

function runOurs(snapshot: Frame, frames: Frame[]): number {
  const book = new OrderBook();
  book.applySnapshot(snapshot);
  return timeIt(() => {
    for (let f = 0; f < frames.length; f++) {
      book.applyDiff(frames[f]!);
      // Every frame is followed by a top-of-book read, as a tick normaliser does.
      sink += book.bestBidPrice() - book.bestAskPrice();
    }
  });
}

function runCcxt(make: CcxtBookFactory, snapshot: Frame, frames: Frame[]): number {
  const book = make();
  for (const [p, q] of snapshot.bids) book.bids.store(parseFloat(p), parseFloat(q));
  for (const [p, q] of snapshot.asks) book.asks.store(parseFloat(p), parseFloat(q));
  return timeIt(() => {
    for (let f = 0; f < frames.length; f++) {
      const frame = frames[f]!;
      // ccxt's binance handleDelta: safeFloat both fields, then bookside.store(price, amount).
      for (const [p, q] of frame.bids) book.bids.store(parseFloat(p), parseFloat(q));
      for (const [p, q] of frame.asks) book.asks.store(parseFloat(p), parseFloat(q));
      sink += book.bids[0]![0] - book.asks[0]![0];
    }
  });
}

function runNaive(snapshot: Frame, frames: Frame[]): number {
  const book = new NaiveBook();
  for (const [p, q] of snapshot.bids) book.apply(book.bids, p, q);
  for (const [p, q] of snapshot.asks) book.apply(book.asks, p, q);
  return timeIt(() => {
    for (let f = 0; f < frames.length; f++) {
      const frame = frames[f]!;
      for (const [p, q] of frame.bids) book.apply(book.bids, p, q);
      for (const [p, q] of frame.asks) book.apply(book.asks, p, q);
      sink += Number(book.best(book.bids, true)) - Number(book.best(book.asks, false));
    }
  });
}

function levelsIn(frames: Frame[]): number {
  let n = 0;
  for (const f of frames) n += f.bids.length + f.asks.length;
  return n;
}

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Collects garbage until the figures settle (off-heap buffers are released a turn later). */
async function settle(gc: () => void): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Heap + off-heap bytes retained per level by a book holding `levels` levels. */
async function bytesPerLevel(
  gc: () => void,
  levels: number,
  build: (price: (i: number) => string, qty: (i: number) => string) => unknown,
): Promise<number> {
  const mem = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  // Fresh strings per level, as a JSON parser would produce them.
  const price = (i: number): string => (((i % 2 === 0 ? 1 : -1) * (1 + (i >> 1)) + 650_000) * TICK).toFixed(8);
  const qty = (i: number): string => (1 + (i % 997) / 1000).toFixed(8);
  await settle(gc);
  const before = mem();
  const held = build(price, qty);
  await settle(gc);
  const after = mem();
  sink += held === undefined ? 0 : 1;
  return (after - before) / levels;
}

export default async function run(): Promise<void> {
  const snapshot = makeSnapshot();
  const frames = makeFrames(UPDATES);
  const updates = levelsIn(frames);
  const ccxt = await loadCcxt();
  console.log(`frames: ${fmt(frames.length)} depth diffs, ${fmt(updates)} level updates, snapshot ${SNAPSHOT_LEVELS}/side, tick ${TICK}`);

  // Warm up both paths, then interleave repetitions so drift hits both alike.
  const ours: number[] = [];
  const theirs: number[] = [];
  runOurs(snapshot, frames);
  if (ccxt) runCcxt(ccxt, snapshot, frames);
  for (let i = 0; i < 5; i++) {
    ours.push(updates / runOurs(snapshot, frames));
    if (ccxt) theirs.push(updates / runCcxt(ccxt, snapshot, frames));
  }
  const oursRate = median(ours);

  if (ccxt) {
    const ccxtRate = median(theirs);
    printRatio('book level updates', oursRate, ccxtRate, 'updates/s', 'ccxt OrderBook');
    console.log(`goal >= 8x ccxt: ${oursRate / ccxtRate >= 8 ? 'met' : 'NOT met'} (${(oursRate / ccxtRate).toFixed(2)}x)`);
  } else {
    console.log('ccxt not installed: baseline skipped');
    // Sorting on every read is slow: the naive book gets the first tenth of the frames.
    const subset = frames.slice(0, Math.ceil(frames.length / 10));
    const naiveRate = levelsIn(subset) / runNaive(snapshot, subset);
    printRatio('book level updates', oursRate, naiveRate, 'updates/s', 'naive Map + sort-on-read');
  }

  const gc = gcFunction();
  const LEVELS = 100_000;
  let ourBook: OrderBook | undefined;
  const ourBytes = await bytesPerLevel(gc, LEVELS, (price, qty) => {
    const book = new OrderBook();
    for (let i = 0; i < LEVELS; i++) book.apply(i % 2 === 0 ? 'ask' : 'bid', price(i), qty(i));
    ourBook = book;
    return book;
  });
  console.log(
    `order book storage: ${fmt(ourBook!.levelCount)} levels in ${fmt(ourBook!.byteLength())} B of typed arrays (${(ourBook!.byteLength() / ourBook!.levelCount).toFixed(1)} B/level incl. growth slack)`,
  );
  let baselineBytes: number;
  let baselineName: string;
  if (ccxt) {
    baselineName = 'ccxt OrderBook';
    baselineBytes = await bytesPerLevel(gc, LEVELS, (price, qty) => {
      const book = ccxt();
      for (let i = 0; i < LEVELS; i++) (i % 2 === 0 ? book.asks : book.bids).store(parseFloat(price(i)), parseFloat(qty(i)));
      return book;
    });
  } else {
    baselineName = 'naive Map book';
    baselineBytes = await bytesPerLevel(gc, LEVELS, (price, qty) => {
      const book = new NaiveBook();
      for (let i = 0; i < LEVELS; i++) book.apply(i % 2 === 0 ? book.asks : book.bids, price(i), qty(i));
      return book;
    });
  }
  printRatio('bytes per level', ourBytes, baselineBytes, 'B', baselineName);
  console.log(`goal <= 50 B per level: ${ourBytes <= 50 ? 'met' : 'NOT met'} (${ourBytes.toFixed(1)} B over ${fmt(LEVELS)} levels)`);
  if (sink === 42) console.log('');
}
