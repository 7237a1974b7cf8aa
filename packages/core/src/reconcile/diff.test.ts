import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { diff } from './diff.js';
import {
  fill,
  intentRecord,
  localOf,
  localOrder,
  OLD,
  snapshot,
  T,
  truthOf,
  venueOrder,
  venuePosition,
} from './states.test-data.js';

const ALL = { mode: 'ALL' } as const;

describe('diff: orders', () => {
  it('finds nothing when venue and store agree, and scores full agreement', () => {
    const d = diff(
      truthOf({ openOrders: [venueOrder(), venueOrder({ clientOrderId: 'c-2', qty: '1.50' })], positions: [venuePosition()] }),
      localOf({ orders: [localOrder(), localOrder({ clientOrderId: 'c-2', qty: '1.5' })], positions: [snapshot({ qty: '0.010' })] }),
      ALL,
    );
    expect(d.orders).toEqual([]);
    expect(d.positions).toEqual([]);
    expect(d.metrics.orders).toMatchObject({ venue: 2, local: 2, intersection: 2, union: 2, jaccard: 1, symmetricDifference: 0, checked: 2, agreeing: 2 });
    expect(d.metrics.positions).toMatchObject({ jaccard: 1, checked: 1, agreeing: 1 });
    expect(d.metrics.consistencyRate).toBe(1);
    expect(d.metrics.symmetricDifference).toBe(0);
  });

  it('scores two empty sides as full agreement', () => {
    const d = diff(truthOf(), localOf(), ALL);
    expect(d.metrics.orders?.jaccard).toBe(1);
    expect(d.metrics.positions?.jaccard).toBe(1);
    expect(d.metrics.consistencyRate).toBe(1);
  });

  it('classifies a venue order the store lacks as ORPHAN_ORDER, noting an unfinished intent that claims it', () => {
    const d = diff(
      truthOf({ openOrders: [venueOrder({ clientOrderId: 'x' }), venueOrder({ clientOrderId: 'mine' }), venueOrder({ clientOrderId: 'old' })] }),
      localOf({
        intents: [
          intentRecord({ intent_id: 'i-live', state: 'ACTIVE', client_order_ids: ['mine'] }),
          intentRecord({ intent_id: 'i-done', state: 'CLOSED', client_order_ids: ['old'] }),
        ],
      }),
      { mode: 'ORDERS' },
    );
    expect(d.orders.map((o) => [o.type, o.clientOrderId, o.claimedBy])).toEqual([
      ['ORPHAN_ORDER', 'x', undefined],
      ['ORPHAN_ORDER', 'mine', 'i-live'],
      ['ORPHAN_ORDER', 'old', undefined],
    ]);
    expect(d.metrics.orders).toMatchObject({ venue: 3, local: 0, jaccard: 0, symmetricDifference: 3 });
    expect(d.metrics.consistencyRate).toBe(0);
  });

  it('marks a store-open order the venue does not list as STALE_ORDER needing confirmation', () => {
    const d = diff(truthOf(), localOf({ orders: [localOrder({ clientOrderId: 'gone' }), localOrder({ clientOrderId: 'done', status: 'FILLED' })] }), ALL);
    expect(d.orders).toHaveLength(1);
    expect(d.orders[0]).toMatchObject({ type: 'STALE_ORDER', clientOrderId: 'gone', needsConfirmation: true, claimedBy: 'i-1' });
    expect(d.orders[0]?.deferReason).toBeUndefined();
    expect(d.metrics.orders).toMatchObject({ venue: 0, local: 1, checked: 1 });
  });

  it('reports an order final in the store but working at the venue as STATUS_MISMATCH', () => {
    const d = diff(truthOf({ openOrders: [venueOrder()] }), localOf({ orders: [localOrder({ status: 'CANCELED' })] }), ALL);
    expect(d.orders[0]).toMatchObject({ type: 'STATUS_MISMATCH', detail: 'store has it CANCELED, venue still works it (NEW)' });
    // The store does not count it open, so it is in A only.
    expect(d.metrics.orders).toMatchObject({ venue: 1, local: 0, intersection: 0 });
  });

  it('ranks side over quantity over status, and lists every difference', () => {
    const venue = venueOrder({ side: 'SELL', filledQty: '0.004', status: 'PARTIALLY_FILLED', updatedAt: OLD + 10 });
    const d = diff(truthOf({ openOrders: [venue] }), localOf({ orders: [localOrder()] }), ALL);
    expect(d.orders[0]).toMatchObject({
      type: 'SIDE_MISMATCH',
      detail: 'side store BUY venue SELL; filled store 0 venue 0.004; status store NEW venue PARTIALLY_FILLED',
    });
    const q = diff(truthOf({ openOrders: [venueOrder({ filledQty: '0.004', status: 'PARTIALLY_FILLED', updatedAt: OLD + 10 })] }), localOf({ orders: [localOrder()] }), ALL);
    expect(q.orders[0]?.type).toBe('QTY_MISMATCH');
    const st = diff(truthOf({ openOrders: [venueOrder({ status: 'PARTIALLY_FILLED', updatedAt: OLD + 10 })] }), localOf({ orders: [localOrder()] }), ALL);
    expect(st.orders[0]?.type).toBe('STATUS_MISMATCH');
    expect(st.metrics.orders).toMatchObject({ intersection: 1, agreeing: 0, jaccard: 1 });
  });

  it('compares decimals by value, not by spelling', () => {
    const d = diff(truthOf({ openOrders: [venueOrder({ qty: '0.0100', filledQty: '0.000' })] }), localOf({ orders: [localOrder()] }), ALL);
    expect(d.orders).toEqual([]);
  });

  describe('the collectedAt rule', () => {
    it('defers an order the store changed at or after collection start ("changed during run")', () => {
      const d = diff(truthOf(), localOf({ orders: [localOrder({ updatedAt: T })] }), ALL);
      expect(d.orders[0]?.deferReason).toMatch(/^changed during run/);
      expect(d.metrics.orders).toMatchObject({ checked: 1, deferred: 1 });
      expect(d.metrics.consistencyRate).toBe(1); // nothing could be judged
    });

    it('defers an order a fill touched at or after collection start, even if the store row is older', () => {
      const d = diff(
        truthOf({ openOrders: [venueOrder({ filledQty: '0' })] }),
        localOf({ orders: [localOrder({ filledQty: '0.004', status: 'PARTIALLY_FILLED' })], fills: [fill({ ts: T + 5 })] }),
        ALL,
      );
      expect(d.orders[0]).toMatchObject({ type: 'QTY_MISMATCH', deferReason: 'changed during run: a fill arrived at or after collection start' });
    });

    it('defers a field fix when the store is ahead of the venue snapshot (never written backwards)', () => {
      const d = diff(
        truthOf({ openOrders: [venueOrder({ updatedAt: OLD })] }),
        localOf({ orders: [localOrder({ filledQty: '0.004', status: 'PARTIALLY_FILLED', updatedAt: OLD + 1000 })] }),
        ALL,
      );
      expect(d.orders[0]?.deferReason).toBe('changed during run: store is ahead of the venue snapshot');
    });

    it('defers stale and orphan orders younger than the settle window; settleMs 0 disables it', () => {
      const young = T - 1000;
      const t = truthOf({ openOrders: [venueOrder({ clientOrderId: 'v', createdAt: young, updatedAt: young })] });
      const l = localOf({ orders: [localOrder({ clientOrderId: 'l', createdAt: young, updatedAt: young })] });
      expect(diff(t, l, ALL).orders.map((o) => o.deferReason?.split(':')[0])).toEqual(['in flight', 'in flight']);
      expect(diff(t, l, ALL, { settleMs: 0 }).orders.map((o) => o.deferReason)).toEqual([undefined, undefined]);
    });
  });

  it('keeps the most advanced of duplicate store rows and the latest of duplicate venue rows', () => {
    const d = diff(
      truthOf({ openOrders: [venueOrder({ status: 'PARTIALLY_FILLED', filledQty: '0.004', updatedAt: OLD + 5 }), venueOrder({ updatedAt: OLD })] }),
      localOf({ orders: [localOrder({ status: 'PARTIALLY_FILLED', filledQty: '0.004', updatedAt: OLD + 5 }), localOrder()] }),
      ALL,
    );
    expect(d.orders).toEqual([]);
    expect(d.metrics.orders).toMatchObject({ venue: 1, local: 1, agreeing: 1 });
  });

  it('lets a later final row of a store duplicate settle an order the venue no longer lists', () => {
    const rows = [localOrder({ clientOrderId: 'd' }), localOrder({ clientOrderId: 'd', status: 'FILLED', filledQty: '0.01', updatedAt: OLD + 5 })];
    expect(diff(truthOf(), localOf({ orders: rows }), ALL).orders).toEqual([]);
    // Final row first: the open duplicate may leave a candidate, which is only ever confirmed, never trusted.
    const reversed = diff(truthOf(), localOf({ orders: [...rows].reverse() }), ALL).orders;
    expect(reversed.every((o) => o.type === 'STALE_ORDER' && o.needsConfirmation)).toBe(true);
  });

  it('ignores "open" venue rows whose status is final', () => {
    const d = diff(truthOf({ openOrders: [venueOrder({ status: 'FILLED' })] }), localOf(), ALL);
    expect(d.orders).toEqual([]);
    expect(d.metrics.orders?.venue).toBe(0);
  });
});

