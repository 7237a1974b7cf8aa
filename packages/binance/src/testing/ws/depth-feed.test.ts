import { PaperBook } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { DepthFeed } from './depth-feed.js';

describe('DepthFeed', () => {
  it('publishes the changes of the engine book as diffs numbered U = previous u + 1 … u, pu = previous u', () => {
    const book = new PaperBook('FUT', 'BTCUSDT');
    const feed = new DepthFeed('FUT', 'BTCUSDT', 1000);
    book.applySnapshot({ bids: [['100.0', '1'], ['99.9', '2']], asks: [['100.1', '3']] });
    expect(feed.publish(book)).toEqual({ U: 1001, u: 1003, pu: 1000, b: [['100', '1'], ['99.9', '2']], a: [['100.1', '3']] });
    expect(feed.publish(book)).toBeUndefined();
    book.applyDiff({ bids: [['100.0', '0'], ['99.9', '2.5']], asks: [] });
    expect(feed.publish(book)).toEqual({ U: 1004, u: 1005, pu: 1003, b: [['99.9', '2.5'], ['100', '0']], a: [] });
    expect(feed.snapshot()).toEqual({ lastUpdateId: 1005, bids: [['99.9', '2.5']], asks: [['100.1', '3']] });
    expect(feed.top()).toEqual({ bid: ['99.9', '2.5'], ask: ['100.1', '3'] });
  });

  it('skips update ids without publishing (the next diff shows the gap) and limits snapshots', () => {
    const book = new PaperBook('SPOT', 'BTCUSDT');
    const feed = new DepthFeed('SPOT', 'BTCUSDT', 0);
    book.applySnapshot({ bids: [['1', '1'], ['0.9', '1'], ['0.8', '1']], asks: [['1.1', '1']] });
    feed.publish(book);
    expect(feed.skip(2)).toEqual([5, 6]);
    book.applyDiff({ bids: [['0.7', '1']], asks: [] });
    expect(feed.publish(book)).toEqual({ U: 7, u: 7, pu: 6, b: [['0.7', '1']], a: [] });
    expect(feed.snapshot(2)).toEqual({ lastUpdateId: 7, bids: [['1', '1'], ['0.9', '1']], asks: [['1.1', '1']] });
  });
});
