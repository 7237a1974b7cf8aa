import type { Balance } from '../domain/account.js';
import type { Market } from '../domain/enums.js';
import type { IntentState } from '../domain/execution.js';
import type { OrderRecord } from '../domain/records.js';
import { ValidationError } from '../errors.js';
import type { IntentRecord, Store } from '../sinks/store.js';
import type { LocalState } from './local.js';

/** What `loadLocal` needs from a reconciliation request (a parsed `ReconcileRequest` fits). */
export interface LocalRequest {
  /** Look-back window in hours (1–168). */
  time_window_h: number;
  /** Only these symbols (orders, fills, snapshots); absent: all. */
  symbols?: readonly string[] | undefined;
  /** Only these markets (orders, fills); absent: all. */
  markets?: readonly Market[] | undefined;
}

/** Options of {@link loadLocal}. */
export interface LoadLocalOptions {
  /**
   * The balances the bot expects (HOLDINGS checks compare only the assets listed). The store has
   * no balance table, so the host says what it expects; absent: balances are not compared.
   */
  expectedBalances?: () => readonly Balance[] | Promise<readonly Balance[]>;
}

const UNFINISHED: readonly IntentState[] = ['PENDING_ENTRY', 'ACTIVE', 'PENDING_CLOSING'];
const HOUR_MS = 3_600_000;

function mergeById<T>(key: (t: T) => string, ...lists: ReadonlyArray<readonly T[]>): T[] {
  const byId = new Map<string, T>();
  for (const list of lists) for (const t of list) if (!byId.has(key(t))) byId.set(key(t), t);
  return [...byId.values()];
}

/**
 * Loads the store's side of a reconciliation run (SPEC §5) for the window
 * `[asOf − time_window_h, asOf]`, with the reads in parallel.
 *
 * The window bounds history, never belief (see {@link LocalState}): besides the orders updated
 * in the window it loads every open order, whatever its age; the newest position snapshot per
 * venue and symbol, whatever its age; and every unfinished intent (PENDING_ENTRY, ACTIVE,
 * PENDING_CLOSING), whatever its age — or a long-resting order would look like an orphan and be
 * cancelled, and an old position like an orphan and be closed.
 *
 * Call it AFTER the truth was collected, with `asOf` = the truth's `collectedAt`: a record that
 * changed during the venue reads is then seen as newer than the truth and deferred, never undone.
 *
 * @param store - The state store.
 * @param request - Window and filters.
 * @param asOf - The truth's collection start (epoch ms): the window's end.
 * @param options - Where expected balances come from.
 * @returns The local state for `diff`.
 * @throws ValidationError when `time_window_h` is not a positive number or `asOf` is not finite.
 */
export async function loadLocal(store: Store, request: LocalRequest, asOf: number, options: LoadLocalOptions = {}): Promise<LocalState> {
  if (!Number.isFinite(asOf) || !(request.time_window_h > 0)) {
    throw new ValidationError('loadLocal: asOf must be epoch ms and time_window_h positive', [
      { path: 'time_window_h', message: `got ${String(request.time_window_h)} (asOf ${String(asOf)})` },
    ]);
  }
  const since = asOf - request.time_window_h * HOUR_MS;
  const filter: { symbols?: readonly string[]; markets?: readonly Market[] } = {};
  if (request.symbols !== undefined) filter.symbols = request.symbols;
  if (request.markets !== undefined) filter.markets = request.markets;

  const [recent, open, positions, unfinished, recentIntents, fills, expected] = await Promise.all([
    store.listOrders({ ...filter, since }),
    store.listOrders({ ...filter, openOnly: true }),
    store.latestPositions(request.symbols !== undefined ? { symbols: request.symbols } : {}),
    store.listIntents({ states: UNFINISHED }),
    store.listIntents({ since }),
    store.listFills({ ...filter, since }),
    options.expectedBalances?.(),
  ]);
  const local: LocalState = {
    // An open order is listed by both reads; the open read's copy is as fresh as the other.
    orders: mergeById((o: OrderRecord) => o.clientOrderId, open, recent),
    positions: request.markets === undefined || request.markets.includes('FUT') ? positions : [],
    intents: mergeById((i: IntentRecord) => i.intent_id, unfinished, recentIntents),
    fills,
  };
  if (expected !== undefined) local.expectedBalances = expected;
  return local;
}
