import { describe, expect, it } from 'vitest';
import { VenueError } from '../errors.js';
import { collectTruth } from './truth-loader.js';
import { intercept, orphanOrder, orphanPosition, reconcileKit } from './reconcile-test-kit.test-data.js';

describe('collectTruth', () => {
  it('captures collectedAt before the first request and fetches open orders (with conditional ones), positions and balances', async () => {
    const kit = await reconcileKit();
    await orphanOrder(kit.connector, 'spot-1', 'SPOT');
    await orphanOrder(kit.connector, 'fut-1', 'FUT');
    await orphanPosition(kit.connector, 'BUY', '0.004');
    await kit.connector.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '60000', qty: '0.004', reduceOnly: true, postOnly: false, clientOrderId: 'fut-sl' });
    const start = kit.clock.now();
    // Every venue read takes 1 s of clock time: the stamp must be the time before the first one.
    kit.connector.faults.setLatency(1000);
    const p = collectTruth(kit.connector, { mode: 'ALL' }, kit.clock);
    await kit.clock.tickAsync(1000);
    const { truth, failures } = await p;

    expect(truth.collectedAt).toBe(start);
    expect(failures).toEqual([]);
    expect([...truth.markets].sort()).toEqual(['FUT', 'SPOT']);
    expect(truth.venues).toEqual(['paper']);
    expect(truth.openOrders.map((o) => `${o.market}:${o.clientOrderId}:${o.type}`).sort()).toEqual(['FUT:fut-1:LIMIT', 'FUT:fut-sl:STOP_MARKET', 'SPOT:spot-1:LIMIT']);
    expect(truth.positions.map((x) => [x.symbol, x.qty])).toEqual([['BTCUSDT', '0.004']]);
    expect(truth.balances.map((b) => `${b.market}:${b.asset}`).sort()).toEqual(['FUT:USDT', 'SPOT:BTC', 'SPOT:USDT']);
  });

  it('fetches the markets in parallel', async () => {
    const kit = await reconcileKit();
    kit.connector.faults.setLatency(100);
    const p = collectTruth(kit.connector, { mode: 'ALL' }, kit.clock);
    let done = false;
    void p.then(() => (done = true));
    let waited = 0;
    while (!done && waited < 1000) {
      await kit.clock.tickAsync(10);
      waited += 10;
    }
    // Five reads of 100 ms each: sequential would take 500 ms.
    expect(done).toBe(true);
    expect(waited).toBeLessThanOrEqual(120);
  });

  it('fetches only what the mode needs', async () => {
    const kit = await reconcileKit();
    const reads = async (mode: 'ALL' | 'ORDERS' | 'POSITIONS' | 'HOLDINGS'): Promise<string[]> => {
      const venue = intercept(kit.connector);
      const { truth } = await collectTruth(venue, { mode }, kit.clock);
      expect([...truth.markets].sort()).toEqual(['FUT', 'SPOT']);
      return [...venue.calls.entries()].map(([k, v]) => `${k}×${v}`).sort();
    };
    expect(await reads('ORDERS')).toEqual(['openOrders×2']);
    expect(await reads('POSITIONS')).toEqual(['openOrders×1', 'positions×1']);
    expect(await reads('HOLDINGS')).toEqual(['balances×2']);
    expect(await reads('ALL')).toEqual(['balances×2', 'openOrders×2', 'positions×1']);
  });

  it('honours symbols (per-symbol reads, unknown symbols are empty, flat rows dropped) and markets', async () => {
    const kit = await reconcileKit();
    await orphanOrder(kit.connector, 'fut-1', 'FUT');
    const venue = intercept(kit.connector);
    const { truth, failures } = await collectTruth(venue, { mode: 'ALL', symbols: ['BTCUSDT', 'DOGEUSDT'], markets: ['FUT'] }, kit.clock);
    expect(failures).toEqual([]);
    expect(truth.markets).toEqual(['FUT']);
    expect(truth.openOrders.map((o) => o.clientOrderId)).toEqual(['fut-1']);
    // positions('BTCUSDT') returns the flat row: flat is not a position.
    expect(truth.positions).toEqual([]);
    expect(venue.calls.get('openOrders')).toBe(2);
    expect(venue.calls.get('positions')).toBe(2);
  });

  it('leaves a market whose read failed out of the truth and reports the failure', async () => {
    const kit = await reconcileKit();
    await orphanOrder(kit.connector, 'spot-1', 'SPOT');
    kit.connector.faults.rejectNext(1, new VenueError('positions down', { code: 'VENUE_DOWN' }), ['positions']);
    const { truth, failures } = await collectTruth(kit.connector, { mode: 'ALL' }, kit.clock);
    expect(truth.markets).toEqual(['SPOT']);
    // Nothing of the failed market leaks in, not even its successful reads.
    expect(truth.openOrders.every((o) => o.market === 'SPOT')).toBe(true);
    expect(truth.balances.every((b) => b.market === 'SPOT')).toBe(true);
    expect(failures).toEqual([{ venue: 'paper', market: 'FUT', what: 'positions', code: 'VENUE_DOWN', message: 'positions down' }]);
  });

  it('skips markets the connector does not offer', async () => {
    const kit = await reconcileKit();
    const futOnly = intercept(kit.connector, { capabilities: { ...kit.connector.capabilities, markets: ['FUT'] } });
    const { truth } = await collectTruth(futOnly, { mode: 'ORDERS', markets: ['SPOT', 'FUT'] }, kit.clock);
    expect(truth.markets).toEqual(['FUT']);
  });
});
