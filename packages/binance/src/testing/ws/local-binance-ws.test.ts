import { createHmac } from 'node:crypto';
import { PaperEngine, SystemClock } from '@chimera/core';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServer } from 'node:http';
import { attachBinanceWs, startLocalBinanceWs, type LocalBinanceWs } from './local-binance-ws.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function server(options: Partial<Parameters<typeof startLocalBinanceWs>[0]> = {}): Promise<{ ws: LocalBinanceWs; engine: PaperEngine }> {
  const clock = new SystemClock();
  const engine = new PaperEngine({ clock });
  engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: [['64999.99', '1']], asks: [['65000.01', '2']] });
  engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: [['65009.9', '1']], asks: [['65010.1', '2']] });
  const ws = await startLocalBinanceWs({ engine, clock, markPriceIntervalMs: 10, serverPingIntervalMs: 0, ...options });
  closers.push(() => ws.close());
  return { ws, engine };
}

/** A client that records every text frame. */
async function client(url: string): Promise<{ socket: WebSocket; frames: unknown[]; closed: Promise<number> }> {
  const socket = new WebSocket(url);
  const frames: unknown[] = [];
  socket.on('message', (d) => frames.push(JSON.parse(String(d))));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  closers.push(() => socket.terminate());
  return { socket, frames, closed };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('local Binance WS face', () => {
  it('answers SUBSCRIBE and LIST_SUBSCRIPTIONS, and serves a UM stream only on its own route', async () => {
    const { ws, engine } = await server();
    const pub = await client(`${ws.urls.umPublic}/stream`);
    pub.socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@markPrice@1s', 'btcusdt@bookTicker'], id: 1 }));
    pub.socket.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 2 }));
    await until(() => pub.frames.length >= 2, 'acks');
    expect(pub.frames.slice(0, 2)).toEqual([
      { result: null, id: 1 },
      { result: ['btcusdt@markPrice@1s', 'btcusdt@bookTicker'], id: 2 },
    ]);
    engine.applyBookDiff('FUT', 'BTCUSDT', { bids: [['65010.0', '1.5']], asks: [] });
    await until(() => pub.frames.length >= 3, 'bookTicker');
    await new Promise((r) => setTimeout(r, 40));
    // markPrice (the mid before any mark update) ticks every 10 ms on /market; on /public it was acknowledged and stays silent.
    expect(pub.frames.slice(2).map((f) => (f as { stream: string }).stream)).toEqual(['btcusdt@bookTicker']);
    expect((pub.frames[2] as { data: unknown }).data).toMatchObject({ e: 'bookTicker', s: 'BTCUSDT', b: '65010', B: '1.5', a: '65010.1', A: '2', u: 1_000_003 });
    const market = await client(`${ws.urls.umMarket}/stream?streams=btcusdt@markPrice@1s`);
    await until(() => market.frames.length > 0, 'markPrice');
    expect((market.frames[0] as { data: Record<string, unknown> }).data).toMatchObject({ e: 'markPriceUpdate', s: 'BTCUSDT', p: '65010.05', r: '0' });
  });

  it('serves snapshots as the REST depth endpoints do, matching the diff stream', async () => {
    const { ws, engine } = await server();
    const spot = await client(`${ws.urls.spotStream}/stream?streams=btcusdt@depth@100ms`);
    engine.applyBookDiff('SPOT', 'BTCUSDT', { bids: [['64999.98', '3']], asks: [] });
    await until(() => spot.frames.length === 1, 'diff');
    expect(spot.frames[0]).toMatchObject({
      stream: 'btcusdt@depth@100ms',
      data: { e: 'depthUpdate', s: 'BTCUSDT', U: 1_000_001, u: 1_000_003, b: [['64999.99000000', '1.00000000'], ['64999.98000000', '3.00000000']], a: [['65000.01000000', '2.00000000']] },
    });
    expect(ws.depthSnapshot('SPOT', 'BTCUSDT', 1)).toEqual({ lastUpdateId: 1_000_003, bids: [['64999.99000000', '1.00000000']], asks: [['65000.01000000', '2.00000000']] });
    const um = ws.depthSnapshot('FUT', 'BTCUSDT');
    expect([um.lastUpdateId, um.bids, um.asks, typeof um.E, typeof um.T]).toEqual([1_000_002, [['65009.9', '1']], [['65010.1', '2']], 'number', 'number']);
  });

  it('drops a connection that sends more than 5 messages a second (Spot), and sends serverShutdown before closing', async () => {
    const { ws } = await server({ shutdownGraceMs: 20 });
    const noisy = await client(`${ws.urls.spotStream}/stream`);
    for (let i = 1; i <= 6; i++) noisy.socket.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: i }));
    expect(await noisy.closed).toBe(1008);
    expect(ws.stats().rateLimited).toBe(1);
    const quiet = await client(`${ws.urls.spotStream}/stream?streams=btcusdt@bookTicker`);
    expect(ws.faults.serverShutdown({ route: 'spot' })).toBe(1);
    expect(await quiet.closed).toBe(1001);
    expect(quiet.frames).toEqual([{ stream: '!serverShutdown', data: { e: 'serverShutdown', E: expect.any(Number) } }]);
  });

  it('checks WS API subscriptions: unknown key, bad signature, stale timestamp, then a valid one', async () => {
    const { ws, engine } = await server({ apiKeys: { k1: 's1' } });
    const api = await client(ws.urls.spotWsApi);
    const sign = (payload: string): string => createHmac('sha256', 's1').update(payload).digest('hex');
    const now = Date.now();
    const send = (id: string, params: Record<string, unknown>): void => api.socket.send(JSON.stringify({ id, method: 'userDataStream.subscribe.signature', params }));
    send('a', { apiKey: 'nope', timestamp: now, signature: 'x' });
    send('b', { apiKey: 'k1', timestamp: now, signature: sign(`apiKey=k1&timestamp=${now + 1}`) });
    send('c', { apiKey: 'k1', timestamp: now - 10_000, signature: sign(`apiKey=k1&timestamp=${now - 10_000}`) });
    send('d', { apiKey: 'k1', timestamp: now, signature: sign(`apiKey=k1&timestamp=${now}`) });
    await until(() => api.frames.length >= 4, 'answers');
    expect(api.frames.map((f) => {
      const r = f as { id: string; status: number; error?: { code: number }; result?: unknown };
      return [r.id, r.status, r.error?.code ?? r.result];
    })).toEqual([
      ['a', 401, -2015],
      ['b', 400, -1022],
      ['c', 400, -1021],
      ['d', 200, { subscriptionId: 0 }],
    ]);
    engine.placeOrder({ market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '64000', qty: '0.001', timeInForce: 'GTC', clientOrderId: 'w1' });
    await until(() => api.frames.length >= 5, 'executionReport');
    expect(api.frames[4]).toMatchObject({ subscriptionId: 0, event: { e: 'executionReport', c: 'w1', x: 'NEW', X: 'NEW', p: '64000' } });
  });

  it('refuses /private connections without a valid listen key, and upgrades the fault script refuses', async () => {
    const { ws } = await server();
    const refused = (url: string): Promise<number> =>
      new Promise((resolve) => {
        const s = new WebSocket(url);
        s.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          s.terminate();
        });
        s.on('error', () => undefined);
      });
    expect(await refused(`${ws.urls.umPrivate}/ws/not-a-key`)).toBe(400);
    const key = ws.listenKeys.create('k');
    const ok = await client(`${ws.urls.umPrivate}/ws/${key.ok ? key.body.listenKey : ''}`);
    ws.faults.refuseConnections(1, 429);
    expect(await refused(`${ws.urls.spotStream}/stream`)).toBe(429);
    expect(ws.faults.expireListenKey()).toBe(1);
    await until(() => ok.frames.length === 1, 'listenKeyExpired');
    expect(ok.frames[0]).toMatchObject({ e: 'listenKeyExpired' });
    expect(ws.stats().refused).toBe(2);
  });

  it('shares the REST face\'s HTTP server when attached: WS paths upgrade, other requests stay with REST', async () => {
    const http = createServer((_req, res) => res.end('{"rest":true}'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    const engine = new PaperEngine({ clock: new SystemClock() });
    engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: [['1', '1']], asks: [['2', '1']] });
    const ws = attachBinanceWs(http, { engine, serverPingIntervalMs: 0, markPriceIntervalMs: 0 });
    closers.push(
      () => new Promise<void>((resolve) => http.close(() => resolve())),
      () => ws.close(),
    );
    const port = (http.address() as { port: number }).port;
    expect(ws.urls.spotStream).toBe(`ws://127.0.0.1:${port}`);
    expect(await (await fetch(`http://127.0.0.1:${port}/api/v3/ping`)).json()).toEqual({ rest: true });
    const c = await client(`${ws.urls.spotStream}/stream?streams=btcusdt@depth`);
    engine.applyBookDiff('SPOT', 'BTCUSDT', { bids: [['1.5', '1']], asks: [] });
    await until(() => c.frames.length === 1, 'diff');
    expect((c.frames[0] as { data: { U: number; u: number } }).data).toMatchObject({ U: 1_000_001, u: 1_000_003 });
  });
});
