/**
 * Request signing for Binance REST (BINANCE.md §2): HMAC-SHA256 (hex) for secret keys, Ed25519
 * or RSA (base64, then percent-encoded) for private keys.
 *
 * The signature covers exactly the bytes that are sent. Since 2026-01-15 Spot rejects with
 * `-1022` a request whose payload was not percent-encoded before signing (non-ASCII symbols are
 * the visible case), so every key and value is percent-encoded here first (RFC 3986: everything
 * but `A–Z a–z 0–9 - _ . ~`, the `rawurlencode` of Binance's own example script) and the signed
 * string is the query string that goes on the wire, with `signature` last.
 *
 * @packageDocumentation
 */
import { createHmac, createPrivateKey, createSecretKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { ValidationError } from '@chimera/core';
import type { BinanceParams, BinanceProduct } from './request.js';

/** The header that carries the API key on every Binance product (BINANCE.md §2). */
export const API_KEY_HEADER = 'X-MBX-APIKEY';

/** Binance's default `recvWindow` when none is sent, in milliseconds. */
export const DEFAULT_RECV_WINDOW_MS = 5000;

/** The largest `recvWindow` Binance accepts, in milliseconds (Spot documents it; UM endpoints too). */
export const MAX_RECV_WINDOW_MS = 60000;

/** Credentials of an HMAC API key: the key id and its secret. */
export interface HmacCredentials {
  /** The API key (sent in {@link API_KEY_HEADER}). */
  apiKey: string;
  /** The secret key, used as the HMAC-SHA256 key. Never logged, never in errors. */
  secret: string;
}

/** Credentials of an asymmetric API key: the key id and the PKCS#8 PEM private key. */
export interface PrivateKeyCredentials {
  /** The API key (sent in {@link API_KEY_HEADER}). */
  apiKey: string;
  /** PKCS#8 PEM private key (Ed25519 recommended by Binance; RSA accepted). Never logged. */
  privateKeyPem: string;
  /** Passphrase of an encrypted PEM, if any. */
  passphrase?: string;
}

/** Options of {@link BinanceSigner.signQuery}. */
export interface SignQueryOptions {
  /** Which API the request goes to: decides how `recvWindow` is validated (see below). */
  product: BinanceProduct;
  /** Request time in epoch milliseconds (local clock plus the server offset). */
  timestamp: number;
  /**
   * Validity window in milliseconds, at most 60000. Spot accepts up to three decimals
   * (microseconds, since 2025-08-28); UM takes an integer. Omitted: not sent (Binance uses 5000).
   */
  recvWindow?: number;
}

/** Which kind of key a {@link BinanceSigner} holds. */
export type BinanceKeyType = 'HMAC_SHA256' | 'ED25519' | 'RSA';

/**
 * Signs Binance requests with one API key. Key objects are built once when the signer is
 * created. The signer never reveals its secret: `JSON.stringify`, `util.inspect` and `String()`
 * show only the key type.
 */
export interface BinanceSigner {
  /** The key type: HMAC-SHA256 (hex signatures) or Ed25519/RSA (base64 signatures). */
  readonly keyType: BinanceKeyType;
  /** Headers to send with every signed (and USER_STREAM) request: `{ 'X-MBX-APIKEY': apiKey }`. */
  headers(): Record<string, string>;
  /**
   * Signs an already-encoded payload (query string concatenated with the body, no `&` between).
   * @returns hex for HMAC keys, base64 (not yet percent-encoded) for Ed25519/RSA keys.
   */
  sign(payload: string): string;
  /**
   * Builds the exact query string to send: the percent-encoded `params` in order, then
   * `recvWindow` (if given), `timestamp`, and `signature` last (percent-encoded; a hex HMAC
   * signature is unchanged by that).
   * @throws ValidationError (`INVALID_TIMESTAMP`, `INVALID_RECV_WINDOW`) on a bad timestamp or window,
   *   or when `params` already carries `timestamp`, `recvWindow` or `signature` (`RESERVED_PARAM`).
   */
  signQuery(params: BinanceParams, options: SignQueryOptions): string;
  /** A secret-free JSON view: `{ keyType, apiKey: '[REDACTED]' }`. */
  toJSON(): { keyType: BinanceKeyType; apiKey: string };
}

const REDACTED = '[REDACTED]';
const RESERVED = new Set(['timestamp', 'recvWindow', 'signature']);

/**
 * Percent-encodes a string the RFC 3986 way: every byte of its UTF-8 form except the unreserved
 * `A–Z a–z 0–9 - _ . ~` becomes `%XX` with upper-case hex. Binance's examples encode `１２３４５６`
 * as `%EF%BC%91%EF%BC%92…`; ASCII letters, digits, decimals and `_`/`-` pass unchanged.
 *
 * @param value - Any string.
 * @returns The encoded string.
 */
export function percentEncode(value: string): string {
  // encodeURIComponent leaves !'()* alone; RFC 3986 reserves them, so encode them too.
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Joins parameters into `k=v&k=v` with every key and value percent-encoded, in insertion order.
 *
 * @param params - Parameters as strings, in sending order.
 * @returns The encoded query string (empty for no parameters).
 */
export function encodeParams(params: BinanceParams): string {
  return Object.entries(params)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
}

function invalid(code: string, path: string, message: string): ValidationError {
  return new ValidationError(`${path}: ${message}`, [{ path, message }], { code });
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw invalid('INVALID_TIMESTAMP', 'timestamp', 'expected a non-negative integer of epoch milliseconds');
  }
}

function formatRecvWindow(recvWindow: number, product: BinanceProduct): string {
  if (!Number.isFinite(recvWindow) || recvWindow <= 0 || recvWindow > MAX_RECV_WINDOW_MS) {
    throw invalid('INVALID_RECV_WINDOW', 'recvWindow', `expected a number of milliseconds in (0, ${MAX_RECV_WINDOW_MS}]`);
  }
  // Spot takes microsecond precision (three decimals); UM documents recvWindow as a LONG.
  const text = String(recvWindow);
  const decimals = text.includes('.') ? (text.split('.')[1]?.length ?? 0) : 0;
  if (product === 'um' && decimals > 0) {
    throw invalid('INVALID_RECV_WINDOW', 'recvWindow', 'USDⓈ-M futures take an integer recvWindow');
  }
  if (decimals > 3 || /e/i.test(text)) {
    throw invalid('INVALID_RECV_WINDOW', 'recvWindow', 'at most three decimals (microseconds)');
  }
  return text;
}

function requireText(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid('INVALID_CREDENTIALS', path, 'expected a non-empty string');
  }
  return value;
}

