/**
 * `@chimera/binance` — Binance Spot + USDⓈ-M futures adapter: {@link BinanceConnector} (the core
 * `ExchangeConnector` over REST and WebSocket) and the layers under it: the pure REST layer
 * (signing with HMAC-SHA256, Ed25519 or RSA, request builders for every Spot and UM endpoint the
 * SDK uses with UM conditional orders through the algo-order endpoints, response mappers to the
 * core's domain types, instruments from `exchangeInfo` and `leverageBracket`, the error-code
 * table) and the WebSocket layer (market streams with synced local books, the Spot WS-API and UM
 * listen-key user streams). The local exchange for tests is `@chimera/binance/testing`.
 *
 * @packageDocumentation
 */
export * from './rest/index.js';
export * from './ws/index.js';
export { BinanceConnector, BinanceConnectorOptions, type BinanceConnectorOptionsInput } from './connector.js';
export { BINANCE_BASE_URLS, INSTRUMENTS_TTL_MS, SPOT_RATE_LIMITS, UM_RATE_LIMITS } from './connector/defaults.js';
export { readBinanceUsage } from './connector/usage-headers.js';
export { STREAM_ALERT_CODES } from './connector/stream-alerts.js';
export { buildAllOrders, buildUmAllAlgoOrders, HISTORY_SPAN_MS, parseOrderListSummary, type AllOrdersQuery, type OrderListSummary } from './connector/history-requests.js';

/** The venue id this package's connector reports. */
export const BINANCE_VENUE = 'binance';
