/**
 * What the local MAX exchange lists and holds by default: three markets with MAX's documented
 * precisions and minimums (the rows of the official node SDK's `markets.json` fixture), a
 * two-sided book for each, an account with TWD, BTC and USDT, and MAX's base-tier fees.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { FeeSchedule, Instrument, PaperBalances, PaperBookUpdate } from '@chimera/core';
import { parseMarkets } from '../rest/instruments.js';

/** A private big.js constructor: host settings must not change the default books. */
const D = Big();

/** The `/api/v3/markets` rows the local exchange lists by default (btctwd, usdttwd, btcusdt). */
export const LOCAL_MAX_MARKETS: ReadonlyArray<Readonly<Record<string, unknown>>> = Object.freeze([
  { id: 'btctwd', status: 'active', base_unit: 'btc', base_unit_precision: 8, min_base_amount: 0.0001, quote_unit: 'twd', quote_unit_precision: 1, min_quote_amount: 250, m_wallet_supported: true },
  { id: 'usdttwd', status: 'active', base_unit: 'usdt', base_unit_precision: 2, min_base_amount: 8, quote_unit: 'twd', quote_unit_precision: 3, min_quote_amount: 250, m_wallet_supported: true },
  { id: 'btcusdt', status: 'active', base_unit: 'btc', base_unit_precision: 6, min_base_amount: 0.0001, quote_unit: 'usdt', quote_unit_precision: 2, min_quote_amount: 8, m_wallet_supported: true },
]);

/** The default markets as core instruments (venue `max`, SPOT). */
export function localMaxInstruments(): Instrument[] {
  return parseMarkets(LOCAL_MAX_MARKETS);
}

/** Starting balances of the local account: 10 000 000 TWD, 10 BTC, 100 000 USDT. */
export const LOCAL_MAX_BALANCES: PaperBalances = Object.freeze({ SPOT: { TWD: '10000000', BTC: '10', USDT: '100000' } });

/** MAX's base-tier spot fees (maker 0.05 %, taker 0.15 %; VENUES.md A.2, from ccxt). */
export const LOCAL_MAX_FEES: Partial<FeeSchedule> = Object.freeze({ SPOT: { maker: '0.0005', taker: '0.0015' } });

/**
 * A ladder of `levels` price levels each side around a best bid and ask, `step` apart, with
 * quantities growing away from the touch.
 */
export function ladderBook(bestBid: string, bestAsk: string, step: string, baseQty: string, levels = 20): PaperBookUpdate {
  const bids: Array<[string, string]> = [];
  const asks: Array<[string, string]> = [];
  for (let i = 0; i < levels; i++) {
    const qty = new D(baseQty).times(i + 1).toFixed();
    bids.push([new D(bestBid).minus(new D(step).times(i)).toFixed(), qty]);
    asks.push([new D(bestAsk).plus(new D(step).times(i)).toFixed(), qty]);
  }
  return { bids, asks };
}

/**
 * The default books: BTCTWD 1 950 000.0 / 1 950 100.0, USDTTWD 32.190 / 32.200 (mid 32.195),
 * BTCUSDT 60 000.00 / 60 001.00; 20 levels each side.
 */
export function localMaxBooks(): Record<string, PaperBookUpdate> {
  return {
    BTCTWD: ladderBook('1950000', '1950100', '100', '0.05'),
    USDTTWD: ladderBook('32.19', '32.2', '0.005', '500'),
    BTCUSDT: ladderBook('60000', '60001', '1', '0.05'),
  };
}
