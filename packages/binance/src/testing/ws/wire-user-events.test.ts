import { FakeClock, PaperEngine, type Balance, type Fill, type Order, type Position } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { mapUserEvent } from '../../ws/user-events.js';
import { spotAccountPosition, spotExecutionReport, umAccountConfigUpdate, umAccountUpdate, umAlgoUpdate, umOrderTradeUpdate } from './wire-user-events.js';

/** An engine named `binance`, with books, recording its account events. */
function engine() {
  const clock = new FakeClock();
  const e = new PaperEngine({ clock, venue: 'binance', balances: { SPOT: { USDT: '100000', BTC: '1' }, FUT: { USDT: '100000' } } });
  e.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: [['64999.99', '1']], asks: [['65000.01', '1']] });
  e.applyBookSnapshot('FUT', 'BTCUSDT', { bids: [['65009.9', '1']], asks: [['65010.1', '1']] });
  const log: (['order', Order] | ['fill', Fill] | ['balance', Balance] | ['position', Position])[] = [];
  e.events.on('order', (o) => log.push(['order', o]));
  e.events.on('fill', (f) => log.push(['fill', f]));
  e.events.on('balance', (b) => log.push(['balance', b]));
  e.events.on('position', (p) => log.push(['position', p]));
  return { e, log, clock };
}

describe('wire user events round-trip through the SDK mappers', () => {
  it('Spot executionReport: every engine order state and fill reads back as it was', () => {
    const { e, log } = engine();
    e.placeOrder({ market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '65000', qty: '0.02', timeInForce: 'GTC', clientOrderId: 'rt-1' });
    e.applyTrade('SPOT', 'BTCUSDT', { price: '64999.99', qty: '0.01', takerSide: 'SELL' });
    e.cancelOrder({ market: 'SPOT', symbol: 'BTCUSDT', clientOrderId: 'rt-1' });
    let pending: Fill | undefined;
    let checked = 0;
    for (const [kind, value] of log) {
      if (kind === 'fill') pending = value;
      if (kind !== 'order') continue;
      const mapped = mapUserEvent(spotExecutionReport(value, pending, 0))!;
      expect(mapped.order).toEqual(value);
      expect(mapped.fill).toEqual(pending);
      pending = undefined;
      checked++;
    }
    expect(checked).toBe(3);
    const balances = log.filter((l): l is ['balance', Balance] => l[0] === 'balance').map((l) => l[1]);
    expect(mapUserEvent(spotAccountPosition(balances, 0))?.balances).toEqual(balances);
  });

  it('UM ORDER_TRADE_UPDATE, ALGO_UPDATE and ACCOUNT_UPDATE read back as the engine reported them', () => {
    const { e, log } = engine();
    e.setLeverage('BTCUSDT', 10);
    e.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: '0.01', clientOrderId: 'rt-2' });
    e.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', qty: '0.01', stopPrice: '60000', reduceOnly: true, workingType: 'MARK_PRICE', clientOrderId: 'rt-3' });
    let pending: Fill | undefined;
    const mappedOrders: Order[] = [];
    for (const [kind, value] of log) {
      if (kind === 'fill') pending = value;
      if (kind !== 'order') continue;
      const wire = value.type === 'STOP_MARKET' ? umAlgoUpdate(value, 0) : umOrderTradeUpdate(value, pending, 0);
      const mapped = mapUserEvent(wire)!;
      expect(mapped.fill).toEqual(value.type === 'STOP_MARKET' ? undefined : pending);
      mappedOrders.push(mapped.order!);
      pending = undefined;
    }
    const engineOrders = log.filter((l): l is ['order', Order] => l[0] === 'order').map((l) => l[1]);
    // UM order events carry no creation time; the rest reads back exactly.
    expect(mappedOrders.map((o) => ({ ...o, createdAt: 0 }))).toEqual(engineOrders.map((o) => ({ ...o, createdAt: 0 })));
    const positions = log.filter((l): l is ['position', Position] => l[0] === 'position').map((l) => l[1]);
    const balances = log.filter((l): l is ['balance', Balance] => l[0] === 'balance').map((l) => l[1]);
    const last = positions.at(-1)!;
    const leverage = mapUserEvent(umAccountConfigUpdate('BTCUSDT', last.leverage, 0))!.leverage!;
    const account = mapUserEvent(umAccountUpdate(balances.slice(-1), [last], last.updatedAt), { settings: { leverageOf: () => leverage.leverage } })!;
    expect(account.positions).toEqual([{ ...last, markPrice: undefined, liquidationPrice: undefined }].map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined))));
    expect(account.balances).toEqual(balances.slice(-1));
  });
});
