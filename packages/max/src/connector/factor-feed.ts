/**
 * Keeps a {@link UsdtTwdFactor} live from a connector's `USDTTWD` ticker: the REST ticker first
 * (so the factor has a rate at once), then every tick of the stream. Each tick the factor takes is
 * also handed on as a `MarketTick`, so hosts publish USDT/TWD on their market streams like any
 * other symbol.
 *
 * @packageDocumentation
 */
import type { ExchangeConnector, MarketTick, SubscriptionHandle } from '@chimera/core';
import { USDTTWD, type UsdtTwdFactor } from '../factor/usdt-twd-factor.js';

/** Options of {@link feedUsdtTwdFactor}. */
export interface UsdtTwdFeedOptions {
  /** Receives every tick the factor took (the REST ticker first, then the stream's). */
  onTick?: (tick: MarketTick) => void;
  /** Skip the initial REST ticker (default false). */
  skipSnapshot?: boolean;
}

/**
 * Feeds `factor` from `connector`'s `USDTTWD` ticker (SPOT).
 *
 * @param connector - A connected MAX connector (any connector listing USDTTWD fits).
 * @param factor - The factor to keep live.
 * @param options - See {@link UsdtTwdFeedOptions}.
 * @returns The stream subscription; `unsubscribe()` stops the feed (the factor then goes stale on
 *   its clock, as it should).
 * @throws What `connector.ticker` and `connector.subscribe` throw.
 */
export async function feedUsdtTwdFactor(
  connector: Pick<ExchangeConnector, 'ticker' | 'subscribe'>,
  factor: UsdtTwdFactor,
  options: UsdtTwdFeedOptions = {},
): Promise<SubscriptionHandle> {
  const take = (tick: MarketTick): void => {
    if (factor.update(tick)) options.onTick?.(tick);
  };
  if (!options.skipSnapshot) take(await connector.ticker('SPOT', USDTTWD));
  return connector.subscribe({ channel: 'ticker', market: 'SPOT', symbol: USDTTWD, levels: 1 }, (event) => {
    if (event.type === 'ticker') take(event.tick);
  });
}
