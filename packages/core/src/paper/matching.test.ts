import Big from 'big.js';
import { describe, expect, it } from 'vitest';
import { PaperBook } from './book.js';
import { planRestingFills, planTradeFills, planWalk, stopTriggered, wouldTake } from './matching.js';

function asks(...levels: Array<[string, string]>): PaperBook {
  const b = new PaperBook('SPOT', 'X');
  b.applySnapshot({ bids: [], asks: levels });
  return b;
}

describe('planWalk', () => {
  const book = asks(['100', '1'], ['101', '2'], ['103', '5']);

  it('walks levels best first and reports each take, the total and the notional', () => {
    const p = planWalk(book.levels('ask'), 'BUY', new Big('2.5'));
    expect(p.takes.map((t) => [t.index, t.price, t.qty.toFixed()])).toEqual([[0, '100', '1'], [1, '101', '1.5']]);
    expect(p.filled.toFixed()).toBe('2.5');
    expect(p.notional.toFixed()).toBe('251.5');
  });

  it('stops at the limit price and when the book runs out', () => {
    expect(planWalk(book.levels('ask'), 'BUY', new Big(10), new Big('101')).filled.toFixed()).toBe('3');
    expect(planWalk(book.levels('ask'), 'BUY', new Big(100)).filled.toFixed()).toBe('8');
  });

  it('cuts the walk at a quote budget, on the quantity step', () => {
    const p = planWalk(book.levels('ask'), 'BUY', new Big(5), undefined, new Big('250'), '0.01');
    // 100 for the first unit, then 150 / 101 = 1.485… → 1.48 on the step.
    expect(p.takes.map((t) => t.qty.toFixed())).toEqual(['1', '1.48']);
    expect(p.notional.lte(250)).toBe(true);
  });
});

describe('wouldTake / stopTriggered', () => {
  it('says when a post-only order would cross', () => {
    const best = asks(['100', '1']).best('ask');
    expect(wouldTake('BUY', new Big('100'), best)).toBe(true);
    expect(wouldTake('BUY', new Big('99.99'), best)).toBe(false);
    expect(wouldTake('BUY', new Big('1000'), undefined)).toBe(false);
  });

  it.each([
    ['STOP_MARKET', 'BUY', '105', true],
    ['STOP_MARKET', 'BUY', '95', false],
    ['STOP_MARKET', 'SELL', '95', true],
    ['STOP_MARKET', 'SELL', '105', false],
    ['TAKE_PROFIT_MARKET', 'SELL', '105', true],
    ['TAKE_PROFIT_MARKET', 'SELL', '95', false],
    ['TAKE_PROFIT_MARKET', 'BUY', '95', true],
    ['STOP_LIMIT', 'BUY', '100', true],
  ] as const)('%s %s with the reference at %s (stop 100) triggers: %s', (type, side, ref, want) => {
    expect(stopTriggered(type, side, new Big(100), new Big(ref))).toBe(want);
  });
});

describe('planRestingFills', () => {
  it('shares the crossing liquidity in price-then-time priority', () => {
    const levels = asks(['99', '1'], ['100', '1'], ['102', '9']).levels('ask');
    const orders = [
      { side: 'BUY' as const, price: new Big('101'), open: new Big('1.5') },
      { side: 'BUY' as const, price: new Big('100'), open: new Big('2') },
      { side: 'BUY' as const, price: new Big('98'), open: new Big('1') },
    ];
    const plan = planRestingFills(orders, levels);
    expect(plan.map((f) => [f.order, f.qty.toFixed(), f.consumed.map(([i, q]) => [i, q.toFixed()])])).toEqual([
      [0, '1.5', [[0, '1'], [1, '0.5']]],
      [1, '0.5', [[1, '0.5']]],
    ]);
  });

  it('plans nothing when the best level does not reach the best order', () => {
    expect(planRestingFills([{ side: 'BUY', price: new Big('98'), open: new Big(1) }], asks(['99', '1']).levels('ask'))).toEqual([]);
  });
});

describe('planTradeFills', () => {
  it('fills only orders priced strictly through the print, up to its quantity', () => {
    const orders = [
      { side: 'BUY' as const, price: new Big('101'), open: new Big('0.4') },
      { side: 'BUY' as const, price: new Big('100.5'), open: new Big('1') },
      { side: 'BUY' as const, price: new Big('100'), open: new Big('1') },
    ];
    const plan = planTradeFills(orders, new Big('100'), new Big('1'));
    expect(plan.map((f) => [f.order, f.qty.toFixed()])).toEqual([[0, '0.4'], [1, '0.6']]);
  });
});