type SignFn = (payload: Buffer) => string;

/**
 * The one implementation behind {@link createSigner}. Secrets live only inside the closure-held
 * key object; the public surface is {@link BinanceSigner}.
 */
class Signer implements BinanceSigner {
  readonly keyType: BinanceKeyType;
  readonly #apiKey: string;
  readonly #sign: SignFn;

  constructor(keyType: BinanceKeyType, apiKey: string, signFn: SignFn) {
    this.keyType = keyType;
    this.#apiKey = apiKey;
    this.#sign = signFn;
  }

  headers(): Record<string, string> {
    return { [API_KEY_HEADER]: this.#apiKey };
  }

  sign(payload: string): string {
    return this.#sign(Buffer.from(payload, 'utf8'));
  }

  signQuery(params: BinanceParams, options: SignQueryOptions): string {
    for (const key of Object.keys(params)) {
      if (RESERVED.has(key)) throw invalid('RESERVED_PARAM', key, 'is added by the signer; do not pass it');
    }
    checkTimestamp(options.timestamp);
    const extra: BinanceParams = {};
    if (options.recvWindow !== undefined) extra.recvWindow = formatRecvWindow(options.recvWindow, options.product);
    extra.timestamp = String(options.timestamp);
    const base = encodeParams(params);
    const tail = encodeParams(extra);
    const payload = base === '' ? tail : `${base}&${tail}`;
    return `${payload}&signature=${percentEncode(this.sign(payload))}`;
  }

  toJSON(): { keyType: BinanceKeyType; apiKey: string } {
    return { keyType: this.keyType, apiKey: REDACTED };
  }

  toString(): string {
    return `BinanceSigner(${this.keyType})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Creates a signer for one API key. HMAC secrets become a `crypto.createSecretKey` key object
 * and private keys a `crypto.createPrivateKey` key object, once, here.
 *
 * @param credentials - `{ apiKey, secret }` for an HMAC key, or `{ apiKey, privateKeyPem }`
 *   (PKCS#8 PEM, Ed25519 or RSA) for an asymmetric key.
 * @returns A {@link BinanceSigner}.
 * @throws ValidationError (`INVALID_CREDENTIALS`, status 400) when a field is missing or empty,
 *   or the private key cannot be read or is neither Ed25519 nor RSA. The message never contains
 *   key material.
 */
export function createSigner(credentials: HmacCredentials | PrivateKeyCredentials): BinanceSigner {
  const apiKey = requireText((credentials as { apiKey?: unknown }).apiKey, 'apiKey');
  if ('privateKeyPem' in credentials && credentials.privateKeyPem !== undefined) {
    const pem = requireText(credentials.privateKeyPem, 'privateKeyPem');
    let key: KeyObject;
    try {
      key = createPrivateKey(
        credentials.passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase: credentials.passphrase }
      );
    } catch {
      // The crypto error is not attached: it may quote parts of the input.
      throw invalid('INVALID_CREDENTIALS', 'privateKeyPem', 'not a readable PKCS#8 PEM private key');
    }
    if (key.asymmetricKeyType === 'ed25519') {
      return new Signer('ED25519', apiKey, (payload) => cryptoSign(null, payload, key).toString('base64'));
    }
    if (key.asymmetricKeyType === 'rsa') {
      return new Signer('RSA', apiKey, (payload) => cryptoSign('sha256', payload, key).toString('base64'));
    }
    throw invalid('INVALID_CREDENTIALS', 'privateKeyPem', 'expected an Ed25519 or RSA private key');
  }
  const secret = requireText((credentials as { secret?: unknown }).secret, 'secret');
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return new Signer('HMAC_SHA256', apiKey, (payload) => createHmac('sha256', key).update(payload).digest('hex'));
}
