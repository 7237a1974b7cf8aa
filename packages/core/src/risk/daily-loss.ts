import Big from 'big.js';
import type { Clock } from '../clock/clock.js';
import { DECIMAL_PATTERN } from '../domain/decimal.js';
import { ValidationError } from '../errors.js';

/** Milliseconds in a UTC day. Epoch ms has no leap seconds, so UTC days are exact multiples. */
export const UTC_DAY_MS = 86_400_000;

/** Start (epoch ms, 00:00:00.000 UTC) of the UTC day containing `epochMs`. */
export function utcDayStart(epochMs: number): number {
  return Math.floor(epochMs / UTC_DAY_MS) * UTC_DAY_MS;
}

/**
 * Realised PnL of the current UTC day, on the injected {@link Clock} (SPEC §4 daily loss limit).
 * Amounts are exact decimal strings in USDT: positive is a profit, negative a loss. The total resets
 * to zero at 00:00 UTC; the reset is applied lazily on the next read or write, so no timer runs.
 */
export class DailyLossTracker {
  private day: number;
  private total = new Big(0);

  /** @param clock - the time source that decides which UTC day a record belongs to. */
  constructor(private readonly clock: Clock) {
    this.day = utcDayStart(clock.now());
  }

  /**
   * Adds a realised PnL (USDT, signed decimal string; fees and funding included as the caller sees
   * fit) to today's total.
   * @returns today's realised PnL after the record, as a decimal string.
   * @throws ValidationError when `pnlUsdt` is not a decimal string.
   */
  record(pnlUsdt: string): string {
    if (!DECIMAL_PATTERN.test(pnlUsdt)) {
      throw new ValidationError(`invalid realised PnL: ${JSON.stringify(pnlUsdt)}`, [
        { path: 'pnlUsdt', message: 'expected a decimal string like "-12.5"' },
      ]);
    }
    this.roll();
    this.total = this.total.plus(pnlUsdt);
    return this.realised();
  }

  /** Today's realised PnL (USDT, signed decimal string, `"0"` after the UTC day boundary). */
  realised(): string {
    this.roll();
    return canonical(this.total);
  }

  /** Today's realised loss (USDT, ≥ 0): the negated total when negative, else `"0"`. */
  loss(): string {
    this.roll();
    return this.total.lt(0) ? canonical(this.total.neg()) : '0';
  }

  /**
   * Whether today's loss has reached `limitUsdt` (loss ≥ limit). An absent limit never trips.
   * @param limitUsdt - positive decimal string (USDT).
   */
  limitReached(limitUsdt: string | undefined): boolean {
    if (limitUsdt === undefined) return false;
    return new Big(this.loss()).gte(limitUsdt);
  }

  /** Start of the UTC day the current total belongs to (epoch ms). */
  dayStart(): number {
    this.roll();
    return this.day;
  }

  /** Forgets today's total (e.g. after an operator decision). */
  reset(): void {
    this.day = utcDayStart(this.clock.now());
    this.total = new Big(0);
  }

  private roll(): void {
    const today = utcDayStart(this.clock.now());
    // Only forward moves reset: a clock that steps back must not resurrect or wipe a day.
    if (today > this.day) {
      this.day = today;
      this.total = new Big(0);
    }
  }
}

function canonical(v: Big): string {
  const s = v.toFixed();
  return s === '-0' ? '0' : s;
}
