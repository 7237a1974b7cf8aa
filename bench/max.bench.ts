/**
 * MAX book stream: `book` update frames per second through what the connector does with each one
 * (JSON decode, `parseMaxWsMessage` with its zod shape checks, `BookSync` with `maxBookRules`),
 * against a baseline measured in the same run that only decodes the frame and applies its levels
 * to an `OrderBook` (no validation, no continuity check). The ratio is the cost of checking every
 * frame before trusting it.
 */
import { BookSync, OrderBook, SystemClock } from '../packages/core/src/index.js';
import { maxBookRules, parseMaxWsMessage, toSyncSnapshot, type MaxBookEvent, type MaxSyncSnapshot } from '../packages/max/src/index.js';
import { fmt, printRatio } from './harness.js';

const FRAMES = 100_000;
const LEVELS = 50;

/** Deterministic PRNG (mulberry32). */
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

const px = (ticks: number): string => (ticks / 10).toFixed(1);

/** A snapshot and `FRAMES` continuing updates (1–4 level changes each), as MAX's `book` channel sends them. */
function makeFrames(): { snapshot: string; updates: string[] } {
  const r = rng(11);
  const mid = 19_500_000;
  const level = (side: 'b' | 'a', i: number): [string, string] => [px(side === 'b' ? mid - 1 - i : mid + i), (r() * 2).toFixed(8)];
  const snapshot = JSON.stringify({
    c: 'book',
    e: 'snapshot',
    M: 'btctwd',
    a: Array.from({ length: LEVELS }, (_, i) => level('a', i)),
    b: Array.from({ length: LEVELS }, (_, i) => level('b', i)),
    T: 1_760_000_000_000,
    fi: 1000,
    li: 1000,
    v: 7,
  });
  let li = 1000;
  const updates: string[] = [];
  for (let n = 0; n < FRAMES; n++) {
    const k = 1 + Math.floor(r() * 4);
    const a: Array<[string, string]> = [];
    const b: Array<[string, string]> = [];
    for (let j = 0; j < k; j++) {
      const side = r() < 0.5 ? 'a' : 'b';
      const l = level(side, Math.floor(r() * LEVELS));
      if (r() < 0.2) l[1] = '0';
      (side === 'a' ? a : b).push(l);
    }
    updates.push(JSON.stringify({ c: 'book', e: 'update', M: 'btctwd', a, b, T: 1_760_000_000_000 + n, fi: li + 1, li: li + k, v: 7 }));
    li += k;
  }
  return { snapshot, updates };
}

/** Runs the MAX book benchmark and prints frames/s against the unchecked baseline. */
export default async function run(): Promise<void> {
  const { snapshot, updates } = makeFrames();

  const baseline = (): number => {
    const book = new OrderBook();
    const s = JSON.parse(snapshot) as { a: Array<[string, string]>; b: Array<[string, string]> };
    book.applySnapshot({ bids: s.b, asks: s.a });
    const t0 = process.hrtime.bigint();
    for (const text of updates) {
      const m = JSON.parse(text) as { a: Array<[string, string]>; b: Array<[string, string]> };
      book.applyDiff({ bids: m.b, asks: m.a });
    }
    return FRAMES / (Number(process.hrtime.bigint() - t0) / 1e9);
  };

  const checked = (): number => {
    const sync = new BookSync({ rules: maxBookRules, clock: new SystemClock(), fetchSnapshot: () => new Promise<MaxSyncSnapshot>(() => undefined) });
    const first = parseMaxWsMessage(JSON.parse(snapshot), { receiveTime: 0 }) as MaxBookEvent;
    sync.pushSnapshot(toSyncSnapshot(first));
    const t0 = process.hrtime.bigint();
    for (const text of updates) sync.push(parseMaxWsMessage(JSON.parse(text), { receiveTime: 0 }) as MaxBookEvent);
    const rate = FRAMES / (Number(process.hrtime.bigint() - t0) / 1e9);
    if (!sync.synced || sync.stats.applied !== FRAMES) throw new Error(`book fell out of sync (${sync.stats.applied} applied)`);
    sync.stop();
    return rate;
  };

  // Warm both paths up once, then measure.
  baseline();
  checked();
  const base = baseline();
  const ours = checked();
  printRatio('max book frames (parse + zod + fi/li/v sync)', ours, base, 'frames/s', 'JSON.parse + OrderBook.applyDiff');
  console.log(`  ${fmt(FRAMES)} frames of 1–4 level changes on a ${LEVELS}-level book`);
}