describe('diff: scope', () => {
  const t = truthOf({
    openOrders: [venueOrder({ clientOrderId: 'fut' }), venueOrder({ clientOrderId: 'spot', market: 'SPOT' }), venueOrder({ clientOrderId: 'eth', symbol: 'ETHUSDT' })],
    positions: [venuePosition()],
    balances: [{ venue: 'test', market: 'FUT', asset: 'USDT', free: '5', locked: '0' }],
  });
  const l = localOf({ expectedBalances: [{ venue: 'test', market: 'FUT', asset: 'USDT', free: '10', locked: '0' }] });

  it('mode ORDERS checks only orders, POSITIONS only positions, HOLDINGS only balances', () => {
    const o = diff(t, l, { mode: 'ORDERS' });
    expect([o.orders.length, o.positions.length, o.balances.length, o.metrics.positions, o.metrics.balances]).toEqual([3, 0, 0, undefined, undefined]);
    const p = diff(t, l, { mode: 'POSITIONS' });
    expect([p.orders.length, p.positions.length, p.balances.length, p.metrics.orders]).toEqual([0, 1, 0, undefined]);
    const h = diff(t, l, { mode: 'HOLDINGS' });
    expect([h.orders.length, h.positions.length, h.balances.length]).toEqual([0, 0, 1]);
    expect(h.metrics.symmetricDifference).toBe(0);
    expect(h.metrics.consistencyRate).toBe(0);
  });

  it('honours the symbols and markets filters', () => {
    expect(diff(t, l, { mode: 'ORDERS', symbols: ['ETHUSDT'] }).orders.map((o) => o.clientOrderId)).toEqual(['eth']);
    expect(diff(t, l, { mode: 'ORDERS', markets: ['SPOT'] }).orders.map((o) => o.clientOrderId)).toEqual(['spot']);
    expect(diff(t, l, { mode: 'POSITIONS', markets: ['SPOT'] }).positions).toEqual([]);
  });

  it('never treats an unfetched market or venue as evidence: no stale orders or positions there', () => {
    const local = localOf({ orders: [localOrder({ market: 'SPOT' }), localOrder({ clientOrderId: 'other', venue: 'elsewhere' })], positions: [snapshot()] });
    const onlyFut = diff(truthOf({ markets: ['FUT'], venues: ['test'] }), local, ALL);
    expect(onlyFut.orders).toEqual([]);
    expect(onlyFut.positions.map((p) => p.type)).toEqual(['STALE_POS']);
    const onlySpot = diff(truthOf({ markets: ['SPOT'], venues: ['test'] }), local, ALL);
    expect(onlySpot.orders.map((o) => o.type)).toEqual(['STALE_ORDER']);
    expect(onlySpot.positions).toEqual([]);
    // A requested market the truth did not observe stays out of scope.
    expect(diff(truthOf({ markets: ['FUT'] }), local, { mode: 'ORDERS', markets: ['SPOT'] }).orders).toEqual([]);
  });
});

