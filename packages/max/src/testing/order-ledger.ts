/**
 * What the local MAX exchange knows about orders beyond the paper engine: the index from MAX ids
 * and `client_oid`s to markets (MAX looks orders up without a market), the `client_oid`s used in
 * the last 24 hours (MAX rejects a reuse rather than deduplicating it), trade counts, and the
 * post-only orders MAX accepted and then cancelled because they would have taken (the engine
 * refuses those outright).
 *
 * @packageDocumentation
 */
import type { Clock, Order, PaperEngine } from '@chimera/core';
import type { OrderView } from './render.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Ids of cancelled post-only orders start here, far above the engine's. */
const SYNTHETIC_ID_BASE = 9_000_000_000;

/** Order bookkeeping of one local exchange (one account). */
export class OrderLedger {
  private readonly symbolById = new Map<string, string>();
  private readonly idByClientOid = new Map<string, string>();
  private readonly usedClientOids = new Map<string, number>();
  private readonly serverCids = new Set<string>();
  private readonly trades = new Map<string, number>();
  private readonly synthetic = new Map<string, Order>();
  private nextSynthetic = SYNTHETIC_ID_BASE;
  private nextServerCid = 1;

  /**
   * @param engine - The engine holding the account's orders.
   * @param clock - The server's clock.
   */
  constructor(
    private readonly engine: PaperEngine,
    private readonly clock: Clock,
  ) {}

  /** Whether `clientOid` was used in the last 24 hours. */
  isUsed(clientOid: string): boolean {
    const at = this.usedClientOids.get(clientOid);
    return at !== undefined && this.clock.now() - at < DAY_MS;
  }

  /** A client order id for the engine when the request carried none (shown as `client_oid: null`). */
  serverClientOid(): string {
    const cid = `srv-${this.nextServerCid++}`;
    this.serverCids.add(cid);
    return cid;
  }

  /** Records an accepted order. */
  record(order: Order): void {
    this.symbolById.set(order.venueOrderId, order.symbol);
    if (!this.serverCids.has(order.clientOrderId)) {
      this.idByClientOid.set(order.clientOrderId, order.venueOrderId);
      this.usedClientOids.set(order.clientOrderId, this.clock.now());
    }
  }

  /** Counts one trade of an order. */
  countTrade(venueOrderId: string): void {
    this.trades.set(venueOrderId, (this.trades.get(venueOrderId) ?? 0) + 1);
  }

  /** How an order is rendered: its stored client id and trade count. */
  view(order: Order): OrderView {
    return { clientOid: this.serverCids.has(order.clientOrderId) ? null : order.clientOrderId, tradesCount: this.trades.get(order.venueOrderId) ?? 0 };
  }

  /**
   * A post-only order MAX accepted but will cancel (it would have taken): recorded as `NEW` now;
   * {@link OrderLedger.cancelSynthetic} ends it.
   */
  acceptRejectedPostOnly(order: Omit<Order, 'venueOrderId' | 'status' | 'filledQty' | 'createdAt' | 'updatedAt' | 'venue'>): Order {
    const now = this.clock.now();
    const o: Order = { ...order, venue: 'max', venueOrderId: String(this.nextSynthetic++), status: 'NEW', filledQty: '0', createdAt: now, updatedAt: now };
    this.synthetic.set(o.venueOrderId, o);
    this.record(o);
    return o;
  }

  /** Cancels a synthetic post-only order; returns its final state, or undefined when it was not open. */
  cancelSynthetic(venueOrderId: string): Order | undefined {
    const o = this.synthetic.get(venueOrderId);
    if (!o || o.status !== 'NEW') return undefined;
    const done: Order = { ...o, status: 'CANCELED', updatedAt: this.clock.now() };
    this.synthetic.set(venueOrderId, done);
    return done;
  }

  /** Whether an id is one of the synthetic post-only orders. */
  isSynthetic(venueOrderId: string): boolean {
    return this.synthetic.has(venueOrderId);
  }

  /** The MAX id of a `client_oid`, if known. */
  idOf(clientOid: string): string | undefined {
    return this.idByClientOid.get(clientOid);
  }

  /** One order by MAX id, in its current state. */
  get(venueOrderId: string): Order | undefined {
    const synthetic = this.synthetic.get(venueOrderId);
    if (synthetic) return synthetic;
    const symbol = this.symbolById.get(venueOrderId);
    if (symbol === undefined) return undefined;
    try {
      return this.engine.getOrder({ market: 'SPOT', symbol, venueOrderId });
    } catch {
      return undefined;
    }
  }

  /** Every order of the account (optionally of one market), engine and synthetic, oldest first. */
  all(symbol?: string): Order[] {
    const symbols = symbol === undefined ? this.engine.instruments('SPOT').map((i) => i.symbol) : [symbol];
    const out: Order[] = [];
    for (const s of symbols) out.push(...this.engine.orderHistory('SPOT', s));
    for (const o of this.synthetic.values()) if (symbol === undefined || o.symbol === symbol) out.push(o);
    return out.sort((a, b) => a.createdAt - b.createdAt || Number(a.venueOrderId) - Number(b.venueOrderId));
  }
}
