/**
 * SDK overhead from `Executor.execute(intent)` to the first request leaving, beside a bare signed
 * undici request to the same local Binance exchange, in one run.
 *
 * - Ours: a warmed `Executor` over `BinanceConnector` (instruments cached, clock synced); each
 *   sample executes a fresh SPOT `Market` intent and measures from the `execute()` call to the
 *   moment undici dispatches the intent's first request (validation, idempotency bookkeeping in
 *   the store, the state transition written before any venue call, request building, limiter,
 *   signing). A dispatcher wrapper records the dispatch time.
 * - Baseline: from the start of a hand-written signed `POST /api/v3/order` (parameters, timestamp,
 *   HMAC) to undici dispatching it — what the same request costs a bare client.
 *
 * Both run sequentially against the same server; the figure is the median of each.
 */
import { createHmac } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { Executor, MemoryStore, PaperEngine, SystemClock } from '../packages/core/src/index.js';
import { BinanceConnector } from '../packages/binance/src/index.js';
import { LOCAL_API_KEY, LOCAL_API_SECRET, startLocalBinance } from '../packages/binance/src/testing/index.js';
import { fmt } from './harness.js';

/** An undici agent that records when each request is handed to the connection pool. */
class TimingAgent extends Agent {
  lastDispatch = 0;
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.lastDispatch = performance.now();
    return super.dispatch(options, handler);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export default async function run(): Promise<void> {
  const clock = new SystemClock();
  const engine = new PaperEngine({ clock, venue: 'binance', balances: { SPOT: { USDT: '10000000', BTC: '100' }, FUT: { USDT: '100000' } } });
  const ex = await startLocalBinance({ clock, engine });
  const ladder = (start: number, step: number): Array<[string, string]> => Array.from({ length: 50 }, (_, i) => [(start + i * step).toFixed(2), '100']);
  ex.engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: ladder(64999, -1), asks: ladder(65001, 1) });
  const agent = new TimingAgent({ connections: 8 });
  const connector = new BinanceConnector({ apiKey: LOCAL_API_KEY, secret: LOCAL_API_SECRET, baseUrls: { spot: ex.url, um: ex.url }, clock, dispatcher: agent });
  await connector.connect();
  await connector.instruments('SPOT');
  const executor = new Executor({ connector, store: new MemoryStore(), clock });

  const samples = 300;
  const ours: number[] = [];
  for (let i = 0; i < samples + 20; i++) {
    const before = agent.lastDispatch;
    const t0 = performance.now();
    const done = executor.execute({ intent: { intent_id: `bench-${i}`, market: 'SPOT', symbol: 'BTCUSDT', side: i % 2 ? 'SELL' : 'BUY', qty: 0.0001, exec_policy: 'Market' } });
    // The first dispatch after t0 is the intent's first request.
    await new Promise<void>((resolve) => {
      const poll = (): void => (agent.lastDispatch !== before ? resolve() : void setImmediate(poll));
      poll();
    });
    const first = agent.lastDispatch - t0;
    await done;
    if (i >= 20) ours.push(first);
  }

  const bare: number[] = [];
  const pool = new Agent({ connections: 8 });
  for (let i = 0; i < samples + 20; i++) {
    const t0 = performance.now();
    const query = `symbol=BTCUSDT&side=${i % 2 ? 'SELL' : 'BUY'}&type=MARKET&quantity=0.0001&newClientOrderId=bare-${i}&recvWindow=5000&timestamp=${Date.now()}`;
    const signature = createHmac('sha256', LOCAL_API_SECRET).update(query).digest('hex');
    let dispatched = 0;
    const wrapped = pool.compose((dispatch) => (opts, handler) => {
      dispatched = performance.now();
      return dispatch(opts, handler);
    });
    const res = await wrapped.request({ origin: ex.url, path: `/api/v3/order?${query}&signature=${signature}`, method: 'POST', headers: { 'X-MBX-APIKEY': LOCAL_API_KEY } });
    await res.body.json();
    if (i >= 20) bare.push(dispatched - t0);
  }

  const o = median(ours) * 1000;
  const b = median(bare) * 1000;
  console.log(`execute(intent) → first request dispatched: ${fmt(o)} µs (median of ${samples}) vs bare signed undici request ${fmt(b)} µs (ratio ${(o / b).toFixed(2)}x, +${fmt(o - b)} µs of SDK work before the first byte)`);
  await executor.close();
  await connector.close();
  await pool.close();
  await agent.close();
  await ex.close();
}
