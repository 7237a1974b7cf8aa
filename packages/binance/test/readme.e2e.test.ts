/**
 * The README's example, run as written (with its printed values asserted): a post-only order, an
 * algo stop and a transfer against the local exchange.
 */
import { expect, it } from 'vitest';
import { BinanceConnector, deriveClientOrderId } from '@chimera/binance';
import { LOCAL_API_KEY, LOCAL_API_SECRET, startLocalBinance } from '@chimera/binance/testing';

it('README: post-only order, algo stop and transfer', async () => {
  const exchange = await startLocalBinance();
  exchange.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: [['63999.9', '2']], asks: [['64000.1', '2']] });

  const binance = new BinanceConnector({
    apiKey: LOCAL_API_KEY,
    secret: LOCAL_API_SECRET,
    baseUrls: { spot: exchange.url, um: exchange.url },
  });
  try {
    await binance.connect();

    const maker = await binance.placeOrder({
      market: 'FUT',
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      price: '63990.05',
      qty: '0.0025',
      postOnly: true,
      reduceOnly: false,
      clientOrderId: deriveClientOrderId({ intentId: 'i42', leg: 'mk', attempt: 0 }),
    });
    expect([maker.status, maker.price, maker.qty, maker.timeInForce, maker.clientOrderId]).toEqual(['NEW', '63990', '0.002', 'GTX', 'i42-mk-0']);

    await binance.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: '0.002', postOnly: false, reduceOnly: false, clientOrderId: 'i42-entry-0' });
    const stop = await binance.placeOrder({
      market: 'FUT',
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_MARKET',
      stopPrice: '60000',
      qty: '0.002',
      workingType: 'MARK_PRICE',
      reduceOnly: true,
      postOnly: false,
      clientOrderId: deriveClientOrderId({ intentId: 'i42', leg: 'sl', attempt: 0 }),
    });
    expect([stop.status, stop.type, stop.stopPrice]).toEqual(['NEW', 'STOP_MARKET', '60000']);
    expect(exchange.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/fapi/v1/order', '/fapi/v1/order', '/fapi/v1/algoOrder']);
    expect((await binance.openOrders('FUT', 'BTCUSDT')).map((o) => o.clientOrderId)).toEqual(['i42-mk-0', 'i42-sl-0']);
    const cancelled = await binance.cancelOrder({ market: 'FUT', symbol: 'BTCUSDT', clientOrderId: 'i42-sl-0' });
    expect(cancelled.status).toBe('CANCELED');

    const transfer = await binance.transfer({ asset: 'USDT', amount: '100', from: 'SPOT', to: 'FUT', clientTransferId: 'tr-1' });
    expect([transfer.status, transfer.amount, transfer.from, transfer.to, transfer.clientTransferId]).toEqual(['CONFIRMED', '100', 'SPOT', 'FUT', 'tr-1']);
    expect(exchange.engine.balances('SPOT')).toEqual([{ venue: 'binance', market: 'SPOT', asset: 'USDT', free: '9900', locked: '0' }]);
  } finally {
    await binance.close();
    await exchange.close();
  }
});
