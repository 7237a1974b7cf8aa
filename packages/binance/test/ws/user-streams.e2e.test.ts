import { mulberry32, PaperEngine, SystemClock, type Fill, type Market, type Order } from '@chimera/core';
import { afterEach, describe, expect, it } from 'vitest';
import { mapBinanceError } from '../../src/rest/errors.js';
import { createSigner } from '../../src/rest/signing.js';
import { startLocalBinanceWs, type LocalBinanceWs } from '../../src/testing/ws/index.js';
import { BinanceSpotUserStream, BinanceUmUserStream, type ListenKeyApi, type UserStreamCatchUpSource } from '../../src/ws/index.js';
import { makeEngine, priceAt, waitFor } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const API_KEY = 'local-test-key';
const SECRET = 'local-test-secret';

/** The listen-key REST calls as the connector makes them, answered by the local registry. */
function listenKeyApi(ws: LocalBinanceWs): ListenKeyApi & { calls: string[] } {
  const calls: string[] = [];
  const answer = (a: ReturnType<LocalBinanceWs['listenKeys']['create']>): string => {
    if (a.ok) return a.body.listenKey;
    const out = mapBinanceError({ product: 'um', status: a.status, body: a.body, isWrite: false });
    throw out.outcome === 'error' ? out.error : new Error(`unexpected success ${out.venueCode}`);
  };
  return {
    calls,
    create: async () => {
      calls.push('POST');
      return answer(ws.listenKeys.create(API_KEY));
    },
    keepAlive: async () => {
      calls.push('PUT');
      answer(ws.listenKeys.keepAlive(API_KEY));
    },
    close: async () => {
      calls.push('DELETE');
      answer(ws.listenKeys.close(API_KEY));
    },
  };
}

/** The REST catch-up, read from the engine the REST face serves. */
function catchUpSource(engine: PaperEngine): UserStreamCatchUpSource & { reads: number } {
  const source = {
    reads: 0,
    openOrders: async (market: Market) => {
      source.reads++;
      return engine.openOrders(market);
    },
    fills: async (market: Market, symbol: string, window?: { startTime?: number; endTime?: number }) => engine.fills(market, symbol, window),
    getOrder: async (ref: Parameters<PaperEngine['getOrder']>[0]) => engine.getOrder(ref),
  };
  return source;
}

