/**
 * Spot order payloads (placement RESULT/FULL, cancel, query, open orders, order lists) mapped
 * to the core `Order`, `Fill` and `OcoOrder`.
 *
 * @packageDocumentation
 */
import { Fill, OcoOrder, Order, type OrderStatus, type OrderType, type TimeInForce } from '@chimera/core';
import { z } from 'zod';
import { VENUE_ID } from './request.js';
import { averagePrice, isPositive, parseVenue, unexpected, weightedAverage, WireDecimal, WireId, WireTime } from './wire.js';

const SpotFill = z.object({
  price: WireDecimal,
  qty: WireDecimal,
  commission: WireDecimal,
  commissionAsset: z.string(),
  tradeId: WireId,
});

const SpotOrderPayload = z.object({
  symbol: z.string(),
  orderId: WireId,
  orderListId: z.number().int().optional(),
  clientOrderId: z.string(),
  /** Present on cancel answers: the cancelled order's own client id (`clientOrderId` is the cancel's). */
  origClientOrderId: z.string().optional(),
  transactTime: WireTime.optional(),
  time: WireTime.optional(),
  updateTime: WireTime.optional(),
  price: WireDecimal,
  origQty: WireDecimal,
  executedQty: WireDecimal,
  cummulativeQuoteQty: WireDecimal,
  status: z.string(),
  timeInForce: z.string(),
  type: z.string(),
  side: z.enum(['BUY', 'SELL']),
  stopPrice: WireDecimal.optional(),
  fills: z.array(SpotFill).optional(),
});
type SpotOrderPayload = z.infer<typeof SpotOrderPayload>;

/** Spot order types → core type and post-only flag. */
const TYPE: Record<string, { type: OrderType; postOnly: boolean }> = {
  LIMIT: { type: 'LIMIT', postOnly: false },
  LIMIT_MAKER: { type: 'LIMIT', postOnly: true },
  MARKET: { type: 'MARKET', postOnly: false },
  STOP_LOSS: { type: 'STOP_MARKET', postOnly: false },
  STOP_LOSS_LIMIT: { type: 'STOP_LIMIT', postOnly: false },
  TAKE_PROFIT: { type: 'TAKE_PROFIT_MARKET', postOnly: false },
  TAKE_PROFIT_LIMIT: { type: 'TAKE_PROFIT_LIMIT', postOnly: false },
};

/** Spot order statuses → core status. */
const STATUS: Record<string, OrderStatus> = {
  NEW: 'NEW',
  // An order-list leg waiting for its trigger leg, and Binance's "currently unused" pending cancel.
  PENDING_NEW: 'NEW',
  PENDING_CANCEL: 'NEW',
  PARTIALLY_FILLED: 'PARTIALLY_FILLED',
  FILLED: 'FILLED',
  CANCELED: 'CANCELED',
  REJECTED: 'REJECTED',
  EXPIRED: 'EXPIRED',
  EXPIRED_IN_MATCH: 'EXPIRED',
};

const LIMIT_PRICED = new Set<OrderType>(['LIMIT', 'STOP_LIMIT', 'TAKE_PROFIT_LIMIT']);
const TRIGGERED = new Set<OrderType>(['STOP_MARKET', 'TAKE_PROFIT_MARKET', 'STOP_LIMIT', 'TAKE_PROFIT_LIMIT']);
const TIFS = new Set<string>(['GTC', 'IOC', 'FOK']);

function toOrder(p: SpotOrderPayload, what: string): Order {
  const mapped = TYPE[p.type] ?? unexpected(what, 'type', `unknown order type ${p.type}`);
  const status = STATUS[p.status] ?? unexpected(what, 'status', `unknown order status ${p.status}`);
  const createdAt = p.time ?? p.transactTime ?? p.updateTime ?? unexpected(what, 'time', 'no time, transactTime or updateTime');
  const updatedAt = p.updateTime ?? p.transactTime ?? createdAt;
  const order: Record<string, unknown> = {
    venue: VENUE_ID,
    market: 'SPOT',
    symbol: p.symbol,
    clientOrderId: p.origClientOrderId ?? p.clientOrderId,
    venueOrderId: p.orderId,
    side: p.side,
    type: mapped.type,
    postOnly: mapped.postOnly,
    reduceOnly: false,
    qty: p.origQty,
    filledQty: p.executedQty,
    status,
    createdAt,
    updatedAt,
  };
  if (mapped.postOnly) order.timeInForce = 'GTX' satisfies TimeInForce;
  else if (LIMIT_PRICED.has(mapped.type) && TIFS.has(p.timeInForce)) order.timeInForce = p.timeInForce;
  if (LIMIT_PRICED.has(mapped.type) && isPositive(p.price)) order.price = p.price;
  if (TRIGGERED.has(mapped.type) && p.stopPrice !== undefined && isPositive(p.stopPrice)) order.stopPrice = p.stopPrice;
  const avg = spotAveragePrice(p);
  if (avg !== undefined) order.avgPrice = avg;
  if (p.orderListId !== undefined && p.orderListId !== -1) order.orderListId = String(p.orderListId);
  return parseVenue(Order, order, what);
}

/**
 * The average fill price: from the FULL answer's fills when they add up to `executedQty` (they
 * are the trades themselves), else `cummulativeQuoteQty / executedQty`. Undefined before the
 * first fill and when Binance reports the quote total as unavailable (negative, old orders).
 */
