import { generateKeyPairSync, verify } from 'node:crypto';
import { inspect } from 'node:util';
import { ValidationError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { API_KEY_HEADER, createSigner, encodeParams, percentEncode } from './signing.js';

// Binance's documented example keys (Spot "Request Security" page, 2026-01-15 version; UM
// "General Info" page). They are public illustration keys, not credentials.
const SPOT_DOC = {
  apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
  secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
};
const UM_DOC = {
  apiKey: 'dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83',
  secret: '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9',
};

const spotOrder = { symbol: 'LTCBTC', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '0.1' };

describe('percentEncode', () => {
  it('encodes non-ASCII as upper-case UTF-8 escapes, as in the Spot example', () => {
    expect(percentEncode('１２３４５６')).toBe('%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96');
  });

  it('leaves the RFC 3986 unreserved set alone and encodes the rest, including !\'()*', () => {
    expect(percentEncode('AZaz09-_.~')).toBe('AZaz09-_.~');
    expect(percentEncode(`!'()* /+=&:`)).toBe('%21%27%28%29%2A%20%2F%2B%3D%26%3A');
    expect(percentEncode('["BTCUSDT","ETHUSDT"]')).toBe('%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D');
  });

  it('joins parameters in insertion order', () => {
    expect(encodeParams({ b: '2', a: 'x y' })).toBe('b=2&a=x%20y');
    expect(encodeParams({})).toBe('');
  });
});

describe('createSigner (HMAC-SHA256)', () => {
  it('reproduces the documented Spot signature for the ASCII example', () => {
    const signer = createSigner(SPOT_DOC);
    expect(signer.keyType).toBe('HMAC_SHA256');
    expect(signer.signQuery(spotOrder, { product: 'spot', timestamp: 1499827319559, recvWindow: 5000 })).toBe(
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559' +
        '&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71'
    );
  });

  it('percent-encodes before signing: the documented non-ASCII Spot example (2026-01-15 rule)', () => {
    const signer = createSigner(SPOT_DOC);
    expect(signer.signQuery({ ...spotOrder, symbol: '１２３４５６' }, { product: 'spot', timestamp: 1499827319559, recvWindow: 5000 })).toBe(
      'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1' +
        '&recvWindow=5000&timestamp=1499827319559&signature=e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3'
    );
  });

  it('reproduces the documented USDⓈ-M signature (parameters in the documented order)', () => {
    const signer = createSigner(UM_DOC);
    const params = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '1', price: '9000', timeInForce: 'GTC' };
    expect(signer.signQuery(params, { product: 'um', timestamp: 1591702613943, recvWindow: 5000 })).toBe(
      'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943' +
        '&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9'
    );
  });

  it('signs the documented mixed query+body payload (no & between them)', () => {
    const signer = createSigner(SPOT_DOC);
    expect(signer.sign('symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559')).toBe(
      '0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77'
    );
  });

  it('omits recvWindow when not given and signs parameterless requests', () => {
    const signer = createSigner(SPOT_DOC);
    // Binance's signature-examples repository hashes exactly "timestamp=1578963600000" with this
    // key; the expected value is `openssl dgst -sha256 -hmac <secret>` of that string.
    expect(signer.signQuery({}, { product: 'spot', timestamp: 1578963600000 })).toBe(
      'timestamp=1578963600000&signature=d84e6641b1e328e7b418fff030caed655c266299c9355e36ce801ed14631eed4'
    );
  });

  it('accepts a microsecond recvWindow on Spot and refuses it on UM', () => {
    const signer = createSigner(SPOT_DOC);
    expect(signer.signQuery({}, { product: 'spot', timestamp: 1, recvWindow: 6000.346 }).startsWith('recvWindow=6000.346&timestamp=1&')).toBe(true);
    expect(() => signer.signQuery({}, { product: 'um', timestamp: 1, recvWindow: 6000.5 })).toThrow(ValidationError);
    expect(() => signer.signQuery({}, { product: 'spot', timestamp: 1, recvWindow: 6000.1234 })).toThrow(/three decimals/);
    expect(() => signer.signQuery({}, { product: 'spot', timestamp: 1, recvWindow: 60001 })).toThrow(/recvWindow/);
    expect(() => signer.signQuery({}, { product: 'spot', timestamp: 1, recvWindow: 0 })).toThrow(/recvWindow/);
  });

  it('rejects a bad timestamp and signer-owned parameters', () => {
    const signer = createSigner(SPOT_DOC);
    expect(() => signer.signQuery({}, { product: 'spot', timestamp: 1.5 })).toThrow(/timestamp/);
    expect(() => signer.signQuery({}, { product: 'spot', timestamp: -1 })).toThrow(/timestamp/);
    try {
      signer.signQuery({ signature: 'x' }, { product: 'spot', timestamp: 1 });
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).code).toBe('RESERVED_PARAM');
    }
  });

  it('gives the API key header', () => {
    expect(createSigner(SPOT_DOC).headers()).toEqual({ [API_KEY_HEADER]: SPOT_DOC.apiKey });
    expect(API_KEY_HEADER).toBe('X-MBX-APIKEY');
  });

  it('never shows the secret or the API key through JSON, inspect or String()', () => {
    const signer = createSigner(SPOT_DOC);
    const views = [JSON.stringify(signer), inspect(signer, { showHidden: true, depth: 5 }), String(signer), JSON.stringify({ ...signer })];
    for (const view of views) {
      expect(view).not.toContain(SPOT_DOC.secret);
      expect(view).not.toContain(SPOT_DOC.apiKey);
    }
    expect(JSON.parse(JSON.stringify(signer))).toEqual({ keyType: 'HMAC_SHA256', apiKey: '[REDACTED]' });
    expect(String(signer)).toBe('BinanceSigner(HMAC_SHA256)');
  });

  it('refuses empty credentials without echoing them', () => {
    expect(() => createSigner({ apiKey: '', secret: 'abc' })).toThrow(/apiKey/);
    expect(() => createSigner({ apiKey: 'k', secret: ' ' })).toThrow(/secret/);
  });
});

