import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from './frame-scanner.js';
import { BookTickerFrame, DepthUpdateFrame } from './frames.js';

const SPOT_TICKER =
  '{"stream":"btcusdt@bookTicker","data":{"u":71234568097,"s":"BTCUSDT","b":"64999.99000000","B":"0.25410000","a":"65000.00000000","A":"0.02389000"}}';
const UM_TICKER =
  '{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":8456789012634,"s":"BTCUSDT","b":"65013.9","B":"0.364","a":"65014.0","A":"0.699","T":1758355079995,"E":1758355079996}}';
const SPOT_DEPTH =
  '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1758355080992,"s":"BTCUSDT","U":71234568098,"u":71234568193,"b":[["65004.24000000","0.06131000"],["64999.99000000","0.00000000"]],"a":[["65000.01000000","1.50000000"]]}}';
const UM_DEPTH =
  '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1758355080992,"T":1758355080991,"s":"BTCUSDT","U":8456789012635,"u":8456789012732,"pu":8456789012634,"b":[["65017.3","0.691"]],"a":[]}}';

describe('decodeFrame: bookTicker', () => {
  it('reads a Spot frame into canonical strings and exact numbers', () => {
    const f = decodeFrame(SPOT_TICKER) as BookTickerFrame;
    expect(f).toBeInstanceOf(BookTickerFrame);
    expect({ ...f }).toEqual({
      stream: 'btcusdt@bookTicker',
      symbol: 'BTCUSDT',
      u: 71234568097,
      bid: '64999.99',
      bidQty: '0.2541',
      ask: '65000',
      askQty: '0.02389',
      bidPx: 64999.99,
      bidSz: 0.2541,
      askPx: 65000,
      askSz: 0.02389,
      eventTime: undefined,
      transactTime: undefined,
    });
  });

  it('reads a UM frame with e, E and T', () => {
    const f = decodeFrame(UM_TICKER) as BookTickerFrame;
    expect([f.u, f.bid, f.bidQty, f.ask, f.askQty, f.eventTime, f.transactTime]).toEqual([
      8456789012634, '65013.9', '0.364', '65014', '0.699', 1758355079996, 1758355079995,
    ]);
  });

  it('falls back to JSON.parse on whitespace and still returns the typed frame', () => {
    const spaced = SPOT_TICKER.replace('"data":{', '"data": {');
    const f = decodeFrame(spaced) as BookTickerFrame;
    expect(f).toBeInstanceOf(BookTickerFrame);
    expect([f.bid, f.ask, f.bidPx, f.u]).toEqual(['64999.99', '65000', 64999.99, 71234568097]);
  });

  it('leaves an unknown field to JSON.parse and a malformed payload as a plain object', () => {
    const extra = SPOT_TICKER.replace('"u":', '"x":"1","u":');
    expect(decodeFrame(extra)).toBeInstanceOf(BookTickerFrame);
    const missing = '{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"1"}}';
    expect(decodeFrame(missing)).toEqual({ stream: 'btcusdt@bookTicker', data: { u: 1, s: 'BTCUSDT', b: '1' } });
  });
});

