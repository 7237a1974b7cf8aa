/**
 * MAX request signing (VENUES.md A.3, confirmed in the official node SDK `src/rest/rest.ts`, the Go
 * SDK and ccxt):
 *
 * 1. the payload object is the request's parameters (snake_case, as sent) plus `nonce` (epoch ms)
 *    plus `path` (the full path with the version, e.g. `/api/v3/wallet/spot/order`);
 * 2. `X-MAX-PAYLOAD` = base64(JSON of that object). Keys are sorted alphabetically, as the
 *    official node SDK does; the server checks the signature against the payload string that was
 *    sent, so any key order verifies, but one fixed order keeps signatures reproducible;
 * 3. `X-MAX-SIGNATURE` = hex(HMAC-SHA256(secret, the base64 string)) — over the base64 text, not
 *    the raw JSON;
 * 4. `X-MAX-ACCESSKEY` = the access key;
 * 5. transport: GET sends the parameters and `nonce` in the query string (arrays as `key[]=v`),
 *    never `path`; POST/PUT/DELETE send `JSON.stringify({ ...params, nonce })` as the body with
 *    `Content-Type: application/json`.
 *
 * The WebSocket `auth` message signs differently — hex(HMAC-SHA256(secret, String(nonce))), no
 * payload (VENUES.md A.5) — and {@link MaxSigner.wsAuthFields} does that.
 *
 * @packageDocumentation
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { ValidationError } from '@chimera/core';

/** The header carrying the access key. */
export const ACCESS_KEY_HEADER = 'X-MAX-ACCESSKEY';
/** The header carrying the base64 payload. */
export const PAYLOAD_HEADER = 'X-MAX-PAYLOAD';
/** The header carrying the hex HMAC-SHA256 signature of the payload. */
export const SIGNATURE_HEADER = 'X-MAX-SIGNATURE';

/** HTTP methods the MAX REST API uses. */
export type MaxMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One parameter value. Decimals travel as exact decimal strings; ids and limits as integers. */
export type MaxParamValue = string | number | boolean | readonly string[];

/**
 * Request parameters in sending order, already in MAX's snake_case spelling. `undefined` values
 * are left out (so builders may pass optional fields through); `nonce` and `path` are reserved:
 * the signer adds them.
 */
export type MaxParams = Readonly<Record<string, MaxParamValue | undefined>>;

/** Credentials of a MAX API key. */
export interface MaxCredentials {
  /** The access key, sent in {@link ACCESS_KEY_HEADER}. */
  accessKey: string;
  /** The secret key, the HMAC-SHA256 key. Never logged, never in errors. */
  secretKey: string;
}

/** What {@link MaxSigner.sign} signs. */
export interface MaxSignInput {
  /** HTTP method: decides whether the parameters go in the query or the body. */
  method: MaxMethod;
  /** Full request path including the version, e.g. `/api/v3/wallet/spot/order` (no query). */
  path: string;
  /** Parameters (snake_case, sending order). */
  params?: MaxParams;
  /** Nonce: epoch milliseconds corrected by the server offset, strictly increasing ({@link NonceSource}). */
  nonce: number;
}

/** The exact parts of a signed MAX request. */
export interface MaxSignedRequest {
  /**
   * Headers to send: `X-MAX-ACCESSKEY`, `X-MAX-PAYLOAD`, `X-MAX-SIGNATURE` and
   * `Content-Type: application/json`. Their values must not be logged.
   */
  headers: Record<string, string>;
  /** Encoded query string without `?` (GET: the parameters and `nonce`; otherwise empty). */
  query: string;
  /** JSON body (POST/PUT/DELETE: the parameters and `nonce`); `undefined` for GET. */
  body: string | undefined;
}

/** The fields of a WebSocket `auth` message that depend on the key ({@link MaxSigner.wsAuthFields}). */
export interface MaxWsAuthFields {
  /** The access key. */
  apiKey: string;
  /** The nonce that was signed (epoch ms). */
  nonce: number;
  /** hex(HMAC-SHA256(secret, String(nonce))). */
  signature: string;
}

const RESERVED = new Set(['nonce', 'path']);
const REDACTED = '[REDACTED]';

function invalid(code: string, path: string, message: string): ValidationError {
  return new ValidationError(`${path}: ${message}`, [{ path, message }], { code });
}

function requireText(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid('INVALID_CREDENTIALS', path, 'expected a non-empty string');
  }
  return value;
}

function checkNonce(nonce: number): void {
  if (!Number.isSafeInteger(nonce) || nonce <= 0) {
    throw invalid('INVALID_NONCE', 'nonce', 'expected a positive integer of epoch milliseconds');
  }
}

/** The parameters without `undefined` values, in their order; rejects the reserved names. */
function definedParams(params: MaxParams | undefined): Array<[string, MaxParamValue]> {
  const out: Array<[string, MaxParamValue]> = [];
  if (!params) return out;
  for (const [key, value] of Object.entries(params)) {
    if (RESERVED.has(key)) throw invalid('RESERVED_PARAM', key, 'is added by the signer; do not pass it');
    if (value !== undefined) out.push([key, value]);
  }
  return out;
}

