/**
 * The README's examples, run as written (with their printed values asserted) against the local
 * exchange: a post-only order, an algo stop and a transfer; streaming ticks and a synced book; the
 * user stream.
 */
import { expect, it } from 'vitest';
import type { ConnectorAlert, MarketTick } from '@chimera/core';
import { BinanceConnector, deriveClientOrderId } from '@chimera/binance';
import { LOCAL_API_KEY, LOCAL_API_SECRET, startLocalBinance } from '@chimera/binance/testing';

it('README: post-only order, algo stop and transfer', async () => {
  const exchange = await startLocalBinance();
  exchange.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: [['63999.9', '2']], asks: [['64000.1', '2']] });

  const binance = new BinanceConnector({
    apiKey: LOCAL_API_KEY,
    secret: LOCAL_API_SECRET,
    baseUrls: { spot: exchange.url, um: exchange.url },
    streamUrls: exchange.streamUrls,
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
    // connect() created the UM user stream's listen key first.
    expect(exchange.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/fapi/v1/listenKey', '/fapi/v1/order', '/fapi/v1/order', '/fapi/v1/algoOrder']);
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

it('README: streaming ticks and a synced book in ten lines', async () => {
  const exchange = await startLocalBinance();
  exchange.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: [['63999.9', '2'], ['63999.8', '5']], asks: [['64000.1', '2'], ['64000.2', '5']] });
  // A live market never stands still: this one changes the best bid's size every 20 ms.
  let size = 2;
  const moving = setInterval(() => exchange.engine.applyBookDiff('FUT', 'BTCUSDT', { bids: [['63999.9', String((size = 5 - size))]], asks: [] }), 20);

  const binance = new BinanceConnector({ markets: ['FUT'], baseUrls: { um: exchange.url }, streamUrls: exchange.streamUrls }); // market data needs no key
  try {
    const firstTick = new Promise<MarketTick>((resolve) => {
      void binance.subscribe({ channel: 'ticker', market: 'FUT', symbol: 'BTCUSDT' }, (e) => e.type === 'ticker' && resolve(e.tick));
    });
    await binance.subscribe({ channel: 'depth', market: 'FUT', symbol: 'BTCUSDT', levels: 5 }, () => undefined); // keeps a local book
    await new Promise((synced) => binance.marketStreams.events.once('synced', synced)); // REST snapshot + diffs, by Binance's update-id rules
    const tick = await firstTick;
    expect([tick.bid, tick.ask, tick.spread_bps.toFixed(2)]).toEqual(['63999.9', '64000.1', '0.03']);
    const book = binance.book('FUT', 'BTCUSDT')!; // best bid/ask in O(1); resynced after any gap or reconnect
    expect([book.bestBid()?.price, book.bestAsk()?.price, binance.marketStreams.bookStatus('FUT', 'BTCUSDT')?.state]).toEqual(['63999.9', '64000.1', 'synced']);
  } finally {
    clearInterval(moving);
    await binance.close();
    await exchange.close();
  }
});

it('README: the user stream', async () => {
  const exchange = await startLocalBinance();
  exchange.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: [['63999.9', '2']], asks: [['64000.1', '2']] });
  const binance = new BinanceConnector({
    apiKey: LOCAL_API_KEY,
    secret: LOCAL_API_SECRET,
    baseUrls: { spot: exchange.url, um: exchange.url },
    streamUrls: exchange.streamUrls,
    symbols: ['BTCUSDT'], // always caught up after a reconnect
  });
  const printed: string[] = [];
  const alerts: ConnectorAlert[] = [];
  binance.events.on('order', (o) => printed.push(`order ${o.clientOrderId} ${o.status} ${o.filledQty}`));
  binance.events.on('fill', (f) => printed.push(`fill ${f.clientOrderId} ${f.qty} @ ${f.price}`));
  binance.events.on('userStreamConnected', ({ reconnect }) => printed.push(`user stream live${reconnect ? ' again' : ''}`));
  binance.events.on('alert', (a) => alerts.push(a));
  try {
    await binance.connect(); // starts the Spot and UM user streams and waits until both are live
    expect(printed).toEqual(['user stream live', 'user stream live']);
    printed.length = 0;
    await binance.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: '0.002', postOnly: false, reduceOnly: false, clientOrderId: 'u-1' });
    await expect.poll(() => printed).toEqual(['order u-1 NEW 0', 'fill u-1 0.002 @ 64000.1', 'order u-1 FILLED 0.002']);

    // A dropped user stream reconnects by itself and catches up over REST; nothing is lost or repeated.
    exchange.wsFaults.drop({ kind: 'private' });
    exchange.engine.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: '0.002', clientOrderId: 'u-2' });
    await expect.poll(() => printed.filter((l) => l.includes('u-2') || l.includes('again')).sort(), { timeout: 5_000 }).toEqual(
      ['fill u-2 0.002 @ 63999.9', 'order u-2 FILLED 0.002', 'user stream live again'].sort(),
    );
    expect(alerts.filter((a) => a.level === 'FATAL' || a.level === 'ERROR')).toEqual([]);
  } finally {
    await binance.close();
    await exchange.close();
  }
});
