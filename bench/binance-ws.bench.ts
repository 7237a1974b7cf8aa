/**
 * Binance WebSocket hot paths on recorded frames (packages/core/fixtures/btcusdt-3min.jsonl, as
 * combined-stream text), in one run:
 *
 * 1. ticks: combined `bookTicker` frames → `MarketTick`s per second (frame scanner +
 *    `BookTickerTicks`) against a bare `JSON.parse` of the same frames. Goal: ≥ 1×.
 * 2. book: diff-depth frames → level updates per second into our book (scanner +
 *    `BinanceDepthBook`, a top-of-book read per frame) against ccxt's `OrderBook` fed the same
 *    frames the way its binance handler does (`JSON.parse`, `parseFloat` both fields,
 *    `bookside.store`). Goal: ≥ 8×. ccxt is a devDependency of this bench only; without it the
 *    baseline is a bare `JSON.parse` of the frames.
 * 3. bytes per book level, heap + off-heap. Goal: ≤ 50 B.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FakeClock, type Market } from '../packages/core/src/index.js';
import { BinanceDepthBook, BookTickerTicks, decodeFrame, DepthUpdateFrame, NUMERIC_BOOK_PATH, type BookTickerFrame } from '../packages/binance/src/ws/index.js';
import { fmt, printRatio } from './harness.js';

interface Recorded {
  market: Market;
  stream: string;
  data: Record<string, unknown> & { lastUpdateId?: number; bids?: [string, string][]; asks?: [string, string][] };
}

const FIXTURE = new URL('../packages/core/fixtures/btcusdt-3min.jsonl', import.meta.url);

function load(): Recorded[] {
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"ts"'))
    .map((l) => JSON.parse(l) as Recorded);
}

/** A recorded payload as Binance sends it on a combined stream. */
function combined(r: Recorded): string {
  return JSON.stringify({ stream: r.stream, data: r.data });
}

let sink = 0;

function timeIt(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs each case `reps` times interleaved (so machine drift hits all alike); returns median rates. */
function race(cases: Record<string, () => number>, reps = 7): Record<string, number> {
  const rates: Record<string, number[]> = {};
  for (const fn of Object.values(cases)) fn(); // warm-up
  for (let r = 0; r < reps; r++) {
    for (const [name, fn] of Object.entries(cases)) (rates[name] ??= []).push(fn());
  }
  return Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)]));
}

// ------------------------------------------------------------------ 1. ticks

function tickCases(frames: string[], markets: Market[], passes: number): Record<string, () => number> {
  const clock = new FakeClock();
  const ticks = { SPOT: new BookTickerTicks({ market: 'SPOT', clock }), FUT: new BookTickerTicks({ market: 'FUT', clock }) };
  const n = frames.length * passes;
  return {
    ours: () => {
      let accepted = 0;
      const seconds = timeIt(() => {
        for (let p = 0; p < passes; p++) {
          // Each pass replays the recording from its start: forget the per-symbol order state.
          ticks.SPOT.forget();
          ticks.FUT.forget();
          for (let i = 0; i < frames.length; i++) {
            const frame = decodeFrame(frames[i]!) as BookTickerFrame;
            const tick = ticks[markets[i]!].fromFrame(frame, 1_758_355_080_000 + i);
            if (tick !== undefined) {
              accepted++;
              sink += tick.mid;
            }
          }
        }
      });
      if (accepted !== n) throw new Error(`expected every recorded tick to be accepted, got ${accepted}/${n}`);
      return n / seconds;
    },
    jsonParse: () =>
      n /
      timeIt(() => {
        for (let p = 0; p < passes; p++) {
          for (let i = 0; i < frames.length; i++) sink += (JSON.parse(frames[i]!) as { data: { u: number } }).data.u;
        }
      }),
  };
}

// ------------------------------------------------------------------ 2. book updates

interface CcxtSide {
  store(price: number, size: number): void;
  [index: number]: [number, number] | undefined;
}
interface CcxtBook {
  bids: CcxtSide;
  asks: CcxtSide;
}
interface CcxtBinance {
  orderBook(snapshot: object, depth?: number): CcxtBook;
  /** ccxt pro binance's per-message depth handler: safeFloat both fields, store, nonce and timestamps. */
  handleOrderBookMessage(client: unknown, message: unknown, orderbook: CcxtBook): CcxtBook;
}
type CcxtExchange = new () => CcxtBinance;

interface Ccxt {
  book(): CcxtBook;
  exchange: CcxtBinance;
}

