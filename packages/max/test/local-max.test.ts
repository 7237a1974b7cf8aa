/**
 * The local MAX exchange itself: MAX's signature and nonce checks (REST codes 2001/2005/2006/2007/
 * 2008/2014, WebSocket 1006/1007/1012), the 130 s ping rule (shortened here), MAX's asynchronous
 * post-only cancel, the 24 h `client_oid` rule, and the shapes of its public answers.
 */
import { createHmac } from 'node:crypto';
import { MaxSigner, type MaxMethod, type MaxParams } from '@chimera/max';
import { startLocalMax, type LocalMax } from '@chimera/max/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const KEY = { accessKey: 'local-access', secretKey: 'local-secret' };

describe('local MAX exchange', () => {
  let max: LocalMax;
  let nonce = Date.now();

  beforeAll(async () => {
    max = await startLocalMax({ credentials: [KEY], pingTimeoutMs: 300 });
  });
  afterAll(async () => {
    await max.close();
  });

  /** Sends a request signed by `signer` (default: the configured key) with `n` as the nonce. */
  async function signed(method: MaxMethod, path: string, params: MaxParams = {}, opts: { signer?: MaxSigner; nonce?: number; tamper?: (parts: { query: string; body: string | undefined; headers: Record<string, string> }) => void } = {}) {
    const signer = opts.signer ?? new MaxSigner(KEY);
    const n = opts.nonce ?? ++nonce;
    const parts = signer.sign({ method, path, params, nonce: n });
    opts.tamper?.(parts);
    const res = await request(`${max.url}${path}${parts.query ? `?${parts.query}` : ''}`, { method, headers: parts.headers, body: parts.body });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  }

  const codeOf = (body: Record<string, unknown>): unknown => (body.error as { code?: unknown } | undefined)?.code;

  it('accepts a correctly signed request and refuses bad keys, signatures, payloads and nonces with MAX’s codes', async () => {
    expect((await signed('GET', '/api/v3/wallet/spot/accounts', { currency: 'twd' })).body).toEqual([{ currency: 'twd', balance: '10000000', locked: '0', staked: null }]);

    const bad = await signed('GET', '/api/v3/wallet/spot/accounts', {}, { signer: new MaxSigner({ accessKey: KEY.accessKey, secretKey: 'wrong' }) });
    expect([bad.status, codeOf(bad.body)]).toEqual([401, 2005]);
    const unknownKey = await signed('GET', '/api/v3/wallet/spot/accounts', {}, { signer: new MaxSigner({ accessKey: 'nobody', secretKey: 'x' }) });
    expect([unknownKey.status, codeOf(unknownKey.body)]).toEqual([401, 2008]);
    const unsigned = await request(`${max.url}/api/v3/wallet/spot/accounts?nonce=${++nonce}`);
    expect([unsigned.statusCode, codeOf((await unsigned.body.json()) as Record<string, unknown>)]).toEqual([401, 2001]);

    const reused = ++nonce;
    expect((await signed('GET', '/api/v3/wallet/spot/accounts', {}, { nonce: reused })).status).toBe(200);
    const replay = await signed('GET', '/api/v3/wallet/spot/accounts', {}, { nonce: reused });
    expect([replay.status, codeOf(replay.body)]).toEqual([401, 2006]);
    const stale = await signed('GET', '/api/v3/wallet/spot/accounts', {}, { nonce: Date.now() - 31_000 });
    expect([stale.status, codeOf(stale.body)]).toEqual([401, 2007]);

    // The query says eth, the signed payload says btc.
    const swapped = await signed('GET', '/api/v3/wallet/spot/accounts', { currency: 'btc' }, { tamper: (p) => (p.query = p.query.replace('currency=btc', 'currency=eth')) });
    expect([swapped.status, codeOf(swapped.body)]).toEqual([401, 2014]);
    expect(max.stats.rest.authFailures).toBe(6);
  });

  it('authenticates the WebSocket over the nonce text and refuses with 1007, 1006 and 1012', async () => {
    const attempt = (msg: Record<string, unknown>): Promise<unknown[]> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(max.wsUrl);
        const got: unknown[] = [];
        ws.on('open', () => ws.send(JSON.stringify(msg)));
        ws.on('message', (d) => {
          got.push(JSON.parse(String(d)));
          if (got.length === 4) ws.close();
        });
        ws.on('close', () => resolve(got));
        ws.on('error', reject);
      });
    const sign = (n: number, secret = KEY.secretKey): string => createHmac('sha256', secret).update(String(n)).digest('hex');
    const n1 = ++nonce;
    const ok = await attempt({ action: 'auth', apiKey: KEY.accessKey, nonce: n1, signature: sign(n1), id: 'c1' });
    expect(ok.map((m) => (m as { e: string }).e)).toEqual(['authenticated', 'order_snapshot', 'trade_snapshot', 'account_snapshot']);
    expect(ok[0]).toMatchObject({ e: 'authenticated', i: 'c1' });
    const errors = async (msg: Record<string, unknown>): Promise<unknown> => ((await attempt(msg))[0] as { E: string[] }).E;
    const n2 = ++nonce;
    expect(await errors({ action: 'auth', apiKey: KEY.accessKey, nonce: n2, signature: sign(n2, 'wrong') })).toEqual(['E-1007: authentication failed']);
    const old = Date.now() - 40_000;
    expect(await errors({ action: 'auth', apiKey: KEY.accessKey, nonce: old, signature: sign(old) })).toEqual(['E-1006: nonce is invalid (30 seconds difference from server time)']);
    expect(await errors({ action: 'auth', apiKey: KEY.accessKey, nonce: n1, signature: sign(n1) })).toEqual(['E-1012: nonce has already been used']);
    expect(await errors({ action: 'dance' })).toEqual(['E-1004: invalid action']);
  });

  it('closes a connection that sends no ping within the limit, and keeps one that pings', async () => {
    const before = max.stats.ws.pingTimeouts;
    const silent = new WebSocket(max.wsUrl);
    const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    const pinging = new WebSocket(max.wsUrl);
    await new Promise((r) => pinging.on('open', r));
    const timer = setInterval(() => pinging.ping(), 100);
    try {
      expect(await closed).toBe(4000);
      await new Promise((r) => setTimeout(r, 500));
      expect(pinging.readyState).toBe(WebSocket.OPEN);
      expect(max.stats.ws.pingTimeouts).toBe(before + 1);
    } finally {
      clearInterval(timer);
      pinging.terminate();
    }
  });

  it('accepts a post-only order that would take, then cancels it asynchronously; a used client_oid is refused (2036)', async () => {
    const placed = await signed('POST', '/api/v3/wallet/spot/order', { market: 'btctwd', side: 'buy', volume: '0.001', price: '1960000', ord_type: 'post_only', client_oid: 'lm-po-1' });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ market: 'btctwd', client_oid: 'lm-po-1', ord_type: 'post_only', state: 'wait', executed_volume: '0.0' });
    await new Promise((r) => setTimeout(r, max.faults.postOnlyCancelDelayMs + 30));
    const later = await signed('GET', '/api/v3/order', { client_oid: 'lm-po-1' });
    expect(later.body).toMatchObject({ state: 'cancel', executed_volume: '0', remaining_volume: '0.001' });
    const again = await signed('POST', '/api/v3/wallet/spot/order', { market: 'btctwd', side: 'buy', volume: '0.001', price: '1900000', ord_type: 'limit', client_oid: 'lm-po-1' });
    expect([again.status, codeOf(again.body)]).toEqual([422, 2036]);
  });

  it('serves the public endpoints in MAX’s shapes (depth highest first, seconds in timestamp and ticker)', async () => {
    const get = async (path: string): Promise<unknown> => (await (await request(`${max.url}${path}`)).body.json()) as unknown;
    const ts = (await get('/api/v3/timestamp')) as { timestamp: number };
    expect(Math.abs(ts.timestamp - Date.now() / 1000)).toBeLessThan(2);
    const depth = (await get('/api/v3/depth?market=usdttwd&limit=2')) as { asks: string[][]; bids: string[][]; last_update_version: number };
    expect(depth.asks).toEqual([
      ['32.205', '1000'],
      ['32.2', '500'],
    ]);
    expect(depth.bids).toEqual([
      ['32.19', '500'],
      ['32.185', '1000'],
    ]);
    const tickers = (await get('/api/v3/tickers?markets%5B%5D=usdttwd&markets%5B%5D=btctwd')) as Array<Record<string, unknown>>;
    expect(tickers.map((t) => [t.market, t.buy, t.sell])).toEqual([
      ['usdttwd', '32.19', '32.2'],
      ['btctwd', '1950000', '1950100'],
    ]);
    const markets = (await get('/api/v3/markets')) as Array<Record<string, unknown>>;
    expect(markets[1]).toEqual({ id: 'usdttwd', status: 'active', base_unit: 'usdt', base_unit_precision: 2, min_base_amount: 8, quote_unit: 'twd', quote_unit_precision: 3, min_quote_amount: 250, m_wallet_supported: false });
    const missing = await request(`${max.url}/api/v3/ticker?market=nosuch`);
    expect([missing.statusCode, codeOf((await missing.body.json()) as Record<string, unknown>)]).toEqual([400, 1001]);
  });
});
