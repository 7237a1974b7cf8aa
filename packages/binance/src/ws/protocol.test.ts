import { describe, expect, it } from 'vitest';
import { BookTickerFrame, DepthUpdateFrame } from './frames.js';
import { binanceControlKind, binanceSequenceOf, createBinanceStreamProtocol } from './protocol.js';
import { combinedStreamUrl, streamFor, umRouteOf } from './streams.js';

describe('createBinanceStreamProtocol', () => {
  it('writes SUBSCRIBE/UNSUBSCRIBE with an id per message, split at paramsPerMessage', () => {
    const p = createBinanceStreamProtocol({ product: 'spot', paramsPerMessage: 2 });
    expect(p.subscribeMessages(['a@bookTicker', 'b@bookTicker', 'c@bookTicker'])).toEqual([
      '{"method":"SUBSCRIBE","params":["a@bookTicker","b@bookTicker"],"id":1}',
      '{"method":"SUBSCRIBE","params":["c@bookTicker"],"id":2}',
    ]);
    expect(p.unsubscribeMessages(['a@bookTicker'])).toEqual(['{"method":"UNSUBSCRIBE","params":["a@bookTicker"],"id":3}']);
  });

  it('carries Binance limits per product: streams, messages (one below the limit), attempts, lifetime, pings', () => {
    const spot = createBinanceStreamProtocol({ product: 'spot' });
    const um = createBinanceStreamProtocol({ product: 'um', maxStreamsPerConnection: 5_000 });
    expect([spot.maxStreamsPerConnection, spot.maxMessagesPerSecond, spot.idleTimeoutMs, spot.lifetimeMs, spot.clientPing]).toEqual([
      1024,
      4,
      60_000,
      86_400_000,
      { intervalMs: 30_000, timeoutMs: 10_000 },
    ]);
    expect([um.maxStreamsPerConnection, um.maxMessagesPerSecond, um.idleTimeoutMs]).toEqual([200, 9, 600_000]);
    expect(spot.maxConnectAttemptsPer).toEqual({ count: 300, windowMs: 300_000 });
    expect(createBinanceStreamProtocol({ clientPing: false }).clientPing).toBeUndefined();
  });

  it('classifies control frames and reads stream names and sequences', () => {
    const p = createBinanceStreamProtocol();
    expect(binanceControlKind({ result: null, id: 3 })).toBe('ack');
    expect(binanceControlKind({ error: { code: 2, msg: 'Invalid request' }, id: 3 })).toBe('other');
    expect(binanceControlKind({ e: 'serverShutdown', E: 1 })).toBe('shutdown');
    expect(binanceControlKind({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: 1 } })).toBe('shutdown');
    expect(binanceControlKind({ stream: 'btcusdt@aggTrade', data: { e: 'aggTrade' } })).toBeUndefined();
    const ticker = p.parse!('{"stream":"btcusdt@bookTicker","data":{"u":7,"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"}}');
    expect(ticker).toBeInstanceOf(BookTickerFrame);
    expect([p.controlKind(ticker), p.streamOf(ticker), p.sequenceOf!(ticker, 'btcusdt@bookTicker')]).toEqual([undefined, 'btcusdt@bookTicker', 7]);
    const depth = p.parse!('{"stream":"btcusdt@depth","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":9,"b":[],"a":[]}}');
    expect(depth).toBeInstanceOf(DepthUpdateFrame);
    expect(binanceSequenceOf(depth)).toBe(9);
    expect(binanceSequenceOf({ stream: 's', data: { e: 'aggTrade', a: 44 } })).toBe(44);
    expect(binanceSequenceOf({ stream: 's', data: { e: 'markPriceUpdate', E: 1700 } })).toBe(1700);
    expect(p.streamOf({ result: null, id: 1 })).toBeUndefined();
  });
});

describe('stream names and routes', () => {
  it('names each channel and puts UM streams on their route', () => {
    expect(streamFor('ticker', 'SPOT', 'BTCUSDT')).toEqual({ stream: 'btcusdt@bookTicker', route: 'spot' });
    expect(streamFor('depth', 'SPOT', 'BTCUSDT', '1000ms')).toEqual({ stream: 'btcusdt@depth', route: 'spot' });
    expect(streamFor('depth', 'FUT', 'BTCUSDT')).toEqual({ stream: 'btcusdt@depth@100ms', route: 'um-public' });
    expect(streamFor('depth', 'FUT', 'BTCUSDT', '250ms')).toEqual({ stream: 'btcusdt@depth', route: 'um-public' });
    expect(streamFor('trades', 'FUT', 'BTCUSDT')).toEqual({ stream: 'btcusdt@aggTrade', route: 'um-market' });
    expect(streamFor('markPrice', 'FUT', 'ETHUSDT')).toEqual({ stream: 'ethusdt@markPrice@1s', route: 'um-market' });
    expect(() => streamFor('markPrice', 'SPOT', 'BTCUSDT')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => streamFor('depth', 'SPOT', 'BTCUSDT', '500ms')).toThrow(expect.objectContaining({ code: 'INVALID_STREAM' }));
    expect(() => streamFor('ticker', 'SPOT', 'btc/usdt')).toThrow(expect.objectContaining({ code: 'INVALID_STREAM' }));
    expect(['btcusdt@bookTicker', 'btcusdt@depth20@100ms', 'btcusdt@aggTrade', 'btcusdt@markPrice@1s', 'btcusdt@kline_1m'].map(umRouteOf)).toEqual([
      'public',
      'public',
      'market',
      'market',
      'market',
    ]);
    expect(combinedStreamUrl('wss://fstream.binance.com/public/', ['a', 'b'])).toBe('wss://fstream.binance.com/public/stream?streams=a/b');
  });
});