describe('user streams against the local exchange', () => {
  it('deliver every engine fill exactly once through ≥ 200 disconnects and listen-key expiries, with final order states', async () => {
    const clock = new SystemClock();
    const engine = makeEngine(clock);
    const ws = await startLocalBinanceWs({ engine, clock, apiKeys: { [API_KEY]: SECRET }, serverPingIntervalMs: 0 });
    closers.push(() => ws.close());
    const random = mulberry32(31);
    const socket = { backoff: { baseMs: 1, maxMs: 8, jitterMs: 2 }, random, handoverTimeoutMs: 50, clientPing: false as const };
    const keys = listenKeyApi(ws);
    const source = catchUpSource(engine);
    const spot = new BinanceSpotUserStream({ signer: createSigner({ apiKey: API_KEY, secret: SECRET }), clock, url: ws.urls.spotWsApi, catchUp: source, socket });
    const um = new BinanceUmUserStream({ listenKeys: keys, clock, url: ws.urls.umPrivate, catchUp: source, socket, keepAliveMs: 40, keepAliveRetryMs: 5 });
    closers.push(() => spot.close(), () => um.close());

    const fills = new Map<string, number>();
    const lastOrder = new Map<string, Order>();
    const connected: string[] = [];
    for (const [name, stream] of [
      ['spot', spot],
      ['um', um],
    ] as const) {
      stream.events.on('fill', (f: Fill) => fills.set(`${f.market}|${f.tradeId}`, (fills.get(`${f.market}|${f.tradeId}`) ?? 0) + 1));
      stream.events.on('order', (o: Order) => lastOrder.set(`${o.market}|${o.venueOrderId}`, o));
      stream.events.on('userStreamConnected', (c) => connected.push(`${name}:${c.reconnect}`));
    }
    let caughtUp = 0;
    const alerts: string[] = [];
    for (const stream of [spot, um]) {
      stream.events.on('catchUp', (c) => (caughtUp += c.fills));
      stream.events.on('alert', (a) => alerts.push(a.code));
    }
    await spot.start();
    await um.start();
    await waitFor(() => connected.includes('spot:false') && connected.includes('um:false'), 3_000, 'both streams live');

    let n = 0;
    const trade = (market: Market): void => {
      const side = random() < 0.5 ? 'BUY' : 'SELL';
      const id = `t${n++}`;
      if (random() < 0.5) {
        engine.placeOrder({ market, symbol: 'BTCUSDT', side, type: 'MARKET', qty: '0.01', clientOrderId: id });
      } else {
        // A resting limit at the mid (inside the spread), then a print one tick through it fills it.
        const price = priceAt(market, 0);
        const through = priceAt(market, side === 'BUY' ? -1 : 1);
        engine.placeOrder({ market, symbol: 'BTCUSDT', side, type: 'LIMIT', price, qty: '0.01', timeInForce: 'GTC', clientOrderId: id });
        engine.applyTrade(market, 'BTCUSDT', { price: through, qty: '0.02', takerSide: side === 'BUY' ? 'SELL' : 'BUY' });
      }
    };

    const faults = { spotDrop: 0, umDrop: 0, expire: 0 };
    for (let i = 0; i < 240; i++) {
      const r = random();
      if (r < 0.45) {
        ws.faults.drop({ kind: 'wsapi' });
        faults.spotDrop++;
      } else if (r < 0.9) {
        ws.faults.drop({ kind: 'private' });
        faults.umDrop++;
      } else {
        ws.faults.expireListenKey();
        faults.expire++;
      }
      for (let k = 0; k < 2; k++) trade(random() < 0.5 ? 'SPOT' : 'FUT');
      await new Promise((resolve) => setTimeout(resolve, 1 + Math.floor(random() * 4)));
    }

    const engineFills = [...engine.fills('SPOT', 'BTCUSDT'), ...engine.fills('FUT', 'BTCUSDT')].map((f) => `${f.market}|${f.tradeId}`).sort();
    await waitFor(() => fills.size === engineFills.length, 10_000, `all ${engineFills.length} fills (have ${fills.size})`);
    // Let late duplicates (a catch-up racing the stream) show up if there were any.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([...fills.keys()].sort()).toEqual(engineFills);
    expect([...fills.values()].every((count) => count === 1)).toBe(true);
    expect(engineFills.length).toBeGreaterThan(400);

    // The last state each order reached on the engine is the last one delivered.
    const engineOrders = [...engine.orderHistory('SPOT', 'BTCUSDT'), ...engine.orderHistory('FUT', 'BTCUSDT')];
    await waitFor(
      () => engineOrders.every((o) => lastOrder.get(`${o.market}|${o.venueOrderId}`)?.filledQty === engine.getOrder({ market: o.market, symbol: o.symbol, venueOrderId: o.venueOrderId }).filledQty),
      5_000,
      'final order states',
    );
    for (const o of engineOrders) {
      const final = engine.getOrder({ market: o.market, symbol: o.symbol, venueOrderId: o.venueOrderId });
      const seen = lastOrder.get(`${o.market}|${o.venueOrderId}`)!;
      expect([seen.clientOrderId, seen.status, seen.filledQty]).toEqual([final.clientOrderId, final.status, final.filledQty]);
    }
    expect(faults.spotDrop + faults.umDrop + faults.expire).toBe(240);
    expect(faults.expire).toBeGreaterThan(10);
    expect(connected.filter((c) => c.endsWith('true')).length).toBeGreaterThan(100);
    expect(keys.calls.filter((c) => c === 'POST').length).toBeGreaterThan(faults.expire / 2);
    expect(source.reads).toBeGreaterThan(100);
    // Both paths carried fills: the stream while it was up, the catch-up for what a break lost.
    expect(caughtUp).toBeGreaterThan(0);
    expect(caughtUp).toBeLessThan(engineFills.length);
    // A key that died while the connection was down is replaced on refusal, before any FATAL.
    expect(alerts).not.toContain('WS_FATAL');
    expect(alerts).toContain('LISTEN_KEY_EXPIRED');
  }, 60_000);
});
