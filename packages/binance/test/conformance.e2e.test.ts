/**
 * End to end: `BinanceConnector` against the local Binance exchange over real HTTP on 127.0.0.1
 * passes the core connector conformance suite on Spot and on USDⓈ-M, for every REST operation.
 */
import { describeConnector } from '@chimera/core/testing';
import { startLocalBinance, type LocalBinance } from '@chimera/binance/testing';
import { localConnector, seedBook, seedMarkets } from './local-market.js';

function suite(name: string, market: 'SPOT' | 'FUT'): void {
  let ex: LocalBinance | undefined;
  describeConnector(
    name,
    async () => {
      ex = await startLocalBinance();
      seedMarkets(ex.engine);
      return localConnector(ex);
    },
    {
      targets: [{ market, symbol: 'BTCUSDT' }],
      moveMarket: (t, price) => seedBook(ex!.engine, t.market, t.symbol, price),
      cleanup: () => ex?.close(),
    },
  );
}

suite('BinanceConnector (spot) on the local exchange', 'SPOT');
suite('BinanceConnector (USDⓈ-M) on the local exchange', 'FUT');
