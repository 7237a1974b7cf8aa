import { describe, expect, it } from 'vitest';
import { mapUserEvent } from './user-events.js';

// Payload shapes as the Binance user-data docs show them (values adapted).
const SPOT_TRADE = {
  e: 'executionReport',
  E: 1758355081000,
  s: 'BTCUSDT',
  c: 'intent-42-0',
  S: 'BUY',
  o: 'LIMIT',
  f: 'GTC',
  q: '0.02000000',
  p: '65000.00000000',
  P: '0.00000000',
  F: '0.00000000',
  g: -1,
  C: '',
  x: 'TRADE',
  X: 'PARTIALLY_FILLED',
  r: 'NONE',
  i: 4293153,
  l: '0.01000000',
  z: '0.01000000',
  L: '65000.00000000',
  n: '0.00001000',
  N: 'BTC',
  T: 1758355080999,
  t: 110,
  I: 8641984,
  w: false,
  m: true,
  M: true,
  O: 1758355070000,
  Z: '650.00000000',
  Y: '650.00000000',
  Q: '0.00000000',
  W: 1758355070000,
  V: 'EXPIRE_MAKER',
};

describe('mapUserEvent: Spot', () => {
  it('maps a trade executionReport to the order state and its fill', () => {
    const m = mapUserEvent(SPOT_TRADE)!;
    expect(m.type).toBe('executionReport');
    expect(m.order).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'BTCUSDT',
      clientOrderId: 'intent-42-0',
      venueOrderId: '4293153',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
      price: '65000',
      qty: '0.02',
      filledQty: '0.01',
      avgPrice: '65000',
      status: 'PARTIALLY_FILLED',
      createdAt: 1758355070000,
      updatedAt: 1758355080999,
    });
    expect(m.fill).toEqual({
      venue: 'binance',
      market: 'SPOT',
      symbol: 'BTCUSDT',
      tradeId: '110',
      venueOrderId: '4293153',
      clientOrderId: 'intent-42-0',
      side: 'BUY',
      price: '65000',
      qty: '0.01',
      fee: '0.00001',
      feeAsset: 'BTC',
      isMaker: true,
      ts: 1758355080999,
    });
  });

  it('reads a cancel under the order’s own client id (C), and LIMIT_MAKER as post-only GTX', () => {
    const m = mapUserEvent({ ...SPOT_TRADE, o: 'LIMIT_MAKER', x: 'CANCELED', X: 'CANCELED', c: 'cancelReq1', C: 'intent-42-0', l: '0', L: '0', n: '0', N: null, t: -1 })!;
    expect(m.fill).toBeUndefined();
    expect([m.order?.clientOrderId, m.order?.status, m.order?.postOnly, m.order?.timeInForce, m.order?.filledQty]).toEqual(['intent-42-0', 'CANCELED', true, 'GTX', '0.01']);
  });

  it('maps outboundAccountPosition, balanceUpdate and listStatus', () => {
    expect(mapUserEvent({ e: 'outboundAccountPosition', E: 1, u: 1, B: [{ a: 'BTC', f: '1.50000000', l: '0.01000000' }] })?.balances).toEqual([
      { venue: 'binance', market: 'SPOT', asset: 'BTC', free: '1.5', locked: '0.01' },
    ]);
    expect(mapUserEvent({ e: 'balanceUpdate', E: 5, a: 'USDT', d: '-100.00000000', T: 4 })?.balanceDelta).toEqual({
      venue: 'binance',
      market: 'SPOT',
      asset: 'USDT',
      delta: '-100',
      ts: 4,
    });
    expect(
      mapUserEvent({
        e: 'listStatus',
        E: 7,
        s: 'BTCUSDT',
        g: 2,
        c: 'OCO',
        l: 'EXEC_STARTED',
        L: 'EXECUTING',
        r: 'NONE',
        C: 'oco-1',
        T: 6,
        O: [
          { s: 'BTCUSDT', i: 17, c: 'oco-1-tp' },
          { s: 'BTCUSDT', i: 18, c: 'oco-1-sl' },
        ],
      })?.listStatus,
    ).toEqual({
      venue: 'binance',
      symbol: 'BTCUSDT',
      listId: '2',
      clientListId: 'oco-1',
      status: 'EXECUTING',
      listStatusType: 'EXEC_STARTED',
      orders: [
        { venueOrderId: '17', clientOrderId: 'oco-1-tp' },
        { venueOrderId: '18', clientOrderId: 'oco-1-sl' },
      ],
      rejectReason: 'NONE',
      ts: 6,
    });
  });
});

