/**
 * Deterministic client order ids (DESIGN.md principle 4): the id of every order is derived from
 * the intent id, the leg and the attempt, and persisted before the request leaves, so a submit
 * whose outcome is unknown can be settled by a query by client order id.
 *
 * Allowed characters are the intersection of Spot's `^[a-zA-Z0-9-_]{1,36}$` (BINANCE.md §4b, FIX
 * rule), UM's `^[\.A-Z\:/a-z0-9_-]{1,36}$` (§4d, also `clientAlgoId`) and the core
 * `ClientOrderId` pattern: `[A-Za-z0-9_-]`, at most 36 characters.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '@chimera/core';

/** Binance Spot's client order id rule (FIX docs; the REST docs state none). */
export const SPOT_CLIENT_ORDER_ID_PATTERN = /^[a-zA-Z0-9-_]{1,36}$/;

/** Binance UM's `newClientOrderId` / `clientAlgoId` rule. */
export const UM_CLIENT_ORDER_ID_PATTERN = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** Longest id both products accept. */
export const MAX_CLIENT_ORDER_ID_LENGTH = 36;

/** Longest leg name: letters and digits only, so the id stays parseable from the right. */
export const MAX_LEG_LENGTH = 8;

/** Largest attempt number: four base-36 digits. */
export const MAX_ATTEMPT = 36 ** 4 - 1;

/** Characters of the hash that replaces an intent id that is too long or has other characters. */
const HASH_LENGTH = 20;

// Binance creates ids with these prefixes for its own orders (UM user-data docs); ours must never
// look like them, or a reconciliation could mistake a liquidation for one of our orders.
const RESERVED_PREFIXES = ['autoclose-', 'adl_autoclose', 'settlement_autoclose-'];

/** The parts a client order id is derived from. */
export interface ClientOrderIdParts {
  /** The intent id (any non-empty string; long or exotic ids are hashed). */
  intentId: string;
  /** The leg of the intent: 1–8 letters or digits, e.g. `entry`, `mk`, `tk`, `sl`, `tp`. */
  leg: string;
  /** Attempt number, 0 for the first send of this leg, 0 ≤ attempt ≤ {@link MAX_ATTEMPT}. */
  attempt: number;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`client order id ${path}: ${message}`, [{ path, message }], { code: 'INVALID_CLIENT_ORDER_ID_PARTS' });
}

/**
 * Derives the client order id of one leg and attempt of an intent.
 *
 * Shape: `<intent>-<leg>-<attempt in base 36>`, e.g. `i42-entry-0`. When the intent id contains
 * characters outside `[A-Za-z0-9_-]`, starts with `_`, would make the id longer than 36
 * characters or start like a Binance-generated id, it is replaced by `_` followed by 20 base64url
 * characters of its SHA-256 (120 bits), e.g. `_Ka3…-entry-0`. Only hashed ids start with `_`, and
 * leg and attempt contain no `-`, so distinct inputs give distinct ids (up to a SHA-256 collision).
 *
 * @param parts - Intent id, leg and attempt.
 * @returns An id of at most 36 characters of `[A-Za-z0-9_-]`, valid on Spot and UM.
 * @throws ValidationError (`INVALID_CLIENT_ORDER_ID_PARTS`, status 400) on an empty intent id, a
 *   leg that is not 1–8 letters or digits, or an attempt that is not an integer in range.
 */
export function deriveClientOrderId(parts: ClientOrderIdParts): string {
  const { intentId, leg, attempt } = parts;
  if (typeof intentId !== 'string' || intentId.length === 0) throw invalid('intentId', 'expected a non-empty string');
  if (typeof leg !== 'string' || !/^[A-Za-z0-9]{1,8}$/.test(leg)) throw invalid('leg', `expected 1–${MAX_LEG_LENGTH} letters or digits`);
  if (!Number.isSafeInteger(attempt) || attempt < 0 || attempt > MAX_ATTEMPT) {
    throw invalid('attempt', `expected an integer from 0 to ${MAX_ATTEMPT}`);
  }
  const suffix = `-${leg}-${attempt.toString(36)}`;
  const plain = `${intentId}${suffix}`;
  const lower = plain.toLowerCase();
  const usable =
    /^[A-Za-z0-9-][A-Za-z0-9_-]*$/.test(intentId) &&
    plain.length <= MAX_CLIENT_ORDER_ID_LENGTH &&
    !RESERVED_PREFIXES.some((p) => lower.startsWith(p));
  if (usable) return plain;
  const digest = createHash('sha256').update(intentId, 'utf8').digest('base64url').slice(0, HASH_LENGTH);
  return `_${digest}${suffix}`;
}

/**
 * Whether `id` is accepted by both Binance products (and the core `ClientOrderId` schema).
 *
 * @param id - A candidate client order id.
 */
export function isValidClientOrderId(id: string): boolean {
  return SPOT_CLIENT_ORDER_ID_PATTERN.test(id) && UM_CLIENT_ORDER_ID_PATTERN.test(id);
}
