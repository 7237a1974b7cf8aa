/**
 * Default instruments of the paper venue: BTCUSDT and ETHUSDT on SPOT and FUT with Binance's
 * published filters (as of 2025), so paper orders meet the same rules live orders will.
 *
 * @packageDocumentation
 */
import type { Instrument } from '../domain/instrument.js';

const FUT_BRACKETS_BTC: Instrument['leverageBrackets'] = [
  { bracket: 1, initialLeverage: 125, notionalFloor: '0', notionalCap: '50000', maintMarginRatio: '0.004' },
  { bracket: 2, initialLeverage: 100, notionalFloor: '50000', notionalCap: '600000', maintMarginRatio: '0.005' },
  { bracket: 3, initialLeverage: 75, notionalFloor: '600000', notionalCap: '3000000', maintMarginRatio: '0.0065' },
  { bracket: 4, initialLeverage: 50, notionalFloor: '3000000', notionalCap: '12000000', maintMarginRatio: '0.01' },
];

const FUT_BRACKETS_ETH: Instrument['leverageBrackets'] = [
  { bracket: 1, initialLeverage: 125, notionalFloor: '0', notionalCap: '50000', maintMarginRatio: '0.004' },
  { bracket: 2, initialLeverage: 100, notionalFloor: '50000', notionalCap: '600000', maintMarginRatio: '0.005' },
  { bracket: 3, initialLeverage: 75, notionalFloor: '600000', notionalCap: '3000000', maintMarginRatio: '0.0065' },
];

/**
 * The paper venue's default instruments.
 * @param venue - venue id written into each instrument (default `paper`).
 */
export function paperInstruments(venue = 'paper'): Instrument[] {
  const spot = (symbol: string, base: string, tickSize: string, stepSize: string): Instrument => ({
    venue,
    market: 'SPOT',
    symbol,
    base,
    quote: 'USDT',
    status: 'TRADING',
    tickSize,
    stepSize,
    minQty: stepSize,
    maxQty: '9000',
    marketMaxQty: '100',
    minPrice: tickSize,
    maxPrice: '1000000',
    minNotional: '5',
    gridFromMin: true,
    percentPrice: { multiplierUp: '5', multiplierDown: '0.2' },
    leverageBrackets: [],
  });
  const fut = (
    symbol: string,
    base: string,
    tickSize: string,
    stepSize: string,
    minNotional: string,
    brackets: Instrument['leverageBrackets'],
  ): Instrument => ({
    venue,
    market: 'FUT',
    symbol,
    base,
    quote: 'USDT',
    status: 'TRADING',
    tickSize,
    stepSize,
    minQty: stepSize,
    maxQty: '1000',
    marketStepSize: stepSize,
    marketMinQty: stepSize,
    marketMaxQty: '120',
    minPrice: '556.80',
    maxPrice: '4529764',
    minNotional,
    gridFromMin: true,
    percentPrice: { multiplierUp: '1.05', multiplierDown: '0.95' },
    leverageBrackets: brackets,
  });
  return [
    spot('BTCUSDT', 'BTC', '0.01', '0.00001'),
    spot('ETHUSDT', 'ETH', '0.01', '0.0001'),
    fut('BTCUSDT', 'BTC', '0.1', '0.001', '100', FUT_BRACKETS_BTC),
    { ...fut('ETHUSDT', 'ETH', '0.01', '0.001', '20', FUT_BRACKETS_ETH), minPrice: '39.86', maxPrice: '306177' },
  ];
}
