import Big from 'big.js';
import type { Side } from '../domain/enums.js';

/** An order's effect on one position, as the risk gate sees it. */
export interface ExposureChange {
  /** Signed position before the order (base asset). */
  before: string;
  /** Signed position if the order fills completely (reduce-only orders are capped at flat). */
  after: string;
  /** True when the order only shrinks |position| (it opposes the position and does not flip it). */
  reducing: boolean;
  /** True when |after| > |before|: the order adds exposure. */
  increasing: boolean;
}

function canonical(v: Big): string {
  const s = v.toFixed();
  return s === '-0' ? '0' : s;
}

/**
 * How an order changes a signed position (DESIGN.md principle 5: know when an order adds exposure).
 *
 * An order is *reducing* when the position is not flat, the order's side opposes it, and it cannot
 * flip it: its quantity is at most |position|, or it is reduce-only (the venue caps it at the held
 * quantity). For SPOT, pass the held base quantity as the position (≥ 0): a SELL of at most the
 * holding is reducing.
 *
 * @param position - signed base quantity (positive long, negative short), decimal string.
 * @param qty - the order's base quantity (positive decimal string).
 * @throws Error from big.js when a quantity is not a decimal.
 */
export function exposureChange(position: string, side: Side, qty: string, reduceOnly = false): ExposureChange {
  const before = new Big(position);
  const delta = side === 'BUY' ? new Big(qty) : new Big(qty).neg();
  const opposes = (before.gt(0) && delta.lt(0)) || (before.lt(0) && delta.gt(0));
  let after = before.plus(delta);
  const flips = opposes && !after.eq(0) && after.gt(0) !== before.gt(0);
  if (reduceOnly && flips) after = new Big(0);
  const reducing = opposes && (!flips || reduceOnly);
  return {
    before: canonical(before),
    after: canonical(after),
    reducing,
    increasing: after.abs().gt(before.abs()),
  };
}
