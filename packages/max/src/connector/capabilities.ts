/**
 * What MAX offers through {@link MaxConnector}, declared honestly (SPEC §1.1): spot only; limit,
 * market, post-only, IOC limit and stop (stop-limit, stop-market) orders; no FOK, no OCO lists, no
 * reduce-only, no leverage, no SPOT↔FUT transfers, no funding; market data as ticker (top of the
 * synced book), depth and trades.
 *
 * @packageDocumentation
 */
import type { VenueCapabilities } from '@chimera/core';

/**
 * MAX's capabilities.
 *
 * @param userStream - Whether the private channels are available (an API key was given).
 * @returns A frozen capabilities object.
 */
export function maxCapabilities(userStream: boolean): VenueCapabilities {
  return Object.freeze({
    markets: Object.freeze(['SPOT'] as const),
    postOnly: true,
    oco: false,
    stopOrders: Object.freeze({ SPOT: true }),
    workingTypes: Object.freeze([] as const),
    reduceOnly: false,
    ioc: true,
    fok: false,
    leverage: false,
    transfers: false,
    funding: false,
    userStream,
    streams: Object.freeze(['ticker', 'depth', 'trades'] as const),
  }) as VenueCapabilities;
}
