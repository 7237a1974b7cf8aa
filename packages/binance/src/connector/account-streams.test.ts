/**
 * The UM listen-key calls as the connector sends them (USER_STREAM security: the API key header,
 * no timestamp, no signature) and how their answers read, over an undici `MockAgent`.
 */
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, isChimeraError } from '@chimera/core';
import { createSigner } from '../rest/signing.js';
import { isInvalidListenKeyError } from '../ws/listen-key.js';
import { umListenKeyApi } from './account-streams.js';
import { UM_RATE_LIMITS } from './defaults.js';
import { ProductClient } from './product-client.js';

const UM = 'https://fapi.binance.com';
const KEY = { apiKey: 'listen-key-test-api-key', secret: 'listen-key-test-secret' };

interface Sent {
  method: string;
  path: string;
  query: string;
  apiKey: string | undefined;
}

let agent: MockAgent;
let sent: Sent[];

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  sent = [];
});
afterEach(async () => {
  await agent.close();
});

function serve(method: string, status: number, body: unknown): void {
  agent
    .get(UM)
    .intercept({ path: (p) => p.split('?')[0] === '/fapi/v1/listenKey', method })
    .reply((opts) => {
      const [path, query = ''] = String(opts.path).split('?');
      const headers = (opts.headers ?? {}) as Record<string, string>;
      sent.push({ method: opts.method, path: path!, query, apiKey: Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-mbx-apikey')?.[1] });
      return { statusCode: status, data: JSON.stringify(body), responseOptions: { headers: { 'content-type': 'application/json' } } };
    });
}

function client(withKey = true): ProductClient {
  return new ProductClient({
    product: 'um',
    baseUrl: UM,
    signer: withKey ? createSigner(KEY) : undefined,
    recvWindow: 5000,
    clock: new FakeClock(1_766_102_400_000),
    dispatcher: agent,
    limits: UM_RATE_LIMITS,
    retry: { retries: 0 },
    clockSyncSamples: 1,
  });
}

describe('umListenKeyApi', () => {
  it('creates, keeps alive and closes with the API key header and no signature', async () => {
    const um = client();
    const api = umListenKeyApi(um);
    serve('POST', 200, { listenKey: 'pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1' });
    serve('PUT', 200, { listenKey: 'pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1' });
    serve('DELETE', 200, {});
    expect(await api.create()).toBe('pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1');
    await api.keepAlive('pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1');
    await api.close('pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1');
    expect(sent).toEqual([
      { method: 'POST', path: '/fapi/v1/listenKey', query: '', apiKey: KEY.apiKey },
      { method: 'PUT', path: '/fapi/v1/listenKey', query: '', apiKey: KEY.apiKey },
      { method: 'DELETE', path: '/fapi/v1/listenKey', query: '', apiKey: KEY.apiKey },
    ]);
    await um.close();
  });

  it('reads -1125 as an invalid key and refuses an answer without a key, quoting no body', async () => {
    const um = client();
    const api = umListenKeyApi(um);
    serve('PUT', 400, { code: -1125, msg: 'This listenKey does not exist.' });
    const gone = await api.keepAlive('k').catch((e: unknown) => e);
    expect(isInvalidListenKeyError(gone)).toBe(true);
    serve('POST', 200, { nope: 'secret-looking-body' });
    const odd = await api.create().catch((e: unknown) => e);
    expect(isChimeraError(odd) && odd.code).toBe('UNEXPECTED_RESPONSE');
    expect(JSON.stringify(odd)).not.toContain('secret-looking-body');
    await um.close();
  });

  it('is refused locally without a key', async () => {
    const um = client(false);
    const err = await umListenKeyApi(um)
      .create()
      .catch((e: unknown) => e);
    expect(isChimeraError(err) && [err.code, err.details.local]).toEqual(['AUTH_FAILED', true]);
    expect(sent).toEqual([]);
    await um.close();
  });
});
