/**
 * Shared pieces for reading MAX payloads: the venue id, lenient zod primitives (unknown fields are
 * dropped, numbers or strings accepted where MAX mixes them), the seconds-versus-milliseconds
 * timestamp rule, and one parse step that turns a payload of an unexpected shape into a typed
 * `VenueError` at the boundary instead of `undefined` further down.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { DecimalInput, OptionalDecimalInput, parseVenuePayload, toDecimalString, unexpectedVenuePayload } from '@chimera/core';
import { z } from 'zod';

/** The venue id every mapped MAX object carries (`Instrument.venue`, `Order.venue`, …). */
export const VENUE_ID = 'max';

/**
 * A private big.js constructor: a host's global big.js settings must not change these results.
 * 30 decimal places for divisions (only `toUsdt` and `avg` checks divide), half-up rounding.
 */
export const D = Big();
D.DP = 30;
D.RM = D.roundHalfUp;

/**
 * A decimal as MAX sends it — a string such as `"30000.0"` or, in `/markets` and `/k`, a JSON
 * number such as `0.0001` — read into a canonical decimal string: `"30000.0"` → `"30000"`.
 */
export const WireDecimal = DecimalInput;

/** Like {@link WireDecimal}, but `null`, `""` and a missing field read as `undefined` (MAX's "not set"). */
export const OptionalWireDecimal = OptionalDecimalInput;

/** A MAX id (order id, trade id): a JSON integer or a string, kept as a string. */
export const WireId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

/**
 * A time MAX documents in **seconds** (`/timestamp`, ticker `at`, depth `timestamp`, k-line open
 * time) read as epoch milliseconds. A value of 10^11 or more cannot be seconds (that would be the
 * year 5138), so it is taken as milliseconds already: a payload that switched units still maps
 * to the right instant.
 */
export const WireSeconds = z.number().nonnegative().transform((v) => secondsToMs(v));

/**
 * A time MAX documents in **milliseconds** (v3 private objects, public trades, every WebSocket
 * `T`/`TU`). A value below 10^11 cannot be milliseconds of this era (it would be before 1973), so
 * it is taken as seconds — the unit of the v2 objects these replaced.
 */
export const WireMillis = z.number().nonnegative().transform((v) => millisToMs(v));

/** Epoch milliseconds from a time documented in seconds (see {@link WireSeconds}). */
export function secondsToMs(value: number): number {
  return Math.round(value >= 1e11 ? value : value * 1000);
}

/** Epoch milliseconds from a time documented in milliseconds (see {@link WireMillis}). */
export function millisToMs(value: number): number {
  return Math.round(value < 1e11 ? value * 1000 : value);
}

/**
 * Parses a MAX payload with `schema`.
 *
 * @param schema - The payload schema (lenient: unknown fields are dropped).
 * @param body - The decoded JSON body or WebSocket message.
 * @param what - What the payload is, for the message (e.g. `order`).
 * @returns The parsed value.
 * @throws VenueError (`UNEXPECTED_RESPONSE`, status 502, not retryable) naming every field that
 *   does not match, so a changed API fails loudly at the boundary.
 */
export function parseVenue<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  return parseVenuePayload('max', schema, body, what);
}

/**
 * Throws the same error as {@link parseVenue} for a payload that parsed but cannot be mapped (an
 * unknown enum value, a market the core cannot name).
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`, status 502).
 */
export function unexpected(what: string, path: string, message: string): never {
  return unexpectedVenuePayload('max', what, path, message);
}

/** Whether a canonical decimal string is greater than zero. */
export function isPositive(value: string): boolean {
  return new D(value).gt(0);
}
