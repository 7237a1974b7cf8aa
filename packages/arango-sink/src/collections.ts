/**
 * The collections `ArangoStore` keeps and the persistent indexes it creates on them.
 *
 * The seven collections of SPEC §7 plus `intents`: the `Store` contract keeps intent records so a
 * restarted process can resume or reconcile them, and they need a home of their own.
 */

/** Logical collection names (before any `collectionPrefix`). */
export const COLLECTIONS = {
  orders: 'orders',
  fills: 'fills',
  positionSnapshots: 'positions_snapshots',
  strategyEvents: 'strategy_events',
  treasuryTransfers: 'treasury_transfers',
  fundingRecords: 'funding_records',
  instrumentRegistry: 'instrument_registry',
  intents: 'intents',
} as const;

/** One of the logical collection roles of {@link COLLECTIONS}. */
export type CollectionRole = keyof typeof COLLECTIONS;

/** A persistent index as `POST /_api/index` receives it. */
export interface PersistentIndexSpec {
  type: 'persistent';
  /** Stable name, so an operator can tell the store's indexes from hand-made ones. */
  name: string;
  fields: string[];
  /**
   * Sparse indexes leave out documents whose attribute is null or missing: used for optional
   * links such as `intent_id`, which adopted orders and reconciliation events do not have.
   */
  sparse: boolean;
}

function index(name: string, fields: string[], sparse = false): PersistentIndexSpec {
  return { type: 'persistent', name, fields, sparse };
}

/**
 * Indexes per collection role. Each serves a filter of a `Store` query (see `aql-queries.ts`);
 * the sort attribute comes last so the optimizer can read the index in order.
 */
export const INDEXES: Readonly<Record<CollectionRole, readonly PersistentIndexSpec[]>> = {
  orders: [
    index('idx_orders_symbol_updatedAt', ['symbol', 'updatedAt']),
    index('idx_orders_intent_id', ['intent_id'], true),
    index('idx_orders_updatedAt', ['updatedAt']),
  ],
  fills: [
    index('idx_fills_clientOrderId', ['clientOrderId']),
    index('idx_fills_ts', ['ts']),
    index('idx_fills_symbol_ts', ['symbol', 'ts']),
  ],
  positionSnapshots: [
    index('idx_positions_snapshots_venue_symbol_snapshot_ts', ['venue', 'symbol', 'snapshot_ts']),
    index('idx_positions_snapshots_snapshot_ts', ['snapshot_ts']),
  ],
  strategyEvents: [
    index('idx_strategy_events_intent_id_ts', ['intent_id', 'ts'], true),
    index('idx_strategy_events_kind_ts', ['kind', 'ts']),
    index('idx_strategy_events_ts', ['ts']),
  ],
  treasuryTransfers: [index('idx_treasury_transfers_state_updated_at', ['state', 'updated_at'])],
  fundingRecords: [
    index('idx_funding_records_symbol_funding_time', ['symbol', 'funding_time']),
    index('idx_funding_records_funding_time', ['funding_time']),
  ],
  instrumentRegistry: [index('idx_instrument_registry_venue_market', ['venue', 'market'])],
  intents: [
    index('idx_intents_state_updated_at', ['state', 'updated_at']),
    index('idx_intents_created_at', ['created_at']),
  ],
};

/** Collection names as ArangoDB allows them: a letter first, then letters, digits, `_` or `-`. */
export const COLLECTION_PREFIX_PATTERN = /^([A-Za-z][A-Za-z0-9_-]{0,63})?$/;

/** Physical collection names per role for a prefix (e.g. `chimera_` → `chimera_orders`). */
export function collectionNames(prefix = ''): Readonly<Record<CollectionRole, string>> {
  const out = {} as Record<CollectionRole, string>;
  for (const role of Object.keys(COLLECTIONS) as CollectionRole[]) out[role] = `${prefix}${COLLECTIONS[role]}`;
  return Object.freeze(out);
}
