/**
 * The pure, transport-independent layer of the Binance REST adapter: request signing, client
 * order ids, endpoint builders (requests as data), the error-code table and the mappers from
 * Binance payloads to core domain types. No I/O happens here; a REST transport signs, limits and
 * sends the `BinanceRequest`s and feeds the answers back to the mappers.
 *
 * @packageDocumentation
 */
export { VENUE_ID, type BinanceMethod, type BinanceParams, type BinanceProduct, type BinanceRequest } from './request.js';
export {
  API_KEY_HEADER,
  createSigner,
  DEFAULT_RECV_WINDOW_MS,
  encodeParams,
  MAX_RECV_WINDOW_MS,
  percentEncode,
  type BinanceKeyType,
  type BinanceSigner,
  type HmacCredentials,
  type PrivateKeyCredentials,
  type SignQueryOptions,
} from './signing.js';
export {
  deriveClientOrderId,
  isValidClientOrderId,
  MAX_ATTEMPT,
  MAX_CLIENT_ORDER_ID_LENGTH,
  MAX_LEG_LENGTH,
  SPOT_CLIENT_ORDER_ID_PATTERN,
  UM_CLIENT_ORDER_ID_PATTERN,
  type ClientOrderIdParts,
} from './client-order-id.js';
export {
  DEFAULT_BAN_WAIT_MS,
  DEFAULT_RATE_LIMIT_WAIT_MS,
  mapBinanceError,
  type BinanceAlreadyDone,
  type BinanceErrorInput,
  type BinanceErrorOutcome,
  type BinanceFailure,
} from './errors.js';
export { parseSpotExchangeInfo, parseUmExchangeInfo, parseUmLeverageBrackets, withLeverageBrackets } from './instruments.js';
export type { OrderIdentity, PlaceOrderOptions } from './order-common.js';
export {
  buildSpotCancelOrder,
  buildSpotCancelOrderList,
  buildSpotOpenOrders,
  buildSpotPlaceOco,
  buildSpotPlaceOrder,
  buildSpotQueryOrder,
  buildSpotQueryOrderList,
  type PlaceOcoOptions,
} from './orders-spot.js';
export { buildSpotAccount, buildSpotMyTrades, type SpotTradesQuery } from './account-spot.js';
export {
  buildUmCancelAlgoOrder,
  buildUmCancelOrder,
  buildUmOpenAlgoOrders,
  buildUmOpenOrders,
  buildUmPlaceOrder,
  buildUmQueryAlgoOrder,
  buildUmQueryOrder,
  isUmAlgoType,
} from './orders-um.js';
export {
  buildUmAccount,
  buildUmBalance,
  buildUmFundingIncome,
  buildUmLeverageBracket,
  buildUmPositionRisk,
  buildUmSetLeverage,
  buildUmSetMarginType,
  buildUmSymbolConfig,
  buildUmUserTrades,
  type UmIncomeQuery,
  type UmTradesQuery,
} from './account-um.js';
export {
  buildBookTicker,
  buildDepth,
  buildExchangeInfo,
  buildServerTime,
  buildUmFundingRateHistory,
  buildUmPremiumIndex,
  UM_DEPTH_LIMITS,
  type FundingRateQuery,
} from './market-data.js';
export {
  buildUniversalTransfer,
  buildUniversalTransferHistory,
  transferType,
  type TransferHistoryQuery,
  type UniversalTransferInput,
  type UniversalTransferType,
} from './transfer.js';
export { parseSpotOrder, parseSpotOrderFills, parseSpotOrderList, parseSpotOrders } from './map-orders-spot.js';
export {
  averageFillPrice,
  mergeTriggeredOrder,
  parseUmAlgoCancel,
  parseUmAlgoOrder,
  parseUmAlgoOrders,
  parseUmOrder,
  parseUmOrders,
  type UmAlgoOrderView,
  type UmAlgoStatus,
} from './map-orders-um.js';
export {
  parseSpotBalances,
  parseSpotTrades,
  parseUmBalances,
  parseUmFundingIncome,
  parseUmLeverageResult,
  parseUmMarginTypeResult,
  parseUmPositions,
  parseUmSymbolConfigs,
  parseUmTrades,
  type ClientOrderIdLookup,
  type UmSymbolSettings,
} from './map-account.js';
export { parseBookTicker, parseDepth, parseServerTime, parseUmFundingRates, parseUmPremiumIndex } from './map-market-data.js';
export { parseUniversalTransferHistory, parseUniversalTransferResult } from './map-transfer.js';
