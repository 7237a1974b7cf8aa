/**
 * The README's quick start, runnable: `npx tsx examples/quick-start.ts`.
 * Validates an intent, rounds an order to an instrument's grid, publishes an event and stores the
 * intent — the building blocks every flow uses.
 */
import { DEFAULT_STREAM_KEYS, MemoryEventSink, MemoryStore, parseIntent, prepareOrder, type Instrument } from '@chimera/core';

/** Runs the quick start and returns what it printed, for the example's test. */
export async function quickStart(print: (line: string) => void = console.log): Promise<void> {
  // Intents are validated at the boundary: a typed 400/422 error names the failing field.
  const intent = parseIntent({
    intent: {
      intent_id: 'uuid-123',
      market: 'FUT',
      symbol: 'BTCUSDT',
      side: 'BUY',
      qty: 0.0012,
      exec_policy: 'MakerThenTaker',
      post_only_wait_ms: 3000,
      leverage: 20,
      isolated: true,
    },
  });
  print(`intent qty ${intent.qty}`);

  // Orders are rounded to the instrument's grid and checked against its filters before they leave.
  const instrument: Instrument = {
    venue: 'binance',
    market: 'FUT',
    symbol: 'BTCUSDT',
    base: 'BTC',
    quote: 'USDT',
    status: 'TRADING',
    tickSize: '0.10',
    stepSize: '0.001',
    minQty: '0.001',
    minNotional: '100',
    gridFromMin: true,
    leverageBrackets: [],
  };
  const { qty, price } = prepareOrder(instrument, { type: 'LIMIT', side: 'BUY', qty: '0.00329', price: '65000.17' }, 'maker');
  print(`order ${qty} @ ${price}`);

  // Events go to named streams (the SPEC's key scheme, overridable); state to a Store.
  const sink = new MemoryEventSink();
  sink.publish(DEFAULT_STREAM_KEYS.ordersExecuted(), { intent_id: intent.intent_id, filled_qty: qty });
  const store = new MemoryStore();
  await store.putIntent({ intent_id: intent.intent_id, intent, state: 'PENDING_ENTRY', client_order_ids: [], created_at: 0, updated_at: 0 });
  print(`stream ${DEFAULT_STREAM_KEYS.ordersExecuted()} has ${sink.read(DEFAULT_STREAM_KEYS.ordersExecuted()).length} event`);
  print(`stored intent state ${(await store.getIntent('uuid-123'))?.state}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await quickStart();
}
