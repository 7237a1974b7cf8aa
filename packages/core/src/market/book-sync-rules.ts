import type { BookLevels } from './order-book.js';

/**
 * A rule's verdict on one depth update:
 * - `apply` — it continues the book; apply it.
 * - `drop` — it is already contained in the book (stale or duplicate); ignore it.
 * - `gap` — updates are missing between the book and it; the book can no longer be trusted.
 */
export type SyncVerdict = 'apply' | 'drop' | 'gap';

/**
 * A snapshot as the sync driver needs it: the venue's sequence number of the snapshot and its
 * levels. The domain `BookSnapshot` (what `ExchangeConnector.depth` returns) satisfies it; a venue
 * adds whatever its rules need (MAX: the book version `v`).
 */
export interface SyncSnapshot extends BookLevels {
  /** The venue's sequence number of the snapshot (Binance `lastUpdateId`, MAX `li`). */
  readonly sequence: number;
}

/**
 * A venue's book-continuity rules, the only venue knowledge {@link BookSync} needs. Both methods
 * must be pure. `U` is the venue's depth-update type (levels plus its sequence fields), `S` its
 * snapshot type.
 *
 * Fitting the venues we know (implementations live with the adapters; these are the contracts):
 *
 * Binance Spot (`U` first id, `u` last id; BINANCE.md §7, as corrected 2025-11-12):
 * ```ts
 * firstUpdateAfterSnapshot: (s, e) => e.u <= s.sequence ? 'drop' : e.U <= s.sequence + 1 ? 'apply' : 'gap',
 * next: (p, e) => e.u <= p.u ? 'drop' : e.U > p.u + 1 ? 'gap' : 'apply',
 * ```
 * (The doc words the first check as `U <= lastUpdateId <= u`; an event starting at
 * `lastUpdateId + 1` continues the snapshot exactly, so it is applied rather than refetched.)
 *
 * Binance USDⓈ-M (`pu` = previous event's `u`):
 * ```ts
 * firstUpdateAfterSnapshot: (s, e) => e.u < s.sequence ? 'drop' : e.U <= s.sequence ? 'apply' : 'gap',
 * next: (p, e) => e.pu === p.u ? 'apply' : 'gap',
 * ```
 *
 * MAX (`fi`/`li` first/last id, `v` book version; VENUES.md A.5):
 * ```ts
 * firstUpdateAfterSnapshot: (s, e) => e.v !== s.v ? 'gap' : e.li <= s.sequence ? 'drop'
 *   : e.fi <= s.sequence + 1 ? 'apply' : 'gap',
 * next: (p, e) => e.v !== p.v ? 'gap' : e.li <= p.li ? 'drop' : e.fi <= p.li + 1 ? 'apply' : 'gap',
 * ```
 * MAX pushes its snapshots in-stream: feed them to {@link BookSync.pushSnapshot}; its
 * `fetchSnapshot` resubscribes and resolves with the next snapshot message.
 */
export interface BookSyncRules<U extends BookLevels, S extends SyncSnapshot = SyncSnapshot> {
  /**
   * Judges an update against the snapshot the book was loaded from, while no update has been
   * applied since. `gap` here means the snapshot is older than the stream (fetch it again);
   * `drop` that the snapshot already contains the update.
   */
  firstUpdateAfterSnapshot(snapshot: S, update: U): SyncVerdict;
  /** Judges an update against the last update applied. `gap` forces a resync. */
  next(previous: U, update: U): SyncVerdict;
}
