import Big from 'big.js';
import type { Side } from '../domain/enums.js';
import type { OrphanPolicy, ReconcileAction, ReconcileItem } from '../domain/reconcile.js';
import type { OrderRecord, PositionSnapshot, StrategyEvent } from '../domain/records.js';
import { ValidationError } from '../errors.js';
import type { IntentRecord } from '../sinks/store.js';
import { sliceQuantity } from './close-slices.js';
import type { BalanceDiscrepancy, OrderDiscrepancy, PositionDiscrepancy, ReconcileDiff } from './discrepancy.js';
import type {
  CancelOrderAction,
  FixPositionSnapshotAction,
  PlannedAction,
  ReconcileAlert,
  ReconcilePlan,
  ReducePositionAction,
  VenueOrderRef,
  WriteOrderAction,
} from './planned-action.js';

/** Default {@link PlanPolicy.maxSliceNotionalUsdt}: reduce-only closes go out in ≤ 1 000 USDT slices. */
export const DEFAULT_MAX_SLICE_NOTIONAL_USDT = '1000';

/** How `plan` settles discrepancies. */
export interface PlanPolicy {
  /** RECLAIM_IF_SAFE adopts safe PENDING_ENTRY crash leftovers; CONSERVATIVE closes every orphan and trims unexplained excess. */
  orphanPolicy: OrphanPolicy;
  /** Recorded on the plan; the actions are the same either way (a dry run reports exactly what a real run would do). */
  dryRun: boolean;
  /** The injected current time (epoch ms): stamps events, alerts and adopted intents. */
  now: number;
  /** Largest base quantity of one close slice (decimal string). Default: none. */
  closeSliceQty?: string;
  /**
   * Largest notional of one close slice, at the position's mark (else entry) price, in USDT.
   * Default {@link DEFAULT_MAX_SLICE_NOTIONAL_USDT}; `"0"`: none.
   */
  maxSliceNotionalUsdt?: string;
  /** Most slices per close (default `DEFAULT_MAX_SLICES`). */
  maxSlices?: number;
  /** The venue's quantity step of a symbol, so slices land on its grid. Default: the position's own grid. */
  stepFor?: (venue: string, symbol: string) => string | undefined;
}

const D = Big();

function text(v: Big): string {
  return v.eq(0) ? '0' : v.toFixed();
}

function abs(qty: string): string {
  return qty.startsWith('-') ? qty.slice(1) : qty;
}

function refOf(o: { venue: string; market: VenueOrderRef['market']; symbol: string; clientOrderId: string; venueOrderId: string }): VenueOrderRef {
  return { venue: o.venue, market: o.market, symbol: o.symbol, clientOrderId: o.clientOrderId, venueOrderId: o.venueOrderId };
}

/** 32-bit FNV-1a in base 36: a short stable tag for symbols too long for a client order id. */
function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/**
 * Client order id of slice `i` of a reconciliation close: `rc-<collectedAt36>-<c|r><symbol>-<i>`,
 * within the 36 characters every supported venue accepts (long symbols are hashed). Derived from
 * the run, not random, so replaying a plan cannot send a second set of orders.
 */
export function reconcileOrderId(collectedAt: number, kind: 'CLOSE_POSITION' | 'REDUCE_POSITION', symbol: string, index: number): string {
  // Client order ids are unique per venue account, so the venue need not be part of the id.
  const head = `rc-${collectedAt.toString(36)}-${kind === 'CLOSE_POSITION' ? 'c' : 'r'}`;
  const tail = `-${index}`;
  const id = `${head}${symbol}${tail}`;
  return id.length <= 36 ? id : `${head}${shortHash(symbol)}${tail}`;
}

interface Ctx {
  policy: PlanPolicy;
  collectedAt: number;
  now: number;
  notional: string;
}

function item(type: ReconcileItem['type'], action: ReconcileAction, reason: string, at: { symbol?: string; market?: ReconcileItem['market']; order_id?: string }): ReconcileItem {
  const it: ReconcileItem = { type, action, reason };
  if (at.order_id !== undefined) it.order_id = at.order_id;
  if (at.symbol !== undefined) it.symbol = at.symbol;
  if (at.market !== undefined) it.market = at.market;
  return it;
}

function alert(ctx: Ctx, level: ReconcileAlert['level'], code: string, message: string, details: Record<string, unknown>): ReconcileAlert {
  return { level, code, message, details, ts: ctx.now };
}

function orderItem(x: OrderDiscrepancy, action: ReconcileAction, reason: string): ReconcileItem {
  return { type: x.type, action, order_id: x.clientOrderId, symbol: x.symbol, market: x.market, reason };
}

