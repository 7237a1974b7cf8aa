import { tickFigures, type MarketTick } from '../domain/market-data.js';

/** A FUT BTCUSDT tick with bid/ask around 65 000, received at `receiveTime`, for risk tests. */
export function sampleTick(receiveTime: number, overrides: Partial<MarketTick> = {}): MarketTick {
  const bid = overrides.bid ?? '64999.9';
  const ask = overrides.ask ?? '65000.1';
  const bidQty = overrides.bidQty ?? '2';
  const askQty = overrides.askQty ?? '3';
  return {
    venue: 'test',
    market: 'FUT',
    symbol: 'BTCUSDT',
    bid,
    bidQty,
    ask,
    askQty,
    ...tickFigures(bid, bidQty, ask, askQty),
    eventTime: receiveTime,
    receiveTime,
    ...overrides,
  };
}
