/**
 * Binance's order-book continuity rules for the core `BookSync` driver (BINANCE.md §7).
 *
 * Spot (doc corrected 2025-11-12): buffer the diff stream, fetch `GET /api/v3/depth?limit=5000`,
 * drop events with `u <= lastUpdateId`; the first kept event must satisfy
 * `U <= lastUpdateId + 1 <= u` (an event starting exactly at `lastUpdateId + 1` continues the
 * snapshot); afterwards an event with `u` at or below the local id is stale and dropped, and one
 * with `U > localId + 1` means an event was missed: resync.
 *
 * USDⓈ-M: fetch `GET /fapi/v1/depth?limit=1000`, drop events with `u < lastUpdateId`; the first
 * applied event must satisfy `U <= lastUpdateId <= u`; afterwards every event's `pu` must equal
 * the previous event's `u`, else resync.
 *
 * @packageDocumentation
 */
import type { BookLevels, BookSyncRules, SyncSnapshot } from '@chimera/core';

/** The sequence fields of a Binance diff-depth event (`DepthUpdateFrame` satisfies it). */
export interface BinanceDepthUpdate extends BookLevels {
  /** First update id in the event. */
  readonly U: number;
  /** Final update id in the event. */
  readonly u: number;
  /** USDⓈ-M only: the previous event's final update id. */
  readonly pu?: number | undefined;
}

/** Spot's rules (U/u). Pure. */
export const spotDepthRules: BookSyncRules<BinanceDepthUpdate, SyncSnapshot> = {
  firstUpdateAfterSnapshot: (s, e) => (e.u <= s.sequence ? 'drop' : e.U <= s.sequence + 1 ? 'apply' : 'gap'),
  next: (p, e) => (e.u <= p.u ? 'drop' : e.U > p.u + 1 ? 'gap' : 'apply'),
};

/**
 * USDⓈ-M's rules (pu). Pure. An event without `pu` (not a UM frame) counts as a gap: continuity
 * cannot be proven.
 */
export const umDepthRules: BookSyncRules<BinanceDepthUpdate, SyncSnapshot> = {
  firstUpdateAfterSnapshot: (s, e) => (e.u < s.sequence ? 'drop' : e.U <= s.sequence ? 'apply' : 'gap'),
  next: (p, e) => (e.pu !== undefined && e.pu === p.u ? 'apply' : 'gap'),
};
