import { EventEmitter } from 'eventemitter3';
import { noopLogger, type Balance, type ConnectorEvents, type Fill, type Order } from '@chimera/core';
import { FakeClock } from '@chimera/core/testing';
import { describe, expect, it } from 'vitest';
import { AccountEventRelay } from './account-events.js';

const order = (over: Partial<Order>): Order => ({
  venue: 'max',
  market: 'SPOT',
  symbol: 'BTCTWD',
  clientOrderId: 'c-1',
  venueOrderId: '11',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
  price: '100',
  qty: '2',
  filledQty: '0',
  status: 'NEW',
  createdAt: 1,
  updatedAt: 1,
  ...over,
});

const fill = (tradeId: string): Fill => ({ venue: 'max', market: 'SPOT', symbol: 'BTCTWD', tradeId, venueOrderId: '11', clientOrderId: 'c-1', side: 'BUY', price: '100', qty: '1', fee: '0', feeAsset: 'BTC', isMaker: true, ts: 2 });

function relay() {
  const events = new EventEmitter<ConnectorEvents>();
  const seen: string[] = [];
  events.on('order', (o) => seen.push(`order ${o.status} ${o.filledQty}`));
  events.on('fill', (f) => seen.push(`fill ${f.tradeId}`));
  events.on('balance', (b: Balance) => seen.push(`balance ${b.asset} ${b.free}/${b.locked}`));
  return { r: new AccountEventRelay(events, noopLogger, 3), seen };
}

describe('AccountEventRelay', () => {
  it('emits each order state once, never going back, and each trade once', () => {
    const { r, seen } = relay();
    r.order(order({}));
    r.order(order({})); // repeat (a snapshot after the update)
    r.order(order({ status: 'PARTIALLY_FILLED', filledQty: '1' }));
    r.fill(fill('t1'));
    r.fill(fill('t1')); // the REST catch-up repeats it
    r.order(order({ status: 'NEW', filledQty: '0' })); // a stale REST answer
    r.order(order({ status: 'FILLED', filledQty: '2' }));
    r.order(order({ status: 'CANCELED', filledQty: '2' })); // nothing follows a terminal state
    expect(seen).toEqual(['order NEW 0', 'order PARTIALLY_FILLED 1', 'fill t1', 'order FILLED 2']);
    expect(r.latest('11')?.status).toBe('FILLED');
    expect(r.openOrders()).toEqual([]);
    expect(r.clientOrderIdOf('11')).toBe('c-1');
  });

  it('emits a balance only when it changed, and remembers client ids of real (not synthetic) ids only', () => {
    const { r, seen } = relay();
    const b = { venue: 'max', market: 'SPOT' as const, asset: 'TWD', free: '10.0', locked: '0' };
    r.balance(b);
    r.balance({ ...b, free: '10' });
    r.balance({ ...b, locked: '1' });
    expect(seen).toEqual(['balance TWD 10.0/0', 'balance TWD 10.0/1']);
    r.remember(order({ venueOrderId: '99', clientOrderId: 'max:99' }));
    expect(r.clientOrderIdOf('99')).toBeUndefined();
  });

  it('wakes a waiter on the next state of its order, else after the timeout', async () => {
    const { r } = relay();
    const clock = new FakeClock(0);
    let woke = 0;
    void r.nextUpdate('11', 1000, clock).then(() => woke++);
    r.order(order({ venueOrderId: '12' }));
    await Promise.resolve();
    expect(woke).toBe(0);
    r.order(order({}));
    await Promise.resolve();
    expect(woke).toBe(1);
    void r.nextUpdate('11', 1000, clock).then(() => woke++);
    clock.advance(1000);
    await Promise.resolve();
    expect(woke).toBe(2);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('forgets the oldest trade ids beyond its capacity', () => {
    const { r, seen } = relay();
    for (const id of ['a', 'b', 'c', 'd']) r.fill(fill(id));
    r.fill(fill('a')); // forgotten (capacity 3): emitted again
    r.fill(fill('d'));
    expect(seen.filter((s) => s.startsWith('fill'))).toEqual(['fill a', 'fill b', 'fill c', 'fill d', 'fill a']);
  });
});
