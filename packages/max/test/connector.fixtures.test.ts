/**
 * Contract tests of `MaxConnector` against MAX's documented responses (served by undici's
 * MockAgent; WebSocket frames through a fake socket): for each call, the exact request it sends
 * (method, path, query or body, signature headers) and the exact values it parses back.
 */
import { FakeClock } from '@chimera/core/testing';
import {
  isChimeraError,
  type Balance,
  type ChimeraError,
  type ConnectorAlert,
  type Fill,
  type MarketEvent,
  type Order,
} from '@chimera/core';
import { MaxConnector } from '@chimera/max';
import { afterEach, describe, expect, it } from 'vitest';
import { restFixture, wsFixture } from './fixtures/load.js';
import { FakeSocket, fromFixture, hmacHex, mockMax, signedPayload, type SeenRequest } from './fixtures/mock-max.js';

const ACCESS = 'fixture-access-key';
const SECRET = 'fixture-secret-key';
/** The fixture's server time (`timestamp.json`: 1728011557 s). */
const T0 = 1_728_011_557_000;

const open: MaxConnector[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function setup(options: { keys?: boolean; sockets?: FakeSocket[] } = {}) {
  const mock = mockMax();
  const clock = new FakeClock(T0);
  const sockets = options.sockets;
  const connector = new MaxConnector({
    ...(options.keys === false ? {} : { accessKey: ACCESS, secretKey: SECRET }),
    dispatcher: mock.agent,
    clock,
    retry: { retries: 0 },
    settle: { attempts: 3, delayMs: 0 },
    postOnlyCheck: { timeoutMs: 0, pollMs: 1 },
    cancelCheck: { timeoutMs: 0, pollMs: 1 },
    ws: { backoff: { baseMs: 0, maxMs: 0, jitterMs: 0 } },
    ...(sockets
      ? {
          socketFactory: (url: string) => {
            const s = new FakeSocket(url);
            sockets.push(s);
            return s;
          },
        }
      : {}),
  });
  open.push(connector);
  const alerts: ConnectorAlert[] = [];
  connector.events.on('alert', (a) => alerts.push(a));
  return { mock, clock, connector, alerts };
}

async function rejection(p: Promise<unknown>): Promise<ChimeraError> {
  try {
    await p;
  } catch (err) {
    if (isChimeraError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** Asserts a signed request: the payload is `{…params, nonce, path}` (sorted keys) and the signature is HMAC-SHA256 over the base64 text. */
function expectSigned(req: SeenRequest, params: Record<string, unknown>, nonce: number): void {
  const payloadText = Buffer.from(req.headers['x-max-payload']!, 'base64').toString('utf8');
  const expected = Object.fromEntries(Object.entries({ ...params, nonce, path: req.path }).sort(([a], [b]) => (a < b ? -1 : 1)));
  expect(payloadText).toBe(JSON.stringify(expected));
  expect(req.headers['x-max-accesskey']).toBe(ACCESS);
  expect(req.headers['x-max-signature']).toBe(hmacHex(SECRET, req.headers['x-max-payload']!));
  expect(req.headers['content-type']).toBe('application/json');
}

const markets = fromFixture(restFixture('markets'));
const submitted = restFixture('submit-order').response as Record<string, unknown>;
const closedRows = restFixture('orders-closed').response as Array<Record<string, unknown>>;

describe('MaxConnector public REST (documented responses)', () => {
  it('serverTime: GET /api/v3/timestamp (seconds) → epoch ms', async () => {
    const { mock, connector } = setup();
    mock.expect(fromFixture(restFixture('timestamp')));
    expect(await connector.serverTime()).toBe(1_728_011_557_000);
    expect(mock.seen).toEqual([{ method: 'GET', path: '/api/v3/timestamp', query: {}, headers: expect.any(Object), body: undefined }]);
    expect(mock.seen[0]!.headers['x-max-accesskey']).toBeUndefined();
  });

  it('instruments: GET /api/v3/markets → SPOT instruments with MAX precisions and minimums', async () => {
    const { mock, connector } = setup();
    mock.expect(markets);
    const list = await connector.instruments('SPOT');
    expect(list.map((i) => i.symbol)).toEqual(['BTCTWD', 'USDTTWD', 'BTCUSDT', 'YFITWD', 'DOGEUSDT', 'SHIBTWD']);
    expect(list[0]).toEqual({
      venue: 'max',
      market: 'SPOT',
      symbol: 'BTCTWD',
      base: 'BTC',
      quote: 'TWD',
      status: 'TRADING',
      tickSize: '0.1',
      stepSize: '0.00000001',
      minQty: '0.0001',
      minNotional: '250',
      gridFromMin: false,
      leverageBrackets: [],
    });
    expect((await connector.instrument('SPOT', 'SHIBTWD')).stepSize).toBe('1000');
    expect((await connector.instrument('SPOT', 'USDTTWD')).tickSize).toBe('0.001');
    expect((await rejection(connector.instrument('SPOT', 'NOSUCH'))).code).toBe('UNKNOWN_SYMBOL');
    expect((await rejection(connector.instruments('FUT'))).code).toBe('UNSUPPORTED');
    // Cached: one request for all of the above.
    expect(mock.seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /api/v3/markets']);
  });

  it('ticker: GET /api/v3/ticker?market=btctwd → the best bid and ask as a MarketTick', async () => {
    const { mock, connector } = setup();
    mock.expect(fromFixture(restFixture('ticker')));
    const tick = await connector.ticker('SPOT', 'BTCTWD');
    expect(mock.seen[0]).toMatchObject({ method: 'GET', path: '/api/v3/ticker', query: { market: 'btctwd' } });
    expect(tick).toMatchObject({
      venue: 'max',
      market: 'SPOT',
      symbol: 'BTCTWD',
      bid: '1952078',
      bidQty: '0.02049401',
      ask: '1965418.4',
      askQty: '0.00097219',
      eventTime: 1_728_011_558_000,
      receiveTime: T0,
    });
    expect(tick.mid).toBe((1952078 + 1965418.4) / 2);
  });

  it('depth: GET /api/v3/depth?market=btctwd&limit=10 → sorted best first (the documented answer lists both sides highest first)', async () => {
    const { mock, connector } = setup();
    mock.expect(fromFixture(restFixture('depth')));
    const book = await connector.depth('SPOT', 'BTCTWD', 10);
    expect(mock.seen[0]).toMatchObject({ method: 'GET', path: '/api/v3/depth', query: { market: 'btctwd', limit: '10' } });
    expect(book.sequence).toBe(208377);
    expect(book.eventTime).toBe(1_728_011_558_000);
    expect(book.bids.slice(0, 3)).toEqual([
      { price: '1952078', qty: '0.02049401' },
      { price: '1944269.7', qty: '0.49105105' },
      { price: '1936492.6', qty: '0.71958076' },
    ]);
    expect(book.asks.slice(0, 2)).toEqual([
      { price: '1965418.4', qty: '0.00097219' },
      { price: '1966084.8', qty: '0.001029' },
    ]);
    expect(book.asks.at(-1)).toEqual({ price: '1984599', qty: '0.96152476' });
    expect('version' in book).toBe(false);
  });
});

describe('MaxConnector private REST (documented responses)', () => {
  it('balances: GET /api/v3/wallet/spot/accounts signed exactly as MAX documents → free = balance, locked', async () => {
    const { mock, connector } = setup();
    mock.expect(fromFixture(restFixture('spot-accounts')));
    const balances = await connector.balances('SPOT');
    const req = mock.seen[0]!;
    expect(req).toMatchObject({ method: 'GET', path: '/api/v3/wallet/spot/accounts', query: { nonce: String(T0) }, body: undefined });
    expect(Buffer.from(req.headers['x-max-payload']!, 'base64').toString('utf8')).toBe(`{"nonce":${T0},"path":"/api/v3/wallet/spot/accounts"}`);
    expectSigned(req, {}, T0);
    expect(balances).toEqual<Balance[]>([
      { venue: 'max', market: 'SPOT', asset: 'TWD', free: '558023980.20030641', locked: '6469092' },
      { venue: 'max', market: 'SPOT', asset: 'BTC', free: '4739.24964425', locked: '0.01003' },
      { venue: 'max', market: 'SPOT', asset: 'ETH', free: '7114.84243169', locked: '0.4023' },
      { venue: 'max', market: 'SPOT', asset: 'USDT', free: '6353272.5166938', locked: '304.90396835' },
    ]);
  });

  it('placeOrder LIMIT: rounds to the market grid, POSTs the JSON body MAX documents, parses the order', async () => {
    const { mock, connector } = setup();
    mock.expect(markets, fromFixture(restFixture('submit-order')));
    const order = await connector.placeOrder({ market: 'SPOT', symbol: 'BTCTWD', side: 'BUY', type: 'LIMIT', qty: '0.010000009', price: '30000.04', clientOrderId: 'abc-1', postOnly: false, reduceOnly: false });
    const req = mock.seen[1]!;
    expect(req).toMatchObject({ method: 'POST', path: '/api/v3/wallet/spot/order', query: {} });
    expect(req.body).toBe(`{"market":"btctwd","side":"buy","volume":"0.01","price":"30000","ord_type":"limit","client_oid":"abc-1","nonce":${T0}}`);
    expectSigned(req, { market: 'btctwd', side: 'buy', volume: '0.01', price: '30000', ord_type: 'limit', client_oid: 'abc-1' }, T0);
    expect(order).toEqual<Order>({
      venue: 'max',
      market: 'SPOT',
      symbol: 'BTCTWD',
      // The documented answer carries `client_oid: null`.
      clientOrderId: 'max:1234567890',
      venueOrderId: '1234567890',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
      price: '30000',
      qty: '0.01',
      filledQty: '0',
      status: 'NEW',
      createdAt: 1_728_011_555_080,
      updatedAt: 1_728_011_555_080,
    });
  });

  it('placeOrder maps every order type to its ord_type and sends only the prices it needs', async () => {
    const { mock, connector } = setup();
    mock.expect(markets);
    const cases = [
      { req: { side: 'SELL', type: 'MARKET', qty: '0.5', price: '1' }, body: { market: 'btctwd', side: 'sell', volume: '0.5', ord_type: 'market' } },
      { req: { side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', qty: '0.5', price: '2000000.06' }, body: { market: 'btctwd', side: 'buy', volume: '0.5', price: '2000000', ord_type: 'ioc_limit' } },
      { req: { side: 'SELL', type: 'STOP_LIMIT', qty: '0.5', price: '1900000.01', stopPrice: '1910000' }, body: { market: 'btctwd', side: 'sell', volume: '0.5', price: '1900000.1', stop_price: '1910000', ord_type: 'stop_limit' } },
      { req: { side: 'BUY', type: 'STOP_MARKET', qty: '0.5', stopPrice: '2100000.04' }, body: { market: 'btctwd', side: 'buy', volume: '0.5', stop_price: '2100000', ord_type: 'stop_market' } },
    ] as const;
    let n = 0;
    for (const c of cases) {
      n += 1;
      const ordType = c.body.ord_type;
      mock.expect({ method: 'POST', path: '/api/v3/wallet/spot/order', status: 200, response: { ...submitted, client_oid: `t-${n}`, ord_type: ordType, price: 'price' in c.body ? c.body.price : null, stop_price: 'stop_price' in c.body ? c.body.stop_price : null } });
      const o = await connector.placeOrder({ market: 'SPOT', symbol: 'BTCTWD', clientOrderId: `t-${n}`, postOnly: false, reduceOnly: false, ...c.req });
      const req = mock.seen.at(-1)!;
      expect(JSON.parse(req.body!)).toEqual({ ...c.body, client_oid: `t-${n}`, nonce: T0 + n - 1 });
      expectSigned(req, { ...c.body, client_oid: `t-${n}` }, T0 + n - 1);
      expect(o.clientOrderId).toBe(`t-${n}`);
      expect(o.type).toBe(c.req.type);
    }
  });

  it('post-only: MAX accepts it, then ends it `cancel` with nothing filled → PostOnlyRejectedError (found by client_oid)', async () => {
    const { mock, connector } = setup();
    mock.expect(markets, {
      method: 'POST',
      path: '/api/v3/wallet/spot/order',
      status: 200,
      response: { ...submitted, client_oid: 'po-1', ord_type: 'post_only' },
    });
    mock.expect({ method: 'GET', path: '/api/v3/order', status: 200, response: { ...submitted, client_oid: 'po-1', ord_type: 'post_only', state: 'cancel', updated_at: 1_728_011_555_200 } });
    const err = await rejection(connector.placeOrder({ market: 'SPOT', symbol: 'BTCTWD', side: 'BUY', type: 'LIMIT', qty: '0.01', price: '30000', clientOrderId: 'po-1', postOnly: true, reduceOnly: false }));
    expect(err.code).toBe('POST_ONLY_REJECTED');
    expect(err.details).toMatchObject({ clientOrderId: 'po-1', venueOrderId: '1234567890', symbol: 'BTCTWD' });
    expect(JSON.parse(mock.seen[1]!.body!)).toMatchObject({ ord_type: 'post_only', client_oid: 'po-1' });
    expect(mock.seen[2]).toMatchObject({ method: 'GET', path: '/api/v3/order', query: { client_oid: 'po-1', nonce: String(T0 + 1) } });
  });

  it('post-only that rests is returned NEW with post-only GTX', async () => {
    const { mock, connector } = setup();
    mock.expect(markets, { method: 'POST', path: '/api/v3/wallet/spot/order', status: 200, response: { ...submitted, client_oid: 'po-2', ord_type: 'post_only' } });
    mock.expect({ method: 'GET', path: '/api/v3/order', status: 200, response: { ...submitted, client_oid: 'po-2', ord_type: 'post_only' } });
    const o = await connector.placeOrder({ market: 'SPOT', symbol: 'BTCTWD', side: 'BUY', type: 'LIMIT', qty: '0.01', price: '30000', clientOrderId: 'po-2', postOnly: true, reduceOnly: false });
    expect(o).toMatchObject({ clientOrderId: 'po-2', status: 'NEW', postOnly: true, timeInForce: 'GTX', type: 'LIMIT' });
  });

  it('cancelOrder by client_oid: DELETE /api/v3/order {client_oid}, then the final state by client_oid', async () => {
    const { mock, connector } = setup();
    mock.expect(fromFixture(restFixture('cancel')), { method: 'GET', path: '/api/v3/order', status: 200, response: { ...closedRows[0], client_oid: 'abc-1' } });
    const o = await connector.cancelOrder({ market: 'SPOT', symbol: 'BTCTWD', clientOrderId: 'abc-1' });
    expect(mock.seen[0]).toMatchObject({ method: 'DELETE', path: '/api/v3/order', query: {} });
    expect(mock.seen[0]!.body).toBe(`{"client_oid":"abc-1","nonce":${T0}}`);
    expectSigned(mock.seen[0]!, { client_oid: 'abc-1' }, T0);
    expect(mock.seen[1]).toMatchObject({ method: 'GET', path: '/api/v3/order', query: { client_oid: 'abc-1', nonce: String(T0 + 1) } });
    expect(o).toMatchObject({ clientOrderId: 'abc-1', venueOrderId: '1234567890', status: 'CANCELED', filledQty: '0', qty: '0.01', updatedAt: 1_728_011_504_663 });
  });

  it('cancelOrder by MAX id: DELETE /api/v3/order {id} (a JSON number), and the final state keeps what filled', async () => {
    const { mock, connector } = setup();
    mock.expect(fromFixture(restFixture('cancel')), { method: 'GET', path: '/api/v3/order', status: 200, response: closedRows[4] });
    const o = await connector.cancelOrder({ market: 'SPOT', symbol: 'BTCTWD', venueOrderId: '1234567890' });
    expect(mock.seen[0]!.body).toBe(`{"id":1234567890,"nonce":${T0}}`);
    expect(mock.seen[1]).toMatchObject({ query: { id: '1234567890' } });
    expect(o).toMatchObject({ status: 'CANCELED', filledQty: '0.0005355', qty: '0.001', avgPrice: '2031746.031746031746031746031746032' });
  });

  it('getOrder by client_oid: GET /api/v3/order?client_oid=… ; 2004 → ORDER_NOT_FOUND', async () => {
    const { mock, connector } = setup();
    mock.expect(fromFixture(restFixture('error-order-not-found')));
    const err = await rejection(connector.getOrder({ market: 'SPOT', symbol: 'BTCTWD', clientOrderId: 'abc-1' }));
    expect(mock.seen[0]).toMatchObject({ method: 'GET', path: '/api/v3/order', query: { client_oid: 'abc-1', nonce: String(T0) } });
    expect(err.code).toBe('ORDER_NOT_FOUND');
    expect(err.details).toMatchObject({ venueCode: 2004, httpStatus: 404 });
  });

  it('openOrders and orderHistory: open + newest closed of the market, oldest first', async () => {
    const { mock, connector } = setup();
    const closed = closedRows.map((r, i) => ({ ...r, id: Number(r.id) + i }));
    mock.expect({ method: 'GET', path: '/api/v3/wallet/spot/orders/open', status: 200, response: [submitted] });
    const openList = await connector.openOrders('SPOT', 'BTCTWD');
    expect(mock.seen[0]).toMatchObject({ query: { market: 'btctwd', limit: '1000', nonce: String(T0) } });
    expect(openList.map((o) => [o.venueOrderId, o.status])).toEqual([['1234567890', 'NEW']]);

    // Without a symbol, every market is asked (the official SDK requires `market` on this endpoint).
    mock.expect(markets);
    for (let i = 0; i < 6; i++) mock.expect({ method: 'GET', path: '/api/v3/wallet/spot/orders/open', status: 200, response: i === 1 ? [{ ...submitted, market: 'usdttwd', id: 7 }] : [] });
    const all = await connector.openOrders('SPOT');
    expect(all.map((o) => [o.symbol, o.venueOrderId])).toEqual([['USDTTWD', '7']]);
    expect(mock.seen.filter((s) => s.path.endsWith('/orders/open')).map((s) => s.query.market).sort()).toEqual(['btctwd', 'btctwd', 'btcusdt', 'dogeusdt', 'shibtwd', 'usdttwd', 'yfitwd']);

    mock.expect({ method: 'GET', path: '/api/v3/wallet/spot/orders/closed', status: 200, response: closed }, { method: 'GET', path: '/api/v3/wallet/spot/orders/open', status: 200, response: [] });
    const history = await connector.orderHistory('SPOT', 'BTCTWD', { startTime: 1_720_000_000_000 });
    const closedReq = mock.seen.find((s) => s.path.endsWith('/closed'))!;
    expect(closedReq.query).toEqual({ market: 'btctwd', order_by: 'desc', limit: '1000', nonce: expect.any(String) });
    expect(history.map((o) => [o.venueOrderId, o.type, o.side, o.status, o.filledQty, o.createdAt])).toEqual([
      ['1234567895', 'MARKET', 'SELL', 'FILLED', '0.0006', 1_722_580_094_401],
      ['1234567892', 'LIMIT', 'SELL', 'FILLED', '0.001', 1_724_131_162_899],
      ['1234567891', 'MARKET', 'BUY', 'FILLED', '0.001', 1_724_131_182_605],
      ['1234567890', 'LIMIT', 'BUY', 'CANCELED', '0', 1_728_011_504_040],
    ]);
  });

  it('fills: GET /api/v3/wallet/spot/trades → one fill per side of a self-trade, oldest first', async () => {
    const { mock, connector } = setup();
    mock.expect(fromFixture(restFixture('spot-trades')));
    // The trades name order ids only; the connector asks MAX for their client ids (none known here).
    for (let i = 0; i < 4; i++) mock.expect(fromFixture(restFixture('error-order-not-found')));
    const fills = await connector.fills('SPOT', 'BTCTWD');
    expect(mock.seen[0]).toMatchObject({ method: 'GET', path: '/api/v3/wallet/spot/trades', query: { market: 'btctwd', order: 'desc', limit: '1000' } });
    expect(mock.seen.slice(1).map((s) => s.query.id).sort()).toEqual(['123456780', '123456789', '2326112007', '2326112321']);
    expect(fills.map((f) => [f.tradeId, f.venueOrderId, f.clientOrderId, f.side, f.price, f.qty, f.fee, f.feeAsset, f.isMaker, f.ts])).toEqual<Array<unknown[]>>([
      ['12345620-ask', '123456780', 'max:123456780', 'SELL', '1939044.4', '0.001', '0.13557048', 'MAX', false, 1_724_131_174_827],
      ['12345620-bid', '2326112007', 'max:2326112007', 'BUY', '1939044.4', '0.001', '0.04105453', 'MAX', true, 1_724_131_174_827],
      ['12345621-ask', '123456789', 'max:123456789', 'SELL', '1954221.6', '0.001', '0.04098786', 'MAX', true, 1_724_131_182_652],
      ['12345621-bid', '2326112321', 'max:2326112321', 'BUY', '1954221.6', '0.001', '0.13690886', 'MAX', false, 1_724_131_182_652],
    ]);
  });
});

describe('MaxConnector failures (documented error envelopes)', () => {
  it('2018 → INSUFFICIENT_FUNDS, never resent', async () => {
    const { mock, connector } = setup();
    mock.expect(markets, fromFixture(restFixture('error-insufficient-funds')));
    const err = await rejection(connector.placeOrder({ market: 'SPOT', symbol: 'BTCTWD', side: 'BUY', type: 'LIMIT', qty: '1', price: '2000000', clientOrderId: 'big-1', postOnly: false, reduceOnly: false }));
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
    expect(mock.seen.filter((s) => s.method === 'POST')).toHaveLength(1);
  });

  it('2007 (nonce off by 30 s) → recalibrates from /timestamp and retries once with a fresh nonce', async () => {
    const { mock, connector } = setup();
    mock.expect(fromFixture(restFixture('error-nonce')), { method: 'GET', path: '/api/v3/timestamp', status: 200, response: { timestamp: 1_728_011_600 } }, fromFixture(restFixture('spot-accounts')));
    const balances = await connector.balances('SPOT');
    expect(balances).toHaveLength(4);
    expect(mock.seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /api/v3/wallet/spot/accounts', 'GET /api/v3/timestamp', 'GET /api/v3/wallet/spot/accounts']);
    expect(mock.seen[0]!.query.nonce).toBe(String(T0));
    // Server 1728011600 s, taken from the middle of its second: offset = 43 500 ms.
    expect(mock.seen[2]!.query.nonce).toBe(String(T0 + 43_500));
    expectSigned(mock.seen[2]!, {}, T0 + 43_500);
  });

  it('a submit whose answer is lost is settled by client_oid, never resent (MAX rejects a reused client_oid)', async () => {
    const { mock, connector, alerts } = setup();
    mock.expect(markets, { method: 'POST', path: '/api/v3/wallet/spot/order', status: 0, error: 'UND_ERR_SOCKET' });
    mock.expect(fromFixture(restFixture('error-order-not-found')), { method: 'GET', path: '/api/v3/order', status: 200, response: { ...submitted, client_oid: 'lost-1' } });
    const o = await connector.placeOrder({ market: 'SPOT', symbol: 'BTCTWD', side: 'BUY', type: 'LIMIT', qty: '0.01', price: '30000', clientOrderId: 'lost-1', postOnly: false, reduceOnly: false });
    expect(o).toMatchObject({ clientOrderId: 'lost-1', venueOrderId: '1234567890', status: 'NEW' });
    expect(mock.seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /api/v3/markets', 'POST /api/v3/wallet/spot/order', 'GET /api/v3/order', 'GET /api/v3/order']);
    expect(mock.seen[2]!.query.client_oid).toBe('lost-1');
    expect(alerts.map((a) => a.code)).toEqual(['UNKNOWN_OUTCOME_SETTLED']);
  });

  it('a lost submit that no query finds stays UNKNOWN_OUTCOME (not resent)', async () => {
    const { mock, connector } = setup();
    mock.expect(markets, { method: 'POST', path: '/api/v3/wallet/spot/order', status: 0, error: 'UND_ERR_SOCKET' });
    for (let i = 0; i < 3; i++) mock.expect(fromFixture(restFixture('error-order-not-found')));
    const err = await rejection(connector.placeOrder({ market: 'SPOT', symbol: 'BTCTWD', side: 'BUY', type: 'LIMIT', qty: '0.01', price: '30000', clientOrderId: 'lost-2', postOnly: false, reduceOnly: false }));
    expect(err.code).toBe('UNKNOWN_OUTCOME');
    expect(err.details).toMatchObject({ lastQuery: 'not_found', queryAttempts: 3, clientOrderId: 'lost-2' });
    expect(mock.seen.filter((s) => s.method === 'POST')).toHaveLength(1);
  });

  it('HTTP 429 → an IP ban: IP_BANNED with MAX’s Retry-After (unix seconds); nothing is sent until it ends', async () => {
    const { mock, connector, clock, alerts } = setup();
    mock.expect({ method: 'GET', path: '/api/v3/ticker', status: 429, response: { success: false, error: { message: 'too many requests' } }, headers: { 'retry-after': String(T0 / 1000 + 2) } });
    const err = await rejection(connector.ticker('SPOT', 'BTCTWD'));
    expect(err.code).toBe('IP_BANNED');
    expect((err as unknown as { retryAfterMs: number }).retryAfterMs).toBe(2000);
    const local = await rejection(connector.ticker('SPOT', 'BTCTWD'));
    expect(local.code).toBe('IP_BANNED');
    expect(local.details.local).toBe(true);
    expect(mock.seen).toHaveLength(1);
    expect(alerts.map((a) => a.code)).toContain('IP_BANNED');
    clock.advance(2000);
    mock.expect(fromFixture(restFixture('ticker')));
    expect((await connector.ticker('SPOT', 'BTCTWD')).bid).toBe('1952078');
    expect(mock.seen).toHaveLength(2);
  });

  it('refuses what MAX does not offer with UNSUPPORTED, before any request', async () => {
    const { mock, connector } = setup();
    mock.expect(markets);
    const base = { market: 'SPOT' as const, symbol: 'BTCTWD', side: 'BUY' as const, qty: '0.01', postOnly: false, reduceOnly: false };
    const refusals = await Promise.all([
      rejection(connector.placeOrder({ ...base, type: 'LIMIT', price: '30000', timeInForce: 'FOK', clientOrderId: 'u-1' })),
      rejection(connector.placeOrder({ ...base, type: 'TAKE_PROFIT_MARKET', stopPrice: '30000', clientOrderId: 'u-2' })),
      rejection(connector.placeOrder({ ...base, type: 'MARKET', reduceOnly: true, clientOrderId: 'u-3' })),
      rejection(connector.placeOrder({ ...base, market: 'FUT', type: 'MARKET', clientOrderId: 'u-4' })),
      rejection(connector.placeOco({ market: 'SPOT', symbol: 'BTCTWD', side: 'SELL', qty: '1', tpPrice: '2', slStopPrice: '1', legTimeInForce: 'GTC', clientListId: 'u-5' })),
      rejection(connector.transfer({ asset: 'USDT', amount: '1', from: 'SPOT', to: 'FUT', clientTransferId: 'u-6' })),
      rejection(connector.positions()),
      rejection(connector.setLeverage('BTCTWD', 3)),
      rejection(connector.markPrice('BTCTWD')),
      rejection(connector.subscribe({ channel: 'markPrice', market: 'SPOT', symbol: 'BTCTWD' }, () => undefined)),
    ]);
    expect(refusals.map((e) => e.code)).toEqual(Array(10).fill('UNSUPPORTED'));
    expect(mock.seen).toHaveLength(0);
    expect(connector.capabilities).toMatchObject({ markets: ['SPOT'], oco: false, transfers: false, leverage: false, funding: false, fok: false, ioc: true, postOnly: true, userStream: true, stopOrders: { SPOT: true } });
  });

  it('without a key: public data only, private calls refused with AUTH_FAILED before any request', async () => {
    const { mock, connector } = setup({ keys: false });
    expect(connector.capabilities.userStream).toBe(false);
    expect((await rejection(connector.balances('SPOT'))).code).toBe('AUTH_FAILED');
    expect(mock.seen).toHaveLength(0);
  });

  it('validates its options and never echoes a key', () => {
    let err: unknown;
    try {
      new MaxConnector({ accessKey: 'AKIA-secret-looking' });
    } catch (e) {
      err = e;
    }
    expect(isChimeraError(err) && err.code).toBe('VALIDATION_FAILED');
    expect(String((err as Error).message)).not.toContain('AKIA-secret-looking');
    expect(() => new MaxConnector({ ws: { pingIntervalMs: 130_000 } })).toThrow(/pingIntervalMs/);
  });
});

describe('MaxConnector WebSocket (documented frames)', () => {
  it('book: subscribes {action:"sub"}, builds the book from the snapshot and updates, resubscribes on a gap', async () => {
    const sockets: FakeSocket[] = [];
    const { mock, connector, clock } = setup({ keys: false, sockets });
    mock.expect(markets);
    const events: MarketEvent[] = [];
    await connector.subscribe({ channel: 'depth', market: 'SPOT', symbol: 'BTCUSDT', levels: 5 }, (e) => events.push(e));
    expect(sockets).toHaveLength(1);
    const ws = sockets[0]!;
    expect(ws.url).toBe('wss://max-stream.maicoin.com/ws');
    ws.open();
    expect(ws.sent.map((t) => JSON.parse(t) as unknown)).toEqual([{ action: 'sub', subscriptions: [{ channel: 'book', market: 'btcusdt', depth: 50 }] }]);
    ws.push(wsFixture('ws-subscribed').message);
    ws.push(wsFixture('ws-book-snapshot').message);
    ws.push(wsFixture('ws-book-update').message);
    expect(events).toEqual([
      { type: 'depth', book: { venue: 'max', market: 'SPOT', symbol: 'BTCUSDT', sequence: 12141725, bids: [{ price: '5333.3', qty: '0.5' }], asks: [{ price: '5337.3', qty: '0.1' }], eventTime: 1_591_869_939_634, receiveTime: T0 } },
      { type: 'depth', book: { venue: 'max', market: 'SPOT', symbol: 'BTCUSDT', sequence: 12141726, bids: [{ price: '5333.3', qty: '0.5' }], asks: [{ price: '5337.3', qty: '0.01037' }], eventTime: 1_591_869_939_634, receiveTime: T0 } },
    ]);
    // A late ticker subscriber shares the book and gets the current top at once.
    const ticks: MarketEvent[] = [];
    await connector.subscribe({ channel: 'ticker', market: 'SPOT', symbol: 'BTCUSDT' }, (e) => ticks.push(e));
    expect(ticks[0]).toMatchObject({ type: 'ticker', tick: { symbol: 'BTCUSDT', bid: '5333.3', bidQty: '0.5', ask: '5337.3', askQty: '0.01037' } });
    expect(ws.sent).toHaveLength(1);

    // fi 12141728 does not follow li 12141726: the book is dropped and resubscribed.
    const update = wsFixture('ws-book-update').message as Record<string, unknown>;
    ws.push({ ...update, fi: 12141728, li: 12141728 });
    expect(connector.bookState('BTCUSDT')).toMatchObject({ synced: false, resyncs: 1, resubscribes: 1 });
    expect(ws.sent.slice(1).map((t) => JSON.parse(t) as unknown)).toEqual([
      { action: 'unsub', subscriptions: [{ channel: 'book', market: 'btcusdt', depth: 50 }] },
      { action: 'sub', subscriptions: [{ channel: 'book', market: 'btcusdt', depth: 50 }] },
    ]);
    const snapshot = wsFixture('ws-book-snapshot').message as Record<string, unknown>;
    ws.push({ ...snapshot, a: [['5336.0', '2']], fi: 12141730, li: 12141730 });
    expect(connector.bookState('BTCUSDT')).toMatchObject({ synced: true, sequence: 12141730, snapshots: 2 });
    expect(events.at(-1)).toMatchObject({ type: 'depth', book: { sequence: 12141730, asks: [{ price: '5336', qty: '2' }] } });
    // A version change is a rebuild too (right after a snapshot, after a 10 ms back-off).
    ws.push({ ...update, fi: 12141731, li: 12141731, v: 1 });
    expect(connector.bookState('BTCUSDT')).toMatchObject({ synced: false, resyncs: 2, resubscribes: 1 });
    clock.advance(10);
    expect(connector.bookState('BTCUSDT')).toMatchObject({ synced: false, resubscribes: 2 });
    expect(ws.sent).toHaveLength(5);
  });

  it('user stream: auth signed over the nonce, then order, trade and account events mapped and deduplicated; a reconnect catches up over REST', async () => {
    const sockets: FakeSocket[] = [];
    const { mock, connector, clock } = setup({ sockets });
    const orders: Order[] = [];
    const fills: Fill[] = [];
    const balances: Balance[] = [];
    const connected: Array<{ reconnect: boolean; ts: number }> = [];
    connector.events.on('order', (o) => orders.push(o));
    connector.events.on('fill', (f) => fills.push(f));
    connector.events.on('balance', (b) => balances.push(b));
    connector.events.on('userStreamConnected', (i) => connected.push(i));
    const autoAuth = (): void => {
      const ws = sockets.at(-1)!;
      ws.onSend = (text) => {
        const msg = JSON.parse(text) as { action: string; id?: string };
        if (msg.action === 'auth') queueMicrotask(() => ws.push(wsFixture('ws-authenticated').message));
      };
      queueMicrotask(() => ws.open());
    };
    mock.expect(fromFixture(restFixture('timestamp')), markets);
    const connecting = connector.connect();
    await expect.poll(() => sockets.length).toBe(1);
    autoAuth();
    await connecting;

    const auth = JSON.parse(sockets[0]!.sent[0]!) as Record<string, unknown>;
    // Calibrated from 1728011557 s (middle of the second): the first nonce is T0 + 500.
    expect(auth).toEqual({ action: 'auth', apiKey: ACCESS, nonce: T0 + 500, signature: hmacHex(SECRET, String(T0 + 500)), filters: ['order', 'trade', 'account'] });
    expect(connected).toEqual([{ reconnect: false, ts: T0 }]);

    const ws = sockets[0]!;
    ws.push(wsFixture('ws-order-snapshot').message);
    ws.push(wsFixture('ws-order-update').message);
    ws.push(wsFixture('ws-trade-snapshot').message);
    ws.push(wsFixture('ws-trade-snapshot').message);
    // A trade of the snapshot's order 87 (fields from the documented list): its client id is known now.
    ws.push({ c: 'user', e: 'trade_update', t: [{ i: 68450, M: 'ethtwd', sd: 'bid', p: '21499.0', v: '0.1', f: '1.0', fc: 'twd', fd: false, fn: '2149.9', T: 1659419048500, TU: 1659419048500, m: false, oi: 87 }], T: 1659419048501 });
    ws.push(wsFixture('ws-account-update').message);

    expect(orders.map((o) => [o.venueOrderId, o.clientOrderId, o.symbol, o.side, o.type, o.postOnly, o.status, o.filledQty, o.avgPrice])).toEqual([
      ['87', 'client-oid-1', 'ETHTWD', 'BUY', 'LIMIT', false, 'FILLED', '0.2658', '21499'],
      ['88', 'max:88', 'ETHTWD', 'SELL', 'LIMIT', true, 'PARTIALLY_FILLED', '0.6', '21600'],
    ]);
    expect(fills.map((f) => [f.tradeId, f.venueOrderId, f.clientOrderId, f.side, f.price, f.qty, f.fee, f.feeAsset, f.isMaker, f.ts])).toEqual([
      ['68444', '3253823664', 'max:3253823664', 'BUY', '21499', '0.2658', '3.2', 'TWD', true, 1_659_216_053_748],
      ['68450', '87', 'client-oid-1', 'BUY', '21499', '0.1', '1', 'TWD', false, 1_659_419_048_500],
    ]);
    expect(balances).toEqual([{ venue: 'max', market: 'SPOT', asset: 'BTC', free: '123.4', locked: '0.5' }]);

    // The connection drops; order 88 fills meanwhile. After re-auth the connector catches up over REST.
    const done88 = { ...submitted, id: 88, market: 'ethtwd', client_oid: null, side: 'sell', ord_type: 'post_only', state: 'done', price: '21600.0', avg_price: '21600.0', volume: '1.0', remaining_volume: '0.0', executed_volume: '1.0', created_at: 1659419050000, updated_at: 1659419060000 };
    const trade88 = { id: 68460, order_id: 88, wallet_type: 'spot', price: '21600.0', volume: '0.4', funds: '8640.0', market: 'ethtwd', market_name: 'ETH/TWD', side: 'ask', fee: '4.32', fee_currency: 'twd', fee_discounted: false, liquidity: 'maker', created_at: 1659419060000 };
    const trade68444 = { ...(restFixture('order-trades').response as Array<Record<string, unknown>>)[0] };
    mock.expect(
      { method: 'GET', path: '/api/v3/wallet/spot/orders/open', status: 200, response: [] },
      { method: 'GET', path: '/api/v3/wallet/spot/trades', status: 200, response: [trade88, trade68444] },
      fromFixture(restFixture('spot-accounts')),
      { method: 'GET', path: '/api/v3/order', status: 200, response: done88 },
    );
    ws.terminate();
    await expect.poll(() => {
      clock.advance(0);
      return sockets.length;
    }).toBe(2);
    autoAuth();
    await expect.poll(() => connected.length).toBe(2);
    expect(connected[1]).toEqual({ reconnect: true, ts: T0 });
    await expect.poll(() => orders.length).toBe(3);
    expect(mock.pending()).toBe(0);
    expect(mock.seen.find((s) => s.path === '/api/v3/wallet/spot/trades')!.query).toMatchObject({ order: 'desc', limit: '100' });
    // Open orders are asked for the markets of the orders that were open (here order 88's).
    expect(mock.seen.find((s) => s.path === '/api/v3/wallet/spot/orders/open')!.query).toMatchObject({ market: 'ethtwd', limit: '1000' });
    // Trade 68444 came on the stream before: not emitted twice. Order 88's fill and final state are.
    expect(fills.map((f) => f.tradeId)).toEqual(['68444', '68450', '68460']);
    expect(fills[2]).toMatchObject({ venueOrderId: '88', side: 'SELL', qty: '0.4', isMaker: true });
    expect(orders[2]).toMatchObject({ venueOrderId: '88', status: 'FILLED', filledQty: '1' });
    // Balances that changed are emitted again (the BTC one from the stream is different from REST's).
    expect(balances.map((b) => b.asset)).toEqual(['BTC', 'TWD', 'BTC', 'ETH', 'USDT']);
  });
});
