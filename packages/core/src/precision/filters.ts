/**
 * The instrument's trading rules (filters) checked on exact decimals before an order leaves
 * (DESIGN.md principles 3 and 6): a failing order is denied locally with a coded `FilterError`
 * (status 422, never retried) instead of costing a request and a venue rejection.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { DECIMAL_PATTERN } from '../domain/decimal.js';
import type { OrderType, Side } from '../domain/enums.js';
import type { Instrument } from '../domain/instrument.js';
import { FilterError, ValidationError } from '../errors.js';
import { isOnGrid, roundPriceForSide, roundQty, type PriceRole } from './round.js';

/** A private big.js constructor, so a host's global big.js settings cannot reach these checks. */
const D = Big();

/**
 * Stable codes of {@link FilterError}s raised by {@link checkFilters}. `details.field` names the
 * offending field (`qty`, `price`, `stopPrice`, `notional`) and `details.limit` the bound it broke.
 */
export type FilterCode =
  | 'QTY_NOT_POSITIVE'
  | 'QTY_BELOW_MIN'
  | 'QTY_ABOVE_MAX'
  | 'QTY_OFF_STEP'
  | 'PRICE_NOT_POSITIVE'
  | 'PRICE_BELOW_MIN'
  | 'PRICE_ABOVE_MAX'
  | 'PRICE_OFF_TICK'
  | 'NOTIONAL_BELOW_MIN'
  | 'NOTIONAL_ABOVE_MAX'
  | 'PERCENT_PRICE';

/**
 * The parts of an {@link Instrument} the filters read. A full `Instrument` fits; the paper engine
 * or a test may pass just these. `symbol` only labels error details.
 */
export type InstrumentFilters = Pick<
  Instrument,
  | 'tickSize'
  | 'stepSize'
  | 'minQty'
  | 'maxQty'
  | 'marketStepSize'
  | 'marketMinQty'
  | 'marketMaxQty'
  | 'minPrice'
  | 'maxPrice'
  | 'minNotional'
  | 'maxNotional'
  | 'percentPrice'
> & {
  /** Whether the grids count from `minQty` / `minPrice` (Binance). Default false. */
  gridFromMin?: boolean;
  /** Symbol, copied into error details. */
  symbol?: string;
};

/** An order as the filters see it: decimal strings in base units (qty) and quote per base (prices). */
export interface FilterOrder {
  /** Order type; decides which lot size applies and which prices are read. */
  type: OrderType;
  /** Order side; decides which PERCENT_PRICE bound applies. */
  side: Side;
  /** Base-asset quantity. */
  qty: string;
  /** Limit price; read for LIMIT, STOP_LIMIT and TAKE_PROFIT_LIMIT (required there), ignored otherwise. */
  price?: string;
  /** Trigger price; read for the conditional types (required there), ignored otherwise. */
  stopPrice?: string;
  /**
   * The venue's reference price (Binance Spot: the average price; UM: the mark price). Prices the
   * notional of orders without a limit price and anchors PERCENT_PRICE. Optional: without it those
   * checks are skipped (a market order's notional is then unknown, not wrong).
   */
  referencePrice?: string;
  /**
   * Futures only: the order may only reduce the position. Skips the minimum notional, which
   * Binance UM waives for reduce-only orders (`-4164`) so that a small remainder can be closed.
   */
  reduceOnly?: boolean;
}

/** The quantity rules that apply to one order: grid step, minimum and optional maximum. */
export interface LotSize {
  /** Venue filter the rules come from, for error details. */
  filter: 'LOT_SIZE' | 'MARKET_LOT_SIZE';
  /** Quantity grid step (`"0"`: no grid). */
  stepSize: string;
  /** Smallest allowed quantity (also the grid anchor when the venue counts from it). */
  minQty: string;
  /** Largest allowed quantity; undefined: none. */
  maxQty?: string;
}

/** The rounded values {@link prepareOrder} returns, ready to send. Absent fields are not sent. */
export interface PreparedOrder {
  /** Quantity rounded down to the lot step. */
  qty: string;
  /** Limit price rounded to the tick on the conservative side; only for types with a limit price. */
  price?: string;
  /** Trigger price rounded as a `stop`; only for the conditional types. */
  stopPrice?: string;
}

const LIMIT_PRICED: ReadonlySet<OrderType> = new Set<OrderType>(['LIMIT', 'STOP_LIMIT', 'TAKE_PROFIT_LIMIT']);
const TRIGGERED: ReadonlySet<OrderType> = new Set<OrderType>(['STOP_MARKET', 'TAKE_PROFIT_MARKET', 'STOP_LIMIT', 'TAKE_PROFIT_LIMIT']);

/** Whether an order of this type carries a limit price (`price`). */
function hasLimitPrice(type: OrderType): boolean {
  return LIMIT_PRICED.has(type);
}

