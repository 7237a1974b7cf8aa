import Big from 'big.js';
import { describe, expect, it } from 'vitest';
import { PostOnlyRejectedError } from '../errors.js';
import { drive, kit, ladder } from './execution-test-kit.test-data.js';

const entry = (over: Record<string, unknown> = {}) => ({
  intent: { intent_id: 'uuid-123', market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.002, exec_policy: 'MakerThenTaker', post_only_wait_ms: 3000, leverage: 20, isolated: true, ...over },
});

describe('MakerThenTaker on the paper venue', () => {
  it('rests post-only at the touch, then takes the exact remainder at market after the wait', async () => {
    const { clock, connector, executor, store, sink } = await kit();
    const result = await drive(clock, executor.execute(entry()));
    expect(result).toMatchObject({ status: 'FILLED', filled_qty: '0.002', avg_price: '65001' });
    const orders = await store.listOrders({ intentId: 'uuid-123' });
    expect(orders.map((o) => [o.leg, o.type, o.status, o.postOnly])).toEqual([
      ['maker', 'LIMIT', 'CANCELED', true],
      ['taker', 'MARKET', 'FILLED', false],
    ]);
    expect(orders[0]!.price).toBe('64999');
    // Leverage and isolated margin were set before the entry.
    expect((await connector.positions('BTCUSDT'))[0]).toMatchObject({ qty: '0.002', leverage: 20, marginType: 'ISOLATED' });
    expect(sink.payloads('orders:executed')).toEqual([
      { order_id: orders[1]!.venueOrderId, intent_id: 'uuid-123', symbol: 'BTCUSDT', side: 'BUY', avg_px: '65001', filled_qty: '0.002', market: 'FUT', ts: expect.any(Number) },
    ]);
    expect(result.slippage_bps).toBeCloseTo(((65001 - 65000) / 65000) * 1e4, 2);
    expect((await store.getIntent('uuid-123'))?.state).toBe('ACTIVE');
  });

  it('a maker fill during the wait finishes early with no taker order', async () => {
    const { clock, connector, executor, store } = await kit();
    const p = executor.execute(entry());
    await clock.tickAsync(500);
    // The market comes down to our bid: asks at 64999 fill the resting post-only order.
    connector.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: ladder(64998, -1, 10, '1', 1), asks: ladder(64999, 1, 10, '1', 1) });
    const result = await drive(clock, p);
    expect(result).toMatchObject({ status: 'FILLED', filled_qty: '0.002', avg_price: '64999' });
    expect((await store.listOrders({ intentId: 'uuid-123' })).map((o) => o.leg)).toEqual(['maker']);
    expect(clock.now()).toBeLessThan(1_758_355_080_000 + 3000);
  });

  it('a partial maker fill is followed by a market order for exactly the rest', async () => {
    const { clock, connector, executor } = await kit();
    const p = executor.execute(entry({ qty: 0.005 }));
    await clock.tickAsync(500);
    connector.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: ladder(64998, -1, 10, '1', 1), asks: [['64999.0', '0.002'], ...ladder(65001, 1, 9, '1', 1)] });
    const result = await drive(clock, p);
    expect(result.filled_qty).toBe('0.005');
    expect(result.fills.map((f) => [f.price, f.qty])).toEqual([
      ['64999', '0.002'],
      ['65001', '0.003'],
    ]);
    expect((await connector.positions('BTCUSDT'))[0]?.qty).toBe('0.005');
  });

  it('a fill racing the cancel never causes an over-fill', async () => {
    const { clock, connector, executor } = await kit();
    connector.faults.fillRacesCancel(1, '0.5');
    const result = await drive(clock, executor.execute(entry({ qty: 0.004 })));
    expect(result.filled_qty).toBe('0.004');
    expect((await connector.positions('BTCUSDT'))[0]?.qty).toBe('0.004');
    const byPrice = Object.fromEntries(result.fills.map((f) => [f.price, f.qty]));
    expect(byPrice).toEqual({ '64999': '0.002', '65001': '0.002' });
  });

  it('a post-only reject re-prices with a new client order id', async () => {
    const { clock, connector, executor, store } = await kit();
    connector.faults.rejectNext(1, () => new PostOnlyRejectedError(), ['placeOrder']);
    const result = await drive(clock, executor.execute(entry()));
    expect(result.status).toBe('FILLED');
    const rec = await store.getIntent('uuid-123');
    expect(rec?.client_order_ids).toHaveLength(3); // rejected maker, re-priced maker, taker
    expect(new Set(rec?.client_order_ids).size).toBe(3);
  });

  it('an order that landed but whose response timed out is found by query, not sent twice', async () => {
    const { clock, connector, executor } = await kit();
    connector.faults.acceptThenTimeout(1, ['placeOrder']);
    const result = await drive(clock, executor.execute(entry()));
    expect(result).toMatchObject({ status: 'FILLED', filled_qty: '0.002' });
    const history = await connector.orderHistory('FUT', 'BTCUSDT');
    expect(history.filter((o) => o.type === 'LIMIT')).toHaveLength(1);
    expect((await connector.positions('BTCUSDT'))[0]?.qty).toBe('0.002');
  });

  it('the same intent_id never creates a second order, sequentially or concurrently', async () => {
    const { clock, connector, executor } = await kit();
    const [a, b] = await drive(clock, Promise.all([executor.execute(entry()), executor.execute(entry())]));
    expect(b).toEqual(a);
    const again = await drive(clock, executor.execute(entry()));
    expect(again).toEqual(a);
    expect(await connector.orderHistory('FUT', 'BTCUSDT')).toHaveLength(2);
    expect((await connector.positions('BTCUSDT'))[0]?.qty).toBe('0.002');
  });

  it('never sends more than the intent quantity across random maker fills (property)', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const { clock, connector, executor } = await kit();
      const qty = new Big(seed).times('0.001').plus('0.002').toFixed();
      const p = executor.execute(entry({ intent_id: `p-${seed}`, qty }));
      await clock.tickAsync(100 * seed);
      const partial = new Big(qty).times((seed % 4) / 4).round(3, Big.roundDown).toFixed(3);
      if (new Big(partial).gt(0)) {
        connector.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: ladder(64998, -1, 10, '1', 1), asks: [['64999.0', partial], ...ladder(65001, 1, 9, '1', 1)] });
      }
      if (seed % 3 === 0) connector.faults.fillRacesCancel(1, '0.3');
      const result = await drive(clock, p);
      expect(result.filled_qty).toBe(new Big(qty).toFixed());
      expect((await connector.positions('BTCUSDT'))[0]?.qty).toBe(new Big(qty).toFixed());
    }
  });
});
