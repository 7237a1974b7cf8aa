import Big from 'big.js';
import { positionSide, type Position } from '../domain/account.js';
import { isTerminalStatus, type Market, type OrderStatus, type Side } from '../domain/enums.js';
import type { IntentState } from '../domain/execution.js';
import type { Order } from '../domain/order.js';
import type { ReconcileMode } from '../domain/reconcile.js';
import type { OrderRecord, PositionSnapshot } from '../domain/records.js';
import { ValidationError } from '../errors.js';
import { orderSupersedes } from '../sinks/store-rules.js';
import type { IntentRecord } from '../sinks/store.js';
import type {
  BalanceDiscrepancy,
  CheckCounts,
  DiffMetrics,
  OrderDiscrepancy,
  PositionDiscrepancy,
  ReconcileDiff,
} from './discrepancy.js';
import type { LocalState } from './local.js';
import { setMetrics, type SetMetrics } from './set-metrics.js';
import type { VenueTruth } from './truth.js';

/**
 * Default {@link DiffOptions.settleMs}: 5 s, nautilus_trader's `open_check_threshold_ms` idea.
 * Long enough for an acknowledgement and its store write to meet; short against a 5-minute cycle.
 */
export const DEFAULT_SETTLE_MS = 5_000;

/** What `diff` needs from a reconciliation request (a parsed `ReconcileRequest` fits). */
export interface DiffRequest {
  /** ORDERS checks only orders, POSITIONS only positions, HOLDINGS only balances, ALL everything. */
  mode: ReconcileMode;
  /** Only these symbols (orders and positions); absent: all. */
  symbols?: readonly string[] | undefined;
  /** Only these markets (intersected with the markets the truth observed); absent: all observed. */
  markets?: readonly Market[] | undefined;
}

/** Tuning of `diff`. */
export interface DiffOptions {
  /**
   * How old (ms before `collectedAt`) a change must be before a disagreement about it is acted
   * on: a venue order or position younger than this, a local order created within it, or an
   * unfinished intent updated within it defers the discrepancy to the next round (the two sides
   * may simply not have met yet). Default {@link DEFAULT_SETTLE_MS}; 0 disables.
   */
  settleMs?: number;
  /** Largest `|venue − expected|` of an asset's total that still agrees (decimal string). Default `"0"`. */
  balanceTolerance?: string;
}

/** Why something is deferred, worded once so reports stay greppable. */
const CHANGED_DURING_RUN = 'changed during run';
const IN_FLIGHT = 'in flight';

// A private big.js constructor: a host changing Big.DP / Big.strict must not change comparisons.
const D = Big();

const UNFINISHED: ReadonlySet<IntentState> = new Set<IntentState>(['PENDING_ENTRY', 'ACTIVE', 'PENDING_CLOSING']);
const HOLDING: ReadonlySet<IntentState> = new Set<IntentState>(['ACTIVE', 'PENDING_CLOSING']);

/** Open (not final) order status; a plain comparison beats a Set lookup in the hot loops. */
function isOpen(status: OrderStatus): boolean {
  return status === 'NEW' || status === 'PARTIALLY_FILLED';
}

function sameDecimal(a: string, b: string): boolean {
  return a === b || new D(a).eq(b);
}

/** `venue:symbol`: symbols are `[A-Z0-9]+`, so the last `:` always separates the two. */
function posKey(venue: string, symbol: string): string {
  return `${venue}:${symbol}`;
}

function sideOfPosition(side: 'LONG' | 'SHORT'): Side {
  return side === 'LONG' ? 'BUY' : 'SELL';
}

function abs(qty: string): string {
  return qty.startsWith('-') ? qty.slice(1) : qty;
}

type InScope = (venue: string, market: Market, symbol: string) => boolean;

