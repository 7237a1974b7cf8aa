/**
 * Builders and fast-check generators of reconciliation states, shared by the reconcile tests.
 * Generated states are small on purpose (a handful of ids, symbols and venues) so that venue and
 * store overlap often and every discrepancy class shows up in a hundred runs.
 */
import Big from 'big.js';
import fc from 'fast-check';
import type { Balance, Fill, Position } from '../domain/account.js';
import type { Market, OrderStatus, Side } from '../domain/enums.js';
import type { IntentState } from '../domain/execution.js';
import type { Order } from '../domain/order.js';
import type { ReconcileMode } from '../domain/reconcile.js';
import type { OrderRecord, PositionSnapshot } from '../domain/records.js';
import type { IntentRecord } from '../sinks/store.js';
import type { DiffRequest } from './diff.js';
import type { LocalState } from './local.js';
import type { VenueTruth } from './truth.js';

/** Collection start of the hand-written scenarios. */
export const T = 1_758_345_600_000;
/** Old enough to be past any settle window. */
export const OLD = T - 3_600_000;

/** A venue open order (no store-only fields). */
export function venueOrder(overrides: Partial<Order> = {}): Order {
  return {
    venue: 'test',
    market: 'FUT',
    symbol: 'BTCUSDT',
    clientOrderId: 'c-1',
    venueOrderId: 'v-1',
    side: 'BUY',
    type: 'LIMIT',
    postOnly: false,
    reduceOnly: false,
    price: '65000',
    qty: '0.01',
    filledQty: '0',
    status: 'NEW',
    createdAt: OLD,
    updatedAt: OLD,
    ...overrides,
  };
}

/** A stored order. */
export function localOrder(overrides: Partial<OrderRecord> = {}): OrderRecord {
  return { ...venueOrder(), intent_id: 'i-1', leg: 'entry', ...overrides };
}

/** A venue position. */
export function venuePosition(overrides: Partial<Position> = {}): Position {
  return {
    venue: 'test',
    market: 'FUT',
    symbol: 'BTCUSDT',
    qty: '0.01',
    entryPrice: '65000',
    markPrice: '65000',
    unrealizedPnl: '0',
    leverage: 5,
    marginType: 'CROSSED',
    updatedAt: OLD,
    ...overrides,
  };
}

/** A stored position snapshot. */
export function snapshot(overrides: Partial<PositionSnapshot> = {}): PositionSnapshot {
  return { ...venuePosition(), snapshot_ts: OLD, ...overrides };
}

/** A stored intent (FUT BUY 0.01 BTCUSDT, PENDING_ENTRY unless overridden). */
export function intentRecord(overrides: Partial<IntentRecord> & { side?: Side; qty?: string; symbol?: string; market?: Market; reduceOnly?: boolean } = {}): IntentRecord {
  const { side = 'BUY', qty = '0.01', symbol = 'BTCUSDT', market = 'FUT', reduceOnly = false, ...rest } = overrides;
  const id = rest.intent_id ?? 'i-1';
  return {
    intent_id: id,
    intent: {
      intent_id: id,
      market,
      symbol,
      side,
      qty,
      exec_policy: 'Market',
      post_only_wait_ms: 3000,
      client_tags: [],
      reduce_only: reduceOnly,
    },
    state: 'PENDING_ENTRY',
    client_order_ids: [],
    created_at: OLD,
    updated_at: OLD,
    ...rest,
  };
}

/** A stored fill. */
export function fill(overrides: Partial<Fill> = {}): Fill {
  return {
    venue: 'test',
    market: 'FUT',
    symbol: 'BTCUSDT',
    tradeId: 't-1',
    venueOrderId: 'v-1',
    clientOrderId: 'c-1',
    side: 'BUY',
    price: '65000',
    qty: '0.01',
    fee: '0',
    feeAsset: 'USDT',
    isMaker: false,
    ts: OLD,
    ...overrides,
  };
}

