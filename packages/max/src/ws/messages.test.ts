import { createHmac } from 'node:crypto';
import { AuthError, ClockSkewError, VenueError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { wsFixture } from '../../test/fixtures/load.js';
import { NonceSource } from '../rest/nonce-source.js';
import { MaxSigner } from '../rest/signing.js';
import {
  authMessage,
  bookSubscription,
  parseMaxWsMessage,
  parseMaxWsText,
  subscribeMessage,
  tickerSubscription,
  toBookSnapshot,
  toSyncSnapshot,
  tradeSubscription,
  unsubscribeMessage,
  wsErrorToChimera,
  type MaxBookEvent,
} from './messages.js';

const RECEIVED = 1_700_000_000_123;
const parse = (name: string, clientOrderId?: string | ((id: string) => string | undefined)) =>
  parseMaxWsMessage(wsFixture(name).message, clientOrderId === undefined ? { receiveTime: RECEIVED } : { receiveTime: RECEIVED, clientOrderId });

describe('builders', () => {
  it('subscribe: the documented JSON exactly', () => {
    const msg = subscribeMessage([bookSubscription('BTCTWD', 1), tradeSubscription('BTCTWD')], 'client1');
    expect(JSON.stringify(msg)).toBe(JSON.stringify(wsFixture('ws-subscribe').message));
    expect(JSON.stringify(msg)).toBe(
      '{"action":"sub","subscriptions":[{"channel":"book","market":"btctwd","depth":1},{"channel":"trade","market":"btctwd"}],"id":"client1"}',
    );
  });

  it('unsubscribe uses `subscriptions` (as the SDK sends it); the id is optional', () => {
    expect(JSON.stringify(unsubscribeMessage([tickerSubscription('USDTTWD'), bookSubscription('USDTTWD')]))).toBe(
      '{"action":"unsub","subscriptions":[{"channel":"ticker","market":"usdttwd"},{"channel":"book","market":"usdttwd"}]}',
    );
    expect(() => bookSubscription('BTCTWD', 3 as 1)).toThrow(/INVALID_DEPTH/);
  });

  it('auth: the documented field order, HMAC over the nonce text, filters', () => {
    const signer = new MaxSigner({ accessKey: 'ak', secretKey: 'sk' });
    const nonces = new NonceSource({ now: () => 1_591_690_054_859 });
    const msg = authMessage(signer, nonces, { id: 'client-id', filters: ['order', 'trade'] });
    const signature = createHmac('sha256', 'sk').update('1591690054859').digest('hex');
    expect(JSON.stringify(msg)).toBe(
      `{"action":"auth","apiKey":"ak","nonce":1591690054859,"signature":"${signature}","id":"client-id","filters":["order","trade"]}`,
    );
    // Same shape as the documented example, apart from the elided key and signature.
    expect(Object.keys(msg).slice(0, 5)).toEqual(Object.keys(wsFixture('ws-auth').message as object));
    // The next auth takes the next nonce, never the same one.
    expect(authMessage(signer, nonces).nonce).toBe(1_591_690_054_860);
    expect(authMessage(signer, nonces, { filters: [] })).not.toHaveProperty('filters');
  });
});

describe('control messages', () => {
  it('subscribed and authenticated acks', () => {
    expect(parse('ws-subscribed')).toEqual({
      kind: 'subscribed',
      id: 'client1',
      subscriptions: [
        { channel: 'book', market: 'btctwd', depth: 1 },
        { channel: 'trade', market: 'btctwd' },
      ],
      ts: 123456789000,
    });
    expect(parse('ws-authenticated')).toEqual({ kind: 'authenticated', id: 'client-id', ts: 1591686735192 });
  });

  it('errors carry their codes and typed error', () => {
    const ev = parse('ws-error');
    expect(ev).toMatchObject({ kind: 'error', id: 'client1', messages: ['E-1004: invalid action'], codes: [1004], ts: 1678096431125 });
    if (ev.kind !== 'error') throw new Error('expected an error event');
    expect([ev.error.code, ev.error.status]).toEqual(['INVALID_REQUEST', 400]);
    expect(wsErrorToChimera(['E-1006: invalid nonce'], [1006])).toBeInstanceOf(ClockSkewError);
    expect(wsErrorToChimera(['E-1012: nonce has already been used'], [1012]).details.reason).toBe('NONCE_USED');
    expect(wsErrorToChimera(['E-1007: authentication failed'], [1007])).toBeInstanceOf(AuthError);
    expect(wsErrorToChimera(['?'], []).code).toBe('WS_ERROR');
    const viaCo = parseMaxWsMessage({ e: 'error', E: ['authentication failed'], co: '1007', T: 1 }, { receiveTime: 0 });
    expect(viaCo.kind === 'error' && viaCo.error).toBeInstanceOf(AuthError);
  });
});

describe('book', () => {
  it('parses the documented snapshot and update with fi/li/v', () => {
    expect(parse('ws-book-snapshot')).toEqual({
      kind: 'book',
      event: 'snapshot',
      symbol: 'BTCUSDT',
      fi: 12141725,
      li: 12141725,
      v: 1725602999632,
      bids: [['5333.3', '0.5']],
      asks: [['5337.3', '0.1']],
      ts: 1591869939634,
    });
    expect(parse('ws-book-update')).toEqual({
      kind: 'book',
      event: 'update',
      symbol: 'BTCUSDT',
      fi: 12141726,
      li: 12141726,
      v: 1725602999632,
      bids: [],
      asks: [['5337.3', '0.01037']],
      ts: 1591869939634,
    });
  });

  it('converts a snapshot for the sync driver and to a core BookSnapshot', () => {
    const ev = parse('ws-book-snapshot') as MaxBookEvent;
    expect(toSyncSnapshot(ev)).toEqual({ sequence: 12141725, v: 1725602999632, bids: [['5333.3', '0.5']], asks: [['5337.3', '0.1']] });
    expect(toBookSnapshot(ev, RECEIVED)).toEqual({
      venue: 'max',
      market: 'SPOT',
      symbol: 'BTCUSDT',
      sequence: 12141725,
      bids: [{ price: '5333.3', qty: '0.5' }],
      asks: [{ price: '5337.3', qty: '0.1' }],
      eventTime: 1591869939634,
      receiveTime: RECEIVED,
    });
  });

  it('fails loudly on a book message without its continuity fields', () => {
    expect(() => parseMaxWsMessage({ c: 'book', e: 'update', M: 'btcusdt', a: [], b: [], T: 1 }, { receiveTime: 0 })).toThrow(VenueError);
  });
});

describe('ticker and trades', () => {
  it('ticker: 24 h figures (the documented T is a placeholder, read as seconds)', () => {
    expect(parse('ws-ticker')).toEqual({
      kind: 'ticker',
      event: 'snapshot',
      symbol: 'BTCTWD',
      open: '280007.1',
      high: '280017.2',
      low: '280005.3',
      close: '280004.5',
      volume: '71.01',
      volumeInBtc: undefined,
      ts: 123456789000,
    });
  });

  it('trades: trend up reads as a BUY taker; ids are <T>-<index>', () => {
    expect(parse('ws-trade')).toEqual({
      kind: 'trades',
      event: 'update',
      symbol: 'BTCTWD',
      trades: [
        {
          venue: 'max',
          market: 'SPOT',
          symbol: 'BTCTWD',
          tradeId: '123456789000-0',
          price: '5337.3',
          qty: '0.1',
          takerSide: 'BUY',
          eventTime: 123456789000,
          receiveTime: RECEIVED,
        },
      ],
      ts: 123456789000,
    });
    const down = parseMaxWsMessage(
      { c: 'trade', e: 'snapshot', M: 'btctwd', t: [{ p: '1', v: '2', T: 1_700_000_000_000, tr: 'down' }, { p: '1', v: '3', T: 1_700_000_000_000, tr: 'up' }], T: 1_700_000_000_001 },
      { receiveTime: 5 },
    );
    expect(down.kind === 'trades' && down.trades.map((t) => [t.tradeId, t.takerSide])).toEqual([
      ['1700000000000-0', 'SELL'],
      ['1700000000000-1', 'BUY'],
    ]);
  });
});

describe('private channels', () => {
  it('order snapshot (documented example) → core orders', () => {
    expect(parse('ws-order-snapshot')).toEqual({
      kind: 'orders',
      event: 'snapshot',
      orders: [
        {
          venue: 'max',
          market: 'SPOT',
          symbol: 'ETHTWD',
          clientOrderId: 'client-oid-1',
          venueOrderId: '87',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          postOnly: false,
          reduceOnly: false,
          price: '21499',
          qty: '0.2658',
          filledQty: '0.2658',
          avgPrice: '21499',
          status: 'FILLED',
          createdAt: 1659419048000,
          updatedAt: 1659419048406,
        },
      ],
      ts: 1521726960357,
    });
  });

  it('order update without client oid: synthetic id, post-only, partially filled', () => {
    const ev = parse('ws-order-update');
    expect(ev.kind === 'orders' && ev.orders.map((o) => [o.clientOrderId, o.side, o.type, o.postOnly, o.timeInForce, o.status, o.filledQty, o.avgPrice])).toEqual([
      ['max:88', 'SELL', 'LIMIT', true, 'GTX', 'PARTIALLY_FILLED', '0.6', '21600'],
    ]);
  });

  it('trade snapshot (documented example) → fills, client order id resolved by order id', () => {
    expect(parse('ws-trade-snapshot', (id) => (id === '3253823664' ? 'abc-1' : undefined))).toEqual({
      kind: 'fills',
      event: 'snapshot',
      fills: [
        {
          venue: 'max',
          market: 'SPOT',
          symbol: 'ETHTWD',
          tradeId: '68444',
          venueOrderId: '3253823664',
          clientOrderId: 'abc-1',
          side: 'BUY',
          price: '21499',
          qty: '0.2658',
          fee: '3.2',
          feeAsset: 'TWD',
          isMaker: true,
          ts: 1659216053748,
        },
      ],
      ts: 1659412100259,
    });
    const unresolved = parse('ws-trade-snapshot');
    expect(unresolved.kind === 'fills' && unresolved.fills[0]?.clientOrderId).toBe('max:3253823664');
  });

  it('account update (documented example) → balances', () => {
    expect(parse('ws-account-update')).toEqual({
      kind: 'balances',
      event: 'update',
      balances: [{ venue: 'max', market: 'SPOT', asset: 'BTC', free: '123.4', locked: '0.5' }],
      ts: 1659412100181,
    });
  });
});

describe('everything else', () => {
  it('ignores channels the adapter does not use', () => {
    expect(parseMaxWsMessage({ c: 'user', e: 'mwallet_order_update', o: [], T: 1 }, { receiveTime: 0 })).toEqual({
      kind: 'ignored',
      channel: 'user',
      event: 'mwallet_order_update',
    });
    expect(parseMaxWsMessage({ c: 'kline', e: 'update', M: 'btctwd', k: {}, T: 1 }, { receiveTime: 0 }).kind).toBe('ignored');
    expect(parseMaxWsMessage({ e: 'pong' }, { receiveTime: 0 })).toEqual({ kind: 'ignored', channel: undefined, event: 'pong' });
  });

  it('parses text frames and refuses non-JSON', () => {
    expect(parseMaxWsText('{"e":"authenticated","i":"x","T":1591686735192}', { receiveTime: 0 })).toEqual({ kind: 'authenticated', id: 'x', ts: 1591686735192 });
    expect(() => parseMaxWsText('not json', { receiveTime: 0 })).toThrow(/UNEXPECTED_RESPONSE/);
    expect(() => parseMaxWsMessage('text', { receiveTime: 0 })).toThrow(VenueError);
  });
});
