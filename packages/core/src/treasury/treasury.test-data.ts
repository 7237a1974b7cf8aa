/**
 * Builders shared by the treasury's tests (not part of the package surface): a paper venue whose
 * transfer calls are counted, and a driver that advances a fake clock until a promise settles.
 */
import { FakeClock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import { PaperConnector, type PaperBalances } from '../paper/index.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { MemoryStore } from '../sinks/memory-store.js';
import { MemoryLockProvider } from './lock-provider.js';
import { Treasury, type TreasuryOptions } from './treasury.js';

/** Venue calls seen by {@link countingVenue}. */
export interface VenueCalls {
  transfer: number;
  history: number;
}

/** The paper venue behind a connector that counts `transfer` and `transferHistory` calls. */
export function countingVenue(
  paper: PaperConnector,
  options: { stripClientIds?: boolean } = {},
): { connector: Pick<ExchangeConnector, 'venue' | 'transfer' | 'transferHistory'>; calls: VenueCalls } {
  const calls: VenueCalls = { transfer: 0, history: 0 };
  return {
    calls,
    connector: {
      venue: paper.venue,
      transfer: (request) => {
        calls.transfer++;
        return paper.transfer(request);
      },
      transferHistory: async (from, to, window) => {
        calls.history++;
        const rows = await paper.transferHistory(from, to, window);
        // A venue that does not echo the caller's id (Binance's universal transfer).
        return options.stripClientIds ? rows.map(({ clientTransferId: _drop, ...rest }) => rest) : rows;
      },
    },
  };
}

/** Everything a treasury test needs, sharing one clock, venue, store, sink and lock provider. */
export interface TreasuryRig {
  clock: FakeClock;
  paper: PaperConnector;
  calls: VenueCalls;
  connector: Pick<ExchangeConnector, 'venue' | 'transfer' | 'transferHistory'>;
  store: MemoryStore;
  sink: MemoryEventSink;
  locks: MemoryLockProvider;
  /** A treasury ("process") over the shared pieces. */
  treasury: (overrides?: Partial<TreasuryOptions>) => Treasury;
}

/** A rig with 20 000 USDT in SPOT and 1 000 USDT in FUT on a paper venue. */
export function treasuryRig(options: { balances?: PaperBalances; stripClientIds?: boolean } = {}): TreasuryRig {
  const clock = new FakeClock();
  const paper = new PaperConnector({ clock, balances: options.balances ?? { SPOT: { USDT: '20000' }, FUT: { USDT: '1000' } } });
  const { connector, calls } = countingVenue(paper, options);
  const store = new MemoryStore();
  const sink = new MemoryEventSink();
  const locks = new MemoryLockProvider(clock);
  return {
    clock,
    paper,
    calls,
    connector,
    store,
    sink,
    locks,
    treasury: (overrides = {}) => new Treasury({ connector, store, sink, locks, clock, random: () => 0.5, ...overrides }),
  };
}

/**
 * Advances `clock` in `stepMs` steps (letting promise chains run) until `promise` settles.
 * @throws Error when it has not settled after `maxSteps` steps.
 */
export async function drive<T>(clock: FakeClock, promise: Promise<T>, stepMs = 1_000, maxSteps = 100_000): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < maxSteps && !settled; i++) await clock.tickAsync(stepMs);
  if (!settled) throw new Error(`promise still pending after ${maxSteps} steps of ${stepMs} ms`);
  return promise;
}

/** A valid request (100 USDT SPOT → FUT) with overrides. */
export function request(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { transfer_id: 'tr-1', from_market: 'SPOT', to_market: 'FUT', amount: '100', symbol: 'USDT', ...overrides };
}
