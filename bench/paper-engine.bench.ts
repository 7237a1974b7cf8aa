/**
 * Paper venue engine throughput, each figure beside a baseline measured in the same run:
 *
 * 1. orders/s through place → match → fill events: alternating MARKET buys and sells of 0.15 BTC
 *    against a 50-level book (each order fills on one or two levels, emitting NEW, fill(s),
 *    partial/final order updates and balance updates to listeners; the book is refilled every
 *    200 orders). Baseline: the least any engine must do per order — build an order record, insert
 *    it in a Map, two big.js multiplications (notional, fee) and three emits.
 * 2. book updates/s: the replay fixture's depth diffs, from the JSONL line to the engine's book
 *    (JSON.parse + `applyBookDiff`, which also checks resting orders and stops). Baseline: raw
 *    `JSON.parse` of the same lines.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Big from 'big.js';
import { EventEmitter } from 'eventemitter3';
import { FakeClock } from '../packages/core/src/clock/clock.js';
import { PaperEngine } from '../packages/core/src/paper/engine.js';
import { opsPerSecond, printRatio } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, '..', 'packages', 'core', 'fixtures', 'btcusdt-3min.jsonl');

function deepBook(): { bids: Array<[string, string]>; asks: Array<[string, string]> } {
  return {
    bids: Array.from({ length: 50 }, (_, i) => [(64_999 - i).toFixed(2), '1'] as [string, string]),
    asks: Array.from({ length: 50 }, (_, i) => [(65_001 + i).toFixed(2), '1'] as [string, string]),
  };
}

async function ordersPerSecond(): Promise<{ ours: number; baseline: number; events: number }> {
  const clock = new FakeClock(1_758_355_080_000);
  const engine = new PaperEngine({ clock, balances: { SPOT: { USDT: '1000000000000', BTC: '1000000000' } }, maxHistory: 10_000 });
  let events = 0;
  engine.events.on('order', () => events++);
  engine.events.on('fill', () => events++);
  engine.events.on('balance', () => events++);
  const book = deepBook();
  engine.applyBookSnapshot('SPOT', 'BTCUSDT', book);
  let n = 0;
  const ours = await opsPerSecond(() => {
    n++;
    if (n % 200 === 0) engine.applyBookSnapshot('SPOT', 'BTCUSDT', book);
    engine.placeOrder({ market: 'SPOT', symbol: 'BTCUSDT', side: n % 2 === 0 ? 'BUY' : 'SELL', type: 'MARKET', qty: '0.15', clientOrderId: `b${n}` });
  });
  const perOrder = events / n;

  const emitter = new EventEmitter<{ order: (o: unknown) => void; fill: (f: unknown) => void }>();
  let sink = 0;
  emitter.on('order', () => sink++);
  emitter.on('fill', () => sink++);
  const map = new Map<string, unknown>();
  const rate = new Big('0.001');
  let m = 0;
  const baseline = await opsPerSecond(() => {
    m++;
    const qty = new Big('0.15');
    const notional = qty.times('65001');
    const fee = notional.times(rate);
    const order = { id: String(m), qty: qty.toFixed(), notional: notional.toFixed(), fee: fee.toFixed(), status: 'FILLED' };
    if (map.size > 10_000) map.clear();
    map.set(order.id, order);
    emitter.emit('order', order);
    emitter.emit('fill', order);
    emitter.emit('order', order);
  });
  if (sink < 0) console.log(sink);
  return { ours, baseline, events: perOrder };
}

async function bookUpdatesPerSecond(): Promise<{ ours: number; baseline: number; frames: number }> {
  const lines = readFileSync(FIXTURE, 'utf8').split('\n');
  const diffs = lines.filter((l) => l.includes('"e":"depthUpdate"') && l.includes('"market":"SPOT"'));
  const snapshot = lines.find((l) => l.includes('depth.snapshot') && l.includes('"market":"SPOT"'))!;
  const engine = new PaperEngine({ clock: new FakeClock(1_758_355_080_000) });
  const snap = JSON.parse(snapshot) as { data: { bids: Array<[string, string]>; asks: Array<[string, string]> } };
  engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: snap.data.bids, asks: snap.data.asks });
  // A few resting orders far from the market, so every update also runs the crossing check.
  for (let i = 0; i < 5; i++) {
    engine.placeOrder({ market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: String(50_000 + i), qty: '0.001', clientOrderId: `rest${i}` });
  }
  let i = 0;
  const ours = await opsPerSecond(() => {
    const frame = JSON.parse(diffs[i++ % diffs.length]!) as { data: { u: number; b: Array<[string, string]>; a: Array<[string, string]> } };
    engine.applyBookDiff('SPOT', 'BTCUSDT', { bids: frame.data.b, asks: frame.data.a, sequence: frame.data.u });
  });
  let j = 0;
  let sink = 0;
  const baseline = await opsPerSecond(() => {
    const frame = JSON.parse(diffs[j++ % diffs.length]!) as { data: { u: number } };
    sink += frame.data.u & 1;
  });
  if (sink < 0) console.log(sink);
  return { ours, baseline, frames: diffs.length };
}

export default async function paperEngineBench(): Promise<void> {
  const orders = await ordersPerSecond();
  printRatio(
    `paper engine orders (MARKET place→match→fill, ${orders.events.toFixed(1)} events/order)`,
    orders.ours,
    orders.baseline,
    'orders/s',
    'bare Map insert + 2 big.js mul + 3 emits',
  );
  const books = await bookUpdatesPerSecond();
  printRatio(`paper engine book updates (JSONL depth diff → book, ${books.frames} frames)`, books.ours, books.baseline, 'updates/s', 'raw JSON.parse of the same frames');
}
