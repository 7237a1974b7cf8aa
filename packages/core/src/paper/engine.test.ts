import Big from 'big.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { Fill, Position } from '../domain/account.js';
import { Order } from '../domain/order.js';
import { isChimeraError } from '../errors.js';
import { PaperEngine } from './engine.js';
import { engineWithBooks, ladder, REPLAY_START } from './paper-test-kit.test-data.js';

const S = { market: 'SPOT' as const, symbol: 'BTCUSDT' };
const F = { market: 'FUT' as const, symbol: 'BTCUSDT' };

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isChimeraError(err) ? err.code : 'NOT_CHIMERA';
  }
  return undefined;
}

function spotBal(engine: PaperEngine, asset: string): { free: string; locked: string } {
  const b = engine.balances('SPOT').find((x) => x.asset === asset);
  return { free: b?.free ?? '0', locked: b?.locked ?? '0' };
}

describe('PaperEngine: taker orders', () => {
  it('walks the book for a MARKET order, reporting each fill and the average price', () => {
    const { engine, log } = engineWithBooks();
    const o = engine.placeOrder({ ...S, side: 'BUY', type: 'MARKET', qty: '2.5', clientOrderId: 'm' });
    expect(Order.parse(o)).toMatchObject({ status: 'FILLED', filledQty: '2.5', avgPrice: '65001.8' });
    expect(log.fills.map((f) => [f.price, f.qty, f.isMaker])).toEqual([['65001', '1', false], ['65002', '1', false], ['65003', '0.5', false]]);
    expect(log.seq).toEqual(['order:m:NEW', 'fill:m', 'order:m:PARTIALLY_FILLED', 'fill:m', 'order:m:PARTIALLY_FILLED', 'fill:m', 'order:m:FILLED']);
    // What the order took is gone from the visible book until the feed overwrites it.
    expect(engine.depth('SPOT', 'BTCUSDT', 2).asks).toEqual([{ price: '65003', qty: '0.5' }, { price: '65004', qty: '1' }]);
    // Spot taker fee 0.1 %, charged in the asset received.
    expect(log.fills.map((f) => [f.fee, f.feeAsset])).toEqual([['0.001', 'BTC'], ['0.001', 'BTC'], ['0.0005', 'BTC']]);
    expect(spotBal(engine, 'BTC').free).toBe('12.4975');
    expect(new Big(spotBal(engine, 'USDT').free).eq(new Big(1000000).minus(new Big('65001').plus('65002').plus('32501.5')))).toBe(true);
  });

  it('expires what a MARKET order cannot find in the book', () => {
    const { engine } = engineWithBooks();
    const o = engine.placeOrder({ ...S, side: 'BUY', type: 'MARKET', qty: '12', clientOrderId: 'big' });
    expect(o).toMatchObject({ status: 'EXPIRED', filledQty: '10' });
  });

  it('takes what crosses for a LIMIT GTC and rests the remainder as maker', () => {
    const { engine, clock, log } = engineWithBooks();
    const o = engine.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', price: '65002', qty: '3', clientOrderId: 'g' });
    expect(o).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: '2', timeInForce: 'GTC' });
    expect(engine.openOrders('SPOT').map((x) => x.clientOrderId)).toEqual(['g']);
    // The remainder (1 BTC at 65 002) stays locked.
    expect(spotBal(engine, 'USDT').locked).toBe('65002');
    clock.advance(1000);
    // The market comes down through the order: it fills as maker at its own price.
    engine.applyTicker('SPOT', 'BTCUSDT', { bid: '64990', bidQty: '1', ask: '65000', askQty: '0.4' });
    const after = engine.getOrder({ ...S, clientOrderId: 'g' });
    expect(after).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: '2.4' });
    const last = log.fills[log.fills.length - 1]!;
    expect(last).toMatchObject({ price: '65002', qty: '0.4', isMaker: true, ts: REPLAY_START + 1000 });
  });

  it('expires the rest of an IOC and fills a FOK only when all of it can fill', () => {
    const { engine } = engineWithBooks();
    expect(engine.placeOrder({ ...S, side: 'SELL', type: 'LIMIT', timeInForce: 'IOC', price: '64998', qty: '5', clientOrderId: 'ioc' })).toMatchObject({
      status: 'EXPIRED',
      filledQty: '2',
    });
    const fok = engine.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', price: '65002', qty: '3', clientOrderId: 'fok' });
    expect(fok).toMatchObject({ status: 'EXPIRED', filledQty: '0' });
    expect(spotBal(engine, 'USDT').locked).toBe('0');
    expect(engine.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', price: '65003', qty: '3', clientOrderId: 'fok2' })).toMatchObject({
      status: 'FILLED',
      filledQty: '3',
    });
  });
});

