/**
 * Exact rounding of prices and quantities to a venue's tick/step grid (DESIGN.md principle 3).
 *
 * Every value is a decimal string and every step is computed with big.js, so `0.1 + 0.2` style
 * binary-float artefacts cannot reach a venue. Outputs are canonical decimal strings: no exponent,
 * no trailing zeros, never `-0`, and never more decimals than the grid has.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { DECIMAL_PATTERN } from '../domain/decimal.js';
import { ValidationError } from '../errors.js';

/**
 * A private big.js constructor so that nothing else in the process can change the settings this
 * module relies on (a host setting `Big.DP = 2` or `Big.strict = true` must not change rounding).
 * DP 0 + round-down makes `div` return the exact truncated integer quotient, which is the only
 * division this module performs; `plus`, `minus`, `times` and `cmp` are exact regardless of DP.
 */
const D = Big();
D.DP = 0;
D.RM = D.roundDown;

/** How {@link roundPrice} moves a price that is off the grid. */
export type RoundingMode = 'down' | 'up' | 'nearest';

/** Side of an order, as {@link roundPriceForSide} needs it. */
export type OrderSide = 'BUY' | 'SELL';

/**
 * What a price is for, as {@link roundPriceForSide} needs it: a resting `maker` limit, a `taker`
 * limit meant to cross (its price is the worst acceptable), or a `stop` trigger.
 */
export type PriceRole = 'maker' | 'taker' | 'stop';

/** Options shared by the rounding functions. */
export interface GridOptions {
  /**
   * Anchor of the grid, for venues that count the grid from the minimum (Binance:
   * `(qty − minQty) % stepSize == 0`, `(price − minPrice) % tickSize == 0`): the grid is then
   * `min + k·step`. Decimal string, same units as the value. Default: the grid starts at 0.
   */
  min?: string;
}

const MODES: ReadonlySet<string> = new Set<RoundingMode>(['down', 'up', 'nearest']);
const SIDES: ReadonlySet<string> = new Set<OrderSide>(['BUY', 'SELL']);
const ROLES: ReadonlySet<string> = new Set<PriceRole>(['maker', 'taker', 'stop']);

function invalid(field: string, value: unknown, message: string, code = 'INVALID_DECIMAL'): ValidationError {
  return new ValidationError(`${field}: ${message}`, [{ path: field, message }], {
    code,
    details: { field, value },
  });
}

/** Parses a decimal string strictly (no exponent, no spaces, no numbers: they may carry float artefacts). */
function parse(value: unknown, field: string): Big {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw invalid(field, value, 'expected a decimal string like "0.001"');
  }
  return new D(value);
}

function parseNonNegative(value: unknown, field: string): Big {
  const v = parse(value, field);
  if (v.lt(0)) throw invalid(field, value, 'must not be negative');
  return v;
}

/** Canonical text: normal notation, no trailing zeros, no `-0`. */
function format(v: Big): string {
  return v.eq(0) ? '0' : v.toFixed();
}

/**
 * Largest `k` with `base + k·step ≤ x` (mode `down`), smallest with `≥ x` (`up`), or the nearest
 * (`nearest`, ties upwards), returned as the grid point itself. `step` must be positive.
 */
function snap(x: Big, step: Big, base: Big, mode: RoundingMode): Big {
  const offset = x.minus(base);
  let k = offset.div(step); // truncated toward zero, exact (see D)
  const rest = offset.minus(k.times(step));
  if (rest.eq(0)) return base.plus(k.times(step));
  // Truncation toward zero is a floor for positive offsets only; fix negative ones up to a floor.
  if (rest.lt(0)) k = k.minus(1);
  const floorRest = offset.minus(k.times(step)); // in (0, step)
  if (mode === 'up' || (mode === 'nearest' && floorRest.times(2).gte(step))) k = k.plus(1);
  return base.plus(k.times(step));
}

/**
 * Number of decimal places of a grid step, ignoring trailing zeros: `"0.001"` → 3, `"0.50"` → 1,
 * `"10"` → 0, `"0"` → 0. A value on the grid never needs more decimals than this (plus the
 * anchor's, when the grid is counted from a minimum).
 *
 * @param step - Tick or step size, a non-negative decimal string.
 * @returns The count of significant decimal places.
 * @throws ValidationError (`INVALID_DECIMAL`) when `step` is not a non-negative decimal string.
 */
export function decimalsOf(step: string): number {
  const s = parseNonNegative(step, 'step');
  // big.js keeps coefficient digits `c` (no trailing zeros) and exponent `e`: value = 0.c × 10^(e+1).
  return Math.max(0, s.c.length - 1 - s.e);
}

/**
 * Whether `value` lies on the grid `min + k·step` (k any integer; `min` defaults to 0). This is
 * lattice membership only: whether the value is at or above the minimum is a separate filter.
 * A step of `"0"` means "no grid", so every value is on it.
 *
 * @param value - The price or quantity, a decimal string.
 * @param step - Tick or step size, a non-negative decimal string.
 * @param min - Grid anchor for venues that count from the minimum; default `"0"`.
 * @throws ValidationError (`INVALID_DECIMAL`) on a malformed value or a negative step or anchor.
 */
export function isOnGrid(value: string, step: string, min?: string): boolean {
  const v = parse(value, 'value');
  const s = parseNonNegative(step, 'step');
  const base = min === undefined ? new D(0) : parseNonNegative(min, 'min');
  if (s.eq(0)) return true;
  const offset = v.minus(base);
  return offset.minus(offset.div(s).times(s)).eq(0);
}

