/**
 * Shared pieces for reading Binance payloads: lenient zod primitives (extra fields are ignored,
 * numbers or strings accepted where Binance mixes them) and one parse step that turns a payload
 * of an unexpected shape into a typed `VenueError` instead of `undefined` further down.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { DecimalInput, OptionalDecimalInput, parseVenuePayload, toDecimalString, unexpectedVenuePayload } from '@chimera/core';
import { z } from 'zod';

/** A private big.js constructor: a host's global big.js settings must not change these results. */
const D = Big();
D.DP = 16;
D.RM = D.roundHalfUp;

/**
 * A decimal as Binance sends it (a string such as `"0.00100000"` or, in a few payloads, a JSON
 * number) read into a canonical decimal string: `"0.00100000"` → `"0.001"`, `0.0065` → `"0.0065"`.
 */
export const WireDecimal = DecimalInput;

/** Like {@link WireDecimal}, but `""` and `null` (Binance's "not set") read as `undefined`. */
export const OptionalWireDecimal = OptionalDecimalInput;

/** A Binance id (order id, trade id, tranId): a JSON integer or a string, kept as a string. */
export const WireId = z.union([z.number().int(), z.string().min(1)]).transform(String);

/** Epoch milliseconds as Binance sends them. */
export const WireTime = z.number().int().nonnegative();

/**
 * Parses a venue payload with `schema`.
 *
 * @param schema - The payload schema (lenient: unknown fields are dropped).
 * @param body - The decoded JSON body.
 * @param what - What the payload is, for the message (e.g. `spot order`).
 * @returns The parsed value.
 * @throws VenueError (`UNEXPECTED_RESPONSE`, status 502, not retryable) naming every field that
 *   does not match, so a changed API fails loudly at the boundary.
 */
export function parseVenue<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  return parseVenuePayload('binance', schema, body, what);
}

/**
 * Throws the same error as {@link parseVenue} for a payload that parsed but cannot be mapped
 * (an unknown enum value, a missing pair of fields).
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`, status 502).
 */
export function unexpected(what: string, path: string, message: string): never {
  return unexpectedVenuePayload('binance', what, path, message);
}

/** Whether a canonical decimal string is zero. */
export function isZero(value: string): boolean {
  return new D(value).eq(0);
}

/** Whether a canonical decimal string is greater than zero. */
export function isPositive(value: string): boolean {
  return new D(value).gt(0);
}

/** `a − b` floored at 0, as a canonical decimal string. */
export function nonNegativeDifference(a: string, b: string): string {
  const d = new D(a).minus(b);
  return d.lte(0) ? '0' : d.toFixed();
}

/**
 * `quote / base` to 16 decimal places (half-up), canonical: the average price of `base` units
 * bought or sold for `quote`. Undefined when `base` is zero.
 */
export function averagePrice(quote: string, base: string): string | undefined {
  const b = new D(base);
  if (b.eq(0)) return undefined;
  return toDecimalString(new D(quote).div(b).toFixed());
}

/**
 * The volume-weighted average price of executions, to 16 decimal places, with their total
 * quantity. Undefined average when the quantity is zero.
 *
 * @param fills - Executions with decimal-string `price` and `qty`.
 */
export function weightedAverage(fills: ReadonlyArray<{ price: string; qty: string }>): { qty: string; avgPrice: string | undefined } {
  let qty = new D(0);
  let quote = new D(0);
  for (const f of fills) {
    qty = qty.plus(f.qty);
    quote = quote.plus(new D(f.price).times(f.qty));
  }
  const total = toDecimalString(qty.toFixed());
  return { qty: total, avgPrice: averagePrice(quote.toFixed(), total) };
}
