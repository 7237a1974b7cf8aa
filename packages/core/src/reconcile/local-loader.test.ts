import { describe, expect, it } from 'vitest';
import type { IntentState } from '../domain/execution.js';
import { MemoryStore } from '../sinks/memory-store.js';
import { loadLocal } from './local-loader.js';
import { fill, intentRecord, localOrder, snapshot, T } from './states.test-data.js';

const H = 3_600_000;

async function seeded(): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.upsertOrders([
    localOrder({ clientOrderId: 'old-open', createdAt: T - 200 * H, updatedAt: T - 200 * H }),
    localOrder({ clientOrderId: 'old-done', status: 'FILLED', filledQty: '0.01', createdAt: T - 200 * H, updatedAt: T - 100 * H }),
    localOrder({ clientOrderId: 'recent-done', status: 'CANCELED', createdAt: T - 2 * H, updatedAt: T - H }),
    localOrder({ clientOrderId: 'spot-open', market: 'SPOT', createdAt: T - H, updatedAt: T - H }),
    localOrder({ clientOrderId: 'eth-open', symbol: 'ETHUSDT', createdAt: T - H, updatedAt: T - H }),
  ]);
  await store.addPositionSnapshots([
    snapshot({ qty: '0.01', snapshot_ts: T - 300 * H }),
    snapshot({ qty: '0.02', snapshot_ts: T - 250 * H }),
    snapshot({ symbol: 'ETHUSDT', qty: '1', snapshot_ts: T - H }),
  ]);
  const intent = (id: string, state: IntentState, updated: number) => ({ ...intentRecord({ intent_id: id, state }), created_at: updated, updated_at: updated });
  await store.putIntent(intent('old-active', 'ACTIVE', T - 500 * H));
  await store.putIntent(intent('old-pending', 'PENDING_ENTRY', T - 500 * H));
  await store.putIntent(intent('old-closed', 'CLOSED', T - 500 * H));
  await store.putIntent(intent('recent-closed', 'CLOSED', T - H));
  await store.addFills([fill({ tradeId: 'f-old', ts: T - 100 * H }), fill({ tradeId: 'f-new', ts: T - H }), fill({ tradeId: 'f-during', ts: T + 10 })]);
  return store;
}

describe('loadLocal', () => {
  it('loads the window plus every open order, latest snapshot and unfinished intent whatever their age', async () => {
    const local = await loadLocal(await seeded(), { time_window_h: 72 }, T);
    expect(local.orders.map((o) => o.clientOrderId).sort()).toEqual(['eth-open', 'old-open', 'recent-done', 'spot-open']);
    expect(local.positions.map((p) => [p.symbol, p.qty]).sort()).toEqual([
      ['BTCUSDT', '0.02'],
      ['ETHUSDT', '1'],
    ]);
    expect(local.intents.map((i) => i.intent_id).sort()).toEqual(['old-active', 'old-pending', 'recent-closed']);
    // Fills of the window, including those stored after the collection start (diff defers on them).
    expect(local.fills.map((f) => f.tradeId)).toEqual(['f-new', 'f-during']);
    expect(local.expectedBalances).toBeUndefined();
  });

  it('narrows by symbols and markets; a SPOT-only request needs no position snapshots', async () => {
    const store = await seeded();
    const btc = await loadLocal(store, { time_window_h: 72, symbols: ['BTCUSDT'] }, T);
    expect(btc.orders.map((o) => o.clientOrderId).sort()).toEqual(['old-open', 'recent-done', 'spot-open']);
    expect(btc.positions.map((p) => p.symbol)).toEqual(['BTCUSDT']);
    const spot = await loadLocal(store, { time_window_h: 72, markets: ['SPOT'] }, T);
    expect(spot.orders.map((o) => o.clientOrderId)).toEqual(['spot-open']);
    expect(spot.positions).toEqual([]);
    expect(spot.fills).toEqual([]);
  });

  it('a wider window brings older history, never fewer open records', async () => {
    const local = await loadLocal(await seeded(), { time_window_h: 168 }, T);
    expect(local.orders.map((o) => o.clientOrderId).sort()).toEqual(['eth-open', 'old-done', 'old-open', 'recent-done', 'spot-open']);
    expect(local.fills.map((f) => f.tradeId)).toEqual(['f-old', 'f-new', 'f-during']);
  });

  it('passes the expected balances through and rejects a bad window', async () => {
    const store = new MemoryStore();
    const expected = [{ venue: 'test', market: 'SPOT' as const, asset: 'USDT', free: '10', locked: '0' }];
    expect((await loadLocal(store, { time_window_h: 1 }, T, { expectedBalances: async () => expected })).expectedBalances).toEqual(expected);
    await expect(loadLocal(store, { time_window_h: 0 }, T)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(loadLocal(store, { time_window_h: 1 }, Number.NaN)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