/** Whether an order of this type carries a trigger price (`stopPrice`). */
function hasStopPrice(type: OrderType): boolean {
  return TRIGGERED.has(type);
}

function parse(value: unknown, field: string): Big {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    const message = 'expected a decimal string like "0.001"';
    throw new ValidationError(`${field}: ${message}`, [{ path: field, message }], {
      code: 'INVALID_DECIMAL',
      details: { field, value },
    });
  }
  return new D(value);
}

/** An optional bound; absent or `"0"` means "none" (Binance disables a filter part with 0). */
function bound(value: string | undefined, field: string): Big | undefined {
  if (value === undefined) return undefined;
  const b = parse(value, field);
  return b.eq(0) ? undefined : b;
}

function text(v: Big): string {
  return v.eq(0) ? '0' : v.toFixed();
}

/**
 * The lot size that applies to an order type.
 *
 * MARKET orders use the market lot size (`marketStepSize` / `marketMinQty` / `marketMaxQty`) field
 * by field where present and non-zero, falling back to the limit lot size: Binance Spot publishes
 * MARKET_LOT_SIZE with `stepSize` and `minQty` of 0 (only the maximum is market-specific) while
 * LOT_SIZE still applies to market orders. Conditional market types (STOP_MARKET,
 * TAKE_PROFIT_MARKET) use the limit lot size: venues do not document consistently which rule a
 * triggered order must meet, and the looser LOT_SIZE never denies locally a protective stop the
 * venue would accept; a stricter venue answers with its own filter error.
 *
 * @param instrument - The instrument's filters.
 * @param type - The order type.
 * @returns The step, minimum and maximum to apply, as decimal strings.
 */
export function lotSizeFor(instrument: InstrumentFilters, type: OrderType): LotSize {
  const limit: LotSize = { filter: 'LOT_SIZE', stepSize: instrument.stepSize, minQty: instrument.minQty };
  if (instrument.maxQty !== undefined) limit.maxQty = instrument.maxQty;
  if (type !== 'MARKET') return limit;
  const present = (v: string | undefined): v is string => v !== undefined && !parse(v, 'market lot').eq(0);
  const { marketStepSize, marketMinQty, marketMaxQty } = instrument;
  if (!present(marketStepSize) && !present(marketMinQty) && !present(marketMaxQty)) return limit;
  const lot: LotSize = {
    filter: 'MARKET_LOT_SIZE',
    stepSize: present(marketStepSize) ? marketStepSize : limit.stepSize,
    minQty: present(marketMinQty) ? marketMinQty : limit.minQty,
  };
  const max = present(marketMaxQty) ? marketMaxQty : limit.maxQty;
  if (max !== undefined) lot.maxQty = max;
  return lot;
}

/** Grid anchor for a venue that counts from the minimum; undefined when the grid starts at 0. */
function anchor(instrument: InstrumentFilters, min: string | undefined): string | undefined {
  if (!instrument.gridFromMin || min === undefined) return undefined;
  return parse(min, 'min').eq(0) ? undefined : min;
}

function fail(instrument: InstrumentFilters, code: FilterCode, message: string, details: Record<string, unknown>): never {
  const symbol = instrument.symbol === undefined ? {} : { symbol: instrument.symbol };
  throw new FilterError(message, { code, details: { ...symbol, ...details } });
}

/** PRICE_FILTER on one price field (`price` or `stopPrice`): positive, bounds, tick. */
function checkPrice(instrument: InstrumentFilters, field: 'price' | 'stopPrice', value: string): void {
  const p = parse(value, field);
  const filter = 'PRICE_FILTER';
  if (p.lte(0)) fail(instrument, 'PRICE_NOT_POSITIVE', `${field} ${value} must be greater than 0`, { field, value, limit: '0', filter });
  const min = bound(instrument.minPrice, 'minPrice');
  if (min && p.lt(min)) {
    fail(instrument, 'PRICE_BELOW_MIN', `${field} ${value} is below the minimum price ${text(min)}`, {
      field,
      value,
      limit: text(min),
      filter,
    });
  }
  const max = bound(instrument.maxPrice, 'maxPrice');
  if (max && p.gt(max)) {
    fail(instrument, 'PRICE_ABOVE_MAX', `${field} ${value} is above the maximum price ${text(max)}`, {
      field,
      value,
      limit: text(max),
      filter,
    });
  }
  const from = anchor(instrument, instrument.minPrice);
  if (!isOnGrid(value, instrument.tickSize, from)) {
    const grid = from === undefined ? '' : ` counted from ${from}`;
    fail(instrument, 'PRICE_OFF_TICK', `${field} ${value} is not on the tick ${instrument.tickSize}${grid}`, {
      field,
      value,
      limit: text(parse(instrument.tickSize, 'tickSize')),
      gridFrom: from === undefined ? '0' : text(parse(from, 'minPrice')),
      filter,
    });
  }
}