/** Which records a run covers: observed and requested markets, requested symbols, fetched venues. */
interface Scope {
  /** Orders and positions. */
  record: InScope;
  /** Balances belong to assets, not symbols: the symbol filter does not apply to them. */
  wallet: (venue: string, market: Market) => boolean;
  /** True when every record is in scope (both markets observed, no filters): checks can be skipped. */
  everything: boolean;
}

function scopeOf(truth: VenueTruth, request: DiffRequest): Scope {
  const observed = new Set<Market>(truth.markets);
  const markets = request.markets === undefined ? observed : new Set(request.markets.filter((m) => observed.has(m)));
  const symbols = request.symbols === undefined ? undefined : new Set(request.symbols);
  const venues = truth.venues === undefined ? undefined : new Set(truth.venues);
  const wallet = (venue: string, market: Market): boolean => markets.has(market) && (venues === undefined || venues.has(venue));
  if (symbols === undefined && venues === undefined) {
    if (markets.has('SPOT') && markets.has('FUT')) return { record: () => true, wallet, everything: true };
    return { record: (_venue, market) => markets.has(market), wallet, everything: false };
  }
  return { record: (venue, market, symbol) => wallet(venue, market) && (symbols === undefined || symbols.has(symbol)), wallet, everything: false };
}

/** The venue's open orders in scope, one per client order id, with a hash index into them. */
interface VenueOrderIndex {
  orders: Order[];
  index: Map<string, number>;
}

/**
 * Everything `diff` derives from the inputs and shares between the checks. The costly parts are
 * built lazily: a steady state (few discrepancies) never needs the claims, the intents by symbol
 * or a map of the store's orders, and one hash map of the venue's orders is the only O(n) index.
 */
interface Context {
  truth: VenueTruth;
  local: LocalState;
  inScope: InScope;
  /** Every record is in scope: the hot loops skip the check. */
  everything: boolean;
  inWallet: Scope['wallet'];
  collectedAt: number;
  /** Changes at or after this instant are too young to act on. */
  settledBefore: number;
  /** Client order id → id of the unfinished intent that lists it. */
  claims: () => Map<string, string>;
  /** Client order ids with a stored fill at or after `collectedAt`. */
  fillsDuringRunByOrder: Set<string>;
  /** `venue:symbol` of FUT fills at or after `collectedAt`. */
  fillsDuringRunByPosition: Set<string>;
  /** Symbol → unfinished FUT intents. */
  futIntents: () => Map<string, IntentRecord[]>;
  venueOrders: () => VenueOrderIndex;
  /** Client order id → the store's record (only for adoption candidates: rare). */
  localOrders: () => Map<string, OrderRecord>;
}

function memo<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

