/**
 * MAX's order vocabulary — states, `ord_type` values, sides — read into the core's, shared by the
 * REST and WebSocket mappers (VENUES.md A.4, A.5).
 *
 * @packageDocumentation
 */
import type { OrderStatus, OrderType, Side, TimeInForce } from '@chimera/core';
import { D, unexpected } from './wire.js';

/**
 * The core status of a MAX order `state`:
 *
 * | MAX state    | core status                                                            |
 * |--------------|------------------------------------------------------------------------|
 * | `wait`       | `NEW`, or `PARTIALLY_FILLED` once something executed                   |
 * | `convert`    | as `wait`: a stop order being turned into its working order            |
 * | `finalizing` | as `wait`: the order is settling and will end `done` or `cancel`        |
 * | `done`       | `FILLED` when nothing remains; `CANCELED` when nothing executed; else `EXPIRED` (an IOC or market remainder the book could not fill) |
 * | `cancel`     | `CANCELED` (with whatever executed before)                             |
 * | `failed`     | `REJECTED`                                                             |
 *
 * `convert` and `finalizing` are kept open on purpose: an order reported terminal too early could
 * lose a late fill, while one kept open a little longer is only queried once more. The observed
 * states are `wait`, `done` and `cancel`; the rest come from the v2 docs and mature clients
 * (c9s/bbgo), VENUES.md A.4 [partly unverified].
 *
 * @param state - MAX `state` (REST) or `S` (WebSocket).
 * @param executed - Executed volume, a decimal string.
 * @param remaining - Remaining volume, a decimal string.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on a state MAX has not documented.
 */
export function orderStatusOf(state: string, executed: string, remaining: string): OrderStatus {
  const filled = new D(executed).gt(0);
  switch (state) {
    case 'wait':
    case 'convert':
    case 'finalizing':
      return filled ? 'PARTIALLY_FILLED' : 'NEW';
    case 'done':
      if (new D(remaining).eq(0)) return 'FILLED';
      return filled ? 'EXPIRED' : 'CANCELED';
    case 'cancel':
      return 'CANCELED';
    case 'failed':
      return 'REJECTED';
    default:
      return unexpected('order', 'state', `unknown MAX order state "${state}"`);
  }
}

/** An `ord_type` in the core's terms. */
export interface CoreOrderKind {
  type: OrderType;
  timeInForce: TimeInForce | undefined;
  postOnly: boolean;
}

/**
 * The core type, time in force and post-only flag of a MAX `ord_type`: `limit` → LIMIT GTC,
 * `post_only` → LIMIT GTX post-only, `ioc_limit` → LIMIT IOC, `market` → MARKET, `stop_limit` →
 * STOP_LIMIT GTC, `stop_market` → STOP_MARKET.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another value.
 */
export function orderKindOf(ordType: string): CoreOrderKind {
  switch (ordType) {
    case 'limit':
      return { type: 'LIMIT', timeInForce: 'GTC', postOnly: false };
    case 'post_only':
      return { type: 'LIMIT', timeInForce: 'GTX', postOnly: true };
    case 'ioc_limit':
      return { type: 'LIMIT', timeInForce: 'IOC', postOnly: false };
    case 'market':
      return { type: 'MARKET', timeInForce: undefined, postOnly: false };
    case 'stop_limit':
      return { type: 'STOP_LIMIT', timeInForce: 'GTC', postOnly: false };
    case 'stop_market':
      return { type: 'STOP_MARKET', timeInForce: undefined, postOnly: false };
    default:
      return unexpected('order', 'ord_type', `unknown MAX order type "${ordType}"`);
  }
}

/**
 * The core side of a MAX side: REST orders say `buy`/`sell`, WebSocket items and trades
 * `bid`/`ask`.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another value (`self-trade` is handled by the trade mapper).
 */
export function sideOf(side: string): Side {
  if (side === 'buy' || side === 'bid') return 'BUY';
  if (side === 'sell' || side === 'ask') return 'SELL';
  return unexpected('order', 'side', `unknown MAX side "${side}"`);
}

/**
 * The client order id given to an order placed without one (in MAX's web UI, by another tool):
 * `max:<id>`. The `:` never occurs in ids from `deriveClientOrderId`, so such an order can never
 * be mistaken for one of the SDK's.
 */
export function syntheticClientOrderId(venueOrderId: string): string {
  return `max:${venueOrderId}`;
}

/** Whether a client order id is a {@link syntheticClientOrderId} rather than one MAX stored. */
export function isSyntheticClientOrderId(id: string): boolean {
  return id.startsWith('max:');
}
