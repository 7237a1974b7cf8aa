/**
 * `@chimera/max` — MAX (MaiCoin) adapter: `MaxConnector` (the core `ExchangeConnector` over MAX
 * spot, with market data and the private channels over WebSocket), the USDT→TWD factor and its
 * feed, and the pure layer under them: REST v3 signing with monotonic nonces, request builders,
 * response mappers and the error table; WebSocket messages, the `fi`/`li`/`v` book rules and the
 * message budget. The local MAX exchange for tests is `@chimera/max/testing`.
 *
 * @packageDocumentation
 */

/** The venue id this package's connector reports. */
export const MAX_VENUE = 'max';

export { VENUE_ID as MAX_VENUE_ID, secondsToMs, millisToMs } from './rest/wire.js';
export { MaxSigner, encodeMaxQuery, payloadJson, ACCESS_KEY_HEADER, PAYLOAD_HEADER, SIGNATURE_HEADER, type MaxCredentials, type MaxMethod, type MaxParams, type MaxParamValue, type MaxSignInput, type MaxSignedRequest, type MaxWsAuthFields } from './rest/signing.js';
export { NonceSource, type NonceSourceOptions, type CalibrateOptions } from './rest/nonce-source.js';
export { parseMarkets, marketToInstrument, precisionToStep, toMaxMarket, fromMaxMarket, toMaxCurrency, fromMaxCurrency, splitMaxMarket, MaxSymbols, KNOWN_QUOTES, MaxMarketSchema, type MaxMarket } from './rest/instruments.js';
export * from './rest/requests.js';
export { toRestRequest, type MaxAuth } from './rest/rest-request.js';
export { orderStatusOf, orderKindOf, sideOf, syntheticClientOrderId, isSyntheticClientOrderId, type CoreOrderKind } from './rest/order-vocabulary.js';
export * from './rest/mappers.js';
export * from './rest/errors.js';
export * from './ws/book-rules.js';
export * from './ws/messages.js';
export * from './ws/message-budget.js';
export * from './ws/protocol.js';
export * from './factor/usdt-twd-factor.js';
export { MaxConnector, MaxConnectorOptions, type MaxConnectorOptionsInput } from './connector.js';
export { maxCapabilities } from './connector/capabilities.js';
export { type MaxBookState } from './connector/market-streams.js';
export { feedUsdtTwdFactor, type UsdtTwdFeedOptions } from './connector/factor-feed.js';
