/**
 * The USDT→TWD factor (SPEC §1.3): a live rate from the mid of MAX's `usdttwd` book, with its age,
 * for pricing TWD-quoted legs and reports. Feed it the REST ticker first (`parseTicker`), then the
 * stream's top of book; it refuses to convert with a rate older than its bound.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { DECIMAL_PATTERN, toDecimalString, ValidationError, VenueError, type Clock, type MarketTick } from '@chimera/core';
import { toMarketTick } from '../rest/mappers.js';
import { D, VENUE_ID } from '../rest/wire.js';

/** The core symbol of MAX's USDT/TWD market. */
export const USDTTWD = 'USDTTWD';

/** Default staleness bound, ms: one minute. */
export const DEFAULT_FACTOR_MAX_AGE_MS = 60_000;

/** Decimals of `toUsdt`'s quotient with `decimals: 'full'`. */
export const FULL_QUOTIENT_DECIMALS = 20;

/** Options of {@link UsdtTwdFactor}. */
export interface UsdtTwdFactorOptions {
  /** The clock ages are measured on (the one receive times come from). */
  clock: Clock;
  /** Oldest usable rate, ms (default {@link DEFAULT_FACTOR_MAX_AGE_MS}). */
  maxAgeMs?: number;
  /** Decimals of `toTwd` results (default 2). */
  twdDecimals?: number;
  /** Decimals of `toUsdt` results (default 6). */
  usdtDecimals?: number;
}

/**
 * How a conversion rounds: a number of decimals (half-up: ties away from zero), or `'full'` — the
 * exact product for `toTwd`, {@link FULL_QUOTIENT_DECIMALS} decimals for `toUsdt` (a quotient has
 * no exact finite form in general).
 */
export interface ConversionOptions {
  decimals?: number | 'full';
}

/** A top of book to feed the factor: best bid and ask of USDT/TWD, in TWD per USDT. */
export interface FactorTopInput {
  bid: string;
  ask: string;
  bidQty?: string;
  askQty?: string;
  /** Venue time of the quote, epoch ms (default: the receive time). */
  eventTime?: number;
  /** Local receive time, epoch ms (default: `clock.now()`). */
  receiveTime?: number;
}

/** The factor's current state. */
export interface FactorState {
  /** Mid, TWD per USDT, exact. */
  rate: string;
  bid: string;
  ask: string;
  /** Local receive time of the quote the rate comes from, epoch ms. */
  updatedAt: number;
  /** `clock.now() − updatedAt`, ms. */
  ageMs: number;
  /** Whether `ageMs <= maxAgeMs`. */
  fresh: boolean;
}

function invalid(path: string, message: string, code = 'VALIDATION_FAILED'): ValidationError {
  return new ValidationError(`${path}: ${message}`, [{ path, message }], { code });
}

function checkDecimals(value: number, path: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 30) throw invalid(path, 'expected an integer number of decimals in [0, 30]');
  return value;
}

function decimalInput(value: string, path: string): string {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) throw invalid(path, 'expected a decimal string like "123.45"');
  return value;
}

/**
 * A live USDT→TWD rate from the `usdttwd` mid. Ages are measured from the local receive time of
 * the quote on the injected clock (not the venue's event time, which would mix in clock skew).
 *
 * Rounding: `toTwd` gives 2 decimals and `toUsdt` 6 by default, half-up (ties away from zero);
 * pass `{ decimals: n }` for another precision or `{ decimals: 'full' }` for the exact product
 * (`toTwd`) or a 20-decimal quotient (`toUsdt`).
 *
 * @example
 * ```ts
 * const factor = new UsdtTwdFactor({ clock, maxAgeMs: 30_000 });
 * factor.update(parseTicker(body, clock.now()));   // REST snapshot first
 * factor.update(tickFromBookTop);                    // then the stream
 * factor.toTwd('100');                               // "3212.35"
 * ```
 */
export class UsdtTwdFactor {
  private readonly clock: Clock;
  private readonly maxAge: number;
  private readonly twdDecimals: number;
  private readonly usdtDecimals: number;
  private tick: MarketTick | undefined;
  private mid: string | undefined;

  /** @throws ValidationError when `maxAgeMs` is not positive or a decimals option is out of range. */
  constructor(options: UsdtTwdFactorOptions) {
    this.clock = options.clock;
    this.maxAge = options.maxAgeMs ?? DEFAULT_FACTOR_MAX_AGE_MS;
    if (!(Number.isFinite(this.maxAge) && this.maxAge > 0)) throw invalid('maxAgeMs', 'expected a positive number of milliseconds');
    this.twdDecimals = checkDecimals(options.twdDecimals ?? 2, 'twdDecimals');
    this.usdtDecimals = checkDecimals(options.usdtDecimals ?? 6, 'usdtDecimals');
  }

  /** The staleness bound, ms. */
  get maxAgeMs(): number {
    return this.maxAge;
  }

