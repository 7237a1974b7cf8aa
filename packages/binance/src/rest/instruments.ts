/**
 * Binance `exchangeInfo` symbols and UM leverage brackets mapped to the core `Instrument` and
 * `LeverageBracket` (BINANCE.md §4a, §4c, §5).
 *
 * Grids: UM counts both grids from the minimum (`(price − minPrice) % tickSize == 0`,
 * `(qty − minQty) % stepSize == 0`), so UM instruments get `gridFromMin: true`; Spot's filters
 * count from zero (`price % tickSize == 0`, `quantity % stepSize == 0`, filters.md), so Spot
 * instruments get `gridFromMin: false`.
 *
 * @packageDocumentation
 */
import { Instrument, type InstrumentStatus, type LeverageBracket, type Market } from '@chimera/core';
import { z } from 'zod';
import { VENUE_ID } from './request.js';
import { parseVenue, unexpected, WireDecimal } from './wire.js';

const Filter = z.looseObject({ filterType: z.string() });

const SpotSymbol = z.object({
  symbol: z.string(),
  status: z.string(),
  baseAsset: z.string(),
  quoteAsset: z.string(),
  filters: z.array(Filter),
});

const UmSymbol = z.object({
  symbol: z.string(),
  status: z.string(),
  baseAsset: z.string(),
  quoteAsset: z.string(),
  contractType: z.string(),
  filters: z.array(Filter),
});

const SpotExchangeInfo = z.object({ symbols: z.array(SpotSymbol) });
const UmExchangeInfo = z.object({ symbols: z.array(UmSymbol) });

const PriceFilter = z.object({ minPrice: WireDecimal, maxPrice: WireDecimal, tickSize: WireDecimal });
const LotFilter = z.object({ minQty: WireDecimal, maxQty: WireDecimal, stepSize: WireDecimal });
const SpotMinNotional = z.object({ minNotional: WireDecimal });
const SpotNotional = z.object({ minNotional: WireDecimal, maxNotional: WireDecimal });
const UmMinNotional = z.object({ notional: WireDecimal });
const PercentPrice = z.object({ multiplierUp: WireDecimal, multiplierDown: WireDecimal });
const PercentPriceBySide = z.object({ bidMultiplierUp: WireDecimal, askMultiplierDown: WireDecimal });

/** Spot symbol statuses → core status. Unknown statuses read as HALTED: never trade on a guess. */
const SPOT_STATUS: Record<string, InstrumentStatus> = {
  TRADING: 'TRADING',
  PRE_TRADING: 'PRE_TRADING',
  BREAK: 'BREAK',
  HALT: 'HALTED',
  END_OF_DAY: 'HALTED',
  POST_TRADING: 'HALTED',
  AUCTION_MATCH: 'HALTED',
  // Since 2026-07-07: orders may be cancelled but not placed.
  CANCEL_ONLY: 'HALTED',
};

/** UM contract statuses → core status. Unknown statuses read as HALTED. */
const UM_STATUS: Record<string, InstrumentStatus> = {
  TRADING: 'TRADING',
  PENDING_TRADING: 'PRE_TRADING',
  PRE_DELIVERING: 'HALTED',
  DELIVERING: 'HALTED',
  PRE_SETTLE: 'HALTED',
  SETTLING: 'HALTED',
  DELIVERED: 'DELISTED',
  CLOSE: 'DELISTED',
};

/** The core's symbol rule; Binance symbols outside it (Unicode names) cannot be represented. */
const CORE_SYMBOL = /^[A-Z0-9]{3,}$/;

type Filters = Array<z.infer<typeof Filter>>;

function findFilter<S extends z.ZodType>(filters: Filters, type: string, schema: S, what: string): z.output<S> | undefined {
  const raw = filters.find((f) => f.filterType === type);
  return raw === undefined ? undefined : parseVenue(schema, raw, `${what} ${type} filter`);
}

/** `"0"` means "no bound" in Binance filters; the core wants the field absent then. */
function bound(value: string | undefined): string | undefined {
  return value === undefined || value === '0' ? undefined : value;
}

interface Common {
  market: Market;
  symbol: string;
  base: string;
  quote: string;
  status: InstrumentStatus;
  filters: Filters;
  what: string;
}

