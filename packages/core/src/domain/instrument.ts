import { z } from 'zod';
import { DecimalString } from './decimal.js';
import { InstrumentStatus, Market, Symbol } from './enums.js';

/** One leverage bracket of a futures instrument (notional in USDT). */
export const LeverageBracket = z.object({
  /** 1-based bracket number. */
  bracket: z.number().int().positive(),
  /** Highest leverage allowed inside this bracket. */
  initialLeverage: z.number().int().positive(),
  /** Position notional (USDT) from which this bracket applies. */
  notionalFloor: DecimalString,
  /** Position notional (USDT) up to which this bracket applies. */
  notionalCap: DecimalString,
  /** Maintenance margin ratio as a decimal (0.004 = 0.4 %). */
  maintMarginRatio: DecimalString,
});
/** One leverage bracket of a futures instrument. */
export type LeverageBracket = z.infer<typeof LeverageBracket>;

/**
 * A tradable instrument with the venue's trading rules (filters). All bounds are decimal strings;
 * `undefined` means the venue sets no such bound.
 */
export const Instrument = z.object({
  /** Venue id, e.g. `binance`, `max`, `paper`. */
  venue: z.string().min(1),
  market: Market,
  /** Venue-neutral uppercase symbol, e.g. `BTCUSDT`. */
  symbol: Symbol,
  /** Base asset, e.g. `BTC`. */
  base: z.string().min(1),
  /** Quote asset, e.g. `USDT`. */
  quote: z.string().min(1),
  status: InstrumentStatus,
  /** Price grid step. */
  tickSize: DecimalString,
  /** Quantity grid step for limit orders. */
  stepSize: DecimalString,
  /** Smallest allowed limit quantity. */
  minQty: DecimalString,
  /** Largest allowed limit quantity. */
  maxQty: DecimalString.optional(),
  /** Quantity grid step for market orders (`MARKET_LOT_SIZE`), when it differs. */
  marketStepSize: DecimalString.optional(),
  /** Smallest market-order quantity, when it differs. */
  marketMinQty: DecimalString.optional(),
  /** Largest market-order quantity, when it differs. */
  marketMaxQty: DecimalString.optional(),
  /** Lowest allowed price (0 or absent: none). */
  minPrice: DecimalString.optional(),
  /** Highest allowed price (0 or absent: none). */
  maxPrice: DecimalString.optional(),
  /** Smallest order notional (price × qty) in quote units. */
  minNotional: DecimalString.optional(),
  /** Largest order notional in quote units. */
  maxNotional: DecimalString.optional(),
  /**
   * Whether the price and quantity grids are counted from `minPrice` / `minQty` (Binance UM and
   * Spot filters: `(price − minPrice) % tickSize == 0`) rather than from zero.
   */
  gridFromMin: z.boolean().default(false),
  /** PERCENT_PRICE bounds: allowed price range as multipliers of the reference price. */
  percentPrice: z
    .object({ multiplierUp: DecimalString, multiplierDown: DecimalString })
    .optional(),
  /** Futures leverage brackets, lowest notional first (empty for spot). */
  leverageBrackets: z.array(LeverageBracket).default([]),
});
/** A tradable instrument with its filters. */
export type Instrument = z.infer<typeof Instrument>;
/** Input form of {@link Instrument} (defaults may be omitted). */
export type InstrumentInput = z.input<typeof Instrument>;
