import { createHmac } from 'node:crypto';
import { FakeClock, RestClient, StateError } from '@chimera/core';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { restFixture } from '../../test/fixtures/load.js';
import { createMaxErrorMapper } from './errors.js';
import { parseOrder } from './mappers.js';
import { NonceSource } from './nonce-source.js';
import { MAX_REST_BASE_URL, orderRequest, submitOrderRequest, tickersRequest } from './requests.js';
import { toRestRequest } from './rest-request.js';
import { MaxSigner } from './signing.js';

const SECRET = 'sk-test';
const signer = new MaxSigner({ accessKey: 'ak-test', secretKey: SECRET });

describe('toRestRequest', () => {
  it('public requests carry MAX-encoded queries (arrays as key[]=) and no headers', () => {
    const req = toRestRequest(tickersRequest(['BTCTWD', 'ETHTWD']));
    expect(req).toMatchObject({ method: 'GET', path: '/api/v3/tickers', kind: 'read', weight: 1 });
    expect(req.sign?.({ method: 'GET', path: '/api/v3/tickers', query: '', body: undefined })).toEqual({
      query: 'markets%5B%5D=btctwd&markets%5B%5D=ethtwd',
    });
  });

  it('signed requests draw a fresh nonce on every attempt', () => {
    let now = 1_728_011_555_080;
    const nonces = new NonceSource({ now: () => now });
    const req = toRestRequest(orderRequest({ clientOrderId: 'abc-1' }), { signer, nonces });
    const input = { method: 'GET' as const, path: '/api/v3/order', query: '', body: undefined };
    const first = req.sign?.(input) as { query: string; headers: Record<string, string> };
    const second = req.sign?.(input) as { query: string; headers: Record<string, string> };
    expect(first.query).toBe('client_oid=abc-1&nonce=1728011555080');
    expect(second.query).toBe('client_oid=abc-1&nonce=1728011555081');
    now += 1000;
    expect((req.sign?.(input) as { query: string }).query).toBe('client_oid=abc-1&nonce=1728011556080');
    expect(first.headers['X-MAX-SIGNATURE']).toBe(createHmac('sha256', SECRET).update(first.headers['X-MAX-PAYLOAD'] as string).digest('hex'));
  });

  it('refuses a signed request without credentials', () => {
    expect(() => toRestRequest(orderRequest({ clientOrderId: 'abc-1' }))).toThrow(StateError);
  });
});

describe('toRestRequest through the core RestClient (undici MockAgent, no network)', () => {
  const agent = new MockAgent();
  agent.disableNetConnect();
  afterEach(() => agent.assertNoPendingInterceptors());

  it('sends the exact body, headers and path MAX expects, and parses the answer', async () => {
    const clock = new FakeClock(1_728_011_555_080);
    const nonces = new NonceSource({ now: () => clock.now() });
    const client = new RestClient({ baseUrl: MAX_REST_BASE_URL, dispatcher: agent, clock, errorMapper: createMaxErrorMapper({ now: () => clock.now() }), retry: { retries: 0 } });
    const seen: { body?: string; headers?: Record<string, string> } = {};
    agent
      .get(MAX_REST_BASE_URL)
      .intercept({ path: '/api/v3/wallet/spot/order', method: 'POST' })
      .reply(200, (opts) => {
        seen.body = String(opts.body);
        seen.headers = opts.headers as Record<string, string>;
        return restFixture('submit-order').response as object;
      });
    const req = submitOrderRequest({ symbol: 'BTCTWD', side: 'BUY', type: 'LIMIT', qty: '0.01', price: '30000', clientOrderId: 'abc-1' });
    const res = await client.request(toRestRequest(req, { signer, nonces }));
    expect(seen.body).toBe('{"market":"btctwd","side":"buy","volume":"0.01","price":"30000","ord_type":"limit","client_oid":"abc-1","nonce":1728011555080}');
    expect(seen.headers?.['X-MAX-ACCESSKEY'] ?? seen.headers?.['x-max-accesskey']).toBe('ak-test');
    expect(seen.headers?.['Content-Type'] ?? seen.headers?.['content-type']).toBe('application/json');
    expect(parseOrder(res.body).venueOrderId).toBe('1234567890');
  });

  it('maps a MAX error answer to the typed error', async () => {
    const clock = new FakeClock(1_728_011_555_080);
    const nonces = new NonceSource({ now: () => clock.now() });
    const client = new RestClient({ baseUrl: MAX_REST_BASE_URL, dispatcher: agent, clock, errorMapper: createMaxErrorMapper({ now: () => clock.now() }), retry: { retries: 0 } });
    const fx = restFixture('error-order-not-found');
    agent.get(MAX_REST_BASE_URL).intercept({ path: '/api/v3/order?client_oid=abc-1&nonce=1728011555080', method: 'GET' }).reply(fx.status, fx.response as object);
    await expect(client.request(toRestRequest(orderRequest({ clientOrderId: 'abc-1' }), { signer, nonces }))).rejects.toMatchObject({
      code: 'ORDER_NOT_FOUND',
      status: 404,
      details: { venueCode: 2004, venueMessage: 'Order not found', httpStatus: 404 },
    });
  });
});
