/**
 * The Binance WebSocket layer: market streams with local order books (`BinanceMarketStreams`),
 * the Spot WS-API and USDⓈ-M listen-key user streams (`BinanceSpotUserStream`,
 * `BinanceUmUserStream`), and the pieces they are built from (protocol adapter for the core
 * `ReconnectingSocket`, frame scanner, book rules, event mappers). The connector wires them into
 * `subscribe()` and its user-stream events.
 *
 * @packageDocumentation
 */
export {
  BINANCE_WS_URLS,
  DEFAULT_DEPTH_SPEED,
  combinedStreamUrl,
  routeOrigin,
  streamFor,
  umRouteOf,
  type BinanceStreamRoute,
  type BinanceWsUrls,
  type DepthSpeed,
  type RoutedStream,
} from './streams.js';
export {
  BINANCE_WS_LIFETIME_MS,
  BINANCE_WS_MESSAGE_LIMIT,
  BINANCE_WS_STREAM_LIMIT,
  binanceControlKind,
  binanceSequenceOf,
  createBinanceStreamProtocol,
  type BinanceStreamProtocolOptions,
} from './protocol.js';
export { BookTickerFrame, DepthUpdateFrame, type WireLevel } from './frames.js';
export { decodeFrame } from './frame-scanner.js';
export { spotDepthRules, umDepthRules, type BinanceDepthUpdate } from './book-rules.js';
export { BinanceDepthBook, NUMERIC_BOOK_PATH } from './depth-book.js';
export { BookTickerTicks, type BookTickerTicksOptions } from './book-ticker-ticks.js';
export { nextFundingEvent, parseAggTrade, parseMarkPriceUpdate } from './market-messages.js';
export {
  BinanceMarketStreams,
  type BinanceMarketStreamsEvents,
  type BinanceMarketStreamsOptions,
  type StreamConnectionInfo,
} from './market-streams.js';
export {
  DEFAULT_UM_LEVERAGE,
  mapUserEvent,
  type AlgoUpdate,
  type BalanceDelta,
  type ListStatus,
  type MappedUserEvent,
  type MapUserEventOptions,
  type UmPositionSettings,
} from './user-events.js';
export { UserStreamLedger, type OrderKind, type UserStreamLedgerOptions } from './user-stream-ledger.js';
export {
  UserStreamCore,
  type BinanceUserStreamEvents,
  type CatchUpResult,
  type UserStreamCatchUpSource,
  type UserStreamCoreOptions,
} from './user-stream-core.js';
export {
  buildUmListenKeyRequest,
  isInvalidListenKeyError,
  LISTEN_KEY_VALIDITY_MS,
  ListenKeyKeeper,
  MAX_KEEPALIVE_INTERVAL_MS,
  type ListenKeyApi,
  type ListenKeyChangeReason,
  type ListenKeyKeeperEvents,
  type ListenKeyKeeperOptions,
} from './listen-key.js';
export { USER_DATA_STREAM, type UserSocketOptions } from './user-socket.js';
export { BinanceUmUserStream, type BinanceUmUserStreamOptions } from './um-user-stream.js';
export { BinanceSpotUserStream, SUBSCRIBE_SIGNATURE_METHOD, type BinanceSpotUserStreamOptions } from './spot-user-stream.js';
