import { fileURLToPath } from 'node:url';
import Big from 'big.js';
import { FakeClock } from '../clock/clock.js';
import { describeConnector, type ConformanceTarget } from '../testing/describe-connector.js';
import { PaperConnector } from './paper-connector.js';
import { loadReplayFile, ReplaySource } from './replay.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/btcusdt-3min.jsonl', import.meta.url));
const frames = loadReplayFile(FIXTURE);
const START = frames[0]!.ts;

const BALANCES = { SPOT: { USDT: '100000', BTC: '1' }, FUT: { USDT: '100000' } };
const targets: ConformanceTarget[] = [
  { market: 'SPOT', symbol: 'BTCUSDT' },
  { market: 'FUT', symbol: 'BTCUSDT' },
];

/** Puts a synthetic two-sided book around `price` and stalls the replay so it stays there. */
function mover(get: () => PaperConnector) {
  return async (target: ConformanceTarget, price: string): Promise<void> => {
    const c = get();
    const inst = c.engine.instrument(target.market, target.symbol);
    const tick = new Big(inst.tickSize);
    const mid = new Big(price).div(tick).round(0, Big.roundDown).times(tick);
    const level = (i: number, side: 1 | -1): [string, string] => [mid.plus(tick.times(side * (i + 1))).toFixed(), '2'];
    c.faults.stallMarketData({ market: target.market, symbol: target.symbol });
    c.engine.applyBookSnapshot(target.market, target.symbol, {
      bids: Array.from({ length: 10 }, (_, i) => level(i, -1)),
      asks: Array.from({ length: 10 }, (_, i) => level(i, 1)),
    });
  };
}

// The replay is primed at the recording's start and the fake clock never moves: a still market.
let full: PaperConnector;
describeConnector(
  'PaperConnector on the BTCUSDT replay (every capability)',
  () => {
    const clock = new FakeClock(START);
    full = new PaperConnector({ clock, marketData: new ReplaySource({ clock, frames }), balances: BALANCES });
    return full;
  },
  { targets, moveMarket: mover(() => full) },
);

// The same venue with the optional features switched off: every refusal path must be honest.
describeConnector(
  'PaperConnector with minimal capabilities',
  () => {
    const clock = new FakeClock(START);
    return new PaperConnector({
      clock,
      marketData: new ReplaySource({ clock, frames }),
      balances: BALANCES,
      capabilities: {
        postOnly: false,
        oco: false,
        stopOrders: {},
        workingTypes: [],
        reduceOnly: false,
        fok: false,
        leverage: false,
        transfers: false,
        funding: false,
        streams: ['ticker'],
      },
    });
  },
  { targets },
);

// A spot-only venue without a user stream or market-data streams.
describeConnector(
  'PaperConnector, spot only, no streams',
  () => {
    const clock = new FakeClock(START);
    return new PaperConnector({
      clock,
      marketData: new ReplaySource({ clock, frames }),
      balances: BALANCES,
      capabilities: { markets: ['SPOT'], userStream: false, streams: [], transfers: false },
    });
  },
  { targets: [{ market: 'SPOT', symbol: 'BTCUSDT' }] },
);
