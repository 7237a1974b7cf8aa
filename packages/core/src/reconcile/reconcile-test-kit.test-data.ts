/**
 * Shared setup of the reconciliation I/O tests (not part of the package surface): a paper venue
 * with two-sided books on a fake clock, a store, and helpers that leave the crash leftovers
 * reconciliation must settle (orders and positions the store does not know).
 */
import { FakeClock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import type { Side } from '../domain/enums.js';
import { parseIntent, type IntentInput } from '../domain/intent.js';
import type { Order } from '../domain/order.js';
import { setBooks } from '../execution/execution-test-kit.test-data.js';
import { IntentLifecycle } from '../execution/intent-lifecycle.js';
import { PaperConnector } from '../paper/paper-connector.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { MemoryStore } from '../sinks/memory-store.js';

/** Start of every scenario (the replay fixture's first frame). */
export const T0 = 1_758_355_080_000;
/** Past `diff`'s default settle window (5 s), so nothing is deferred as "in flight". */
export const SETTLED_MS = 10_000;

/** One paper venue, a store, a sink and the clock they share. */
export interface ReconcileKit {
  clock: FakeClock;
  /** The paper venue: place orders, feed books, inject faults. */
  connector: PaperConnector;
  /** The same venue as reconciliation should see it (see {@link positionTimesFromFills}). */
  venue: ExchangeConnector;
  store: MemoryStore;
  sink: MemoryEventSink;
  lifecycle: IntentLifecycle;
}

/** A connected paper venue (SPOT and FUT BTCUSDT books around 65 000) with a fresh store and sink. */
export async function reconcileKit(options: { venue?: string; clock?: FakeClock } = {}): Promise<ReconcileKit> {
  const clock = options.clock ?? new FakeClock(T0);
  const connector = new PaperConnector({
    clock,
    ...(options.venue !== undefined ? { venue: options.venue } : {}),
    balances: { SPOT: { USDT: '1000000', BTC: '1' }, FUT: { USDT: '100000' } },
  });
  setBooks(connector);
  await connector.connect();
  const store = new MemoryStore();
  return { clock, connector, venue: positionTimesFromFills(connector), store, sink: new MemoryEventSink(), lifecycle: new IntentLifecycle(store, clock) };
}

/**
 * The venue as reconciliation sees it. The paper engine stamps a position with the time it last
 * changed (as Binance's `updateTime` does), so no adjustment is needed any more; kept as the one
 * place to add one.
 */
export function positionTimesFromFills(connector: PaperConnector): ExchangeConnector {
  return connector;
}

/** A FUT position the store knows nothing of: a MARKET order placed straight on the venue. */
export async function orphanPosition(connector: ExchangeConnector, side: Side, qty: string, clientOrderId = `x-${side}-${qty}`): Promise<Order> {
  return connector.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side, type: 'MARKET', qty, clientOrderId, postOnly: false, reduceOnly: false });
}

/** A resting LIMIT order the store knows nothing of, far from the touch so it never fills. */
export async function orphanOrder(connector: ExchangeConnector, clientOrderId: string, market: 'SPOT' | 'FUT' = 'FUT', side: Side = 'BUY'): Promise<Order> {
  const price = side === 'BUY' ? '64000' : '66000';
  return connector.placeOrder({ market, symbol: 'BTCUSDT', side, type: 'LIMIT', timeInForce: 'GTC', price, qty: '0.002', clientOrderId, postOnly: false, reduceOnly: false });
}

/** Stores an intent in PENDING_ENTRY that claims `clientOrderIds` (what a crash after "id persisted" leaves). */
export async function pendingIntent(kit: ReconcileKit, input: Partial<IntentInput> & { intent_id: string }, clientOrderIds: readonly string[]): Promise<void> {
  const intent = parseIntent({ market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.002, exec_policy: 'Market', ...input });
  await kit.lifecycle.begin(intent);
  for (const id of clientOrderIds) await kit.lifecycle.recordOrderId(intent.intent_id, id);
}

/**
 * A connector whose methods can be replaced one by one (the rest go to `base`); `calls` counts
 * every method call by name.
 */
export function intercept(
  base: ExchangeConnector,
  overrides: { [K in keyof ExchangeConnector]?: ExchangeConnector[K] } = {},
): ExchangeConnector & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (prop === 'calls') return calls;
      const own = (overrides as Record<string | symbol, unknown>)[prop];
      const value: unknown = own ?? Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'constructor') return value;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(own !== undefined ? undefined : target, args);
      };
    },
  }) as ExchangeConnector & { calls: Map<string, number> };
}
