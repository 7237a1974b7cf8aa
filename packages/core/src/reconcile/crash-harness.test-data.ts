/**
 * Crash-recovery harness of the reconciliation end-to-end tests (not part of the package
 * surface). One trial: a process runs one intent through the `Executor` and dies at a random
 * point; the market goes on; a new process resumes and reconciles; then the venue and the store
 * are compared. The venue is a parameter ({@link CrashVenueFactory}), so the same trials run on
 * the paper venue and on a venue's local exchange.
 *
 * How a process dies: every call it makes to the venue or the store is counted, and call number
 * `killAt` is the last one — it either lands (the venue or the store applies it) or not, and the
 * dead process never hears back. Every later call of the dead process hangs forever, so nothing
 * it left in flight (timers, listeners) can act again, exactly like a killed process.
 */
import Big from 'big.js';
import type { Clock } from '../clock/clock.js';
import { FakeClock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import { positionSide } from '../domain/account.js';
import { isTerminalStatus } from '../domain/enums.js';
import type { IntentInput } from '../domain/intent.js';
import type { ReconcileItem, ReconcileResponse } from '../domain/reconcile.js';
import { isChimeraError } from '../errors.js';
import { setBooks } from '../execution/execution-test-kit.test-data.js';
import { Executor } from '../execution/executor.js';
import { PaperConnector } from '../paper/paper-connector.js';
import { randomInt, seededRandom, type RandomSource } from '../paper/random.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { MemoryStore } from '../sinks/memory-store.js';
import { Reconciler } from './reconciler.js';
import { positionTimesFromFills } from './reconcile-test-kit.test-data.js';

/** A venue for crash trials. It outlives both processes of a trial. */
export interface CrashVenue {
  /** The venue the processes trade on. */
  connector: ExchangeConnector;
  /** The venue as reconciliation sees it (default `connector`). */
  reconcileVenue?: ExchangeConnector;
  /** The clock every component of the trial uses. */
  clock: Clock;
  /** Lets `ms` of the clock's time pass, running whatever is due (fake clock: `tickAsync`). */
  advance(ms: number): Promise<void>;
  /**
   * The market moving on its own (a counterparty filling some resting limit orders), called once
   * at a random moment of the run and once while the process is down. Optional.
   */
  marketMoves?(random: RandomSource): Promise<void>;
  /** Releases the venue. */
  close(): Promise<void>;
}

/** Builds a fresh venue for one trial (SPOT and FUT BTCUSDT around 65 000, no BTC held). */
export type CrashVenueFactory = (seed: number) => Promise<CrashVenue>;

/** The policies a trial runs. */
export type CrashScenario = 'MakerThenTaker' | 'TWAP' | 'OCO';

/** What one trial did and found. */
export interface CrashTrial {
  seed: number;
  scenario: CrashScenario;
  /** Venue and store calls the first process made before it died (its last one included). */
  opsBeforeDeath: number;
  /** The first process finished its intent before dying. */
  completed: boolean;
  /** Its last call took effect. */
  lastCallLanded: boolean;
  policy: 'CONSERVATIVE' | 'RECLAIM_IF_SAFE';
  /** `resume-first`: `Executor.resume()` then reconcile; `reconcile-first`: the reverse (then reconcile again). */
  order: 'resume-first' | 'reconcile-first';
  /** Code of the error `resume()` threw, if any. */
  resumeError?: string;
  /** Items of the recovery runs. */
  recovery: ReconcileItem[];
  /** Items of a last run on the settled state. */
  verify: ReconcileItem[];
  /** Broken invariants (empty when the trial passed). */
  violations: string[];
}

const HANG = (): Promise<never> => new Promise<never>(() => undefined);

/** Counts a process's calls and kills it at call `killAt`. */
class Killswitch {
  ops = 0;
  dead = false;
  landed = false;

  constructor(
    private readonly killAt: number,
    private readonly random: RandomSource,
  ) {}

  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (t, prop, receiver) => {
        const value: unknown = Reflect.get(t, prop, receiver);
        if (typeof value !== 'function' || prop === 'constructor') return value;
        return (...args: unknown[]) => {
          if (this.dead) return HANG();
          this.ops++;
          if (this.ops < this.killAt) return (value as (...a: unknown[]) => unknown).apply(t, args);
          this.dead = true;
          this.landed = this.random() < 0.5;
          if (this.landed) void Promise.resolve((value as (...a: unknown[]) => unknown).apply(t, args)).catch(() => undefined);
          return HANG();
        };
      },
    });
  }

  kill(): void {
    this.dead = true;
  }
}