function toInstrument(c: Common, notional: { min?: string; max?: string }, percent: { up: string; down: string } | undefined): Instrument {
  const price = findFilter(c.filters, 'PRICE_FILTER', PriceFilter, c.what);
  const lot = findFilter(c.filters, 'LOT_SIZE', LotFilter, c.what);
  if (!price) unexpected(c.what, `${c.symbol}.filters`, 'missing PRICE_FILTER');
  if (!lot) unexpected(c.what, `${c.symbol}.filters`, 'missing LOT_SIZE');
  const market = findFilter(c.filters, 'MARKET_LOT_SIZE', LotFilter, c.what);
  const candidate = {
    venue: VENUE_ID,
    market: c.market,
    symbol: c.symbol,
    base: c.base,
    quote: c.quote,
    status: c.status,
    tickSize: price.tickSize,
    stepSize: lot.stepSize,
    minQty: lot.minQty,
    maxQty: bound(lot.maxQty),
    marketStepSize: bound(market?.stepSize),
    marketMinQty: bound(market?.minQty),
    marketMaxQty: bound(market?.maxQty),
    minPrice: bound(price.minPrice),
    maxPrice: bound(price.maxPrice),
    minNotional: bound(notional.min),
    maxNotional: bound(notional.max),
    gridFromMin: c.market === 'FUT',
    percentPrice: percent === undefined ? undefined : { multiplierUp: percent.up, multiplierDown: percent.down },
    leverageBrackets: [],
  };
  // Drop absent optionals so the object compares cleanly and serialises without `undefined`s.
  const clean = Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined));
  return parseVenue(Instrument, clean, c.what);
}

/**
 * Maps a Spot `GET /api/v3/exchangeInfo` body to instruments.
 *
 * - PRICE_FILTER → `tickSize`, `minPrice`, `maxPrice`; LOT_SIZE → `stepSize`, `minQty`, `maxQty`;
 *   MARKET_LOT_SIZE → `market*` (a `0` field, as Spot publishes for step and minimum, is left
 *   out so the limit lot size applies).
 * - NOTIONAL (`minNotional`, `maxNotional`) wins over the legacy MIN_NOTIONAL (`minNotional`).
 * - PERCENT_PRICE → `percentPrice`; PERCENT_PRICE_BY_SIDE → `{ multiplierUp: bidMultiplierUp,
 *   multiplierDown: askMultiplierDown }`, the two bounds the core checks (BUY ≤ ref·up,
 *   SELL ≥ ref·down).
 * - Status: TRADING, PRE_TRADING, BREAK map through; HALT, END_OF_DAY, POST_TRADING,
 *   AUCTION_MATCH, CANCEL_ONLY and anything unknown → HALTED.
 * - `gridFromMin: false` (Spot grids count from zero). Bounds of `0` are left out (no bound).
 * - Symbols the core cannot represent (`^[A-Z0-9]{3,}$`, e.g. Unicode names) are skipped.
 *
 * @param body - The decoded response body.
 * @returns Instruments in the venue's order.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) when the body or a used filter has another shape,
 *   or a symbol lacks PRICE_FILTER or LOT_SIZE.
 */
export function parseSpotExchangeInfo(body: unknown): Instrument[] {
  const info = parseVenue(SpotExchangeInfo, body, 'spot exchangeInfo');
  return info.symbols
    .filter((s) => CORE_SYMBOL.test(s.symbol))
    .map((s) => {
      const what = 'spot exchangeInfo';
      const notional = findFilter(s.filters, 'NOTIONAL', SpotNotional, what);
      const legacy = findFilter(s.filters, 'MIN_NOTIONAL', SpotMinNotional, what);
      const pp = findFilter(s.filters, 'PERCENT_PRICE', PercentPrice, what);
      const bySide = findFilter(s.filters, 'PERCENT_PRICE_BY_SIDE', PercentPriceBySide, what);
      const percent = pp
        ? { up: pp.multiplierUp, down: pp.multiplierDown }
        : bySide
          ? { up: bySide.bidMultiplierUp, down: bySide.askMultiplierDown }
          : undefined;
      return toInstrument(
        {
          market: 'SPOT',
          symbol: s.symbol,
          base: s.baseAsset,
          quote: s.quoteAsset,
          status: SPOT_STATUS[s.status] ?? 'HALTED',
          filters: s.filters,
          what,
        },
        notional ? { min: notional.minNotional, max: notional.maxNotional } : { min: legacy?.minNotional },
        percent
      );
    });
}

