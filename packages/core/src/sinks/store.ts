import type { Fill } from '../domain/account.js';
import type { Market } from '../domain/enums.js';
import type { ExecutionResult, IntentState } from '../domain/execution.js';
import type { Instrument } from '../domain/instrument.js';
import type { Intent } from '../domain/intent.js';
import type { FundingRecord } from '../domain/account.js';
import type { OrderRecord, PositionSnapshot, StrategyEvent } from '../domain/records.js';
import type { TransferRecord } from '../domain/transfer.js';

/** Filters for order and fill queries. Every field narrows; absent fields don't. */
export interface OrderQuery {
  /** Only records updated at or after this time (epoch ms). */
  since?: number;
  symbols?: readonly string[];
  markets?: readonly Market[];
  venue?: string;
  /** Only orders not yet in a terminal status. */
  openOnly?: boolean;
  intentId?: string;
}

/** Filters for fill queries. */
export interface FillQuery {
  /** Only fills at or after this time (epoch ms). */
  since?: number;
  symbols?: readonly string[];
  markets?: readonly Market[];
  clientOrderId?: string;
}

/** Filters for strategy-event queries. */
export interface StrategyEventQuery {
  intentId?: string;
  kind?: string;
  /** Only events at or after this time (epoch ms). */
  since?: number;
}

/** An intent as the store keeps it: the parsed intent, its lifecycle state and its orders. */
export interface IntentRecord {
  intent_id: string;
  intent: Intent;
  state: IntentState;
  /** Client order ids of every order sent (or about to be sent) for this intent. */
  client_order_ids: string[];
  /** The result once the intent has one. */
  result?: ExecutionResult;
  /** Policy-specific progress (TWAP slice, guard stop, OCO list id …) needed to resume. */
  progress?: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}

/** A state change of a transfer. */
export interface TransferUpdate {
  state: TransferRecord['state'];
  message?: string;
  venue_tran_id?: string;
  updated_at: number;
}

/**
 * The state store (SPEC §7): orders, fills, position snapshots, strategy events, intents, treasury
 * transfers, funding records and instruments. Every write is idempotent by a natural key (see
 * `natural-keys.ts`), so a retried or replayed write never duplicates a record.
 *
 * Ordering rules every implementation keeps (the conformance suite checks them):
 * - an order update older than the stored one (`updatedAt`) never overwrites it, and an order in a
 *   terminal status never returns to an open one;
 * - a transfer in `SUCCESS` or `FAILED` never changes state again.
 */
export interface Store {
  /** Inserts or updates orders by client order id. */
  upsertOrders(orders: readonly OrderRecord[]): Promise<void>;
  /** The order with this client order id, if stored. */
  getOrder(clientOrderId: string): Promise<OrderRecord | undefined>;
  /** Orders matching `query`, oldest `createdAt` first. */
  listOrders(query?: OrderQuery): Promise<OrderRecord[]>;

  /** Adds fills; duplicates (same natural key) are ignored. @returns how many were new. */
  addFills(fills: readonly Fill[]): Promise<number>;
  /** Fills matching `query`, oldest first. */
  listFills(query?: FillQuery): Promise<Fill[]>;

  /** Appends position snapshots (idempotent by venue + symbol + snapshot time). */
  addPositionSnapshots(snapshots: readonly PositionSnapshot[]): Promise<void>;
  /** The newest snapshot per venue and symbol, optionally only those taken since `since`. */
  latestPositions(query?: { since?: number; symbols?: readonly string[] }): Promise<PositionSnapshot[]>;

  /** Appends strategy events; duplicates by `event_id` are ignored. @returns how many were new. */
  appendStrategyEvents(events: readonly StrategyEvent[]): Promise<number>;
  /** Strategy events matching `query`, oldest first. */
  listStrategyEvents(query?: StrategyEventQuery): Promise<StrategyEvent[]>;

  /** Inserts or replaces an intent record. */
  putIntent(record: IntentRecord): Promise<void>;
  /** The intent record with this id, if stored. */
  getIntent(intentId: string): Promise<IntentRecord | undefined>;
  /** Intent records, optionally only those in `states` or updated since `since`. */
  listIntents(query?: { states?: readonly IntentState[]; since?: number }): Promise<IntentRecord[]>;

  /**
   * Inserts a transfer record unless one with the same `transfer_id` exists.
   * @returns `created: false` and the stored record when it already existed.
   */
  createTransfer(record: TransferRecord): Promise<{ created: boolean; record: TransferRecord }>;
  /**
   * Moves a transfer to a new state (terminal states are final).
   * @throws StateError when the transfer is unknown or already final with another state.
   */
  updateTransfer(transferId: string, update: TransferUpdate): Promise<TransferRecord>;
  /** The transfer with this id, if stored. */
  getTransfer(transferId: string): Promise<TransferRecord | undefined>;

  /** Adds funding records; duplicates (symbol + funding time) are ignored. @returns how many were new. */
  upsertFundingRecords(records: readonly FundingRecord[]): Promise<number>;
  /** Funding records, oldest first. */
  listFundingRecords(query?: { symbol?: string; since?: number }): Promise<FundingRecord[]>;

  /** Inserts or replaces instruments (key: venue + market + symbol). */
  putInstruments(instruments: readonly Instrument[]): Promise<void>;
  /** Stored instruments. */
  listInstruments(query?: { venue?: string; market?: Market }): Promise<Instrument[]>;

  /** Releases connections. */
  close(): Promise<void>;
}
