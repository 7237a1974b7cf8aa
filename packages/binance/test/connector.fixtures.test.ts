/**
 * Adapter contract tests: `BinanceConnector` over an undici `MockAgent` that serves Binance's
 * documented example responses (`test/fixtures`). Every call asserts the exact request it sends
 * (method, path, query in order, signature over those bytes, API-key header) and the domain
 * values it parses out of the documented answer. Time is a fake clock, so timestamps and
 * signatures are fixed.
 */
import { createHmac, generateKeyPairSync, verify } from 'node:crypto';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isChimeraError } from '@chimera/core';
import { FakeClock } from '@chimera/core/testing';
import { BinanceConnector, type BinanceConnectorOptionsInput } from '@chimera/binance';
import { fixtureBody } from './fixtures/load.js';

// Binance's documented Spot example key (a public illustration key, not a credential).
const KEY = {
  apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
  secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
};
const SPOT = 'https://api.binance.com';
const UM = 'https://fapi.binance.com';
const T = 1_766_102_400_000;
const TAIL = `recvWindow=5000&timestamp=${T}`;

interface Sent {
  method: string;
  origin: string;
  path: string;
  query: string;
  apiKey: string | undefined;
}

/** The query a signed request must carry: `params&recvWindow&timestamp&signature=hex(HMAC)`. */
function signed(params: string): string {
  const payload = params === '' ? TAIL : `${params}&${TAIL}`;
  return `${payload}&signature=${createHmac('sha256', KEY.secret).update(payload).digest('hex')}`;
}

let agent: MockAgent;
let sent: Sent[];
let c: BinanceConnector;

function connector(extra: BinanceConnectorOptionsInput = {}): BinanceConnector {
  return new BinanceConnector({
    ...KEY,
    dispatcher: agent,
    clock: new FakeClock(T),
    retry: { retries: 0 },
    settle: { attempts: 1, delayMs: 0 },
    ...extra,
  });
}

/** Serves one answer for the next request to `origin` `method` `path` and records the request. */
function serve(origin: string, method: string, path: string, body: unknown, status = 200): void {
  agent
    .get(origin)
    .intercept({ path: (p) => p.split('?')[0] === path, method })
    .reply((opts) => {
      const [p, q = ''] = String(opts.path).split('?');
      const headers = (opts.headers ?? {}) as Record<string, string>;
      const apiKey = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-mbx-apikey')?.[1];
      sent.push({ method: opts.method, origin, path: p!, query: q, apiKey });
      return { statusCode: status, data: JSON.stringify(body), responseOptions: { headers: { 'content-type': 'application/json' } } };
    });
}

function fixture(origin: string, name: string, status = 200): void {
  const f = fixtureBody(name);
  const [method, path] = FIXTURE_ROUTES[name]!;
  serve(origin, method, path, f, status);
}

const FIXTURE_ROUTES: Record<string, [string, string]> = {
  'spot/time': ['GET', '/api/v3/time'],
  'spot/exchange-info': ['GET', '/api/v3/exchangeInfo'],
  'spot/depth': ['GET', '/api/v3/depth'],
  'spot/book-ticker': ['GET', '/api/v3/ticker/bookTicker'],
  'spot/order-full': ['POST', '/api/v3/order'],
  'spot/order-result': ['POST', '/api/v3/order'],
  'spot/order-list-oco': ['POST', '/api/v3/orderList/oco'],
  'spot/order-cancel': ['DELETE', '/api/v3/order'],
  'spot/order-list-cancel': ['DELETE', '/api/v3/orderList'],
  'spot/order-query': ['GET', '/api/v3/order'],
  'spot/open-orders': ['GET', '/api/v3/openOrders'],
  'spot/all-orders': ['GET', '/api/v3/allOrders'],
  'spot/my-trades': ['GET', '/api/v3/myTrades'],
  'spot/account': ['GET', '/api/v3/account'],
  'wallet/transfer': ['POST', '/sapi/v1/asset/transfer'],
  'wallet/transfer-history': ['GET', '/sapi/v1/asset/transfer'],
  'um/time': ['GET', '/fapi/v1/time'],
  'um/exchange-info': ['GET', '/fapi/v1/exchangeInfo'],
  'um/leverage-bracket': ['GET', '/fapi/v1/leverageBracket'],
  'um/depth': ['GET', '/fapi/v1/depth'],
  'um/book-ticker': ['GET', '/fapi/v1/ticker/bookTicker'],
  'um/premium-index': ['GET', '/fapi/v1/premiumIndex'],
  'um/funding-rate': ['GET', '/fapi/v1/fundingRate'],
  'um/income': ['GET', '/fapi/v1/income'],
  'um/order-new-gtx': ['POST', '/fapi/v1/order'],
  'um/order-new-market-result': ['POST', '/fapi/v1/order'],
  'um/algo-order-new-stop-market': ['POST', '/fapi/v1/algoOrder'],
  'um/order-cancel': ['DELETE', '/fapi/v1/order'],
  'um/algo-order-cancel': ['DELETE', '/fapi/v1/algoOrder'],
  'um/algo-order-query': ['GET', '/fapi/v1/algoOrder'],
  'um/order-query-filled': ['GET', '/fapi/v1/order'],
  'um/open-orders': ['GET', '/fapi/v1/openOrders'],
  'um/open-algo-orders': ['GET', '/fapi/v1/openAlgoOrders'],
  'um/all-orders': ['GET', '/fapi/v1/allOrders'],
  'um/all-algo-orders': ['GET', '/fapi/v1/allAlgoOrders'],
  'um/position-risk-v3': ['GET', '/fapi/v3/positionRisk'],
  'um/symbol-config': ['GET', '/fapi/v1/symbolConfig'],
  'um/balance-v3': ['GET', '/fapi/v3/balance'],
  'um/leverage': ['POST', '/fapi/v1/leverage'],
  'um/margin-type': ['POST', '/fapi/v1/marginType'],
  'um/margin-type-already-set': ['POST', '/fapi/v1/marginType'],
  'um/user-trades': ['GET', '/fapi/v1/userTrades'],
};

