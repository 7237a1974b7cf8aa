/**
 * `@chimera/binance` — Binance Spot + USDⓈ-M futures adapter. Today it holds the pure REST layer:
 * signing (HMAC-SHA256, Ed25519, RSA), request builders for every Spot and UM endpoint the SDK
 * uses (UM conditional orders through the algo-order endpoints), response mappers to the core's
 * domain types, instruments from `exchangeInfo` and `leverageBracket`, and the error-code table.
 * The connector, the WebSocket streams and the local exchange arrive with their issues.
 *
 * @packageDocumentation
 */
export * from './rest/index.js';

/** The venue id this package's connector reports. */
export const BINANCE_VENUE = 'binance';
