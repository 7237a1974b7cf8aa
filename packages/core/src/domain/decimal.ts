import Big from 'big.js';
import { z } from 'zod';

/** A plain decimal literal: optional minus, digits, optional fraction. No exponent, no spaces. */
export const DECIMAL_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/**
 * An exact decimal string such as `"65000.5"` or `"0.0012"`: the SDK's representation of every
 * price, quantity and amount (SPEC: money is exact; floats are for analytics only).
 */
export const DecimalString = z.string().regex(DECIMAL_PATTERN, 'expected a decimal string like "0.0012"');
/** An exact decimal string. See {@link DecimalString}. */
export type DecimalString = string;

/**
 * Converts a JSON number or a decimal string into a canonical decimal string without binary-float
 * artefacts: `0.0012` → `"0.0012"`, `1e-7` → `"0.0000001"`, `"65000.50"` → `"65000.5"`.
 *
 * Numbers are read through their shortest round-trip representation (what `JSON.stringify`
 * prints), which is exactly what a JSON producer wrote.
 *
 * @throws Error when the input is not finite or not a decimal literal.
 */
export function toDecimalString(value: number | string): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  if (typeof value === 'string' && !DECIMAL_PATTERN.test(value)) throw new Error(`not a decimal string: ${value}`);
  const s = new Big(value).toFixed();
  return s === '-0' ? '0' : s;
}

/**
 * Accepts what wire formats actually carry (a JSON number or a decimal string) and yields a
 * canonical decimal string. Used for the reference JSON examples, which write `"qty": 0.0012`.
 */
export const DecimalInput = z
  .union([z.number(), z.string()])
  .superRefine((v, ctx) => {
    if (typeof v === 'number' ? !Number.isFinite(v) : !DECIMAL_PATTERN.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'expected a finite number or a decimal string' });
    }
  })
  .transform((v) => toDecimalString(v));

/** A strictly positive {@link DecimalInput}. */
export const PositiveDecimalInput = DecimalInput.refine((v) => new Big(v).gt(0), 'must be greater than 0');

/** A non-negative {@link DecimalInput}. */
export const NonNegativeDecimalInput = DecimalInput.refine((v) => new Big(v).gte(0), 'must not be negative');

/** Epoch milliseconds (SPEC: every timestamp is epoch ms). */
export const EpochMs = z.number().int().nonnegative();

/**
 * Like {@link DecimalInput}, but `null`, `""` and a missing value read as `undefined` — how venues
 * write "not set" (Binance `""`, MAX `null`).
 */
export const OptionalDecimalInput = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === null || value === '') return undefined;
    try {
      return toDecimalString(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a finite number or a decimal string', input: value });
      return z.NEVER;
    }
  });
