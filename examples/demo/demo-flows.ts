/**
 * The demo's flows, as functions over an `Executor` so the demo script and its test share them.
 * Each flow returns the steps it printed and whether it ended as expected.
 */
import Big from 'big.js';
import type { ExchangeConnector, ExecutionResult, Executor, MemoryEventSink } from '@chimera/core';

/** One printed step of a flow. */
export interface DemoStep {
  flow: string;
  step: string;
  detail: Record<string, unknown>;
}

/** What one flow produced. */
export interface FlowOutcome {
  flow: string;
  ok: boolean;
  /** Why it is not ok, when it is not. */
  problem?: string;
  result?: ExecutionResult;
  steps: DemoStep[];
}

type Ctx = { executor: Executor; connector: ExchangeConnector; sink: MemoryEventSink; say: (s: DemoStep) => void };

/** FUT MakerThenTaker entry (isolated, 20×) with a stop-loss armed on the mark price. */
export async function futEntryWithStop({ executor, connector, sink, say }: Ctx): Promise<FlowOutcome> {
  const flow = 'FUT MakerThenTaker + SL';
  const steps: DemoStep[] = [];
  const log = (step: string, detail: Record<string, unknown>): void => {
    const s = { flow, step, detail };
    steps.push(s);
    say(s);
  };
  const tick = await connector.ticker('FUT', 'BTCUSDT');
  log('arrival', { bid: tick.bid, ask: tick.ask, mid: tick.mid });
  const sl = new Big(tick.bid).times('0.99').round(1, Big.roundDown).toFixed();
  const result = await executor.execute({
    intent: { intent_id: 'demo-fut-1', market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.003, exec_policy: 'MakerThenTaker', post_only_wait_ms: 3000, leverage: 20, isolated: true, client_tags: ['entry', 'atr-sl'] },
    sl: Number(sl),
  });
  log('result', { status: result.status, filled_qty: result.filled_qty, avg_price: result.avg_price, slippage_bps: result.slippage_bps });
  const stops = (await connector.openOrders('FUT', 'BTCUSDT')).filter((o) => o.type === 'STOP_MARKET');
  log('stop-loss', { orders: stops.map((s) => ({ qty: s.qty, stopPrice: s.stopPrice, workingType: s.workingType, reduceOnly: s.reduceOnly })), risk_sl_arm: sink.payloads('risk:sl_arm').length });
  const position = (await connector.positions('BTCUSDT'))[0];
  log('position', { qty: position?.qty, entryPrice: position?.entryPrice, leverage: position?.leverage, marginType: position?.marginType });
  const problems = [
    result.status !== 'FILLED' && `status ${result.status}`,
    position?.qty !== '0.003' && `position ${position?.qty}`,
    !(stops.length === 1 && stops[0]!.qty === '0.003' && stops[0]!.reduceOnly && stops[0]!.workingType === 'MARK_PRICE') && 'stop-loss not armed as expected',
  ].filter(Boolean);
  return { flow, ok: problems.length === 0, ...(problems.length ? { problem: problems.join('; ') } : {}), result, steps };
}

/** SPOT entry with OCO protection that the venue refuses, ending with a local guard stop. */
export async function spotOcoToGuard({ executor, connector, sink, say }: Ctx): Promise<FlowOutcome> {
  const flow = 'SPOT OCO → guard stop';
  const steps: DemoStep[] = [];
  const log = (step: string, detail: Record<string, unknown>): void => {
    const s = { flow, step, detail };
    steps.push(s);
    say(s);
  };
  const tick = await connector.ticker('SPOT', 'BTCUSDT');
  const mid = new Big(tick.bid).plus(tick.ask).div(2);
  const oco = { tp_price: Number(mid.times('1.02').round(2).toFixed()), sl_price: Number(mid.times('0.98').round(2).toFixed()), limit_price: Number(mid.times('1.001').round(2).toFixed()), leg_time_in_force: 'GTC' };
  log('intent', { qty: 0.01, ...oco });
  const result = await executor.execute({ intent: { intent_id: 'demo-spot-1', market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.01, exec_policy: 'OCO', oco } });
  log('result', { status: result.status, filled_qty: result.filled_qty, avg_price: result.avg_price, protection: result.reason });
  const alerts = sink.payloads('alerts').map((a) => a.code);
  log('fallbacks', { alerts });
  const guard = sink.payloads('guard:spot:arm');
  log('guard', { armed: guard });
  const problems = [
    result.status !== 'FILLED' && `status ${result.status}`,
    result.reason !== 'protected by GUARD' && `protection: ${result.reason}`,
    guard.length !== 1 && 'guard:spot:arm not published',
  ].filter(Boolean);
  return { flow, ok: problems.length === 0, ...(problems.length ? { problem: problems.join('; ') } : {}), result, steps };
}

/** A SPOT TWAP buy in three slices, 800 ms apart. */
export async function spotTwap({ executor, say }: Ctx): Promise<FlowOutcome> {
  const flow = 'SPOT TWAP';
  const steps: DemoStep[] = [];
  executor.events.on('twap_progress', (p) => {
    if (p.intent_id !== 'demo-twap-1') return;
    const s = { flow, step: `slice ${p.slice}/${p.slices}`, detail: { filled_qty: p.filled_qty, state: p.state } };
    steps.push(s);
    say(s);
  });
  const result = await executor.execute({ intent: { intent_id: 'demo-twap-1', market: 'SPOT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.006, exec_policy: 'TWAP', twap: { enabled: true, slices: 3, interval_ms: 800 } } });
  const s = { flow, step: 'result', detail: { status: result.status, filled_qty: result.filled_qty, avg_price: result.avg_price } };
  steps.push(s);
  say(s);
  const ok = result.status === 'FILLED' && result.filled_qty === '0.006' && steps.filter((x) => x.step.startsWith('slice')).length === 3;
  return { flow, ok, ...(ok ? {} : { problem: `status ${result.status}, filled ${result.filled_qty}` }), result, steps };
}
