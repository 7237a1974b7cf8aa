import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { ValidationError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { encodeMaxQuery, MaxSigner, payloadJson } from './signing.js';

const ACCESS = 'ak-test-0123456789';
const SECRET = 'sk-test-abcdefghijklmnop';
const NONCE = 1728011555080;

// Computed here with node:crypto from the documented recipe, independently of the signer.
const b64 = (json: string): string => Buffer.from(json, 'utf8').toString('base64');
const hmac = (text: string): string => createHmac('sha256', SECRET).update(text).digest('hex');

describe('MaxSigner.sign', () => {
  const signer = new MaxSigner({ accessKey: ACCESS, secretKey: SECRET });

  it('GET: params and nonce in the query, payload with sorted keys incl. path, hex HMAC over the base64 text', () => {
    const signed = signer.sign({ method: 'GET', path: '/api/v3/wallet/spot/accounts', params: { currency: 'usdt' }, nonce: NONCE });
    const payload = b64('{"currency":"usdt","nonce":1728011555080,"path":"/api/v3/wallet/spot/accounts"}');
    expect(signed).toEqual({
      headers: {
        'X-MAX-ACCESSKEY': ACCESS,
        'X-MAX-PAYLOAD': payload,
        'X-MAX-SIGNATURE': hmac(payload),
        'Content-Type': 'application/json',
      },
      query: 'currency=usdt&nonce=1728011555080',
      body: undefined,
    });
    expect(payload).toBe('eyJjdXJyZW5jeSI6InVzZHQiLCJub25jZSI6MTcyODAxMTU1NTA4MCwicGF0aCI6Ii9hcGkvdjMvd2FsbGV0L3Nwb3QvYWNjb3VudHMifQ==');
  });

  it('POST: JSON body of the params then nonce, no query; the payload adds path and sorts keys', () => {
    const params = { market: 'btctwd', side: 'buy', volume: '0.01', price: '30000', ord_type: 'limit', client_oid: 'abc-1', group_id: undefined };
    const signed = signer.sign({ method: 'POST', path: '/api/v3/wallet/spot/order', params, nonce: NONCE });
    const payload = b64(
      '{"client_oid":"abc-1","market":"btctwd","nonce":1728011555080,"ord_type":"limit","path":"/api/v3/wallet/spot/order","price":"30000","side":"buy","volume":"0.01"}',
    );
    expect(signed.headers['X-MAX-PAYLOAD']).toBe(payload);
    expect(signed.headers['X-MAX-SIGNATURE']).toBe(hmac(payload));
    expect(signed.query).toBe('');
    expect(signed.body).toBe('{"market":"btctwd","side":"buy","volume":"0.01","price":"30000","ord_type":"limit","client_oid":"abc-1","nonce":1728011555080}');
  });

  it('DELETE with a numeric id keeps it a JSON number in body and payload', () => {
    const signed = signer.sign({ method: 'DELETE', path: '/api/v3/order', params: { id: 1234567890 }, nonce: NONCE });
    const payload = b64('{"id":1234567890,"nonce":1728011555080,"path":"/api/v3/order"}');
    expect(signed.headers['X-MAX-PAYLOAD']).toBe(payload);
    expect(signed.headers['X-MAX-SIGNATURE']).toBe(hmac(payload));
    expect(signed.body).toBe('{"id":1234567890,"nonce":1728011555080}');
  });

  it('GET without params signs just nonce and path', () => {
    const signed = signer.sign({ method: 'GET', path: '/api/v3/info', nonce: 1 });
    expect(signed.query).toBe('nonce=1');
    expect(Buffer.from(signed.headers['X-MAX-PAYLOAD'] as string, 'base64').toString('utf8')).toBe('{"nonce":1,"path":"/api/v3/info"}');
  });

  it('refuses reserved params, bad nonces and paths with a query', () => {
    expect(() => signer.sign({ method: 'GET', path: '/api/v3/info', params: { nonce: 5 }, nonce: 1 })).toThrow(ValidationError);
    expect(() => signer.sign({ method: 'GET', path: '/api/v3/info', params: { path: 'x' }, nonce: 1 })).toThrow(/RESERVED_PARAM/);
    expect(() => signer.sign({ method: 'GET', path: '/api/v3/info', nonce: 1.5 })).toThrow(/INVALID_NONCE/);
    expect(() => signer.sign({ method: 'GET', path: '/api/v3/info', nonce: 0 })).toThrow(/INVALID_NONCE/);
    expect(() => signer.sign({ method: 'GET', path: '/api/v3/info?x=1', nonce: 1 })).toThrow(/INVALID_PATH/);
    expect(() => signer.sign({ method: 'GET', path: 'api/v3/info', nonce: 1 })).toThrow(/INVALID_PATH/);
  });
});

describe('MaxSigner.wsAuthFields', () => {
  it('signs the nonce text only: hex(HMAC-SHA256(secret, String(nonce)))', () => {
    const signer = new MaxSigner({ accessKey: ACCESS, secretKey: SECRET });
    expect(signer.wsAuthFields(1591690054859)).toEqual({ apiKey: ACCESS, nonce: 1591690054859, signature: hmac('1591690054859') });
    expect(signer.hmacHex('abc')).toBe(hmac('abc'));
  });
});

describe('secrets', () => {
  const signer = new MaxSigner({ accessKey: ACCESS, secretKey: SECRET });

  it('never shows the secret or the access key in JSON, inspect or String()', () => {
    for (const view of [JSON.stringify(signer), inspect(signer, { showHidden: true, depth: 5 }), String(signer)]) {
      expect(view).not.toContain(SECRET);
      expect(view).not.toContain(ACCESS);
    }
    expect(JSON.stringify(signer)).toBe('{"venue":"max","accessKey":"[REDACTED]"}');
    expect(String(signer)).toBe('MaxSigner([REDACTED])');
  });

  it('rejects missing credentials without quoting them', () => {
    const attempt = (c: unknown): unknown => {
      try {
        new MaxSigner(c as { accessKey: string; secretKey: string });
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const err = attempt({ accessKey: ACCESS, secretKey: '' }) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('INVALID_CREDENTIALS');
    expect(err.message).toBe('[INVALID_CREDENTIALS] secretKey: expected a non-empty string');
    expect(JSON.stringify(err.toJSON())).not.toContain(ACCESS);
    expect((attempt({ secretKey: SECRET }) as ValidationError).issues).toEqual([{ path: 'accessKey', message: 'expected a non-empty string' }]);
  });
});

describe('encodeMaxQuery and payloadJson', () => {
  it('encodes arrays as key[]= pairs and skips undefined', () => {
    expect(encodeMaxQuery({ markets: ['btctwd', 'ethtwd'], limit: 5, x: undefined, q: 'a b&c' })).toBe(
      'markets%5B%5D=btctwd&markets%5B%5D=ethtwd&limit=5&q=a%20b%26c',
    );
    expect(encodeMaxQuery(undefined)).toBe('');
  });

  it('sorts payload keys alphabetically', () => {
    expect(payloadJson('/api/v3/order', { z: '1', a: 2, sort_by_price: true }, 7)).toBe('{"a":2,"nonce":7,"path":"/api/v3/order","sort_by_price":true,"z":"1"}');
  });
});