/**
 * Rounds a quantity DOWN to the step grid, so the result is never above `qty` — an order is never
 * larger than asked (DESIGN.md principle 3).
 *
 * With `opts.min` the grid is `min + k·step` (Binance counts LOT_SIZE from `minQty`). Below `min`
 * no grid point is both tradable and ≤ `qty`, so the result is `"0"` ("nothing to send"); the
 * filter check then reports `QTY_BELOW_MIN`. A step of `"0"` means "no grid": `qty` is returned
 * canonicalised (`"1.50"` → `"1.5"`).
 *
 * @param qty - Base-asset quantity, a non-negative decimal string. Quantities are magnitudes:
 *   a signed amount would round away from zero when negative, which adds exposure.
 * @param step - Step size, a non-negative decimal string (`"0"`: no grid).
 * @param opts - `min`: grid anchor (the venue's minimum quantity) for venues that count from it.
 * @returns A canonical decimal string on the grid (or `"0"`), ≤ `qty`, with no more decimals than
 *   the step (and anchor).
 * @throws ValidationError (`INVALID_DECIMAL`) on a malformed or negative `qty`, `step` or `min`.
 */
export function roundQty(qty: string, step: string, opts: GridOptions = {}): string {
  const q = parseNonNegative(qty, 'qty');
  const s = parseNonNegative(step, 'step');
  const base = opts.min === undefined ? new D(0) : parseNonNegative(opts.min, 'min');
  if (s.eq(0)) return format(q);
  if (q.lt(base)) return '0';
  return format(snap(q, s, base, 'down'));
}

/**
 * Rounds a price to the tick grid in the given direction: `down` (never above the input), `up`
 * (never below) or `nearest` (ties go up). Prefer {@link roundPriceForSide}, which picks the
 * conservative direction from the order's side.
 *
 * With `opts.min` the grid is `minPrice + k·tick` (Binance PRICE_FILTER), extended below the
 * minimum as the same lattice so that rounding stays monotonic; the filter check then reports
 * `PRICE_BELOW_MIN`. A tick of `"0"` means "no grid": `price` is returned canonicalised.
 *
 * @param price - Price in quote units per base unit, a decimal string.
 * @param tick - Tick size, a non-negative decimal string (`"0"`: no grid).
 * @param mode - Rounding direction.
 * @param opts - `min`: grid anchor (the venue's minimum price) for venues that count from it.
 * @returns A canonical decimal string on the grid with no more decimals than the tick (and anchor).
 * @throws ValidationError (`INVALID_DECIMAL`) on a malformed `price` or a negative `tick` or
 *   `min`; ValidationError (`VALIDATION_FAILED`) on an unknown `mode`.
 */
export function roundPrice(price: string, tick: string, mode: RoundingMode, opts: GridOptions = {}): string {
  const p = parse(price, 'price');
  const t = parseNonNegative(tick, 'tick');
  const base = opts.min === undefined ? new D(0) : parseNonNegative(opts.min, 'min');
  if (!MODES.has(mode)) throw invalid('mode', mode, 'expected "down", "up" or "nearest"', 'VALIDATION_FAILED');
  if (t.eq(0)) return format(p);
  return format(snap(p, t, base, mode));
}

/**
 * Rounds a price to the tick on the conservative side for the order's intent: the result is never
 * less favourable to the account than the price asked. BUY rounds down, SELL rounds up, for every
 * role — the role is taken so that callers state the intent and the rule can be audited per role:
 *
 * - `maker`: a resting BUY rounds down and a SELL up, so a passive order never moves toward (or
 *   across) the spread and a post-only order is not rejected for taking.
 * - `taker`: the price is the worst acceptable limit (a slippage cap), so a BUY rounds down and a
 *   SELL up: rounding the other way could pay up to one tick more than the caller allowed. This
 *   never stops the order from crossing: the best ask lies on the grid, so any limit ≥ the ask
 *   still rounds down to a price ≥ the ask (likewise for a SELL against the best bid).
 * - `stop`: a protective trigger must fire no later than asked. A SELL stop sits below the market
 *   (protecting a long), so rounding up brings it closer to the market; a BUY stop sits above the
 *   market (protecting a short), so rounding down brings it closer. Take-profit triggers follow the
 *   same rule, which never fills them at a worse level than requested.
 *
 * @param price - Price in quote units per base unit, a decimal string.
 * @param tick - Tick size, a non-negative decimal string (`"0"`: no grid).
 * @param side - `BUY` or `SELL`.
 * @param role - `maker`, `taker` or `stop` (see above).
 * @param opts - `min`: grid anchor (the venue's minimum price) for venues that count from it.
 * @returns A canonical decimal string on the grid: ≤ `price` for BUY, ≥ `price` for SELL.
 * @throws ValidationError (`INVALID_DECIMAL`) on malformed decimals; ValidationError
 *   (`VALIDATION_FAILED`) on an unknown side or role.
 */
export function roundPriceForSide(price: string, tick: string, side: OrderSide, role: PriceRole, opts: GridOptions = {}): string {
  if (!SIDES.has(side)) throw invalid('side', side, 'expected "BUY" or "SELL"', 'VALIDATION_FAILED');
  if (!ROLES.has(role)) throw invalid('role', role, 'expected "maker", "taker" or "stop"', 'VALIDATION_FAILED');
  return roundPrice(price, tick, side === 'BUY' ? 'down' : 'up', opts);
}
