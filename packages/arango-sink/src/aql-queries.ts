/**
 * Every AQL query `ArangoStore` sends, as fixed texts with bind parameters.
 *
 * Each query has one text whatever filters a caller sets: an absent filter is bound to `null` and
 * `@x == null OR …` drops it. After bind parameters are injected, ArangoDB's optimizer folds the
 * constant half of each `OR`, so a set filter still uses its index. Fixed texts also keep the
 * fixtures exact: the fake server in `test/` recognises these texts and nothing else.
 *
 * Results are whole documents; the store strips `_key`, `_id`, `_rev` and `_seq` in JavaScript.
 */

/** Orders matching an `OrderQuery`, oldest `createdAt` first (`_key` breaks ties). */
export const LIST_ORDERS = `FOR d IN @@collection
  FILTER @since == null OR d.updatedAt >= @since
  FILTER @symbols == null OR d.symbol IN @symbols
  FILTER @markets == null OR d.market IN @markets
  FILTER @venue == null OR d.venue == @venue
  FILTER @intentId == null OR d.intent_id == @intentId
  FILTER @openOnly == false OR d.status NOT IN @terminalStatuses
  SORT d.createdAt ASC, d._key ASC
  RETURN d`;

/** Fills matching a `FillQuery`, oldest first; equal timestamps in insertion order. */
export const LIST_FILLS = `FOR d IN @@collection
  FILTER @since == null OR d.ts >= @since
  FILTER @symbols == null OR d.symbol IN @symbols
  FILTER @markets == null OR d.market IN @markets
  FILTER @clientOrderId == null OR d.clientOrderId == @clientOrderId
  SORT d.ts ASC, d._seq ASC
  RETURN d`;

/**
 * The newest snapshot per venue and symbol among those matching the filters. The subquery finds
 * the document by the (venue, symbol, snapshot_ts) index.
 */
export const LATEST_POSITIONS = `FOR s IN @@collection
  FILTER @since == null OR s.snapshot_ts >= @since
  FILTER @symbols == null OR s.symbol IN @symbols
  COLLECT venue = s.venue, symbol = s.symbol AGGREGATE latestTs = MAX(s.snapshot_ts)
  LET latest = (
    FOR d IN @@collection
      FILTER d.venue == venue AND d.symbol == symbol AND d.snapshot_ts == latestTs
      LIMIT 1
      RETURN d
  )
  RETURN latest[0]`;

/** Strategy events matching a `StrategyEventQuery`, oldest first; equal timestamps in insertion order. */
export const LIST_STRATEGY_EVENTS = `FOR d IN @@collection
  FILTER @intentId == null OR d.intent_id == @intentId
  FILTER @kind == null OR d.kind == @kind
  FILTER @since == null OR d.ts >= @since
  SORT d.ts ASC, d._seq ASC
  RETURN d`;

/** Intent records in the given states and/or updated since a time, oldest `created_at` first. */
export const LIST_INTENTS = `FOR d IN @@collection
  FILTER @states == null OR d.state IN @states
  FILTER @since == null OR d.updated_at >= @since
  SORT d.created_at ASC, d._key ASC
  RETURN d`;

/** Funding records for a symbol and/or since a time, oldest `funding_time` first. */
export const LIST_FUNDING_RECORDS = `FOR d IN @@collection
  FILTER @symbol == null OR d.symbol == @symbol
  FILTER @since == null OR d.funding_time >= @since
  SORT d.funding_time ASC, d._key ASC
  RETURN d`;

/** Instruments of a venue and/or market, by key (venue, market, symbol). */
export const LIST_INSTRUMENTS = `FOR d IN @@collection
  FILTER @venue == null OR d.venue == @venue
  FILTER @market == null OR d.market == @market
  SORT d._key ASC
  RETURN d`;

/** Every query text above, by name (the fake server's table and the request-shape tests use it). */
export const AQL_QUERIES = {
  LIST_ORDERS,
  LIST_FILLS,
  LATEST_POSITIONS,
  LIST_STRATEGY_EVENTS,
  LIST_INTENTS,
  LIST_FUNDING_RECORDS,
  LIST_INSTRUMENTS,
} as const;
