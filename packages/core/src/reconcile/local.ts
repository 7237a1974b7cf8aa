import type { Balance, Fill } from '../domain/account.js';
import type { OrderRecord, PositionSnapshot } from '../domain/records.js';
import type { IntentRecord } from '../sinks/store.js';

/**
 * The store's side of `diff`: what the bot believes, loaded from the `Store` for the
 * request's window (`time_window_h` back from the truth's `collectedAt`).
 *
 * The window bounds history, never belief: a loader must include every record the bot still acts
 * on, however old, or a long-resting order would look like an orphan and be cancelled (and an old
 * position like an orphan and be closed — nautilus_trader issue #3104).
 */
export interface LocalState {
  /**
   * Every locally open order (whatever its age) plus the orders updated within the window. The
   * terminal ones let `diff` tell "the store thinks this order is done" from "the store never
   * heard of it".
   */
  orders: readonly OrderRecord[];
  /** The newest snapshot per venue and symbol, whatever its age (older ones are ignored). */
  positions: readonly PositionSnapshot[];
  /**
   * Every intent not yet final (PENDING_ENTRY, ACTIVE, PENDING_CLOSING), whatever its age, plus
   * any others in the window. They explain positions and claim client order ids.
   */
  intents: readonly IntentRecord[];
  /**
   * Fills of the window. Only their times matter to `diff`: a fill stored at or after the
   * truth's `collectedAt` means the venue's snapshot of that order and position predates it.
   */
  fills: readonly Fill[];
  /**
   * The balances the bot expects (HOLDINGS). Only the assets listed are checked; absent: balances
   * are not compared.
   */
  expectedBalances?: readonly Balance[];
}