describe('diff: positions', () => {
  it('classifies a venue position nobody explains as ORPHAN_POS, with the one safe adoption candidate', () => {
    const d = diff(
      truthOf({
        positions: [venuePosition({ qty: '0.01' })],
        openOrders: [venueOrder({ clientOrderId: 'entry-2', side: 'BUY' }), venueOrder({ clientOrderId: 'tp', side: 'SELL', reduceOnly: true })],
      }),
      localOf({
        orders: [localOrder({ clientOrderId: 'entry-1', status: 'FILLED', filledQty: '0.01' })],
        intents: [intentRecord({ intent_id: 'i-1', qty: '0.02', client_order_ids: ['entry-1', 'entry-2', 'lost'] })],
      }),
      { mode: 'POSITIONS' },
    );
    expect(d.positions).toHaveLength(1);
    const p = d.positions[0];
    // The entry in progress accounts for the size, but holds nothing yet: still an orphan.
    expect(p).toMatchObject({ type: 'ORPHAN_POS', venueQty: '0.01', localQty: '0', explainedQty: '0.02', holders: [], candidateMissingOrderIds: ['lost'] });
    expect(p?.adoptionCandidate?.intent_id).toBe('i-1');
    expect(p?.candidateOpenOrders.map((o) => o.clientOrderId)).toEqual(['entry-2']);
    // The BUY entry would add to the long; the reduce-only SELL would not.
    expect(p?.addingOrders.map((o) => o.clientOrderId)).toEqual(['entry-2']);
    expect(p?.unclaimedAddingOrders).toEqual([]); // the leftover intent claims it
    expect(d.metrics.positions).toMatchObject({ venue: 1, local: 0, jaccard: 0, symmetricDifference: 1 });
  });

  it('offers no adoption candidate unless exactly one PENDING_ENTRY intent of the same side covers the size', () => {
    const pos = truthOf({ positions: [venuePosition({ qty: '0.01' })] });
    const candidate = (...intents: ReturnType<typeof intentRecord>[]) => diff(pos, localOf({ intents }), ALL).positions[0]?.adoptionCandidate?.intent_id;
    expect(candidate(intentRecord({ qty: '0.01' }))).toBe('i-1');
    expect(candidate(intentRecord({ qty: '0.005' }))).toBeUndefined();
    expect(candidate(intentRecord({ side: 'SELL' }))).toBeUndefined();
    expect(candidate(intentRecord({ reduceOnly: true }))).toBeUndefined();
    expect(candidate(intentRecord({ market: 'SPOT' }))).toBeUndefined();
    expect(candidate(intentRecord({ symbol: 'ETHUSDT' }))).toBeUndefined();
    expect(candidate(intentRecord({ state: 'CLOSED' }))).toBeUndefined();
    expect(candidate(intentRecord({ intent_id: 'a' }), intentRecord({ intent_id: 'b' }))).toBeUndefined();
  });

  it('a holding intent turns "no snapshot" into QTY_MISMATCH and says how much it explains', () => {
    const d = diff(
      truthOf({ positions: [venuePosition({ qty: '-0.03' })] }),
      localOf({
        intents: [
          intentRecord({ intent_id: 'a', state: 'ACTIVE', side: 'SELL', qty: '0.01' }),
          intentRecord({ intent_id: 'b', state: 'PENDING_CLOSING', side: 'SELL', qty: '0.01' }),
          intentRecord({ intent_id: 'c', state: 'ACTIVE', side: 'BUY', qty: '5' }),
        ],
      }),
      ALL,
    );
    expect(d.positions[0]).toMatchObject({ type: 'QTY_MISMATCH', venueQty: '-0.03', localQty: '0', explainedQty: '0.02', holders: ['a', 'b'] });
  });

  it('classifies sizes and sides that differ, and stale positions needing confirmation', () => {
    const d = diff(
      truthOf({ positions: [venuePosition({ symbol: 'AAAUSDT', qty: '2' }), venuePosition({ symbol: 'BBBUSDT', qty: '-1' })] }),
      localOf({
        positions: [snapshot({ symbol: 'AAAUSDT', qty: '1' }), snapshot({ symbol: 'BBBUSDT', qty: '1' }), snapshot({ symbol: 'CCCUSDT', qty: '3' }), snapshot({ symbol: 'DDDUSDT', qty: '0' })],
        intents: [intentRecord({ intent_id: 'h', state: 'ACTIVE', symbol: 'CCCUSDT', qty: '3' })],
      }),
      ALL,
    );
    expect(d.positions.map((p) => [p.symbol, p.type, p.needsConfirmation])).toEqual([
      ['AAAUSDT', 'QTY_MISMATCH', false],
      ['BBBUSDT', 'SIDE_MISMATCH', false],
      ['CCCUSDT', 'STALE_POS', true],
    ]);
    expect(d.positions[2]?.settleIntents.map((i) => i.intent_id)).toEqual(['h']);
    // A: AAA:LONG, BBB:SHORT — B: AAA:LONG, BBB:LONG, CCC:LONG
    expect(d.metrics.positions).toMatchObject({ venue: 2, local: 3, intersection: 1, union: 4, jaccard: 0.25, symmetricDifference: 3, checked: 3 });
  });

  it('uses the newest snapshot of a venue and symbol', () => {
    const d = diff(
      truthOf({ positions: [venuePosition({ qty: '0.02' })] }),
      localOf({ positions: [snapshot({ qty: '0.02', snapshot_ts: OLD + 10 }), snapshot({ qty: '0.01', snapshot_ts: OLD })] }),
      ALL,
    );
    expect(d.positions).toEqual([]);
  });

  it('defers positions changed during the run or in flight', () => {
    const pos = truthOf({ positions: [venuePosition({ qty: '0.02' })] });
    const reason = (l: ReturnType<typeof localOf>, t = pos) => diff(t, l, ALL).positions[0]?.deferReason;
    expect(reason(localOf({ positions: [snapshot({ snapshot_ts: T })] }))).toMatch(/^changed during run: store snapshot/);
    expect(reason(localOf({ fills: [fill({ ts: T })] }))).toMatch(/^changed during run: a fill/);
    expect(reason(localOf({ intents: [intentRecord({ updated_at: T - 100 })] }))).toMatch(/^in flight: intent i-1 \(PENDING_ENTRY\)/);
    expect(reason(localOf(), truthOf({ positions: [venuePosition({ qty: '0.02', updatedAt: T - 10 })] }))).toMatch(/^in flight: venue position/);
    expect(reason(localOf({ fills: [fill({ ts: T - 1 })] }))).toBeUndefined();
  });
});

