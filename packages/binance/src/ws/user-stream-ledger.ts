/**
 * What a user stream has already delivered, so a fill is delivered exactly once and an order's
 * state never moves backwards when the stream and a REST catch-up overlap.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { isTerminalStatus, type Fill, type Market, type Order, type OrderStatus } from '@chimera/core';

const D = Big();

/** Options of {@link UserStreamLedger}. */
export interface UserStreamLedgerOptions {
  /** Fill keys remembered, oldest forgotten first (default 100 000). */
  maxFills?: number;
  /** Orders remembered; the oldest finished ones are forgotten first (default 10 000). */
  maxOrders?: number;
}

/** Whether an order key names a regular order or a UM conditional (algo) order: their id spaces differ. */
export type OrderKind = 'regular' | 'algo';

function rank(status: OrderStatus): number {
  if (status === 'NEW') return 0;
  if (status === 'PARTIALLY_FILLED') return 1;
  return 2;
}

/**
 * Delivery memory of one user stream:
 *
 * - fills are keyed by market, symbol and trade id (Binance trade ids are unique per symbol); a
 *   key seen before is refused, so a fill the stream delivered is not delivered again by the
 *   catch-up, and the other way round;
 * - an order update is accepted when it is news: an order not seen yet, a larger filled
 *   quantity, a later status (NEW → PARTIALLY_FILLED → final), or — for a working order with
 *   the same fill — a later `updatedAt` (an amendment). A REST answer older than what the stream
 *   delivered is refused.
 *
 * Memory is bounded: the oldest fill keys and finished orders are forgotten first.
 */
export class UserStreamLedger {
  private readonly fills = new Set<string>();
  private readonly fillQueue: string[] = [];
  private fillHead = 0;
  private readonly orders = new Map<string, Order>();
  private readonly lastFillTs = new Map<string, number>();
  private readonly symbolsSeen = new Map<Market, Set<string>>();
  private readonly maxFills: number;
  private readonly maxOrders: number;

  /** @param options - see {@link UserStreamLedgerOptions}. */
  constructor(options: UserStreamLedgerOptions = {}) {
    this.maxFills = Math.max(1, options.maxFills ?? 100_000);
    this.maxOrders = Math.max(1, options.maxOrders ?? 10_000);
  }

  /** True the first time a fill is offered (and remembers it); false for a repeat. */
  acceptFill(fill: Fill): boolean {
    const key = `${fill.market}|${fill.symbol}|${fill.tradeId}`;
    if (this.fills.has(key)) return false;
    this.fills.add(key);
    this.fillQueue.push(key);
    if (this.fills.size > this.maxFills) {
      const old = this.fillQueue[this.fillHead++]!;
      this.fills.delete(old);
      // Compact the queue now and then instead of shifting it on every fill.
      if (this.fillHead > 4096 && this.fillHead * 2 > this.fillQueue.length) {
        this.fillQueue.splice(0, this.fillHead);
        this.fillHead = 0;
      }
    }
    const symKey = `${fill.market}|${fill.symbol}`;
    this.lastFillTs.set(symKey, Math.max(this.lastFillTs.get(symKey) ?? 0, fill.ts));
    this.noteSymbol(fill.market, fill.symbol);
    return true;
  }

  /** True when `order` is news (see the class notes) — it is then remembered as the latest state. */
  acceptOrder(order: Order, kind: OrderKind = 'regular'): boolean {
    const key = `${order.market}|${order.symbol}|${kind}|${order.venueOrderId}`;
    const prev = this.orders.get(key);
    this.noteSymbol(order.market, order.symbol);
    if (prev !== undefined) {
      const filled = new D(order.filledQty).cmp(prev.filledQty);
      if (filled < 0) return false;
      if (filled === 0) {
        const r = rank(order.status) - rank(prev.status);
        if (r < 0) return false;
        if (r === 0 && (isTerminalStatus(prev.status) || !(order.updatedAt > prev.updatedAt))) return false;
      }
      // Re-inserting moves the order to the end: the oldest entries are the least recently changed.
      this.orders.delete(key);
    }
    this.orders.set(key, order);
    if (this.orders.size > this.maxOrders) this.evictOrders();
    return true;
  }

  /** True when an order's state was delivered (and is still remembered). */
  knowsOrder(market: Market, symbol: string, venueOrderId: string, kind: OrderKind = 'regular'): boolean {
    return this.orders.has(`${market}|${symbol}|${kind}|${venueOrderId}`);
  }

  /** Orders whose last known state is still working, for the catch-up to re-check. */
  workingOrders(market: Market): { order: Order; kind: OrderKind }[] {
    const out: { order: Order; kind: OrderKind }[] = [];
    for (const [key, order] of this.orders) {
      if (order.market === market && !isTerminalStatus(order.status)) out.push({ order, kind: key.includes('|algo|') ? 'algo' : 'regular' });
    }
    return out;
  }

  /** The latest fill time seen for a symbol, epoch ms. */
  lastFillTime(market: Market, symbol: string): number | undefined {
    return this.lastFillTs.get(`${market}|${symbol}`);
  }

  /** Symbols the stream has reported activity on. */
  symbols(market: Market): string[] {
    return [...(this.symbolsSeen.get(market) ?? [])];
  }

  /** Remembers a symbol as active (orders placed through REST can be announced here too). */
  noteSymbol(market: Market, symbol: string): void {
    let set = this.symbolsSeen.get(market);
    if (set === undefined) {
      set = new Set();
      this.symbolsSeen.set(market, set);
    }
    set.add(symbol);
  }

  private evictOrders(): void {
    // Finished orders go first; working ones only if nothing else is left to forget.
    for (const [key, order] of this.orders) {
      if (this.orders.size <= this.maxOrders) return;
      if (isTerminalStatus(order.status)) this.orders.delete(key);
    }
    for (const key of this.orders.keys()) {
      if (this.orders.size <= this.maxOrders) return;
      this.orders.delete(key);
    }
  }
}