/** What was sent, as `METHOD origin path?query`. */
function requests(): string[] {
  return sent.map((s) => `${s.method} ${s.origin}${s.path}${s.query === '' ? '' : `?${s.query}`}`);
}

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  sent = [];
  c = connector();
});

afterEach(async () => {
  await c.close();
  agent.assertNoPendingInterceptors();
  await agent.close();
});

describe('market data', () => {
  it('serverTime: GET /api/v3/time, unsigned', async () => {
    fixture(SPOT, 'spot/time');
    expect(await c.serverTime()).toBe(1499827319559);
    expect(requests()).toEqual([`GET ${SPOT}/api/v3/time`]);
    expect(sent[0]!.apiKey).toBeUndefined();
  });

  it('instruments(SPOT): exchangeInfo filters become instruments (unrepresentable symbols skipped)', async () => {
    fixture(SPOT, 'spot/exchange-info');
    const list = await c.instruments('SPOT');
    expect(requests()).toEqual([`GET ${SPOT}/api/v3/exchangeInfo`]);
    expect(list.map((i) => [i.symbol, i.status])).toEqual([
      ['ETHBTC', 'TRADING'],
      ['LTCBTC', 'BREAK'],
    ]);
    expect(list[0]).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'ETHBTC',
      base: 'ETH',
      quote: 'BTC',
      status: 'TRADING',
      tickSize: '0.000001',
      stepSize: '0.001',
      minQty: '0.001',
      maxQty: '100000',
      marketStepSize: '0.001',
      marketMinQty: '0.001',
      marketMaxQty: '100000',
      minPrice: '0.000001',
      maxPrice: '100000',
      minNotional: '10',
      maxNotional: '10000',
      gridFromMin: false,
      percentPrice: { multiplierUp: '1.2', multiplierDown: '0.8' },
      leverageBrackets: [],
    });
    // Cached: a second call sends nothing.
    expect((await c.instrument('SPOT', 'LTCBTC')).minNotional).toBe('0.001');
    expect(sent).toHaveLength(1);
    const err = await c.instrument('SPOT', 'NOSUCH').catch((e: unknown) => e);
    expect(isChimeraError(err) && err.code).toBe('UNKNOWN_SYMBOL');
  });

  it('instruments(FUT): exchangeInfo (perpetuals) plus signed leverageBracket', async () => {
    fixture(UM, 'um/exchange-info');
    fixture(UM, 'um/leverage-bracket');
    const list = await c.instruments('FUT');
    expect(requests().sort()).toEqual([`GET ${UM}/fapi/v1/exchangeInfo`, `GET ${UM}/fapi/v1/leverageBracket?${signed('')}`]);
    expect(sent.find((s) => s.path === '/fapi/v1/leverageBracket')!.apiKey).toBe(KEY.apiKey);
    expect(list.map((i) => [i.symbol, i.status, i.gridFromMin])).toEqual([
      ['BLZUSDT', 'TRADING', true],
      ['ETHUSDT', 'HALTED', true],
    ]);
    expect(list[1]!.leverageBrackets).toEqual([
      { bracket: 1, initialLeverage: 75, notionalFloor: '0', notionalCap: '10000', maintMarginRatio: '0.0065' },
      { bracket: 2, initialLeverage: 50, notionalFloor: '10000', notionalCap: '50000', maintMarginRatio: '0.01' },
      { bracket: 3, initialLeverage: 25, notionalFloor: '50000', notionalCap: '250000', maintMarginRatio: '0.02' },
    ]);
    expect(list[0]).toMatchObject({ symbol: 'BLZUSDT', tickSize: '0.0001', stepSize: '1', minQty: '1', minNotional: '5', percentPrice: { multiplierUp: '1.15', multiplierDown: '0.85' } });
  });

  it('depth: Spot limit as asked; UM rounds up to an allowed limit and trims', async () => {
    fixture(SPOT, 'spot/depth');
    const spot = await c.depth('SPOT', 'LTCBTC', 100);
    expect(spot).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'LTCBTC',
      sequence: 1027024,
      bids: [{ price: '4', qty: '431' }],
      asks: [{ price: '4.000002', qty: '12' }],
      receiveTime: T,
    });
    fixture(UM, 'um/depth');
    const um = await c.depth('FUT', 'BTCUSDT', 7);
    expect(um).toMatchObject({ market: 'FUT', sequence: 1027024, eventTime: 1589436922972, bids: [{ price: '4', qty: '431' }] });
    expect(requests()).toEqual([`GET ${SPOT}/api/v3/depth?symbol=LTCBTC&limit=100`, `GET ${UM}/fapi/v1/depth?symbol=BTCUSDT&limit=10`]);
  });

  it('ticker: bookTicker with the SPEC §2 figures', async () => {
    fixture(SPOT, 'spot/book-ticker');
    fixture(UM, 'um/book-ticker');
    const spot = await c.ticker('SPOT', 'LTCBTC');
    const um = await c.ticker('FUT', 'BTCUSDT');
    expect(requests()).toEqual([`GET ${SPOT}/api/v3/ticker/bookTicker?symbol=LTCBTC`, `GET ${UM}/fapi/v1/ticker/bookTicker?symbol=BTCUSDT`]);
    expect(spot).toMatchObject({ market: 'SPOT', symbol: 'LTCBTC', bid: '4', bidQty: '431', ask: '4.000002', askQty: '9', eventTime: T, receiveTime: T });
    expect(spot.mid).toBeCloseTo(4.000001, 9);
    expect(spot.spread_bps).toBeCloseTo(0.0049999987, 9);
    expect(spot.depth_top1_usdt).toBeCloseTo(36.000009, 9);
    expect(um).toMatchObject({ market: 'FUT', symbol: 'BTCUSDT', eventTime: 1589437530011 });
  });

  it('markPrice, fundingRates and fundingIncome on UM', async () => {
    fixture(UM, 'um/premium-index');
    fixture(UM, 'um/funding-rate');
    fixture(UM, 'um/income');
    expect(await c.markPrice('BTCUSDT')).toEqual({
      venue: 'binance',
      symbol: 'BTCUSDT',
      markPrice: '11793.63104562',
      indexPrice: '11781.8049597',
      fundingRate: '0.00038246',
      nextFundingTime: 1597392000000,
      eventTime: 1597370495002,
      receiveTime: T,
    });
    const rates = await c.fundingRates('BTCUSDT', { startTime: 1570608000000, endTime: 1570665600000, limit: 3 });
    expect(rates.map((r) => [r.fundingTime, r.rate, r.markPrice])).toEqual([
      [1570608000000, '-0.0375', '34287.54619963'],
      [1570636800000, '0.0001', '34287.54619963'],
      [1570665600000, '0.00005', undefined],
    ]);
    const income = await c.fundingIncome({ symbol: 'BTCUSDT', startTime: 1766000000000 });
    expect(income.map((i) => [i.symbol, i.fundingTime, i.amount, i.tranId])).toEqual([['BTCUSDT', 1766131200000, '0.0865', '9689322500']]);
    expect(requests()).toEqual([
      `GET ${UM}/fapi/v1/premiumIndex?symbol=BTCUSDT`,
      `GET ${UM}/fapi/v1/fundingRate?symbol=BTCUSDT&startTime=1570608000000&endTime=1570665600000&limit=3`,
      `GET ${UM}/fapi/v1/income?${signed('symbol=BTCUSDT&incomeType=FUNDING_FEE&startTime=1766000000000&limit=1000')}`,
    ]);
  });
});

