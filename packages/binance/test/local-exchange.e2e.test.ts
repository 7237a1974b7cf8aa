/**
 * The local Binance exchange speaks Binance's wire protocol: it accepts Binance's own documented
 * signed requests byte for byte, rejects bad keys, signatures and timestamps with Binance's codes,
 * enforces the filters with Spot's `-1013` and UM's `-4xxx` answers, returns the usage headers and
 * answers in the documented JSON shapes. Requests here are sent with bare undici, not the SDK.
 */
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { PaperEngine, paperInstruments } from '@chimera/core';
import { FakeClock } from '@chimera/core/testing';
import { LOCAL_API_KEY, LOCAL_API_SECRET, startLocalBinance, type LocalBinance } from '@chimera/binance/testing';
import { fixtureBody } from './fixtures/load.js';
import { seedMarkets } from './local-market.js';

// Binance's documented example keys (public illustration keys, not credentials).
const SPOT_DOC = { apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A', secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j' };
const UM_DOC = { apiKey: 'dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83', secret: '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9' };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown> & { code?: number; msg?: string };
}

let ex: LocalBinance | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

async function send(method: 'GET' | 'POST' | 'DELETE', path: string, query: string, apiKey?: string): Promise<Answer> {
  const res = await request(`${ex!.url}${path}${query === '' ? '' : `?${query}`}`, { method, headers: apiKey === undefined ? {} : { 'X-MBX-APIKEY': apiKey } });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(text) as Answer['body'] };
}

/** `params&timestamp=…&signature=hex` signed with the local exchange's default key. */
function sign(params: string, timestamp: number, secret = LOCAL_API_SECRET): string {
  const payload = `${params}${params === '' ? '' : '&'}timestamp=${timestamp}`;
  return `${payload}&signature=${createHmac('sha256', secret).update(payload).digest('hex')}`;
}

async function local(clock = new FakeClock(), extra: Parameters<typeof startLocalBinance>[0] = {}): Promise<LocalBinance> {
  const engine = new PaperEngine({ clock, venue: 'binance' });
  seedMarkets(engine);
  ex = await startLocalBinance({ clock, engine, ...extra });
  return ex;
}

