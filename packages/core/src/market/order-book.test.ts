import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BookSnapshot } from '../domain/market-data.js';
import { ValidationError } from '../errors.js';
import { OrderBook, type BookSide } from './order-book.js';

/** The obvious book: canonical price string → canonical qty string, sorted with big.js on read. */
class ReferenceBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  apply(side: BookSide, price: string, qty: string): void {
    const m = side === 'bid' ? this.bids : this.asks;
    const p = new Big(price).toFixed();
    if (new Big(qty).eq(0)) m.delete(p);
    else m.set(p, new Big(qty).toFixed());
  }
  levels(side: BookSide): Array<{ price: string; qty: string }> {
    const m = side === 'bid' ? this.bids : this.asks;
    const sorted = [...m.entries()].sort(([a], [b]) => new Big(a).cmp(new Big(b)) * (side === 'bid' ? -1 : 1));
    return sorted.map(([price, qty]) => ({ price, qty }));
  }
}

describe('OrderBook', () => {
  it('keeps levels sorted best first and deletes on zero', () => {
    const book = new OrderBook();
    book.apply('bid', '64999.9', '1.5');
    book.apply('bid', '65000.0', '2');
    book.apply('bid', '64999.5', '0.1');
    book.apply('ask', '65000.2', '0.3');
    book.apply('ask', '65000.1', '0.4');
    expect(book.bestBid()).toEqual({ price: '65000', qty: '2' });
    expect(book.bestAsk()).toEqual({ price: '65000.1', qty: '0.4' });
    expect(book.bestBidPrice()).toBe(65000);
    expect(book.bestAskQty()).toBe(0.4);
    expect(book.levels('bid').map((l) => l.price)).toEqual(['65000', '64999.9', '64999.5']);
    expect(book.levels('ask').map((l) => l.price)).toEqual(['65000.1', '65000.2']);
    expect(book.levelCount).toBe(5);

    expect(book.apply('bid', '65000.00000000', '0.00000000')).toBe(true);
    expect(book.bestBid()).toEqual({ price: '64999.9', qty: '1.5' });
    expect(book.apply('bid', '1', '0')).toBe(false);
    expect(book.apply('ask', '65000.1', '0.40')).toBe(true);
    expect(book.bidCount).toBe(2);
    expect(book.askCount).toBe(2);
  });

  it('answers top(n), topOfBook and qtyAt', () => {
    const book = new OrderBook();
    for (let i = 1; i <= 5; i++) {
      book.apply('bid', (100 - i / 10).toFixed(1), `${i}`);
      book.apply('ask', (100 + i / 10).toFixed(1), `${i * 2}`);
    }
    expect(book.top(2)).toEqual({
      bids: [
        { price: '99.9', qty: '1' },
        { price: '99.8', qty: '2' },
      ],
      asks: [
        { price: '100.1', qty: '2' },
        { price: '100.2', qty: '4' },
      ],
    });
    expect(book.topOfBook()).toEqual({ bid: '99.9', bidQty: '1', ask: '100.1', askQty: '2' });
    expect(book.qtyAt('bid', '99.70')).toBe('3');
    expect(book.qtyAt('ask', '99.7')).toBeUndefined();
    expect(book.isCrossed()).toBe(false);
    book.apply('bid', '100.1', '1');
    expect(book.isCrossed()).toBe(true);
  });

  it('reports depth within a band and what a market order would sweep', () => {
    const book = new OrderBook();
    book.applySnapshot({
      bids: [
        ['100', '1'],
        ['99', '2'],
        ['98', '3'],
      ],
      asks: [
        ['101', '1'],
        ['102', '2'],
        ['103', '3'],
      ],
    });
    // mid 100.5; 150 bps band → bids ≥ 98.9925, asks ≤ 102.0075.
    expect(book.depthWithin('bid', 150)).toEqual({ qty: 3, notional: 298, levels: 2 });
    expect(book.depthWithin('ask', 150)).toEqual({ qty: 3, notional: 305, levels: 2 });
    const buy = book.sweep('ask', 2.5);
    expect(buy).toEqual({ filledQty: 2.5, notional: 101 + 1.5 * 102, avgPrice: (101 + 153) / 2.5, worstPrice: 102, levels: 2 });
    const tooBig = book.sweep('bid', 10);
    expect(tooBig.filledQty).toBe(6);
    expect(tooBig.worstPrice).toBe(98);
    expect(new OrderBook().sweep('bid', 1).avgPrice).toBeNaN();
  });

  it('loads a snapshot best-first, in any order, or as BookLevel objects', () => {
    const snapshot: BookSnapshot = {
      venue: 'x',
      market: 'SPOT',
      symbol: 'BTCUSDT',
      sequence: 1,
      bids: [
        { price: '65000.10000000', qty: '1.00000000' },
        { price: '65000.00000000', qty: '0.00000000' },
        { price: '64999.90000000', qty: '2.50000000' },
      ],
      asks: [
        { price: '65000.30000000', qty: '3.00000000' },
        { price: '65000.20000000', qty: '4.00000000' },
        { price: '65000.30000000', qty: '5.00000000' },
      ],
      receiveTime: 0,
    };
    const book = new OrderBook();
    book.apply('bid', '1', '1');
    book.applySnapshot(snapshot);
    expect(book.levels('bid')).toEqual([
      { price: '65000.1', qty: '1' },
      { price: '64999.9', qty: '2.5' },
    ]);
    // Unsorted with a duplicate: the last one wins.
    expect(book.levels('ask')).toEqual([
      { price: '65000.2', qty: '4' },
      { price: '65000.3', qty: '5' },
    ]);
  });

  it('refuses non-numeric input and never half-loads a snapshot', () => {
    const book = new OrderBook();
    expect(() => book.apply('bid', 'abc', '1')).toThrow(ValidationError);
    expect(() => book.apply('bid', '1', '')).toThrow(/finite/);
    expect(() => book.apply('bid', '1', '-1')).toThrow(ValidationError);
    expect(() => book.apply('ask', 'Infinity', '1')).toThrow(ValidationError);
    book.apply('bid', '5', '1');
    expect(() =>
      book.applySnapshot({
        bids: [['1', '1']],
        asks: [['x', '1']],
      }),
    ).toThrow(ValidationError);
    expect(book.levelCount).toBe(0);
  });

  it('keeps quantities that binary64 cannot hold exactly, and refuses such prices', () => {
    const book = new OrderBook();
    book.apply('bid', '100', '12345678.123456789');
    expect(book.bestBid()).toEqual({ price: '100', qty: '12345678.123456789' });
    book.apply('bid', '100', '2');
    expect(book.bestBid()).toEqual({ price: '100', qty: '2' });
    book.apply('ask', '101', '12345678.1234567891');
    book.applySnapshot({ bids: [], asks: [['101', '98765432.123456789']] });
    expect(book.bestAsk()).toEqual({ price: '101', qty: '98765432.123456789' });
    try {
      book.apply('ask', '65000.1234567890123', '1');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('BOOK_PRICE_NOT_EXACT');
    }
  });

  it('grows and shrinks its storage', () => {
    const book = new OrderBook({ initialCapacity: 16 });
    for (let i = 0; i < 5000; i++) book.apply('bid', `${1000 + i}`, '1');
    expect(book.bidCount).toBe(5000);
    const grown = book.byteLength();
    for (let i = 0; i < 4990; i++) book.apply('bid', `${1000 + i}`, '0');
    expect(book.bestBid()).toEqual({ price: '5999', qty: '1' });
    expect(book.levels('bid')).toHaveLength(10);
    expect(book.byteLength()).toBeLessThan(grown);
  });

  it('matches a reference book under random updates (property)', () => {
    // Prices on a small grid so updates collide, spelled in several equivalent ways.
    const price = fc
      .tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom('', '0', '000'))
      .map(([t, pad]) => {
        const s = (100 + t / 10).toFixed(1);
        return pad === '' ? s : `${s}${pad}`;
      });
    const qty = fc.oneof(fc.constant('0'), fc.constant('0.00000000'), fc.integer({ min: 1, max: 100000 }).map((q) => (q / 1000).toString()));
    const op = fc.tuple(fc.constantFrom<BookSide>('bid', 'ask'), price, qty);
    const snapshotSide = fc.array(fc.tuple(price, qty), { maxLength: 30 });
    fc.assert(
      fc.property(
        fc.option(fc.tuple(snapshotSide, snapshotSide), { nil: undefined }),
        fc.array(op, { maxLength: 300 }),
        fc.integer({ min: 1, max: 10 }),
        (snapshot, ops, n) => {
          const book = new OrderBook({ initialCapacity: 1 });
          const ref = new ReferenceBook();
          if (snapshot) {
            book.applySnapshot({ bids: snapshot[0], asks: snapshot[1] });
            for (const [p, q] of snapshot[0]) ref.apply('bid', p, q);
            for (const [p, q] of snapshot[1]) ref.apply('ask', p, q);
          }
          for (const [side, p, q] of ops) {
            book.apply(side, p, q);
            ref.apply(side, p, q);
          }
          for (const side of ['bid', 'ask'] as const) {
            const expected = ref.levels(side);
            expect(book.levels(side)).toEqual(expected);
            expect(book.levels(side, n)).toEqual(expected.slice(0, n));
            expect(side === 'bid' ? book.bestBid() : book.bestAsk()).toEqual(expected[0]);
            for (const l of expected) expect(book.qtyAt(side, l.price)).toBe(l.qty);
          }
          expect(book.levelCount).toBe(ref.bids.size + ref.asks.size);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('OrderBook.applyNumeric', () => {
  it('matches apply() for exact numbers and rejects invalid levels', () => {
    const a = new OrderBook();
    const b = new OrderBook();
    const levels: Array<['bid' | 'ask', string, string]> = [
      ['bid', '64999.9', '1.5'],
      ['bid', '64999.8', '0.25'],
      ['ask', '65000.1', '2'],
      ['bid', '64999.9', '0'],
      ['ask', '65000.2', '0.00100000'],
    ];
    for (const [side, p, q] of levels) {
      a.apply(side, p, q);
      b.applyNumeric(side, Number(p), Number(q));
    }
    expect(b.top(5)).toEqual(a.top(5));
    expect(() => b.applyNumeric('bid', Number.NaN, 1)).toThrow(/finite/);
    expect(() => b.applyNumeric('ask', 1, -1)).toThrow(/negative/);
  });
});
