/**
 * Request security as Binance checks it (BINANCE.md §2): the `X-MBX-APIKEY` header, the
 * signature over the exact bytes sent (query string immediately followed by the body, the
 * `signature` pair left out), and the timing rule `timestamp < serverTime + 1000 &&
 * serverTime − timestamp ≤ recvWindow`. HMAC-SHA256 signatures are hex (compared
 * case-insensitively); Ed25519 and RSA signatures are base64, percent-encoded on the wire.
 *
 * Because the signature is checked over the raw bytes, a client that signs a payload it did not
 * percent-encode and then sends it encoded (the Spot rule since 2026-01-15) gets `-1022`.
 *
 * @packageDocumentation
 */
import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { BinanceProduct } from '../rest/request.js';
import { MAX_RECV_WINDOW_MS } from '../rest/signing.js';
import type { RequestParams } from './request-params.js';
import { BinanceWireError, mandatory } from './wire-error.js';

/** An API key the local exchange accepts: HMAC (`secret`) or Ed25519/RSA (`publicKeyPem`). */
export type LocalApiKey = { apiKey: string; secret: string } | { apiKey: string; publicKeyPem: string };

type Verifier = (payload: Buffer, signature: string) => boolean;

/** The raw request as it arrived, for signature checks. */
export interface RawRequest {
  /** Value of the `X-MBX-APIKEY` header, if sent. */
  apiKey: string | undefined;
  /** Raw query string (without `?`). */
  query: string;
  /** Raw body. */
  body: string;
}

function withoutSignature(raw: string): string {
  if (raw === '') return raw;
  return raw
    .split('&')
    .filter((pair) => !pair.startsWith('signature='))
    .join('&');
}

/** The keys of one local exchange and the checks Binance runs on signed requests. */
export class KeyRing {
  private readonly keys = new Map<string, Verifier>();

  /** @throws TypeError on an empty key or an unreadable public key. */
  constructor(keys: readonly LocalApiKey[]) {
    for (const k of keys) {
      if (typeof k.apiKey !== 'string' || k.apiKey === '') throw new TypeError('local api key: apiKey must be a non-empty string');
      if ('secret' in k) {
        const secret = Buffer.from(k.secret, 'utf8');
        this.keys.set(k.apiKey, (payload, signature) => {
          const expected = Buffer.from(createHmac('sha256', secret).update(payload).digest('hex'), 'utf8');
          const got = Buffer.from(signature.toLowerCase(), 'utf8');
          return got.length === expected.length && timingSafeEqual(got, expected);
        });
      } else {
        const pub: KeyObject = createPublicKey(k.publicKeyPem);
        const algorithm = pub.asymmetricKeyType === 'rsa' ? 'sha256' : null;
        this.keys.set(k.apiKey, (payload, signature) => {
          if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
          return verify(algorithm, payload, pub, Buffer.from(signature, 'base64'));
        });
      }
    }
  }

  /**
   * Checks a request that needs only the API key (USER_STREAM).
   * @throws BinanceWireError 401 `-2014` without the header, `-2015` for an unknown key.
   */
  checkKey(apiKey: string | undefined): Verifier {
    if (apiKey === undefined || apiKey === '') throw new BinanceWireError(401, -2014, 'API-key format invalid.');
    const verifier = this.keys.get(apiKey);
    if (!verifier) throw new BinanceWireError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    return verifier;
  }

  /**
   * Checks a SIGNED (TRADE / USER_DATA) request, in Binance's order: API key, mandatory
   * `signature` and `timestamp`, `recvWindow` (Spot: up to three decimals; UM: integer; at most
   * 60000), the timing rule against `serverTime`, then the signature itself.
   *
   * @throws BinanceWireError `-2014`/`-2015` (401), `-1102`, `-1131`, `-1021` or `-1022` (400).
   */
  verify(product: BinanceProduct, raw: RawRequest, params: RequestParams, serverTime: number): void {
    const verifier = this.checkKey(raw.apiKey);
    const signature = params.opt('signature');
    if (signature === undefined) throw mandatory('signature');
    const ts = params.opt('timestamp');
    if (ts === undefined || !/^\d{1,16}$/.test(ts)) throw mandatory('timestamp');
    const timestamp = Number(ts);
    const rw = params.opt('recvWindow');
    let recvWindow = 5000;
    if (rw !== undefined) {
      const ok = product === 'spot' ? /^\d{1,5}(\.\d{1,3})?$/.test(rw) : /^\d{1,5}$/.test(rw);
      if (!ok) throw mandatory('recvWindow');
      recvWindow = Number(rw);
      if (recvWindow > MAX_RECV_WINDOW_MS) throw new BinanceWireError(400, -1131, `recvWindow must be less than ${MAX_RECV_WINDOW_MS}.`);
    }
    if (timestamp >= serverTime + 1000) {
      throw new BinanceWireError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
    }
    if (serverTime - timestamp > recvWindow) {
      throw new BinanceWireError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
    }
    const payload = Buffer.from(withoutSignature(raw.query) + withoutSignature(raw.body), 'utf8');
    if (!verifier(payload, signature)) throw new BinanceWireError(400, -1022, 'Signature for this request is not valid.');
  }
}
