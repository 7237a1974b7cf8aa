/**
 * The transport-independent description of one Binance REST call: what the endpoint builders
 * return and what a REST transport signs, limits and sends.
 *
 * @packageDocumentation
 */

/**
 * Which Binance API a request goes to: `spot` (`https://api.binance.com`, also the wallet's
 * `/sapi` endpoints) or `um` (USDⓈ-M futures, `https://fapi.binance.com`). The product decides the
 * base URL, the rate-limit budget, the signing rules and how error codes read (BINANCE.md §1, §2, §9).
 */
export type BinanceProduct = 'spot' | 'um';

/** HTTP methods the Binance REST APIs use. */
export type BinanceMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Request parameters in the order they are sent. Every value is already a string (decimals as
 * exact decimal strings, booleans as `"true"`/`"false"`, integers in base 10); `timestamp`,
 * `recvWindow` and `signature` are not included: the signer appends them.
 */
export type BinanceParams = Record<string, string>;

/**
 * One REST call as data. The transport chooses the base URL from `product`, charges `weight`
 * against the IP request-weight budget before sending, signs when `signed`, and treats the
 * outcome of a failed `write` as unknown unless the venue's answer is definitive (DESIGN.md
 * principle 4).
 */
export interface BinanceRequest {
  /** HTTP method. */
  method: BinanceMethod;
  /** Path below the product's base URL, e.g. `/api/v3/order`. */
  path: string;
  /** Parameters in sending order (query string for every method; see {@link signQuery}). */
  params: BinanceParams;
  /**
   * Documented IP request weight (`X-MBX-USED-WEIGHT-1M`). For order endpoints this is the
   * charge when the request fails (Spot charges 0 for successful placements and cancels since
   * 2026-04-02), so a limiter reserving it never under-counts.
   */
  weight: number;
  /**
   * Documented UID weight for the wallet endpoints that are limited per account instead of per
   * IP (`POST /sapi/v1/asset/transfer`: 900). Absent for every other endpoint.
   */
  uidWeight?: number;
  /** How many orders the call adds to the account's order-rate counters (`X-MBX-ORDER-COUNT-*`). */
  orderCount?: number;
  /** Whether the call needs `timestamp` + `signature` (TRADE and USER_DATA endpoints). */
  signed: boolean;
  /** `read` calls are safe to retry; `write` calls change state and are never resent blindly. */
  kind: 'read' | 'write';
  /** Which API (base URL, limits, error dialect) the call belongs to. */
  product: BinanceProduct;
}

/** The venue id every mapped domain object carries. */
export const VENUE_ID = 'binance';
