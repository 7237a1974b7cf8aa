/**
 * The paper engine's typed refusals written as Binance's error answers, per product (BINANCE.md
 * §5, §9): Spot filter failures as `-1013 "Filter failure: <FILTER>"`, UM ones with their own
 * codes; post-only takes as Spot `-2010` / UM `-5022`; unknown orders as `-2011` (cancel) or
 * `-2013` (query); and so on.
 *
 * @packageDocumentation
 */
import { FilterError, isChimeraError, ValidationError, type Instrument } from '@chimera/core';
import type { BinanceProduct } from '../rest/request.js';
import { spotNotionalFilterName } from './render.js';
import { BinanceWireError } from './wire-error.js';

const bad = (code: number, msg: string): BinanceWireError => new BinanceWireError(400, code, msg);

function spotFilter(details: Record<string, unknown>, instrument: Instrument | undefined): string {
  const filter = typeof details.filter === 'string' ? details.filter : 'UNKNOWN';
  if (filter === 'MIN_NOTIONAL' || filter === 'MAX_NOTIONAL') return instrument ? spotNotionalFilterName(instrument) : 'NOTIONAL';
  return filter;
}

function umFilter(code: string, details: Record<string, unknown>): BinanceWireError {
  const stop = details.field === 'stopPrice';
  switch (code) {
    case 'QTY_NOT_POSITIVE':
      return bad(-4003, 'Quantity less than or equal to zero.');
    case 'QTY_BELOW_MIN':
      return bad(-4004, 'Quantity less than min quantity.');
    case 'QTY_ABOVE_MAX':
      return bad(-4005, 'Quantity greater than max quantity.');
    case 'QTY_OFF_STEP':
      return bad(-4023, 'Quantity not increased by step size.');
    case 'PRICE_NOT_POSITIVE':
      return stop ? bad(-4006, 'Stop price less than zero.') : bad(-4001, 'Price less than 0.');
    case 'PRICE_BELOW_MIN':
      return bad(-4013, 'Price less than min price.');
    case 'PRICE_ABOVE_MAX':
      return stop ? bad(-4007, 'Stop price greater than max price.') : bad(-4002, 'Price greater than max price.');
    case 'PRICE_OFF_TICK':
      return bad(-4014, 'Price not increased by tick size.');
    case 'NOTIONAL_BELOW_MIN':
      return bad(-4164, `Order's notional must be no smaller than ${String(details.limit ?? '5')} (unless you choose reduce only).`);
    case 'PERCENT_PRICE':
      // BUY orders are capped by multiplierUp (≥ 1), SELL orders floored by multiplierDown (< 1).
      return Number(details.multiplier) >= 1
        ? bad(-4016, `Limit price can't be higher than ${String(details.limit)}.`)
        : bad(-4024, `Limit price can't be lower than ${String(details.limit)}.`);
    default:
      return bad(-1013, `Filter failure: ${String(details.filter ?? code)}`);
  }
}

/**
 * Writes an error thrown while serving a request as Binance's answer.
 *
 * @param product - Which API answered (codes differ per product).
 * @param err - What the engine or a handler threw.
 * @param instrument - The symbol's instrument, when known (names Spot's notional filter).
 * @returns The Binance answer; unexpected errors become HTTP 500 `-1000`.
 */
export function toWireError(product: BinanceProduct, err: unknown, instrument?: Instrument): BinanceWireError {
  if (err instanceof BinanceWireError) return err;
  if (!isChimeraError(err)) return new BinanceWireError(500, -1000, 'An unknown error occurred while processing the request.');
  const spot = product === 'spot';
  const d = err.details;
  switch (err.code) {
    case 'POST_ONLY_REJECTED':
      return spot
        ? bad(-2010, 'Order would immediately match and take.')
        : bad(-5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history');
    case 'ORDER_NOT_FOUND':
      return d.venueCode === -2011 ? bad(-2011, 'Unknown order sent.') : bad(-2013, 'Order does not exist.');
    case 'INSUFFICIENT_FUNDS':
      return spot ? bad(-2010, 'Account has insufficient balance for requested action.') : bad(-2019, 'Margin is insufficient.');
    case 'DUPLICATE_ORDER':
      return spot ? bad(-2010, 'Duplicate order sent.') : bad(-4116, 'ClientOrderId is duplicated.');
    case 'REDUCE_ONLY_REJECTED':
      return bad(-2022, 'ReduceOnly Order is rejected.');
    case 'WOULD_IMMEDIATELY_TRIGGER':
      return spot ? bad(-2010, 'Order would trigger immediately.') : bad(-2021, 'Order would immediately trigger.');
    case 'MARKET_CLOSED':
      return bad(-2010, 'Market is closed.');
    case 'UNKNOWN_SYMBOL':
      return bad(-1121, 'Invalid symbol.');
    case 'OCO_INVALID_PRICES':
      return bad(-1013, 'The relationship of the prices for the orders is not correct.');
    case 'INVALID_LEVERAGE':
      return bad(-4028, `Leverage ${String(d.leverage)} is not valid`);
    case 'MARGIN_TYPE_LOCKED':
      return bad(-4048, 'Margin type cannot be changed if there exists position.');
    case 'NO_MARKET_DATA':
      return new BinanceWireError(503, -1001, 'Internal error; unable to process your request. Please try again.');
    case 'UNSUPPORTED':
      return bad(-1100, `Illegal characters found in a parameter. ${err.shortMessage}`);
  }
  if (err instanceof FilterError) {
    return spot ? bad(-1013, `Filter failure: ${spotFilter(d, instrument)}`) : umFilter(err.code, d);
  }
  if (err instanceof ValidationError) return bad(-1102, err.shortMessage);
  return new BinanceWireError(500, -1000, 'An unknown error occurred while processing the request.');
}
