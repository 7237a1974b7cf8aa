/**
 * Pieces both products' order builders share: checks that an order matches its instrument,
 * the rounding role of a limit price, and how an order reference becomes id parameters.
 *
 * @packageDocumentation
 */
import { ValidationError, type Instrument, type Market, type OrderRequest, type PriceRole } from '@chimera/core';

/** Options of the place-order builders. */
export interface PlaceOrderOptions {
  /**
   * The venue's reference price (Spot: average or reference price; UM: mark price), decimal
   * string. Anchors the PERCENT_PRICE check and prices the notional of orders without a limit
   * price; without it those checks are skipped (the venue still applies them).
   */
  referencePrice?: string;
}

/** Identifies one order: by client order id (preferred for settling unknown outcomes) or venue id. */
export interface OrderIdentity {
  /** Venue-neutral symbol, e.g. `BTCUSDT`. */
  symbol: string;
  /** The client order id the order was placed with. */
  clientOrderId?: string;
  /** The venue's order id (UM algo orders: the `algoId`). */
  venueOrderId?: string;
}

/** Throws a 400 `ValidationError` with one issue. */
export function invalid(code: string, path: string, message: string): never {
  throw new ValidationError(`${path}: ${message}`, [{ path, message }], { code });
}

/**
 * Checks that an order belongs to the instrument and the expected market.
 * @throws ValidationError (`MARKET_MISMATCH`, `SYMBOL_MISMATCH`).
 */
export function assertInstrument(market: Market, request: { market: Market; symbol: string }, instrument: Instrument): void {
  if (request.market !== market) invalid('MARKET_MISMATCH', 'market', `expected ${market}, got ${request.market}`);
  if (instrument.market !== market) invalid('MARKET_MISMATCH', 'instrument.market', `expected ${market}, got ${instrument.market}`);
  if (request.symbol !== instrument.symbol) {
    invalid('SYMBOL_MISMATCH', 'symbol', `order is for ${request.symbol} but the instrument is ${instrument.symbol}`);
  }
}

/**
 * The rounding role of a limit price (see the core's `roundPriceForSide`): a resting limit
 * (GTC, post-only) is a `maker` price; an IOC/FOK limit and the limit of a triggered stop are
 * `taker` prices (the worst acceptable). Both round BUY down and SELL up.
 */
export function priceRole(request: Pick<OrderRequest, 'type' | 'timeInForce' | 'postOnly'>): PriceRole {
  if (request.type === 'LIMIT' && (request.postOnly || request.timeInForce === undefined || request.timeInForce === 'GTC' || request.timeInForce === 'GTX')) {
    return 'maker';
  }
  return 'taker';
}

/**
 * Id parameters for a query or cancel: the venue id when known (Binance looks it up fastest),
 * else the client order id. Never both: Spot rejects the request when they disagree.
 *
 * @param idName - Parameter name for the venue id (`orderId`, `algoId`).
 * @param clientName - Parameter name for the client id (`origClientOrderId`, `clientAlgoId`).
 * @throws ValidationError (`ORDER_REF_REQUIRED`) when neither id is given.
 */
export function idParams(ref: OrderIdentity, idName: string, clientName: string): Record<string, string> {
  if (ref.venueOrderId !== undefined && ref.venueOrderId !== '') {
    if (!/^\d+$/.test(ref.venueOrderId)) invalid('INVALID_ORDER_REF', 'venueOrderId', 'expected the numeric Binance id');
    return { [idName]: ref.venueOrderId };
  }
  if (ref.clientOrderId !== undefined && ref.clientOrderId !== '') return { [clientName]: ref.clientOrderId };
  return invalid('ORDER_REF_REQUIRED', 'clientOrderId', 'a client order id or a venue order id is required');
}

/** Checks a symbol parameter. @throws ValidationError (`INVALID_SYMBOL`). */
export function symbolParam(symbol: string): string {
  if (typeof symbol !== 'string' || !/^[A-Z0-9]{3,}$/.test(symbol)) invalid('INVALID_SYMBOL', 'symbol', 'expected an uppercase symbol like "BTCUSDT"');
  return symbol;
}

/** A time window as Binance parameters, checked. */
export function windowParams(window: { startTime?: number; endTime?: number } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['startTime', 'endTime'] as const) {
    const v = window[key];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0) invalid('INVALID_WINDOW', key, 'expected epoch milliseconds');
    out[key] = String(v);
  }
  if (window.startTime !== undefined && window.endTime !== undefined && window.startTime > window.endTime) {
    invalid('INVALID_WINDOW', 'startTime', 'must not be after endTime');
  }
  return out;
}

/** A positive integer parameter within bounds. @throws ValidationError (`INVALID_LIMIT`). */
export function intParam(path: string, value: number, min: number, max: number): string {
  if (!Number.isSafeInteger(value) || value < min || value > max) invalid('INVALID_LIMIT', path, `expected an integer from ${min} to ${max}`);
  return String(value);
}
