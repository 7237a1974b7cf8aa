import Big from 'big.js';
import { DECIMAL_PATTERN } from '../domain/decimal.js';
import { ValidationError } from '../errors.js';

/**
 * A private big.js constructor: DP 0 with round-down makes `div` the exact truncated integer
 * quotient (the only division on grid counts); `plus`, `minus`, `times` and `cmp` are exact
 * regardless. A host changing the global Big settings cannot change the slices.
 */
const D = Big();
D.DP = 0;
D.RM = D.roundDown;
/** For the one non-grid division (notional / price), enough digits for any venue step. */
const Q = Big();
Q.DP = 18;
Q.RM = Q.roundDown;

/** Default cap on the number of slices of one close, so a tiny slice size cannot mean thousands of orders. */
export const DEFAULT_MAX_SLICES = 20;

/** Limits on the slices of a reduce-only close. Every field is optional. */
export interface SliceLimits {
  /** Largest base quantity of one slice (decimal string). */
  maxQty?: string;
  /** Largest notional of one slice in the quote asset, with `price` (decimal string; `"0"`: none). */
  maxNotional?: string;
  /** Price to turn `maxNotional` into a quantity (mark or entry price); absent or 0: no notional limit. */
  price?: string;
  /**
   * The venue's quantity step; pass it (from the instrument) whenever it is known. Absent: the
   * finest power-of-ten grid of `total` and `maxQty` (10^−decimals), which lies on any
   * power-of-ten venue grid those two lie on — but a whole-number `total` then cannot be cut
   * finer than 1 by a notional limit alone.
   */
  step?: string;
  /**
   * Most slices allowed (default {@link DEFAULT_MAX_SLICES}). When the limits would need more,
   * the slice grows to `ceil(total / maxSlices)` on the grid: a bounded number of orders wins over
   * a smaller slice.
   */
  maxSlices?: number;
}

function positive(value: string, field: string): Big {
  if (!DECIMAL_PATTERN.test(value) || new D(value).lte(0)) {
    throw new ValidationError(`${field}: expected a positive decimal string`, [{ path: field, message: 'expected a positive decimal string' }], {
      code: 'INVALID_DECIMAL',
      details: { field, value },
    });
  }
  return new D(value);
}

function text(v: Big): string {
  return v.eq(0) ? '0' : v.toFixed();
}

/** Decimal places of `v` (no trailing zeros). */
function decimalsOf(v: Big): number {
  // big.js keeps coefficient digits `c` and exponent `e`: value = 0.c × 10^(e+1).
  return Math.max(0, v.c.length - 1 - v.e);
}

/** `10^−d`: the coarsest power-of-ten grid holding values with `d` decimals. */
function gridOf(decimals: number): Big {
  return new D(decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`);
}

/** Largest multiple of `step` that is ≤ `x` (x ≥ 0). */
function floorTo(x: Big, step: Big): Big {
  return new D(x).div(step).times(step);
}

/** Smallest multiple of `step` that is ≥ `x` (x ≥ 0). */
function ceilTo(x: Big, step: Big): Big {
  const down = floorTo(x, step);
  return down.lt(x) ? down.plus(step) : down;
}

/**
 * Splits a close of `total` into slices for reduce-only market orders (SPEC §5: "small slices").
 *
 * Guarantees, each checked by property tests:
 * - every slice is > 0 and on the grid (a multiple of `step`) when `total` is;
 * - the slices sum to exactly `total` (nothing more is ever sent: no slice adds exposure);
 * - every slice except possibly a smaller last one has the same size, which is the largest grid
 *   quantity within the limits (at least one step), unless `maxSlices` forced it larger.
 *
 * @param total - Base quantity to close, a positive decimal string.
 * @param limits - Slice size limits.
 * @returns Decimal strings, largest first.
 * @throws ValidationError when `total`, `step`, `maxQty` or a non-zero `maxNotional`/`price` is
 *   not a positive decimal, or `maxSlices` is not a positive integer.
 */
export function sliceQuantity(total: string, limits: SliceLimits = {}): string[] {
  const t = positive(total, 'total');
  const maxSlices = limits.maxSlices ?? DEFAULT_MAX_SLICES;
  if (!Number.isInteger(maxSlices) || maxSlices < 1) {
    throw new ValidationError('maxSlices: expected a positive integer', [{ path: 'maxSlices', message: 'expected a positive integer' }]);
  }
  let size: Big | undefined = limits.maxQty === undefined ? undefined : positive(limits.maxQty, 'maxQty');
  const step = limits.step !== undefined ? positive(limits.step, 'step') : gridOf(Math.max(decimalsOf(t), size === undefined ? 0 : decimalsOf(size)));
  const notional = limits.maxNotional === undefined || /^0(\.0+)?$/.test(limits.maxNotional) ? undefined : positive(limits.maxNotional, 'maxNotional');
  const price = limits.price === undefined || /^0(\.0+)?$/.test(limits.price) ? undefined : positive(limits.price, 'price');
  if (notional !== undefined && price !== undefined) {
    const byNotional = new Q(notional).div(price);
    if (size === undefined || byNotional.lt(size)) size = byNotional;
  }
  if (size === undefined || size.gte(t)) return [text(t)];
  let slice = floorTo(size, step);
  if (slice.eq(0)) slice = step;
  // ceil(t / slice) > maxSlices  ⇔  t > slice · maxSlices
  if (t.gt(slice.times(maxSlices))) slice = ceilTo(new Q(t).div(maxSlices), step);
  if (slice.gte(t)) return [text(t)];
  const full = t.div(slice).toNumber(); // ≤ maxSlices, exact: D divides to a truncated integer
  const rest = t.minus(slice.times(full));
  const out: string[] = new Array<string>(full).fill(text(slice));
  if (rest.gt(0)) out.push(text(rest));
  return out;
}