async function loadCcxt(): Promise<Ccxt | undefined> {
  const name = 'ccxt';
  try {
    const mod = (await import(name)) as { default?: unknown } & Record<string, unknown>;
    const ccxt = (mod.default ?? mod) as { pro?: Record<string, CcxtExchange | undefined>; Exchange?: CcxtExchange };
    const Exchange = ccxt.pro?.binance ?? ccxt.Exchange;
    if (Exchange === undefined) return undefined;
    const exchange = new Exchange();
    return { book: () => exchange.orderBook({}), exchange };
  } catch {
    return undefined;
  }
}

function levelsIn(frames: string[]): number {
  let n = 0;
  for (const f of frames) {
    const d = (JSON.parse(f) as { data: { b: unknown[]; a: unknown[] } }).data;
    n += d.b.length + d.a.length;
  }
  return n;
}

function bookCases(
  frames: string[],
  markets: Market[],
  snapshots: Record<Market, { bids: [string, string][]; asks: [string, string][] }>,
  passes: number,
  ccxt: Ccxt | undefined,
): Record<string, () => number> {
  const updates = levelsIn(frames) * passes;
  const cases: Record<string, () => number> = {
    ours: () => {
      const books = { SPOT: new BinanceDepthBook(), FUT: new BinanceDepthBook() };
      books.SPOT.applySnapshot(snapshots.SPOT);
      books.FUT.applySnapshot(snapshots.FUT);
      return (
        updates /
        timeIt(() => {
          for (let p = 0; p < passes; p++) {
            for (let i = 0; i < frames.length; i++) {
              const book = books[markets[i]!];
              book.applyDiff(decodeFrame(frames[i]!) as DepthUpdateFrame);
              // Every frame is followed by a top-of-book read, as the tick normaliser does.
              sink += book.bestBidPrice() - book.bestAskPrice();
            }
          }
        })
      );
    },
  };
  if (ccxt) {
    const seeded = (): Record<Market, CcxtBook> => {
      const books = { SPOT: ccxt.book(), FUT: ccxt.book() };
      for (const m of ['SPOT', 'FUT'] as const) {
        for (const [p, q] of snapshots[m].bids) books[m].bids.store(parseFloat(p), parseFloat(q));
        for (const [p, q] of snapshots[m].asks) books[m].asks.store(parseFloat(p), parseFloat(q));
      }
      return books;
    };
    // ccxt as its binance client runs: JSON.parse, then the per-message depth handler.
    cases.ccxt = () => {
      const books = seeded();
      return (
        updates /
        timeIt(() => {
          for (let p = 0; p < passes; p++) {
            for (let i = 0; i < frames.length; i++) {
              const book = books[markets[i]!];
              ccxt.exchange.handleOrderBookMessage(undefined, (JSON.parse(frames[i]!) as { data: unknown }).data, book);
              sink += book.bids[0]![0] - book.asks[0]![0];
            }
          }
        })
      );
    };
    // The stricter baseline: only ccxt's book, fed parseFloat'ed levels (no handler bookkeeping).
    cases.ccxtBare = () => {
      const books = seeded();
      return (
        updates /
        timeIt(() => {
          for (let p = 0; p < passes; p++) {
            for (let i = 0; i < frames.length; i++) {
              const book = books[markets[i]!];
              const data = (JSON.parse(frames[i]!) as { data: { b: [string, string][]; a: [string, string][] } }).data;
              for (const [price, qty] of data.b) book.bids.store(parseFloat(price), parseFloat(qty));
              for (const [price, qty] of data.a) book.asks.store(parseFloat(price), parseFloat(qty));
              sink += book.bids[0]![0] - book.asks[0]![0];
            }
          }
        })
      );
    };
  } else {
    cases.jsonParse = () =>
      updates /
      timeIt(() => {
        for (let p = 0; p < passes; p++) for (const f of frames) sink += (JSON.parse(f) as { data: { u: number } }).data.u;
      });
  }
  return cases;
}

// ------------------------------------------------------------------ 3. bytes per level

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function settle(gc: () => void): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A depth frame of up to 100 levels from `start`, Binance Spot formatting, distinct prices around 65000. */
function syntheticFrame(start: number, levels: number): string {
  const b: [string, string][] = [];
  const a: [string, string][] = [];
  for (let i = start; i < Math.min(levels, start + 100); i++) {
    const level: [string, string] = [(65_000 + (i % 2 === 0 ? -1 : 1) * (1 + (i >> 1)) * 0.01).toFixed(8), (1 + (i % 997) / 1000).toFixed(8)];
    (i % 2 === 0 ? b : a).push(level);
  }
  return JSON.stringify({ stream: 'btcusdt@depth@100ms', data: { e: 'depthUpdate', E: 1, s: 'BTCUSDT', U: start + 1, u: start + 100, b, a } });
}

