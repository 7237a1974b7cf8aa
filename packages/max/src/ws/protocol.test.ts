import { createHmac } from 'node:crypto';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { VenueProtocol } from '@chimera/core';
import { wsFixture } from '../../test/fixtures/load.js';
import { NonceSource } from '../rest/nonce-source.js';
import { MaxSigner } from '../rest/signing.js';
import { createMaxProtocol, maxStream, parseMaxStream, type MaxVenueProtocol } from './protocol.js';

describe('createMaxProtocol', () => {
  it('fits the core VenueProtocol contract', () => {
    expectTypeOf<MaxVenueProtocol>().toExtend<VenueProtocol>();
  });

  it('subscribes every stream in one message, with the configured book depth', () => {
    const p = createMaxProtocol({ bookDepth: 5 });
    expect(p.subscribeMessages([maxStream('book', 'USDTTWD'), 'ticker:BTCTWD', 'trade:BTCTWD'])).toEqual([
      '{"action":"sub","subscriptions":[{"channel":"book","market":"usdttwd","depth":5},{"channel":"ticker","market":"btctwd"},{"channel":"trade","market":"btctwd"}]}',
    ]);
    expect(p.unsubscribeMessages(['book:USDTTWD'])).toEqual(['{"action":"unsub","subscriptions":[{"channel":"book","market":"usdttwd","depth":5}]}']);
    expect(p.subscribeMessages([])).toEqual([]);
    expect(() => p.subscribeMessages(['depth:BTCTWD'])).toThrow(/INVALID_STREAM/);
    expect(createMaxProtocol().subscribeMessages(['book:BTCTWD'])).toEqual(['{"action":"sub","subscriptions":[{"channel":"book","market":"btctwd"}]}']);
  });

  it('opens with auth (fresh nonce each connection) only when credentials are given', () => {
    let now = 1_700_000_000_000;
    const p = createMaxProtocol({
      auth: { signer: new MaxSigner({ accessKey: 'ak', secretKey: 'sk' }), nonces: new NonceSource({ now: () => now }), filters: ['order', 'trade', 'account'] },
    });
    const sig = (n: number): string => createHmac('sha256', 'sk').update(String(n)).digest('hex');
    expect(p.openMessages()).toEqual([
      `{"action":"auth","apiKey":"ak","nonce":1700000000000,"signature":"${sig(1_700_000_000_000)}","filters":["order","trade","account"]}`,
    ]);
    now += 5;
    expect(JSON.parse(p.openMessages()[0] as string).nonce).toBe(1_700_000_000_005);
    expect(createMaxProtocol().openMessages()).toEqual([]);
  });

  it('tells control from data, routes by channel and market, sequences books by li', () => {
    const p = createMaxProtocol();
    expect(p.controlKind(wsFixture('ws-subscribed').message)).toBe('ack');
    expect(p.controlKind(wsFixture('ws-authenticated').message)).toBe('ack');
    expect(p.controlKind(wsFixture('ws-error').message)).toBe('other');
    expect(p.controlKind(wsFixture('ws-book-update').message)).toBeUndefined();
    expect(p.streamOf(wsFixture('ws-book-update').message)).toBe('book:BTCUSDT');
    expect(p.streamOf(wsFixture('ws-ticker').message)).toBe('ticker:BTCTWD');
    expect(p.streamOf(wsFixture('ws-trade').message)).toBe('trade:BTCTWD');
    expect(p.streamOf(wsFixture('ws-order-snapshot').message)).toBe('user');
    expect(p.streamOf(wsFixture('ws-error').message)).toBeUndefined();
    expect(p.sequenceOf(wsFixture('ws-book-update').message, 'book:BTCUSDT')).toBe(12141726);
    expect(p.sequenceOf(wsFixture('ws-trade').message, 'trade:BTCTWD')).toBeUndefined();
  });

  it('pings inside 130 s and throttles within 20/s and 200/min', () => {
    const p = createMaxProtocol();
    expect(p.clientPing).toEqual({ intervalMs: 30_000 });
    expect(p.maxMessagesPerSecond).toBe(3);
    expect(p.maxConnectAttemptsPer).toEqual({ count: 600, windowMs: 3_600_000 });
    expect(() => createMaxProtocol({ pingIntervalMs: 130_000 })).toThrow(/INVALID_PING_INTERVAL/);
  });

  it('stream keys round-trip', () => {
    expect(parseMaxStream('book:USDTTWD')).toEqual({ channel: 'book', symbol: 'USDTTWD' });
    expect(() => parseMaxStream('book:usdttwd')).toThrow(/INVALID_STREAM/);
  });
});