/** A truth collected at {@link T} over both markets. */
export function truthOf(parts: Partial<VenueTruth> = {}): VenueTruth {
  return { collectedAt: T, markets: ['SPOT', 'FUT'], openOrders: [], positions: [], balances: [], ...parts };
}

/** A local state. */
export function localOf(parts: Partial<LocalState> = {}): LocalState {
  return { orders: [], positions: [], intents: [], fills: [], ...parts };
}

// ---- generators ---------------------------------------------------------------------------

/** One generated reconciliation input. */
export interface GeneratedState {
  truth: VenueTruth;
  local: LocalState;
  request: DiffRequest;
  settleMs: number;
}

const GT = 1_000_000_000;
const VENUES = ['v1', 'v2'] as const;
const SYMBOLS = ['AAA', 'BBB', 'CCC'] as const;
const IDS = Array.from({ length: 16 }, (_, i) => `c${i}`);
const QTYS = ['0.5', '1', '1.0', '2', '0.25', '3'];
const POS_QTYS = ['0', '0.5', '-0.5', '1', '-1', '2', '-2.5', '0.75', '1.00'];
const OPEN: OrderStatus[] = ['NEW', 'PARTIALLY_FILLED'];
const ALL_STATUS: OrderStatus[] = ['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'];
const STATES: IntentState[] = ['PENDING_ENTRY', 'ACTIVE', 'PENDING_CLOSING', 'CLOSED', 'REJECTED', 'FAILED', 'RECONCILED'];

/** A time around the generated collection start: mostly well before it, sometimes inside the settle window or after. */
const time = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: GT - 60_000, max: GT - 10_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: GT - 6_000, max: GT - 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: GT, max: GT + 2_000 }) },
);

const orderCase = fc.record({
  venue: fc.constantFrom(...VENUES),
  market: fc.constantFrom<Market>('SPOT', 'FUT'),
  symbol: fc.constantFrom(...SYMBOLS),
  side: fc.constantFrom<Side>('BUY', 'SELL'),
  qty: fc.constantFrom(...QTYS),
  reduceOnly: fc.boolean(),
  inVenue: fc.boolean(),
  venueStatus: fc.constantFrom(...OPEN, ...OPEN, 'FILLED' as OrderStatus),
  venueTime: time,
  inLocal: fc.boolean(),
  localStatus: fc.constantFrom(...ALL_STATUS, ...OPEN),
  localTime: time,
  localQty: fc.option(fc.constantFrom(...QTYS), { nil: undefined }),
  localFlipSide: fc.integer({ min: 0, max: 9 }),
  localPartFilled: fc.boolean(),
});

const positionCase = fc.record({
  venue: fc.constantFrom(...VENUES),
  symbol: fc.constantFrom(...SYMBOLS),
  venueQty: fc.option(fc.constantFrom(...POS_QTYS), { nil: undefined }),
  localQty: fc.option(fc.constantFrom(...POS_QTYS), { nil: undefined }),
  venueTime: time,
  localTime: time,
  markPrice: fc.constantFrom('10', '2000', '0.5'),
  /** Leave a PENDING_ENTRY intent behind that could explain the venue position (a crash leftover). */
  leftover: fc.constantFrom('none', 'none', 'exact', 'larger', 'smaller', 'twice'),
  leftoverClaims: fc.subarray(IDS, { maxLength: 3 }),
});

const intentCase = fc.record({
  id: fc.integer({ min: 0, max: 5 }),
  symbol: fc.constantFrom(...SYMBOLS),
  market: fc.constantFrom<Market>('FUT', 'FUT', 'SPOT'),
  side: fc.constantFrom<Side>('BUY', 'SELL'),
  qty: fc.constantFrom(...QTYS),
  state: fc.constantFrom(...STATES),
  reduceOnly: fc.boolean(),
  updated: time,
  claims: fc.subarray(IDS, { maxLength: 3 }),
});

