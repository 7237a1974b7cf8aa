/**
 * USDⓈ-M order payloads mapped to the core `Order`: regular orders (`/fapi/v1/order`,
 * `/fapi/v1/openOrders`) and conditional algo orders (`/fapi/v1/algoOrder`,
 * `/fapi/v1/openAlgoOrders`).
 *
 * Since 2026-07-15 the new/cancel answers carry no `avgPrice` or `cumQuote` (BINANCE.md §4d); the
 * filled quantity comes from `executedQty` (or `cumQty`), and the average price from `avgPrice`
 * or `cumQuote` when a query answer still has them, else it is left for the caller to compute
 * from the trades ({@link averageFillPrice}).
 *
 * @packageDocumentation
 */
import { Order, type Fill, type OrderStatus, type OrderType, type TimeInForce, type WorkingType } from '@chimera/core';
import { z } from 'zod';
import { VENUE_ID } from './request.js';
import { averagePrice, isPositive, OptionalWireDecimal, parseVenue, unexpected, weightedAverage, WireDecimal, WireId, WireTime } from './wire.js';

const UmOrderPayload = z.object({
  symbol: z.string(),
  orderId: WireId,
  clientOrderId: z.string(),
  side: z.enum(['BUY', 'SELL']),
  type: z.string(),
  timeInForce: z.string().optional(),
  origQty: WireDecimal,
  executedQty: WireDecimal.optional(),
  cumQty: WireDecimal.optional(),
  price: OptionalWireDecimal,
  stopPrice: OptionalWireDecimal,
  avgPrice: OptionalWireDecimal,
  cumQuote: OptionalWireDecimal,
  reduceOnly: z.boolean().optional(),
  status: z.string(),
  time: WireTime.optional(),
  updateTime: WireTime,
  workingType: z.string().optional(),
});
type UmOrderPayload = z.infer<typeof UmOrderPayload>;

/**
 * UM order types → core type. TRAILING_STOP_MARKET (legacy orders placed before the Algo
 * migration) reads as STOP_MARKET: a market order on a trigger. LIQUIDATION / ADL are Binance's
 * own closing orders, market orders.
 */
const TYPE: Record<string, OrderType> = {
  LIMIT: 'LIMIT',
  MARKET: 'MARKET',
  STOP: 'STOP_LIMIT',
  STOP_MARKET: 'STOP_MARKET',
  TAKE_PROFIT: 'TAKE_PROFIT_LIMIT',
  TAKE_PROFIT_MARKET: 'TAKE_PROFIT_MARKET',
  TRAILING_STOP_MARKET: 'STOP_MARKET',
  LIQUIDATION: 'MARKET',
  ADL: 'MARKET',
};

const STATUS: Record<string, OrderStatus> = {
  NEW: 'NEW',
  PARTIALLY_FILLED: 'PARTIALLY_FILLED',
  FILLED: 'FILLED',
  CANCELED: 'CANCELED',
  REJECTED: 'REJECTED',
  EXPIRED: 'EXPIRED',
  EXPIRED_IN_MATCH: 'EXPIRED',
};

/** UM time in force → core; GTD rests like GTC, RPI is post-only like GTX. */
const TIF: Record<string, { tif: TimeInForce; postOnly: boolean }> = {
  GTC: { tif: 'GTC', postOnly: false },
  IOC: { tif: 'IOC', postOnly: false },
  FOK: { tif: 'FOK', postOnly: false },
  GTX: { tif: 'GTX', postOnly: true },
  GTD: { tif: 'GTC', postOnly: false },
  RPI: { tif: 'GTX', postOnly: true },
};

const LIMIT_PRICED = new Set<OrderType>(['LIMIT', 'STOP_LIMIT', 'TAKE_PROFIT_LIMIT']);
const TRIGGERED = new Set<OrderType>(['STOP_MARKET', 'TAKE_PROFIT_MARKET', 'STOP_LIMIT', 'TAKE_PROFIT_LIMIT']);
const WORKING = new Set<string>(['MARK_PRICE', 'CONTRACT_PRICE']);