function cancelOrder(ctx: Ctx, x: OrderDiscrepancy, code: string, why: string): CancelOrderAction {
  const order = refOf(x.venueOrder as NonNullable<OrderDiscrepancy['venueOrder']>);
  const a: CancelOrderAction = {
    subject: 'ORDER',
    ref: x.clientOrderId,
    kind: 'CANCEL_ORDER',
    order,
    item: orderItem(x, 'CANCELLED', `${x.detail} → cancel (${why})`),
    alert: alert(ctx, 'WARN', code, `reconcile cancels ${x.clientOrderId}: ${why}`, { venue: order.venue, market: order.market, symbol: order.symbol, clientOrderId: order.clientOrderId, venueOrderId: order.venueOrderId, detail: x.detail }),
  };
  if (x.claimedBy !== undefined) a.intentId = x.claimedBy;
  return a;
}

function writeOrder(x: OrderDiscrepancy, record: OrderRecord): WriteOrderAction {
  return { subject: 'ORDER', ref: x.clientOrderId, kind: 'WRITE_ORDER', record, item: orderItem(x, 'FIXED', `${x.detail} → store the venue's view`) };
}

function planOrder(ctx: Ctx, x: OrderDiscrepancy): PlannedAction {
  if (x.deferReason !== undefined) {
    return { subject: 'ORDER', ref: x.clientOrderId, kind: 'DEFER', reason: x.deferReason, item: orderItem(x, 'REPORTED', `${x.detail}; deferred: ${x.deferReason}`) };
  }
  switch (x.type) {
    case 'ORPHAN_ORDER': {
      const venueOrder = x.venueOrder as NonNullable<OrderDiscrepancy['venueOrder']>;
      if (x.claimedBy !== undefined) return writeOrder(x, { ...venueOrder, intent_id: x.claimedBy });
      return cancelOrder(ctx, x, 'ORPHAN_ORDER_CANCELLED', 'untracked order');
    }
    case 'SIDE_MISMATCH':
      return cancelOrder(ctx, x, 'UNTRACKED_ORDER_CANCELLED', 'the bot does not know this side');
    case 'STATUS_MISMATCH':
    case 'QTY_MISMATCH': {
      const local = x.local as OrderRecord;
      if (x.type === 'STATUS_MISMATCH' && !isOpenStatus(local.status)) {
        return cancelOrder(ctx, x, 'UNTRACKED_ORDER_CANCELLED', 'final in the store, still working at the venue');
      }
      const record: OrderRecord = { ...(x.venueOrder as NonNullable<OrderDiscrepancy['venueOrder']>) };
      const intentId = local.intent_id ?? x.claimedBy;
      if (intentId !== undefined) record.intent_id = intentId;
      if (local.leg !== undefined) record.leg = local.leg;
      return writeOrder(x, record);
    }
    case 'STALE_ORDER': {
      const local = x.local as OrderRecord;
      return {
        subject: 'ORDER',
        ref: x.clientOrderId,
        kind: 'CONFIRM_THEN_FIX_ORDER',
        order: refOf(local),
        local,
        ifNotFound: { ...local, status: 'CANCELED', updatedAt: Math.max(local.updatedAt, ctx.collectedAt) },
        item: orderItem(x, 'FIXED', `${x.detail} → confirm by client order id, then store the venue's final status`),
      };
    }
  }
}

function isOpenStatus(status: string): boolean {
  return status === 'NEW' || status === 'PARTIALLY_FILLED';
}

function transition(ctx: Ctx, rec: IntentRecord, to: 'ACTIVE' | 'RECONCILED', kind: string, payload: Record<string, unknown>): StrategyEvent {
  return {
    event_id: `${rec.intent_id}:${to}`,
    kind,
    intent_id: rec.intent_id,
    state: to,
    from_state: rec.state,
    symbol: rec.intent.symbol,
    market: rec.intent.market,
    payload,
    ts: ctx.now,
  };
}

function snapshotFromVenue(ctx: Ctx, x: PositionDiscrepancy, intentId: string | undefined): PositionSnapshot {
  const s: PositionSnapshot = { ...(x.venuePosition as NonNullable<PositionDiscrepancy['venuePosition']>), snapshot_ts: ctx.collectedAt };
  if (intentId !== undefined) s.intent_id = intentId;
  return s;
}

function flatSnapshot(ctx: Ctx, local: PositionSnapshot): PositionSnapshot {
  const { markPrice: _m, isolatedMargin: _i, liquidationPrice: _l, ...rest } = local;
  return { ...rest, qty: '0', entryPrice: '0', unrealizedPnl: '0', updatedAt: ctx.collectedAt, snapshot_ts: ctx.collectedAt };
}