function buildContext(truth: VenueTruth, local: LocalState, request: DiffRequest, settleMs: number): Context {
  const scope = scopeOf(truth, request);
  const inScope = scope.record;
  const collectedAt = truth.collectedAt;
  const unfinished = memo(() => local.intents.filter((rec) => UNFINISHED.has(rec.state)));
  const claims = memo(() => {
    const byId = new Map<string, string>();
    for (const rec of unfinished()) for (const id of rec.client_order_ids) byId.set(id, rec.intent_id);
    return byId;
  });
  const futIntents = memo(() => {
    const bySymbol = new Map<string, IntentRecord[]>();
    for (const rec of unfinished()) {
      if (rec.intent.market !== 'FUT') continue;
      const list = bySymbol.get(rec.intent.symbol);
      if (list === undefined) bySymbol.set(rec.intent.symbol, [rec]);
      else list.push(rec);
    }
    return bySymbol;
  });
  const fillsDuringRunByOrder = new Set<string>();
  const fillsDuringRunByPosition = new Set<string>();
  for (const f of local.fills) {
    if (f.ts < collectedAt) continue;
    fillsDuringRunByOrder.add(f.clientOrderId);
    if (f.market === 'FUT') fillsDuringRunByPosition.add(posKey(f.venue, f.symbol));
  }
  const everything = scope.everything;
  const venueOrders = memo((): VenueOrderIndex => {
    // An "open orders" answer that carries a final order is noise, not a working order.
    const keep = (o: Order): boolean => isOpen(o.status) && (everything || inScope(o.venue, o.market, o.symbol));
    // Fast path: one hash operation per order. A venue lists each order once; a repeated client
    // order id (seen as a map that did not grow) sends the build down the careful path.
    let orders: Order[] = [];
    let index = new Map<string, number>();
    let repeated = false;
    for (const o of truth.openOrders) {
      if (!keep(o)) continue;
      index.set(o.clientOrderId, orders.length);
      if (index.size === orders.length) {
        repeated = true;
        break;
      }
      orders.push(o);
    }
    if (!repeated) return { orders, index };
    orders = [];
    index = new Map<string, number>();
    for (const o of truth.openOrders) {
      if (!keep(o)) continue;
      const at = index.get(o.clientOrderId);
      if (at === undefined) {
        index.set(o.clientOrderId, orders.length);
        orders.push(o);
      } else if (o.updatedAt >= (orders[at] as Order).updatedAt) {
        orders[at] = o;
      }
    }
    return { orders, index };
  });
  const localOrders = memo(() => {
    const byId = new Map<string, OrderRecord>();
    for (const o of local.orders) {
      if (!inScope(o.venue, o.market, o.symbol)) continue;
      const prev = byId.get(o.clientOrderId);
      if (prev === undefined || orderSupersedes(prev, o)) byId.set(o.clientOrderId, o);
    }
    return byId;
  });
  return {
    truth,
    local,
    inScope,
    everything: scope.everything,
    inWallet: scope.wallet,
    collectedAt,
    settledBefore: collectedAt - settleMs,
    claims,
    fillsDuringRunByOrder,
    fillsDuringRunByPosition,
    futIntents,
    venueOrders,
    localOrders,
  };
}

/** What differs between two open views of one order, most serious first; undefined if nothing. */
/** Where an order discrepancy is. */
function orderAt(o: Order): Pick<OrderDiscrepancy, 'clientOrderId' | 'venue' | 'market' | 'symbol'> {
  return { clientOrderId: o.clientOrderId, venue: o.venue, market: o.market, symbol: o.symbol };
}

/** The hot path of a steady state: the fields `compareOrder` checks, spelled identically. */
function spelledAlike(l: OrderRecord, v: Order): boolean {
  return l.side === v.side && l.status === v.status && l.qty === v.qty && l.filledQty === v.filledQty;
}

function compareOrder(l: OrderRecord, v: Order): { type: OrderDiscrepancy['type']; detail: string } | undefined {
  if (spelledAlike(l, v)) return undefined;
  const diffs: string[] = [];
  let type: OrderDiscrepancy['type'] | undefined;
  if (l.side !== v.side) {
    diffs.push(`side store ${l.side} venue ${v.side}`);
    type = 'SIDE_MISMATCH';
  }
  if (!sameDecimal(l.qty, v.qty)) diffs.push(`qty store ${l.qty} venue ${v.qty}`);
  if (!sameDecimal(l.filledQty, v.filledQty)) diffs.push(`filled store ${l.filledQty} venue ${v.filledQty}`);
  if (type === undefined && diffs.length > 0) type = 'QTY_MISMATCH';
  if (l.status !== v.status) {
    diffs.push(`status store ${l.status} venue ${v.status}`);
    type ??= 'STATUS_MISMATCH';
  }
  return type === undefined ? undefined : { type, detail: diffs.join('; ') };
}

function orderDeferReason(ctx: Context, id: string, l: OrderRecord | undefined): string | undefined {
  if (l !== undefined && l.updatedAt >= ctx.collectedAt) return `${CHANGED_DURING_RUN}: store updated the order at or after collection start`;
  if (ctx.fillsDuringRunByOrder.has(id)) return `${CHANGED_DURING_RUN}: a fill arrived at or after collection start`;
  return undefined;
}