/** The paper venue on a fake clock, with a counterparty that fills resting limit orders. */
export const paperCrashVenue: CrashVenueFactory = async (seed) => {
  const clock = new FakeClock(1_758_355_080_000);
  const connector = new PaperConnector({ clock, seed, balances: { SPOT: { USDT: '1000000' }, FUT: { USDT: '100000' } } });
  setBooks(connector);
  await connector.connect();
  return {
    connector,
    reconcileVenue: positionTimesFromFills(connector),
    clock,
    advance: (ms) => clock.tickAsync(ms),
    async marketMoves(random) {
      for (const market of ['SPOT', 'FUT'] as const) {
        for (const o of connector.engine.openOrders(market)) {
          if (o.type !== 'LIMIT' || random() < 0.5) continue;
          const open = new Big(o.qty).minus(o.filledQty);
          const part = random() < 0.5 ? open : open.times(random()).round(market === 'FUT' ? 3 : 5, Big.roundDown);
          if (part.gt(0)) connector.engine.fillOrder({ market, symbol: o.symbol, clientOrderId: o.clientOrderId }, part.toFixed());
        }
      }
    },
    close: () => connector.close(),
  };
};

/** The intent a scenario runs (sizes chosen so every order clears the FUT 100 USDT minimum). */
function intentFor(scenario: CrashScenario, seed: number, random: RandomSource): IntentInput {
  const side = random() < 0.5 ? 'BUY' : 'SELL';
  const sl = side === 'BUY' ? 60000 : 70000;
  switch (scenario) {
    case 'MakerThenTaker':
      return { intent_id: `mtt-${seed}`, market: 'FUT', symbol: 'BTCUSDT', side, qty: 0.004, exec_policy: 'MakerThenTaker', post_only_wait_ms: 2000, leverage: 20, sl };
    case 'TWAP':
      return {
        intent_id: `twap-${seed}`,
        market: 'FUT',
        symbol: 'BTCUSDT',
        side,
        qty: 0.006,
        exec_policy: random() < 0.5 ? 'TWAP' : 'MakerThenTaker',
        post_only_wait_ms: 1000,
        twap: { enabled: true, slices: 3, interval_ms: 800 },
        sl,
      };
    case 'OCO':
      return { intent_id: `oco-${seed}`, market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.01, exec_policy: 'OCO', oco: { tp_price: 66000, sl_price: 64000, limit_price: 65100, leg_time_in_force: 'GTC' } };
  }
}

/** Advances the venue's clock until `p` settles or `maxMs` passed; never rejects. */
async function settle<T>(venue: CrashVenue, p: Promise<T>, maxMs = 60_000): Promise<{ value?: T; error?: unknown; settled: boolean }> {
  let out: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  void p.then(
    (value) => (out = { value, settled: true }),
    (error: unknown) => (out = { error, settled: true }),
  );
  for (let t = 0; t < maxMs && !out.settled; t += 100) await venue.advance(100);
  return out;
}

const SETTLED_MS = 10_000;

/**
 * Runs one crash trial.
 * @param factory - The venue.
 * @param seed - Drives every random choice of the trial.
 * @param scenario - The policy the dying process runs.
 * @param killAt - The call the process dies at (default: drawn from `[1, horizon]`).
 * @param horizon - Calls a complete run makes (from a trial with `killAt: Infinity`), so kills spread over the whole run.
 */
