/**
 * What the local exchange keeps beside the paper engine to speak Binance: fills per order (for
 * FULL answers and exact quote totals), the client ids Binance would show (OCO leg ids the client
 * chose), which engine orders are UM algo orders, where OCO lists live, and generated ids.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { Clock, Fill, Market, Order, PaperEngine } from '@chimera/core';
import type { LocalBinanceFaults } from './faults.js';

const D = Big();

/** Where an OCO list lives, by its client list id and by its numeric id. */
export interface ListLocation {
  symbol: string;
  clientListId: string;
  listId: string;
}

/** The local exchange's state beside the engine. One per server. */
export class ExchangeState {
  private readonly fillsByOrder = new Map<string, Fill[]>();
  private readonly aliasIn = new Map<string, string>();
  private readonly aliasOut = new Map<string, string>();
  private readonly algoById = new Map<string, string>();
  private readonly algoByCid = new Map<string, string>();
  private readonly listsByCid = new Map<string, ListLocation>();
  private readonly listsById = new Map<string, ListLocation>();
  private generated = 0;
  private readonly detach: () => void;

  /**
   * @param engine - The matching engine behind the wire protocol.
   * @param clock - The exchange's clock (before `faults.clockSkewMs`).
   * @param faults - The fault script (for the clock skew).
   */
  constructor(
    readonly engine: PaperEngine,
    readonly clock: Clock,
    readonly faults: LocalBinanceFaults,
  ) {
    const onFill = (f: Fill): void => {
      const list = this.fillsByOrder.get(f.venueOrderId);
      if (list) list.push(f);
      else this.fillsByOrder.set(f.venueOrderId, [f]);
    };
    engine.events.on('fill', onFill);
    this.detach = () => engine.events.off('fill', onFill);
  }

  /** Stops listening to the engine. */
  close(): void {
    this.detach();
  }

  /** The exchange's time: its clock plus the scripted skew, epoch ms. */
  serverTime(): number {
    return this.clock.now() + this.faults.clockSkewMs;
  }

  /** A Binance-style generated client id (22 characters of `[a-z0-9_]`). */
  newClientId(prefix = 'web'): string {
    this.generated += 1;
    return `${prefix}_${this.generated.toString(36).padStart(18 - prefix.length, '0')}`.slice(0, 22);
  }

  /** Makes `clientCid` (what the client asked for) name the engine's `engineCid` on `market`. */
  alias(market: Market, clientCid: string, engineCid: string): void {
    this.aliasIn.set(`${market}|${clientCid}`, engineCid);
    this.aliasOut.set(`${market}|${engineCid}`, clientCid);
  }

  /** Forgets an alias: the client reuses `clientCid` for a new order of its own. */
  unalias(market: Market, clientCid: string): void {
    const engineCid = this.aliasIn.get(`${market}|${clientCid}`);
    if (engineCid === undefined) return;
    this.aliasIn.delete(`${market}|${clientCid}`);
    this.aliasOut.delete(`${market}|${engineCid}`);
  }

  /** The engine's client id for what the client calls `cid`. */
  engineCid(market: Market, cid: string): string {
    return this.aliasIn.get(`${market}|${cid}`) ?? cid;
  }

  /** The client id Binance shows for an engine order. */
  clientIdOf(o: Pick<Order, 'market' | 'clientOrderId'>): string {
    return this.aliasOut.get(`${o.market}|${o.clientOrderId}`) ?? o.clientOrderId;
  }

  /** The fills of one order, oldest first. */
  fillsOf(orderId: string): readonly Fill[] {
    return this.fillsByOrder.get(orderId) ?? [];
  }

  /** Σ price × qty of an order's fills, exact (falls back to avgPrice × filledQty). */
  quoteOf(o: Order): string {
    const fills = this.fillsByOrder.get(o.venueOrderId);
    if (fills && fills.length > 0) return fills.reduce((acc, f) => acc.plus(new D(f.price).times(f.qty)), new D(0)).toFixed();
    if (o.avgPrice !== undefined) return new D(o.avgPrice).times(o.filledQty).toFixed();
    return '0';
  }

  /** Records a UM algo order (its algoId is the engine order id). */
  addAlgo(o: Order): void {
    this.algoById.set(o.venueOrderId, o.symbol);
    this.algoByCid.set(o.clientOrderId, o.venueOrderId);
  }

  /** Whether an engine order is a UM algo order. */
  isAlgo(orderId: string): boolean {
    return this.algoById.has(orderId);
  }

  /** An algo order's id and symbol, by algoId or clientAlgoId. */
  findAlgo(ref: { algoId?: string; clientAlgoId?: string }): { id: string; symbol: string } | undefined {
    const id = ref.algoId ?? (ref.clientAlgoId === undefined ? undefined : this.algoByCid.get(ref.clientAlgoId));
    if (id === undefined) return undefined;
    const symbol = this.algoById.get(id);
    return symbol === undefined ? undefined : { id, symbol };
  }

  /** Every algo order id of a symbol (or all), in placement order. */
  algoIds(symbol?: string): string[] {
    return [...this.algoById.entries()].filter(([, s]) => symbol === undefined || s === symbol).map(([id]) => id);
  }

  /** Records where an OCO list lives. */
  addList(location: ListLocation): void {
    this.listsByCid.set(location.clientListId, location);
    this.listsById.set(location.listId, location);
  }

  /** Finds an OCO list by client list id or numeric id. */
  findList(ref: { clientListId?: string; listId?: string }): ListLocation | undefined {
    if (ref.listId !== undefined) return this.listsById.get(ref.listId);
    return ref.clientListId === undefined ? undefined : this.listsByCid.get(ref.clientListId);
  }
}