function diffOrders(ctx: Context, out: OrderDiscrepancy[]): SetMetrics & CheckCounts {
  const { orders: venueList, index } = ctx.venueOrders();
  // One pass over the store's orders against the venue index: the store's record of each venue
  // order, and the open records the venue does not list (stale candidates).
  // Filled by push: `new Array(n)` for large n gives a slow dictionary-backed array in V8.
  const matched: (OrderRecord | undefined)[] = [];
  for (let k = 0; k < venueList.length; k++) matched.push(undefined);
  // 1 where the pair is spelled identically. Compared while the store's row is in cache, so the
  // pass over the venue's orders below touches neither object of an agreeing pair again: at
  // 100 000 orders the run is bound by memory latency, not by arithmetic.
  const same = new Uint8Array(venueList.length);
  const unlisted = new Map<string, OrderRecord>();
  const everything = ctx.everything;
  for (const l of ctx.local.orders) {
    if (!everything && !ctx.inScope(l.venue, l.market, l.symbol)) continue;
    const at = index.get(l.clientOrderId);
    if (at !== undefined) {
      const prev = matched[at];
      if (prev === undefined || orderSupersedes(prev, l)) {
        matched[at] = l;
        same[at] = spelledAlike(l, venueList[at] as Order) ? 1 : 0;
      }
      continue;
    }
    // Stores hold one row per client order id; should a caller pass several, the most advanced
    // wins. A final row seen before an open duplicate may leave a spurious candidate — harmless,
    // as every stale candidate is confirmed with the venue before anything is written.
    const prev = unlisted.get(l.clientOrderId);
    if (prev === undefined ? isOpen(l.status) : orderSupersedes(prev, l)) unlisted.set(l.clientOrderId, l);
  }
  let intersection = 0;
  let agreeing = 0;
  let deferred = 0;
  const push = (d: OrderDiscrepancy): void => {
    if (d.deferReason !== undefined) deferred++;
    out.push(d);
  };

  let localOpen = 0;
  for (let k = 0; k < venueList.length; k++) {
    const l = matched[k];
    if (same[k] === 1) {
      // Same status as a working venue order, so open in the store too.
      intersection++;
      localOpen++;
      agreeing++;
      continue;
    }
    const v = venueList[k] as Order;
    const id = v.clientOrderId;
    if (l === undefined) {
      const claimedBy = ctx.claims().get(id);
      const d: OrderDiscrepancy = {
        type: 'ORPHAN_ORDER',
        ...orderAt(v),
        venueOrder: v,
        needsConfirmation: false,
        detail:
          claimedBy === undefined
            ? `venue works ${v.side} ${v.qty} (${v.status}); store has no record`
            : `venue works ${v.side} ${v.qty} (${v.status}); store lacks the record, intent ${claimedBy} claims it`,
      };
      if (claimedBy !== undefined) d.claimedBy = claimedBy;
      const reason =
        orderDeferReason(ctx, id, undefined) ??
        (v.updatedAt >= ctx.settledBefore ? `${IN_FLIGHT}: venue order changed within the settle window` : undefined);
      if (reason !== undefined) d.deferReason = reason;
      push(d);
      continue;
    }
    if (isTerminalStatus(l.status)) {
      // The store's rules never reopen a final order, so this cannot be "fixed": the venue works an
      // order the bot no longer tracks.
      const d: OrderDiscrepancy = {
        type: 'STATUS_MISMATCH',
        ...orderAt(v),
        venueOrder: v,
        local: l,
        needsConfirmation: false,
        detail: `store has it ${l.status}, venue still works it (${v.status})`,
      };
      const reason = orderDeferReason(ctx, id, l);
      if (reason !== undefined) d.deferReason = reason;
      push(d);
      continue;
    }
    intersection++;
    localOpen++;
    const mismatch = compareOrder(l, v);
    if (mismatch === undefined) {
      agreeing++;
      continue;
    }
    const d: OrderDiscrepancy = { type: mismatch.type, ...orderAt(v), venueOrder: v, local: l, needsConfirmation: false, detail: mismatch.detail };
    const claimedBy = l.intent_id ?? ctx.claims().get(id);
    if (claimedBy !== undefined) d.claimedBy = claimedBy;
    let reason = orderDeferReason(ctx, id, l);
    if (reason === undefined && mismatch.type !== 'SIDE_MISMATCH' && !orderSupersedes(l, { ...v, intent_id: l.intent_id, leg: l.leg })) {
      reason = `${CHANGED_DURING_RUN}: store is ahead of the venue snapshot`;
    }
    if (reason !== undefined) d.deferReason = reason;
    push(d);
  }

  for (const l of unlisted.values()) {
    if (isTerminalStatus(l.status)) continue;
    localOpen++;
    const d: OrderDiscrepancy = {
      type: 'STALE_ORDER',
      clientOrderId: l.clientOrderId,
      venue: l.venue,
      market: l.market,
      symbol: l.symbol,
      local: l,
      needsConfirmation: true,
      detail: `store has it ${l.status}, venue does not list it as open`,
    };
    const claimedBy = l.intent_id ?? ctx.claims().get(l.clientOrderId);
    if (claimedBy !== undefined) d.claimedBy = claimedBy;
    const reason =
      orderDeferReason(ctx, l.clientOrderId, l) ??
      (l.createdAt >= ctx.settledBefore ? `${IN_FLIGHT}: order created within the settle window` : undefined);
    if (reason !== undefined) d.deferReason = reason;
    push(d);
  }

  const sets = setMetrics(venueList.length, localOpen, intersection);
  return { ...sets, checked: sets.union, agreeing, deferred };
}