describe('Spot orders', () => {
  beforeEach(async () => {
    fixture(SPOT, 'spot/exchange-info');
    await c.instruments('SPOT');
    sent = [];
  });

  it('placeOrder MARKET: rounds the quantity down to the step, signs, parses the FULL answer', async () => {
    fixture(SPOT, 'spot/order-full');
    const order = await c.placeOrder({ market: 'SPOT', symbol: 'ETHBTC', side: 'SELL', type: 'MARKET', qty: '10.0009', clientOrderId: 'i42-tk-0', postOnly: false, reduceOnly: false });
    expect(requests()).toEqual([`POST ${SPOT}/api/v3/order?${signed('symbol=ETHBTC&side=SELL&type=MARKET&quantity=10&newClientOrderId=i42-tk-0&newOrderRespType=FULL')}`]);
    expect(sent[0]!.apiKey).toBe(KEY.apiKey);
    expect(order).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'BTCUSDT',
      clientOrderId: '6gCrw2kRUAF9CvJDGP16IP',
      venueOrderId: '28',
      side: 'SELL',
      type: 'MARKET',
      postOnly: false,
      reduceOnly: false,
      qty: '10',
      filledQty: '10',
      avgPrice: '3998.3',
      status: 'FILLED',
      createdAt: 1507725176595,
      updatedAt: 1507725176595,
    });
  });

  it('placeOrder post-only: LIMIT_MAKER, price rounded down to the tick for a BUY', async () => {
    fixture(SPOT, 'spot/order-result');
    await c.placeOrder({ market: 'SPOT', symbol: 'ETHBTC', side: 'BUY', type: 'LIMIT', price: '0.0512349', qty: '250', clientOrderId: 'i42-mk-0', postOnly: true, reduceOnly: false });
    expect(requests()).toEqual([
      `POST ${SPOT}/api/v3/order?${signed('symbol=ETHBTC&side=BUY&type=LIMIT_MAKER&quantity=250&price=0.051234&newClientOrderId=i42-mk-0&newOrderRespType=FULL')}`,
    ]);
  });

  it('placeOrder refuses a filter failure locally: nothing is sent', async () => {
    const err = await c
      .placeOrder({ market: 'SPOT', symbol: 'ETHBTC', side: 'BUY', type: 'LIMIT', price: '0.05', qty: '1', clientOrderId: 'i42-mk-1', postOnly: false, reduceOnly: false })
      .catch((e: unknown) => e);
    expect(isChimeraError(err) && [err.code, err.details.filter]).toEqual(['NOTIONAL_BELOW_MIN', 'MIN_NOTIONAL']);
    expect(sent).toEqual([]);
  });

  it('placeOrder maps the documented post-only rejection (-2010) to PostOnlyRejectedError', async () => {
    serve(SPOT, 'POST', '/api/v3/order', { code: -2010, msg: 'Order would immediately match and take.' }, 400);
    const err = await c
      .placeOrder({ market: 'SPOT', symbol: 'ETHBTC', side: 'BUY', type: 'LIMIT', price: '0.06', qty: '250', clientOrderId: 'i42-mk-2', postOnly: true, reduceOnly: false })
      .catch((e: unknown) => e);
    expect(isChimeraError(err) && [err.code, err.status, err.details.venueCode]).toEqual(['POST_ONLY_REJECTED', 422, -2010]);
    expect(sent).toHaveLength(1);
  });

  it('placeOco: orderList/oco with the take-profit above and the stop below for a SELL', async () => {
    fixture(SPOT, 'spot/order-list-oco');
    const list = await c.placeOco({ market: 'SPOT', symbol: 'ETHBTC', side: 'SELL', qty: '300', tpPrice: '0.06', slStopPrice: '0.04', slLimitPrice: '0.039', legTimeInForce: 'GTC', clientListId: 'i42' });
    expect(requests()).toEqual([
      `POST ${SPOT}/api/v3/orderList/oco?${signed(
        'symbol=ETHBTC&side=SELL&quantity=300&listClientOrderId=i42&aboveType=LIMIT_MAKER&aboveClientOrderId=i42-tp-0&abovePrice=0.06' +
          '&belowType=STOP_LOSS_LIMIT&belowClientOrderId=i42-sl-0&belowPrice=0.039&belowStopPrice=0.04&belowTimeInForce=GTC&newOrderRespType=RESULT',
      )}`,
    ]);
    expect(list).toMatchObject({ listId: '1', clientListId: 'lH1YDkuQKWiXVXHPSKYEIp', symbol: 'LTCBTC', status: 'EXECUTING' });
    expect(list.sl).toMatchObject({ venueOrderId: '10', type: 'STOP_LIMIT', price: '1', stopPrice: '1', orderListId: '1', status: 'NEW' });
    expect(list.tp).toMatchObject({ venueOrderId: '11', type: 'LIMIT', postOnly: true, timeInForce: 'GTX', price: '3', orderListId: '1' });
  });

  it('cancelOrder, getOrder, openOrders, cancelOco by client id', async () => {
    fixture(SPOT, 'spot/order-cancel');
    fixture(SPOT, 'spot/order-query');
    fixture(SPOT, 'spot/open-orders');
    fixture(SPOT, 'spot/order-list-cancel');
    const cancelled = await c.cancelOrder({ market: 'SPOT', symbol: 'LTCBTC', clientOrderId: 'myOrder1' });
    const found = await c.getOrder({ market: 'SPOT', symbol: 'LTCBTC', clientOrderId: 'myOrder1' });
    const open = await c.openOrders('SPOT', 'LTCBTC');
    const list = await c.cancelOco('LTCBTC', 'C3wyj4WVEktd7u9aVBRXcN');
    expect(requests()).toEqual([
      `DELETE ${SPOT}/api/v3/order?${signed('symbol=LTCBTC&origClientOrderId=myOrder1')}`,
      `GET ${SPOT}/api/v3/order?${signed('symbol=LTCBTC&origClientOrderId=myOrder1')}`,
      `GET ${SPOT}/api/v3/openOrders?${signed('symbol=LTCBTC')}`,
      `DELETE ${SPOT}/api/v3/orderList?${signed('symbol=LTCBTC&listClientOrderId=C3wyj4WVEktd7u9aVBRXcN')}`,
    ]);
    expect(cancelled).toMatchObject({ clientOrderId: 'myOrder1', venueOrderId: '4', status: 'CANCELED', price: '2', qty: '1', filledQty: '0', createdAt: 1684804350068 });
    expect(found).toMatchObject({ clientOrderId: 'myOrder1', venueOrderId: '1', status: 'NEW', price: '0.1', qty: '1', timeInForce: 'GTC', createdAt: 1499827319559 });
    expect(open.map((o) => [o.clientOrderId, o.status])).toEqual([['myOrder1', 'NEW']]);
    expect(list).toMatchObject({ listId: '0', status: 'ALL_DONE', sl: { status: 'CANCELED' }, tp: { status: 'CANCELED' } });
  });

  it('orderHistory: allOrders for the window, filtered to it', async () => {
    fixture(SPOT, 'spot/all-orders');
    const rows = await c.orderHistory('SPOT', 'LTCBTC', { startTime: 1499827000000, endTime: 1499830000000 });
    expect(requests()).toEqual([`GET ${SPOT}/api/v3/allOrders?${signed('symbol=LTCBTC&startTime=1499827000000&endTime=1499830000000&limit=1000')}`]);
    expect(rows.map((o) => [o.clientOrderId, o.venueOrderId, o.createdAt])).toEqual([['myOrder1', '1', 1499827319559]]);
  });

  it('orderHistory splits a window longer than 24 h into one request per day', async () => {
    fixture(SPOT, 'spot/all-orders');
    serve(SPOT, 'GET', '/api/v3/allOrders', []);
    const start = 1499800000000;
    await c.orderHistory('SPOT', 'LTCBTC', { startTime: start, endTime: start + 36 * 3_600_000 });
    expect(sent.map((s) => new URLSearchParams(s.query)).map((q) => [q.get('startTime'), q.get('endTime')])).toEqual([
      [String(start), String(start + 24 * 3_600_000 - 1)],
      [String(start + 24 * 3_600_000), String(start + 36 * 3_600_000)],
    ]);
  });

  it('fills: myTrades, client ids from allOrders from the oldest order id, then single queries', async () => {
    fixture(SPOT, 'spot/my-trades');
    fixture(SPOT, 'spot/all-orders');
    serve(SPOT, 'GET', '/api/v3/order', { code: -2013, msg: 'Order does not exist.' }, 400);
    const fills = await c.fills('SPOT', 'BNBBTC');
    expect(requests()).toEqual([
      `GET ${SPOT}/api/v3/myTrades?${signed('symbol=BNBBTC')}`,
      `GET ${SPOT}/api/v3/allOrders?${signed('symbol=BNBBTC&orderId=100234&limit=1000')}`,
      `GET ${SPOT}/api/v3/order?${signed('symbol=BNBBTC&orderId=100234')}`,
    ]);
    expect(fills).toEqual([
      {
        venue: 'binance',
        market: 'SPOT',
        symbol: 'BNBBTC',
        tradeId: '28457',
        venueOrderId: '100234',
        clientOrderId: '100234',
        side: 'BUY',
        price: '4.000001',
        qty: '12',
        fee: '10.1',
        feeAsset: 'BNB',
        isMaker: false,
        ts: 1499865549590,
      },
    ]);
  });

  it('balances(SPOT): account with omitZeroBalances', async () => {
    fixture(SPOT, 'spot/account');
    expect(await c.balances('SPOT')).toEqual([
      { venue: 'binance', market: 'SPOT', asset: 'BTC', free: '4723846.89208129', locked: '0' },
      { venue: 'binance', market: 'SPOT', asset: 'LTC', free: '4763368.68006011', locked: '0' },
    ]);
    expect(requests()).toEqual([`GET ${SPOT}/api/v3/account?${signed('omitZeroBalances=true')}`]);
  });
});

