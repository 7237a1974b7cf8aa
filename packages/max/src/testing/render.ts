/**
 * The paper engine's records in MAX's wire shapes: v3 REST order, trade and account objects
 * (VENUES.md A.4, the node SDK fixtures) and the WebSocket items of the private `user` channel
 * (short keys, `bid`/`ask` sides; VENUES.md A.5).
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { Balance, Fill, Order } from '@chimera/core';
import type { MaxOrderType } from '../rest/requests.js';

/** A private big.js constructor: host settings must not change rendered amounts. */
const D = Big();

/** How an order is shown: its client id as MAX stored it (`null` when none was given) and its trade count. */
export interface OrderView {
  clientOid: string | null;
  tradesCount: number;
}

/** MAX's `state` of an engine order: open → `wait`; filled → `done`; cancelled → `cancel`; an IOC remainder → `done` when something filled, else `cancel`. */
export function maxState(order: Order): 'wait' | 'done' | 'cancel' | 'failed' {
  switch (order.status) {
    case 'NEW':
    case 'PARTIALLY_FILLED':
      return 'wait';
    case 'FILLED':
      return 'done';
    case 'CANCELED':
      return 'cancel';
    case 'EXPIRED':
      return new D(order.filledQty).gt(0) ? 'done' : 'cancel';
    case 'REJECTED':
      return 'failed';
  }
}

/** MAX's `ord_type` of an engine order. */
export function maxOrdType(order: Order): MaxOrderType {
  switch (order.type) {
    case 'MARKET':
      return 'market';
    case 'STOP_LIMIT':
      return 'stop_limit';
    case 'STOP_MARKET':
      return 'stop_market';
    default:
      if (order.postOnly) return 'post_only';
      return order.timeInForce === 'IOC' ? 'ioc_limit' : 'limit';
  }
}

function remaining(order: Order): string {
  return new D(order.qty).minus(order.filledQty).toFixed();
}

/** A v3 REST order object. */
export function renderOrder(order: Order, view: OrderView): Record<string, unknown> {
  return {
    id: Number(order.venueOrderId),
    wallet_type: 'spot',
    market: order.symbol.toLowerCase(),
    client_oid: view.clientOid,
    group_id: null,
    side: order.side === 'BUY' ? 'buy' : 'sell',
    state: maxState(order),
    ord_type: maxOrdType(order),
    price: order.price ?? null,
    stop_price: order.stopPrice ?? null,
    avg_price: order.avgPrice ?? '0.0',
    volume: order.qty,
    remaining_volume: remaining(order),
    executed_volume: order.filledQty,
    trades_count: view.tradesCount,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  };
}

/**
 * The answer to a submit: MAX places orders asynchronously, so it acknowledges the order as
 * accepted (`wait`, nothing executed) whatever the matching engine does next; the outcome arrives
 * on the user stream and through queries.
 */
export function renderAcceptedOrder(order: Order, view: OrderView): Record<string, unknown> {
  return {
    ...renderOrder(order, view),
    state: 'wait',
    avg_price: '0.0',
    remaining_volume: order.qty,
    executed_volume: '0.0',
    trades_count: 0,
    updated_at: order.createdAt,
  };
}

/** One item of a `user` `order_snapshot` / `order_update`. */
export function renderWsOrder(order: Order, view: OrderView): Record<string, unknown> {
  return {
    i: Number(order.venueOrderId),
    sd: order.side === 'BUY' ? 'bid' : 'ask',
    ot: maxOrdType(order),
    p: order.price ?? null,
    sp: order.stopPrice ?? null,
    ap: order.avgPrice ?? '0.0',
    v: order.qty,
    rv: remaining(order),
    ev: order.filledQty,
    S: maxState(order),
    M: order.symbol.toLowerCase(),
    tc: view.tradesCount,
    T: order.createdAt,
    TU: order.updatedAt,
    gi: null,
    ci: view.clientOid,
  };
}

/** A v3 REST trade of the account (`/wallet/spot/trades`, `/order/trades`). */
export function renderTrade(fill: Fill, base: string, quote: string): Record<string, unknown> {
  return {
    id: Number(fill.tradeId),
    order_id: Number(fill.venueOrderId),
    wallet_type: 'spot',
    price: fill.price,
    volume: fill.qty,
    funds: new D(fill.price).times(fill.qty).toFixed(),
    market: fill.symbol.toLowerCase(),
    market_name: `${base}/${quote}`,
    side: fill.side === 'BUY' ? 'bid' : 'ask',
    fee: fill.fee,
    fee_currency: fill.feeAsset.toLowerCase(),
    fee_discounted: false,
    liquidity: fill.isMaker ? 'maker' : 'taker',
    created_at: fill.ts,
  };
}

/** One item of a `user` `trade_snapshot` / `trade_update`. */
export function renderWsTrade(fill: Fill): Record<string, unknown> {
  return {
    i: Number(fill.tradeId),
    M: fill.symbol.toLowerCase(),
    sd: fill.side === 'BUY' ? 'bid' : 'ask',
    p: fill.price,
    v: fill.qty,
    f: fill.fee,
    fc: fill.feeAsset.toLowerCase(),
    fd: false,
    fn: new D(fill.price).times(fill.qty).toFixed(),
    T: fill.ts,
    TU: fill.ts,
    m: fill.isMaker,
    oi: Number(fill.venueOrderId),
  };
}

/** A v3 REST account row: `balance` is the free amount. */
export function renderAccount(asset: string, free: string, locked: string): Record<string, unknown> {
  return { currency: asset.toLowerCase(), balance: free, locked, staked: null };
}

/** One item of a `user` `account_snapshot` / `account_update`. */
export function renderWsBalance(balance: Pick<Balance, 'asset' | 'free' | 'locked'>, at: number): Record<string, unknown> {
  return { cu: balance.asset.toLowerCase(), av: balance.free, l: balance.locked, stk: null, TU: at };
}