function sumQty(intents: readonly IntentRecord[]): string {
  let total = new D(0);
  for (const i of intents) total = total.plus(i.intent.qty);
  return total.eq(0) ? '0' : total.toFixed();
}

function positionDeferReason(
  ctx: Context,
  venue: string,
  symbol: string,
  v: Position | undefined,
  l: PositionSnapshot | undefined,
  intents: readonly IntentRecord[],
): string | undefined {
  if (l !== undefined && l.snapshot_ts >= ctx.collectedAt) return `${CHANGED_DURING_RUN}: store snapshot taken at or after collection start`;
  if (ctx.fillsDuringRunByPosition.size > 0 && ctx.fillsDuringRunByPosition.has(posKey(venue, symbol))) return `${CHANGED_DURING_RUN}: a fill arrived at or after collection start`;
  const busy = intents.find((i) => i.updated_at >= ctx.settledBefore);
  if (busy !== undefined) return `${IN_FLIGHT}: intent ${busy.intent_id} (${busy.state}) changed within the settle window`;
  if (v !== undefined && v.updatedAt >= ctx.settledBefore) return `${IN_FLIGHT}: venue position changed within the settle window`;
  return undefined;
}

/** `venue → symbol → T`: keyed without building a `venue:symbol` string per record. */
type ByPlace<T> = Map<string, Map<string, T>>;

function placeGet<T>(m: ByPlace<T>, venue: string, symbol: string): T | undefined {
  return m.get(venue)?.get(symbol);
}

function placeSet<T>(m: ByPlace<T>, venue: string, symbol: string, value: T): void {
  const inner = m.get(venue);
  if (inner === undefined) m.set(venue, new Map([[symbol, value]]));
  else inner.set(symbol, value);
}

