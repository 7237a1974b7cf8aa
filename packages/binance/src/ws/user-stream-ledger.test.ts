import type { Fill, Order } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { UserStreamLedger } from './user-stream-ledger.js';

const order = (status: Order['status'], filledQty: string, updatedAt: number, venueOrderId = '1'): Order => ({
  venue: 'binance',
  market: 'SPOT',
  symbol: 'BTCUSDT',
  clientOrderId: 'c1',
  venueOrderId,
  side: 'BUY',
  type: 'LIMIT',
  postOnly: false,
  reduceOnly: false,
  qty: '2',
  filledQty,
  status,
  createdAt: 1,
  updatedAt,
});
const fill = (tradeId: string, ts: number, symbol = 'BTCUSDT'): Fill => ({
  venue: 'binance',
  market: 'SPOT',
  symbol,
  tradeId,
  venueOrderId: '1',
  clientOrderId: 'c1',
  side: 'BUY',
  price: '1',
  qty: '1',
  fee: '0',
  feeAsset: 'USDT',
  isMaker: true,
  ts,
});

describe('UserStreamLedger', () => {
  it('accepts each fill once per market, symbol and trade id, remembering the latest fill time', () => {
    const l = new UserStreamLedger();
    expect([l.acceptFill(fill('5', 10)), l.acceptFill(fill('5', 10)), l.acceptFill(fill('5', 11, 'ETHUSDT')), l.acceptFill(fill('6', 30))]).toEqual([true, false, true, true]);
    expect(l.lastFillTime('SPOT', 'BTCUSDT')).toBe(30);
    expect(l.symbols('SPOT').sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
  });

  it('accepts an order update only when it is news: more filled, a later status, or a later amendment', () => {
    const l = new UserStreamLedger();
    expect(l.acceptOrder(order('NEW', '0', 5))).toBe(true);
    expect(l.acceptOrder(order('NEW', '0', 5))).toBe(false);
    expect(l.acceptOrder(order('NEW', '0', 6))).toBe(true);
    expect(l.acceptOrder(order('PARTIALLY_FILLED', '1', 7))).toBe(true);
    expect(l.acceptOrder(order('NEW', '0', 8))).toBe(false);
    expect(l.acceptOrder(order('CANCELED', '1', 9))).toBe(true);
    expect(l.acceptOrder(order('CANCELED', '1', 10))).toBe(false);
    expect(l.acceptOrder(order('PARTIALLY_FILLED', '1', 11))).toBe(false);
    expect(l.workingOrders('SPOT')).toEqual([]);
    expect(l.acceptOrder(order('NEW', '0', 1, '2'))).toBe(true);
    expect(l.workingOrders('SPOT').map((w) => [w.order.venueOrderId, w.kind])).toEqual([['2', 'regular']]);
    expect(l.knowsOrder('SPOT', 'BTCUSDT', '2')).toBe(true);
    expect(l.knowsOrder('SPOT', 'BTCUSDT', '2', 'algo')).toBe(false);
  });

  it('forgets the oldest fills and finished orders first when full', () => {
    const l = new UserStreamLedger({ maxFills: 2, maxOrders: 2 });
    l.acceptFill(fill('1', 1));
    l.acceptFill(fill('2', 2));
    l.acceptFill(fill('3', 3));
    expect(l.acceptFill(fill('1', 1))).toBe(true);
    expect(l.acceptFill(fill('3', 3))).toBe(false);
    l.acceptOrder(order('FILLED', '2', 1, 'a'));
    l.acceptOrder(order('NEW', '0', 1, 'b'));
    l.acceptOrder(order('NEW', '0', 1, 'c'));
    expect([l.knowsOrder('SPOT', 'BTCUSDT', 'a'), l.knowsOrder('SPOT', 'BTCUSDT', 'b'), l.knowsOrder('SPOT', 'BTCUSDT', 'c')]).toEqual([false, true, true]);
  });
});
