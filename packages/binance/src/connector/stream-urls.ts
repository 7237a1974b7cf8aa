/**
 * Which WebSocket endpoints a connector uses: the ones given, else production — except beside a
 * REST base URL on this machine, where a local exchange is listening and production streams would
 * be a mistake that reaches the internet with the key.
 *
 * @packageDocumentation
 */
import { BINANCE_WS_URLS, type BinanceWsUrls } from '../ws/streams.js';

/** The `streamUrls` option: Binance's endpoints by the connector's names (`spot` is the Spot market-stream origin). */
export interface StreamUrlsOption {
  spot?: string | undefined;
  spotWsApi?: string | undefined;
  umPublic?: string | undefined;
  umMarket?: string | undefined;
  umPrivate?: string | undefined;
}

/** True for a URL on this machine (`localhost`, `127.0.0.0/8`, `::1`). */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `http(s)://host:port/…` → `ws(s)://host:port`. */
function wsOrigin(httpUrl: string): string {
  const u = new URL(httpUrl);
  return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`;
}

/**
 * The endpoints to use: each given one; for the rest, production — unless the product's REST base
 * URL is a loopback one, then the same host and port with Binance's paths (`/stream`,
 * `/ws-api/v3`, `/public`, `/market`, `/private`), as `startLocalBinance()` serves them.
 */
export function resolveStreamUrls(given: StreamUrlsOption, baseUrls: { spot?: string | undefined; um?: string | undefined }): BinanceWsUrls {
  const spotLocal = baseUrls.spot !== undefined && isLoopbackUrl(baseUrls.spot) ? wsOrigin(baseUrls.spot) : undefined;
  const umLocal = baseUrls.um !== undefined && isLoopbackUrl(baseUrls.um) ? wsOrigin(baseUrls.um) : undefined;
  return {
    spotStream: given.spot ?? spotLocal ?? BINANCE_WS_URLS.spotStream,
    spotWsApi: given.spotWsApi ?? (spotLocal === undefined ? BINANCE_WS_URLS.spotWsApi : `${spotLocal}/ws-api/v3`),
    umPublic: given.umPublic ?? (umLocal === undefined ? BINANCE_WS_URLS.umPublic : `${umLocal}/public`),
    umMarket: given.umMarket ?? (umLocal === undefined ? BINANCE_WS_URLS.umMarket : `${umLocal}/market`),
    umPrivate: given.umPrivate ?? (umLocal === undefined ? BINANCE_WS_URLS.umPrivate : `${umLocal}/private`),
  };
}