function diffPositions(ctx: Context, out: PositionDiscrepancy[]): SetMetrics & CheckCounts {
  const venueList: Position[] = [];
  const venueIndex: ByPlace<number> = new Map();
  for (const p of ctx.truth.positions) {
    if (p.market !== 'FUT' || !ctx.inScope(p.venue, 'FUT', p.symbol) || positionSide(p.qty) === 'FLAT') continue;
    const at = placeGet(venueIndex, p.venue, p.symbol);
    if (at === undefined) {
      placeSet(venueIndex, p.venue, p.symbol, venueList.length);
      venueList.push(p);
    } else {
      venueList[at] = p;
    }
  }
  // The store's newest snapshot of each venue position, and of the places the venue shows flat.
  const matched: (PositionSnapshot | undefined)[] = [];
  for (let k = 0; k < venueList.length; k++) matched.push(undefined);
  const unlisted: ByPlace<PositionSnapshot> = new Map();
  for (const s of ctx.local.positions) {
    if (s.market !== 'FUT' || !ctx.inScope(s.venue, 'FUT', s.symbol)) continue;
    const at = placeGet(venueIndex, s.venue, s.symbol);
    const prev = at === undefined ? placeGet(unlisted, s.venue, s.symbol) : matched[at];
    if (prev !== undefined && s.snapshot_ts < prev.snapshot_ts) continue;
    if (at === undefined) placeSet(unlisted, s.venue, s.symbol, s);
    else matched[at] = s;
  }

  let venueCount = 0;
  let localCount = 0;
  let intersection = 0;
  let checked = 0;
  let agreeing = 0;
  let deferred = 0;
  /**
   * Discrepancies whose settlement may trade, by symbol: they need the venue orders that would add
   * to them. Keyed by symbol alone so the pass over every open order allocates nothing.
   */
  const needAdding = new Map<string, PositionDiscrepancy[]>();

  const judge = (v: Position | undefined, l: PositionSnapshot | undefined): void => {
    const vSide = v === undefined ? 'FLAT' : positionSide(v.qty);
    const lSide = l === undefined ? 'FLAT' : positionSide(l.qty);
    if (vSide === 'FLAT' && lSide === 'FLAT') return;
    checked++;
    if (vSide !== 'FLAT') venueCount++;
    if (lSide !== 'FLAT') localCount++;
    if (vSide !== 'FLAT' && vSide === lSide) intersection++;
    const venueQty = v === undefined || vSide === 'FLAT' ? '0' : v.qty;
    const localQty = l === undefined || lSide === 'FLAT' ? '0' : l.qty;
    if (vSide === lSide && sameDecimal(venueQty, localQty)) {
      agreeing++;
      return;
    }
    const venue = v?.venue ?? (l as PositionSnapshot).venue;
    const symbol = v?.symbol ?? (l as PositionSnapshot).symbol;
    const intents = ctx.futIntents().get(symbol) ?? [];
    const d: PositionDiscrepancy = {
      type: 'QTY_MISMATCH',
      venue,
      market: 'FUT',
      symbol,
      venueQty,
      localQty,
      explainedQty: '0',
      holders: [],
      candidateOpenOrders: [],
      candidateMissingOrderIds: [],
      addingOrders: [],
      unclaimedAddingOrders: [],
      settleIntents: [],
      needsConfirmation: false,
      detail: `store ${localQty}, venue ${venueQty}`,
    };
    if (v !== undefined && vSide !== 'FLAT') d.venuePosition = v;
    if (l !== undefined) d.local = l;

    if (vSide === 'FLAT') {
      d.type = 'STALE_POS';
      d.needsConfirmation = true;
      const lBuy = sideOfPosition(lSide as 'LONG' | 'SHORT');
      d.settleIntents = intents.filter((i) => HOLDING.has(i.state) && !i.intent.reduce_only && i.intent.side === lBuy);
      d.detail = `store holds ${localQty}, venue is flat`;
    } else {
      const vBuy = sideOfPosition(vSide);
      const sameSide = intents.filter((i) => !i.intent.reduce_only && i.intent.side === vBuy);
      const holders = sameSide.filter((i) => HOLDING.has(i.state));
      d.holders = holders.map((i) => i.intent_id);
      // An entry still in progress (PENDING_ENTRY) accounts for exposure too: trimming it would
      // fight a live strategy. It does not make a position "held", though (see ORPHAN_POS).
      d.explainedQty = sumQty(sameSide);
      if (lSide === 'FLAT' && holders.length === 0) {
        d.type = 'ORPHAN_POS';
        d.detail = `venue holds ${venueQty}; no snapshot or holding intent explains it`;
        const size = new D(abs(venueQty));
        const candidates = intents.filter(
          (i) => i.state === 'PENDING_ENTRY' && !i.intent.reduce_only && i.intent.side === vBuy && new D(i.intent.qty).gte(size),
        );
        if (candidates.length === 1) {
          const c = candidates[0] as IntentRecord;
          d.adoptionCandidate = c;
          const working = ctx.venueOrders();
          const localById = ctx.localOrders();
          for (const id of c.client_order_ids) {
            const at = working.index.get(id);
            if (at !== undefined) d.candidateOpenOrders.push(working.orders[at] as Order);
            else if (!localById.has(id)) d.candidateMissingOrderIds.push(id);
          }
        }
      } else if (lSide !== 'FLAT' && lSide !== vSide) {
        d.type = 'SIDE_MISMATCH';
      }
    }
    const reason = positionDeferReason(ctx, venue, symbol, v, l, intents);
    if (reason !== undefined) {
      d.deferReason = reason;
      deferred++;
    } else if (d.type !== 'STALE_POS') {
      const list = needAdding.get(symbol);
      if (list === undefined) needAdding.set(symbol, [d]);
      else list.push(d);
    }
    out.push(d);
  };

  for (let k = 0; k < venueList.length; k++) judge(venueList[k], matched[k]);
  for (const bySymbol of unlisted.values()) for (const l of bySymbol.values()) judge(undefined, l);

  if (needAdding.size > 0) {
    for (const o of ctx.truth.openOrders) {
      const list = needAdding.get(o.symbol);
      if (list === undefined || o.market !== 'FUT' || o.reduceOnly || !isOpen(o.status)) continue;
      for (const d of list) {
        if (d.venue !== o.venue || o.side !== (d.venueQty.startsWith('-') ? 'SELL' : 'BUY')) continue;
        d.addingOrders.push(o);
        if (!ctx.claims().has(o.clientOrderId)) d.unclaimedAddingOrders.push(o);
      }
    }
  }

  const sets = setMetrics(venueCount, localCount, intersection);
  return { ...sets, checked, agreeing, deferred };
}

