import type { Clock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import type { Balance, Position } from '../domain/account.js';
import { positionSide } from '../domain/account.js';
import type { Market } from '../domain/enums.js';
import type { Order } from '../domain/order.js';
import type { ReconcileMode } from '../domain/reconcile.js';
import { isChimeraError } from '../errors.js';
import type { VenueTruth } from './truth.js';

/** What `collectTruth` needs from a reconciliation request (a parsed `ReconcileRequest` fits). */
export interface TruthRequest {
  /** Decides what is fetched: ORDERS / POSITIONS need open orders (POSITIONS also positions), HOLDINGS only balances. */
  mode: ReconcileMode;
  /** Only these symbols (open orders and positions are then fetched per symbol); absent: all. */
  symbols?: readonly string[] | undefined;
  /** Only these markets (intersected with the connector's); absent: every market the connector offers. */
  markets?: readonly Market[] | undefined;
}

/** One venue request that failed while collecting the truth. Its market is then left out of the truth. */
export interface TruthFetchFailure {
  venue: string;
  market: Market;
  /** Which read failed. */
  what: 'openOrders' | 'positions' | 'balances';
  /** The symbol of a per-symbol read, if any. */
  symbol?: string;
  /** The error's code (`ChimeraError.code`, else `UNEXPECTED`). */
  code: string;
  message: string;
}

/** What `collectTruth` returns: the truth of one venue plus the reads that failed. */
export interface CollectedTruth {
  /** `markets` lists only the markets every needed read of which succeeded; `venues` is `[connector.venue]`. */
  truth: VenueTruth;
  /** Failed reads; each one's market is absent from `truth.markets`, so nothing there is judged stale. */
  failures: TruthFetchFailure[];
}

function failureOf(venue: string, market: Market, what: TruthFetchFailure['what'], symbol: string | undefined, err: unknown): TruthFetchFailure {
  const f: TruthFetchFailure = {
    venue,
    market,
    what,
    code: isChimeraError(err) ? err.code : 'UNEXPECTED',
    message: isChimeraError(err) ? err.shortMessage : err instanceof Error ? err.message : String(err),
  };
  if (symbol !== undefined) f.symbol = symbol;
  return f;
}

/**
 * Runs `read` once, or once per symbol when `symbols` is given, and concatenates the answers. A
 * symbol the market does not list (`UNKNOWN_SYMBOL`) has no orders or position there: an empty
 * answer, not a failure, so `symbols: ['ETHUSDT']` on a venue without an ETH perpetual still
 * checks the rest.
 */
async function perSymbol<T>(symbols: readonly string[] | undefined, read: (symbol?: string) => Promise<T[]>): Promise<T[]> {
  if (symbols === undefined) return read();
  const parts = await Promise.all(
    symbols.map((s) =>
      read(s).catch((err: unknown) => {
        if (isChimeraError(err) && err.code === 'UNKNOWN_SYMBOL') return [];
        throw err;
      }),
    ),
  );
  return parts.flat();
}

/**
 * Fetches what one venue reports for a reconciliation run (SPEC §5): per market, in parallel,
 * the open orders (FUT: regular and conditional/algo orders, which the connector merges), the
 * non-flat futures positions and the wallet balances.
 *
 * `collectedAt` is read from `clock` BEFORE the first request leaves: a local record (order,
 * fill, snapshot) that changed at or after it is newer than anything fetched here, and `diff`
 * defers it instead of "fixing" it backwards (nautilus_trader's snapshot-freshness rule).
 *
 * Only what the mode needs is fetched: ORDERS → open orders; POSITIONS → FUT open orders (orders
 * that would add to a position being closed are cancelled first) and positions; HOLDINGS →
 * balances; ALL → everything. A failed read never throws: its market is left out of
 * `truth.markets` (a missing report is not evidence of absence) and the failure is returned.
 *
 * @param connector - The venue.
 * @param request - Mode and filters.
 * @param clock - The injected clock; read once, first.
 * @returns The truth and the failed reads.
 */
export async function collectTruth(connector: ExchangeConnector, request: TruthRequest, clock: Clock): Promise<CollectedTruth> {
  const collectedAt = clock.now();
  const venue = connector.venue;
  const offered = connector.capabilities.markets;
  const markets = request.markets === undefined ? [...offered] : request.markets.filter((m) => offered.includes(m));
  const mode = request.mode;
  const wantOrders = mode !== 'HOLDINGS';
  const wantPositions = mode === 'ALL' || mode === 'POSITIONS';
  const wantBalances = mode === 'ALL' || mode === 'HOLDINGS';
  const symbols = request.symbols;

  const openOrders: Order[] = [];
  const positions: Position[] = [];
  const balances: Balance[] = [];
  const failures: TruthFetchFailure[] = [];

  const fetchMarket = async (market: Market): Promise<boolean> => {
    const needOrders = wantOrders && (mode !== 'POSITIONS' || market === 'FUT');
    const needPositions = wantPositions && market === 'FUT';
    const reads: Array<Promise<boolean>> = [];
    const guard = <T>(what: TruthFetchFailure['what'], run: () => Promise<T[]>, into: T[]): Promise<boolean> =>
      run().then(
        (rows) => {
          into.push(...rows);
          return true;
        },
        (err: unknown) => {
          failures.push(failureOf(venue, market, what, undefined, err));
          return false;
        },
      );
    // Rows are buffered per market and published only when every read of the market succeeded,
    // so a half-fetched market contributes nothing.
    const o: Order[] = [];
    const p: Position[] = [];
    const b: Balance[] = [];
    if (needOrders) reads.push(guard('openOrders', () => perSymbol(symbols, (s) => connector.openOrders(market, s)), o));
    if (needPositions) reads.push(guard('positions', () => perSymbol(symbols, (s) => connector.positions(s)), p));
    if (wantBalances) reads.push(guard('balances', () => connector.balances(market), b));
    const ok = (await Promise.all(reads)).every(Boolean);
    if (!ok) return false;
    openOrders.push(...o);
    // `positions(symbol)` may return the flat row of that symbol: only non-flat rows are truth.
    positions.push(...p.filter((x) => positionSide(x.qty) !== 'FLAT'));
    balances.push(...b);
    return true;
  };

  const results = await Promise.all(markets.map(async (m) => ((await fetchMarket(m)) ? m : undefined)));
  const fetched = results.filter((m): m is Market => m !== undefined);
  return {
    truth: { collectedAt, markets: fetched, venues: [venue], openOrders, positions, balances },
    failures,
  };
}