describe('UM orders', () => {
  beforeEach(async () => {
    fixture(UM, 'um/exchange-info');
    fixture(UM, 'um/leverage-bracket');
    await c.instruments('FUT');
    sent = [];
  });

  it('placeOrder post-only: timeInForce=GTX on /fapi/v1/order; the answer has no avgPrice', async () => {
    fixture(UM, 'um/order-new-gtx');
    const order = await c.placeOrder({ market: 'FUT', symbol: 'BLZUSDT', side: 'BUY', type: 'LIMIT', price: '0.12345', qty: '100.7', clientOrderId: 'i42-mk-0', postOnly: true, reduceOnly: false });
    expect(requests()).toEqual([
      `POST ${UM}/fapi/v1/order?${signed('symbol=BLZUSDT&side=BUY&type=LIMIT&timeInForce=GTX&quantity=100&price=0.1234&newClientOrderId=i42-mk-0&newOrderRespType=RESULT')}`,
    ]);
    expect(order).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      clientOrderId: 'i42-mk-0',
      venueOrderId: '4056738200',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      postOnly: true,
      reduceOnly: false,
      price: '87000.1',
      qty: '0.01',
      filledQty: '0',
      status: 'NEW',
      createdAt: 1766102400000,
      updatedAt: 1766102400000,
    });
  });

  it('placeOrder STOP_MARKET goes to the algo endpoint with triggerPrice and MARK_PRICE', async () => {
    fixture(UM, 'um/algo-order-new-stop-market');
    const order = await c.placeOrder({ market: 'FUT', symbol: 'BLZUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '0.09', qty: '100', reduceOnly: true, clientOrderId: 'i42-sl-0', postOnly: false });
    expect(requests()).toEqual([
      `POST ${UM}/fapi/v1/algoOrder?${signed('algoType=CONDITIONAL&symbol=BLZUSDT&side=SELL&type=STOP_MARKET&quantity=100&triggerPrice=0.09&workingType=MARK_PRICE&reduceOnly=true&clientAlgoId=i42-sl-0')}`,
    ]);
    expect(order).toMatchObject({ clientOrderId: 'i42-sl-0', venueOrderId: '3000000123', type: 'STOP_MARKET', stopPrice: '85000', workingType: 'MARK_PRICE', reduceOnly: true, status: 'NEW', filledQty: '0' });
  });

  it('conditional type through placeOrder and cancel/get by kind: regular and algo endpoints', async () => {
    fixture(UM, 'um/order-new-gtx');
    fixture(UM, 'um/algo-order-new-stop-market');
    fixture(UM, 'um/order-cancel');
    fixture(UM, 'um/algo-order-cancel');
    fixture(UM, 'um/algo-order-query');
    await c.placeOrder({ market: 'FUT', symbol: 'BLZUSDT', side: 'BUY', type: 'LIMIT', price: '0.1', qty: '100', clientOrderId: 'i42-mk-0', postOnly: true, reduceOnly: false });
    await c.placeOrder({ market: 'FUT', symbol: 'BLZUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '0.09', qty: '100', reduceOnly: true, clientOrderId: 'i42-sl-0', postOnly: false });
    sent = [];
    const regular = await c.cancelOrder({ market: 'FUT', symbol: 'BLZUSDT', clientOrderId: 'i42-mk-0' });
    const algo = await c.cancelOrder({ market: 'FUT', symbol: 'BLZUSDT', clientOrderId: 'i42-sl-0' });
    expect(requests()).toEqual([
      `DELETE ${UM}/fapi/v1/order?${signed('symbol=BLZUSDT&origClientOrderId=i42-mk-0')}`,
      `DELETE ${UM}/fapi/v1/algoOrder?${signed('clientAlgoId=i42-sl-0')}`,
      `GET ${UM}/fapi/v1/algoOrder?${signed('clientAlgoId=i42-sl-0')}`,
    ]);
    expect(regular).toMatchObject({ clientOrderId: 'myOrder1', status: 'CANCELED', type: 'STOP_MARKET', stopPrice: '9300' });
    expect(algo).toMatchObject({ clientOrderId: '6B2I9XVcJpCjqPAJ4YoFX7', venueOrderId: '2146760', status: 'CANCELED', type: 'TAKE_PROFIT_LIMIT', price: '750', stopPrice: '750' });
  });

  it('getOrder by an unknown client id tries the regular endpoint, then the algo one', async () => {
    serve(UM, 'GET', '/fapi/v1/order', { code: -2013, msg: 'Order does not exist.' }, 400);
    fixture(UM, 'um/algo-order-query');
    const order = await c.getOrder({ market: 'FUT', symbol: 'BNBUSDT', clientOrderId: '6B2I9XVcJpCjqPAJ4YoFX7' });
    expect(requests()).toEqual([
      `GET ${UM}/fapi/v1/order?${signed('symbol=BNBUSDT&origClientOrderId=6B2I9XVcJpCjqPAJ4YoFX7')}`,
      `GET ${UM}/fapi/v1/algoOrder?${signed('clientAlgoId=6B2I9XVcJpCjqPAJ4YoFX7')}`,
    ]);
    expect(order).toMatchObject({ status: 'CANCELED', createdAt: 1750485492076, updatedAt: 1750514545091 });
  });

  it('getOrder of a filled regular order reads avgPrice from the query answer', async () => {
    fixture(UM, 'um/order-query-filled');
    const order = await c.getOrder({ market: 'FUT', symbol: 'BTCUSDT', venueOrderId: '4056738200' });
    expect(requests()).toEqual([`GET ${UM}/fapi/v1/order?${signed('symbol=BTCUSDT&orderId=4056738200')}`]);
    expect(order).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: '0.006', avgPrice: '87000.05', createdAt: 1766102400000, updatedAt: 1766102402500 });
  });

  it('openOrders merges openOrders and openAlgoOrders, oldest first', async () => {
    fixture(UM, 'um/open-orders');
    fixture(UM, 'um/open-algo-orders');
    const open = await c.openOrders('FUT');
    expect(requests().sort()).toEqual([`GET ${UM}/fapi/v1/openAlgoOrders?${signed('')}`, `GET ${UM}/fapi/v1/openOrders?${signed('')}`]);
    expect(open.map((o) => [o.clientOrderId, o.type, o.createdAt])).toEqual([
      ['abc', 'STOP_MARKET', 1579276756075],
      ['MRumok0dkhrP4kCm12AHaB', 'TAKE_PROFIT_LIMIT', open[1]!.createdAt],
    ]);
    expect(open[1]!.createdAt).toBeGreaterThan(1579276756075);
  });

  it('orderHistory merges allOrders and allAlgoOrders', async () => {
    fixture(UM, 'um/all-orders');
    fixture(UM, 'um/all-algo-orders');
    const rows = await c.orderHistory('FUT', 'BTCUSDT');
    expect(requests().sort()).toEqual([`GET ${UM}/fapi/v1/allAlgoOrders?${signed('symbol=BTCUSDT&limit=1000')}`, `GET ${UM}/fapi/v1/allOrders?${signed('symbol=BTCUSDT&limit=1000')}`]);
    expect(rows.map((o) => [o.clientOrderId, o.status])).toEqual([
      ['6B2I9XVcJpCjqPAJ4YoFX7', 'CANCELED'],
      ['i42-mk-0', 'PARTIALLY_FILLED'],
    ]);
  });

  it('fills: userTrades with client ids from allOrders', async () => {
    fixture(UM, 'um/user-trades');
    serve(UM, 'GET', '/fapi/v1/allOrders', [{ ...(fixtureBody('um/order-query-filled') as Record<string, unknown>), orderId: 25851813, clientOrderId: 'i7-tk-0' }]);
    const fills = await c.fills('FUT', 'BTCUSDT', { startTime: 1569514000000, endTime: 1569515000000 });
    expect(requests()).toEqual([
      `GET ${UM}/fapi/v1/userTrades?${signed('symbol=BTCUSDT&startTime=1569514000000&endTime=1569515000000')}`,
      `GET ${UM}/fapi/v1/allOrders?${signed('symbol=BTCUSDT&orderId=25851813&limit=1000')}`,
    ]);
    expect(fills).toEqual([
      {
        venue: 'binance',
        market: 'FUT',
        symbol: 'BTCUSDT',
        tradeId: '698759',
        venueOrderId: '25851813',
        clientOrderId: 'i7-tk-0',
        side: 'SELL',
        price: '7819.01',
        qty: '0.002',
        fee: '0.0781901',
        feeAsset: 'USDT',
        isMaker: false,
        ts: 1569514978020,
      },
    ]);
  });
});