function text(x: Big): string {
  return x.eq(0) ? '0' : x.toFixed();
}

function diffBalances(ctx: Context, tolerance: Big, out: BalanceDiscrepancy[]): CheckCounts {
  const expected = ctx.local.expectedBalances;
  if (expected === undefined) return { checked: 0, agreeing: 0, deferred: 0 };
  const venueTotals = new Map<string, Big>();
  for (const b of ctx.truth.balances) {
    const key = `${b.venue}:${b.market}:${b.asset}`;
    venueTotals.set(key, (venueTotals.get(key) ?? new D(0)).plus(b.free).plus(b.locked));
  }
  const wanted = new Map<string, { venue: string; market: Market; asset: string; total: Big }>();
  for (const b of expected) {
    wanted.set(`${b.venue}:${b.market}:${b.asset}`, { venue: b.venue, market: b.market, asset: b.asset, total: new D(b.free).plus(b.locked) });
  }
  let checked = 0;
  let agreeing = 0;
  for (const [key, w] of wanted) {
    if (!ctx.inWallet(w.venue, w.market)) continue;
    checked++;
    const have = venueTotals.get(key) ?? new D(0);
    const difference = have.minus(w.total);
    if (difference.abs().lte(tolerance)) {
      agreeing++;
      continue;
    }
    out.push({
      type: 'BALANCE_MISMATCH',
      venue: w.venue,
      market: w.market,
      asset: w.asset,
      venueTotal: text(have),
      expectedTotal: text(w.total),
      difference: text(difference),
      detail: `${w.asset} total venue ${text(have)}, expected ${text(w.total)} (difference ${text(difference)})`,
    });
  }
  return { checked, agreeing, deferred: 0 };
}

