import type { Balance, Position } from '../domain/account.js';
import type { Market } from '../domain/enums.js';
import type { Order } from '../domain/order.js';

/**
 * What the venues reported in one reconciliation run: the "truth" side of `diff`.
 *
 * Absence is evidence only where something was actually looked at (the nautilus_trader rule "a
 * missing report is not evidence of being flat"): a local order or position counts as stale only
 * when its venue and market were fetched completely. A collector therefore lists in
 * {@link VenueTruth.markets} only the markets whose open orders (and, for FUT, positions) it
 * fetched without error.
 */
export interface VenueTruth {
  /**
   * When collection started (epoch ms, injected clock), captured BEFORE the first request left.
   * A local record that changed at or after this moment is newer than anything in this truth and
   * is never "fixed" backwards.
   */
  collectedAt: number;
  /** Markets fetched completely. Records of other markets are out of scope. */
  markets: readonly Market[];
  /**
   * Venues fetched completely. Absent: every venue is in scope (the single-connector case); pass
   * it when the local store holds several venues but only some were fetched.
   */
  venues?: readonly string[];
  /** Open orders of the fetched markets; for FUT regular and conditional (algo) orders merged. */
  openOrders: readonly Order[];
  /** Non-zero futures positions (a position absent here is flat, if FUT was fetched). */
  positions: readonly Position[];
  /** Wallet balances of the fetched markets (assets with a non-zero total). */
  balances: readonly Balance[];
}
