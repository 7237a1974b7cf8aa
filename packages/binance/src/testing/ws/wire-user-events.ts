/**
 * The paper engine's account events written as Binance user-data payloads: Spot
 * `executionReport`, `outboundAccountPosition`, `balanceUpdate`, `listStatus`; UM
 * `ORDER_TRADE_UPDATE`, `ALGO_UPDATE`, `ACCOUNT_UPDATE`, `ACCOUNT_CONFIG_UPDATE`.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { Balance, Fill, OcoOrder, Order, OrderType, Position, VenueTransfer } from '@chimera/core';

const D = Big();

/** A Binance user-data event payload. */
export type WireEvent = Record<string, unknown>;

const SPOT_TYPE: Record<OrderType, string> = {
  LIMIT: 'LIMIT',
  MARKET: 'MARKET',
  STOP_MARKET: 'STOP_LOSS',
  STOP_LIMIT: 'STOP_LOSS_LIMIT',
  TAKE_PROFIT_MARKET: 'TAKE_PROFIT',
  TAKE_PROFIT_LIMIT: 'TAKE_PROFIT_LIMIT',
};

const UM_TYPE: Record<OrderType, string> = {
  LIMIT: 'LIMIT',
  MARKET: 'MARKET',
  STOP_MARKET: 'STOP_MARKET',
  STOP_LIMIT: 'STOP',
  TAKE_PROFIT_MARKET: 'TAKE_PROFIT_MARKET',
  TAKE_PROFIT_LIMIT: 'TAKE_PROFIT',
};

/** UM conditional types, which live in the Algo Service (`ALGO_UPDATE`) since 2025-12-09. */
const UM_ALGO_TYPES = new Set<OrderType>(['STOP_MARKET', 'TAKE_PROFIT_MARKET', 'STOP_LIMIT', 'TAKE_PROFIT_LIMIT']);

function execType(order: Order, fill: Fill | undefined): string {
  if (fill) return 'TRADE';
  if (order.status === 'CANCELED') return 'CANCELED';
  if (order.status === 'EXPIRED') return 'EXPIRED';
  if (order.status === 'REJECTED') return 'REJECTED';
  return 'NEW';
}

function cumQuote(order: Order): string {
  return order.avgPrice === undefined ? '0' : new D(order.avgPrice).times(order.filledQty).toFixed();
}

/**
 * Spot `executionReport` for an order state, with the trade that produced it (execution type
 * `TRADE`) when given. A cancel reports the order's own id in `C` and a cancel-request id in
 * `c`, as Binance does.
 */
export function spotExecutionReport(order: Order, fill: Fill | undefined, now: number): WireEvent {
  const cancel = order.status === 'CANCELED' && fill === undefined;
  return {
    e: 'executionReport',
    E: now,
    s: order.symbol,
    c: cancel ? `cancel${order.venueOrderId}` : order.clientOrderId,
    S: order.side,
    o: order.type === 'LIMIT' && order.postOnly ? 'LIMIT_MAKER' : SPOT_TYPE[order.type],
    f: order.timeInForce === 'IOC' || order.timeInForce === 'FOK' ? order.timeInForce : 'GTC',
    q: order.qty,
    p: order.price ?? '0',
    P: order.stopPrice ?? '0',
    F: '0',
    g: order.orderListId === undefined ? -1 : Number(order.orderListId),
    C: cancel ? order.clientOrderId : '',
    x: execType(order, fill),
    X: order.status,
    r: 'NONE',
    i: Number(order.venueOrderId),
    l: fill?.qty ?? '0',
    z: order.filledQty,
    L: fill?.price ?? '0',
    n: fill?.fee ?? '0',
    N: fill?.feeAsset ?? null,
    T: fill?.ts ?? order.updatedAt,
    t: fill ? Number(fill.tradeId) : -1,
    I: 0,
    w: order.status === 'NEW' || order.status === 'PARTIALLY_FILLED',
    m: fill?.isMaker ?? false,
    M: false,
    O: order.createdAt,
    Z: cumQuote(order),
    Y: fill ? new D(fill.price).times(fill.qty).toFixed() : '0',
    Q: '0',
    W: order.createdAt,
    V: 'EXPIRE_MAKER',
  };
}

/** UM `ORDER_TRADE_UPDATE` for an order state, with its trade when given. */
export function umOrderTradeUpdate(order: Order, fill: Fill | undefined, now: number): WireEvent {
  const t = fill?.ts ?? order.updatedAt;
  return {
    e: 'ORDER_TRADE_UPDATE',
    E: now,
    T: t,
    o: {
      s: order.symbol,
      c: order.clientOrderId,
      S: order.side,
      o: UM_TYPE[order.type],
      f: order.postOnly ? 'GTX' : (order.timeInForce ?? 'GTC'),
      q: order.qty,
      p: order.price ?? '0',
      ap: order.avgPrice ?? '0',
      sp: order.stopPrice ?? '0',
      x: execType(order, fill),
      X: order.status,
      i: Number(order.venueOrderId),
      l: fill?.qty ?? '0',
      z: order.filledQty,
      L: fill?.price ?? '0',
      N: fill?.feeAsset ?? 'USDT',
      n: fill?.fee ?? '0',
      T: t,
      t: fill ? Number(fill.tradeId) : 0,
      b: '0',
      a: '0',
      m: fill?.isMaker ?? false,
      R: order.reduceOnly,
      wt: order.workingType ?? 'CONTRACT_PRICE',
      ot: UM_TYPE[order.type],
      ps: 'BOTH',
      cp: false,
      rp: '0',
      pP: false,
      si: 0,
      ss: 0,
      V: 'EXPIRE_MAKER',
      pm: 'NONE',
      gtd: 0,
    },
  };
}

