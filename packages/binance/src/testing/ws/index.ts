/**
 * The WebSocket face of the local Binance exchange (`@chimera/binance/testing`): market streams,
 * the USDⓈ-M `/private` listen-key stream and the Spot WS API user-data subscription, served
 * from a paper engine, with scripted faults.
 *
 * @packageDocumentation
 */
export {
  attachBinanceWs,
  startLocalBinanceWs,
  type ConnectionFilter,
  type ConnectionKind,
  type LocalApiKey,
  type LocalBinanceWs,
  type LocalBinanceWsOptions,
  type LocalConnectionInfo,
  type LocalWsFaults,
  type LocalWsStats,
  type StreamRoute,
} from './local-binance-ws.js';
export { DepthFeed, type PublishedDiff, type WireDepthSnapshot } from './depth-feed.js';
export { LocalListenKeys, type ListenKeyAnswer, type LocalListenKeysEvents } from './listen-keys.js';
export {
  isUmAlgoOrder,
  spotAccountPosition,
  spotBalanceUpdate,
  spotExecutionReport,
  spotListStatus,
  umAccountConfigUpdate,
  umAccountUpdate,
  umAlgoUpdate,
  umOrderTradeUpdate,
  type WireEvent,
} from './wire-user-events.js';
