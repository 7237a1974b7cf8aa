import { createHash } from 'node:crypto';

/** Characters every supported venue accepts in a client order id (Binance Spot is the narrowest). */
const SAFE = /[^A-Za-z0-9_-]/g;

/** Maximum client order id length on every supported venue (Binance Spot/UM and MAX: 36). */
export const CLIENT_ORDER_ID_MAX = 36;

/**
 * Derives the client order id of one order of an intent: deterministic from the intent id, the
 * leg (`entry`, `mk` maker, `tk` taker, `sl`, `tp`, `s3` slice …) and the attempt number, so a
 * restarted process computes the same id and finds the order instead of sending a second one
 * (DESIGN.md principle 4).
 *
 * The id uses only `[A-Za-z0-9_-]` and is at most 36 characters: it fits Binance Spot
 * (`^[a-zA-Z0-9-_]{1,36}$`), Binance UM and MAX. A readable prefix of the intent id is kept; a
 * SHA-256 digest of the full intent id keeps ids unique when intent ids are long or share a prefix.
 *
 * @param intentId - the intent's idempotency key (1–128 chars, any characters).
 * @param leg - a short leg tag, `[A-Za-z0-9]` (longer tags are cut to 6 characters).
 * @param attempt - 0 for the first order of the leg; incremented on re-price or re-submit.
 */
export function deriveClientOrderId(intentId: string, leg: string, attempt = 0): string {
  const digest = createHash('sha256').update(intentId).digest('base64url').replace(SAFE, '').slice(0, 10);
  const legTag = leg.replace(/[^A-Za-z0-9]/g, '').slice(0, 6) || 'x';
  const suffix = `-${legTag}-${attempt.toString(36)}`;
  const room = CLIENT_ORDER_ID_MAX - 1 - digest.length - suffix.length; // 1 for the "-" after the prefix
  const prefix = intentId.replace(SAFE, '').slice(0, Math.max(0, room));
  const id = prefix ? `${prefix}-${digest}${suffix}` : `${digest}${suffix}`;
  return id.slice(0, CLIENT_ORDER_ID_MAX);
}
