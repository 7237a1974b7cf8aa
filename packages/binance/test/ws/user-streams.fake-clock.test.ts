import { createHmac } from 'node:crypto';
import { FakeClock, type ConnectorAlert, type Fill, type Market, type Order } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { createSigner } from '../../src/rest/signing.js';
import { BinanceSpotUserStream, BinanceUmUserStream, type ListenKeyApi, type UserStreamCatchUpSource } from '../../src/ws/index.js';
import { fakeSockets } from './fake-socket.js';

const T0 = 1_758_326_400_000;
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

function fill(tradeId: string, ts: number, market: Market = 'FUT'): Fill {
  return {
    venue: 'binance',
    market,
    symbol: 'BTCUSDT',
    tradeId,
    venueOrderId: '77',
    clientOrderId: 'c-77',
    side: 'BUY',
    price: '65000',
    qty: '0.01',
    fee: '0.26',
    feeAsset: 'USDT',
    isMaker: false,
    ts,
  };
}

function otuTrade(tradeId: number, z: string, X: string, T: number) {
  return {
    e: 'ORDER_TRADE_UPDATE',
    E: T,
    T,
    o: { s: 'BTCUSDT', c: 'c-77', S: 'BUY', o: 'LIMIT', f: 'GTC', q: '0.02', p: '65000', ap: '65000', sp: '0', x: 'TRADE', X, i: 77, l: '0.01', z, L: '65000', N: 'USDT', n: '0.26', T, t: tradeId, m: false, R: false, wt: 'CONTRACT_PRICE' },
  };
}

/** A catch-up source the test scripts, recording what was asked. */
function scriptedCatchUp() {
  const asked: string[] = [];
  const state = { fills: [] as Fill[], open: [] as Order[] };
  const source: UserStreamCatchUpSource = {
    openOrders: async (market) => {
      asked.push(`openOrders ${market}`);
      return state.open;
    },
    fills: async (market, symbol, window) => {
      asked.push(`fills ${market} ${symbol} from ${(window?.startTime ?? 0) - T0}`);
      return state.fills.filter((f) => f.market === market && f.ts >= (window?.startTime ?? 0));
    },
  };
  return { source, asked, state };
}

describe('BinanceUmUserStream on the fake clock', () => {
  it('streams on /private/ws/<listenKey>, maps trades, and after a reconnect catches up once without repeating fills', async () => {
    const clock = new FakeClock(T0);
    const net = fakeSockets(() => clock.now());
    const posts: number[] = [];
    let n = 0;
    const listenKeys: ListenKeyApi = {
      create: async () => {
        posts.push(clock.now() - T0);
        return `lk${++n}SECRET`;
      },
      keepAlive: async () => undefined,
      close: async () => undefined,
    };
    const cu = scriptedCatchUp();
    const stream = new BinanceUmUserStream({
      clock,
      listenKeys,
      catchUp: cu.source,
      socket: { socketFactory: net.factory, random: () => 0, backoff: { baseMs: 100, maxMs: 1_000, jitterMs: 0 }, clientPing: false, handoverTimeoutMs: 500 },
    });
    const seen: string[] = [];
    const alerts: ConnectorAlert[] = [];
    stream.events.on('fill', (f) => seen.push(`fill ${f.tradeId}`));
    stream.events.on('order', (o) => seen.push(`order ${o.status} ${o.filledQty}`));
    stream.events.on('userStreamConnected', (c) => seen.push(`connected reconnect=${c.reconnect}`));
    stream.events.on('catchUp', (c) => seen.push(`catchUp ${c.reason} fills=${c.fills}`));
    stream.events.on('alert', (a) => alerts.push(a));

    await stream.start();
    expect(net.last().url).toBe('wss://fstream.binance.com/private/ws/lk1SECRET');
    net.last().accept();
    net.last().push(otuTrade(501, '0.01', 'PARTIALLY_FILLED', T0 + 1));
    expect(seen).toEqual(['connected reconnect=false', 'fill 501', 'order PARTIALLY_FILLED 0.01']);

    // Down for a while: trade 502 happens meanwhile; REST knows 501 and 502.
    net.last().drop();
    cu.state.fills = [fill('501', T0 + 1), fill('502', T0 + 50)];
    await clock.tickAsync(100);
    expect(net.sockets).toHaveLength(2);
    net.last().accept();
    await flush();
    expect(cu.asked).toEqual(['openOrders FUT', `fills FUT BTCUSDT from ${1 - 60_000}`]);
    expect(seen.slice(3)).toEqual(['connected reconnect=true', 'fill 502', 'catchUp reconnect fills=1']);
    // The stream repeats 502 late: it is not delivered twice.
    net.last().push(otuTrade(502, '0.02', 'FILLED', T0 + 50));
    expect(seen.slice(6)).toEqual(['order FILLED 0.02']);

    // listenKeyExpired: a new key, a new connection on it, a catch-up.
    net.last().push({ e: 'listenKeyExpired', E: T0 + 200, listenKey: 'lk1SECRET' });
    await flush();
    expect(posts).toEqual([0, 100]);
    expect(net.last().url).toBe('wss://fstream.binance.com/private/ws/lk2SECRET');
    net.last().accept();
    await clock.tickAsync(500);
    await flush();
    expect(seen.slice(7)).toEqual(['connected reconnect=true', 'catchUp listenKey fills=0']);
    expect(alerts.map((a) => a.code)).toEqual(['LISTEN_KEY_EXPIRED']);
    expect(JSON.stringify(alerts)).not.toContain('SECRET');
    await stream.close();
  });
});