describe('diff: balances', () => {
  it('compares free + locked of the expected assets only, within the tolerance', () => {
    const t = truthOf({
      balances: [
        { venue: 'test', market: 'FUT', asset: 'USDT', free: '90', locked: '10.5' },
        { venue: 'test', market: 'SPOT', asset: 'DUST', free: '0.001', locked: '0' },
      ],
    });
    const l = localOf({
      expectedBalances: [
        { venue: 'test', market: 'FUT', asset: 'USDT', free: '100', locked: '0' },
        { venue: 'test', market: 'SPOT', asset: 'BTC', free: '1', locked: '0' },
      ],
    });
    const d = diff(t, l, { mode: 'HOLDINGS' });
    expect(d.balances.map((b) => [b.asset, b.venueTotal, b.expectedTotal, b.difference])).toEqual([
      ['USDT', '100.5', '100', '0.5'],
      ['BTC', '0', '1', '-1'],
    ]);
    expect(diff(t, l, { mode: 'HOLDINGS' }, { balanceTolerance: '0.5' }).balances.map((b) => b.asset)).toEqual(['BTC']);
    expect(d.metrics.balances).toEqual({ checked: 2, agreeing: 0, deferred: 0 });
    expect(diff(t, localOf(), { mode: 'HOLDINGS' }).metrics.balances).toEqual({ checked: 0, agreeing: 0, deferred: 0 });
  });
});

describe('diff: options', () => {
  it('rejects a negative settle window or tolerance with a ValidationError', () => {
    expect(() => diff(truthOf(), localOf(), ALL, { settleMs: -1 })).toThrow(ValidationError);
    expect(() => diff(truthOf(), localOf(), ALL, { balanceTolerance: '-1' })).toThrow(ValidationError);
    expect(() => diff(truthOf(), localOf(), ALL, { balanceTolerance: 'abc' })).toThrow(ValidationError);
  });
});