describe('decodeFrame: depthUpdate', () => {
  it('reads a Spot diff: ids, numeric levels and lazily materialised string levels', () => {
    const f = decodeFrame(SPOT_DEPTH) as DepthUpdateFrame;
    expect(f).toBeInstanceOf(DepthUpdateFrame);
    expect([f.stream, f.symbol, f.eventTime, f.transactTime, f.U, f.u, f.pu, f.exact]).toEqual([
      'btcusdt@depth@100ms', 'BTCUSDT', 1758355080992, undefined, 71234568098, 71234568193, undefined, true,
    ]);
    expect(f.bidNums).toEqual([65004.24, 0.06131, 64999.99, 0]);
    expect(f.askNums).toEqual([65000.01, 1.5]);
    expect(f.bids).toEqual([
      ['65004.24000000', '0.06131000'],
      ['64999.99000000', '0.00000000'],
    ]);
    expect(f.asks).toEqual([['65000.01000000', '1.50000000']]);
    expect(f.levelCount).toBe(3);
  });

  it('reads a UM diff with pu, T and an empty side', () => {
    const f = decodeFrame(UM_DEPTH) as DepthUpdateFrame;
    expect([f.U, f.u, f.pu, f.transactTime, f.bidNums, f.askNums, f.asks]).toEqual([
      8456789012635, 8456789012732, 8456789012634, 1758355080991, [65017.3, 0.691], [], [],
    ]);
  });

  it('marks a level with more than 15 significant digits as not exact', () => {
    const f = decodeFrame(SPOT_DEPTH.replace('0.06131000', '0.06131000000001234')) as DepthUpdateFrame;
    expect(f.exact).toBe(false);
    expect(f.bids[0]).toEqual(['65004.24000000', '0.06131000000001234']);
  });

  it('keeps partial-book streams and other frames as JSON.parse makes them', () => {
    const partial = '{"stream":"btcusdt@depth5@100ms","data":{"lastUpdateId":5,"bids":[],"asks":[]}}';
    expect(decodeFrame(partial)).toEqual({ stream: 'btcusdt@depth5@100ms', data: { lastUpdateId: 5, bids: [], asks: [] } });
    expect(decodeFrame('{"result":null,"id":3}')).toEqual({ result: null, id: 3 });
    expect(decodeFrame('{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1}}')).toEqual({
      stream: '!serverShutdown',
      data: { e: 'serverShutdown', E: 1 },
    });
  });

  it('throws on text that is not JSON', () => {
    expect(() => decodeFrame('{"stream":"btcusdt@bookTicker","data":{')).toThrow(SyntaxError);
  });
});

// ------------------------------------------------------------------ properties

const decimal = fc
  .tuple(fc.nat({ max: 9_999_999 }), fc.nat({ max: 99_999_999 }), fc.integer({ min: 0, max: 8 }))
  .map(([int, frac, places]) => (places === 0 ? String(int) : `${int}.${String(frac).padStart(8, '0').slice(0, places)}`));
const level = fc.tuple(decimal, decimal);

function canonical(text: string): string {
  if (!text.includes('.')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

describe('decodeFrame properties', () => {
  it('a depth frame decodes to the same ids and levels as JSON.parse, with Number-identical values', () => {
    fc.assert(
      fc.property(fc.array(level, { maxLength: 20 }), fc.array(level, { maxLength: 20 }), fc.nat(), fc.boolean(), (b, a, id, um) => {
        const data: Record<string, unknown> = { e: 'depthUpdate', E: 1700000000000 + id, s: 'ETHUSDT', U: id + 1, u: id + 5, b, a };
        if (um) data.pu = id;
        const text = JSON.stringify({ stream: 'ethusdt@depth', data });
        const f = decodeFrame(text) as DepthUpdateFrame;
        expect(f).toBeInstanceOf(DepthUpdateFrame);
        expect([f.U, f.u, f.pu]).toEqual([id + 1, id + 5, um ? id : undefined]);
        expect(f.bids).toEqual(b);
        expect(f.asks).toEqual(a);
        expect(f.bidNums).toEqual(b.flatMap(([p, q]) => [Number(p), Number(q)]));
        expect(f.askNums).toEqual(a.flatMap(([p, q]) => [Number(p), Number(q)]));
        expect(f.exact).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a bookTicker frame decodes to canonical strings whose numbers equal Number(text)', () => {
    fc.assert(
      fc.property(decimal, decimal, decimal, decimal, fc.nat(), (b, B, a, A, u) => {
        const text = JSON.stringify({ stream: 'ethusdt@bookTicker', data: { u, s: 'ETHUSDT', b, B, a, A } });
        const f = decodeFrame(text) as BookTickerFrame;
        expect([f.bid, f.bidQty, f.ask, f.askQty]).toEqual([b, B, a, A].map(canonical));
        expect([f.bidPx, f.bidSz, f.askPx, f.askSz]).toEqual([b, B, a, A].map(Number));
        expect(f.u).toBe(u);
      }),
      { numRuns: 300 },
    );
  });
});
