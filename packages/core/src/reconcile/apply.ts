import Big from 'big.js';
import type { Clock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import { positionSide, type Position } from '../domain/account.js';
import { isTerminalStatus } from '../domain/enums.js';
import type { Order } from '../domain/order.js';
import type { ReconcileEvent, ReconcileItem } from '../domain/reconcile.js';
import type { OrderRecord, PositionSnapshot, StrategyEvent } from '../domain/records.js';
import { isChimeraError, StateError, VenueError } from '../errors.js';
import { IntentLifecycle } from '../execution/intent-lifecycle.js';
import { canTransition } from '../execution/intent-state.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';
import type { EventSink } from '../sinks/event-sink.js';
import type { Store } from '../sinks/store.js';
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '../sinks/stream-keys.js';
import type {
  AdoptPositionAction,
  CancelOrderAction,
  ConfirmThenFixOrderAction,
  FixPositionSnapshotAction,
  PlannedAction,
  ReconcileAlert,
  ReconcilePlan,
  ReducePositionAction,
  VenueOrderRef,
} from './planned-action.js';

/**
 * Where the time of the last applied reconciliation is recorded — `recon:{last_run_ts}` (SPEC §5).
 * `@chimera/redis-sink`'s `LastRunKey` (`reconLastRunKey(redis)`) fits.
 */
export interface LastRunRecorder {
  /** Records a run finished at `epochMs`. Failures are logged, never thrown into the run. */
  set(epochMs: number): Promise<unknown> | unknown;
}

/** What `applyPlan` needs. */
export interface ApplyDeps {
  /** The venue of the plan's actions; for a plan over several venues pass `connectors`. */
  connector?: ExchangeConnector;
  /** Several venues, matched to actions by `connector.venue`. */
  connectors?: readonly ExchangeConnector[];
  store: Store;
  /** Receives `strategy:reconciled` and `alerts`. */
  sink: EventSink;
  /** Stream names (default scheme). */
  keys?: StreamKeys;
  clock: Clock;
  /** Intent transitions (ACTIVE on adoption, RECONCILED on settlement). Default: one over `store` and `clock`. */
  lifecycle?: IntentLifecycle;
  /** Logger; wrapped in redaction (default silent). */
  logger?: Logger;
  /** Set to the finish time once the plan is applied (`recon:{last_run_ts}`). */
  lastRun?: LastRunRecorder;
  /** Stamped on alerts and audit events, so a run's records can be found together. */
  reconcileId?: string;
  /** Called with every alert as it is published (the `Reconciler` re-emits them). */
  onAlert?: (alert: ReconcileAlert) => void;
  /** Called with every `strategy:reconciled` event as it is published. */
  onReconciled?: (event: ReconcileEvent) => void;
}

/** What `applyPlan` returns. */
export interface ApplyResult {
  /**
   * One item per planned action, in plan order: the plan's item when the action did what it
   * planned; `FAILED` when it failed (retried next round); `REPORTED` when the venue had moved on
   * and nothing needed doing (e.g. the position was already flat at apply time).
   */
  items: ReconcileItem[];
  /** Items whose action is `FAILED`. */
  failed: number;
  /** Every alert raised, in order. */
  alerts: ReconcileAlert[];
}

/** Strategy-event kind of the audit record each applied action writes. */
const AUDIT_KIND: Record<PlannedAction['subject'], string> = {
  ORDER: 'RECONCILE_ORDER',
  POSITION: 'RECONCILE_POSITION',
  BALANCE: 'RECONCILE_BALANCE',
};

/** Alert code of a cancel that failed (FATAL; SPEC §5: retried next round). */
export const RECONCILE_CANCEL_FAILED = 'RECONCILE_CANCEL_FAILED';
/** Alert code of any other action that failed (ERROR). */
export const RECONCILE_ACTION_FAILED = 'RECONCILE_ACTION_FAILED';

const D = Big();

function abs(qty: string): string {
  return qty.startsWith('-') ? qty.slice(1) : qty;
}

function text(v: Big): string {
  return v.eq(0) ? '0' : v.toFixed();
}

function codeOf(err: unknown): string {
  return isChimeraError(err) ? err.code : 'UNEXPECTED';
}

function messageOf(err: unknown): string {
  if (isChimeraError(err)) return err.shortMessage;
  return err instanceof Error ? err.message : String(err);
}

function isNotFound(err: unknown): boolean {
  return isChimeraError(err) && err.code === 'ORDER_NOT_FOUND';
}

function isOpen(o: { status: Order['status'] }): boolean {
  return !isTerminalStatus(o.status);
}

/** An action's outcome as `applyOne` reports it. */
interface Outcome {
  item: ReconcileItem;
  /** Extra audit fields. */
  details?: Record<string, unknown>;
  /** Raise the plan's alert (the action did what it planned). */
  raisePlanned: boolean;
}

/** A failure raised while applying; carries the alert level it deserves. */
class ActionFailure extends Error {
  constructor(
    readonly level: 'ERROR' | 'FATAL',
    readonly code: string,
    message: string,
    readonly origin: unknown,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * Applies a reconciliation plan (SPEC §5): the I/O half of `diff → plan → apply`. Actions run one
 * after another in plan order (orders, then positions, then balances), so an orphan order is gone
 * before a position is judged again and requests stay within venue rate limits.
 *
 * Per action:
 * - `CANCEL_ORDER` → `cancelOrder`; `ORDER_NOT_FOUND` means already gone (its final state is read
 *   back and stored); any other failure raises a FATAL alert and the item is `FAILED` — the next
 *   round finds the order again and retries;
 * - `WRITE_ORDER` → store the venue's view;
 * - `CONFIRM_THEN_FIX_ORDER` → one `getOrder` by client order id: final → store it; still open →
 *   nothing (`REPORTED`, the list lagged); not found → store the local record as CANCELED;
 * - `ADOPT_POSITION` → only if the intent is still PENDING_ENTRY: fetch and store its missing
 *   orders, store its working orders and the snapshot, move the intent to ACTIVE (an
 *   `INTENT_STATE` event) and write the plan's `RECONCILE_ADOPTED` event;
 * - `CLOSE_POSITION` / `REDUCE_POSITION` → cancel the orders that would rebuild the position,
 *   re-read the position, then send reduce-only MARKET slices with the plan's fixed client ids,
 *   capped at what is held now (a slice already at the venue counts and is not sent again), then
 *   store the resulting snapshot; never adds exposure. A closed orphan writes `ORPHAN_CLOSED`
 *   and an ERROR alert; a PENDING_ENTRY intent whose entry orders were cancelled gets a
 *   `ROLLBACK` event (its state is left for `Executor.resume()` to settle);
 * - `FIX_POSITION_SNAPSHOT` → with `confirmFlat`, only if the venue still shows the symbol flat:
 *   store the snapshot, move the settled intents to RECONCILED;
 * - `REPORT_BALANCE` → alert only; `DEFER` → nothing.
 *
 * Every action except `DEFER` writes a `RECONCILE_ORDER` / `RECONCILE_POSITION` /
 * `RECONCILE_BALANCE` strategy event; every item publishes `strategy:reconciled`
 * `{ kind, action, ref, ts }`. A dry-run plan (`plan.dryRun`) is not applied: nothing is written
 * and the plan's items come back unchanged.
 *
 * @param plan - The plan (from `planReconcile`).
 * @param deps - Venue(s), store, sink, clock and hooks.
 * @returns The items as they turned out (unchanged from the plan for every action that succeeded,
 *   so a clean run answers exactly what its dry run did), the failure count and the alerts raised. A failed action
 *   (venue refusal, store error, a venue no connector serves) becomes a `FAILED` item with an
 *   alert; `applyPlan` itself does not reject.
 */
export async function applyPlan(plan: ReconcilePlan, deps: ApplyDeps): Promise<ApplyResult> {
  if (plan.dryRun) return { items: plan.actions.map((a) => ({ ...a.item })), failed: 0, alerts: [] };
  const run = new PlanRun(plan, deps);
  const items: ReconcileItem[] = [];
  for (const action of plan.actions) items.push(await run.apply(action));
  await run.recordLastRun();
  return { items, failed: items.filter((i) => i.action === 'FAILED').length, alerts: run.alerts };
}

/** The state of one `applyPlan` call. */
class PlanRun {
  readonly alerts: ReconcileAlert[] = [];
  private readonly keys: StreamKeys;
  private readonly log: Logger;
  private readonly lifecycle: IntentLifecycle;
  private readonly venues = new Map<string, ExchangeConnector>();

  constructor(
    private readonly plan: ReconcilePlan,
    private readonly deps: ApplyDeps,
  ) {
    this.keys = deps.keys ?? DEFAULT_STREAM_KEYS;
    this.log = redactingLogger(deps.logger ?? noopLogger).child({ component: 'reconcile-apply' });
    this.lifecycle = deps.lifecycle ?? new IntentLifecycle(deps.store, deps.clock);
    for (const c of [...(deps.connector ? [deps.connector] : []), ...(deps.connectors ?? [])]) this.venues.set(c.venue, c);
  }

  async apply(action: PlannedAction): Promise<ReconcileItem> {
    let outcome: Outcome;
    try {
      outcome = await this.dispatch(action);
    } catch (err) {
      outcome = this.failed(action, err);
    }
    if (outcome.raisePlanned && action.alert !== undefined) this.raise(action.alert);
    if (action.kind !== 'DEFER') await this.audit(action, outcome);
    const event: ReconcileEvent = { kind: action.subject, action: outcome.item.action, ref: action.ref, ts: this.deps.clock.now() };
    this.deps.sink.publish(this.keys.reconciled(), { ...event });
    this.deps.onReconciled?.(event);
    return outcome.item;
  }

  async recordLastRun(): Promise<void> {
    if (!this.deps.lastRun) return;
    try {
      await this.deps.lastRun.set(this.deps.clock.now());
    } catch (err) {
      this.log.warn({ error: redact(err) }, 'recon last-run time not recorded');
    }
  }

  private dispatch(action: PlannedAction): Promise<Outcome> {
    switch (action.kind) {
      case 'CANCEL_ORDER':
        return this.cancel(action);
      case 'WRITE_ORDER':
        return this.deps.store.upsertOrders([action.record]).then(() => planned(action));
      case 'CONFIRM_THEN_FIX_ORDER':
        return this.confirmThenFix(action);
      case 'ADOPT_POSITION':
        return this.adopt(action);
      case 'CLOSE_POSITION':
      case 'REDUCE_POSITION':
        return this.reduce(action);
      case 'FIX_POSITION_SNAPSHOT':
        return this.fixSnapshot(action);
      case 'REPORT_BALANCE':
      case 'DEFER':
        return Promise.resolve(planned(action));
    }
  }

  private connectorFor(venue: string): ExchangeConnector {
    const c = this.venues.get(venue);
    if (c) return c;
    throw new StateError(`no connector for venue ${venue}`, { code: 'RECONCILE_NO_CONNECTOR', details: { venue } });
  }

  /**
   * Cancels one order. `ORDER_NOT_FOUND` means it is already gone: its final state is read back
   * (undefined when the venue no longer knows it). An order the venue still shows open after a
   * "not found" is a failure: the cancel did not take.
   */
  private async cancelOrder(ref: VenueOrderRef): Promise<{ order: Order | undefined; gone: boolean }> {
    const c = this.connectorFor(ref.venue);
    const orderRef = { market: ref.market, symbol: ref.symbol, clientOrderId: ref.clientOrderId, venueOrderId: ref.venueOrderId };
    try {
      return { order: await c.cancelOrder(orderRef), gone: false };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    let order: Order | undefined;
    try {
      order = await c.getOrder(orderRef);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (order !== undefined && isOpen(order)) {
      throw new VenueError(`cancel of ${ref.clientOrderId} answered "not found" but the order is still ${order.status}`, {
        code: 'CANCEL_NOT_CONFIRMED',
        details: { clientOrderId: ref.clientOrderId, status: order.status },
      });
    }
    return { order, gone: true };
  }

  private async cancel(action: CancelOrderAction): Promise<Outcome> {
    let result: { order: Order | undefined; gone: boolean };
    try {
      result = await this.cancelOrder(action.order);
    } catch (err) {
      throw new ActionFailure('FATAL', RECONCILE_CANCEL_FAILED, `reconcile could not cancel ${action.order.clientOrderId}: ${messageOf(err)}; retried next round`, err, {
        ...action.order,
      });
    }
    if (result.order !== undefined) {
      const record: OrderRecord = { ...result.order };
      if (action.intentId !== undefined) record.intent_id = action.intentId;
      await this.deps.store.upsertOrders([record]);
    }
    // Already gone is as good as cancelled: the item stays as planned, the audit says which.
    return planned(action, { gone: result.gone, status: result.order?.status, filledQty: result.order?.filledQty });
  }

  private async confirmThenFix(action: ConfirmThenFixOrderAction): Promise<Outcome> {
    const c = this.connectorFor(action.order.venue);
    let found: Order | undefined;
    try {
      // By client order id only: the id the bot chose is the key it knows for certain; a venue id
      // in a local record may be a placeholder from before the acknowledgement.
      found = await c.getOrder({ market: action.order.market, symbol: action.order.symbol, clientOrderId: action.order.clientOrderId });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (found === undefined) {
      await this.deps.store.upsertOrders([action.ifNotFound]);
      return planned(action, { found: false, status: action.ifNotFound.status });
    }
    if (isOpen(found)) {
      return {
        item: { ...action.item, action: 'REPORTED', reason: `${action.item.reason}; the venue still works it (${found.status}): the open-order list lagged, nothing changed` },
        raisePlanned: false,
        details: { found: true, status: found.status },
      };
    }
    const record: OrderRecord = { ...found };
    if (action.local.intent_id !== undefined) record.intent_id = action.local.intent_id;
    if (action.local.leg !== undefined) record.leg = action.local.leg;
    await this.deps.store.upsertOrders([record]);
    return planned(action, { found: true, status: found.status });
  }

  private async adopt(action: AdoptPositionAction): Promise<Outcome> {
    const { store } = this.deps;
    const id = action.intent.intent_id;
    const current = await store.getIntent(id);
    if (current === undefined || current.state !== 'PENDING_ENTRY') {
      return {
        item: { ...action.item, action: 'REPORTED', reason: `${action.item.reason}; intent is ${current?.state ?? 'gone'} now: left for the next round` },
        raisePlanned: false,
      };
    }
    const c = this.connectorFor(action.snapshot.venue);
    const { market, symbol } = action.intent.intent;
    const fetched: OrderRecord[] = [];
    for (const clientOrderId of action.fetchOrderIds) {
      try {
        fetched.push({ ...(await c.getOrder({ market, symbol, clientOrderId })), intent_id: id });
      } catch (err) {
        // Never reached the venue: nothing to adopt for this id.
        if (!isNotFound(err)) throw err;
      }
    }
    const orders = [...action.orders, ...fetched];
    if (orders.length > 0) await store.upsertOrders(orders);
    await store.addPositionSnapshots([action.snapshot]);
    // Orders and snapshot first: a crash here leaves the intent PENDING_ENTRY, adopted again next round.
    await this.lifecycle.transition(id, 'ACTIVE', { reconcile: true, reconcile_id: this.deps.reconcileId, venue: action.snapshot.venue, qty: action.snapshot.qty });
    await store.appendStrategyEvents(action.events);
    return planned(action, { intent_id: id, orders: orders.map((o) => o.clientOrderId), qty: action.snapshot.qty });
  }

  private async reduce(action: ReducePositionAction): Promise<Outcome> {
    const c = this.connectorFor(action.venue);
    const { store } = this.deps;
    const problems: string[] = [];

    // 1. Orders that would rebuild the position go first.
    const cancelled: Order[] = [];
    for (const ref of action.cancelFirst) {
      try {
        const r = await this.cancelOrder(ref);
        if (r.order !== undefined) cancelled.push(r.order);
      } catch (err) {
        problems.push(`cancel ${ref.clientOrderId}: ${codeOf(err)}`);
        this.raise(this.alert('FATAL', RECONCILE_CANCEL_FAILED, `reconcile could not cancel ${ref.clientOrderId} before reducing ${action.symbol}: ${messageOf(err)}; retried next round`, { ...ref }));
      }
    }
    if (cancelled.length > 0) await store.upsertOrders(cancelled);

    // 2. Never more than is held now, on the side the plan saw: a position that shrank, vanished
    //    or flipped since collection is not reduced past what the plan meant to take off.
    const before = await this.positionOf(c, action.symbol);
    const keep = new D(abs(action.positionQty)).minus(action.qty);
    const sameSide = before !== undefined && positionSide(before.qty) === positionSide(action.positionQty);
    let cap = sameSide ? new D(abs(before.qty)).minus(keep) : new D(0);
    if (cap.gt(action.qty)) cap = new D(action.qty);

    // 3. Reduce-only MARKET slices with the plan's ids; a slice already at the venue is not resent.
    //    A failed cancel does not stop the reduction: taking exposure off is safe either way.
    let left = cap;
    let sentQty = new D(0);
    const sent: string[] = [];
    let stopped = false;
    for (let i = 0; i < action.slices.length && left.gt(0) && !stopped; i++) {
      const clientOrderId = action.clientOrderIds[i] as string;
      const sliceQty = new D(action.slices[i] as string);
      const existing = await this.existingSlice(c, action, clientOrderId);
      if (existing !== undefined) {
        // Its filled part is already in the position read above; only an open remainder still counts.
        if (isOpen(existing)) left = left.minus(new D(existing.qty).minus(existing.filledQty));
        continue;
      }
      const qty = sliceQty.lt(left) ? sliceQty : left;
      try {
        const order = await c.placeOrder({
          market: 'FUT',
          symbol: action.symbol,
          side: action.side,
          type: 'MARKET',
          qty: text(qty),
          reduceOnly: true,
          postOnly: false,
          clientOrderId,
        });
        await store.upsertOrders([{ ...order, leg: 'reconcile' }]);
        sent.push(clientOrderId);
        sentQty = sentQty.plus(qty);
        left = left.minus(qty);
      } catch (err) {
        // The venue refusing a reduce-only order because nothing is left to reduce is not a failure.
        stopped = true;
        if (isChimeraError(err) && err.code === 'REDUCE_ONLY_REJECTED') break;
        // Never resent blindly (an unknown outcome included): the next round re-plans from the truth.
        problems.push(`slice ${clientOrderId}: ${codeOf(err)}`);
        this.raise(this.alert('ERROR', RECONCILE_ACTION_FAILED, `reconcile could not send ${clientOrderId} to reduce ${action.symbol}: ${messageOf(err)}`, { venue: action.venue, symbol: action.symbol, clientOrderId, code: codeOf(err) }));
      }
    }

    // 4. The store follows the venue.
    const after = await this.positionOf(c, action.symbol);
    const base = after ?? before;
    if (base !== undefined) {
      const snap: PositionSnapshot = { ...(after ?? flatOf(base, this.deps.clock.now())), snapshot_ts: Math.max(this.deps.clock.now(), this.plan.collectedAt + 1) };
      await store.addPositionSnapshots([snap]);
    }
    const rollbacks = await this.rollbacks(action, cancelled);
    const details = { heldBefore: before?.qty ?? '0', heldAfter: after?.qty ?? '0', cap: text(cap), sent, sentQty: text(sentQty), cancelled: cancelled.map((o) => o.clientOrderId) };
    const events = [...(sent.length > 0 ? action.events : []), ...rollbacks];
    if (events.length > 0) await store.appendStrategyEvents(events);
    if (problems.length > 0) {
      // What was sent still took exposure off: its alert ("orphan closed") is raised all the same.
      return { item: { ...action.item, action: 'FAILED', reason: `${action.item.reason}; failed: ${problems.join(', ')}; retried next round` }, raisePlanned: sent.length > 0, details };
    }
    if (sent.length === 0) {
      return {
        item: { ...action.item, action: 'REPORTED', reason: `${action.item.reason}; venue holds ${before?.qty ?? '0'} at apply time: nothing sent` },
        raisePlanned: false,
        details,
      };
    }
    return planned(action, details);
  }

  /** A slice of this plan already at the venue (a replayed plan), from the store or the venue. */
  private async existingSlice(c: ExchangeConnector, action: ReducePositionAction, clientOrderId: string): Promise<OrderRecord | undefined> {
    const stored = await this.deps.store.getOrder(clientOrderId);
    if (stored !== undefined) return stored;
    try {
      const o = await c.getOrder({ market: 'FUT', symbol: action.symbol, clientOrderId });
      await this.deps.store.upsertOrders([{ ...o, leg: 'reconcile' }]);
      return o;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** ROLLBACK events for PENDING_ENTRY intents whose entry orders a close cancelled. */
  private async rollbacks(action: ReducePositionAction, cancelled: readonly Order[]): Promise<StrategyEvent[]> {
    if (cancelled.length === 0) return [];
    const ids = new Set(cancelled.map((o) => o.clientOrderId));
    const pending = await this.deps.store.listIntents({ states: ['PENDING_ENTRY'] });
    const out: StrategyEvent[] = [];
    for (const rec of pending) {
      const hit = rec.client_order_ids.filter((id) => ids.has(id));
      if (hit.length === 0) continue;
      out.push({
        event_id: `reconcile:${this.plan.collectedAt}:ROLLBACK:${rec.intent_id}`,
        kind: 'ROLLBACK',
        intent_id: rec.intent_id,
        symbol: action.symbol,
        market: 'FUT',
        payload: { reconcile_id: this.deps.reconcileId, venue: action.venue, cancelled: hit, reason: `entry orders cancelled while ${action.kind === 'CLOSE_POSITION' ? 'closing' : 'reducing'} an unexplained position` },
        ts: this.deps.clock.now(),
      });
    }
    return out;
  }

  private async fixSnapshot(action: FixPositionSnapshotAction): Promise<Outcome> {
    if (action.confirmFlat) {
      const c = this.connectorFor(action.snapshot.venue);
      const now = await this.positionOf(c, action.snapshot.symbol);
      if (now !== undefined && positionSide(now.qty) !== 'FLAT') {
        return {
          item: { ...action.item, action: 'REPORTED', reason: `${action.item.reason}; venue holds ${now.qty} on confirmation: nothing changed` },
          raisePlanned: false,
          details: { confirmed: false, venueQty: now.qty },
        };
      }
    }
    const { store } = this.deps;
    await store.addPositionSnapshots([action.snapshot]);
    const settled: string[] = [];
    for (const rec of action.settleIntents) {
      const current = await store.getIntent(rec.intent_id);
      // Settled only from the state the plan saw: an intent that moved on since is its owner's.
      if (current === undefined || !canTransition(current.state, 'RECONCILED') || current.updated_at > rec.updated_at) continue;
      await this.lifecycle.transition(rec.intent_id, 'RECONCILED', { reconcile: true, reconcile_id: this.deps.reconcileId, venue: action.snapshot.venue });
      settled.push(rec.intent_id);
    }
    if (action.events.length > 0) await store.appendStrategyEvents(action.events.filter((e) => e.intent_id === undefined || settled.includes(e.intent_id)));
    return planned(action, { qty: action.snapshot.qty, settled });
  }

  private async positionOf(c: ExchangeConnector, symbol: string): Promise<Position | undefined> {
    return (await c.positions(symbol)).find((p) => p.symbol === symbol);
  }

  private failed(action: PlannedAction, err: unknown): Outcome {
    const f =
      err instanceof ActionFailure
        ? err
        : new ActionFailure('ERROR', RECONCILE_ACTION_FAILED, `reconcile ${action.kind} ${action.ref} failed: ${messageOf(err)}; retried next round`, err, { kind: action.kind, ref: action.ref });
    this.log.error({ kind: action.kind, ref: action.ref, code: codeOf(f.origin), error: redact(f.origin) }, f.message);
    this.raise(this.alert(f.level, f.code, f.message, { ...f.details, code: codeOf(f.origin) }));
    return { item: { ...action.item, action: 'FAILED', reason: `${action.item.reason}; failed: ${codeOf(f.origin)}: ${messageOf(f.origin)}` }, raisePlanned: false, details: { code: codeOf(f.origin) } };
  }

  private alert(level: ReconcileAlert['level'], code: string, message: string, details: Record<string, unknown>): ReconcileAlert {
    return { level, code, message, details, ts: this.deps.clock.now() };
  }

  private raise(alert: ReconcileAlert): void {
    this.alerts.push(alert);
    this.deps.sink.publish(this.keys.alerts(), { ...alert, source: 'reconcile', ...(this.deps.reconcileId !== undefined ? { reconcile_id: this.deps.reconcileId } : {}) });
    this.deps.onAlert?.(alert);
  }

  private async audit(action: PlannedAction, outcome: Outcome): Promise<void> {
    const item = outcome.item;
    const event: StrategyEvent = {
      event_id: `reconcile:${this.plan.collectedAt}:${action.kind}:${action.ref}`,
      kind: AUDIT_KIND[action.subject],
      payload: {
        ...(this.deps.reconcileId !== undefined ? { reconcile_id: this.deps.reconcileId } : {}),
        action: action.kind,
        type: item.type,
        outcome: item.action,
        ref: action.ref,
        reason: item.reason,
        ...outcome.details,
      },
      ts: this.deps.clock.now(),
    };
    if (item.symbol !== undefined) event.symbol = item.symbol;
    if (item.market !== undefined) event.market = item.market;
    const intentId = action.kind === 'CANCEL_ORDER' ? action.intentId : action.kind === 'ADOPT_POSITION' ? action.intent.intent_id : undefined;
    if (intentId !== undefined) event.intent_id = intentId;
    try {
      await this.deps.store.appendStrategyEvents([event]);
    } catch (err) {
      // The action itself is done (or failed and alerted); a lost audit line must not undo that.
      this.log.error({ kind: action.kind, ref: action.ref, error: redact(err) }, 'reconcile audit event not written');
    }
  }
}

/**
 * The plan's own item, unchanged: the action did what it planned. Keeping the reason as planned
 * is what makes a dry run's response equal a successful real run's; details go to the audit.
 */
function planned(action: PlannedAction, details?: Record<string, unknown>): Outcome {
  return details === undefined ? { item: { ...action.item }, raisePlanned: true } : { item: { ...action.item }, raisePlanned: true, details };
}

/** A flat copy of a position row (for a venue that lists no row once a symbol is flat). */
function flatOf(p: Position, now: number): Position {
  const { markPrice: _m, isolatedMargin: _i, liquidationPrice: _l, ...rest } = p;
  return { ...rest, qty: '0', entryPrice: '0', unrealizedPnl: '0', updatedAt: now };
}