function reduction(ctx: Ctx, x: PositionDiscrepancy, kind: 'CLOSE_POSITION' | 'REDUCE_POSITION', qty: string, reason: string): ReducePositionAction {
  const pos = x.venuePosition as NonNullable<PositionDiscrepancy['venuePosition']>;
  const price = pos.markPrice !== undefined && !/^0(\.0+)?$/.test(pos.markPrice) ? pos.markPrice : pos.entryPrice;
  const limits: Parameters<typeof sliceQuantity>[1] = { maxNotional: ctx.notional, price };
  if (ctx.policy.closeSliceQty !== undefined) limits.maxQty = ctx.policy.closeSliceQty;
  if (ctx.policy.maxSlices !== undefined) limits.maxSlices = ctx.policy.maxSlices;
  const step = ctx.policy.stepFor?.(x.venue, x.symbol);
  if (step !== undefined) limits.step = step;
  const slices = sliceQuantity(qty, limits);
  const side: Side = x.venueQty.startsWith('-') ? 'BUY' : 'SELL';
  const ref = `${x.venue}:${x.symbol}`;
  const closing = kind === 'CLOSE_POSITION';
  const details = { venue: x.venue, symbol: x.symbol, positionQty: x.venueQty, qty, side, slices: slices.length };
  return {
    subject: 'POSITION',
    ref,
    kind,
    venue: x.venue,
    market: 'FUT',
    symbol: x.symbol,
    positionQty: x.venueQty,
    side,
    type: 'MARKET',
    reduceOnly: true,
    qty,
    slices,
    clientOrderIds: slices.map((_, i) => reconcileOrderId(ctx.collectedAt, kind, x.symbol, i)),
    cancelFirst: (closing ? x.addingOrders : x.unclaimedAddingOrders).map(refOf),
    events: [
      {
        event_id: `reconcile:${ctx.collectedAt}:${closing ? 'ORPHAN_CLOSED' : 'RECONCILE_REDUCED'}:${ref}`,
        kind: closing ? 'ORPHAN_CLOSED' : 'RECONCILE_REDUCED',
        symbol: x.symbol,
        market: 'FUT',
        payload: details,
        ts: ctx.now,
      },
    ],
    item: item(x.type, closing ? 'CLOSED' : 'REDUCED', reason, { symbol: x.symbol, market: 'FUT' }),
    alert: alert(ctx, 'ERROR', closing ? 'ORPHAN_CLOSED' : 'POSITION_REDUCED', closing ? 'orphan closed' : 'unexplained position excess reduced', details),
  };
}

function planPosition(ctx: Ctx, x: PositionDiscrepancy, out: PlannedAction[]): void {
  const at = { symbol: x.symbol, market: 'FUT' as const };
  const ref = `${x.venue}:${x.symbol}`;
  if (x.deferReason !== undefined) {
    out.push({ subject: 'POSITION', ref, kind: 'DEFER', reason: x.deferReason, item: item(x.type, 'REPORTED', `${x.detail}; deferred: ${x.deferReason}`, at) });
    return;
  }
  const conservative = ctx.policy.orphanPolicy === 'CONSERVATIVE';
  if (x.type === 'ORPHAN_POS') {
    const c = x.adoptionCandidate;
    if (!conservative && c !== undefined) {
      const snapshot = snapshotFromVenue(ctx, x, c.intent_id);
      const payload = { venue: x.venue, qty: x.venueQty, entryPrice: snapshot.entryPrice, reconcile: true };
      out.push({
        subject: 'POSITION',
        ref,
        kind: 'ADOPT_POSITION',
        snapshot,
        intent: { ...c, state: 'ACTIVE', updated_at: ctx.now },
        orders: x.candidateOpenOrders.map((o) => ({ ...o, intent_id: c.intent_id })),
        fetchOrderIds: [...x.candidateMissingOrderIds],
        events: [transition(ctx, c, 'ACTIVE', 'RECONCILE_ADOPTED', payload)],
        item: item('ORPHAN_POS', 'ADOPTED', `${x.detail} → adopt as PENDING_ENTRY crash leftover of intent ${c.intent_id}`, at),
      });
      return;
    }
    const why = conservative ? 'policy CONSERVATIVE' : 'no single PENDING_ENTRY intent of this side covers it';
    out.push(reduction(ctx, x, 'CLOSE_POSITION', abs(x.venueQty), `${x.detail} → close with reduce-only market orders (${why})`));
    return;
  }
  if (x.type === 'STALE_POS') {
    const local = x.local as PositionSnapshot;
    const settle = x.settleIntents.map((i) => ({ ...i, state: 'RECONCILED' as const, updated_at: ctx.now }));
    const fix: FixPositionSnapshotAction = {
      subject: 'POSITION',
      ref,
      kind: 'FIX_POSITION_SNAPSHOT',
      snapshot: flatSnapshot(ctx, local),
      confirmFlat: true,
      settleIntents: settle,
      events: x.settleIntents.map((i) => transition(ctx, i, 'RECONCILED', 'RECONCILE_FIXED', { venue: x.venue, localQty: x.localQty })),
      item: item('STALE_POS', 'FIXED', `${x.detail} → confirm flat, then store flat${settle.length > 0 ? ` and settle ${settle.length} intent(s)` : ''}`, at),
    };
    out.push(fix);
    return;
  }
  // QTY_MISMATCH / SIDE_MISMATCH: the venue is the truth. The store follows it; the venue is never
  // traded toward the store's number (that could add exposure).
  const holder = x.local?.intent_id ?? (x.holders.length === 1 ? x.holders[0] : undefined);
  out.push({
    subject: 'POSITION',
    ref,
    kind: 'FIX_POSITION_SNAPSHOT',
    snapshot: snapshotFromVenue(ctx, x, holder),
    confirmFlat: false,
    settleIntents: [],
    events: [],
    item: item(x.type, 'FIXED', `${x.detail} → store the venue's position`, at),
  });
  if (!conservative) return;
  const excess = new D(abs(x.venueQty)).minus(x.explainedQty);
  if (excess.lte(0)) return;
  out.push(
    reduction(
      ctx,
      x,
      'REDUCE_POSITION',
      text(excess),
      `venue holds ${x.venueQty}, intents explain ${x.explainedQty} → reduce the unexplained ${text(excess)} with reduce-only market orders (policy CONSERVATIVE)`,
    ),
  );
}

