/**
 * MAX markets (`GET /api/v3/markets`) mapped to the core `Instrument`, and the symbol mapping
 * between MAX market ids (`btcusdt`) and core symbols (`BTCUSDT`). VENUES.md A.2 "Precision and
 * minimums".
 *
 * - `quote_unit_precision` is the number of price decimals: tick `10^-p`;
 * - `base_unit_precision` is the number of amount decimals: step `10^-p`, and it can be
 *   **negative** (`shibtwd`: −3 → amounts are multiples of 1000);
 * - `min_base_amount` is the smallest amount, `min_quote_amount` the smallest cost (price × amount);
 * - there is no maximum amount, price bound or market-order grid; grids count from zero.
 *
 * @packageDocumentation
 */
import { Instrument, ValidationError, type InstrumentStatus } from '@chimera/core';
import { z } from 'zod';
import { parseVenue, unexpected, VENUE_ID, WireDecimal } from './wire.js';

/** MAX market statuses → core status. `cancel-only` accepts cancels but no orders: HALTED. */
const STATUS: Record<string, InstrumentStatus> = {
  active: 'TRADING',
  'cancel-only': 'HALTED',
  suspended: 'HALTED',
};

const CORE_SYMBOL = /^[A-Z0-9]{3,}$/;
const MAX_MARKET = /^[a-z0-9]{3,}$/;

/** Quote currencies MAX lists, longest first, for splitting a market id without the markets list. */
export const KNOWN_QUOTES: readonly string[] = ['usdt', 'usdc', 'twd', 'btc', 'eth'];

/** One row of `GET /api/v3/markets` (lenient: extra fields such as `m_wallet_supported` are dropped). */
export const MaxMarketSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  base_unit: z.string().min(1),
  base_unit_precision: z.number().int(),
  min_base_amount: WireDecimal,
  quote_unit: z.string().min(1),
  quote_unit_precision: z.number().int(),
  min_quote_amount: WireDecimal,
});
/** One row of `GET /api/v3/markets`, parsed. */
export type MaxMarket = z.output<typeof MaxMarketSchema>;

/**
 * The grid step for a number of decimals: `2` → `"0.01"`, `0` → `"1"`, `-3` → `"1000"`.
 *
 * @param precision - Decimals (MAX `*_unit_precision`), an integer in [−30, 30].
 * @throws ValidationError (`INVALID_PRECISION`) outside that range or when not an integer.
 */
export function precisionToStep(precision: number): string {
  if (!Number.isInteger(precision) || Math.abs(precision) > 30) {
    throw new ValidationError(`precision: expected an integer in [-30, 30], got ${precision}`, [{ path: 'precision', message: 'out of range' }], {
      code: 'INVALID_PRECISION',
    });
  }
  if (precision <= 0) return `1${'0'.repeat(-precision)}`;
  return `0.${'0'.repeat(precision - 1)}1`;
}

/**
 * The MAX market id of a core symbol: `BTCUSDT` → `btcusdt`.
 * @throws ValidationError (`INVALID_SYMBOL`) when `symbol` is not a core symbol.
 */
export function toMaxMarket(symbol: string): string {
  if (!CORE_SYMBOL.test(symbol)) {
    throw new ValidationError(`symbol: expected an uppercase symbol like "BTCUSDT", got "${symbol}"`, [{ path: 'symbol', message: 'not a core symbol' }], {
      code: 'INVALID_SYMBOL',
    });
  }
  return symbol.toLowerCase();
}

/**
 * The core symbol of a MAX market id: `btcusdt` → `BTCUSDT`.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) when `market` is not a MAX market id.
 */
export function fromMaxMarket(market: string): string {
  if (!MAX_MARKET.test(market)) unexpected('market', 'market', `not a MAX market id: "${market}"`);
  return market.toUpperCase();
}

/** The core asset name of a MAX currency: `usdt` → `USDT`. */
export function fromMaxCurrency(currency: string): string {
  return currency.toUpperCase();
}

/** The MAX currency of a core asset: `USDT` → `usdt`. */
export function toMaxCurrency(asset: string): string {
  return asset.toLowerCase();
}

