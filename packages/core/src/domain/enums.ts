import { z } from 'zod';

/** A market kind: `SPOT` or perpetual futures `FUT` (Binance USDⓈ-M). */
export const Market = z.enum(['SPOT', 'FUT']);
/** A market kind: `SPOT` or perpetual futures `FUT`. */
export type Market = z.infer<typeof Market>;

/** Order side. */
export const Side = z.enum(['BUY', 'SELL']);
/** Order side. */
export type Side = z.infer<typeof Side>;

/**
 * Venue-neutral order types. Post-only is a LIMIT with `postOnly: true` (Binance Spot
 * `LIMIT_MAKER`, UM `GTX`, MAX `post_only`); stop/take-profit variants are the conditional orders.
 */
export const OrderType = z.enum([
  'LIMIT',
  'MARKET',
  'STOP_MARKET',
  'TAKE_PROFIT_MARKET',
  'STOP_LIMIT',
  'TAKE_PROFIT_LIMIT',
]);
/** Venue-neutral order types. */
export type OrderType = z.infer<typeof OrderType>;

/** Time in force: GTC (rest), IOC (fill what you can), FOK (all or nothing), GTX (post-only). */
export const TimeInForce = z.enum(['GTC', 'IOC', 'FOK', 'GTX']);
/** Time in force. */
export type TimeInForce = z.infer<typeof TimeInForce>;

/** Which price triggers a conditional order: the mark price or the last trade price. */
export const WorkingType = z.enum(['MARK_PRICE', 'CONTRACT_PRICE']);
/** Which price triggers a conditional order. */
export type WorkingType = z.infer<typeof WorkingType>;

/** Order status, as every venue's statuses map onto it. */
export const OrderStatus = z.enum(['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED']);
/** Order status. */
export type OrderStatus = z.infer<typeof OrderStatus>;

/** Statuses after which an order can no longer change. */
export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED']);

/** True when an order in this status can no longer fill or be cancelled. */
export function isTerminalStatus(status: OrderStatus): boolean {
  return TERMINAL_ORDER_STATUSES.has(status);
}

/** Trading status of an instrument. */
export const InstrumentStatus = z.enum(['TRADING', 'HALTED', 'BREAK', 'PRE_TRADING', 'DELISTED']);
/** Trading status of an instrument. */
export type InstrumentStatus = z.infer<typeof InstrumentStatus>;

/** Uppercase symbol such as `BTCUSDT` (SPEC §6: `^[A-Z0-9]{3,}$`). */
export const Symbol = z.string().regex(/^[A-Z0-9]{3,}$/, 'expected an uppercase symbol like "BTCUSDT"');
