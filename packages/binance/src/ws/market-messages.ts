/**
 * The low-rate Binance market payloads mapped to core types: `markPriceUpdate` (mark price and
 * the next funding) and `aggTrade` (public trades). They arrive `JSON.parse`d.
 *
 * @packageDocumentation
 */
import { toDecimalString, type FundingEvent, type Market, type MarkPriceTick, type TradeTick } from '@chimera/core';

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A decimal string in canonical form (`"65000.10000000"` → `"65000.1"`), or undefined. */
function dec(v: unknown): string | undefined {
  return typeof v === 'string' && DECIMAL.test(v) ? toDecimalString(v) : undefined;
}

function time(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/**
 * Maps a `markPriceUpdate` (`<s>@markPrice[@1s]`): `p` mark, `i` index, `r` funding rate that
 * applies at `T`, the next funding time; `E` event time.
 * @returns undefined when the payload lacks a field (or is another event).
 */
export function parseMarkPriceUpdate(data: unknown, receiveTime: number, venue = 'binance'): MarkPriceTick | undefined {
  if (!isObj(data) || data.e !== 'markPriceUpdate' || typeof data.s !== 'string') return undefined;
  const markPrice = dec(data.p);
  const fundingRate = dec(data.r);
  const nextFundingTime = time(data.T);
  const eventTime = time(data.E);
  if (markPrice === undefined || fundingRate === undefined || nextFundingTime === undefined || eventTime === undefined) return undefined;
  const tick: MarkPriceTick = { venue, symbol: data.s, markPrice, fundingRate, nextFundingTime, eventTime, receiveTime };
  const index = dec(data.i);
  if (index !== undefined) tick.indexPrice = index;
  return tick;
}

/** The predicted funding a mark-price tick announces, for `mkt:events:{funding}:<SYMBOL>`. */
export function nextFundingEvent(mark: MarkPriceTick): FundingEvent {
  return { venue: mark.venue, symbol: mark.symbol, kind: 'NEXT', rate: mark.fundingRate, fundingTime: mark.nextFundingTime, ts: mark.eventTime };
}

/**
 * Maps an `aggTrade`: `a` aggregate trade id, `p`/`q` price and quantity, `m` true when the buyer
 * was the maker (so the taker sold), `E` event time.
 * @returns undefined when the payload lacks a field (or is another event).
 */
export function parseAggTrade(data: unknown, market: Market, receiveTime: number, venue = 'binance'): TradeTick | undefined {
  if (!isObj(data) || data.e !== 'aggTrade' || typeof data.s !== 'string') return undefined;
  const price = dec(data.p);
  const qty = dec(data.q);
  const eventTime = time(data.E);
  const id = data.a;
  if (price === undefined || qty === undefined || eventTime === undefined || typeof data.m !== 'boolean') return undefined;
  if (typeof id !== 'number' && typeof id !== 'string') return undefined;
  return { venue, market, symbol: data.s, tradeId: String(id), price, qty, takerSide: data.m ? 'SELL' : 'BUY', eventTime, receiveTime };
}