/**
 * Splits a MAX market id into base and quote currencies by its quote suffix, for payloads that
 * name only the market (a trade without `fee_currency`). Prefer {@link MaxSymbols}, built from the
 * markets list, which knows every market's units.
 *
 * @param market - A MAX market id, e.g. `btctwd`.
 * @param quotes - Quote currencies to try, longest first (default {@link KNOWN_QUOTES}).
 * @returns `{ base, quote }` in MAX's lowercase, or `undefined` when no quote matches.
 */
export function splitMaxMarket(market: string, quotes: readonly string[] = KNOWN_QUOTES): { base: string; quote: string } | undefined {
  for (const quote of quotes) {
    if (market.length > quote.length && market.endsWith(quote)) return { base: market.slice(0, -quote.length), quote };
  }
  return undefined;
}

/**
 * Maps one MAX market to a core instrument (`market: 'SPOT'`, venue `max`).
 *
 * @param market - A parsed `/markets` row.
 * @returns The instrument: tick from `quote_unit_precision`, step from `base_unit_precision`
 *   (negative precision → steps of 10, 100, …), `minQty` = `min_base_amount`, `minNotional` =
 *   `min_quote_amount`; unknown statuses read as HALTED (never trade on a guess).
 * @throws VenueError (`UNEXPECTED_RESPONSE`) when the id or a precision cannot be mapped.
 */
export function marketToInstrument(market: MaxMarket): Instrument {
  const symbol = fromMaxMarket(market.id);
  let tickSize: string;
  let stepSize: string;
  try {
    tickSize = precisionToStep(market.quote_unit_precision);
    stepSize = precisionToStep(market.base_unit_precision);
  } catch {
    return unexpected('market', market.id, 'precision out of range');
  }
  return parseVenue(
    Instrument,
    {
      venue: VENUE_ID,
      market: 'SPOT',
      symbol,
      base: fromMaxCurrency(market.base_unit),
      quote: fromMaxCurrency(market.quote_unit),
      status: STATUS[market.status] ?? 'HALTED',
      tickSize,
      stepSize,
      minQty: market.min_base_amount,
      minNotional: market.min_quote_amount,
      gridFromMin: false,
    },
    `market ${market.id}`,
  );
}

/**
 * Parses `GET /api/v3/markets` into core instruments, in the order MAX lists them.
 *
 * @param body - The decoded response body (an array of markets).
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseMarkets(body: unknown): Instrument[] {
  return parseVenue(z.array(MaxMarketSchema), body, 'markets').map(marketToInstrument);
}

/**
 * The symbol table of the markets MAX lists: core symbol ↔ MAX market id, with each market's base
 * and quote. Built from {@link parseMarkets}' output (or any instruments of venue `max`).
 */
export class MaxSymbols {
  private readonly bySymbol = new Map<string, Instrument>();

  /** @param instruments - Instruments from {@link parseMarkets}. */
  constructor(instruments: Iterable<Instrument>) {
    for (const i of instruments) this.bySymbol.set(i.symbol, i);
  }

  /** Number of markets known. */
  get size(): number {
    return this.bySymbol.size;
  }

  /** The instrument of a core symbol, if MAX lists it. */
  instrument(symbol: string): Instrument | undefined {
    return this.bySymbol.get(symbol);
  }

  /** The MAX market id of a core symbol, or `undefined` when MAX does not list it. */
  marketOf(symbol: string): string | undefined {
    return this.bySymbol.has(symbol) ? symbol.toLowerCase() : undefined;
  }

  /** The core symbol of a MAX market id, or `undefined` when MAX does not list it. */
  symbolOf(market: string): string | undefined {
    const symbol = market.toUpperCase();
    return this.bySymbol.has(symbol) ? symbol : undefined;
  }

  /** Base and quote assets (core spelling) of a core symbol, or `undefined` when unknown. */
  unitsOf(symbol: string): { base: string; quote: string } | undefined {
    const i = this.bySymbol.get(symbol);
    return i ? { base: i.base, quote: i.quote } : undefined;
  }
}