describe('mapUserEvent: USDⓈ-M', () => {
  const OTU = {
    e: 'ORDER_TRADE_UPDATE',
    E: 1758355090000,
    T: 1758355089999,
    o: {
      s: 'BTCUSDT',
      c: 'intent-7-0',
      S: 'SELL',
      o: 'LIMIT',
      f: 'GTX',
      q: '0.010',
      p: '65020.0',
      ap: '65020.00000',
      sp: '0',
      x: 'TRADE',
      X: 'FILLED',
      i: 8886774,
      l: '0.010',
      z: '0.010',
      L: '65020.0',
      N: 'USDT',
      n: '0.13004000',
      T: 1758355089998,
      t: 9001,
      b: '0',
      a: '0',
      m: true,
      R: false,
      wt: 'CONTRACT_PRICE',
      ot: 'LIMIT',
      ps: 'BOTH',
      cp: false,
      rp: '0',
      pP: false,
      si: 0,
      ss: 0,
      V: 'EXPIRE_MAKER',
      pm: 'NONE',
      gtd: 0,
      er: '0',
    },
  };

  it('maps ORDER_TRADE_UPDATE to the order and its fill', () => {
    const m = mapUserEvent(OTU)!;
    expect(m.order).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      clientOrderId: 'intent-7-0',
      venueOrderId: '8886774',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTX',
      postOnly: true,
      reduceOnly: false,
      price: '65020',
      qty: '0.01',
      filledQty: '0.01',
      avgPrice: '65020',
      status: 'FILLED',
      createdAt: 1758355089998,
      updatedAt: 1758355089998,
    });
    expect(m.fill).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      tradeId: '9001',
      venueOrderId: '8886774',
      clientOrderId: 'intent-7-0',
      side: 'SELL',
      price: '65020',
      qty: '0.01',
      fee: '0.13004',
      feeAsset: 'USDT',
      isMaker: true,
      ts: 1758355089998,
    });
  });

  it('maps ALGO_UPDATE to the conditional order under its algo ids', () => {
    const m = mapUserEvent({
      e: 'ALGO_UPDATE',
      T: 1758355100000,
      E: 1758355100001,
      o: { caid: 'sl-7', aid: 2148719, at: 'CONDITIONAL', o: 'STOP_MARKET', s: 'BTCUSDT', S: 'BUY', ps: 'BOTH', f: 'GTC', q: '0.010', X: 'NEW', ai: '', tp: '66000.0', p: '0', wt: 'MARK_PRICE', R: true, cp: false },
    })!;
    expect(m.algo?.algoStatus).toBe('NEW');
    expect(m.order).toEqual({
      venue: 'binance',
      market: 'FUT',
      symbol: 'BTCUSDT',
      clientOrderId: 'sl-7',
      venueOrderId: '2148719',
      side: 'BUY',
      type: 'STOP_MARKET',
      postOnly: false,
      reduceOnly: true,
      stopPrice: '66000',
      workingType: 'MARK_PRICE',
      qty: '0.01',
      filledQty: '0',
      status: 'NEW',
      createdAt: 1758355100000,
      updatedAt: 1758355100000,
    });
  });

  it('maps ACCOUNT_UPDATE balances (free = cross wallet) and one-way positions with the known leverage', () => {
    const m = mapUserEvent(
      {
        e: 'ACCOUNT_UPDATE',
        E: 1758355110000,
        T: 1758355109999,
        a: {
          m: 'ORDER',
          B: [{ a: 'USDT', wb: '1000.50000000', cw: '900.25000000', bc: '0' }],
          P: [
            { s: 'BTCUSDT', pa: '-0.010', ep: '65020.0', bep: '65020', cr: '0', up: '-0.5', mt: 'isolated', iw: '32.51', ps: 'BOTH' },
            { s: 'ETHUSDT', pa: '1', ep: '3000', cr: '0', up: '0', mt: 'cross', iw: '0', ps: 'LONG' },
          ],
        },
      },
      { settings: { leverageOf: (s) => (s === 'BTCUSDT' ? 20 : undefined) } },
    )!;
    expect(m.balances).toEqual([{ venue: 'binance', market: 'FUT', asset: 'USDT', free: '900.25', locked: '100.25' }]);
    expect(m.positions).toEqual([
      {
        venue: 'binance',
        market: 'FUT',
        symbol: 'BTCUSDT',
        qty: '-0.01',
        entryPrice: '65020',
        unrealizedPnl: '-0.5',
        leverage: 20,
        marginType: 'ISOLATED',
        isolatedMargin: '32.51',
        updatedAt: 1758355109999,
      },
    ]);
    expect(mapUserEvent({ e: 'ACCOUNT_CONFIG_UPDATE', E: 1, T: 1, ac: { s: 'BTCUSDT', l: 25 } })?.leverage).toEqual({ symbol: 'BTCUSDT', leverage: 25 });
  });

  it('leaves control and unmapped events to the streams, and throws a typed error on a broken payload', () => {
    expect(mapUserEvent({ e: 'listenKeyExpired', E: 1, listenKey: 'k' })).toBeUndefined();
    expect(mapUserEvent({ e: 'TRADE_LITE', E: 1 })).toBeUndefined();
    expect(mapUserEvent('nope')).toBeUndefined();
    expect(() => mapUserEvent({ ...OTU, o: { ...OTU.o, X: 'WEIRD' } })).toThrow(expect.objectContaining({ code: 'UNEXPECTED_RESPONSE' }));
  });
});