/**
 * Heap + off-heap bytes retained per level by a book holding `levels` levels, fed as depth
 * frames. Frames are made and dropped inside the measured span, so only what the book keeps
 * is counted.
 */
async function bytesPerLevel(levels: number): Promise<{ bytes: number; book: BinanceDepthBook }> {
  const gc = gcFunction();
  await settle(gc);
  const mem = (): number => process.memoryUsage().heapUsed + process.memoryUsage().external;
  const before = mem();
  const book = new BinanceDepthBook();
  for (let start = 0; start < levels; start += 100) book.applyDiff(decodeFrame(syntheticFrame(start, levels)) as DepthUpdateFrame);
  await settle(gc);
  const after = mem();
  return { bytes: (after - before) / levels, book };
}

export default async function run(): Promise<void> {
  const recorded = load();
  const tickRecs = recorded.filter((r) => r.stream.endsWith('@bookTicker'));
  const depthRecs = recorded.filter((r) => r.stream.endsWith('@depth'));
  const snapshots = Object.fromEntries(
    recorded.filter((r) => r.stream === 'depth.snapshot').map((r) => [r.market, { bids: r.data.bids ?? [], asks: r.data.asks ?? [] }]),
  ) as Record<Market, { bids: [string, string][]; asks: [string, string][] }>;
  const tickFrames = tickRecs.map(combined);
  const depthFrames = depthRecs.map(combined);
  const depthLevels = levelsIn(depthFrames);
  console.log(
    `recorded frames: ${fmt(tickFrames.length)} bookTicker, ${fmt(depthFrames.length)} depthUpdate (${fmt(depthLevels)} level updates), Spot + UM BTCUSDT`,
  );

  const tickRates = race(tickCases(tickFrames, tickRecs.map((r) => r.market), 40));
  printRatio('bookTicker frames -> MarketTick', tickRates.ours!, tickRates.jsonParse!, 'frames/s', 'bare JSON.parse');
  console.log(`goal >= 1x JSON.parse: ${tickRates.ours! >= tickRates.jsonParse! ? 'met' : 'NOT met'} (${(tickRates.ours! / tickRates.jsonParse!).toFixed(2)}x)`);

  const ccxt = await loadCcxt();
  const bookRates = race(bookCases(depthFrames, depthRecs.map((r) => r.market), snapshots, 60, ccxt));
  console.log(`numeric book path (core OrderBook.applyNumeric): ${NUMERIC_BOOK_PATH ? 'on' : 'off — levels go through OrderBook.apply(string, string)'}`);
  if (ccxt) {
    printRatio('depth frames -> book level updates', bookRates.ours!, bookRates.ccxt!, 'updates/s', 'ccxt OrderBook via its binance handler');
    printRatio('depth frames -> book level updates', bookRates.ours!, bookRates.ccxtBare!, 'updates/s', 'ccxt OrderBook, bare parseFloat + store');
    console.log(`goal >= 8x ccxt: ${bookRates.ours! / bookRates.ccxt! >= 8 ? 'met' : 'NOT met'} (${(bookRates.ours! / bookRates.ccxt!).toFixed(2)}x the handler, ${(bookRates.ours! / bookRates.ccxtBare!).toFixed(2)}x the bare book)`);
  } else {
    console.log('ccxt not installed: baseline is a bare JSON.parse of the frames');
    printRatio('depth frames -> book level updates', bookRates.ours!, bookRates.jsonParse!, 'updates/s', 'bare JSON.parse');
  }

  const LEVELS = 100_000;
  const { bytes, book } = await bytesPerLevel(LEVELS);
  console.log(`book storage: ${fmt(book.levelCount)} levels, ${(book.byteLength() / book.levelCount).toFixed(1)} B/level of typed arrays incl. growth slack`);
  console.log(`goal <= 50 B per level: ${bytes <= 50 ? 'met' : 'NOT met'} (${bytes.toFixed(1)} B per level, heap + off-heap, over ${fmt(LEVELS)} levels fed as depth frames)`);
  if (sink === 42) console.log('');
}
