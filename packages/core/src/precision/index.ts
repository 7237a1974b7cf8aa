/**
 * Precision: exact tick/step rounding and filter checks on decimal strings (DESIGN.md principle 3).
 * Imports only `domain/` and `errors`, so every room above may use it.
 *
 * @packageDocumentation
 */
export {
  decimalsOf,
  isOnGrid,
  roundPrice,
  roundPriceForSide,
  roundQty,
  type GridOptions,
  type OrderSide,
  type PriceRole,
  type RoundingMode,
} from './round.js';
export {
  checkFilters,
  lotSizeFor,
  prepareOrder,
  type FilterCode,
  type FilterOrder,
  type InstrumentFilters,
  type LotSize,
  type PreparedOrder,
} from './filters.js';
