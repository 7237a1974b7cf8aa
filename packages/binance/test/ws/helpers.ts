/**
 * Shared pieces of the WebSocket end-to-end tests: a paper engine with two-sided books, a seeded
 * book driver, bounded waits, and the snapshot fetch the book sync uses (the REST face's depth,
 * read straight from the WS face here).
 */
import { mulberry32, PaperEngine, type Clock, type Market, type SyncSnapshot } from '@chimera/core';
import type { LocalBinanceWs } from '../../src/testing/ws/index.js';

/** Price grid of the test books: Spot BTCUSDT ticks 0.01, UM ticks 0.1. */
export const TICK: Record<Market, number> = { SPOT: 0.01, FUT: 0.1 };
export const MID: Record<Market, number> = { SPOT: 65000, FUT: 65010 };

/** Formats a price `ticks` away from the market's mid (negative: below). */
export function priceAt(market: Market, ticks: number): string {
  const decimals = market === 'SPOT' ? 2 : 1;
  return (MID[market] + ticks * TICK[market]).toFixed(decimals);
}

/** A paper engine with 20 levels a side on Spot and UM BTCUSDT. */
export function makeEngine(clock: Clock): PaperEngine {
  const engine = new PaperEngine({ clock, balances: { SPOT: { USDT: '1000000', BTC: '10' }, FUT: { USDT: '1000000' } } });
  for (const market of ['SPOT', 'FUT'] as const) {
    const bids: [string, string][] = [];
    const asks: [string, string][] = [];
    for (let i = 1; i <= 20; i++) {
      bids.push([priceAt(market, -i), (0.1 * i).toFixed(3)]);
      asks.push([priceAt(market, i), (0.2 * i).toFixed(3)]);
    }
    engine.applyBookSnapshot(market, 'BTCUSDT', { bids, asks });
  }
  return engine;
}

/**
 * Random absolute level changes away from the touch band (bids below the mid, asks above, a
 * quarter of them removals), so books never cross and the engine never matches.
 */
export class BookDriver {
  private readonly random: () => number;
  constructor(
    private readonly engine: PaperEngine,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  /** One diff of 1–4 level changes on one market. */
  step(market: Market, symbol = 'BTCUSDT'): void {
    const r = this.random;
    const bids: [string, string][] = [];
    const asks: [string, string][] = [];
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      const distance = 1 + Math.floor(r() * 30);
      const qty = r() < 0.25 ? '0' : (0.001 + Math.floor(r() * 5000) / 1000).toFixed(3);
      if (r() < 0.5) bids.push([priceAt(market, -distance), qty]);
      else asks.push([priceAt(market, distance), qty]);
    }
    this.engine.applyBookDiff(market, symbol, { bids, asks });
  }
}

/** Waits (real time) until `cond` holds, polling every `everyMs`; throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 3_000, what = 'condition', everyMs = 2): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The book-sync snapshot fetch, served by the WS face with a little latency (as REST has). */
export function snapshotFetcher(ws: LocalBinanceWs, random: () => number): (market: Market, symbol: string) => Promise<SyncSnapshot> {
  return async (market, symbol) => {
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 3)));
    const s = ws.depthSnapshot(market, symbol, 5000);
    return { sequence: s.lastUpdateId, bids: s.bids, asks: s.asks };
  };
}

/** `[price, qty]` pairs of a core book side, best first. */
export function levelsOf(book: { levels(side: 'bid' | 'ask'): { price: string; qty: string }[] }, side: 'bid' | 'ask'): [string, string][] {
  return book.levels(side).map((l) => [l.price, l.qty]);
}
