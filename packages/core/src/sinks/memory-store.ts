import type { Fill, FundingRecord } from '../domain/account.js';
import { isTerminalStatus, type Market } from '../domain/enums.js';
import type { IntentState } from '../domain/execution.js';
import type { Instrument } from '../domain/instrument.js';
import type { OrderRecord, PositionSnapshot, StrategyEvent } from '../domain/records.js';
import type { TransferRecord } from '../domain/transfer.js';
import { StateError } from '../errors.js';
import { fillKey, fundingKey, instrumentKey, positionSnapshotKey } from './natural-keys.js';
import type { FillQuery, IntentRecord, OrderQuery, Store, StrategyEventQuery, TransferUpdate } from './store.js';
import { applyTransferUpdate, mergeOrder } from './store-rules.js';

const clone = <T>(v: T): T => structuredClone(v);

function inList<T>(list: readonly T[] | undefined, v: T): boolean {
  return list === undefined || list.includes(v);
}

/**
 * An in-memory {@link Store}: the default store, and the reference the conformance suite is
 * written against. Records are cloned in and out so callers can't mutate stored state.
 */
export class MemoryStore implements Store {
  private readonly orders = new Map<string, OrderRecord>();
  private readonly fills = new Map<string, Fill>();
  private readonly snapshots = new Map<string, PositionSnapshot>();
  private readonly events = new Map<string, StrategyEvent>();
  private readonly intents = new Map<string, IntentRecord>();
  private readonly transfers = new Map<string, TransferRecord>();
  private readonly funding = new Map<string, FundingRecord>();
  private readonly instruments = new Map<string, Instrument>();

  async upsertOrders(orders: readonly OrderRecord[]): Promise<void> {
    for (const o of orders) this.orders.set(o.clientOrderId, clone(mergeOrder(this.orders.get(o.clientOrderId), o)));
  }

  async getOrder(clientOrderId: string): Promise<OrderRecord | undefined> {
    const o = this.orders.get(clientOrderId);
    return o && clone(o);
  }

  async listOrders(q: OrderQuery = {}): Promise<OrderRecord[]> {
    return [...this.orders.values()]
      .filter(
        (o) =>
          (q.since === undefined || o.updatedAt >= q.since) &&
          inList(q.symbols, o.symbol) &&
          inList(q.markets, o.market) &&
          (q.venue === undefined || o.venue === q.venue) &&
          (!q.openOnly || !isTerminalStatus(o.status)) &&
          (q.intentId === undefined || o.intent_id === q.intentId),
      )
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(clone);
  }

  async addFills(fills: readonly Fill[]): Promise<number> {
    let added = 0;
    for (const f of fills) {
      const k = fillKey(f);
      if (this.fills.has(k)) continue;
      this.fills.set(k, clone(f));
      added++;
    }
    return added;
  }

  async listFills(q: FillQuery = {}): Promise<Fill[]> {
    return [...this.fills.values()]
      .filter(
        (f) =>
          (q.since === undefined || f.ts >= q.since) &&
          inList(q.symbols, f.symbol) &&
          inList(q.markets, f.market) &&
          (q.clientOrderId === undefined || f.clientOrderId === q.clientOrderId),
      )
      .sort((a, b) => a.ts - b.ts)
      .map(clone);
  }

  async addPositionSnapshots(snapshots: readonly PositionSnapshot[]): Promise<void> {
    for (const s of snapshots) this.snapshots.set(positionSnapshotKey(s), clone(s));
  }

  async latestPositions(q: { since?: number; symbols?: readonly string[] } = {}): Promise<PositionSnapshot[]> {
    const latest = new Map<string, PositionSnapshot>();
    for (const s of this.snapshots.values()) {
      if (q.since !== undefined && s.snapshot_ts < q.since) continue;
      if (!inList(q.symbols, s.symbol)) continue;
      const k = `${s.venue}:${s.symbol}`;
      const cur = latest.get(k);
      if (!cur || s.snapshot_ts > cur.snapshot_ts) latest.set(k, s);
    }
    return [...latest.values()].map(clone);
  }

  async appendStrategyEvents(events: readonly StrategyEvent[]): Promise<number> {
    let added = 0;
    for (const e of events) {
      if (this.events.has(e.event_id)) continue;
      this.events.set(e.event_id, clone(e));
      added++;
    }
    return added;
  }

  async listStrategyEvents(q: StrategyEventQuery = {}): Promise<StrategyEvent[]> {
    // Insertion order breaks ties at equal timestamps, so transitions read back in write order.
    return [...this.events.values()]
      .map((e, i) => ({ e, i }))
      .filter(
        ({ e }) =>
          (q.intentId === undefined || e.intent_id === q.intentId) &&
          (q.kind === undefined || e.kind === q.kind) &&
          (q.since === undefined || e.ts >= q.since),
      )
      .sort((a, b) => a.e.ts - b.e.ts || a.i - b.i)
      .map(({ e }) => clone(e));
  }

  async putIntent(record: IntentRecord): Promise<void> {
    this.intents.set(record.intent_id, clone(record));
  }

  async getIntent(intentId: string): Promise<IntentRecord | undefined> {
    const r = this.intents.get(intentId);
    return r && clone(r);
  }

  async listIntents(q: { states?: readonly IntentState[]; since?: number } = {}): Promise<IntentRecord[]> {
    return [...this.intents.values()]
      .filter((r) => inList(q.states, r.state) && (q.since === undefined || r.updated_at >= q.since))
      .sort((a, b) => a.created_at - b.created_at)
      .map(clone);
  }

  async createTransfer(record: TransferRecord): Promise<{ created: boolean; record: TransferRecord }> {
    const existing = this.transfers.get(record.transfer_id);
    if (existing) return { created: false, record: clone(existing) };
    this.transfers.set(record.transfer_id, clone(record));
    return { created: true, record: clone(record) };
  }

  async updateTransfer(transferId: string, update: TransferUpdate): Promise<TransferRecord> {
    const stored = this.transfers.get(transferId);
    if (!stored) throw new StateError(`unknown transfer ${transferId}`, { code: 'TRANSFER_NOT_FOUND', details: { transfer_id: transferId } });
    const next = applyTransferUpdate(stored, update);
    this.transfers.set(transferId, clone(next));
    return clone(next);
  }

  async getTransfer(transferId: string): Promise<TransferRecord | undefined> {
    const t = this.transfers.get(transferId);
    return t && clone(t);
  }

  async upsertFundingRecords(records: readonly FundingRecord[]): Promise<number> {
    let added = 0;
    for (const r of records) {
      const k = fundingKey(r);
      if (this.funding.has(k)) continue;
      this.funding.set(k, clone(r));
      added++;
    }
    return added;
  }

  async listFundingRecords(q: { symbol?: string; since?: number } = {}): Promise<FundingRecord[]> {
    return [...this.funding.values()]
      .filter((r) => (q.symbol === undefined || r.symbol === q.symbol) && (q.since === undefined || r.funding_time >= q.since))
      .sort((a, b) => a.funding_time - b.funding_time)
      .map(clone);
  }

  async putInstruments(instruments: readonly Instrument[]): Promise<void> {
    for (const i of instruments) this.instruments.set(instrumentKey(i), clone(i));
  }

  async listInstruments(q: { venue?: string; market?: Market } = {}): Promise<Instrument[]> {
    return [...this.instruments.values()]
      .filter((i) => (q.venue === undefined || i.venue === q.venue) && (q.market === undefined || i.market === q.market))
      .map(clone);
  }

  async close(): Promise<void> {}
}