/**
 * Checks an order against the instrument's filters on exact decimals and throws on the first
 * failure. Order of checks: quantity (minimum, positive, maximum, step), limit price, trigger price
 * (each: positive, minimum, maximum, tick), PERCENT_PRICE, notional.
 *
 * - Quantity: the lot size from {@link lotSizeFor} (MARKET orders use the market lot size).
 * - Prices: PRICE_FILTER bounds and tick for `price` (limit types) and `stopPrice` (conditional
 *   types); a bound of `"0"` or undefined is disabled. Grids count from the minimum when
 *   `instrument.gridFromMin`.
 * - PERCENT_PRICE (limit price, when `percentPrice` and `referencePrice` are both known): a BUY
 *   must not exceed `reference × multiplierUp`, a SELL must not go below
 *   `reference × multiplierDown`. Only the bound on the crossing side is checked, which is
 *   Binance UM's rule; Binance Spot also bounds the passive side, but denying a deep UM bid the
 *   venue accepts would be worse than letting Spot reject one.
 * - Notional = price × qty in quote units, priced by the limit price, else `referencePrice`, else
 *   (conditional market types) the trigger price; skipped when none is known. The minimum is
 *   skipped for `reduceOnly` orders (see {@link FilterOrder.reduceOnly}).
 *
 * Details of every error carry `field`, `value` (as given), `limit` (canonical decimal), the venue
 * `filter` name and the instrument's `symbol` when known; grid failures add `gridFrom`, the anchor.
 *
 * @param instrument - The instrument's filters (an {@link Instrument} fits).
 * @param order - The order to check; its prices and quantity should already be rounded.
 * @throws FilterError with a {@link FilterCode} (status 422, never retryable) on a broken rule.
 * @throws ValidationError (`INVALID_DECIMAL`, `PRICE_REQUIRED`, `STOP_PRICE_REQUIRED`, status 400)
 *   when a value is not a decimal string or a price the order type needs is missing.
 */
export function checkFilters(instrument: InstrumentFilters, order: FilterOrder): void {
  const qty = parse(order.qty, 'qty');
  const limitPrice = hasLimitPrice(order.type) ? order.price : undefined;
  const stopPrice = hasStopPrice(order.type) ? order.stopPrice : undefined;
  if (hasLimitPrice(order.type) && limitPrice === undefined) {
    const message = `a ${order.type} order needs a price`;
    throw new ValidationError(message, [{ path: 'price', message }], { code: 'PRICE_REQUIRED' });
  }
  if (hasStopPrice(order.type) && stopPrice === undefined) {
    const message = `a ${order.type} order needs a stopPrice`;
    throw new ValidationError(message, [{ path: 'stopPrice', message }], { code: 'STOP_PRICE_REQUIRED' });
  }
  const reference = order.referencePrice === undefined ? undefined : parse(order.referencePrice, 'referencePrice');

  const lot = lotSizeFor(instrument, order.type);
  const filter = lot.filter;
  const minQty = bound(lot.minQty, 'minQty');
  // The minimum comes first so that a quantity rounded down to "0" reports the rule it missed.
  if (minQty && qty.lt(minQty)) {
    fail(instrument, 'QTY_BELOW_MIN', `qty ${order.qty} is below the minimum ${text(minQty)}`, {
      field: 'qty',
      value: order.qty,
      limit: text(minQty),
      filter,
    });
  }
  if (qty.lte(0)) {
    fail(instrument, 'QTY_NOT_POSITIVE', `qty ${order.qty} must be greater than 0`, { field: 'qty', value: order.qty, limit: '0', filter });
  }
  const maxQty = bound(lot.maxQty, 'maxQty');
  if (maxQty && qty.gt(maxQty)) {
    fail(instrument, 'QTY_ABOVE_MAX', `qty ${order.qty} is above the maximum ${text(maxQty)}`, {
      field: 'qty',
      value: order.qty,
      limit: text(maxQty),
      filter,
    });
  }
  const qtyFrom = anchor(instrument, lot.minQty);
  if (!isOnGrid(order.qty, lot.stepSize, qtyFrom)) {
    const grid = qtyFrom === undefined ? '' : ` counted from ${qtyFrom}`;
    fail(instrument, 'QTY_OFF_STEP', `qty ${order.qty} is not on the step ${lot.stepSize}${grid}`, {
      field: 'qty',
      value: order.qty,
      limit: text(parse(lot.stepSize, 'stepSize')),
      gridFrom: qtyFrom === undefined ? '0' : text(parse(qtyFrom, 'minQty')),
      filter,
    });
  }

  if (limitPrice !== undefined) checkPrice(instrument, 'price', limitPrice);
  if (stopPrice !== undefined) checkPrice(instrument, 'stopPrice', stopPrice);

  if (limitPrice !== undefined && reference !== undefined && instrument.percentPrice) {
    const p = new D(limitPrice);
    const { multiplierUp, multiplierDown } = instrument.percentPrice;
    const base = { field: 'price', value: limitPrice, referencePrice: order.referencePrice, filter: 'PERCENT_PRICE' };
    if (order.side === 'BUY') {
      const up = reference.times(parse(multiplierUp, 'multiplierUp'));
      if (p.gt(up)) {
        fail(
          instrument,
          'PERCENT_PRICE',
          `BUY price ${limitPrice} is above ${text(up)} (reference ${order.referencePrice} × ${multiplierUp})`,
          {
            ...base,
            limit: text(up),
            multiplier: multiplierUp,
          }
        );
      }
    } else {
      const down = reference.times(parse(multiplierDown, 'multiplierDown'));
      if (p.lt(down)) {
        fail(
          instrument,
          'PERCENT_PRICE',
          `SELL price ${limitPrice} is below ${text(down)} (reference ${order.referencePrice} × ${multiplierDown})`,
          {
            ...base,
            limit: text(down),
            multiplier: multiplierDown,
          }
        );
      }
    }
  }

  const notionalPrice = limitPrice ?? order.referencePrice ?? stopPrice;
  if (notionalPrice !== undefined) {
    const notional = qty.times(new D(notionalPrice));
    const details = { field: 'notional', value: text(notional), qty: order.qty, price: notionalPrice };
    const minNotional = bound(instrument.minNotional, 'minNotional');
    if (minNotional && !order.reduceOnly && notional.lt(minNotional)) {
      fail(instrument, 'NOTIONAL_BELOW_MIN', `notional ${text(notional)} is below the minimum ${text(minNotional)}`, {
        ...details,
        limit: text(minNotional),
        filter: 'MIN_NOTIONAL',
      });
    }
    const maxNotional = bound(instrument.maxNotional, 'maxNotional');
    if (maxNotional && notional.gt(maxNotional)) {
      fail(instrument, 'NOTIONAL_ABOVE_MAX', `notional ${text(notional)} is above the maximum ${text(maxNotional)}`, {
        ...details,
        limit: text(maxNotional),
        filter: 'MAX_NOTIONAL',
      });
    }
  }
}

