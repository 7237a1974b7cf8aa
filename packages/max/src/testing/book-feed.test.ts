import { describe, expect, it } from 'vitest';
import { BookFeed } from './book-feed.js';

const lv = (price: string, qty: string) => ({ price, qty });

describe('BookFeed', () => {
  it('numbers each level change: fi follows the previous li, zero volume removes a level, depth bounds the stream', () => {
    const feed = new BookFeed(2, 7, 100, { bids: [lv('10', '1'), lv('9', '2'), lv('8', '3')], asks: [lv('11', '1')] });
    expect(feed.snapshot()).toEqual({ fi: 100, li: 100, v: 7, bids: [['10', '1'], ['9', '2']], asks: [['11', '1']] });
    // The best bid goes: 9 becomes the best and 8 enters the top 2.
    const u1 = feed.next({ bids: [lv('9', '2'), lv('8', '3')], asks: [lv('11', '1')] });
    expect(u1).toEqual({ fi: 101, li: 102, v: 7, bids: [['8', '3'], ['10', '0']], asks: [] });
    expect(feed.next({ bids: [lv('9', '2'), lv('8', '3')], asks: [lv('11', '1')] })).toBeUndefined();
    const u2 = feed.next({ bids: [lv('9', '2'), lv('8', '3'), lv('7', '9')], asks: [lv('11', '4'), lv('12', '1')] });
    expect(u2).toEqual({ fi: 103, li: 104, v: 7, bids: [], asks: [['11', '4'], ['12', '1']] });
    expect(feed.sequence).toBe(104);
    expect(feed.snapshot()).toEqual({ fi: 104, li: 104, v: 7, bids: [['9', '2'], ['8', '3']], asks: [['11', '4'], ['12', '1']] });
  });
});
