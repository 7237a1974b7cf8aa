/**
 * Test support for the end-to-end suites: two-sided books seeded into the local exchange's
 * engine, and a connector pointed at a local exchange.
 */
import Big from 'big.js';
import type { Market, PaperEngine } from '@chimera/core';
import { BinanceConnector, type BinanceConnectorOptionsInput } from '@chimera/binance';
import { LOCAL_API_KEY, LOCAL_API_SECRET, type LocalBinance } from '@chimera/binance/testing';

/**
 * Replaces a symbol's visible book with `levels` levels a side around `mid`: bids from one tick
 * under it, asks from one tick over it, `qty` each.
 */
export function seedBook(engine: PaperEngine, market: Market, symbol: string, mid: string, qty = '0.5', levels = 10): void {
  const tick = new Big(engine.instrument(market, symbol).tickSize);
  const m = new Big(mid).div(tick).round(0, Big.roundDown).times(tick);
  const bids: [string, string][] = [];
  const asks: [string, string][] = [];
  for (let i = 1; i <= levels; i++) {
    bids.push([m.minus(tick.times(i)).toFixed(), qty]);
    asks.push([m.plus(tick.times(i)).toFixed(), qty]);
  }
  engine.applyBookSnapshot(market, symbol, { bids, asks });
}

/**
 * Keeps a symbol's market moving like a live one: every `everyMs` the best bid's quantity moves
 * by one step and back, so the exchange publishes a depth diff and a bookTicker — what a
 * subscription on a busy Binance symbol hears within milliseconds. Nothing crosses: only the
 * quantity of the current best bid changes. @returns a function that stops it.
 */
export function keepMarketLive(engine: PaperEngine, market: Market, symbol: string, everyMs = 20): () => void {
  const step = new Big(engine.instrument(market, symbol).stepSize);
  let up = true;
  const timer = setInterval(() => {
    let top;
    try {
      top = engine.ticker(market, symbol);
    } catch {
      return; // no two-sided book right now
    }
    const qty = up ? new Big(top.bidQty).plus(step) : new Big(top.bidQty).minus(step);
    up = !up;
    if (qty.gt(0)) engine.applyBookDiff(market, symbol, { bids: [[top.bid, qty.toFixed()]], asks: [] });
  }, everyMs);
  return () => clearInterval(timer);
}

/** Seeds BTCUSDT and ETHUSDT books on both markets. */
export function seedMarkets(engine: PaperEngine): void {
  for (const market of ['SPOT', 'FUT'] as const) {
    seedBook(engine, market, 'BTCUSDT', '64000');
    seedBook(engine, market, 'ETHUSDT', '3200', '5');
  }
}

/**
 * A connector on the local exchange (REST and WebSocket) with its default HMAC key; settlement
 * queries run at once.
 */
export function localConnector(ex: LocalBinance, extra: BinanceConnectorOptionsInput = {}): BinanceConnector {
  return new BinanceConnector({
    apiKey: LOCAL_API_KEY,
    secret: LOCAL_API_SECRET,
    baseUrls: { spot: ex.url, um: ex.url },
    streamUrls: ex.streamUrls,
    settle: { attempts: 3, delayMs: 0 },
    ...extra,
  });
}
