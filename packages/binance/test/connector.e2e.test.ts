/**
 * `BinanceConnector` flows against the local exchange beyond the conformance suite: a UM algo stop
 * that triggers and is reported with its real fills, Spot OCO leg ids as the client chose them,
 * UM positions v3 with settings from symbolConfig, funding, and an Ed25519 key end to end.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceConnector } from '@chimera/binance';
import { startLocalBinance, type LocalBinance } from '@chimera/binance/testing';
import { localConnector, seedBook, seedMarkets } from './local-market.js';

let ex: LocalBinance | undefined;
let c: BinanceConnector | undefined;
afterEach(async () => {
  await c?.close();
  await ex?.close();
  c = undefined;
  ex = undefined;
});

async function setup(): Promise<{ ex: LocalBinance; c: BinanceConnector }> {
  ex = await startLocalBinance();
  seedMarkets(ex.engine);
  c = localConnector(ex);
  await c.connect();
  return { ex, c };
}

describe('UM algo stop', () => {
  it('triggers on the mark price, then reads FILLED with the triggered order’s fills and average price', async () => {
    const { ex, c } = await setup();
    await c.setLeverage('BTCUSDT', 10);
    await c.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: '0.003', clientOrderId: 'e1-entry-0', postOnly: false, reduceOnly: false });
    const [pos] = await c.positions('BTCUSDT');
    expect(pos).toMatchObject({ symbol: 'BTCUSDT', qty: '0.003', entryPrice: '64000.1', leverage: 10, marginType: 'CROSSED' });
    await c.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '63000', qty: '0.003', reduceOnly: true, workingType: 'MARK_PRICE', clientOrderId: 'e1-sl-0', postOnly: false });
    expect((await c.openOrders('FUT', 'BTCUSDT')).map((o) => [o.clientOrderId, o.type, o.status])).toEqual([['e1-sl-0', 'STOP_MARKET', 'NEW']]);

    seedBook(ex.engine, 'FUT', 'BTCUSDT', '62500');
    const done = await c.getOrder({ market: 'FUT', symbol: 'BTCUSDT', clientOrderId: 'e1-sl-0' });
    expect(done).toMatchObject({ clientOrderId: 'e1-sl-0', type: 'STOP_MARKET', status: 'FILLED', filledQty: '0.003', avgPrice: '62499.9', stopPrice: '63000' });
    expect(await c.positions()).toEqual([]);
    const fills = await c.fills('FUT', 'BTCUSDT');
    expect(fills.map((f) => [f.clientOrderId, f.side, f.price, f.qty, f.isMaker])).toEqual([
      ['e1-entry-0', 'BUY', '64000.1', '0.003', false],
      ['e1-sl-0', 'SELL', '62499.9', '0.003', false],
    ]);
    const history = await c.orderHistory('FUT', 'BTCUSDT');
    expect(history.map((o) => [o.clientOrderId, o.status])).toEqual([
      ['e1-entry-0', 'FILLED'],
      ['e1-sl-0', 'FILLED'],
    ]);
  });
});

describe('Spot OCO', () => {
  it('keeps the leg ids the client chose and cancels the list by its client id', async () => {
    const { ex, c } = await setup();
    await c.placeOrder({ market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: '0.01', clientOrderId: 'o1-entry-0', postOnly: false, reduceOnly: false });
    const list = await c.placeOco({ market: 'SPOT', symbol: 'BTCUSDT', side: 'SELL', qty: '0.00999', tpPrice: '70000', slStopPrice: '60000', slLimitPrice: '59900', legTimeInForce: 'GTC', clientListId: 'o1' });
    expect(list).toMatchObject({ clientListId: 'o1', status: 'EXECUTING' });
    expect([list.tp.clientOrderId, list.tp.type, list.tp.postOnly, list.tp.price]).toEqual(['o1-tp-0', 'LIMIT', true, '70000']);
    expect([list.sl.clientOrderId, list.sl.type, list.sl.stopPrice, list.sl.price]).toEqual(['o1-sl-0', 'STOP_LIMIT', '60000', '59900']);
    expect((await c.getOrder({ market: 'SPOT', symbol: 'BTCUSDT', clientOrderId: 'o1-sl-0' })).orderListId).toBe(list.listId);
    const done = await c.cancelOco('BTCUSDT', 'o1');
    expect([done.status, done.tp.status, done.sl.status, done.tp.clientOrderId]).toEqual(['ALL_DONE', 'CANCELED', 'CANCELED', 'o1-tp-0']);
    expect(ex.engine.openOrders('SPOT')).toEqual([]);
  });
});

describe('UM account', () => {
  it('reports funding rates and income settled by the engine', async () => {
    const { ex, c } = await setup();
    await c.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: '0.002', clientOrderId: 'f1-0', postOnly: false, reduceOnly: false });
    const fundingTime = Date.now() - 1000;
    ex.engine.applyMarkPrice('BTCUSDT', { markPrice: '64000', fundingRate: '0.0001', nextFundingTime: fundingTime });
    ex.engine.applyMarkPrice('BTCUSDT', { markPrice: '64000', fundingRate: '0.0002', nextFundingTime: fundingTime + 8 * 3_600_000 });
    expect(await c.fundingRates('BTCUSDT')).toEqual([{ venue: 'binance', symbol: 'BTCUSDT', fundingTime, rate: '0.0001', markPrice: '64000' }]);
    const income = await c.fundingIncome({ symbol: 'BTCUSDT' });
    expect(income.map((i) => [i.symbol, i.fundingTime, i.amount])).toEqual([['BTCUSDT', fundingTime, '0.0128']]);
    expect(await c.markPrice('BTCUSDT')).toMatchObject({ markPrice: '64000', fundingRate: '0.0002', nextFundingTime: fundingTime + 8 * 3_600_000 });
  });
});

describe('Ed25519 keys', () => {
  it('signs every call (and the Spot user-stream subscription) with an Ed25519 key the exchange verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    ex = await startLocalBinance({ apiKeys: [{ apiKey: 'ed-key', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }] });
    seedMarkets(ex.engine);
    c = new BinanceConnector({ apiKey: 'ed-key', privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), baseUrls: { spot: ex.url, um: ex.url } });
    const streamed: string[] = [];
    c.events.on('order', (order) => streamed.push(`${order.clientOrderId} ${order.status}`));
    await c.connect();
    const o = await c.placeOrder({ market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '60000', qty: '0.001', clientOrderId: 'ed-1', postOnly: true, reduceOnly: false });
    expect([o.status, o.postOnly]).toEqual(['NEW', true]);
    expect(ex.requests.filter((r) => r.status !== 200)).toEqual([]);
    // The WS API accepted the Ed25519-signed subscription: the order's update arrives on it. (No
    // streamUrls given: beside a loopback REST URL the streams default to the same host and port.)
    await expect.poll(() => streamed).toEqual(['ed-1 NEW']);
  });
});
