/**
 * The USDⓈ-M listen-key endpoints of the local exchange (`POST/PUT/DELETE /fapi/v1/listenKey`,
 * BINANCE.md §8): USER_STREAM security (the API key header, no signature), served from the
 * registry the WebSocket face's `/private` route checks.
 *
 * @packageDocumentation
 */
import type { ListenKeyAnswer, LocalListenKeys } from './ws/listen-keys.js';
import type { Route } from './route.js';
import { BinanceWireError } from './wire-error.js';

function answer(a: ListenKeyAnswer, keep: 'key' | 'empty'): unknown {
  if (!a.ok) throw new BinanceWireError(a.status, a.body.code, a.body.msg);
  // DELETE answers `{}` on Binance; POST and PUT return the key.
  return keep === 'key' ? { listenKey: a.body.listenKey } : {};
}

/**
 * The listen-key routes.
 * @param listenKeys - The registry shared with the WebSocket face.
 */
export function listenKeyRoutes(listenKeys: LocalListenKeys): Route[] {
  const route = (method: Route['method'], handle: (apiKey: string) => unknown): Route => ({
    method,
    path: '/fapi/v1/listenKey',
    signed: false,
    apiKeyOnly: true,
    weight: 1,
    // The router checked the key before the handler runs.
    handle: ({ apiKey }) => handle(apiKey ?? ''),
  });
  return [
    route('POST', (apiKey) => answer(listenKeys.create(apiKey), 'key')),
    route('PUT', (apiKey) => answer(listenKeys.keepAlive(apiKey), 'key')),
    route('DELETE', (apiKey) => answer(listenKeys.close(apiKey), 'empty')),
  ];
}
