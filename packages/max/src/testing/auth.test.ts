import { describe, expect, it } from 'vitest';
import { MaxSigner } from '../rest/signing.js';
import { NonceLedger, verifyRestRequest, verifyWsAuth } from './auth.js';
import { MaxWireError } from './wire-error.js';

const NOW = 1_760_000_000_000;

describe('NonceLedger', () => {
  it('unique (MAX: within ±30 s of the server, each nonce once) accepts out-of-order nonces', () => {
    const ledger = new NonceLedger();
    expect(ledger.check('k', NOW + 5, NOW)).toBe('ok');
    expect(ledger.check('k', NOW + 1, NOW)).toBe('ok');
    expect(ledger.check('k', NOW + 1, NOW)).toBe('used');
    expect(ledger.check('other', NOW + 1, NOW)).toBe('ok');
    expect(ledger.check('k', NOW - 30_000, NOW)).toBe('window');
    expect(ledger.check('k', NOW + 29_999, NOW)).toBe('ok');
    expect(ledger.check('k', '123', NOW)).toBe('window');
  });

  it('increasing refuses anything at or below the highest nonce of the key', () => {
    const ledger = new NonceLedger(30_000, 'increasing');
    expect(ledger.check('k', NOW + 5, NOW)).toBe('ok');
    expect(ledger.check('k', NOW + 1, NOW)).toBe('used');
    expect(ledger.check('k', NOW + 6, NOW)).toBe('ok');
  });
});

describe('verifyRestRequest / verifyWsAuth', () => {
  const keys = new Map([['ak', 'sk']]);
  const signer = new MaxSigner({ accessKey: 'ak', secretKey: 'sk' });

  it('accepts what MaxSigner produces and names the failing part otherwise', () => {
    const { headers } = signer.sign({ method: 'POST', path: '/api/v3/order', params: { id: 5 }, nonce: NOW });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verifyRestRequest({ path: '/api/v3/order', headers: lower, params: { id: 5, nonce: NOW } }, keys, new NonceLedger(), NOW)).toBe('ak');
    const code = (fn: () => unknown): number | undefined => {
      try {
        fn();
      } catch (err) {
        return (err as MaxWireError).code;
      }
      return undefined;
    };
    expect(code(() => verifyRestRequest({ path: '/api/v3/order', headers: lower, params: { id: 6, nonce: NOW } }, keys, new NonceLedger(), NOW))).toBe(2014);
    expect(code(() => verifyRestRequest({ path: '/api/v3/orders', headers: lower, params: { id: 5, nonce: NOW } }, keys, new NonceLedger(), NOW))).toBe(2014);
    expect(code(() => verifyRestRequest({ path: '/api/v3/order', headers: { ...lower, 'x-max-signature': '00' }, params: { id: 5, nonce: NOW } }, keys, new NonceLedger(), NOW))).toBe(2005);
    expect(code(() => verifyRestRequest({ path: '/api/v3/order', headers: lower, params: { id: 5, nonce: NOW } }, keys, new NonceLedger(), NOW + 31_000))).toBe(2007);
  });

  it('checks the WebSocket auth signature over the nonce text', () => {
    const fields = signer.wsAuthFields(NOW);
    expect(verifyWsAuth({ ...fields }, keys, new NonceLedger(), NOW)).toEqual({ accessKey: 'ak' });
    expect(verifyWsAuth({ ...fields, nonce: NOW + 1 }, keys, new NonceLedger(), NOW)).toMatchObject({ code: 1007 });
    const ledger = new NonceLedger();
    verifyWsAuth({ ...fields }, keys, ledger, NOW);
    expect(verifyWsAuth({ ...fields }, keys, ledger, NOW)).toMatchObject({ code: 1012 });
    expect(verifyWsAuth({ ...fields }, keys, new NonceLedger(), NOW + 40_000)).toMatchObject({ code: 1006 });
  });
});