export async function crashTrial(factory: CrashVenueFactory, seed: number, scenario: CrashScenario, killAt?: number, horizon = 60): Promise<CrashTrial> {
  const random = seededRandom(seed * 7919 + 17);
  const venue = await factory(seed);
  const { connector, clock } = venue;
  const store = new MemoryStore();
  const intent = intentFor(scenario, seed, random);
  const kill = killAt ?? randomInt(random, 1, horizon + 2);
  const switch_ = new Killswitch(kill, random);

  let maxExposure = new Big(0);
  const onPosition = (p: { qty: string }): void => {
    const q = new Big(p.qty).abs();
    if (q.gt(maxExposure)) maxExposure = q;
  };
  connector.events.on('position', onPosition);
  const baseBefore = await spotBase(connector);

  // ── the first process: runs the intent and dies ──
  const first = new Executor({ connector: switch_.wrap(connector), store: switch_.wrap(store), sink: new MemoryEventSink(), clock });
  const moveAt = randomInt(random, 0, 4000);
  const moves = venue.marketMoves;
  const moveTimer = moves ? clock.setTimeout(() => void moves(random), moveAt) : undefined;
  const run = first.execute(intent);
  let completed = false;
  void run.then(
    () => (completed = true),
    () => (completed = true),
  );
  for (let t = 0; t < 60_000 && !completed && !switch_.dead; t += 100) await venue.advance(100);
  // A process that got through its intent is killed right after.
  const opsBeforeDeath = switch_.ops;
  switch_.kill();
  clock.clearTimeout(moveTimer);

  // ── the process is down; the market is not ──
  await venue.marketMoves?.(random);
  await venue.advance(1000);

  // ── the second process ──
  const sink = new MemoryEventSink();
  const second = new Executor({ connector, store, sink, clock });
  const reconciler = new Reconciler({ connector: venue.reconcileVenue ?? connector, store, sink, clock, lifecycle: second.lifecycle });
  const policy = random() < 0.5 ? 'CONSERVATIVE' : 'RECLAIM_IF_SAFE';
  const order = random() < 0.5 ? 'resume-first' : 'reconcile-first';
  const violations: string[] = [];
  const recovery: ReconcileItem[] = [];
  let resumeError: string | undefined;

  const resume = async (): Promise<void> => {
    const r = await settle(venue, second.resume());
    if (!r.settled) violations.push('resume() did not settle');
    if (r.error !== undefined) resumeError = isChimeraError(r.error) ? r.error.code : String(r.error);
    await venue.advance(SETTLED_MS);
  };
  const reconcile = async (): Promise<ReconcileResponse | undefined> => {
    const before = await futQty(connector);
    const r = await settle(venue, reconciler.reconcile({ orphan_policy: policy }));
    if (!r.settled || r.value === undefined) {
      violations.push(`reconcile did not answer: ${r.error === undefined ? 'timeout' : String(r.error)}`);
      return undefined;
    }
    const after = await futQty(connector);
    if (after.abs().gt(before.abs()) || (!after.eq(0) && !before.eq(0) && after.gt(0) !== before.gt(0))) {
      violations.push(`reconcile added exposure: ${before.toFixed()} → ${after.toFixed()}`);
    }
    await venue.advance(SETTLED_MS);
    return r.value;
  };

  await venue.advance(SETTLED_MS);
  if (order === 'resume-first') {
    await resume();
    recovery.push(...((await reconcile())?.items ?? []));
  } else {
    recovery.push(...((await reconcile())?.items ?? []));
    await resume();
    recovery.push(...((await reconcile())?.items ?? []));
  }
  const verify = (await reconcile())?.items ?? [];

  violations.push(...(await invariants(connector, store, intent, maxExposure, baseBefore)));
  const settledItems = verify.filter((i) => i.action !== 'REPORTED' || !/deferred/.test(i.reason));
  if (settledItems.some((i) => i.action !== 'REPORTED' && i.action !== 'FIXED')) {
    violations.push(`the state was not settled: a further run still acts: ${JSON.stringify(settledItems)}`);
  }
  if (recovery.some((i) => i.action === 'FAILED')) violations.push(`a recovery action failed: ${JSON.stringify(recovery.filter((i) => i.action === 'FAILED'))}`);

  connector.events.off('position', onPosition);
  await second.close();
  await venue.close();
  const trial: CrashTrial = { seed, scenario, opsBeforeDeath, completed, lastCallLanded: switch_.landed, policy, order, recovery, verify, violations };
  if (resumeError !== undefined) trial.resumeError = resumeError;
  return trial;
}