describe('UM account', () => {
  it('positions(): positionRisk v3 and symbolConfig; leverage inferred for symbols without settings', async () => {
    fixture(UM, 'um/position-risk-v3');
    fixture(UM, 'um/symbol-config');
    const positions = await c.positions();
    expect(requests().sort()).toEqual([`GET ${UM}/fapi/v1/symbolConfig?${signed('')}`, `GET ${UM}/fapi/v3/positionRisk?${signed('')}`]);
    expect(positions).toEqual([
      {
        venue: 'binance',
        market: 'FUT',
        symbol: 'ADAUSDT',
        qty: '30',
        entryPrice: '0.385',
        markPrice: '0.4104759',
        unrealizedPnl: '0.764277',
        leverage: 20,
        marginType: 'CROSSED',
        updatedAt: 1720736417660,
      },
    ]);
  });

  it('positions(symbol) of a flat symbol: v3 lists nothing, the flat position comes from symbolConfig', async () => {
    serve(UM, 'GET', '/fapi/v3/positionRisk', []);
    fixture(UM, 'um/symbol-config');
    const [p] = await c.positions('BTCUSDT');
    expect(requests().sort()).toEqual([`GET ${UM}/fapi/v1/symbolConfig?${signed('symbol=BTCUSDT')}`, `GET ${UM}/fapi/v3/positionRisk?${signed('symbol=BTCUSDT')}`]);
    expect(p).toEqual({ venue: 'binance', market: 'FUT', symbol: 'BTCUSDT', qty: '0', entryPrice: '0', unrealizedPnl: '0', leverage: 21, marginType: 'CROSSED', updatedAt: T });
  });

  it('balances(FUT), setLeverage, setMarginType (-4046 is success)', async () => {
    fixture(UM, 'um/balance-v3');
    fixture(UM, 'um/leverage');
    fixture(UM, 'um/margin-type');
    fixture(UM, 'um/margin-type-already-set', 400);
    expect(await c.balances('FUT')).toEqual([{ venue: 'binance', market: 'FUT', asset: 'USDT', free: '23.72469206', locked: '122583.62668697' }]);
    await c.setLeverage('BTCUSDT', 21);
    await c.setMarginType('BTCUSDT', 'ISOLATED');
    await expect(c.setMarginType('BTCUSDT', 'ISOLATED')).resolves.toBeUndefined();
    expect(requests()).toEqual([
      `GET ${UM}/fapi/v3/balance?${signed('')}`,
      `POST ${UM}/fapi/v1/leverage?${signed('symbol=BTCUSDT&leverage=21')}`,
      `POST ${UM}/fapi/v1/marginType?${signed('symbol=BTCUSDT&marginType=ISOLATED')}`,
      `POST ${UM}/fapi/v1/marginType?${signed('symbol=BTCUSDT&marginType=ISOLATED')}`,
    ]);
  });
});

