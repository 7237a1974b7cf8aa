import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FuturesPosition, marginFor, SpotWallet } from './accounts.js';

describe('SpotWallet', () => {
  it('locks, spends from the lock and releases the rest exactly', () => {
    const w = new SpotWallet({ USDT: '1000' });
    const lock = w.lock('USDT', new Big('650.5'));
    expect([w.get('USDT').free.toFixed(), w.get('USDT').locked.toFixed()]).toEqual(['349.5', '650.5']);
    w.spendLocked(lock, new Big('325.25'));
    expect(w.get('USDT').locked.toFixed()).toBe('325.25');
    w.release(lock);
    // The spent part is gone; the unspent part returns to free funds.
    expect([w.get('USDT').free.toFixed(), w.get('USDT').locked.toFixed()]).toEqual(['674.75', '0']);
    expect(lock.amount.toFixed()).toBe('0');
  });

  it('refuses to lock or debit more than is free, changing nothing', () => {
    const w = new SpotWallet({ BTC: '0.5' });
    expect(() => w.lock('BTC', new Big('0.50001'))).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }));
    expect(() => w.debit('ETH', new Big('1'))).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }));
    expect(w.get('BTC').free.toFixed()).toBe('0.5');
    expect(w.list().map((b) => b.asset)).toEqual(['BTC']);
  });
});

describe('FuturesPosition', () => {
  it('opens, averages, closes partly with realised PnL and flips', () => {
    const p = new FuturesPosition('BTCUSDT', 10, 'ISOLATED');
    p.applyFill('BUY', new Big(1), '100');
    p.applyFill('BUY', new Big(1), '110');
    expect(p.entryPrice()).toBe('105');
    expect(p.margin().toFixed()).toBe('21');
    const r1 = p.applyFill('SELL', new Big('0.5'), '120');
    expect(r1.realized.toFixed()).toBe('7.5');
    expect(p.qty.toFixed()).toBe('1.5');
    const r2 = p.applyFill('SELL', new Big(3), '90');
    expect(r2.closed.toFixed()).toBe('1.5');
    expect(r2.opened.toFixed()).toBe('1.5');
    expect(r2.realized.toFixed()).toBe('-22.5');
    expect(p.qty.toFixed()).toBe('-1.5');
    expect(p.entryPrice()).toBe('90');
    expect(p.unrealized('80').toFixed()).toBe('15');
    expect(p.closable('BUY').toFixed()).toBe('1.5');
    expect(p.closable('SELL').toFixed()).toBe('0');
  });

  it('rounds initial margin up to 8 dp', () => {
    expect(marginFor(new Big('100'), 3).toFixed()).toBe('33.33333334');
  });

  it('realised + unrealised(X) equals Σ signed qty × (X − price) exactly, for any fills (property)', () => {
    const fill = fc.record({
      buy: fc.boolean(),
      qty: fc.integer({ min: 1, max: 5000 }).map((n) => new Big(n).div(1000)),
      price: fc.integer({ min: 100_000, max: 9_000_000 }).map((n) => new Big(n).div(100).toFixed()),
    });
    fc.assert(
      fc.property(fc.array(fill, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 9_000_000 }), (fills, x) => {
        const p = new FuturesPosition('X', 7, 'CROSSED');
        const X = new Big(x).div(100);
        let realized = new Big(0);
        let expected = new Big(0);
        let signedQty = new Big(0);
        for (const f of fills) {
          const before = p.qty;
          realized = realized.plus(p.applyFill(f.buy ? 'BUY' : 'SELL', f.qty, f.price).realized);
          const s = f.buy ? 1 : -1;
          signedQty = signedQty.plus(f.qty.times(s));
          expected = expected.plus(f.qty.times(s).times(X.minus(f.price)));
          expect(p.qty.eq(before.plus(f.qty.times(s)))).toBe(true);
        }
        expect(p.qty.eq(signedQty)).toBe(true);
        expect(realized.plus(p.unrealized(X)).eq(expected)).toBe(true);
        if (p.qty.eq(0)) expect(p.cost.eq(0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
