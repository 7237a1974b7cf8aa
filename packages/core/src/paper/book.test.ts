import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PaperBook } from './book.js';

const prices = (b: PaperBook, side: 'bid' | 'ask'): string[] => b.levels(side).map((l) => l.price);

describe('PaperBook', () => {
  it('sorts a snapshot best first, canonicalises prices and drops zero levels', () => {
    const b = new PaperBook('SPOT', 'BTCUSDT');
    b.applySnapshot({
      bids: [['64999.00000000', '1'], ['65000.10000000', '0.5'], ['64998', '0']],
      asks: [{ price: '65002', qty: '2' }, { price: '65001.5', qty: '0.00000000' }, { price: '65001', qty: '3' }],
      sequence: 7,
      eventTime: 123,
    });
    expect(prices(b, 'bid')).toEqual(['65000.1', '64999']);
    expect(prices(b, 'ask')).toEqual(['65001', '65002']);
    expect(b.sequence).toBe(7);
    expect(b.eventTime).toBe(123);
    expect(b.mid()!.toFixed()).toBe('65000.55');
  });

  it('applies absolute diffs: set, replace, remove, and ignores removal of unknown levels', () => {
    const b = new PaperBook('FUT', 'BTCUSDT');
    b.applySnapshot({ bids: [['100', '1'], ['99', '1']], asks: [['101', '1']] });
    b.applyDiff({ bids: [['99.0', '5'], ['98', '2'], ['97', '0'], ['100', '0']], asks: [['102', '4']] });
    expect(b.levels('bid').map((l) => [l.price, l.qty.toFixed()])).toEqual([['99', '5'], ['98', '2']]);
    expect(prices(b, 'ask')).toEqual(['101', '102']);
  });

  it('treats a top-of-book tick as removing every better level', () => {
    const b = new PaperBook('SPOT', 'BTCUSDT');
    b.applySnapshot({ bids: [['100', '1'], ['99', '1'], ['98', '1']], asks: [['101', '1'], ['102', '1']] });
    b.applyTop({ bid: '98.5', bidQty: '3', ask: '101.5', askQty: '2' });
    expect(prices(b, 'bid')).toEqual(['98.5', '98']);
    expect(prices(b, 'ask')).toEqual(['101.5', '102']);
    expect(b.best('bid')!.qty.toFixed()).toBe('3');
  });

  it('depletes a level on consumption and removes it when empty', () => {
    const b = new PaperBook('SPOT', 'BTCUSDT');
    b.applySnapshot({ bids: [], asks: [['101', '1'], ['102', '1']] });
    b.consumeAt('ask', 0, b.best('ask')!.qty.div(4));
    expect(b.best('ask')!.qty.toFixed()).toBe('0.75');
    b.consumeAt('ask', 0, b.best('ask')!.qty);
    expect(prices(b, 'ask')).toEqual(['102']);
    expect(b.isTwoSided()).toBe(false);
    expect(b.top(5)).toEqual({ bids: [], asks: [{ price: '102', qty: '1' }] });
  });

  it('keeps distinct decimals apart even where floats tie', () => {
    const b = new PaperBook('SPOT', 'X');
    const a = '1.00000000000000001';
    const c = '1.00000000000000002';
    expect(Number(a)).toBe(Number(c));
    b.applyDiff({ bids: [[a, '1'], [c, '2']], asks: [] });
    expect(prices(b, 'bid')).toEqual([c, a]);
  });

  it('stays sorted and duplicate-free under random diffs (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 3 })), { maxLength: 80 }),
        (ops) => {
          const b = new PaperBook('SPOT', 'X');
          const model = { bid: new Map<number, number>(), ask: new Map<number, number>() };
          for (const [isBid, p, q] of ops) {
            const side = isBid ? 'bid' : 'ask';
            b.setLevel(side, (p / 4).toFixed(2), String(q));
            if (q === 0) model[side].delete(p);
            else model[side].set(p, q);
          }
          for (const side of ['bid', 'ask'] as const) {
            const want = [...model[side].keys()].sort((x, y) => (side === 'bid' ? y - x : x - y)).map((p) => (p / 4).toFixed(2));
            expect(b.levels(side).map((l) => Number(l.price).toFixed(2))).toEqual(want);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
