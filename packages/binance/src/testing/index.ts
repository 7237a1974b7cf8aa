/**
 * `@chimera/binance/testing`: a local Binance-compatible exchange for end-to-end tests. It serves
 * the Spot, wallet and USDⓈ-M REST endpoints the SDK uses on 127.0.0.1 from the paper engine,
 * checks signatures, timestamps and `recvWindow`, answers with Binance's codes and shapes, and
 * plays scripted faults.
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
} from './local-binance.js';
export { LocalBinanceFaults, type ActiveFault, type DropFault, type FaultMatch, type StatusFault } from './faults.js';
export type { LocalApiKey } from './auth.js';
export { BinanceWireError } from './wire-error.js';
