/**
 * Binance WebSocket endpoints and stream names (BINANCE.md §1, §6).
 *
 * Spot market streams live on `stream.binance.com`. USDⓈ-M streams are routed since 2026-04-23:
 * high-frequency `bookTicker` and depth on `/public`, everything else (`aggTrade`, `markPrice`, …)
 * on `/market`, user data on `/private`. A stream on the wrong route is acknowledged but never
 * delivers, so {@link routeOf} decides the connection of every stream and one connection never
 * mixes routes.
 *
 * @packageDocumentation
 */
import { UnsupportedError, ValidationError, type Market, type MarketChannel } from '@chimera/core';

/** The WebSocket endpoints the SDK uses. Point them at `startLocalBinanceWs()` in tests. */
export interface BinanceWsUrls {
  /** Spot market streams origin (the combined endpoint is `<origin>/stream`). */
  spotStream: string;
  /** Spot WebSocket API (user data via `userDataStream.subscribe.signature`). */
  spotWsApi: string;
  /** USDⓈ-M `/public` route: bookTicker and depth. */
  umPublic: string;
  /** USDⓈ-M `/market` route: aggTrade, markPrice and the other market streams. */
  umMarket: string;
  /** USDⓈ-M `/private` route: user data by listen key (`<route>/ws/<listenKey>`). */
  umPrivate: string;
}

/** Production endpoints (BINANCE.md §1). */
export const BINANCE_WS_URLS: Readonly<BinanceWsUrls> = Object.freeze({
  spotStream: 'wss://stream.binance.com:9443',
  spotWsApi: 'wss://ws-api.binance.com:443/ws-api/v3',
  umPublic: 'wss://fstream.binance.com/public',
  umMarket: 'wss://fstream.binance.com/market',
  umPrivate: 'wss://fstream.binance.com/private',
});

/** Which connection family a market stream belongs to. */
export type BinanceStreamRoute = 'spot' | 'um-public' | 'um-market';

/** Diff-depth update speeds: Spot `1000ms` (plain `@depth`) or `100ms`; UM `250ms` (plain), `500ms`, `100ms`. */
export type DepthSpeed = '100ms' | '250ms' | '500ms' | '1000ms';

/** Default diff-depth speed on both products. */
export const DEFAULT_DEPTH_SPEED: DepthSpeed = '100ms';

/** A market stream and the connection family it must travel on. */
export interface RoutedStream {
  /** Lower-case stream name, e.g. `btcusdt@depth@100ms`. */
  stream: string;
  route: BinanceStreamRoute;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`${path}: ${message}`, [{ path, message }], { code: 'INVALID_STREAM' });
}

/** The depth stream suffix for a market and speed (`@depth` is the product's default speed). */
function depthSuffix(market: Market, speed: DepthSpeed): string {
  if (market === 'SPOT') {
    if (speed === '1000ms') return '@depth';
    if (speed === '100ms') return '@depth@100ms';
    throw invalid('depthSpeed', `Spot diff depth comes at 1000ms or 100ms, not ${speed}`);
  }
  if (speed === '250ms') return '@depth';
  if (speed === '100ms' || speed === '500ms') return `@depth@${speed}`;
  throw invalid('depthSpeed', `USDⓈ-M diff depth comes at 250ms, 500ms or 100ms, not ${speed}`);
}

/**
 * The stream of one market-data channel:
 * - `ticker` → `<s>@bookTicker` (Spot; UM `/public`);
 * - `depth` → `<s>@depth[@speed]` (Spot; UM `/public`);
 * - `trades` → `<s>@aggTrade` (Spot; UM `/market`);
 * - `markPrice` → `<s>@markPrice@1s` (UM `/market` only).
 *
 * @throws UnsupportedError for `markPrice` on SPOT; ValidationError (`INVALID_STREAM`) for a
 *   malformed symbol or a speed the product does not offer.
 */
export function streamFor(channel: MarketChannel, market: Market, symbol: string, depthSpeed: DepthSpeed = DEFAULT_DEPTH_SPEED): RoutedStream {
  if (!/^[A-Z0-9]{2,}$/.test(symbol)) throw invalid('symbol', `expected an upper-case symbol like BTCUSDT, got "${symbol}"`);
  const s = symbol.toLowerCase();
  const spot = market === 'SPOT';
  switch (channel) {
    case 'ticker':
      return { stream: `${s}@bookTicker`, route: spot ? 'spot' : 'um-public' };
    case 'depth':
      return { stream: `${s}${depthSuffix(market, depthSpeed)}`, route: spot ? 'spot' : 'um-public' };
    case 'trades':
      return { stream: `${s}@aggTrade`, route: spot ? 'spot' : 'um-market' };
    case 'markPrice':
      if (spot) throw new UnsupportedError('mark price and funding exist on USDⓈ-M futures only', { details: { channel, market } });
      return { stream: `${s}@markPrice@1s`, route: 'um-market' };
  }
}

/**
 * The USDⓈ-M route of a stream name: `public` for `bookTicker` and depth (diff and partial),
 * `market` for everything else.
 */
export function umRouteOf(stream: string): 'public' | 'market' {
  const at = stream.indexOf('@');
  const rest = at < 0 ? stream : stream.slice(at + 1);
  return rest === 'bookTicker' || rest.startsWith('depth') || stream === '!bookTicker' ? 'public' : 'market';
}

/** The origin a route connects to. */
export function routeOrigin(urls: BinanceWsUrls, route: BinanceStreamRoute): string {
  return route === 'spot' ? urls.spotStream : route === 'um-public' ? urls.umPublic : urls.umMarket;
}

/**
 * A combined-stream URL: `<origin>/stream?streams=a/b/c` (payloads arrive wrapped as
 * `{"stream":…,"data":…}`), or `<origin>/stream` when no stream is given yet.
 */
export function combinedStreamUrl(origin: string, streams: readonly string[]): string {
  const base = `${origin.replace(/\/+$/, '')}/stream`;
  return streams.length === 0 ? base : `${base}?streams=${streams.join('/')}`;
}