describe('PaperEngine: post-only', () => {
  it('rejects a crossing post-only order with PostOnlyRejectedError and records nothing', () => {
    const { engine, log } = engineWithBooks();
    expect(code(() => engine.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', postOnly: true, price: '65001', qty: '1', clientOrderId: 'po' }))).toBe(
      'POST_ONLY_REJECTED',
    );
    expect(code(() => engine.placeOrder({ ...F, side: 'SELL', type: 'LIMIT', timeInForce: 'GTX', price: '64999', qty: '1', clientOrderId: 'gtx' }))).toBe(
      'POST_ONLY_REJECTED',
    );
    expect(log.seq).toEqual([]);
    expect(code(() => engine.getOrder({ ...S, clientOrderId: 'po' }))).toBe('ORDER_NOT_FOUND');
  });

  it('rests a passive post-only order and fills it as maker only', () => {
    const { engine, log } = engineWithBooks();
    const o = engine.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', postOnly: true, price: '65000', qty: '1', clientOrderId: 'po' });
    expect(o).toMatchObject({ status: 'NEW', postOnly: true, timeInForce: 'GTX' });
    engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(64990, -1, 5), asks: ladder(64995, 1, 5) });
    expect(log.fills).toHaveLength(1);
    expect(log.fills[0]).toMatchObject({ price: '65000', qty: '1', isMaker: true, fee: '0.001' });
  });
});

describe('PaperEngine: conditional orders', () => {
  it('triggers a futures STOP_MARKET on the mark price and executes it as a taker', () => {
    const { engine, log } = engineWithBooks();
    engine.applyMarkPrice('BTCUSDT', { markPrice: '65000', fundingRate: '0.0001', nextFundingTime: REPLAY_START + 3_600_000 });
    engine.placeOrder({ ...F, side: 'BUY', type: 'MARKET', qty: '1', clientOrderId: 'open' });
    const sl = engine.placeOrder({ ...F, side: 'SELL', type: 'STOP_MARKET', stopPrice: '64500', qty: '1', reduceOnly: true, clientOrderId: 'sl' });
    expect(sl).toMatchObject({ status: 'NEW', workingType: 'MARK_PRICE' });
    // The last price falls through the stop but the mark does not: nothing happens.
    engine.applyTrade('FUT', 'BTCUSDT', { price: '64400', qty: '1', takerSide: 'SELL' });
    expect(engine.getOrder({ ...F, clientOrderId: 'sl' }).status).toBe('NEW');
    engine.applyMarkPrice('BTCUSDT', { markPrice: '64499.9', fundingRate: '0.0001', nextFundingTime: REPLAY_START + 3_600_000 });
    expect(engine.getOrder({ ...F, clientOrderId: 'sl' })).toMatchObject({ status: 'FILLED', filledQty: '1', avgPrice: '64999' });
    expect(engine.positions('BTCUSDT')[0]!.qty).toBe('0');
    expect(log.fills.filter((f) => f.clientOrderId === 'sl').every((f) => !f.isMaker)).toBe(true);
  });

  it('triggers on the last price with CONTRACT_PRICE, and refuses a stop that would trigger at once', () => {
    const { engine } = engineWithBooks();
    engine.applyTrade('FUT', 'BTCUSDT', { price: '65000', qty: '0.1', takerSide: 'BUY' });
    expect(
      code(() => engine.placeOrder({ ...F, side: 'BUY', type: 'STOP_MARKET', stopPrice: '64900', qty: '0.1', workingType: 'CONTRACT_PRICE', clientOrderId: 'x' })),
    ).toBe('WOULD_IMMEDIATELY_TRIGGER');
    engine.placeOrder({ ...F, side: 'BUY', type: 'TAKE_PROFIT_MARKET', stopPrice: '64900', qty: '0.1', workingType: 'CONTRACT_PRICE', clientOrderId: 'tp' });
    engine.applyTrade('FUT', 'BTCUSDT', { price: '64900', qty: '0.1', takerSide: 'SELL' });
    expect(engine.getOrder({ ...F, clientOrderId: 'tp' })).toMatchObject({ status: 'FILLED', filledQty: '0.1' });
  });

  it('turns a triggered STOP_LIMIT into a resting limit', () => {
    const { engine } = engineWithBooks();
    engine.applyTrade('SPOT', 'BTCUSDT', { price: '65000', qty: '0.1', takerSide: 'BUY' });
    engine.placeOrder({ ...S, side: 'SELL', type: 'STOP_LIMIT', stopPrice: '64900', price: '64800', qty: '0.5', clientOrderId: 'sll' });
    expect(spotBal(engine, 'BTC').locked).toBe('0.5');
    engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(64700, -1, 3), asks: ladder(64850, 1, 3) });
    expect(engine.getOrder({ ...S, clientOrderId: 'sll' })).toMatchObject({ status: 'NEW', timeInForce: 'GTC' });
    expect(engine.openOrders('SPOT').map((o) => o.clientOrderId)).toEqual(['sll']);
  });
});