function toOrder(p: UmOrderPayload, what: string): Order {
  const type = TYPE[p.type] ?? unexpected(what, 'type', `unknown order type ${p.type}`);
  const status = STATUS[p.status] ?? unexpected(what, 'status', `unknown order status ${p.status}`);
  const filledQty = p.executedQty ?? p.cumQty ?? unexpected(what, 'executedQty', 'neither executedQty nor cumQty');
  const tif = p.timeInForce === undefined ? undefined : TIF[p.timeInForce];
  const order: Record<string, unknown> = {
    venue: VENUE_ID,
    market: 'FUT',
    symbol: p.symbol,
    clientOrderId: p.clientOrderId,
    venueOrderId: p.orderId,
    side: p.side,
    type,
    postOnly: type === 'LIMIT' && tif?.postOnly === true,
    reduceOnly: p.reduceOnly ?? false,
    qty: p.origQty,
    filledQty,
    status,
    createdAt: p.time ?? p.updateTime,
    updatedAt: p.updateTime,
  };
  if (LIMIT_PRICED.has(type) && tif !== undefined) order.timeInForce = tif.tif;
  if (LIMIT_PRICED.has(type) && p.price !== undefined && isPositive(p.price)) order.price = p.price;
  if (TRIGGERED.has(type) && p.stopPrice !== undefined && isPositive(p.stopPrice)) order.stopPrice = p.stopPrice;
  if (TRIGGERED.has(type) && p.workingType !== undefined && WORKING.has(p.workingType)) order.workingType = p.workingType as WorkingType;
  if (isPositive(filledQty)) {
    const avg =
      p.avgPrice !== undefined && isPositive(p.avgPrice)
        ? p.avgPrice
        : p.cumQuote !== undefined && isPositive(p.cumQuote)
          ? averagePrice(p.cumQuote, filledQty)
          : undefined;
    if (avg !== undefined) order.avgPrice = avg;
  }
  return parseVenue(Order, order, what);
}

/**
 * Maps one UM regular-order payload: the answer of `POST /fapi/v1/order` (RESULT or ACK),
 * `DELETE /fapi/v1/order` or `GET /fapi/v1/order`.
 *
 * - Types: LIMIT, MARKET; STOP → STOP_LIMIT; TAKE_PROFIT → TAKE_PROFIT_LIMIT; STOP_MARKET,
 *   TAKE_PROFIT_MARKET; TRAILING_STOP_MARKET → STOP_MARKET; LIQUIDATION, ADL → MARKET.
 * - Time in force (limit-priced types only): GTX → GTX and post-only; GTD → GTC; RPI → GTX and
 *   post-only.
 * - Statuses by name; EXPIRED_IN_MATCH → EXPIRED.
 * - `filledQty` = `executedQty` (or `cumQty`); `avgPrice` = `avgPrice` when positive, else
 *   `cumQuote / filledQty`, else absent (2026 new/cancel answers carry neither).
 * - `price`, `stopPrice`, `workingType` only where the type uses them; `0` values dropped.
 * - `createdAt` = `time` (queries), else `updateTime` (new/cancel answers have no creation time).
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape or an unknown type or status.
 */
export function parseUmOrder(body: unknown): Order {
  return toOrder(parseVenue(UmOrderPayload, body, 'um order'), 'um order');
}

/** Maps `GET /fapi/v1/openOrders`. @throws VenueError (`UNEXPECTED_RESPONSE`). */
export function parseUmOrders(body: unknown): Order[] {
  return parseVenue(z.array(UmOrderPayload), body, 'um orders').map((p) => toOrder(p, 'um orders'));
}

/**
 * The volume-weighted average price of fills (e.g. from `GET /fapi/v1/userTrades?orderId=…`),
 * to 16 decimal places; what replaces the `avgPrice` UM no longer returns on new and cancel.
 *
 * @returns The average price, or undefined when there are no fills.
 */
