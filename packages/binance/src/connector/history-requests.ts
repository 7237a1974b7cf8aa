/**
 * The order-history endpoints the connector needs beyond the pure layer's builders, as the same
 * request-as-data: Spot and UM `allOrders`, UM `allAlgoOrders`, and the reading of Spot's
 * `GET /api/v3/orderList` answer (which lists only the legs' ids).
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import type { BinanceProduct, BinanceRequest } from '../rest/request.js';
import { parseVenue } from '../rest/wire.js';

/** Longest `startTime`–`endTime` span of one history request: Spot 24 h, UM 7 days. */
export const HISTORY_SPAN_MS: Readonly<Record<BinanceProduct, number>> = Object.freeze({ spot: 24 * 3_600_000, um: 7 * 24 * 3_600_000 });

/** Filters of {@link buildAllOrders}. */
export interface AllOrdersQuery {
  /** Orders with an id ≥ this one (numeric Binance id). */
  orderId?: string;
  /** Window start, epoch ms (inclusive). */
  startTime?: number;
  /** Window end, epoch ms (inclusive). */
  endTime?: number;
  /** Rows, 1–1000 (default 1000 here; Binance's default is 500). */
  limit?: number;
}

function params(symbol: string, query: AllOrdersQuery, idName: string): Record<string, string> {
  const out: Record<string, string> = { symbol };
  if (query.orderId !== undefined) out[idName] = query.orderId;
  if (query.startTime !== undefined) out.startTime = String(query.startTime);
  if (query.endTime !== undefined) out.endTime = String(query.endTime);
  out.limit = String(query.limit ?? 1000);
  return out;
}

/**
 * `GET /api/v3/allOrders` (Spot, weight 20; window ≤ 24 h) or `GET /fapi/v1/allOrders` (UM,
 * weight 5; window ≤ 7 days): every order of a symbol, open or done, oldest first.
 */
export function buildAllOrders(product: BinanceProduct, symbol: string, query: AllOrdersQuery = {}): BinanceRequest {
  const path = product === 'spot' ? '/api/v3/allOrders' : '/fapi/v1/allOrders';
  return { method: 'GET', path, params: params(symbol, query, 'orderId'), weight: product === 'spot' ? 20 : 5, signed: true, kind: 'read', product };
}

/** `GET /fapi/v1/allAlgoOrders` (weight 5; window ≤ 7 days): a symbol's conditional orders. */
export function buildUmAllAlgoOrders(symbol: string, query: AllOrdersQuery = {}): BinanceRequest {
  return { method: 'GET', path: '/fapi/v1/allAlgoOrders', params: params(symbol, query, 'algoId'), weight: 5, signed: true, kind: 'read', product: 'um' };
}

const OrderListQuery = z.object({
  orderListId: z.number().int(),
  contingencyType: z.string(),
  listOrderStatus: z.string(),
  listClientOrderId: z.string(),
  symbol: z.string(),
  orders: z.array(z.object({ symbol: z.string(), orderId: z.union([z.number().int(), z.string()]).transform(String), clientOrderId: z.string() })),
});

/** The answer of `GET /api/v3/orderList`: the list and its legs' ids. */
export type OrderListSummary = z.output<typeof OrderListQuery>;

/**
 * Reads `GET /api/v3/orderList`.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseOrderListSummary(body: unknown): OrderListSummary {
  return parseVenue(OrderListQuery, body, 'spot order list query');
}