describe('PaperEngine: reduce-only', () => {
  it('refuses a reduce-only order that would open or grow a position', () => {
    const { engine } = engineWithBooks();
    expect(code(() => engine.placeOrder({ ...F, side: 'SELL', type: 'MARKET', qty: '1', reduceOnly: true, clientOrderId: 'r1' }))).toBe('REDUCE_ONLY_REJECTED');
    engine.placeOrder({ ...F, side: 'BUY', type: 'MARKET', qty: '1', clientOrderId: 'open' });
    expect(code(() => engine.placeOrder({ ...F, side: 'BUY', type: 'MARKET', qty: '1', reduceOnly: true, clientOrderId: 'r2' }))).toBe('REDUCE_ONLY_REJECTED');
    expect(code(() => engine.placeOrder({ ...S, side: 'SELL', type: 'MARKET', qty: '1', reduceOnly: true, clientOrderId: 'r3' }))).toBe('UNSUPPORTED');
  });

  it('caps a reduce-only fill at the position and expires the rest', () => {
    const { engine } = engineWithBooks();
    engine.placeOrder({ ...F, side: 'BUY', type: 'MARKET', qty: '0.5', clientOrderId: 'open' });
    const close = engine.placeOrder({ ...F, side: 'SELL', type: 'MARKET', qty: '2', reduceOnly: true, clientOrderId: 'close' });
    expect(close).toMatchObject({ status: 'EXPIRED', filledQty: '0.5' });
    expect(engine.positions('BTCUSDT')[0]!.qty).toBe('0');
  });

  it('expires a resting reduce-only order once the position is gone', () => {
    const { engine } = engineWithBooks();
    engine.placeOrder({ ...F, side: 'BUY', type: 'MARKET', qty: '1', clientOrderId: 'open' });
    engine.placeOrder({ ...F, side: 'SELL', type: 'LIMIT', price: '65100', qty: '1', reduceOnly: true, clientOrderId: 'tp' });
    engine.placeOrder({ ...F, side: 'SELL', type: 'MARKET', qty: '1', clientOrderId: 'flat' });
    engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: ladder(65200, -1, 3, '1', 1), asks: ladder(65201, 1, 3, '1', 1) });
    expect(engine.getOrder({ ...F, clientOrderId: 'tp' })).toMatchObject({ status: 'EXPIRED', filledQty: '0' });
    expect(engine.positions('BTCUSDT')[0]!.qty).toBe('0');
  });
});

