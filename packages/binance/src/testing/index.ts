/**
 * `@chimera/binance/testing`: a local Binance-compatible exchange for end-to-end tests. It serves
 * the Spot, wallet and USDⓈ-M REST endpoints the SDK uses on 127.0.0.1 from the paper engine,
 * checks signatures, timestamps and `recvWindow`, answers with Binance's codes and shapes, and
 * plays scripted faults. The same port serves the WebSocket face: market streams, the UM
 * `/private` listen-key stream and the Spot WS API user-data subscription, with their own faults
 * (also available on its own: `startLocalBinanceWs`, `attachBinanceWs`).
 *
 * @packageDocumentation
 */
export {
  LOCAL_API_KEY,
  LOCAL_API_SECRET,
  startLocalBinance,
  type LocalBinance,
  type LocalBinanceLimits,
  type LocalBinanceOptions,
  type LocalRequestRecord,
  type LocalStreamUrls,
} from './local-binance.js';
export { LocalBinanceFaults, type ActiveFault, type DropFault, type FaultMatch, type StatusFault } from './faults.js';
export type { LocalApiKey } from './auth.js';
export { BinanceWireError } from './wire-error.js';
export {
  attachBinanceWs,
  startLocalBinanceWs,
  DepthFeed,
  LocalListenKeys,
  isUmAlgoOrder,
  spotAccountPosition,
  spotBalanceUpdate,
  spotExecutionReport,
  spotListStatus,
  umAccountConfigUpdate,
  umAccountUpdate,
  umAlgoUpdate,
  umOrderTradeUpdate,
  type ConnectionFilter,
  type ConnectionKind,
  type ListenKeyAnswer,
  type LocalBinanceWs,
  type LocalBinanceWsOptions,
  type LocalConnectionInfo,
  type LocalListenKeysEvents,
  type LocalWsFaults,
  type LocalWsStats,
  type PublishedDiff,
  type StreamRoute,
  type WireDepthSnapshot,
  type WireEvent,
  type LocalApiKey as LocalWsApiKey,
} from './ws/index.js';
