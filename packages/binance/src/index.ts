/**
 * `@chimera/binance` — Binance Spot + USDⓈ-M futures adapter. Not built yet: the REST adapter
 * arrives with the Binance REST issue, the WebSocket streams and user data with the WebSocket issue.
 *
 * @packageDocumentation
 */

/** The venue id this package's connector reports. */
export const BINANCE_VENUE = 'binance';