describe('BinanceSpotUserStream on the fake clock', () => {
  const API_KEY = 'spot-api-key';
  const SECRET = 'spot-secret';

  function setup() {
    const clock = new FakeClock(T0);
    const net = fakeSockets(() => clock.now());
    const cu = scriptedCatchUp();
    const stream = new BinanceSpotUserStream({
      clock,
      signer: createSigner({ apiKey: API_KEY, secret: SECRET }),
      catchUp: cu.source,
      // Symbols the host trades: read by every catch-up even when the stream has not mentioned them.
      symbols: ['BTCUSDT'],
      socket: { socketFactory: net.factory, random: () => 0, backoff: { baseMs: 100, maxMs: 1_000, jitterMs: 0 }, clientPing: false },
    });
    const seen: string[] = [];
    const alerts: ConnectorAlert[] = [];
    stream.events.on('userStreamConnected', (c) => seen.push(`connected reconnect=${c.reconnect}`));
    stream.events.on('order', (o) => seen.push(`order ${o.clientOrderId} ${o.status}`));
    stream.events.on('fill', (f) => seen.push(`fill ${f.tradeId}`));
    stream.events.on('balance', (b) => seen.push(`balance ${b.asset} ${b.free}`));
    stream.events.on('catchUp', (c) => seen.push(`catchUp ${c.reason}`));
    stream.events.on('alert', (a) => alerts.push(a));
    return { clock, net, stream, seen, alerts, cu };
  }

  it('subscribes with userDataStream.subscribe.signature signed over the sorted parameters', async () => {
    const { net, stream, seen } = setup();
    await stream.start();
    expect(net.last().url).toBe('wss://ws-api.binance.com:443/ws-api/v3');
    net.last().accept();
    const signature = createHmac('sha256', SECRET).update(`apiKey=${API_KEY}&timestamp=${T0}`).digest('hex');
    expect(net.last().messages()).toEqual([
      { id: 'subscribe-1', method: 'userDataStream.subscribe.signature', params: { apiKey: API_KEY, timestamp: T0, signature } },
    ]);
    net.last().push({ id: 'subscribe-1', status: 200, result: { subscriptionId: 0 } });
    expect(stream.subscription).toBe(0);
    net.last().push({ subscriptionId: 0, event: { e: 'outboundAccountPosition', E: T0, u: T0, B: [{ a: 'USDT', f: '100.50000000', l: '0.00000000' }] } });
    expect(seen).toEqual(['connected reconnect=false', 'balance USDT 100.5']);
    await stream.close();
  });

  it('re-sends a refused subscription with back-off, re-subscribes on eventStreamTerminated, and catches up after it', async () => {
    const { clock, net, stream, seen, alerts, cu } = setup();
    await stream.start();
    const ws = net.last();
    ws.accept();
    ws.push({ id: 'subscribe-1', status: 400, error: { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' } });
    expect(alerts.map((a) => [a.level, a.code, a.details?.retryInMs])).toEqual([['WARN', 'USER_STREAM_SUBSCRIBE_FAILED', 1_000]]);
    await clock.tickAsync(999);
    expect(ws.sent).toHaveLength(1);
    await clock.tickAsync(1);
    expect(ws.messages()[1]).toMatchObject({ id: 'subscribe-2', params: { timestamp: T0 + 1_000 } });
    ws.push({ id: 'subscribe-2', status: 401, error: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' } });
    expect(alerts.at(-1)).toMatchObject({ level: 'ERROR', code: 'USER_STREAM_AUTH_FAILED', details: { retryInMs: 2_000 } });
    await clock.tickAsync(2_000);
    ws.push({ id: 'subscribe-3', status: 200, result: { subscriptionId: 4 } });
    expect(seen).toEqual(['connected reconnect=false']);

    ws.push({ subscriptionId: 4, event: { e: 'eventStreamTerminated', E: clock.now() } });
    expect(ws.messages()).toHaveLength(3);
    await clock.tickAsync(0);
    expect(ws.messages()).toHaveLength(4);
    cu.state.fills = [fill('9', T0 + 2_500, 'SPOT')];
    ws.push({ id: 'subscribe-4', status: 200, result: { subscriptionId: 5 } });
    await flush();
    expect(seen).toEqual(['connected reconnect=false', 'connected reconnect=true', 'fill 9', 'catchUp resubscribed']);
    expect(cu.asked).toEqual(['openOrders SPOT', `fills SPOT BTCUSDT from ${-60_000}`]);
    expect(JSON.stringify(alerts)).not.toContain(API_KEY);
    expect(JSON.stringify(alerts)).not.toContain(SECRET);
    await stream.close();
  });
});
