import { describe, expect, it } from 'vitest';
import { BINANCE_WS_URLS } from '../ws/streams.js';
import { isLoopbackUrl, resolveStreamUrls } from './stream-urls.js';

describe('resolveStreamUrls', () => {
  it('uses production endpoints by default and the given ones first', () => {
    expect(resolveStreamUrls({}, {})).toEqual(BINANCE_WS_URLS);
    expect(resolveStreamUrls({ umPrivate: 'wss://proxy.example/private' }, { um: 'https://fapi.binance.com' })).toEqual({ ...BINANCE_WS_URLS, umPrivate: 'wss://proxy.example/private' });
  });

  it('beside a loopback REST base URL, streams from the same host and port, never from production', () => {
    expect(resolveStreamUrls({}, { spot: 'http://127.0.0.1:4100', um: 'http://localhost:4200/' })).toEqual({
      spotStream: 'ws://127.0.0.1:4100',
      spotWsApi: 'ws://127.0.0.1:4100/ws-api/v3',
      umPublic: 'ws://localhost:4200/public',
      umMarket: 'ws://localhost:4200/market',
      umPrivate: 'ws://localhost:4200/private',
    });
    // Only the product whose REST is local is moved.
    expect(resolveStreamUrls({ spot: 'ws://127.0.0.1:9/x' }, { um: 'https://[::1]:4300' })).toMatchObject({
      spotStream: 'ws://127.0.0.1:9/x',
      spotWsApi: BINANCE_WS_URLS.spotWsApi,
      umPrivate: 'wss://[::1]:4300/private',
    });
  });

  it('knows loopback hosts', () => {
    expect(['http://127.0.0.1:1', 'http://127.3.2.1', 'http://localhost:80', 'http://[::1]:5'].map(isLoopbackUrl)).toEqual([true, true, true, true]);
    expect(['https://api.binance.com', 'http://10.0.0.1', 'http://128.0.0.1'].map(isLoopbackUrl)).toEqual([false, false, false]);
  });
});
