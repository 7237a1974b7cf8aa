/**
 * How the local MAX exchange checks what a client signs (VENUES.md A.3, A.5):
 *
 * - REST: `X-MAX-ACCESSKEY` names a known key (else 2008), `X-MAX-SIGNATURE` is
 *   hex(HMAC-SHA256(secret, X-MAX-PAYLOAD)) (else 2005), the payload is base64 JSON whose `path`
 *   is the request's path and whose other fields are exactly the request's parameters and nonce
 *   (else 2014), and the nonce passes the key's {@link NonceLedger} (2007 outside ±30 s of the
 *   server's clock, 2006 used before). Missing headers: 2001.
 * - WebSocket `auth`: the same key lookup and nonce rules (errors 1007, 1006, 1012), signature
 *   hex(HMAC-SHA256(secret, String(nonce))).
 *
 * @packageDocumentation
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { maxErrors, type MaxWireError } from './wire-error.js';

/** One API key the local exchange accepts. */
export interface LocalMaxCredential {
  accessKey: string;
  secretKey: string;
}

/**
 * How nonces are policed per key:
 * - `unique` (default): within ±window of the server's clock and never used before. Concurrent
 *   requests may arrive out of nonce order, as they do on a pooled connection.
 * - `increasing`: within the window and above every nonce the key used before.
 */
export type NonceMode = 'unique' | 'increasing';

/** Verdict of {@link NonceLedger.check}. */
export type NonceVerdict = 'ok' | 'window' | 'used';

/** The nonces each key used, shared by REST and the WebSocket `auth` (one key, one sequence). */
export class NonceLedger {
  private readonly used = new Map<string, Map<number, number>>();
  private readonly highest = new Map<string, number>();

  /**
   * @param windowMs - How far a nonce may be from the server's clock, ms (MAX: 30 s).
   * @param mode - See {@link NonceMode}.
   */
  constructor(
    private readonly windowMs = 30_000,
    private readonly mode: NonceMode = 'unique',
  ) {}

  /** Checks and, when it passes, records `nonce` for `key` at server time `now`. */
  check(key: string, nonce: unknown, now: number): NonceVerdict {
    if (typeof nonce !== 'number' || !Number.isSafeInteger(nonce) || Math.abs(nonce - now) >= this.windowMs) return 'window';
    let used = this.used.get(key);
    if (!used) {
      used = new Map();
      this.used.set(key, used);
    }
    // Nonces older than the window are refused by the window check: forget them.
    for (const [n, at] of used) {
      if (at > now - 2 * this.windowMs) break;
      used.delete(n);
    }
    const highest = this.highest.get(key) ?? 0;
    if (used.has(nonce) || (this.mode === 'increasing' && nonce <= highest)) return 'used';
    used.set(nonce, now);
    if (nonce > highest) this.highest.set(key, nonce);
    return 'ok';
  }
}

function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A parameter value as it can be compared across the query string, the body and the payload. */
function norm(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => String(v)).join(',')}]`;
  return String(value);
}

/** What a signed REST request carried. */
export interface SignedRestRequest {
  /** The request path without the query. */
  path: string;
  /** Request headers (lower-cased names). */
  headers: Record<string, string | string[] | undefined>;
  /** The parameters as sent: query parameters (GET) or body fields (other methods), `nonce` included. */
  params: Record<string, unknown>;
}

/**
 * Checks one signed REST request.
 *
 * @returns the access key that signed it.
 * @throws MaxWireError 2001, 2008, 2005, 2014, 2007 or 2006 (see the module comment).
 */
export function verifyRestRequest(req: SignedRestRequest, keys: ReadonlyMap<string, string>, ledger: NonceLedger, now: number): string {
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const accessKey = header('x-max-accesskey');
  const payload = header('x-max-payload');
  const signature = header('x-max-signature');
  if (!accessKey || !payload || !signature) throw maxErrors.unauthorized('X-MAX-ACCESSKEY, X-MAX-PAYLOAD and X-MAX-SIGNATURE are required');
  const secret = keys.get(accessKey);
  if (secret === undefined) throw maxErrors.badAccessKey();
  if (!sameHex(hmacHex(secret, payload), signature.toLowerCase())) throw maxErrors.badSignature();
  let signed: Record<string, unknown>;
  try {
    const decoded = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as unknown;
    if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw new TypeError('not an object');
    signed = decoded as Record<string, unknown>;
  } catch {
    throw maxErrors.badPayload('not base64 JSON');
  }
  if (signed.path !== req.path) throw maxErrors.badPayload('path does not match the request');
  const { path: _path, ...fields } = signed;
  const sentKeys = Object.keys(req.params).sort();
  const signedKeys = Object.keys(fields).sort();
  if (sentKeys.join('|') !== signedKeys.join('|')) throw mismatch();
  for (const k of sentKeys) if (norm(req.params[k]) !== norm(fields[k])) throw mismatch();
  const verdict = ledger.check(accessKey, fields.nonce, now);
  if (verdict === 'window') throw maxErrors.nonceWindow();
  if (verdict === 'used') throw maxErrors.nonceUsed();
  return accessKey;
}

function mismatch(): MaxWireError {
  return maxErrors.badPayload('parameters do not match the payload');
}

/** The WebSocket error codes of a refused `auth` (VENUES.md A.5). */
export type WsAuthFailure = { code: 1006 | 1007 | 1012; message: string };

/**
 * Checks a WebSocket `auth` message.
 * @returns the access key, or the failure to report (1007 key/signature, 1006 window, 1012 used).
 */
export function verifyWsAuth(msg: Record<string, unknown>, keys: ReadonlyMap<string, string>, ledger: NonceLedger, now: number): { accessKey: string } | WsAuthFailure {
  const apiKey = typeof msg.apiKey === 'string' ? msg.apiKey : undefined;
  const secret = apiKey === undefined ? undefined : keys.get(apiKey);
  const signature = typeof msg.signature === 'string' ? msg.signature : '';
  if (apiKey === undefined || secret === undefined) return { code: 1007, message: 'authentication failed' };
  if (!sameHex(hmacHex(secret, String(msg.nonce)), signature.toLowerCase())) return { code: 1007, message: 'authentication failed' };
  const verdict = ledger.check(apiKey, msg.nonce, now);
  if (verdict === 'window') return { code: 1006, message: 'nonce is invalid (30 seconds difference from server time)' };
  if (verdict === 'used') return { code: 1012, message: 'nonce has already been used' };
  return { accessKey: apiKey };
}
