import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import type { Fill } from '../domain/account.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { MemoryStore } from '../sinks/memory-store.js';
import { DEFAULT_STREAM_KEYS } from '../sinks/stream-keys.js';
import { noopLogger } from '../logging/logger.js';
import { FakeClock } from '../clock/clock.js';
import { sampleInstrument } from '../testing/fixtures.js';
import type { ExecutionContext, ExecutionEvents } from './execution-context.js';
import { IntentLifecycle } from './intent-lifecycle.js';
import { runTwoLegTwap, type SliceRunner } from './twap.js';
import { drive, kit } from './execution-test-kit.test-data.js';
import { runMakerThenTaker } from './maker-then-taker.js';
import { OrderTracker } from './order-tracker.js';
import { parseIntent } from '../domain/intent.js';

function fill(qty: string, i: number): Fill {
  return { venue: 't', market: 'SPOT', symbol: 'BTCUSDT', tradeId: String(i), venueOrderId: String(i), clientOrderId: `c${i}`, side: 'BUY', price: '65000', qty, fee: '0', feeAsset: 'USDT', isMaker: false, ts: i };
}

function ctxOn(clock: FakeClock): ExecutionContext {
  const store = new MemoryStore();
  return {
    connector: undefined as never,
    store,
    sink: new MemoryEventSink(),
    keys: DEFAULT_STREAM_KEYS,
    clock,
    logger: noopLogger,
    lifecycle: new IntentLifecycle(store, clock),
    events: new EventEmitter<ExecutionEvents>(),
  };
}

describe('two-leg TWAP', () => {
  it('runs both legs slice by slice, together, on the paper venue (spot vs perp)', async () => {
    const { clock, connector, store } = await kit();
    const ctx: ExecutionContext = { connector, store, sink: new MemoryEventSink(), keys: DEFAULT_STREAM_KEYS, clock, logger: noopLogger, lifecycle: new IntentLifecycle(store, clock), events: new EventEmitter() };
    await ctx.lifecycle.begin(parseIntent({ intent_id: 'pair-1', market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.006, exec_policy: 'TWAP' }));
    const tracker = new OrderTracker(connector);
    const spot = await connector.instrument('SPOT', 'BTCUSDT');
    const perp = await connector.instrument('FUT', 'BTCUSDT');
    const leg = (market: 'SPOT' | 'FUT', side: 'BUY' | 'SELL', inst: typeof spot): SliceRunner => (s) =>
      runMakerThenTaker(ctx, tracker, inst, { intentId: 'pair-1', market, symbol: 'BTCUSDT', side, qty: s.qty, postOnlyWaitMs: 500, legPrefix: s.legPrefix });
    const [a, b] = await drive(clock, runTwoLegTwap(ctx, { intentId: 'pair-1', slices: 3, intervalMs: 800, legs: [{ qty: '0.006', instrument: spot, runSlice: leg('SPOT', 'BUY', spot) }, { qty: '0.006', instrument: perp, runSlice: leg('FUT', 'SELL', perp) }] }));
    expect([a.filledQty, a.state, b.filledQty, b.state]).toEqual(['0.006', 'DONE', '0.006', 'DONE']);
    expect((await connector.positions('BTCUSDT'))[0]?.qty).toBe('-0.006');
    tracker.dispose();
  });

  it('stops and alerts when one leg falls more than a slice behind', async () => {
    const clock = new FakeClock(0);
    const ctx = ctxOn(clock);
    const alerts: string[] = [];
    ctx.events.on('engine_alert', (e) => alerts.push(e.code));
    const inst = sampleInstrument();
    let n = 0;
    const full: SliceRunner = async (s) => ({ fills: [fill(s.qty, ++n)], lastOrder: undefined });
    const starved: SliceRunner = async () => ({ fills: [], lastOrder: undefined });
    const [a, b] = await drive(clock, runTwoLegTwap(ctx, { intentId: 'pair-2', slices: 4, intervalMs: 100, legs: [{ qty: '4', instrument: inst, runSlice: full }, { qty: '4', instrument: inst, runSlice: starved }] }));
    // After slice 1 the legs are one slice apart (allowed); after slice 2, two slices: stop.
    expect([a.filledQty, b.filledQty, a.state]).toEqual(['2', '0', 'CANCELLED']);
    expect(alerts).toEqual(['TWAP_LEGS_DIVERGED']);
    expect((ctx.sink as MemoryEventSink).payloads('alerts').map((a) => a.code)).toEqual(['TWAP_LEGS_DIVERGED']);
  });
});
