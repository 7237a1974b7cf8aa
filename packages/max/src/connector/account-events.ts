/**
 * The connector's account events (`order`, `fill`, `balance`), deduplicated across their sources:
 * the private WebSocket's snapshots and updates, and the REST catch-up after a reconnect. Also the
 * index from MAX order ids to client order ids (MAX trades name only the order's id) and the
 * latest order state seen on the stream, which post-only and cancel confirmation wait on.
 *
 * @packageDocumentation
 */
import { isTerminalStatus, type Balance, type Clock, type ConnectorEvents, type Fill, type Logger, type Order } from '@chimera/core';
import type { EventEmitter } from 'eventemitter3';
import { isSyntheticClientOrderId } from '../rest/order-vocabulary.js';
import { D } from '../rest/wire.js';

/** How many orders, trades and balances are remembered (oldest forgotten first). */
export const ACCOUNT_MEMORY = 10_000;

/** A Map that forgets its oldest entries beyond a capacity. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (super.has(key)) super.delete(key);
    super.set(key, value);
    if (this.size > this.capacity) super.delete(this.keys().next().value as K);
    return this;
  }
}

/**
 * Emits account events once each, in a consistent order:
 *
 * - an order is emitted when its status or filled quantity changes, never going back (a stale
 *   REST answer after a newer stream update is dropped, and nothing follows a terminal state);
 * - a fill is emitted once per trade id;
 * - a balance is emitted when its free or locked amount changes.
 */
export class AccountEventRelay {
  private readonly events: EventEmitter<ConnectorEvents>;
  private readonly log: Logger;
  private readonly clientIds: BoundedMap<string, string>;
  private readonly emitted: BoundedMap<string, Order>;
  private readonly seen: BoundedMap<string, Order>;
  private readonly trades: BoundedMap<string, true>;
  private readonly balances = new Map<string, string>();
  private readonly waiters = new Map<string, Set<() => void>>();

  /**
   * @param events - The connector's emitter.
   * @param log - Where listener failures go.
   * @param capacity - Orders and trades remembered (default {@link ACCOUNT_MEMORY}).
   */
  constructor(events: EventEmitter<ConnectorEvents>, log: Logger, capacity = ACCOUNT_MEMORY) {
    this.events = events;
    this.log = log;
    this.clientIds = new BoundedMap(capacity);
    this.emitted = new BoundedMap(capacity);
    this.seen = new BoundedMap(capacity);
    this.trades = new BoundedMap(capacity);
  }

  /** Records an order's client id (from a REST answer) without emitting anything. */
  remember(order: Order): void {
    if (!isSyntheticClientOrderId(order.clientOrderId)) this.clientIds.set(order.venueOrderId, order.clientOrderId);
  }

  /** The client order id of a MAX order id, when known. */
  clientOrderIdOf(venueOrderId: string): string | undefined {
    return this.clientIds.get(venueOrderId);
  }

  /** The latest state of an order seen on the user stream or in a catch-up, if any. */
  latest(venueOrderId: string): Order | undefined {
    return this.seen.get(venueOrderId);
  }

  /** Orders emitted and not yet terminal (what a catch-up must re-check). */
  openOrders(): Order[] {
    return [...this.emitted.values()].filter((o) => !isTerminalStatus(o.status));
  }

  /**
   * Takes one order state from the stream or a catch-up: remembers it, wakes anyone waiting for
   * this order, and emits it unless it repeats or precedes what was already emitted.
   * @returns whether an `order` event was emitted.
   */
  order(order: Order): boolean {
    this.remember(order);
    const seen = this.seen.get(order.venueOrderId);
    if (!seen || !isOlder(order, seen)) this.seen.set(order.venueOrderId, order);
    this.wake(order.venueOrderId);
    const last = this.emitted.get(order.venueOrderId);
    if (last && (isOlder(order, last) || (last.status === order.status && new D(last.filledQty).eq(order.filledQty)))) return false;
    this.emitted.set(order.venueOrderId, order);
    this.emit(() => this.events.emit('order', order));
    return true;
  }

  /** Takes one fill; emits it unless its trade id was emitted before. @returns whether it was emitted. */
  fill(fill: Fill): boolean {
    if (this.trades.has(fill.tradeId)) return false;
    this.trades.set(fill.tradeId, true);
    this.emit(() => this.events.emit('fill', fill));
    return true;
  }

  /** Takes one balance; emits it when it changed. @returns whether it was emitted. */
  balance(balance: Balance): boolean {
    const key = `${new D(balance.free).toFixed()}|${new D(balance.locked).toFixed()}`;
    if (this.balances.get(balance.asset) === key) return false;
    this.balances.set(balance.asset, key);
    this.emit(() => this.events.emit('balance', balance));
    return true;
  }

  /**
   * Resolves on the next state of `venueOrderId` taken by {@link AccountEventRelay.order}, or after
   * `timeoutMs` on the clock, whichever comes first.
   */
  nextUpdate(venueOrderId: string, timeoutMs: number, clock: Clock): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.waiters.get(venueOrderId);
      if (!set) {
        set = new Set();
        this.waiters.set(venueOrderId, set);
      }
      const waiters = set;
      const done = (): void => {
        clock.clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(venueOrderId) === waiters) this.waiters.delete(venueOrderId);
        resolve();
      };
      const timer = clock.setTimeout(done, Math.max(0, timeoutMs));
      waiters.add(done);
    });
  }

  private wake(venueOrderId: string): void {
    const set = this.waiters.get(venueOrderId);
    if (!set) return;
    for (const done of [...set]) done();
  }

  private emit(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // A throwing listener must not stop the stream (eventemitter3 calls listeners synchronously).
      this.log.warn({ err }, 'account event listener threw');
    }
  }
}

/** Whether `a` is an earlier state of the same order than `b` (it can never follow `b`). */
function isOlder(a: Order, b: Order): boolean {
  if (isTerminalStatus(b.status) && !isTerminalStatus(a.status)) return true;
  if (isTerminalStatus(b.status) && isTerminalStatus(a.status) && a.status !== b.status) return true;
  return new D(a.filledQty).lt(b.filledQty);
}