/**
 * Encodes parameters the way MAX reads a query string: `key=value` pairs in order, every key and
 * value through `encodeURIComponent`, arrays as one `key[]=item` pair per item (`markets%5B%5D=…`,
 * as the node SDK's `buildParams` and ccxt send them). `undefined` values are skipped.
 *
 * @param params - Parameters in sending order.
 * @returns The query string without `?` (empty for no parameters).
 * @throws ValidationError (`RESERVED_PARAM`) when `nonce` or `path` is among the parameters.
 */
export function encodeMaxQuery(params: MaxParams | undefined): string {
  return encodePairs(definedParams(params));
}

function encodePairs(pairs: ReadonlyArray<[string, MaxParamValue]>): string {
  const parts: string[] = [];
  for (const [key, value] of pairs) {
    if (Array.isArray(value)) {
      const k = encodeURIComponent(`${key}[]`);
      for (const item of value as readonly string[]) parts.push(`${k}=${encodeURIComponent(item)}`);
    } else {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.join('&');
}

/**
 * The payload MAX signs, as the exact JSON text: the parameters plus `nonce` and `path`, keys
 * sorted alphabetically (official node SDK).
 *
 * @throws ValidationError on a reserved parameter name or a bad nonce.
 */
export function payloadJson(path: string, params: MaxParams | undefined, nonce: number): string {
  checkNonce(nonce);
  const entries: Array<[string, unknown]> = [...definedParams(params), ['nonce', nonce], ['path', path]];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}

/**
 * Signs MAX REST requests and WebSocket `auth` messages with one API key. The secret becomes a
 * `crypto` key object once, when the signer is created, and lives only in a private field:
 * `JSON.stringify`, `util.inspect` and `String()` show neither the secret nor the access key.
 *
 * @example
 * ```ts
 * const signer = new MaxSigner({ accessKey, secretKey });
 * const nonces = new NonceSource({ now: () => clock.now() });
 * const { headers, query, body } = signer.sign({ method: 'GET', path: '/api/v3/order',
 *   params: { client_oid: 'abc' }, nonce: nonces.next() });
 * ```
 */
export class MaxSigner {
  readonly #accessKey: string;
  readonly #key: KeyObject;

  /**
   * @param credentials - `{ accessKey, secretKey }`.
   * @throws ValidationError (`INVALID_CREDENTIALS`, status 400) when either is missing or empty;
   *   the message never contains key material.
   */
  constructor(credentials: MaxCredentials) {
    this.#accessKey = requireText((credentials as { accessKey?: unknown }).accessKey, 'accessKey');
    const secret = requireText((credentials as { secretKey?: unknown }).secretKey, 'secretKey');
    this.#key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  /** hex(HMAC-SHA256(secret, text)). */
  hmacHex(text: string): string {
    return createHmac('sha256', this.#key).update(text, 'utf8').digest('hex');
  }

  /**
   * Builds the exact headers, query and body of one signed request (see the module comment).
   *
   * @param input - Method, full path, parameters and nonce.
   * @returns Headers (`X-MAX-ACCESSKEY`, `X-MAX-PAYLOAD`, `X-MAX-SIGNATURE`, `Content-Type`),
   *   the query string (GET) and the JSON body (other methods).
   * @throws ValidationError (`INVALID_NONCE`, `RESERVED_PARAM`, `INVALID_PATH`) on bad input.
   */
  sign(input: MaxSignInput): MaxSignedRequest {
    if (!input.path.startsWith('/') || input.path.includes('?')) {
      throw invalid('INVALID_PATH', 'path', 'expected the full request path, e.g. /api/v3/order, without a query');
    }
    const payload = Buffer.from(payloadJson(input.path, input.params, input.nonce), 'utf8').toString('base64');
    const headers = {
      [ACCESS_KEY_HEADER]: this.#accessKey,
      [PAYLOAD_HEADER]: payload,
      [SIGNATURE_HEADER]: this.hmacHex(payload),
      'Content-Type': 'application/json',
    };
    const pairs = definedParams(input.params);
    if (input.method === 'GET') {
      return { headers, query: encodePairs([...pairs, ['nonce', input.nonce]]), body: undefined };
    }
    const body = JSON.stringify(Object.fromEntries([...pairs, ['nonce', input.nonce]]));
    return { headers, query: '', body };
  }

  /**
   * The key-dependent fields of a WebSocket `auth` message: the access key, the nonce, and
   * hex(HMAC-SHA256(secret, String(nonce))) — the WebSocket signs the nonce text only.
   *
   * @throws ValidationError (`INVALID_NONCE`) on a bad nonce.
   */
  wsAuthFields(nonce: number): MaxWsAuthFields {
    checkNonce(nonce);
    return { apiKey: this.#accessKey, nonce, signature: this.hmacHex(String(nonce)) };
  }

  /** A secret-free JSON view: `{ venue: 'max', accessKey: '[REDACTED]' }`. */
  toJSON(): { venue: string; accessKey: string } {
    return { venue: 'max', accessKey: REDACTED };
  }

  /** `MaxSigner([REDACTED])`. */
  toString(): string {
    return `MaxSigner(${REDACTED})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
