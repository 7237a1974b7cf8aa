/**
 * Fault hooks of the paper venue: the failures a real venue produces, scripted, so the
 * outcome-handling paths of policies and adapters can be tested deterministically. The
 * `PaperConnector` consults them around every request; the engine itself stays fault-free.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { Market } from '../domain/enums.js';
import type { ChimeraError } from '../errors.js';
import { randomInt, seededRandom, type RandomSource } from './random.js';

/** A private big.js constructor, so a host's global big.js settings cannot reach the engine. */
const D = Big();

/** The connector operations a fault can target. */
export type PaperOperation =
  | 'serverTime'
  | 'instruments'
  | 'depth'
  | 'ticker'
  | 'markPrice'
  | 'fundingRates'
  | 'fundingIncome'
  | 'placeOrder'
  | 'placeOco'
  | 'cancelOrder'
  | 'cancelOco'
  | 'getOrder'
  | 'openOrders'
  | 'orderHistory'
  | 'fills'
  | 'positions'
  | 'balances'
  | 'setLeverage'
  | 'setMarginType'
  | 'transfer'
  | 'transferHistory';

interface Rejection {
  left: number;
  error: () => ChimeraError;
  operations: ReadonlySet<PaperOperation> | undefined;
}

interface TimeoutFault {
  left: number;
  operations: ReadonlySet<PaperOperation>;
  /** Milliseconds the caller waits before seeing the timeout. */
  afterMs: number;
}

/** A market and symbol whose market data is stalled; `undefined` fields match everything. */
interface StallTarget {
  market: Market | undefined;
  symbol: string | undefined;
}

/**
 * Scripted faults. Every hook is counted ("the next N requests") or switched (stall, latency), and
 * everything random (latency jitter) comes from the seed, so a failing test replays exactly.
 */
export class PaperFaults {
  private readonly random: RandomSource;
  private baseLatencyMs = 0;
  private jitterMs = 0;
  private readonly rejections: Rejection[] = [];
  private readonly timeouts: TimeoutFault[] = [];
  private cancelRaces: Array<{ left: number; fraction: Big }> = [];
  private stalls: StallTarget[] = [];

  /** @param seed - seed of the latency jitter (default 1). */
  constructor(seed = 1) {
    this.random = seededRandom(seed ^ 0x5f3759df);
  }

  /**
   * Adds latency to every request: `ms` plus a uniform `0..jitterMs` drawn from the seed, waited on
   * the injected clock before the request reaches the engine.
   */
  setLatency(ms: number, jitterMs = 0): void {
    this.baseLatencyMs = Math.max(0, ms);
    this.jitterMs = Math.max(0, jitterMs);
  }

  /**
   * Rejects the next `n` requests (of the listed operations, default any) with `error`; the
   * request never reaches the engine. Pass a factory to get a fresh error object each time.
   */
  rejectNext(n: number, error: ChimeraError | (() => ChimeraError), operations?: readonly PaperOperation[]): void {
    this.rejections.push({
      left: n,
      error: typeof error === 'function' ? error : () => error,
      operations: operations ? new Set(operations) : undefined,
    });
  }

  /**
   * "Accept, then time out": the next `n` requests of `operations` (default placeOrder and
   * placeOco) are applied by the engine, but the caller gets an `UnknownOutcomeError` after
   * `afterMs` (default 0) — the order landed, the answer was lost.
   */
  acceptThenTimeout(n = 1, operations: readonly PaperOperation[] = ['placeOrder', 'placeOco'], afterMs = 0): void {
    this.timeouts.push({ left: n, operations: new Set(operations), afterMs: Math.max(0, afterMs) });
  }

  /**
   * "A fill races the cancel": on the next `n` cancels of a resting limit order, a counterparty
   * takes `fraction` (default `"0.5"`; rounded down to the step) of the open quantity just before
   * the cancel lands. The cancel's reply then reports the final filled quantity. With `"1"` the
   * order is filled before the cancel arrives, which then fails with `OrderNotFoundError`, as on a
   * real venue.
   */
  fillRacesCancel(n = 1, fraction = '0.5'): void {
    this.cancelRaces.push({ left: n, fraction: new D(fraction) });
  }

  /** Stalls market data of one market/symbol (or everything when omitted): updates are dropped. */
  stallMarketData(target: { market?: Market; symbol?: string } = {}): void {
    this.stalls.push({ market: target.market, symbol: target.symbol });
  }

  /** Resumes market data stalled by {@link stallMarketData} with the same target (or all, when omitted). */
  resumeMarketData(target?: { market?: Market; symbol?: string }): void {
    if (!target) {
      this.stalls = [];
      return;
    }
    this.stalls = this.stalls.filter((s) => s.market !== target.market || s.symbol !== target.symbol);
  }

  /** Whether updates of this market and symbol are currently dropped. */
  isStalled(market: Market, symbol: string): boolean {
    return this.stalls.some((s) => (s.market === undefined || s.market === market) && (s.symbol === undefined || s.symbol === symbol));
  }

  /** Removes every fault and the latency. */
  clear(): void {
    this.baseLatencyMs = 0;
    this.jitterMs = 0;
    this.rejections.length = 0;
    this.timeouts.length = 0;
    this.cancelRaces = [];
    this.stalls = [];
  }

  /** The latency of the next request in ms (draws the jitter). */
  nextLatencyMs(): number {
    if (this.jitterMs === 0) return this.baseLatencyMs;
    return this.baseLatencyMs + randomInt(this.random, 0, this.jitterMs);
  }

  /** Consumes and returns the rejection that applies to `op`, if any. */
  takeRejection(op: PaperOperation): ChimeraError | undefined {
    const r = this.rejections.find((x) => x.left > 0 && (!x.operations || x.operations.has(op)));
    if (!r) return undefined;
    r.left -= 1;
    if (r.left <= 0) this.rejections.splice(this.rejections.indexOf(r), 1);
    return r.error();
  }

  /** Consumes an accept-then-time-out fault for `op`; returns its delay in ms, or undefined. */
  takeTimeout(op: PaperOperation): number | undefined {
    const t = this.timeouts.find((x) => x.left > 0 && x.operations.has(op));
    if (!t) return undefined;
    t.left -= 1;
    if (t.left <= 0) this.timeouts.splice(this.timeouts.indexOf(t), 1);
    return t.afterMs;
  }

  /** Consumes a fill-races-cancel fault; returns the fraction of the open quantity to fill, or undefined. */
  takeCancelRace(): Big | undefined {
    const r = this.cancelRaces.find((x) => x.left > 0);
    if (!r) return undefined;
    r.left -= 1;
    if (r.left <= 0) this.cancelRaces.splice(this.cancelRaces.indexOf(r), 1);
    return r.fraction;
  }
}