/** True when a UM order of this type is reported through `ALGO_UPDATE`. */
export function isUmAlgoOrder(order: Order): boolean {
  return order.market === 'FUT' && UM_ALGO_TYPES.has(order.type);
}

/** UM `ALGO_UPDATE` for a conditional order's state. */
export function umAlgoUpdate(order: Order, now: number): WireEvent {
  const status =
    order.status === 'FILLED' ? 'FINISHED' : order.status === 'PARTIALLY_FILLED' ? 'TRIGGERED' : order.status === 'NEW' ? 'NEW' : order.status;
  return {
    e: 'ALGO_UPDATE',
    T: order.updatedAt,
    E: now,
    o: {
      caid: order.clientOrderId,
      aid: Number(order.venueOrderId),
      at: 'CONDITIONAL',
      o: UM_TYPE[order.type],
      s: order.symbol,
      S: order.side,
      ps: 'BOTH',
      f: order.timeInForce ?? 'GTC',
      q: order.qty,
      X: status,
      ai: '',
      ap: order.avgPrice ?? '0',
      aq: order.filledQty,
      act: '0',
      tp: order.stopPrice ?? '0',
      p: order.price ?? '0',
      V: 'EXPIRE_MAKER',
      wt: order.workingType ?? 'MARK_PRICE',
      pm: 'NONE',
      cp: false,
      pP: false,
      R: order.reduceOnly,
      tt: 0,
      gtd: 0,
      rm: '',
    },
  };
}

/** Spot `outboundAccountPosition` for changed balances. */
export function spotAccountPosition(balances: readonly Balance[], now: number): WireEvent {
  return { e: 'outboundAccountPosition', E: now, u: now, B: balances.map((b) => ({ a: b.asset, f: b.free, l: b.locked })) };
}

/** Spot `balanceUpdate` for a transfer into (positive) or out of (negative) the Spot wallet. */
export function spotBalanceUpdate(transfer: VenueTransfer, now: number): WireEvent | undefined {
  if (transfer.from !== 'SPOT' && transfer.to !== 'SPOT') return undefined;
  const d = transfer.to === 'SPOT' ? transfer.amount : new D(transfer.amount).times(-1).toFixed();
  return { e: 'balanceUpdate', E: now, a: transfer.asset, d, T: transfer.ts };
}

/** Spot `listStatus` for an OCO list. */
export function spotListStatus(list: OcoOrder, now: number): WireEvent {
  return {
    e: 'listStatus',
    E: now,
    s: list.symbol,
    g: Number(list.listId),
    c: 'OCO',
    l: list.status === 'EXECUTING' ? 'EXEC_STARTED' : 'ALL_DONE',
    L: list.status,
    r: 'NONE',
    C: list.clientListId,
    T: now,
    O: [list.tp, list.sl].map((o) => ({ s: o.symbol, i: Number(o.venueOrderId), c: o.clientOrderId })),
  };
}

/**
 * UM `ACCOUNT_UPDATE` for changed balances and positions. The stream has no "available"
 * balance: `wb` (wallet) is free + locked and `cw` (cross wallet) the free part.
 */
export function umAccountUpdate(balances: readonly Balance[], positions: readonly Position[], now: number): WireEvent {
  return {
    e: 'ACCOUNT_UPDATE',
    E: now,
    T: now,
    a: {
      m: 'ORDER',
      B: balances.map((b) => ({ a: b.asset, wb: new D(b.free).plus(b.locked).toFixed(), cw: b.free, bc: '0' })),
      P: positions.map((p) => ({
        s: p.symbol,
        pa: p.qty,
        ep: p.entryPrice,
        bep: p.entryPrice,
        cr: '0',
        up: p.unrealizedPnl,
        mt: p.marginType === 'ISOLATED' ? 'isolated' : 'cross',
        iw: p.isolatedMargin ?? '0',
        ps: 'BOTH',
      })),
    },
  };
}

/** UM `ACCOUNT_CONFIG_UPDATE` for a symbol's leverage. */
export function umAccountConfigUpdate(symbol: string, leverage: number, now: number): WireEvent {
  return { e: 'ACCOUNT_CONFIG_UPDATE', E: now, T: now, ac: { s: symbol, l: leverage } };
}
