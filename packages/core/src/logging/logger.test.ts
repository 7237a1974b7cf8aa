import { describe, expect, it } from 'vitest';
import { MemoryLogger, redact, redactingLogger, redactString } from './logger.js';

describe('redaction', () => {
  it('redacts secret keys at any depth and inline secrets in strings', () => {
    const out = redact({
      apiKey: 'AKIA123',
      nested: { secretKey: 's3cr3t', list: [{ signature: 'abcdef' }] },
      url: '/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=deadbeef',
      headers: { 'X-MBX-APIKEY': 'k', 'content-type': 'json' },
      qty: '0.001',
    });
    const text = JSON.stringify(out);
    for (const s of ['AKIA123', 's3cr3t', 'abcdef', 'deadbeef', '"k"']) expect(text).not.toContain(s);
    expect(text).toContain('symbol=BTCUSDT');
    expect(text).toContain('0.001');
  });

  it('strips inline secrets from messages', () => {
    expect(redactString('failed: apiKey=XYZ&x=1')).toBe('failed: apiKey=[REDACTED]&x=1');
    expect(redactString('{"secret":"abc"}')).toBe('{"secret":"[REDACTED]"}');
  });

  it('handles cycles and errors', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', self: '[Circular]' });
    const e = Object.assign(new Error('bad signature=123'), { code: 'X' });
    expect(redact({ err: e })).toEqual({ err: { name: 'Error', message: 'bad signature=[REDACTED]', code: 'X' } });
  });

  it('redactingLogger never lets a secret through, children included', () => {
    const mem = new MemoryLogger();
    const log = redactingLogger(mem).child({ apiSecret: 'zzz', venue: 'binance' });
    log.info({ request: { signature: 'sig', path: '/x' } }, 'sent token=tok');
    log.warn('listenKey=LK1');
    const dump = mem.dump();
    for (const s of ['zzz', '"sig"', 'tok"', 'LK1']) expect(dump).not.toContain(s);
    expect(dump).toContain('binance');
    expect(mem.records).toHaveLength(2);
  });
});

describe('venue credential headers', () => {
  it('redacts MAX and Binance credential headers', () => {
    const out = JSON.stringify(redact({ headers: { 'X-MAX-ACCESSKEY': 'ak1', 'X-MAX-PAYLOAD': 'p1', 'X-MAX-SIGNATURE': 's1', 'X-MBX-APIKEY': 'k1' }, accessKey: 'ak2' }));
    for (const secret of ['ak1', 'p1', 's1', 'k1', 'ak2']) expect(out).not.toContain(`"${secret}"`);
  });
});