/**
 * Maps a UM `GET /fapi/v1/exchangeInfo` body to instruments of the perpetual contracts
 * (`contractType: PERPETUAL`; delivery contracts are skipped: the core's FUT market is
 * perpetual futures).
 *
 * - Filters as on Spot, except MIN_NOTIONAL's field is `notional` and PERCENT_PRICE carries
 *   `multiplierUp`/`multiplierDown` (plus `multiplierDecimal`, ignored).
 * - Status: TRADING → TRADING; PENDING_TRADING → PRE_TRADING; PRE_DELIVERING, DELIVERING,
 *   PRE_SETTLE, SETTLING and unknown → HALTED; DELIVERED, CLOSE → DELISTED.
 * - `gridFromMin: true` (UM grids count from the minimum). `leverageBrackets` is empty: attach
 *   them with {@link withLeverageBrackets}.
 *
 * @param body - The decoded response body.
 * @returns Perpetual instruments in the venue's order.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) as {@link parseSpotExchangeInfo}.
 */
export function parseUmExchangeInfo(body: unknown): Instrument[] {
  const info = parseVenue(UmExchangeInfo, body, 'um exchangeInfo');
  return info.symbols
    .filter((s) => s.contractType === 'PERPETUAL' && CORE_SYMBOL.test(s.symbol))
    .map((s) => {
      const what = 'um exchangeInfo';
      const notional = findFilter(s.filters, 'MIN_NOTIONAL', UmMinNotional, what);
      const pp = findFilter(s.filters, 'PERCENT_PRICE', PercentPrice, what);
      return toInstrument(
        {
          market: 'FUT',
          symbol: s.symbol,
          base: s.baseAsset,
          quote: s.quoteAsset,
          status: UM_STATUS[s.status] ?? 'HALTED',
          filters: s.filters,
          what,
        },
        { min: notional?.notional },
        pp ? { up: pp.multiplierUp, down: pp.multiplierDown } : undefined
      );
    });
}

const Bracket = z.object({
  bracket: z.number().int().positive(),
  initialLeverage: z.number().int().positive(),
  notionalCap: WireDecimal,
  notionalFloor: WireDecimal,
  maintMarginRatio: WireDecimal,
});
const SymbolBrackets = z.object({ symbol: z.string(), brackets: z.array(Bracket) });
const LeverageBrackets = z.union([z.array(SymbolBrackets), SymbolBrackets]);

/**
 * Maps a UM `GET /fapi/v1/leverageBracket` body (an array, or one object when `symbol` was
 * sent) to each symbol's brackets, lowest notional first. Notionals are USDT; the JSON numbers
 * Binance sends here are read exactly (`0.0065` → `"0.0065"`).
 *
 * @param body - The decoded response body.
 * @returns A map from symbol to its brackets.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseUmLeverageBrackets(body: unknown): Map<string, LeverageBracket[]> {
  const parsed = parseVenue(LeverageBrackets, body, 'um leverageBracket');
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const out = new Map<string, LeverageBracket[]>();
  for (const entry of list) {
    const brackets = entry.brackets
      .map((b) => ({
        bracket: b.bracket,
        initialLeverage: b.initialLeverage,
        notionalFloor: b.notionalFloor,
        notionalCap: b.notionalCap,
        maintMarginRatio: b.maintMarginRatio,
      }))
      .sort((a, b) => a.bracket - b.bracket);
    out.set(entry.symbol, brackets);
  }
  return out;
}

/**
 * Returns instruments with their leverage brackets attached (instruments without brackets in
 * the map keep theirs). Pure: the inputs are not changed.
 *
 * @param instruments - UM instruments from {@link parseUmExchangeInfo}.
 * @param brackets - Brackets from {@link parseUmLeverageBrackets}.
 */
export function withLeverageBrackets(instruments: readonly Instrument[], brackets: ReadonlyMap<string, LeverageBracket[]>): Instrument[] {
  return instruments.map((i) => {
    const b = brackets.get(i.symbol);
    return b === undefined ? i : { ...i, leverageBrackets: b.map((x) => ({ ...x })) };
  });
}
