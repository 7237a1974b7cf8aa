/**
 * Turning a {@link MaxRequest} into the core transport's `RestRequest`, so the venue-neutral
 * `RestClient` (base URL `MAX_REST_BASE_URL`) can send it with MAX's exact encoding and
 * signature.
 *
 * @packageDocumentation
 */
import { StateError, type RestRequest } from '@chimera/core';
import type { NonceSource } from './nonce-source.js';
import type { MaxRequest } from './requests.js';
import { encodeMaxQuery, type MaxSigner } from './signing.js';

/** What a signed request needs: the key's signer and its nonce source. */
export interface MaxAuth {
  /** Signs with the account's key. */
  signer: MaxSigner;
  /** Strictly increasing, server-corrected nonces (one source per key). */
  nonces: NonceSource;
}

/**
 * The core `RestRequest` for one MAX call. Its `sign` hook runs right before every attempt, so
 * each attempt carries a fresh nonce (a resent request with a used nonce would be refused with
 * 2006). For public calls the hook only encodes the query: the core encoder has no `key[]=` array
 * form, which `/tickers` needs.
 *
 * The request's `path` is the full `/api/v3/…` path: give the `RestClient` the bare origin
 * (`https://max-api.maicoin.com`), since MAX signs the full path.
 *
 * @param req - A request from the builders in `requests.ts`.
 * @param auth - Signer and nonce source; required when `req.signed`.
 * @returns A `RestRequest` (weight 1: MAX counts requests, not weights).
 * @throws StateError (`CREDENTIALS_REQUIRED`) when the call is signed and `auth` is missing.
 */
export function toRestRequest(req: MaxRequest, auth?: MaxAuth): RestRequest {
  const base: RestRequest = { method: req.method, path: req.path, kind: req.kind, weight: 1 };
  if (!req.signed) {
    const query = encodeMaxQuery(req.params);
    return { ...base, sign: () => ({ query }) };
  }
  if (!auth) throw new StateError(`${req.method} ${req.path} needs API credentials`, { code: 'CREDENTIALS_REQUIRED' });
  return {
    ...base,
    sign: () => {
      const signed = auth.signer.sign({ method: req.method, path: req.path, params: req.params, nonce: auth.nonces.next() });
      return signed.body === undefined ? { query: signed.query, headers: signed.headers } : { query: signed.query, body: signed.body, headers: signed.headers };
    },
  };
}
