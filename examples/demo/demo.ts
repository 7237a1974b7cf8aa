/**
 * `npm run demo`: the main flows end to end against the local Binance exchange, with no keys and
 * no network. The exchange is the paper engine behind Binance's wire protocol on 127.0.0.1, fed
 * by the replay fixture (synthetic BTCUSDT Spot + perp data). Flows:
 *
 * 1. a FUT MakerThenTaker entry, isolated 20×, with a stop-loss armed on the mark price;
 * 2. a SPOT OCO entry on a venue that refuses OCO and stop orders → a local guard stop;
 * 3. a SPOT TWAP in three slices.
 *
 * Prints readable lines (or one JSON document with `--json`) and exits 0 only when every flow
 * ended as expected.
 */
import { fileURLToPath } from 'node:url';
import {
  Executor,
  FULL_PAPER_CAPABILITIES,
  MemoryEventSink,
  MemoryStore,
  PaperConnector,
  PaperEngine,
  ReplaySource,
  RiskGate,
  SystemClock,
  loadReplayFile,
} from '@chimera/core';
import { BinanceConnector } from '@chimera/binance';
import { startLocalBinance } from '@chimera/binance/testing';
import { futEntryWithStop, spotTwap, spotOcoToGuard, type DemoStep, type FlowOutcome } from './demo-flows.js';

const FIXTURE = fileURLToPath(new URL('../../packages/core/fixtures/btcusdt-3min.jsonl', import.meta.url));
/** Demo credentials: accepted only by the local exchange started below. */
const DEMO_KEY = { apiKey: 'demo-api-key', secret: 'demo-secret-not-a-real-key' };

/** Runs the demo; `print` receives each readable line. @returns every flow's outcome. */
export async function runDemo(print: (line: string) => void): Promise<FlowOutcome[]> {
  const clock = new SystemClock({ unref: false });
  const replay = new ReplaySource({ clock, frames: loadReplayFile(FIXTURE), timeline: 'shifted', venue: 'binance' });
  // The venue refuses OCO lists and spot stop orders, so the SPOT flow must fall back to a guard.
  const engine = new PaperEngine({
    clock,
    venue: 'binance',
    balances: { SPOT: { USDT: '100000' }, FUT: { USDT: '100000' } },
    capabilities: { ...FULL_PAPER_CAPABILITIES, oco: false, stopOrders: { FUT: true, SPOT: false } },
  });
  const feed = new PaperConnector({ clock, engine, marketData: replay });
  replay.start();
  await feed.follow('SPOT', 'BTCUSDT');
  await feed.follow('FUT', 'BTCUSDT');
  const local = await startLocalBinance({ engine, clock, apiKeys: [DEMO_KEY] });
  const connector = new BinanceConnector({ ...DEMO_KEY, baseUrls: { spot: local.spotUrl, um: local.umUrl }, streamUrls: local.streamUrls, symbols: ['BTCUSDT'], clock });
  const sink = new MemoryEventSink();
  const executor = new Executor({ connector, store: new MemoryStore(), sink, clock, risk: new RiskGate({ clock }) });
  print(`local Binance exchange on ${local.url} (paper engine fed by the replay fixture)`);
  const say = (s: DemoStep): void => print(`[${s.flow}] ${s.step}: ${JSON.stringify(s.detail)}`);
  const outcomes: FlowOutcome[] = [];
  try {
    await connector.connect();
    for (const flow of [futEntryWithStop, spotOcoToGuard, spotTwap]) {
      try {
        outcomes.push(await flow({ executor, connector, sink, say }));
      } catch (err) {
        outcomes.push({ flow: flow.name, ok: false, problem: err instanceof Error ? err.message : String(err), steps: [] });
      }
    }
  } finally {
    await executor.close();
    await connector.close();
    await feed.close();
    replay.stop();
    await local.close();
  }
  for (const o of outcomes) print(`${o.ok ? 'OK  ' : 'FAIL'} ${o.flow}${o.problem ? ` — ${o.problem}` : ''}`);
  return outcomes;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const json = process.argv.includes('--json');
  const outcomes = await runDemo(json ? () => undefined : (line) => console.log(line));
  if (json) console.log(JSON.stringify({ ok: outcomes.every((o) => o.ok), flows: outcomes }, null, 2));
  process.exit(outcomes.every((o) => o.ok) ? 0 : 1);
}