async function futQty(connector: ExchangeConnector): Promise<Big> {
  return new Big((await connector.positions('BTCUSDT'))[0]?.qty ?? '0');
}

async function spotBase(connector: ExchangeConnector): Promise<Big> {
  const b = (await connector.balances('SPOT')).find((x) => x.asset === 'BTC');
  return b === undefined ? new Big(0) : new Big(b.free).plus(b.locked);
}

/** The end-state checks of a trial; each broken one is described. */
async function invariants(connector: ExchangeConnector, store: MemoryStore, intent: IntentInput, maxExposure: Big, baseBefore: Big): Promise<string[]> {
  const out: string[] = [];
  // 1. Every order the venue works is in the store, as the venue has it; every order the store
  //    thinks open, the venue works.
  const venueOpen = [...(await connector.openOrders('SPOT')), ...(await connector.openOrders('FUT'))];
  const venueIds = new Set(venueOpen.map((o) => o.clientOrderId));
  for (const o of venueOpen) {
    const s = await store.getOrder(o.clientOrderId);
    if (s === undefined) out.push(`orphan order at the venue: ${o.clientOrderId} ${o.type} ${o.side} ${o.qty}`);
    else if (s.status !== o.status || !new Big(s.qty).eq(o.qty) || !new Big(s.filledQty).eq(o.filledQty)) {
      out.push(`store differs from venue for ${o.clientOrderId}: store ${s.status} ${s.filledQty}/${s.qty}, venue ${o.status} ${o.filledQty}/${o.qty}`);
    }
  }
  for (const s of await store.listOrders({ openOnly: true })) {
    if (!venueIds.has(s.clientOrderId)) out.push(`store thinks ${s.clientOrderId} is open (${s.status}); the venue does not`);
  }
  // 2. Every position is explained: the store's snapshot matches it and a holding intent covers it.
  const qty = await futQty(connector);
  if (!qty.eq(0)) {
    const snap = (await store.latestPositions({ symbols: ['BTCUSDT'] })).find((p) => p.venue === connector.venue);
    if (snap === undefined || !new Big(snap.qty).eq(qty)) out.push(`position ${qty.toFixed()} but the store's snapshot says ${snap?.qty ?? 'nothing'}`);
    const side = positionSide(qty.toFixed()) === 'LONG' ? 'BUY' : 'SELL';
    const holders = (await store.listIntents({ states: ['ACTIVE', 'PENDING_CLOSING'] })).filter((i) => i.intent.market === 'FUT' && i.intent.side === side && !i.intent.reduce_only);
    const covered = holders.reduce((sum, i) => sum.plus(i.intent.qty), new Big(0));
    if (covered.lt(qty.abs())) out.push(`position ${qty.toFixed()} is not explained by holding intents (they cover ${covered.toFixed()})`);
  }
  // 3. Never more exposure than the intent asked for.
  const asked = new Big(String(intent.qty));
  if (intent.market === 'FUT' && maxExposure.gt(asked)) out.push(`|position| reached ${maxExposure.toFixed()}, the intent asked for ${asked.toFixed()}`);
  if (intent.market === 'SPOT' && (await spotBase(connector)).minus(baseBefore).gt(asked)) out.push('more BTC held than the intent bought');
  // 4. Whatever reconciliation sent was a reduce-only MARKET order.
  for (const o of await connector.orderHistory('FUT', 'BTCUSDT')) {
    if (o.clientOrderId.startsWith('rc-') && (o.type !== 'MARKET' || !o.reduceOnly)) out.push(`reconciliation sent ${o.clientOrderId} ${o.type} reduceOnly=${String(o.reduceOnly)}`);
  }
  for (const o of await store.listOrders()) {
    if (o.clientOrderId.startsWith('rc-') && !isTerminalStatus(o.status)) out.push(`reconciliation order ${o.clientOrderId} still ${o.status}`);
  }
  return out;
}