export function averageFillPrice(fills: ReadonlyArray<Pick<Fill, 'price' | 'qty'>>): string | undefined {
  return weightedAverage(fills).avgPrice;
}

const AlgoPayload = z.object({
  algoId: WireId,
  clientAlgoId: z.string(),
  algoType: z.string(),
  orderType: z.string(),
  symbol: z.string(),
  side: z.enum(['BUY', 'SELL']),
  timeInForce: z.string().optional(),
  quantity: OptionalWireDecimal,
  algoStatus: z.string(),
  triggerPrice: OptionalWireDecimal,
  price: OptionalWireDecimal,
  workingType: z.string().optional(),
  reduceOnly: z.boolean().optional(),
  closePosition: z.boolean().optional(),
  createTime: WireTime,
  updateTime: WireTime,
  actualOrderId: z.union([z.string(), z.number().int()]).nullish(),
});
type AlgoPayload = z.infer<typeof AlgoPayload>;

/** The UM Algo Service's own status of a conditional order. */
export type UmAlgoStatus = 'NEW' | 'TRIGGERING' | 'TRIGGERED' | 'FINISHED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';

/**
 * Algo statuses → core status (UM user-data docs, "Algo Order Update"): NEW (waiting for the
 * trigger), TRIGGERING (forwarding) and TRIGGERED (now a regular order in the matching engine)
 * are still working → NEW; FINISHED (the triggered order filled or was cancelled) → FILLED;
 * CANCELED, REJECTED, EXPIRED by name.
 */
const ALGO_STATUS: Record<UmAlgoStatus, OrderStatus> = {
  NEW: 'NEW',
  TRIGGERING: 'NEW',
  TRIGGERED: 'NEW',
  FINISHED: 'FILLED',
  CANCELED: 'CANCELED',
  REJECTED: 'REJECTED',
  EXPIRED: 'EXPIRED',
};

const ALGO_TYPE: Record<string, OrderType> = {
  STOP_MARKET: 'STOP_MARKET',
  TAKE_PROFIT_MARKET: 'TAKE_PROFIT_MARKET',
  STOP: 'STOP_LIMIT',
  TAKE_PROFIT: 'TAKE_PROFIT_LIMIT',
  TRAILING_STOP_MARKET: 'STOP_MARKET',
};

/** A UM conditional order: the core view plus what only the Algo Service knows. */
export interface UmAlgoOrderView {
  /** The order in core terms; `venueOrderId` is the `algoId`, `clientOrderId` the `clientAlgoId`. */
  order: Order;
  /** The Algo Service status as Binance reports it. */
  algoStatus: UmAlgoStatus;
  /**
   * The regular order the trigger created (from TRIGGERED on), whose fills are the real ones:
   * query it with `GET /fapi/v1/order?orderId=…` and merge with {@link mergeTriggeredOrder}.
   */
  actualOrderId?: string;
}

function toAlgo(p: AlgoPayload, what: string): UmAlgoOrderView {
  const type = ALGO_TYPE[p.orderType] ?? unexpected(what, 'orderType', `unknown algo order type ${p.orderType}`);
  const algoStatus = (p.algoStatus in ALGO_STATUS ? p.algoStatus : unexpected(what, 'algoStatus', `unknown algo status ${p.algoStatus}`)) as UmAlgoStatus;
  const status = ALGO_STATUS[algoStatus];
  const qty = p.quantity ?? '0';
  const tif = p.timeInForce === undefined ? undefined : TIF[p.timeInForce];
  const order: Record<string, unknown> = {
    venue: VENUE_ID,
    market: 'FUT',
    symbol: p.symbol,
    clientOrderId: p.clientAlgoId,
    venueOrderId: p.algoId,
    side: p.side,
    type,
    postOnly: false,
    reduceOnly: p.reduceOnly === true || p.closePosition === true,
    qty,
    // The algo payload has no executed quantity: FINISHED means the triggered order completed.
    filledQty: status === 'FILLED' ? qty : '0',
    status,
    createdAt: p.createTime,
    updatedAt: p.updateTime,
  };
  if (LIMIT_PRICED.has(type) && tif !== undefined) order.timeInForce = tif.tif;
  if (LIMIT_PRICED.has(type) && p.price !== undefined && isPositive(p.price)) order.price = p.price;
  if (p.triggerPrice !== undefined && isPositive(p.triggerPrice)) order.stopPrice = p.triggerPrice;
  if (p.workingType !== undefined && WORKING.has(p.workingType)) order.workingType = p.workingType as WorkingType;
  const view: UmAlgoOrderView = { order: parseVenue(Order, order, what), algoStatus };
  if (p.actualOrderId !== undefined && p.actualOrderId !== null && p.actualOrderId !== '') view.actualOrderId = String(p.actualOrderId);
  return view;
}