describe('PaperEngine: OCO', () => {
  it('cancels the stop leg when the take-profit leg fills', () => {
    const { engine, log } = engineWithBooks();
    const list = engine.placeOco({ symbol: 'BTCUSDT', side: 'SELL', qty: '1', tpPrice: '65500', slStopPrice: '64500', clientListId: 'L1' });
    expect(list.status).toBe('EXECUTING');
    expect(spotBal(engine, 'BTC')).toEqual({ free: '9', locked: '1' });
    engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(65600, -1, 3, '0.4'), asks: ladder(65601, 1, 3) });
    const after = engine.getOco('BTCUSDT', 'L1');
    expect(after).toMatchObject({ status: 'ALL_DONE', tp: { status: 'FILLED', filledQty: '1' }, sl: { status: 'CANCELED', filledQty: '0' } });
    expect(log.seq.filter((s) => s.startsWith('order:L1-sl'))).toEqual(['order:L1-sl:NEW', 'order:L1-sl:CANCELED']);
  });

  it('cancels the take-profit leg when the stop triggers, and releases the lock when done', () => {
    const { engine } = engineWithBooks();
    engine.placeOco({ symbol: 'BTCUSDT', side: 'SELL', qty: '1', tpPrice: '65500', slStopPrice: '64500', clientListId: 'L2' });
    engine.applyTrade('SPOT', 'BTCUSDT', { price: '64400', qty: '0.01', takerSide: 'SELL' });
    const after = engine.getOco('BTCUSDT', 'L2');
    expect(after.status).toBe('ALL_DONE');
    expect(after.tp).toMatchObject({ status: 'CANCELED', filledQty: '0' });
    expect(after.sl).toMatchObject({ status: 'FILLED', filledQty: '1' });
    expect(spotBal(engine, 'BTC')).toEqual({ free: '9', locked: '0' });
  });

  it('refuses prices on the wrong side of the market and cancels a list as a whole', () => {
    const { engine } = engineWithBooks();
    expect(code(() => engine.placeOco({ symbol: 'BTCUSDT', side: 'SELL', qty: '1', tpPrice: '64000', slStopPrice: '63000', clientListId: 'bad' }))).toBe(
      'OCO_INVALID_PRICES',
    );
    engine.placeOco({ symbol: 'BTCUSDT', side: 'BUY', qty: '0.1', tpPrice: '64000', slStopPrice: '66000', clientListId: 'L3' });
    expect(spotBal(engine, 'USDT').locked).toBe('6600');
    expect(code(() => engine.placeOco({ symbol: 'BTCUSDT', side: 'BUY', qty: '0.1', tpPrice: '64000', slStopPrice: '66000', clientListId: 'L3' }))).toBe(
      'DUPLICATE_ORDER',
    );
    // Cancelling one leg cancels the list.
    engine.cancelOrder({ ...S, clientOrderId: 'L3-sl' });
    expect(engine.getOco('BTCUSDT', 'L3')).toMatchObject({ status: 'ALL_DONE', tp: { status: 'CANCELED' }, sl: { status: 'CANCELED' } });
    expect(spotBal(engine, 'USDT')).toEqual({ free: '1000000', locked: '0' });
    expect(code(() => engine.cancelOco('BTCUSDT', 'L3'))).toBe('ORDER_NOT_FOUND');
  });
});

