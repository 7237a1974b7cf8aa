import type { Fill, FundingRecord } from '../domain/account.js';
import type { Instrument } from '../domain/instrument.js';
import type { OrderRecord, PositionSnapshot, StrategyEvent } from '../domain/records.js';
import type { TransferRecord } from '../domain/transfer.js';
import type { IntentRecord } from '../sinks/store.js';

/** A fixed base time for fixtures: 2025-09-20T05:20:00Z (the reference examples' `t0`). */
export const FIXTURE_T0 = 1_758_345_600_000;

/** A BTCUSDT spot instrument with Binance's filters, for tests. */
export function sampleInstrument(overrides: Partial<Instrument> = {}): Instrument {
  return {
    venue: 'test',
    market: 'SPOT',
    symbol: 'BTCUSDT',
    base: 'BTC',
    quote: 'USDT',
    status: 'TRADING',
    tickSize: '0.01',
    stepSize: '0.00001',
    minQty: '0.00001',
    maxQty: '9000',
    minPrice: '0.01',
    maxPrice: '1000000',
    minNotional: '5',
    gridFromMin: true,
    leverageBrackets: [],
    ...overrides,
  };
}

/** A stored order, for tests. */
export function sampleOrder(overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    venue: 'test',
    market: 'FUT',
    symbol: 'BTCUSDT',
    clientOrderId: 'cx-uuid-123-entry-0',
    venueOrderId: '123456789',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTX',
    postOnly: true,
    reduceOnly: false,
    price: '65000.5',
    qty: '0.0012',
    filledQty: '0',
    status: 'NEW',
    createdAt: FIXTURE_T0,
    updatedAt: FIXTURE_T0,
    intent_id: 'uuid-123',
    leg: 'maker',
    ...overrides,
  };
}

/** A fill, for tests. */
export function sampleFill(overrides: Partial<Fill> = {}): Fill {
  return {
    venue: 'test',
    market: 'FUT',
    symbol: 'BTCUSDT',
    tradeId: '1001',
    venueOrderId: '123456789',
    clientOrderId: 'cx-uuid-123-entry-0',
    side: 'BUY',
    price: '65001',
    qty: '0.0008',
    fee: '0.0104',
    feeAsset: 'USDT',
    isMaker: true,
    ts: FIXTURE_T0 + 1000,
    ...overrides,
  };
}

/** A position snapshot, for tests. */
export function samplePositionSnapshot(overrides: Partial<PositionSnapshot> = {}): PositionSnapshot {
  return {
    venue: 'test',
    market: 'FUT',
    symbol: 'BTCUSDT',
    qty: '0.0012',
    entryPrice: '65000.5',
    unrealizedPnl: '0',
    leverage: 20,
    marginType: 'ISOLATED',
    updatedAt: FIXTURE_T0,
    snapshot_ts: FIXTURE_T0,
    ...overrides,
  };
}

/** A strategy event, for tests. */
export function sampleStrategyEvent(overrides: Partial<StrategyEvent> = {}): StrategyEvent {
  return {
    event_id: 'uuid-123:PENDING_ENTRY',
    kind: 'STATE',
    intent_id: 'uuid-123',
    state: 'PENDING_ENTRY',
    payload: {},
    ts: FIXTURE_T0,
    ...overrides,
  };
}

/** An intent record, for tests. */
export function sampleIntentRecord(overrides: Partial<IntentRecord> = {}): IntentRecord {
  return {
    intent_id: 'uuid-123',
    intent: {
      intent_id: 'uuid-123',
      market: 'FUT',
      symbol: 'BTCUSDT',
      side: 'BUY',
      qty: '0.0012',
      exec_policy: 'MakerThenTaker',
      post_only_wait_ms: 3000,
      client_tags: [],
      reduce_only: false,
      leverage: 20,
      isolated: true,
    },
    state: 'PENDING_ENTRY',
    client_order_ids: [],
    created_at: FIXTURE_T0,
    updated_at: FIXTURE_T0,
    ...overrides,
  };
}

/** A treasury transfer record, for tests. */
export function sampleTransfer(overrides: Partial<TransferRecord> = {}): TransferRecord {
  return {
    transfer_id: 'tr-1',
    from_market: 'SPOT',
    to_market: 'FUT',
    asset: 'USDT',
    amount: '100',
    state: 'PENDING',
    created_at: FIXTURE_T0,
    updated_at: FIXTURE_T0,
    ...overrides,
  };
}

/** A funding record, for tests. */
export function sampleFundingRecord(overrides: Partial<FundingRecord> = {}): FundingRecord {
  return { symbol: 'BTCUSDT', funding_time: FIXTURE_T0, rate: '0.0001', amount_usdt: '-0.0065', venue: 'test', ...overrides };
}
