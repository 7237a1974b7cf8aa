/**
 * How much to move SPOT → FUT so the futures wallet keeps `min_free_fut` free without the spot
 * wallet falling under `spot_buffer` (SPEC §6 automatic top-up). Pure decimal arithmetic.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { DECIMAL_PATTERN } from '../domain/decimal.js';
import { DEFAULT_TRANSFER_LIMITS } from '../domain/transfer.js';
import { ValidationError } from '../errors.js';

/** A private big.js constructor, so a host's global big.js settings cannot change the rounding. */
const D = Big();

/** Inputs of {@link computeTopUp}; every amount is a decimal string of the asset (USDT). */
export interface TopUpInput {
  /** Free balance in the futures wallet now. */
  futFree: string;
  /** Free futures balance to keep at least (`min_free_fut`). */
  minFreeFut: string;
  /** Free balance in the spot wallet now. */
  spotFree: string;
  /** Spot balance that must stay in spot (`spot_buffer`). */
  spotBuffer: string;
  /** Transfer limits (default min 1, max 10 000). */
  limits?: { min?: string; max?: string };
  /** Decimal places of the transferred amount (default 2: USDT cents). */
  decimals?: number;
}

/**
 * The top-up decision:
 * - `NOT_NEEDED` — the futures wallet already has `minFreeFut` free;
 * - `PROPOSE` — move `amount`;
 * - `INSUFFICIENT_SPOT` — a top-up is needed but spot above its buffer cannot cover the minimum
 *   transfer.
 */
export interface TopUpPlan {
  status: 'NOT_NEEDED' | 'PROPOSE' | 'INSUFFICIENT_SPOT';
  /** `max(0, minFreeFut − futFree)`. */
  shortfall: string;
  /** What spot can give: `max(0, spotFree − spotBuffer)`, rounded down to `decimals`. */
  available: string;
  /** Amount to move (`"0"` unless `PROPOSE`). */
  amount: string;
  /** True when `amount` is less than the shortfall (limited by spot or the maximum). */
  capped: boolean;
}

function decimal(value: string, path: string): Big {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw new ValidationError(`invalid top-up input: ${path}: expected a decimal string`, [{ path, message: 'expected a decimal string' }]);
  }
  return new D(value);
}

/**
 * Computes a top-up. Rounding, at `decimals` places: the shortfall is rounded **up** (the point
 * is to reach the minimum, not stop a cent short) and raised to the minimum transfer; what spot
 * can give and the maximum transfer are rounded **down** (never dip into the buffer, never exceed
 * the limit). `amount = min(⌈shortfall⌉ ∨ min, ⌊available⌋, ⌊max⌋)`; below the minimum transfer
 * it is `INSUFFICIENT_SPOT`.
 *
 * @throws ValidationError when an amount is not a decimal string or `decimals` is not 0..18.
 */
export function computeTopUp(input: TopUpInput): TopUpPlan {
  const decimals = input.decimals ?? 2;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) {
    throw new ValidationError('invalid top-up input: decimals: expected an integer 0..18', [{ path: 'decimals', message: 'expected an integer 0..18' }]);
  }
  const futFree = decimal(input.futFree, 'futFree');
  const minFreeFut = decimal(input.minFreeFut, 'minFreeFut');
  const spotFree = decimal(input.spotFree, 'spotFree');
  const spotBuffer = decimal(input.spotBuffer, 'spotBuffer');
  const min = decimal(input.limits?.min ?? DEFAULT_TRANSFER_LIMITS.min, 'limits.min');
  const max = decimal(input.limits?.max ?? DEFAULT_TRANSFER_LIMITS.max, 'limits.max');

  const zero = new D(0);
  const shortfall = minFreeFut.minus(futFree);
  const short = shortfall.gt(0) ? shortfall : zero;
  const spare = spotFree.minus(spotBuffer);
  const available = (spare.gt(0) ? spare : zero).round(decimals, D.roundDown);
  const base = { shortfall: short.toFixed(), available: available.toFixed() };
  if (short.eq(0)) return { status: 'NOT_NEEDED', ...base, amount: '0', capped: false };

  let amount = short.round(decimals, D.roundUp);
  if (amount.lt(min)) amount = min;
  const maxDown = max.round(decimals, D.roundDown);
  if (amount.gt(available)) amount = available;
  if (amount.gt(maxDown)) amount = maxDown;
  if (amount.lt(min) || amount.lte(0)) return { status: 'INSUFFICIENT_SPOT', ...base, amount: '0', capped: true };
  return { status: 'PROPOSE', ...base, amount: amount.toFixed(), capped: amount.lt(short) };
}