function spotAveragePrice(p: SpotOrderPayload): string | undefined {
  if (!isPositive(p.executedQty)) return undefined;
  if (p.fills !== undefined && p.fills.length > 0) {
    const { qty, avgPrice } = weightedAverage(p.fills);
    if (qty === p.executedQty) return avgPrice;
  }
  if (p.cummulativeQuoteQty.startsWith('-')) return undefined;
  return averagePrice(p.cummulativeQuoteQty, p.executedQty);
}

/**
 * Maps one Spot order payload: the RESULT or FULL answer of `POST /api/v3/order`, the answer of
 * `DELETE /api/v3/order`, or `GET /api/v3/order`.
 *
 * - Types: LIMIT → LIMIT; LIMIT_MAKER → LIMIT, post-only, time in force GTX (the core's
 *   post-only TIF); MARKET; STOP_LOSS → STOP_MARKET; STOP_LOSS_LIMIT → STOP_LIMIT; TAKE_PROFIT →
 *   TAKE_PROFIT_MARKET; TAKE_PROFIT_LIMIT.
 * - Statuses: PENDING_NEW (order-list leg waiting) → NEW; EXPIRED_IN_MATCH (self-trade
 *   prevention) → EXPIRED; others map by name.
 * - `clientOrderId` is the order's own id (a cancel answer's `origClientOrderId`).
 * - `price` only for limit-priced types, `stopPrice` only for triggered types, `0` values dropped.
 * - `avgPrice` from the fills or the cumulative quote quantity (see above).
 * - `createdAt`: `time`, else `transactTime` (placement, cancel: the time of that action);
 *   `updatedAt`: `updateTime`, else `transactTime`.
 *
 * @param body - The decoded response body.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape (an ACK answer lacks the order
 *   state and is rejected too; the builders always ask for FULL or RESULT).
 */
export function parseSpotOrder(body: unknown): Order {
  return toOrder(parseVenue(SpotOrderPayload, body, 'spot order'), 'spot order');
}

/** Maps `GET /api/v3/openOrders` (an array of order payloads). @throws VenueError (`UNEXPECTED_RESPONSE`). */
export function parseSpotOrders(body: unknown): Order[] {
  return parseVenue(z.array(SpotOrderPayload), body, 'spot orders').map((p) => toOrder(p, 'spot orders'));
}

/**
 * The executions carried by a FULL placement answer, as core fills. They are the immediate
 * (taker) part of the order, so `isMaker` is false; `ts` is the answer's `transactTime`.
 *
 * @returns The fills, in the venue's order (empty for RESULT answers or orders that rest).
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseSpotOrderFills(body: unknown): Fill[] {
  const p = parseVenue(SpotOrderPayload, body, 'spot order');
  if (p.fills === undefined || p.fills.length === 0) return [];
  const ts = p.transactTime ?? unexpected('spot order', 'transactTime', 'required with fills');
  return p.fills.map((f) =>
    parseVenue(
      Fill,
      {
        venue: VENUE_ID,
        market: 'SPOT',
        symbol: p.symbol,
        tradeId: f.tradeId,
        venueOrderId: p.orderId,
        clientOrderId: p.origClientOrderId ?? p.clientOrderId,
        side: p.side,
        price: f.price,
        qty: f.qty,
        fee: f.commission,
        feeAsset: f.commissionAsset,
        isMaker: false,
        ts,
      },
      'spot order fills'
    )
  );
}

const SpotOrderList = z.object({
  orderListId: z.number().int(),
  contingencyType: z.string(),
  listOrderStatus: z.string(),
  listClientOrderId: z.string(),
  symbol: z.string(),
  orderReports: z.array(SpotOrderPayload),
});

const LIST_STATUS: Record<string, OcoOrder['status']> = { EXECUTING: 'EXECUTING', ALL_DONE: 'ALL_DONE', REJECT: 'REJECT' };

/**
 * Maps an OCO order-list answer (`POST /api/v3/orderList/oco`, `DELETE /api/v3/orderList`) to
 * the core `OcoOrder`: the stop-loss leg is the one of type STOP_LOSS / STOP_LOSS_LIMIT, the
 * take-profit leg the other one (LIMIT_MAKER, TAKE_PROFIT or TAKE_PROFIT_LIMIT).
 *
 * @param body - The decoded response body; it must carry `orderReports` (the query endpoint
 *   `GET /api/v3/orderList` does not: query the legs instead).
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape, a list that is not an OCO, or legs
 *   that are not one stop-loss and one take-profit.
 */
export function parseSpotOrderList(body: unknown): OcoOrder {
  const what = 'spot order list';
  const list = parseVenue(SpotOrderList, body, what);
  if (list.contingencyType !== 'OCO') unexpected(what, 'contingencyType', `expected OCO, got ${list.contingencyType}`);
  const legs = list.orderReports.map((p) => toOrder(p, what));
  const isStop = (o: Order) => o.type === 'STOP_MARKET' || o.type === 'STOP_LIMIT';
  const sl = legs.filter(isStop);
  const tp = legs.filter((o) => !isStop(o));
  if (sl.length !== 1 || tp.length !== 1) unexpected(what, 'orderReports', 'expected one stop-loss leg and one take-profit leg');
  return parseVenue(
    OcoOrder,
    {
      listId: String(list.orderListId),
      clientListId: list.listClientOrderId,
      symbol: list.symbol,
      status: LIST_STATUS[list.listOrderStatus] ?? unexpected(what, 'listOrderStatus', `unknown list status ${list.listOrderStatus}`),
      tp: tp[0],
      sl: sl[0],
    },
    what
  );
}
