/**
 * The local exchange's request-weight and order counters (BINANCE.md §3): fixed windows aligned
 * to the clock, reported in `X-MBX-USED-WEIGHT-*` and `X-MBX-ORDER-COUNT-*` headers and enforced
 * with Binance's 429 answers.
 *
 * @packageDocumentation
 */
import type { Clock } from '@chimera/core';
import { BinanceWireError } from './wire-error.js';

/** One counter: a window length, its header label and its limit (0 or less: not enforced). */
export interface MeterWindow {
  /** Window length, ms. */
  intervalMs: number;
  /** Header suffix, e.g. `1M`, `10S`, `1D`. */
  label: string;
  /** Units allowed per window; ≤ 0 disables enforcement (the header is still sent). */
  limit: number;
}

interface Counter extends MeterWindow {
  start: number;
  used: number;
}

/** Counts weight and orders for one product (Spot and UM count separately, as on Binance). */
export class UsageMeter {
  private readonly weights: Counter[];
  private readonly orders: Counter[];

  /**
   * @param clock - Time source of the windows.
   * @param weights - Request-weight windows (e.g. 1 minute).
   * @param orders - Order-count windows (e.g. 10 s and 1 day).
   */
  constructor(
    private readonly clock: Clock,
    weights: readonly MeterWindow[],
    orders: readonly MeterWindow[],
  ) {
    this.weights = weights.map((w) => ({ ...w, start: 0, used: 0 }));
    this.orders = orders.map((w) => ({ ...w, start: 0, used: 0 }));
  }

  /** The declared windows, for `exchangeInfo.rateLimits`. */
  windows(): { weights: MeterWindow[]; orders: MeterWindow[] } {
    const strip = ({ intervalMs, label, limit }: Counter): MeterWindow => ({ intervalMs, label, limit });
    return { weights: this.weights.map(strip), orders: this.orders.map(strip) };
  }

  /**
   * Charges `weight` (and `orders` new orders) to the current windows.
   * @throws BinanceWireError 429 `-1003` (weight) or `-1015` (orders), with `Retry-After` until the
   *   window ends, when a limit would be exceeded; nothing is charged then.
   */
  charge(weight: number, orders = 0): void {
    const now = this.clock.now();
    for (const c of [...this.weights, ...this.orders]) this.roll(c, now);
    for (const c of this.weights) {
      if (c.limit > 0 && c.used + weight > c.limit) {
        throw new BinanceWireError(
          429,
          -1003,
          `Too many requests; current limit of IP(127.0.0.1) is ${c.limit} requests per ${c.label.toLowerCase()}. Please use the websocket for live updates to avoid polling the API.`,
          { 'Retry-After': String(Math.max(1, Math.ceil((c.start + c.intervalMs - now) / 1000))) },
        );
      }
    }
    if (orders > 0) {
      for (const c of this.orders) {
        if (c.limit > 0 && c.used + orders > c.limit) {
          throw new BinanceWireError(429, -1015, `Too many new orders; current limit is ${c.limit} orders per ${c.label}.`);
        }
      }
    }
    for (const c of this.weights) c.used += weight;
    if (orders > 0) for (const c of this.orders) c.used += orders;
  }

  /** Removes weight charged for a request that turned out free (Spot: successful order placement). */
  refund(weight: number): void {
    const now = this.clock.now();
    for (const c of this.weights) {
      this.roll(c, now);
      c.used = Math.max(0, c.used - weight);
    }
  }

  /** Usage headers: weight always, order counts when `withOrders`. */
  headers(withOrders: boolean): Record<string, string> {
    const now = this.clock.now();
    const out: Record<string, string> = {};
    for (const c of this.weights) {
      this.roll(c, now);
      out[`X-MBX-USED-WEIGHT-${c.label}`] = String(c.used);
    }
    if (withOrders) {
      for (const c of this.orders) {
        this.roll(c, now);
        out[`X-MBX-ORDER-COUNT-${c.label}`] = String(c.used);
      }
    }
    return out;
  }

  private roll(c: Counter, now: number): void {
    const start = Math.floor(now / c.intervalMs) * c.intervalMs;
    if (start !== c.start) {
      c.start = start;
      c.used = 0;
    }
  }
}