describe('transfers', () => {
  it('transfer SPOT→FUT: MAIN_UMFUTURE, then the history for its status (PENDING until listed)', async () => {
    fixture(SPOT, 'wallet/transfer');
    fixture(SPOT, 'wallet/transfer-history');
    const t = await c.transfer({ asset: 'USDT', amount: '250.50', from: 'SPOT', to: 'FUT', clientTransferId: 'tr-1' });
    expect(requests()).toEqual([
      `POST ${SPOT}/sapi/v1/asset/transfer?${signed('type=MAIN_UMFUTURE&asset=USDT&amount=250.50')}`,
      `GET ${SPOT}/sapi/v1/asset/transfer?${signed(`type=MAIN_UMFUTURE&startTime=${T - 5000}&size=100`)}`,
    ]);
    expect(t).toEqual({ tranId: '13526853623', clientTransferId: 'tr-1', from: 'SPOT', to: 'FUT', asset: 'USDT', amount: '250.5', status: 'PENDING', ts: T });
  });

  it('transferHistory: UMFUTURE_MAIN rows oldest first', async () => {
    fixture(SPOT, 'wallet/transfer-history');
    const rows = await c.transferHistory('SPOT', 'FUT', { startTime: 1544433000000 });
    expect(requests()).toEqual([`GET ${SPOT}/sapi/v1/asset/transfer?${signed('type=MAIN_UMFUTURE&startTime=1544433000000&size=100')}`]);
    expect(rows.map((r) => [r.tranId, r.amount, r.status, r.ts])).toEqual([
      ['11415955596', '1', 'CONFIRMED', 1544433328000],
      ['11366865406', '2', 'CONFIRMED', 1544433328000],
      ['11366865999', '250.5', 'PENDING', 1544433400000],
    ]);
  });
});