function planBalance(ctx: Ctx, x: BalanceDiscrepancy): PlannedAction {
  const ref = `${x.venue}:${x.market}:${x.asset}`;
  return {
    subject: 'BALANCE',
    ref,
    kind: 'REPORT_BALANCE',
    discrepancy: x,
    item: item('BALANCE_MISMATCH', 'REPORTED', `${x.venue} ${x.market} ${x.detail} → report`, { market: x.market }),
    alert: alert(ctx, 'WARN', 'BALANCE_MISMATCH', `${x.venue} ${x.market} ${x.asset} balance differs from expectation`, {
      venue: x.venue,
      market: x.market,
      asset: x.asset,
      venueTotal: x.venueTotal,
      expectedTotal: x.expectedTotal,
      difference: x.difference,
    }),
  };
}

/**
 * Decides what to do about each discrepancy (SPEC §5). Pure: the actions are data for `apply`.
 *
 * - orphan order → cancel (an order claimed by an unfinished intent → store it instead);
 * - stale order → confirm by single-order query, then store the venue's final status;
 * - order status / quantity mismatch → store the venue's view; side mismatch, or final in the
 *   store but still working → cancel;
 * - orphan position → adopt if the policy is RECLAIM_IF_SAFE and exactly one PENDING_ENTRY intent
 *   of the same side covers it, else close with reduce-only market orders in slices;
 * - stale position → confirm flat, store flat, settle the intents that held it (RECONCILED);
 * - position quantity / side mismatch → store the venue's position; under CONSERVATIVE also
 *   reduce the excess no holding intent explains;
 * - balance mismatch → report and alert; deferred discrepancies → report only.
 *
 * No action adds exposure: the only orders are reduce-only MARKET slices, opposite the venue
 * position, summing to at most its size. `dryRun` changes nothing in the actions.
 *
 * @param d - The classified discrepancies.
 * @param policy - Orphan policy, dry-run flag, injected time and slice limits.
 * @returns The plan.
 * @throws ValidationError when a slice limit is not a positive decimal (or `maxSlices` not a positive integer).
 */
export function plan(d: ReconcileDiff, policy: PlanPolicy): ReconcilePlan {
  if (!Number.isFinite(policy.now)) {
    throw new ValidationError('now: expected epoch milliseconds', [{ path: 'now', message: 'expected epoch milliseconds' }]);
  }
  const ctx: Ctx = { policy, collectedAt: d.collectedAt, now: policy.now, notional: policy.maxSliceNotionalUsdt ?? DEFAULT_MAX_SLICE_NOTIONAL_USDT };
  const actions: PlannedAction[] = [];
  for (const x of d.orders) actions.push(planOrder(ctx, x));
  for (const x of d.positions) planPosition(ctx, x, actions);
  for (const x of d.balances) actions.push(planBalance(ctx, x));
  return { dryRun: policy.dryRun, mode: d.mode, collectedAt: d.collectedAt, now: policy.now, actions, metrics: d.metrics };
}
