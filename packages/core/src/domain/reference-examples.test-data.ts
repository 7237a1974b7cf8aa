/**
 * The JSON examples of shared/reference/integration-sequences.zh.md §5, verbatim. The domain
 * schemas must accept every one of them as written.
 */
export const REFERENCE_EXAMPLES = {
  signal: {
    signal_id: 'signal_20250120_001',
    symbol: 'BTCUSDT',
    t0: 1758345600000,
    features: { atr_14: 0.025, volatility_30d: 0.18, correlation_spx: 0.65, rsi_14: 45.2, macd_signal: 'BULLISH' },
    config_rev: 130,
  },
  futEntryIntent: {
    intent: {
      intent_id: 'uuid-123',
      market: 'FUT',
      symbol: 'BTCUSDT',
      side: 'BUY',
      qty: 0.0012,
      exec_policy: 'MakerThenTaker',
      post_only_wait_ms: 3000,
      twap: { enabled: true, slices: 3, interval_ms: 800 },
      leverage: 20,
      isolated: true,
      client_tags: ['entry', 'atr-sl'],
    },
    tp: null,
    sl: null,
  },
  futEntryResult: {
    status: 'FILLED',
    order_id: '123456789',
    avg_price: 65000.5,
    filled_qty: 0.0012,
    fills: [
      { price: 65001, qty: 0.0008, timestamp: 1758345601000 },
      { price: 64999, qty: 0.0004, timestamp: 1758345601200 },
    ],
    slippage_bps: 2.1,
  },
  slIntent: {
    intent: {
      intent_id: 'uuid-sl-1',
      market: 'FUT',
      symbol: 'BTCUSDT',
      side: 'SELL',
      qty: 0.0012,
      type: 'STOP_MARKET',
      reduce_only: true,
      stop_price: 64200,
      working_type: 'MARK_PRICE',
    },
  },
  executionEvent: {
    order_id: '123456789',
    intent_id: 'uuid-123',
    symbol: 'BTCUSDT',
    side: 'BUY',
    avg_px: 65000.5,
    filled_qty: 0.0012,
    market: 'FUT',
    ts: 1758345601200,
  },
  ocoIntent: {
    intent: {
      intent_id: 'uuid-spot-1',
      market: 'SPOT',
      symbol: 'BTCUSDT',
      side: 'BUY',
      qty: 0.01,
      exec_policy: 'OCO',
      oco: { tp_price: 66000, sl_price: 64000, limit_price: 65000, leg_time_in_force: 'GTC' },
    },
  },
  ocoArmed: { group_id: 'oco_20250120_001', symbol: 'BTCUSDT', tp_order_id: '987654321', sl_order_id: '987654322', qty: 0.01, ts: 1758345600000 },
  guardArm: { symbol: 'BTCUSDT', sl_px: 64000, qty: 0.01, side: 'SELL', group_id: 'oco-fb-123', ts: 1758345600123 },
  guardTriggerIntent: {
    intent: {
      intent_id: 'uuid-guard-exe-1',
      market: 'SPOT',
      symbol: 'BTCUSDT',
      side: 'SELL',
      qty: 0.01,
      type: 'MARKET',
      client_tags: ['guard-stop'],
    },
  },
  reconcileRequest: { mode: 'ALL', dry_run: false, orphan_policy: 'CONSERVATIVE', time_window_h: 72 },
  reconcileResponse: {
    summary: { checked_orders: 132, checked_positions: 4, adopted: 1, closed: 2, fixed: 5 },
    items: [
      { type: 'ORPHAN_ORDER', action: 'CANCELLED', order_id: 'orphan_001', reason: 'Unknown source, conservative closure' },
      { type: 'ORPHAN_POS', action: 'ADOPTED', symbol: 'BTCUSDT', reason: 'PENDING_ENTRY crash recovery' },
      { type: 'STALE_ORDER', action: 'FIXED', order_id: 'stale_001', reason: 'Status mismatch corrected' },
    ],
  },
  reconcileEvent: { kind: 'ORDER', action: 'ADOPTED', ref: 'orphan_001', ts: 1758345600000 },
} as const;