describe('signing and options', () => {
  it('signs with Ed25519: base64 signature, percent-encoded, over the exact query', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await c.close();
    c = new BinanceConnector({
      apiKey: 'ed-key',
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      dispatcher: agent,
      clock: new FakeClock(T),
    });
    fixture(SPOT, 'spot/account');
    await c.balances('SPOT');
    const q = sent[0]!.query;
    const [payload, sig] = q.split('&signature=') as [string, string];
    expect(payload).toBe(`omitZeroBalances=true&${TAIL}`);
    expect(sig).toMatch(/^[A-Za-z0-9%]+$/);
    expect(verify(null, Buffer.from(payload), publicKey, Buffer.from(decodeURIComponent(sig), 'base64'))).toBe(true);
    expect(sent[0]!.apiKey).toBe('ed-key');
  });

  it('validates options with zod and never echoes secrets', () => {
    const bad = (o: unknown): unknown => {
      try {
        new BinanceConnector(o as BinanceConnectorOptionsInput);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const e1 = bad({ apiKey: 'k' });
    expect(isChimeraError(e1) && [e1.code, e1.status]).toEqual(['VALIDATION_FAILED', 400]);
    const e2 = bad({ apiKey: 'k', secret: 'super-secret-value', privateKeyPem: 'x' });
    expect(isChimeraError(e2) && e2.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(e2)).not.toContain('super-secret-value');
    expect(isChimeraError(bad({ recvWindow: 70000 })) && 'ok').toBe('ok');
    expect(isChimeraError(bad({ apiSecret: 'typo' })) && 'ok').toBe('ok');
  });

  it('capabilities are honest: user stream with a key, streams per market; what is not offered throws UNSUPPORTED', async () => {
    expect(c.capabilities).toMatchObject({ markets: ['SPOT', 'FUT'], postOnly: true, oco: true, userStream: true, streams: ['ticker', 'depth', 'trades', 'markPrice'], transfers: true });
    const spotOnly = connector({ markets: ['SPOT'] });
    expect(spotOnly.capabilities).toMatchObject({ markets: ['SPOT'], transfers: false, leverage: false, funding: false, streams: ['ticker', 'depth', 'trades'] });
    const e2 = await spotOnly.positions().catch((e: unknown) => e);
    expect(isChimeraError(e2) && e2.code).toBe('UNSUPPORTED');
    const e3 = await spotOnly.subscribe({ channel: 'markPrice', market: 'SPOT', symbol: 'BTCUSDT' }, () => undefined).catch((e: unknown) => e);
    expect(isChimeraError(e3) && e3.code).toBe('UNSUPPORTED');
    const e4 = await spotOnly.subscribe({ channel: 'ticker', market: 'FUT', symbol: 'BTCUSDT' }, () => undefined).catch((e: unknown) => e);
    expect(isChimeraError(e4) && e4.code).toBe('UNSUPPORTED');
    await spotOnly.close();
    const e5 = await spotOnly.subscribe({ channel: 'ticker', market: 'SPOT', symbol: 'BTCUSDT' }, () => undefined).catch((e: unknown) => e);
    expect(isChimeraError(e5) && e5.code).toBe('UNSUPPORTED');
    const keyless = new BinanceConnector({ dispatcher: agent, clock: new FakeClock(T) });
    expect(keyless.capabilities.userStream).toBe(false);
    await keyless.close();
    const restOnly = connector({ userStream: { enabled: false } });
    expect(restOnly.capabilities.userStream).toBe(false);
    await restOnly.close();
  });

  it('validates the stream options', () => {
    const bad = (o: BinanceConnectorOptionsInput): unknown => {
      try {
        new BinanceConnector({ ...KEY, dispatcher: agent, ...o });
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(isChimeraError(bad({ streamUrls: { spot: 'https://stream.binance.com' } })) && 'refused').toBe('refused');
    expect(isChimeraError(bad({ symbols: ['btcusdt'] })) && 'refused').toBe('refused');
    expect(isChimeraError(bad({ userStream: { keepAliveMs: 31 * 60_000 } })) && 'refused').toBe('refused');
    expect(isChimeraError(bad({ marketStreams: { depthSpeed: { SPOT: '250ms' } } as never })) && 'refused').toBe('refused');
    const keyless = (() => {
      try {
        new BinanceConnector({ userStream: { enabled: true } });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(isChimeraError(keyless) && 'refused').toBe('refused');
    expect(bad({ streamUrls: { spot: 'wss://stream.binance.com:9443', umPrivate: 'ws://127.0.0.1:1/private' }, symbols: { FUT: ['BTCUSDT'] } })).toBeUndefined();
  });

  it('signed calls without a key are refused locally', async () => {
    await c.close();
    c = new BinanceConnector({ dispatcher: agent, clock: new FakeClock(T) });
    const err = await c.balances('SPOT').catch((e: unknown) => e);
    expect(isChimeraError(err) && [err.code, err.details.local]).toEqual(['AUTH_FAILED', true]);
    expect(sent).toEqual([]);
  });
});