describe('signatures as Binance checks them', () => {
  it('accepts the documented Spot signed request byte for byte', async () => {
    const clock = new FakeClock(1499827319559 + 200);
    const engine = new PaperEngine({ clock, venue: 'binance', balances: { SPOT: { BTC: '1' } } });
    engine.addInstrument({ ...paperInstruments('binance')[0]!, symbol: 'LTCBTC', base: 'LTC', quote: 'BTC', tickSize: '0.000001', stepSize: '0.001', minQty: '0.001', minPrice: '0.000001', minNotional: '0.0001' });
    ex = await startLocalBinance({ clock, engine, apiKeys: [SPOT_DOC] });
    const q =
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559' +
      '&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
    const a = await send('POST', '/api/v3/order', q, SPOT_DOC.apiKey);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ symbol: 'LTCBTC', status: 'NEW', type: 'LIMIT', side: 'BUY', price: '0.10000000', origQty: '1.00000000', executedQty: '0.00000000', fills: [] });
    expect(Object.keys(a.body).sort()).toEqual(Object.keys(fixtureBody('spot/order-full') as object).sort());
  });

  it('verifies the percent-encoded payload (2026-01-15 rule): the documented non-ASCII example passes, the unencoded signature fails', async () => {
    const clock = new FakeClock(1499827319559 + 200);
    ex = await startLocalBinance({ clock, apiKeys: [SPOT_DOC] });
    const encoded =
      'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
    const good = await send('POST', '/api/v3/order', `${encoded}&signature=e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3`, SPOT_DOC.apiKey);
    // The signature is valid; the symbol simply is not listed here.
    expect([good.status, good.body]).toEqual([400, { code: -1121, msg: 'Invalid symbol.' }]);
    const raw = decodeURIComponent(encoded);
    const badSig = createHmac('sha256', SPOT_DOC.secret).update(raw).digest('hex');
    const bad = await send('POST', '/api/v3/order', `${encoded}&signature=${badSig}`, SPOT_DOC.apiKey);
    expect([bad.status, bad.body]).toEqual([400, { code: -1022, msg: 'Signature for this request is not valid.' }]);
  });

  it('accepts the documented USDⓈ-M signed request; the new-order answer has no avgPrice or cumQuote', async () => {
    const clock = new FakeClock(1591702613943 + 100);
    ex = await startLocalBinance({ clock, apiKeys: [UM_DOC] });
    const q =
      'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943' +
      '&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9';
    const a = await send('POST', '/fapi/v1/order', q, UM_DOC.apiKey);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ symbol: 'BTCUSDT', status: 'NEW', type: 'LIMIT', timeInForce: 'GTC', price: '9000', origQty: '1', executedQty: '0', cumQty: '0', positionSide: 'BOTH' });
    expect(a.body).not.toHaveProperty('avgPrice');
    expect(a.body).not.toHaveProperty('cumQuote');
    expect(Object.keys(a.body).sort()).toEqual(Object.keys(fixtureBody('um/order-new-gtx') as object).sort());
  });

  it('answers key, signature and timing failures with Binance codes', async () => {
    const clock = new FakeClock();
    await local(clock);
    const now = clock.now();
    const cases: [string, string | undefined, number, { code: number; msg: string }][] = [
      ['missing key', undefined, 401, { code: -2014, msg: 'API-key format invalid.' }],
      ['unknown key', 'nope', 401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }],
    ];
    for (const [, key, status, body] of cases) {
      const a = await send('GET', '/api/v3/account', sign('', now), key);
      expect([a.status, a.body]).toEqual([status, body]);
    }
    const check = async (query: string, body: { code: number; msg: string }): Promise<void> => {
      const a = await send('GET', '/api/v3/account', query, LOCAL_API_KEY);
      expect([a.status, a.body]).toEqual([400, body]);
    };
    await check(`timestamp=${now}`, { code: -1102, msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed." });
    await check(`${sign('', now)}0`, { code: -1022, msg: 'Signature for this request is not valid.' });
    await check(sign('', now, 'wrong-secret'), { code: -1022, msg: 'Signature for this request is not valid.' });
    await check(sign('recvWindow=60001', now), { code: -1131, msg: 'recvWindow must be less than 60000.' });
    await check(sign('', now - 5001), { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
    await check(sign('', now + 1000), { code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." });
    // Inside the window both ways: 5 s old with the default window, 999 ms ahead, 20 s old with a 20 s window.
    for (const q of [sign('', now - 5000), sign('', now + 999), sign('recvWindow=20000', now - 20_000)]) {
      expect((await send('GET', '/api/v3/account', q, LOCAL_API_KEY)).status).toBe(200);
    }
    // UM takes an integer recvWindow only.
    const um = await send('GET', '/fapi/v3/balance', sign('recvWindow=5000.5', now), LOCAL_API_KEY);
    expect([um.status, um.body.code]).toEqual([400, -1102]);
  });
});

describe('filters and order rules', () => {
  it('Spot: -1013 Filter failure answers, -1111 precision, -2010 post-only and duplicates', async () => {
    const clock = new FakeClock();
    await local(clock);
    const order = async (params: string): Promise<Answer['body']> => (await send('POST', '/api/v3/order', sign(params, clock.now()), LOCAL_API_KEY)).body;
    const base = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC';
    expect(await order(`${base}&quantity=0.000015&price=60000`)).toEqual({ code: -1013, msg: 'Filter failure: LOT_SIZE' });
    expect(await order(`${base}&quantity=0.001&price=60000.005`)).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    expect(await order(`${base}&quantity=0.00001&price=60000`)).toEqual({ code: -1013, msg: 'Filter failure: MIN_NOTIONAL' });
    expect(await order(`${base}&quantity=0.001&price=6000000`)).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    expect(await order(`${base}&quantity=0.001&price=600000`)).toEqual({ code: -1013, msg: 'Filter failure: PERCENT_PRICE' });
    expect(await order(`${base}&quantity=0.000000001&price=60000`)).toEqual({ code: -1111, msg: "Parameter 'quantity' has too much precision." });
    expect(await order(`${base}&quantity=1.5a&price=60000`)).toEqual({ code: -1100, msg: "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'." });
    expect(await order('symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.001&price=60000')).toEqual({ code: -1102, msg: "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed." });
    expect(await order('symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&price=60000')).toEqual({ code: -1106, msg: "Parameter 'price' sent when not required." });
    expect(await order('symbol=BTCUSDT&side=BUY&type=LIMIT_MAKER&quantity=0.001&price=64000.01')).toEqual({ code: -2010, msg: 'Order would immediately match and take.' });
    expect(await order('symbol=NOPE&side=BUY&type=MARKET&quantity=1')).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    expect(await order(`${base}&quantity=0.001&price=60000&newClientOrderId=dup-1`)).toMatchObject({ clientOrderId: 'dup-1', status: 'NEW' });
    expect(await order(`${base}&quantity=0.001&price=60000&newClientOrderId=dup-1`)).toEqual({ code: -2010, msg: 'Duplicate order sent.' });
    expect(await order(`${base}&quantity=1&price=60000`)).toEqual({ code: -2010, msg: 'Account has insufficient balance for requested action.' });
  });

  it('UM: -1111, -4164, -4120 (algo endpoint required), -5022 (GTX would take), -2022 reduce-only, -4046', async () => {
    const clock = new FakeClock();
    await local(clock);
    const post = async (path: string, params: string): Promise<Answer['body']> => (await send('POST', path, sign(params, clock.now()), LOCAL_API_KEY)).body;
    const o = (params: string): Promise<Answer['body']> => post('/fapi/v1/order', `symbol=BTCUSDT&side=BUY&${params}`);
    expect(await o('type=LIMIT&timeInForce=GTC&quantity=0.0010&price=60000')).toEqual({ code: -1111, msg: 'Precision is over the maximum defined for this asset.' });
    expect(await o('type=LIMIT&timeInForce=GTC&quantity=0.001&price=60000')).toEqual({ code: -4164, msg: "Order's notional must be no smaller than 100 (unless you choose reduce only)." });
    expect(await o('type=LIMIT&timeInForce=GTC&quantity=0.002&price=70000')).toEqual({ code: -4016, msg: "Limit price can't be higher than 67200." });
    expect(await o('type=STOP_MARKET&quantity=0.002&stopPrice=70000')).toEqual({
      code: -4120,
      msg: 'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.',
    });
    expect(await o('type=LIMIT&timeInForce=GTX&quantity=0.002&price=64000.1')).toEqual({
      code: -5022,
      msg: 'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history',
    });
    expect(await o('type=MARKET&quantity=0.002&reduceOnly=true')).toEqual({ code: -2022, msg: 'ReduceOnly Order is rejected.' });
    expect(await o('type=MARKET&quantity=0.002&positionSide=LONG')).toEqual({ code: -4061, msg: "Order's position side does not match user's setting." });
    expect(await o('type=MARKET&quantity=0.002&newClientOrderId=has%20space')).toEqual({ code: -4015, msg: 'Client order id is not valid.' });
    expect(await post('/fapi/v1/algoOrder', 'algoType=CONDITIONAL&symbol=BTCUSDT&side=BUY&type=STOP_MARKET&quantity=0.002&triggerPrice=60000&workingType=MARK_PRICE')).toEqual({
      code: -2021,
      msg: 'Order would immediately trigger.',
    });
    expect(await post('/fapi/v1/marginType', 'symbol=BTCUSDT&marginType=CROSSED')).toEqual({ code: -4046, msg: 'No need to change margin type.' });
    expect(await post('/fapi/v1/leverage', 'symbol=BTCUSDT&leverage=150')).toEqual({ code: -4028, msg: 'Leverage 150 is not valid' });
  });
});

describe('usage headers and limits', () => {
  it('counts weight per minute (0 for successful Spot orders) and orders per window', async () => {
    const clock = new FakeClock(1_758_326_400_000);
    await local(clock);
    const get = (path: string, q: string): Promise<Answer> => send('GET', path, q);
    expect((await get('/api/v3/depth', 'symbol=BTCUSDT&limit=100')).headers['x-mbx-used-weight-1m']).toBe('5');
    expect((await get('/api/v3/depth', 'symbol=BTCUSDT&limit=1000')).headers['x-mbx-used-weight-1m']).toBe('55');
    const order = await send('POST', '/api/v3/order', sign('symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=60000', clock.now()), LOCAL_API_KEY);
    expect([order.headers['x-mbx-used-weight-1m'], order.headers['x-mbx-order-count-10s'], order.headers['x-mbx-order-count-1d']]).toEqual(['55', '1', '1']);
    const um = await send('POST', '/fapi/v1/order', sign('symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.002', clock.now()), LOCAL_API_KEY);
    expect([um.status, um.headers['x-mbx-used-weight-1m'], um.headers['x-mbx-order-count-1m']]).toEqual([200, '0', '1']);
    clock.advance(60_000);
    expect((await get('/api/v3/ticker/bookTicker', 'symbol=BTCUSDT')).headers['x-mbx-used-weight-1m']).toBe('2');
  });

  it('answers 429 -1003 with Retry-After to the end of the minute once the weight is used up', async () => {
    const clock = new FakeClock(1_758_326_400_000 + 45_000);
    await local(clock, { limits: { spotWeightPerMinute: 30 } });
    const info = await send('GET', '/api/v3/exchangeInfo', 'symbol=BTCUSDT');
    expect([info.status, info.headers['x-mbx-used-weight-1m']]).toEqual([200, '20']);
    expect((info.body.rateLimits as unknown[])[0]).toEqual({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 30 });
    for (const used of ['25', '30']) expect((await send('GET', '/api/v3/depth', 'symbol=BTCUSDT')).headers['x-mbx-used-weight-1m']).toBe(used);
    const limited = await send('GET', '/api/v3/depth', 'symbol=BTCUSDT');
    expect([limited.status, limited.body.code, limited.headers['retry-after'], limited.headers['x-mbx-used-weight-1m']]).toEqual([429, -1003, '15', '30']);
    clock.advance(15_000);
    const after = await send('GET', '/api/v3/depth', 'symbol=BTCUSDT');
    expect([after.status, after.headers['x-mbx-used-weight-1m']]).toEqual([200, '5']);
  });
});

describe('answer shapes match the documented examples', () => {
  it('keys of every answer equal the fixtures of the same endpoint', async () => {
    const clock = new FakeClock();
    await local(clock);
    const s = (q: string): string => sign(q, clock.now());
    const keys = (o: unknown): string[] => Object.keys(o as object).sort();
    const same = async (method: 'GET' | 'POST' | 'DELETE', path: string, query: string, name: string, pick: (b: unknown) => unknown = (b) => b): Promise<Answer['body']> => {
      const a = await send(method, path, query, LOCAL_API_KEY);
      expect(a.status, `${method} ${path}: ${JSON.stringify(a.body)}`).toBe(200);
      expect(keys(pick(a.body)), name).toEqual(keys(pick(fixtureBody(name))));
      return a.body;
    };
    const first = (b: unknown): unknown => (b as unknown[])[0];
    await same('GET', '/api/v3/exchangeInfo', '', 'spot/exchange-info');
    await same('GET', '/api/v3/exchangeInfo', '', 'spot/exchange-info', (b) => (b as { symbols: unknown[] }).symbols[0]);
    await same('GET', '/api/v3/account', s(''), 'spot/account');
    await same('POST', '/api/v3/order', s('symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=60000&newClientOrderId=shape-1&newOrderRespType=RESULT'), 'spot/order-result');
    await same('GET', '/api/v3/order', s('symbol=BTCUSDT&origClientOrderId=shape-1'), 'spot/order-query');
    await same('DELETE', '/api/v3/order', s('symbol=BTCUSDT&origClientOrderId=shape-1'), 'spot/order-cancel');
    await same('POST', '/api/v3/order', s('symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001'), 'spot/order-full');
    await same('GET', '/api/v3/myTrades', s('symbol=BTCUSDT'), 'spot/my-trades', first);
    await same(
      'POST',
      '/api/v3/orderList/oco',
      s('symbol=BTCUSDT&side=SELL&quantity=0.0005&aboveType=LIMIT_MAKER&abovePrice=70000&belowType=STOP_LOSS_LIMIT&belowPrice=59000&belowStopPrice=60000&belowTimeInForce=GTC&listClientOrderId=shape-oco'),
      'spot/order-list-oco',
    );
    await same('DELETE', '/api/v3/orderList', s('symbol=BTCUSDT&listClientOrderId=shape-oco'), 'spot/order-list-cancel');
    await same('POST', '/sapi/v1/asset/transfer', s('type=MAIN_UMFUTURE&asset=USDT&amount=1'), 'wallet/transfer');
    await same('GET', '/sapi/v1/asset/transfer', s('type=MAIN_UMFUTURE'), 'wallet/transfer-history');

    await same('GET', '/fapi/v1/exchangeInfo', '', 'um/exchange-info', (b) => (b as { symbols: unknown[] }).symbols[0]);
    await same('POST', '/fapi/v1/order', s('symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.002&newClientOrderId=shape-2&newOrderRespType=RESULT'), 'um/order-new-market-result');
    await same('GET', '/fapi/v1/order', s('symbol=BTCUSDT&origClientOrderId=shape-2'), 'um/order-query-filled');
    await same('GET', '/fapi/v3/positionRisk', s(''), 'um/position-risk-v3', first);
    await same('GET', '/fapi/v3/balance', s(''), 'um/balance-v3', first);
    await same('GET', '/fapi/v1/symbolConfig', s('symbol=BTCUSDT'), 'um/symbol-config', first);
    await same('GET', '/fapi/v1/userTrades', s('symbol=BTCUSDT'), 'um/user-trades', first);
    await same('POST', '/fapi/v1/algoOrder', s('algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=STOP_MARKET&quantity=0.002&triggerPrice=60000&workingType=MARK_PRICE&reduceOnly=true&clientAlgoId=shape-sl'), 'um/algo-order-new-stop-market');
    await same('GET', '/fapi/v1/algoOrder', s('clientAlgoId=shape-sl'), 'um/algo-order-query');
    await same('GET', '/fapi/v1/openAlgoOrders', s('symbol=BTCUSDT'), 'um/open-algo-orders', first);
    await same('DELETE', '/fapi/v1/algoOrder', s('clientAlgoId=shape-sl'), 'um/algo-order-cancel');
    await same('POST', '/fapi/v1/leverage', s('symbol=BTCUSDT&leverage=21'), 'um/leverage');
    await same('POST', '/fapi/v1/marginType', s('symbol=ETHUSDT&marginType=ISOLATED'), 'um/margin-type');
    await same('GET', '/fapi/v1/leverageBracket', s('symbol=ETHUSDT'), 'um/leverage-bracket-symbol');
    await same('GET', '/fapi/v1/premiumIndex', 'symbol=BTCUSDT', 'um/premium-index');
    await same('GET', '/fapi/v1/ticker/bookTicker', 'symbol=BTCUSDT', 'um/book-ticker');
    await same('GET', '/fapi/v1/depth', 'symbol=BTCUSDT&limit=5', 'um/depth');
    await same('GET', '/api/v3/depth', 'symbol=BTCUSDT&limit=5', 'spot/depth');
    await same('GET', '/api/v3/ticker/bookTicker', 'symbol=BTCUSDT', 'spot/book-ticker');
  });
});