/**
 * Classifies every disagreement between what the venues report and what the store believes
 * (SPEC §5). Pure: no I/O, no clock; `truth.collectedAt` is the only "now".
 *
 * Rules:
 * - scope: `request.mode` picks the checks; `request.symbols` and `request.markets` (intersected
 *   with `truth.markets`, the markets actually fetched) and `truth.venues` narrow the records;
 * - orders are keyed by client order id; positions by venue + symbol (one-way mode);
 * - a record the store changed at or after `collectedAt`, or that a fill touched since, is newer
 *   than the truth: its discrepancy is kept but deferred ("changed during run"), never settled
 *   backwards; changes younger than `settleMs` are deferred too ("in flight");
 * - a stale order or position is only a candidate: it carries `needsConfirmation` for the
 *   single-order (single-symbol) query `apply` must make before closing it.
 *
 * Runs in O(orders + positions + intents + fills) with hash maps.
 *
 * @param truth - What the venues reported, with the collection start time.
 * @param local - What the store holds (see {@link LocalState} for what a loader must include).
 * @param request - Mode and filters; a parsed `ReconcileRequest` fits.
 * @param options - Settle window and balance tolerance.
 * @returns The classified discrepancies and the set metrics.
 * @throws ValidationError when `settleMs` is negative or `balanceTolerance` is not a non-negative decimal.
 */
export function diff(truth: VenueTruth, local: LocalState, request: DiffRequest, options: DiffOptions = {}): ReconcileDiff {
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  if (!(settleMs >= 0) || !Number.isFinite(settleMs)) {
    throw new ValidationError('settleMs: must be a finite number ≥ 0', [{ path: 'settleMs', message: 'must be a finite number ≥ 0' }]);
  }
  const tolerance = parseTolerance(options.balanceTolerance ?? '0');
  const ctx = buildContext(truth, local, request, settleMs);
  const mode = request.mode;
  const result: ReconcileDiff = { mode, collectedAt: truth.collectedAt, orders: [], positions: [], balances: [], metrics: { consistencyRate: 1, symmetricDifference: 0 } };
  const metrics: DiffMetrics = result.metrics;
  const counts: CheckCounts[] = [];
  if (mode === 'ALL' || mode === 'ORDERS') {
    metrics.orders = diffOrders(ctx, result.orders);
    counts.push(metrics.orders);
    metrics.symmetricDifference += metrics.orders.symmetricDifference;
  }
  if (mode === 'ALL' || mode === 'POSITIONS') {
    metrics.positions = diffPositions(ctx, result.positions);
    counts.push(metrics.positions);
    metrics.symmetricDifference += metrics.positions.symmetricDifference;
  }
  if (mode === 'ALL' || mode === 'HOLDINGS') {
    metrics.balances = diffBalances(ctx, tolerance, result.balances);
    counts.push(metrics.balances);
  }
  let judged = 0;
  let agreeing = 0;
  for (const c of counts) {
    judged += c.checked - c.deferred;
    agreeing += c.agreeing;
  }
  metrics.consistencyRate = judged === 0 ? 1 : agreeing / judged;
  return result;
}

function parseTolerance(value: string): Big {
  let t: Big | undefined;
  try {
    t = new D(value);
  } catch {
    t = undefined;
  }
  if (t === undefined || t.lt(0)) {
    throw new ValidationError('balanceTolerance: expected a non-negative decimal string', [
      { path: 'balanceTolerance', message: 'expected a non-negative decimal string' },
    ]);
  }
  return t;
}