  /**
   * Takes a USDT/TWD tick (REST ticker, or a tick from the stream's top of book).
   *
   * @returns `true` when the tick became the current quote; `false` when it was ignored: a
   *   non-positive or crossed quote (bid above ask), or older than the current one.
   * @throws ValidationError (`WRONG_SYMBOL`) when the tick is not for USDTTWD.
   */
  update(tick: MarketTick): boolean {
    if (tick.symbol !== USDTTWD) throw invalid('symbol', `expected ${USDTTWD}, got ${tick.symbol}`, 'WRONG_SYMBOL');
    const bid = new D(tick.bid);
    const ask = new D(tick.ask);
    if (bid.lte(0) || ask.lte(0) || bid.gt(ask)) return false;
    if (this.tick && tick.receiveTime < this.tick.receiveTime) return false;
    this.tick = tick;
    this.mid = toDecimalString(bid.plus(ask).div(2).toFixed());
    return true;
  }

  /**
   * Takes a top of book (e.g. the best levels of the WebSocket `usdttwd` book).
   * @returns As {@link UsdtTwdFactor.update}.
   * @throws ValidationError when a price is not a decimal string.
   */
  updateTop(top: FactorTopInput): boolean {
    const receiveTime = top.receiveTime ?? this.clock.now();
    return this.update(
      toMarketTick({
        symbol: USDTTWD,
        bid: decimalInput(top.bid, 'bid'),
        bidQty: decimalInput(top.bidQty ?? '0', 'bidQty'),
        ask: decimalInput(top.ask, 'ask'),
        askQty: decimalInput(top.askQty ?? '0', 'askQty'),
        eventTime: top.eventTime ?? receiveTime,
        receiveTime,
      }),
    );
  }

  /** Age of the current rate, ms; `undefined` before the first quote. */
  ageMs(): number | undefined {
    return this.tick === undefined ? undefined : this.clock.now() - this.tick.receiveTime;
  }

  /** Whether a rate exists and is no older than `maxAgeMs`. */
  isFresh(): boolean {
    const age = this.ageMs();
    return age !== undefined && age <= this.maxAge;
  }

  /** The current state, whether fresh or not; `undefined` before the first quote. */
  state(): FactorState | undefined {
    if (!this.tick || this.mid === undefined) return undefined;
    const ageMs = this.clock.now() - this.tick.receiveTime;
    return { rate: this.mid, bid: this.tick.bid, ask: this.tick.ask, updatedAt: this.tick.receiveTime, ageMs, fresh: ageMs <= this.maxAge };
  }

  /**
   * The rate: the USDT/TWD mid, TWD per USDT, exact.
   * @throws VenueError (`FACTOR_STALE`, 503, retryable) when there is no rate yet or it is older than `maxAgeMs`.
   */
  rate(): string {
    const age = this.ageMs();
    if (this.mid === undefined || age === undefined || age > this.maxAge) {
      throw new VenueError(
        age === undefined ? 'no USDT/TWD rate yet' : `USDT/TWD rate is ${age} ms old, more than the ${this.maxAge} ms allowed`,
        { code: 'FACTOR_STALE', status: 503, retryable: true, details: { symbol: USDTTWD, ageMs: age ?? null, maxAgeMs: this.maxAge } },
      );
    }
    return this.mid;
  }

  /**
   * USDT → TWD: `usdt × rate`.
   * @param usdt - An amount in USDT, a decimal string (may be negative).
   * @throws ValidationError on a malformed amount or decimals; VenueError (`FACTOR_STALE`) as {@link UsdtTwdFactor.rate}.
   */
  toTwd(usdt: string, options: ConversionOptions = {}): string {
    const product = new D(decimalInput(usdt, 'usdt')).times(this.rate());
    const decimals = options.decimals ?? this.twdDecimals;
    if (decimals === 'full') return toDecimalString(product.toFixed());
    return toDecimalString(product.round(checkDecimals(decimals, 'decimals'), D.roundHalfUp).toFixed());
  }

  /**
   * TWD → USDT: `twd ÷ rate`.
   * @param twd - An amount in TWD, a decimal string (may be negative).
   * @throws ValidationError on a malformed amount or decimals; VenueError (`FACTOR_STALE`) as {@link UsdtTwdFactor.rate}.
   */
  toUsdt(twd: string, options: ConversionOptions = {}): string {
    const decimals = options.decimals ?? this.usdtDecimals;
    const places = decimals === 'full' ? FULL_QUOTIENT_DECIMALS : checkDecimals(decimals, 'decimals');
    // big.js rounds a division once, to its constructor's DP with its RM: a constructor set to
    // the wanted places gives a correctly rounded quotient (rounding a longer quotient again
    // could round twice).
    const Q = Big();
    Q.DP = places;
    Q.RM = Q.roundHalfUp;
    const quotient = new Q(decimalInput(twd, 'twd')).div(this.rate());
    return toDecimalString(quotient.toFixed());
  }

  /**
   * The current quote as a MarketTick for `USDTTWD` (venue `max`), to publish on the market
   * stream; `undefined` before the first quote. Not checked for staleness: its `receiveTime` says
   * how old it is.
   */
  asTick(): MarketTick | undefined {
    return this.tick === undefined ? undefined : { ...this.tick, venue: VENUE_ID };
  }
}
