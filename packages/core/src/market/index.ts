/**
 * Market data (SPEC §2): the local order book, the venue-neutral book sync driver, tick
 * normalisation and the per-key throttle.
 *
 * @packageDocumentation
 */
export {
  OrderBook,
  type BookSide,
  type LevelInput,
  type BookLevels,
  type TopOfBook,
  type DepthFigures,
  type SweepResult,
  type OrderBookOptions,
} from './order-book.js';
export type { SyncVerdict, SyncSnapshot, BookSyncRules } from './book-sync-rules.js';
export {
  BookSync,
  type BookSyncState,
  type ResyncReason,
  type ResyncInfo,
  type SyncedInfo,
  type BookUpdateInfo,
  type SnapshotFailedInfo,
  type BookSyncEvents,
  type BookSyncOptions,
  type BookSyncStats,
} from './book-sync.js';
export {
  TickNormalizer,
  type TickDropReason,
  type TickResult,
  type TopOfBookInput,
  type BookTickMeta,
  type TickNormalizerOptions,
} from './tick-normalizer.js';
export { Throttle, type ThrottleOptions } from './throttle.js';
export { formatFloatDecimal } from './float-decimal.js';