/**
 * Maps one UM algo-order payload (`POST` or `GET /fapi/v1/algoOrder`) to a {@link UmAlgoOrderView}.
 *
 * - `orderType`: STOP_MARKET, TAKE_PROFIT_MARKET; STOP → STOP_LIMIT; TAKE_PROFIT →
 *   TAKE_PROFIT_LIMIT; TRAILING_STOP_MARKET → STOP_MARKET.
 * - `triggerPrice` → `stopPrice`; `price` only for the limit variants; `closePosition` counts as
 *   reduce-only. Status per the table above; `filledQty` is the quantity once FINISHED, else 0 (the
 *   algo payload has no fills; the triggered order does).
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape, type or status.
 */
export function parseUmAlgoOrder(body: unknown): UmAlgoOrderView {
  return toAlgo(parseVenue(AlgoPayload, body, 'um algo order'), 'um algo order');
}

/** Maps `GET /fapi/v1/openAlgoOrders`. @throws VenueError (`UNEXPECTED_RESPONSE`). */
export function parseUmAlgoOrders(body: unknown): UmAlgoOrderView[] {
  return parseVenue(z.array(AlgoPayload), body, 'um algo orders').map((p) => toAlgo(p, 'um algo orders'));
}

const AlgoCancel = z.object({ algoId: WireId, clientAlgoId: z.string(), code: z.union([z.string(), z.number()]), msg: z.string() });

/**
 * Reads the answer of `DELETE /fapi/v1/algoOrder`, which carries only the ids and a success code
 * (query the order afterwards for its final state).
 *
 * @returns The cancelled order's `algoId` and `clientAlgoId`.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape or a code other than 200.
 */
export function parseUmAlgoCancel(body: unknown): { algoId: string; clientAlgoId: string } {
  const p = parseVenue(AlgoCancel, body, 'um algo cancel');
  if (String(p.code) !== '200') unexpected('um algo cancel', 'code', `expected 200, got ${p.code}: ${p.msg}`);
  return { algoId: p.algoId, clientAlgoId: p.clientAlgoId };
}

/**
 * Combines a triggered conditional order with the regular order its trigger created: the ids,
 * type and trigger of the algo order, the status, filled quantity and average price of the
 * triggered one (the fills happened there).
 *
 * @param algo - The algo view (from TRIGGERED or FINISHED on).
 * @param triggered - The regular order `algo.actualOrderId` names (from {@link parseUmOrder}).
 * @returns The merged order.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) when `triggered` is not that order.
 */
export function mergeTriggeredOrder(algo: UmAlgoOrderView, triggered: Order): Order {
  if (algo.actualOrderId === undefined || algo.actualOrderId !== triggered.venueOrderId) {
    unexpected('um algo order', 'actualOrderId', `order ${triggered.venueOrderId} is not the one triggered by algo ${algo.order.venueOrderId}`);
  }
  const merged: Order = {
    ...algo.order,
    status: triggered.status,
    filledQty: triggered.filledQty,
    updatedAt: Math.max(algo.order.updatedAt, triggered.updatedAt),
  };
  if (triggered.avgPrice !== undefined) merged.avgPrice = triggered.avgPrice;
  return merged;
}
