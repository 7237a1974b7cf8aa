/**
 * `@chimera/max` — MAX (MaiCoin) adapter. Today it holds the pure layer: REST v3 signing with
 * monotonic nonces, request builders, response mappers and the error table; WebSocket messages,
 * the `fi`/`li`/`v` book rules and the message budget; and `UsdtTwdFactor`. The connector and the
 * local MAX exchange arrive with the rest of the MAX issue.
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
