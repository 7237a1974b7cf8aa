/**
 * `@chimera/binance` — Binance Spot + USDⓈ-M futures adapter: {@link BinanceConnector} (the core
 * `ExchangeConnector` over REST) and the pure REST layer under it: signing (HMAC-SHA256, Ed25519,
 * RSA), request builders for every Spot and UM endpoint the SDK uses (UM conditional orders
 * through the algo-order endpoints), response mappers to the core's domain types, instruments
 * from `exchangeInfo` and `leverageBracket`, and the error-code table. The local exchange for
 * tests is `@chimera/binance/testing`; the WebSocket streams arrive with their issue.
 *
 * @packageDocumentation
 */
export * from './rest/index.js';
export { BinanceConnector, BinanceConnectorOptions, type BinanceConnectorOptionsInput } from './connector.js';
export { BINANCE_BASE_URLS, INSTRUMENTS_TTL_MS, SPOT_RATE_LIMITS, UM_RATE_LIMITS } from './connector/defaults.js';
export { readBinanceUsage } from './connector/usage-headers.js';
export { buildAllOrders, buildUmAllAlgoOrders, HISTORY_SPAN_MS, parseOrderListSummary, type AllOrdersQuery, type OrderListSummary } from './connector/history-requests.js';

/** The venue id this package's connector reports. */
export const BINANCE_VENUE = 'binance';
