/**
 * End to end: `BinanceConnector` against the local Binance exchange over real HTTP and WebSocket
 * on 127.0.0.1 passes the core connector conformance suite on Spot and on USDⓈ-M: every REST
 * operation, the user-stream ordering rules (NEW before fills, fills summing to the final filled
 * quantity) and ticker / depth subscriptions.
 */
import { describeConnector } from '@chimera/core/testing';
import { startLocalBinance, type LocalBinance } from '@chimera/binance/testing';
import { keepMarketLive, localConnector, seedBook, seedMarkets } from './local-market.js';

function suite(name: string, market: 'SPOT' | 'FUT'): void {
  let ex: LocalBinance | undefined;
  let stopMarket: (() => void) | undefined;
  describeConnector(
    name,
    async () => {
      ex = await startLocalBinance();
      seedMarkets(ex.engine);
      // The subscription checks expect a market that moves, as every listed Binance symbol does.
      stopMarket = keepMarketLive(ex.engine, market, 'BTCUSDT');
      // localConnector points both REST and the streams (market data, user data) at the local exchange.
      return localConnector(ex);
    },
    {
      targets: [{ market, symbol: 'BTCUSDT' }],
      moveMarket: (t, price) => seedBook(ex!.engine, t.market, t.symbol, price),
      cleanup: async () => {
        stopMarket?.();
        await ex?.close();
      },
    },
  );
}

suite('BinanceConnector (spot) on the local exchange', 'SPOT');
suite('BinanceConnector (USDⓈ-M) on the local exchange', 'FUT');
