/**
 * Builders shared by the paper venue's tests (not part of the package surface).
 */
import { fileURLToPath } from 'node:url';
import type { Fill, Position, Balance } from '../domain/account.js';
import type { Order } from '../domain/order.js';
import { FakeClock } from '../clock/clock.js';
import { PaperEngine } from './engine.js';
import type { PaperEngineOptions } from './types.js';

/** Path of the committed replay fixture. */
export const FIXTURE_PATH = fileURLToPath(new URL('../../fixtures/btcusdt-3min.jsonl', import.meta.url));

/** 2025-09-20T07:58:00Z, the fixture's first frame. */
export const REPLAY_START = 1_758_355_080_000;

/** A level ladder `[price, qty]` from `start` stepping by `step` (negative for bids). */
export function ladder(start: number, step: number, n: number, qty = '1', dp = 2): Array<[string, string]> {
  return Array.from({ length: n }, (_, i) => [(start + i * step).toFixed(dp), qty] as [string, string]);
}

/** A recorder of every account event of an engine, in order. */
export interface EventLog {
  orders: Order[];
  fills: Fill[];
  positions: Position[];
  balances: Balance[];
  /** Kinds and client ids in arrival order, e.g. `order:a:NEW`, `fill:a`. */
  seq: string[];
}

/** Subscribes a recorder to an engine's account events. */
export function record(engine: PaperEngine): EventLog {
  const log: EventLog = { orders: [], fills: [], positions: [], balances: [], seq: [] };
  engine.events.on('order', (o) => {
    log.orders.push(o);
    log.seq.push(`order:${o.clientOrderId}:${o.status}`);
  });
  engine.events.on('fill', (f) => {
    log.fills.push(f);
    log.seq.push(`fill:${f.clientOrderId}`);
  });
  engine.events.on('position', (p) => log.positions.push(p));
  engine.events.on('balance', (b) => log.balances.push(b));
  return log;
}

/**
 * An engine at FIXTURE time with 1 000 000 USDT and 10 BTC spot, 100 000 USDT futures, and books:
 * SPOT bids 64 999.00, 64 998.00 … / asks 65 001.00 …; FUT bids 64 999.0 … / asks 65 001.0 …
 * (1 BTC a level, 10 levels a side).
 */
export function engineWithBooks(options: Partial<PaperEngineOptions> = {}): { engine: PaperEngine; clock: FakeClock; log: EventLog } {
  const clock = (options.clock as FakeClock | undefined) ?? new FakeClock(REPLAY_START);
  const engine = new PaperEngine({
    clock,
    balances: { SPOT: { USDT: '1000000', BTC: '10' }, FUT: { USDT: '100000' } },
    ...options,
  });
  const log = record(engine);
  engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(64999, -1, 10), asks: ladder(65001, 1, 10) });
  engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: ladder(64999, -1, 10, '1', 1), asks: ladder(65001, 1, 10, '1', 1) });
  return { engine, clock, log };
}
