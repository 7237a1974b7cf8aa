import Big from 'big.js';
import type { ExchangeConnector } from '../connector.js';
import type { Fill } from '../domain/account.js';
import { isTerminalStatus } from '../domain/enums.js';
import type { Order } from '../domain/order.js';

type Waiter = { done: (o: Order) => boolean; resolve: (o: Order) => void };

/**
 * Follows a set of orders on the connector's user stream: keeps the newest state of each and its
 * fills (deduplicated by trade id, so a REST catch-up and the stream never count a fill twice),
 * and lets a policy wait for "filled or ended" without polling.
 */
export class OrderTracker {
  private readonly orders = new Map<string, Order>();
  private readonly fillsByOrder = new Map<string, Map<string, Fill>>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly watched = new Set<string>();
  private readonly onOrder = (o: Order): void => this.acceptOrder(o);
  private readonly onFill = (f: Fill): void => this.acceptFill(f);

  constructor(private readonly connector: ExchangeConnector) {
    connector.events.on('order', this.onOrder);
    connector.events.on('fill', this.onFill);
  }

  /** Starts following a client order id (call before sending, so no event is missed). */
  watch(clientOrderId: string): void {
    this.watched.add(clientOrderId);
  }

  /** Stops listening to the connector. */
  dispose(): void {
    this.connector.events.off('order', this.onOrder);
    this.connector.events.off('fill', this.onFill);
    for (const set of this.waiters.values()) set.clear();
  }

  /** Records an order state (from a REST answer or the stream), keeping the most advanced one. */
  acceptOrder(o: Order): void {
    if (!this.watched.has(o.clientOrderId)) return;
    const prev = this.orders.get(o.clientOrderId);
    if (prev && isTerminalStatus(prev.status) && !isTerminalStatus(o.status)) return;
    if (prev && new Big(prev.filledQty).gt(o.filledQty)) return;
    this.orders.set(o.clientOrderId, o);
    for (const w of [...(this.waiters.get(o.clientOrderId) ?? [])]) {
      if (w.done(o)) {
        this.waiters.get(o.clientOrderId)?.delete(w);
        w.resolve(o);
      }
    }
  }

  /** Records a fill, once per trade id. */
  acceptFill(f: Fill): void {
    if (!this.watched.has(f.clientOrderId)) return;
    let m = this.fillsByOrder.get(f.clientOrderId);
    if (!m) this.fillsByOrder.set(f.clientOrderId, (m = new Map()));
    m.set(f.tradeId, f);
  }

  /** The newest known state of an order. */
  order(clientOrderId: string): Order | undefined {
    return this.orders.get(clientOrderId);
  }

  /** The fills of an order seen so far, oldest first. */
  fills(clientOrderId: string): Fill[] {
    return [...(this.fillsByOrder.get(clientOrderId)?.values() ?? [])].sort((a, b) => a.ts - b.ts);
  }

  /** Resolves with the order once it is terminal or fully filled. */
  whenDone(clientOrderId: string): Promise<Order> {
    const done = (o: Order): boolean => isTerminalStatus(o.status) || new Big(o.filledQty).gte(o.qty);
    const current = this.orders.get(clientOrderId);
    if (current && done(current)) return Promise.resolve(current);
    return new Promise((resolve) => {
      let set = this.waiters.get(clientOrderId);
      if (!set) this.waiters.set(clientOrderId, (set = new Set()));
      set.add({ done, resolve });
    });
  }

  /**
   * Merges the fills the venue reports for an order (REST catch-up) into those seen on the
   * stream, deduplicated by trade id.
   */
  async catchUp(order: Order, since: number): Promise<Fill[]> {
    if (new Big(order.filledQty).eq(0)) return this.fills(order.clientOrderId);
    const stream = this.fills(order.clientOrderId);
    const streamQty = stream.reduce((s, f) => s.plus(f.qty), new Big(0));
    if (streamQty.gte(order.filledQty)) return stream;
    const venue = await this.connector.fills(order.market, order.symbol, { startTime: since });
    for (const f of venue) if (f.clientOrderId === order.clientOrderId) this.acceptFill(f);
    return this.fills(order.clientOrderId);
  }
}