describe('createSigner (asymmetric keys)', () => {
  it('signs with Ed25519: base64 over the encoded payload, percent-encoded and last', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const signer = createSigner({ apiKey: 'ed-key', privateKeyPem: pem });
    expect(signer.keyType).toBe('ED25519');
    const query = signer.signQuery(
      { symbol: '１２３４５６', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '0.2' },
      { product: 'spot', timestamp: 1668481559918, recvWindow: 5000 }
    );
    const payload =
      'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&recvWindow=5000&timestamp=1668481559918';
    expect(query.startsWith(`${payload}&signature=`)).toBe(true);
    const encoded = query.slice(`${payload}&signature=`.length);
    expect(encoded).not.toMatch(/[+/=]/);
    const signature = Buffer.from(decodeURIComponent(encoded), 'base64');
    expect(signature).toHaveLength(64);
    expect(verify(null, Buffer.from(payload), publicKey, signature)).toBe(true);
    // Ed25519 is deterministic: the same payload gives the same signature.
    expect(signer.sign(payload)).toBe(signature.toString('base64'));
  });

  it('signs with RSA (PKCS#1 v1.5, SHA-256)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signer = createSigner({ apiKey: 'rsa-key', privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    expect(signer.keyType).toBe('RSA');
    const payload = 'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918&recvWindow=5000';
    expect(verify('sha256', Buffer.from(payload), publicKey, Buffer.from(signer.sign(payload), 'base64'))).toBe(true);
  });

  it('keeps the private key out of every view', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const body = pem.split('\n')[1] ?? '';
    const signer = createSigner({ apiKey: 'ed-key', privateKeyPem: pem });
    for (const view of [JSON.stringify(signer), inspect(signer, { showHidden: true }), String(signer)]) {
      expect(view).not.toContain(body);
      expect(view).not.toContain('ed-key');
    }
  });

  it('refuses unreadable and unsupported keys with a secret-free error', () => {
    const garbage = '-----BEGIN PRIVATE KEY-----\nTUlJQ0lnb29vb29vb29v\n-----END PRIVATE KEY-----';
    try {
      createSigner({ apiKey: 'k', privateKeyPem: garbage });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('INVALID_CREDENTIALS');
      expect((err as Error).message).not.toContain('TUlJQ0lnb29vb29vb29v');
      expect((err as Error).cause).toBeUndefined();
    }
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(() => createSigner({ apiKey: 'k', privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() })).toThrow(
      /Ed25519 or RSA/
    );
  });
});