/**
 * Rounds an order's quantity and prices to the instrument's grids and checks the filters: what a
 * connector calls right before an order leaves.
 *
 * The quantity is rounded down on the applicable lot step ({@link roundQty}); the limit price with
 * {@link roundPriceForSide} for the given `role`; the trigger price always as a `stop`. Grids count
 * from the minimum when `instrument.gridFromMin`. Prices the order type does not use are dropped.
 * On a filter failure the error's details also carry `requested`, the value before rounding.
 *
 * @param instrument - The instrument's filters (an {@link Instrument} fits).
 * @param order - The order as the caller computed it (unrounded decimal strings).
 * @param role - What the limit price is for: `maker`, `taker` or `stop` (see {@link roundPriceForSide}).
 * @returns The rounded `qty`, and `price` / `stopPrice` when the order type carries them.
 * @throws FilterError with a {@link FilterCode} (status 422, never retryable) when the rounded
 *   order breaks a rule (e.g. the quantity rounds down below the minimum).
 * @throws ValidationError (status 400) on malformed decimals or a missing required price.
 */
export function prepareOrder(instrument: InstrumentFilters, order: FilterOrder, role: PriceRole): PreparedOrder {
  const lot = lotSizeFor(instrument, order.type);
  const qtyOpts = { min: anchor(instrument, lot.minQty) };
  const priceOpts = { min: anchor(instrument, instrument.minPrice) };
  const prepared: PreparedOrder = { qty: roundQty(order.qty, lot.stepSize, qtyOpts) };
  if (hasLimitPrice(order.type) && order.price !== undefined) {
    prepared.price = roundPriceForSide(order.price, instrument.tickSize, order.side, role, priceOpts);
  }
  if (hasStopPrice(order.type) && order.stopPrice !== undefined) {
    prepared.stopPrice = roundPriceForSide(order.stopPrice, instrument.tickSize, order.side, 'stop', priceOpts);
  }
  try {
    checkFilters(instrument, { ...order, ...prepared });
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    const field = err.details.field;
    const requested =
      field === 'qty' || field === 'price' || field === 'stopPrice'
        ? order[field]
        : { qty: order.qty, price: hasLimitPrice(order.type) ? order.price : undefined };
    throw new FilterError(err.shortMessage, { code: err.code, details: { ...err.details, requested }, cause: err });
  }
  return prepared;
}
