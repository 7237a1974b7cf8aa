/**
 * `@chimera/max/testing`: a local MAX exchange for end-to-end tests — MAX's v3 REST endpoints and
 * WebSocket channels on 127.0.0.1, backed by the core paper engine, with MAX's signature and nonce
 * checks and scripted faults (dropped sockets, book gaps, stalled streams, 429 bans, lost answers).
 *
 * @packageDocumentation
 */
export { startLocalMax, type LocalMax, type LocalMaxOptions, type LocalMaxStats } from './local-max.js';
export { MaxFaults, type ConnectionFilter, type StallFilter, type RateLimitFault, type FaultHooks } from './faults.js';
export { NonceLedger, verifyRestRequest, verifyWsAuth, type LocalMaxCredential, type NonceMode, type NonceVerdict, type SignedRestRequest, type WsAuthFailure } from './auth.js';
export { LOCAL_MAX_MARKETS, LOCAL_MAX_BALANCES, LOCAL_MAX_FEES, localMaxInstruments, localMaxBooks, ladderBook } from './markets.js';
export { BookFeed, type FeedMessage, type WireLevel } from './book-feed.js';
export { MaxWireError, maxErrors } from './wire-error.js';
export type { RestStats } from './rest-api.js';
export type { WsHubStats } from './ws-hub.js';
