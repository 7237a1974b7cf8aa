/** Shared setup of the execution tests: a paper venue with two-sided books on a fake clock. */
import { FakeClock } from '../clock/clock.js';
import { PaperConnector } from '../paper/paper-connector.js';
import type { VenueCapabilities } from '../connector.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { MemoryStore } from '../sinks/memory-store.js';
import { Executor, type ExecutorOptions } from './executor.js';

export const T0 = 1_758_355_080_000;

/** `[price, qty]` levels from `start`, stepping by `step`. */
export function ladder(start: number, step: number, n: number, qty = '1', dp = 2): Array<[string, string]> {
  return Array.from({ length: n }, (_, i) => [(start + i * step).toFixed(dp), qty] as [string, string]);
}

/** Books: SPOT and FUT BTCUSDT, bids from `bid` down, asks from `ask` up, 1 BTC a level. */
export function setBooks(connector: PaperConnector, bid = 64999, ask = 65001, qty = '1'): void {
  connector.engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(bid, -1, 10, qty), asks: ladder(ask, 1, 10, qty) });
  connector.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: ladder(bid, -1, 10, qty, 1), asks: ladder(ask, 1, 10, qty, 1) });
}

export interface Kit {
  clock: FakeClock;
  connector: PaperConnector;
  store: MemoryStore;
  sink: MemoryEventSink;
  executor: Executor;
}

/** A connected paper venue and an executor over it. */
export async function kit(options: { capabilities?: Partial<VenueCapabilities>; store?: MemoryStore; connector?: PaperConnector; clock?: FakeClock; executor?: Partial<ExecutorOptions> } = {}): Promise<Kit> {
  const clock = options.clock ?? new FakeClock(T0);
  const connector =
    options.connector ??
    new PaperConnector({ clock, balances: { SPOT: { USDT: '1000000' }, FUT: { USDT: '100000' } }, ...(options.capabilities ? { capabilities: options.capabilities } : {}) });
  if (!options.connector) {
    setBooks(connector);
    await connector.connect();
  }
  const store = options.store ?? new MemoryStore();
  const sink = new MemoryEventSink();
  const executor = new Executor({ connector, store, sink, clock, ...options.executor });
  return { clock, connector, store, sink, executor };
}

/** Advances the fake clock in steps until `p` settles (bounded: fails after `maxMs`). */
export async function drive<T>(clock: FakeClock, p: Promise<T>, stepMs = 100, maxMs = 120_000): Promise<T> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let t = 0; t < maxMs && !settled; t += stepMs) await clock.tickAsync(stepMs);
  if (!settled) throw new Error(`did not settle within ${maxMs} ms of fake time`);
  return p;
}
