/**
 * MAX's order-book continuity rules for the core `BookSync` driver (VENUES.md A.5, ws-docs
 * `public_orderbook.md` as of changelog 25.12.0, and the official node SDK's check):
 *
 * 1. a snapshot replaces the book; keep its last id `li` and version `v`;
 * 2. an update whose `v` differs from the book's: the book is of another generation — resync;
 * 3. an update with `li` at or below the book's last id is already contained — drop it;
 * 4. an update applies when its `fi` is at most the book's last id + 1 (so `fi <= li_local + 1 <=
 *    li`: it continues the book, overlapping it at most; levels carry absolute volumes, so the
 *    overlap is harmless); an update starting further on means updates were missed — resync by
 *    resubscribing (MAX pushes a fresh snapshot on subscribe);
 * 5. a snapshot arriving mid-stream rebuilds the book (feed it to `BookSync.pushSnapshot`).
 *
 * @packageDocumentation
 */
import type { BookSyncRules, SyncSnapshot } from '@chimera/core';

/** One price level as MAX sends it: `[price, volume]`; volume `"0"` removes the level. */
export type MaxLevel = readonly [price: string, volume: string];

/** A MAX book update (`e: "update"`) as the sync driver needs it. */
export interface MaxBookUpdate {
  /** First update id in the event. */
  readonly fi: number;
  /** Last update id in the event. */
  readonly li: number;
  /** Book version: changes when MAX rebuilds the book. */
  readonly v: number;
  readonly bids: readonly MaxLevel[];
  readonly asks: readonly MaxLevel[];
}

/** A MAX book snapshot as the sync driver needs it: `sequence` is its `li`, `v` its version. */
export interface MaxSyncSnapshot extends SyncSnapshot {
  /** Book version. */
  readonly v: number;
}

/** The MAX rules for `BookSync<MaxBookUpdate, MaxSyncSnapshot>`. Pure. */
export const maxBookRules: BookSyncRules<MaxBookUpdate, MaxSyncSnapshot> = {
  firstUpdateAfterSnapshot: (s, e) => (e.v !== s.v ? 'gap' : e.li <= s.sequence ? 'drop' : e.fi <= s.sequence + 1 ? 'apply' : 'gap'),
  next: (p, e) => (e.v !== p.v ? 'gap' : e.li <= p.li ? 'drop' : e.fi <= p.li + 1 ? 'apply' : 'gap'),
};