describe('PaperEngine: ids, errors and capabilities', () => {
  it('keeps client order ids unique among open orders only', () => {
    const { engine } = engineWithBooks();
    const req = { ...S, side: 'BUY' as const, type: 'LIMIT' as const, price: '60000', qty: '0.01', clientOrderId: 'same' };
    const first = engine.placeOrder(req);
    expect(code(() => engine.placeOrder(req))).toBe('DUPLICATE_ORDER');
    engine.cancelOrder({ ...S, clientOrderId: 'same' });
    const second = engine.placeOrder(req);
    expect(second.venueOrderId).not.toBe(first.venueOrderId);
    expect(engine.getOrder({ ...S, clientOrderId: 'same' }).venueOrderId).toBe(second.venueOrderId);
    expect(engine.getOrder({ ...S, venueOrderId: first.venueOrderId }).status).toBe('CANCELED');
    // The same client id on the other market is another order.
    expect(engine.placeOrder({ ...req, market: 'FUT', price: '60000.0', qty: '0.002' }).status).toBe('NEW');
  });

  it('answers with the typed errors of the contract', () => {
    const { engine } = engineWithBooks({ balances: { SPOT: { USDT: '100' }, FUT: { USDT: '10' } } });
    expect(code(() => engine.placeOrder({ market: 'SPOT', symbol: 'NOPE', side: 'BUY', type: 'MARKET', qty: '1', clientOrderId: 'a' }))).toBe('UNKNOWN_SYMBOL');
    expect(code(() => engine.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', price: '65000.001', qty: '0.001', clientOrderId: 'b' }))).toBe('PRICE_OFF_TICK');
    expect(code(() => engine.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', price: '65000', qty: '0.00001', clientOrderId: 'c' }))).toBe('NOTIONAL_BELOW_MIN');
    expect(code(() => engine.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', price: '65000', qty: '0.01', clientOrderId: 'd' }))).toBe('INSUFFICIENT_FUNDS');
    expect(code(() => engine.placeOrder({ ...S, side: 'SELL', type: 'MARKET', qty: '0.01', clientOrderId: 'e' }))).toBe('INSUFFICIENT_FUNDS');
    expect(code(() => engine.placeOrder({ ...F, side: 'BUY', type: 'MARKET', qty: '0.01', clientOrderId: 'f' }))).toBe('INSUFFICIENT_FUNDS');
    expect(code(() => engine.cancelOrder({ ...S, clientOrderId: 'zzz' }))).toBe('ORDER_NOT_FOUND');
    expect(code(() => engine.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', qty: '0.001', clientOrderId: 'g' }))).toBe('PRICE_REQUIRED');
  });

  it('refuses what its capabilities deny with UNSUPPORTED', () => {
    const { engine } = engineWithBooks({
      capabilities: { markets: ['SPOT'], postOnly: false, oco: false, stopOrders: {}, ioc: false, fok: false, transfers: false, funding: false, leverage: false },
    });
    const base = { ...S, side: 'BUY' as const, qty: '0.01' };
    expect(code(() => engine.placeOrder({ ...base, type: 'LIMIT', price: '60000', postOnly: true, clientOrderId: 'a' }))).toBe('UNSUPPORTED');
    expect(code(() => engine.placeOrder({ ...base, type: 'LIMIT', price: '60000', timeInForce: 'IOC', clientOrderId: 'b' }))).toBe('UNSUPPORTED');
    expect(code(() => engine.placeOrder({ ...base, type: 'LIMIT', price: '60000', timeInForce: 'FOK', clientOrderId: 'c' }))).toBe('UNSUPPORTED');
    expect(code(() => engine.placeOrder({ ...base, type: 'STOP_MARKET', stopPrice: '70000', clientOrderId: 'd' }))).toBe('UNSUPPORTED');
    expect(code(() => engine.placeOrder({ ...F, side: 'BUY', type: 'MARKET', qty: '0.01', clientOrderId: 'e' }))).toBe('UNSUPPORTED');
    expect(code(() => engine.placeOco({ symbol: 'BTCUSDT', side: 'SELL', qty: '1', tpPrice: '66000', slStopPrice: '64000', clientListId: 'f' }))).toBe('UNSUPPORTED');
    expect(code(() => engine.transfer({ asset: 'USDT', amount: '1', from: 'SPOT', to: 'FUT', clientTransferId: 'g' }))).toBe('UNSUPPORTED');
    expect(code(() => engine.positions())).toBe('UNSUPPORTED');
    expect(code(() => engine.setLeverage('BTCUSDT', 3))).toBe('UNSUPPORTED');
    expect(code(() => engine.fundingRates('BTCUSDT'))).toBe('UNSUPPORTED');
  });

  it('gives the same ids for the same seed and different ones for another seed', () => {
    const ids = (seed: number): string[] => {
      const { engine, log } = engineWithBooks({ seed });
      engine.placeOrder({ ...S, side: 'BUY', type: 'MARKET', qty: '1.5', clientOrderId: 'm' });
      return [...log.orders.map((o) => o.venueOrderId), ...log.fills.map((f) => f.tradeId)];
    };
    expect(ids(7)).toEqual(ids(7));
    expect(ids(7)).not.toEqual(ids(8));
  });
});

describe('PaperEngine: futures accounts', () => {
  it('tracks entry price, unrealised PnL, margin and fees on the position and wallet', () => {
    const { engine } = engineWithBooks();
    engine.setLeverage('BTCUSDT', 10);
    engine.placeOrder({ ...F, side: 'BUY', type: 'MARKET', qty: '1.5', clientOrderId: 'a' });
    engine.applyMarkPrice('BTCUSDT', { markPrice: '65100', fundingRate: '0', nextFundingTime: REPLAY_START + 3_600_000 });
    const pos = Position.parse(engine.positions('BTCUSDT')[0]);
    // 1 @ 65 001 + 0.5 @ 65 002 → entry 65 001.33333333
    expect(pos).toMatchObject({ qty: '1.5', entryPrice: '65001.33333333', leverage: 10, marginType: 'CROSSED', markPrice: '65100' });
    expect(pos.unrealizedPnl).toBe('148');
    const fee = new Big('97502').times('0.0005');
    const usdt = engine.balances('FUT').find((b) => b.asset === 'USDT')!;
    expect(usdt.locked).toBe('9750.2');
    expect(new Big(usdt.free).plus(usdt.locked).eq(new Big(100000).minus(fee))).toBe(true);
  });

  it('refuses a margin-type change with a position, accepts the same type, and bounds leverage', () => {
    const { engine } = engineWithBooks();
    engine.setMarginType('BTCUSDT', 'ISOLATED');
    engine.placeOrder({ ...F, side: 'SELL', type: 'MARKET', qty: '0.1', clientOrderId: 'a' });
    expect(engine.positions('BTCUSDT')[0]).toMatchObject({ marginType: 'ISOLATED', isolatedMargin: '324.995' });
    expect(code(() => engine.setMarginType('BTCUSDT', 'CROSSED'))).toBe('MARGIN_TYPE_LOCKED');
    expect(code(() => engine.setMarginType('BTCUSDT', 'ISOLATED'))).toBeUndefined();
    expect(code(() => engine.setLeverage('BTCUSDT', 126))).toBe('INVALID_LEVERAGE');
    expect(code(() => engine.setLeverage('BTCUSDT', 0))).toBe('INVALID_LEVERAGE');
  });

  it('pays funding at the funding time from the clock, once', () => {
    const { engine, clock } = engineWithBooks();
    const funding: string[] = [];
    engine.events.on('funding', (f) => funding.push(f.amount));
    const t = REPLAY_START + 60_000;
    engine.applyMarkPrice('BTCUSDT', { markPrice: '65000', fundingRate: '0.0001', nextFundingTime: t });
    engine.placeOrder({ ...F, side: 'BUY', type: 'MARKET', qty: '2', clientOrderId: 'long' });
    const walletBefore = engine.balances('FUT').map((b) => new Big(b.free).plus(b.locked))[0]!;
    clock.advance(59_999);
    expect(funding).toEqual([]);
    engine.applyMarkPrice('BTCUSDT', { markPrice: '65010', fundingRate: '0.0002', nextFundingTime: t });
    clock.advance(1);
    // Longs pay: −2 × 65 010 × 0.0002.
    expect(funding).toEqual(['-26.004']);
    engine.applyMarkPrice('BTCUSDT', { markPrice: '65010', fundingRate: '0.0002', nextFundingTime: t });
    clock.advance(10_000);
    expect(funding).toHaveLength(1);
    const walletAfter = engine.balances('FUT').map((b) => new Big(b.free).plus(b.locked))[0]!;
    expect(walletAfter.minus(walletBefore).toFixed()).toBe('-26.004');
    expect(engine.fundingIncome()).toMatchObject([{ symbol: 'BTCUSDT', fundingTime: t, amount: '-26.004' }]);
    expect(engine.fundingRates('BTCUSDT')).toMatchObject([{ fundingTime: t, rate: '0.0002', markPrice: '65010' }]);
    engine.close();
  });

  it('moves funds between wallets, idempotently by client transfer id', () => {
    const { engine } = engineWithBooks();
    const t1 = engine.transfer({ asset: 'USDT', amount: '250.5', from: 'SPOT', to: 'FUT', clientTransferId: 'tr-1' });
    const again = engine.transfer({ asset: 'USDT', amount: '250.5', from: 'SPOT', to: 'FUT', clientTransferId: 'tr-1' });
    expect(again).toEqual(t1);
    expect(spotBal(engine, 'USDT').free).toBe('999749.5');
    expect(engine.balances('FUT').find((b) => b.asset === 'USDT')!.free).toBe('100250.5');
    expect(code(() => engine.transfer({ asset: 'USDT', amount: '1000000', from: 'FUT', to: 'SPOT', clientTransferId: 'tr-2' }))).toBe('INSUFFICIENT_FUNDS');
    expect(code(() => engine.transfer({ asset: 'USDT', amount: '1', from: 'FUT', to: 'FUT', clientTransferId: 'tr-3' }))).toBe('SAME_MARKET');
    expect(engine.transferHistory('SPOT', 'FUT').map((t) => t.tranId)).toEqual([t1.tranId]);
    expect(engine.transferHistory('FUT', 'SPOT')).toEqual([]);
  });
});

describe('PaperEngine: events and history', () => {
  it('emits after the operation completes, so a listener may call back in', () => {
    const { engine } = engineWithBooks();
    const seen: string[] = [];
    engine.events.on('fill', (f) => {
      seen.push(`fill ${f.clientOrderId} open=${engine.openOrders('SPOT').length}`);
      if (f.clientOrderId === 'a') engine.placeOrder({ ...S, side: 'SELL', type: 'LIMIT', price: '70000', qty: '0.1', clientOrderId: 'b' });
    });
    engine.events.on('order', (o) => seen.push(`order ${o.clientOrderId} ${o.status}`));
    engine.placeOrder({ ...S, side: 'BUY', type: 'MARKET', qty: '0.5', clientOrderId: 'a' });
    expect(seen).toEqual(['order a NEW', 'fill a open=0', 'order a FILLED', 'order b NEW']);
  });

  it('answers fills and order history by time window', () => {
    const { engine, clock } = engineWithBooks();
    engine.placeOrder({ ...S, side: 'BUY', type: 'MARKET', qty: '0.1', clientOrderId: 'a' });
    clock.advance(5000);
    engine.placeOrder({ ...S, side: 'BUY', type: 'MARKET', qty: '0.2', clientOrderId: 'b' });
    expect(engine.fills('SPOT', 'BTCUSDT').map((f) => Fill.parse(f).clientOrderId)).toEqual(['a', 'b']);
    expect(engine.fills('SPOT', 'BTCUSDT', { startTime: REPLAY_START + 1 }).map((f) => f.clientOrderId)).toEqual(['b']);
    expect(engine.orderHistory('SPOT', 'BTCUSDT', { endTime: REPLAY_START }).map((o) => o.clientOrderId)).toEqual(['a']);
    expect(engine.fills('FUT', 'BTCUSDT')).toEqual([]);
  });

  it('forgets the oldest terminal orders beyond maxHistory', () => {
    const engine = new PaperEngine({ clock: new FakeClock(REPLAY_START), maxHistory: 2, balances: { SPOT: { USDT: '1000000' } } });
    engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(64999, -1, 3), asks: ladder(65001, 1, 3) });
    for (const id of ['a', 'b', 'c']) {
      engine.placeOrder({ ...S, side: 'BUY', type: 'LIMIT', price: '60000', qty: '0.01', clientOrderId: id });
      engine.cancelOrder({ ...S, clientOrderId: id });
    }
    expect(code(() => engine.getOrder({ ...S, clientOrderId: 'a' }))).toBe('ORDER_NOT_FOUND');
    expect(engine.orderHistory('SPOT', 'BTCUSDT').map((o) => o.clientOrderId)).toEqual(['b', 'c']);
  });
});