const fillCase = fc.record({
  clientOrderId: fc.constantFrom(...IDS),
  venue: fc.constantFrom(...VENUES),
  market: fc.constantFrom<Market>('SPOT', 'FUT'),
  symbol: fc.constantFrom(...SYMBOLS),
  ts: time,
});

const ASSETS = ['USDT', 'BTC', 'ETH'];
const balanceCase = fc.record({
  venue: fc.constantFrom(...VENUES),
  market: fc.constantFrom<Market>('SPOT', 'FUT'),
  asset: fc.constantFrom(...ASSETS),
  venueTotal: fc.option(fc.constantFrom('0', '10', '10.5', '100'), { nil: undefined }),
  expected: fc.option(fc.constantFrom('0', '10', '10.0', '100'), { nil: undefined }),
});

/** Generated truth + local state + request, covering every discrepancy class. */
export const generatedState: fc.Arbitrary<GeneratedState> = fc
  .record({
    orders: fc.array(fc.tuple(fc.constantFrom(...IDS), orderCase), { maxLength: 16 }),
    positions: fc.array(positionCase, { maxLength: 8 }),
    intents: fc.array(intentCase, { maxLength: 6 }),
    fills: fc.array(fillCase, { maxLength: 4 }),
    balances: fc.array(balanceCase, { maxLength: 5 }),
    observed: fc.constantFrom<Market[]>(['SPOT', 'FUT'], ['SPOT', 'FUT'], ['FUT'], ['SPOT']),
    venues: fc.option(fc.constantFrom<string[]>(['v1'], ['v1', 'v2']), { nil: undefined }),
    mode: fc.constantFrom<ReconcileMode>('ALL', 'ALL', 'ORDERS', 'POSITIONS', 'HOLDINGS'),
    symbols: fc.option(fc.subarray([...SYMBOLS], { minLength: 1 }), { nil: undefined }),
    markets: fc.option(fc.subarray<Market>(['SPOT', 'FUT'], { minLength: 1 }), { nil: undefined }),
    settleMs: fc.constantFrom(0, 5_000),
  })
  .map((g) => {
    const openOrders: Order[] = [];
    const localOrders: OrderRecord[] = [];
    const seen = new Set<string>();
    for (const [id, c] of g.orders) {
      if (seen.has(id)) continue; // one case per client order id keeps the set definitions plain
      seen.add(id);
      const base: Order = {
        venue: c.venue,
        market: c.market,
        symbol: c.symbol,
        clientOrderId: id,
        venueOrderId: `v-${id}`,
        side: c.side,
        type: 'LIMIT',
        postOnly: false,
        reduceOnly: c.market === 'FUT' && c.reduceOnly,
        price: '10',
        qty: c.qty,
        filledQty: c.venueStatus === 'PARTIALLY_FILLED' ? '0.25' : '0',
        status: c.venueStatus,
        createdAt: Math.min(c.venueTime, c.localTime) - 1,
        updatedAt: c.venueTime,
      };
      if (c.inVenue) openOrders.push(base);
      if (c.inLocal) {
        const rec: OrderRecord = {
          ...base,
          status: c.localStatus,
          filledQty: c.localStatus === 'FILLED' ? c.qty : c.localPartFilled ? '0.25' : '0',
          updatedAt: c.localTime,
          intent_id: `i${Number(id.slice(1)) % 6}`,
        };
        if (c.localQty !== undefined) rec.qty = c.localQty;
        if (c.localFlipSide === 0) rec.side = c.side === 'BUY' ? 'SELL' : 'BUY';
        localOrders.push(rec);
      }
    }
    const positions: Position[] = [];
    const leftovers: IntentRecord[] = [];
    const snapshots: PositionSnapshot[] = [];
    const seenPos = new Set<string>();
    for (const p of g.positions) {
      const key = `${p.venue}:${p.symbol}`;
      if (seenPos.has(key)) continue;
      seenPos.add(key);
      const pos: Position = {
        venue: p.venue,
        market: 'FUT',
        symbol: p.symbol,
        qty: p.venueQty ?? '0',
        entryPrice: '10',
        markPrice: p.markPrice,
        unrealizedPnl: '0',
        leverage: 3,
        marginType: 'CROSSED',
        updatedAt: p.venueTime,
      };
      if (p.venueQty !== undefined) positions.push(pos);
      if (p.localQty !== undefined) snapshots.push({ ...pos, qty: p.localQty, snapshot_ts: p.localTime, updatedAt: p.localTime });
      const size = (p.venueQty ?? '0').replace('-', '');
      const leftQty = p.leftover === 'larger' ? `${size}1` : p.leftover === 'smaller' ? '0.1' : size;
      const copies = p.leftover === 'none' || size === '0' ? 0 : p.leftover === 'twice' ? 2 : 1;
      for (let n = 0; n < copies; n++) {
        const id = `lo-${p.venue}-${p.symbol}-${n}`;
        leftovers.push({
          intent_id: id,
          intent: {
            intent_id: id,
            market: 'FUT',
            symbol: p.symbol,
            side: (p.venueQty ?? '').startsWith('-') ? 'SELL' : 'BUY',
            qty: leftQty === '0.1' && new Big(size).lte('0.1') ? size : leftQty,
            exec_policy: 'Market',
            post_only_wait_ms: 3000,
            client_tags: [],
            reduce_only: false,
          },
          state: 'PENDING_ENTRY',
          client_order_ids: [...p.leftoverClaims],
          created_at: GT - 100_000,
          updated_at: GT - 90_000,
        });
      }
    }
    const intents: IntentRecord[] = [...leftovers];
    const seenIntent = new Set<number>();
    for (const i of g.intents) {
      if (seenIntent.has(i.id)) continue;
      seenIntent.add(i.id);
      const id = `i${i.id}`;
      intents.push({
        intent_id: id,
        intent: {
          intent_id: id,
          market: i.market,
          symbol: i.symbol,
          side: i.side,
          qty: i.qty,
          exec_policy: 'Market',
          post_only_wait_ms: 3000,
          client_tags: [],
          reduce_only: i.market === 'FUT' && i.reduceOnly,
        },
        state: i.state,
        client_order_ids: [...i.claims],
        created_at: i.updated - 100,
        updated_at: i.updated,
      });
    }
    const fills: Fill[] = g.fills.map((f, n) => ({
      venue: f.venue,
      market: f.market,
      symbol: f.symbol,
      tradeId: `t${n}`,
      venueOrderId: `v-${f.clientOrderId}`,
      clientOrderId: f.clientOrderId,
      side: 'BUY',
      price: '10',
      qty: '0.1',
      fee: '0',
      feeAsset: 'USDT',
      isMaker: false,
      ts: f.ts,
    }));
    const balances: Balance[] = [];
    const expected: Balance[] = [];
    const seenBal = new Set<string>();
    for (const b of g.balances) {
      const key = `${b.venue}:${b.market}:${b.asset}`;
      if (seenBal.has(key)) continue;
      seenBal.add(key);
      if (b.venueTotal !== undefined) balances.push({ venue: b.venue, market: b.market, asset: b.asset, free: b.venueTotal, locked: '0' });
      if (b.expected !== undefined) expected.push({ venue: b.venue, market: b.market, asset: b.asset, free: '0', locked: b.expected });
    }
    const truth: VenueTruth = { collectedAt: GT, markets: g.observed, openOrders, positions, balances };
    if (g.venues !== undefined) truth.venues = g.venues;
    const request: DiffRequest = { mode: g.mode };
    if (g.symbols !== undefined) request.symbols = g.symbols;
    if (g.markets !== undefined) request.markets = g.markets;
    return {
      truth,
      local: { orders: localOrders, positions: snapshots, intents, fills, expectedBalances: expected },
      request,
      settleMs: g.settleMs,
    };
  });

/** Recursively freezes a value, so a test proves a function never mutates its inputs. */
export function deepFreeze<X>(value: X): X {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
