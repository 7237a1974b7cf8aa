import Big from 'big.js';
import { EventEmitter } from 'eventemitter3';
import { SystemClock, type Clock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import type { Fill } from '../domain/account.js';
import type { ExecutionResult, ExecutionStatus } from '../domain/execution.js';
import type { Instrument } from '../domain/instrument.js';
import { parseIntent, type Intent } from '../domain/intent.js';
import type { Order } from '../domain/order.js';
import { isChimeraError } from '../errors.js';
import { noopLogger, redactingLogger, type Logger } from '../logging/logger.js';
import { roundPriceForSide, roundQty } from '../precision/round.js';
import type { RiskCheckInput, RiskGate } from '../risk/risk-gate.js';
import type { EventSink } from '../sinks/event-sink.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { MemoryStore } from '../sinks/memory-store.js';
import type { IntentRecord, Store } from '../sinks/store.js';
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '../sinks/stream-keys.js';
import { deriveClientOrderId } from './client-order-id.js';
import { raiseAlert, type ExecutionContext, type ExecutionEvents } from './execution-context.js';
import { GuardStops, type GuardTriggered } from './guard-stop.js';
import { IntentLifecycle } from './intent-lifecycle.js';
import { runMakerThenTaker } from './maker-then-taker.js';
import { runOcoWithGuard } from './oco-with-guard.js';
import { cancelAndConfirm, submitOrder } from './order-submitter.js';
import { OrderTracker } from './order-tracker.js';
import { buildResult, publishExecutions } from './result.js';
import { StopLossArmer, type StopLossOptions } from './stop-loss-armer.js';
import { runTwap, TwapController } from './twap.js';

/** Options of {@link Executor}. */
export interface ExecutorOptions {
  connector: ExchangeConnector;
  /** Default: a new {@link MemoryStore}. */
  store?: Store;
  /** Default: a new {@link MemoryEventSink}. */
  sink?: EventSink;
  keys?: StreamKeys;
  clock?: Clock;
  logger?: Logger;
  /** Pre-trade gates; without one every order passes (not recommended outside tests). */
  risk?: RiskGate;
  /** Extra risk context the host knows (clock skew from the heartbeat, degraded flag, reference price). */
  riskContext?: (intent: Intent) => Partial<RiskCheckInput> | Promise<Partial<RiskCheckInput>>;
  /** Stop-loss arming for FUT entries (stop price from the intent's `sl`, else from ATR). */
  stopLoss?: StopLossOptions & { enabled?: boolean };
  /**
   * New entries wait for this before their first venue call — pass `reconciler.ready` so the
   * start-up reconciliation finishes before any new position is opened (SPEC §5). Reduce-only
   * intents never wait: existing positions can always be managed.
   */
  entryGate?: Promise<unknown>;
}

const STOP_TYPES = new Set(['STOP_MARKET', 'TAKE_PROFIT_MARKET', 'STOP_LIMIT', 'TAKE_PROFIT_LIMIT']);

/**
 * Runs intents (SPEC §3): `execute(intent)` validates it, passes the risk gates, runs the policy
 * named by `exec_policy` (or the explicit `type`), persists every state transition before the next
 * venue call and returns the reference `ExecutionResult`.
 *
 * Idempotent by `intent_id`: a repeated intent returns the stored result, or joins the run in
 * flight — it never sends a second order. `resume()` finishes what a crashed process left.
 */
export class Executor {
  /** Events for hosts and UIs: `order_submitted`, `order_filled`, `order_failed`, `twap_progress`, `engine_alert`. */
  readonly events = new EventEmitter<ExecutionEvents>();
  /** Stop-losses of futures positions. */
  readonly stopLoss: StopLossArmer;
  /** Local guard stops of SPOT positions. */
  readonly guards: GuardStops;
  /** The intent lifecycle (state machine over the store). */
  readonly lifecycle: IntentLifecycle;

  private readonly ctx: ExecutionContext;
  private readonly tracker: OrderTracker;
  private readonly inFlight = new Map<string, Promise<ExecutionResult>>();
  private readonly twaps = new Map<string, TwapController>();
  private readonly onPosition: (p: import('../domain/account.js').Position) => void;

  constructor(private readonly options: ExecutorOptions) {
    const clock = options.clock ?? new SystemClock();
    const store = options.store ?? new MemoryStore();
    this.lifecycle = new IntentLifecycle(store, clock);
    this.ctx = {
      connector: options.connector,
      store,
      sink: options.sink ?? new MemoryEventSink(),
      keys: options.keys ?? DEFAULT_STREAM_KEYS,
      clock,
      logger: redactingLogger(options.logger ?? noopLogger),
      lifecycle: this.lifecycle,
      events: this.events,
    };
    this.tracker = new OrderTracker(options.connector);
    this.stopLoss = new StopLossArmer(this.ctx, this.tracker, options.stopLoss ?? {});
    this.guards = new GuardStops(this.ctx, this.tracker, (t) => this.onGuardTriggered(t));
    this.onPosition = (p) => {
      void this.stopLoss.onPosition(p).catch((err: unknown) =>
        raiseAlert(this.ctx, { level: 'ERROR', code: 'STOP_REARM_FAILED', message: `stop-loss re-arm failed for ${p.symbol}`, details: { error: isChimeraError(err) ? err.code : String(err) } }),
      );
    };
    options.connector.events.on('position', this.onPosition);
  }

  /** The execution context (store, sink, keys, clock) for hosts wiring further components. */
  get context(): ExecutionContext {
    return this.ctx;
  }

  /**
   * Executes an intent (bare or in the `{ intent, tp, sl }` envelope).
   * @throws ValidationError (400) / BusinessRuleError (422) for bad intents; RiskRejectedError
   *   (422, `RISK_REJECTED`) when a gate refuses (the intent is stored as REJECTED first).
   */
  execute(input: unknown): Promise<ExecutionResult> {
    const intent = parseIntent(input);
    const running = this.inFlight.get(intent.intent_id);
    if (running) return running;
    const run = this.run(intent).finally(() => this.inFlight.delete(intent.intent_id));
    this.inFlight.set(intent.intent_id, run);
    return run;
  }

  /** The TWAP controller of a running TWAP intent (pause / resume / cancel). */
  twap(intentId: string): TwapController | undefined {
    return this.twaps.get(intentId);
  }

  /**
   * Finishes every intent a previous process left unfinished: open entry orders are cancelled
   * (their confirmed fills kept), intents with a position become ACTIVE and get their protection
   * back (stop-loss, guard stop), intents with nothing filled are CLOSED. No new entry order is
   * sent: a signal that went stale across a crash must not open a position late.
   * @returns the results of the intents it settled.
   */
  async resume(): Promise<ExecutionResult[]> {
    const results: ExecutionResult[] = [];
    for (const rec of await this.lifecycle.unfinished()) {
      if (rec.state === 'PENDING_ENTRY') results.push(await this.settleCrashedEntry(rec));
    }
    await this.guards.restore();
    for (const rec of await this.lifecycle.unfinished()) {
      if (rec.state === 'ACTIVE' && rec.intent.market === 'FUT' && rec.progress?.sl) {
        await this.restoreStop(rec);
      }
    }
    return results;
  }

  /**
   * Brings a futures stop-loss back under watch after a restart: a stop still working on the venue
   * is adopted (and re-armed only if the position size changed); a stop that is gone is placed
   * again under the next attempt's client order id — never under the old one.
   */
  private async restoreStop(rec: IntentRecord): Promise<void> {
    const { symbol } = rec.intent;
    if (this.stopLoss.stopFor(symbol)) return;
    const sl = rec.progress!.sl as { clientOrderId: string; stop_price: string; qty: string; attempt: number };
    const [pos] = await this.ctx.connector.positions(symbol);
    if (!pos || new Big(pos.qty).eq(0)) return;
    this.tracker.watch(sl.clientOrderId);
    let working: Order | undefined;
    try {
      working = await this.ctx.connector.getOrder({ market: 'FUT', symbol, clientOrderId: sl.clientOrderId });
    } catch (err) {
      if (!(isChimeraError(err) && err.code === 'ORDER_NOT_FOUND')) throw err;
    }
    if (working && (working.status === 'NEW' || working.status === 'PARTIALLY_FILLED')) {
      this.stopLoss.adopt({ intentId: rec.intent_id, symbol, side: working.side, qty: working.qty, stopPrice: sl.stop_price, order: working, attempt: sl.attempt });
      if (!new Big(pos.qty).abs().eq(working.qty)) await this.stopLoss.onPosition(pos);
      return;
    }
    await this.stopLoss.arm({ intentId: rec.intent_id, position: pos, stopPrice: sl.stop_price, attempt: sl.attempt + 1 });
  }

  /** Stops listening to the connector and unsubscribes guard streams (guards stay persisted). */
  async close(): Promise<void> {
    this.options.connector.events.off('position', this.onPosition);
    await this.guards.close();
    this.tracker.dispose();
  }

  private async run(intent: Intent): Promise<ExecutionResult> {
    const { created, record } = await this.lifecycle.begin(intent);
    if (!created) {
      if (record.result) return record.result;
      if (record.state === 'PENDING_ENTRY') return this.settleCrashedEntry(record);
      return buildResult({ intentId: intent.intent_id, targetQty: intent.qty, fills: [], orderId: null, arrivalMid: undefined, side: intent.side, status: 'FAILED', reason: `intent already ${record.state}` });
    }
    try {
      await this.checkRisk(intent);
    } catch (err) {
      await this.lifecycle.transition(intent.intent_id, 'REJECTED', { code: isChimeraError(err) ? err.code : 'UNEXPECTED', rule: isChimeraError(err) ? err.details.rule : undefined }, {
        result: buildResult({ intentId: intent.intent_id, targetQty: intent.qty, fills: [], orderId: null, arrivalMid: undefined, side: intent.side, status: 'REJECTED', reason: err instanceof Error ? err.message : String(err) }),
      });
      throw err;
    }
    try {
      if (this.options.entryGate && !intent.reduce_only) await this.options.entryGate;
      return await this.dispatch(intent);
    } catch (err) {
      // A typed refusal ends the intent; an unknown outcome is left to reconciliation, with an alert.
      const unknown = isChimeraError(err) && err.code === 'UNKNOWN_OUTCOME';
      const result = buildResult({ intentId: intent.intent_id, targetQty: intent.qty, fills: [], orderId: null, arrivalMid: undefined, side: intent.side, status: 'FAILED', reason: err instanceof Error ? err.message : String(err) });
      if (unknown) {
        raiseAlert(this.ctx, { level: 'ERROR', code: 'UNKNOWN_OUTCOME', message: `intent ${intent.intent_id}: an order's outcome is unknown; reconciliation will settle it`, intent_id: intent.intent_id });
      } else {
        const current = await this.lifecycle.require(intent.intent_id);
        if (current.state === 'PENDING_ENTRY') await this.lifecycle.transition(intent.intent_id, 'FAILED', { code: isChimeraError(err) ? err.code : 'UNEXPECTED' }, { result });
      }
      throw err;
    }
  }

  private async checkRisk(intent: Intent): Promise<void> {
    const gate = this.options.risk;
    if (!gate) return;
    const c = this.ctx.connector;
    const tick = await c.ticker(intent.market, intent.symbol);
    let position = '0';
    if (intent.market === 'FUT') {
      position = (await c.positions(intent.symbol))[0]?.qty ?? '0';
    } else {
      const inst = await c.instrument('SPOT', intent.symbol);
      const bal = (await c.balances('SPOT')).find((b) => b.asset === inst.base);
      position = bal ? new Big(bal.free).plus(bal.locked).toFixed() : '0';
    }
    const extra = (await this.options.riskContext?.(intent)) ?? {};
    gate.check({
      symbol: intent.symbol,
      market: intent.market,
      side: intent.side,
      qty: intent.qty,
      reduceOnly: intent.reduce_only,
      position,
      tick,
      ...(intent.price ? { price: intent.price } : {}),
      ...extra,
    });
  }

  private async dispatch(intent: Intent): Promise<ExecutionResult> {
    const c = this.ctx.connector;
    const instrument = await c.instrument(intent.market, intent.symbol);
    if (intent.type && STOP_TYPES.has(intent.type)) return this.runConditional(intent, instrument);
    if (intent.exec_policy === 'OCO') return this.runOco(intent, instrument);
    if (intent.market === 'FUT') await this.prepareFutures(intent);
    const arrival = await c.ticker(intent.market, intent.symbol);
    const policy = intent.exec_policy ?? (intent.type === 'LIMIT' ? 'Limit' : 'Market');
    let fills: Fill[] = [];
    let lastOrder: Order | undefined;
    let status: ExecutionStatus | undefined;
    let reason: string | undefined;

    const slice = async (s: { qty: string; legPrefix: string }): Promise<{ fills: Fill[]; lastOrder: Order | undefined }> => {
      if (policy === 'MakerThenTaker') {
        const out = await runMakerThenTaker(this.ctx, this.tracker, instrument, {
          intentId: intent.intent_id,
          market: intent.market,
          symbol: intent.symbol,
          side: intent.side,
          qty: s.qty,
          postOnlyWaitMs: intent.post_only_wait_ms,
          legPrefix: s.legPrefix,
          reduceOnly: intent.reduce_only,
        });
        if (out.reason) reason = out.reason;
        return out;
      }
      return this.marketOrLimit(intent, instrument, s.qty, s.legPrefix, policy === 'Limit');
    };

    if ((intent.twap?.enabled && intent.twap.slices > 1) || policy === 'TWAP') {
      const controller = new TwapController();
      this.twaps.set(intent.intent_id, controller);
      try {
        const out = await runTwap(this.ctx, {
          intentId: intent.intent_id,
          qty: intent.qty,
          slices: intent.twap?.slices ?? 1,
          intervalMs: intent.twap?.interval_ms ?? 0,
          instrument,
          controller,
          runSlice: slice,
        });
        fills = out.fills;
        lastOrder = out.lastOrder;
        if (out.state === 'CANCELLED') {
          status = new Big(out.filledQty).gt(0) ? 'PARTIALLY_FILLED' : 'CANCELED';
          reason = 'TWAP cancelled';
        }
      } finally {
        this.twaps.delete(intent.intent_id);
      }
    } else {
      const out = await slice({ qty: intent.qty, legPrefix: '' });
      fills = out.fills;
      lastOrder = out.lastOrder;
      if (policy === 'Limit' && lastOrder && (lastOrder.status === 'NEW' || lastOrder.status === 'PARTIALLY_FILLED')) status = lastOrder.status;
    }

    return this.finish(intent, fills, lastOrder, arrival.mid, status, reason);
  }

  private async finish(intent: Intent, fills: Fill[], lastOrder: Order | undefined, arrivalMid: number | undefined, status?: ExecutionStatus, reason?: string): Promise<ExecutionResult> {
    await this.ctx.store.addFills(fills);
    publishExecutions(this.ctx, intent.intent_id, fills);
    const result = buildResult({ intentId: intent.intent_id, targetQty: intent.qty, fills, orderId: lastOrder?.venueOrderId ?? null, arrivalMid, side: intent.side, ...(status ? { status } : {}), ...(reason ? { reason } : {}) });
    const filled = new Big(result.filled_qty).gt(0);
    const resting = status === 'NEW' || status === 'PARTIALLY_FILLED';
    const closing = intent.reduce_only || intent.client_tags.includes('guard-stop');
    const next = filled || resting ? (closing ? 'CLOSED' : 'ACTIVE') : 'CLOSED';
    await this.lifecycle.transition(intent.intent_id, next, { status: result.status, filled_qty: result.filled_qty }, { result });
    if (next === 'ACTIVE' && intent.market === 'FUT' && filled && this.options.stopLoss?.enabled !== false && !intent.reduce_only) {
      await this.armStop(intent);
    }
    return result;
  }

  private async armStop(intent: Intent): Promise<void> {
    const [pos] = await this.ctx.connector.positions(intent.symbol);
    if (!pos || new Big(pos.qty).eq(0)) return;
    const given = intent.sl ?? intent.stop_price ?? undefined;
    await this.stopLoss.arm({ intentId: intent.intent_id, position: pos, ...(given ? { stopPrice: given } : {}) });
  }

  private async prepareFutures(intent: Intent): Promise<void> {
    const c = this.ctx.connector;
    if (!c.capabilities.leverage) return;
    // Both calls are idempotent on the venue, so repeating them after a restart is harmless.
    if (intent.isolated !== undefined) await c.setMarginType(intent.symbol, intent.isolated ? 'ISOLATED' : 'CROSSED');
    if (intent.leverage !== undefined) await c.setLeverage(intent.symbol, intent.leverage);
  }

  private async marketOrLimit(intent: Intent, instrument: Instrument, qty: string, legPrefix: string, limit: boolean): Promise<{ fills: Fill[]; lastOrder: Order | undefined }> {
    const since = this.ctx.clock.now();
    const q = roundQty(qty, instrument.stepSize);
    const req = limit
      ? { type: 'LIMIT' as const, timeInForce: 'GTC' as const, price: roundPriceForSide(intent.price!, instrument.tickSize, intent.side, 'maker') }
      : { type: 'MARKET' as const };
    const order = await submitOrder(
      this.ctx,
      this.tracker,
      intent.intent_id,
      { market: intent.market, symbol: intent.symbol, side: intent.side, qty: q, postOnly: false, reduceOnly: intent.reduce_only, clientOrderId: deriveClientOrderId(intent.intent_id, `${legPrefix}${limit ? 'lim' : 'mkt'}`, 0), ...req },
      limit ? 'limit' : 'market',
    );
    const final = limit || new Big(order.filledQty).gte(order.qty) || order.status !== 'NEW' ? order : await this.tracker.whenDone(order.clientOrderId);
    const latest = this.tracker.order(order.clientOrderId) ?? final;
    return { fills: await this.tracker.catchUp(latest, since), lastOrder: latest };
  }

  private async runConditional(intent: Intent, instrument: Instrument): Promise<ExecutionResult> {
    const stopSide = intent.side;
    const stopPrice = roundPriceForSide(intent.stop_price!, instrument.tickSize, stopSide, 'stop');
    const order = await submitOrder(
      this.ctx,
      this.tracker,
      intent.intent_id,
      {
        market: intent.market,
        symbol: intent.symbol,
        side: intent.side,
        type: intent.type!,
        qty: roundQty(intent.qty, instrument.stepSize),
        stopPrice,
        ...(intent.price ? { price: intent.price } : {}),
        reduceOnly: intent.reduce_only,
        postOnly: false,
        workingType: intent.working_type ?? 'MARK_PRICE',
        clientOrderId: deriveClientOrderId(intent.intent_id, 'cond', 0),
      },
      'conditional',
    );
    const result = buildResult({ intentId: intent.intent_id, targetQty: intent.qty, fills: [], orderId: order.venueOrderId, arrivalMid: undefined, side: intent.side, status: 'ARMED' });
    await this.lifecycle.transition(intent.intent_id, 'ACTIVE', { armed: order.clientOrderId }, { result });
    if (intent.market === 'FUT' && intent.type === 'STOP_MARKET') {
      this.ctx.sink.publish(this.ctx.keys.slArm(), {
        intent_id: intent.intent_id,
        symbol: intent.symbol,
        side: intent.side,
        qty: order.qty,
        stop_price: stopPrice,
        working_type: intent.working_type ?? 'MARK_PRICE',
        order_id: order.venueOrderId,
        ts: this.ctx.clock.now(),
      });
    }
    return result;
  }

  private async runOco(intent: Intent, instrument: Instrument): Promise<ExecutionResult> {
    const arrival = await this.ctx.connector.ticker('SPOT', intent.symbol);
    const out = await runOcoWithGuard(this.ctx, this.tracker, this.guards, instrument, intent);
    return this.finish(intent, out.fills, out.entry, arrival.mid, undefined, out.protection === 'NONE' ? out.reason : `protected by ${out.protection}`);
  }

  private async onGuardTriggered(t: GuardTriggered): Promise<void> {
    const { spec } = t;
    const rec = await this.lifecycle.require(spec.intentId);
    if (rec.state === 'ACTIVE') await this.lifecycle.transition(spec.intentId, 'PENDING_CLOSING', { trigger: 'guard', mid: t.mid });
    const fills = t.exit ? this.tracker.fills(t.exit.clientOrderId) : [];
    await this.ctx.store.addFills(fills);
    publishExecutions(this.ctx, spec.intentId, fills);
    await this.lifecycle.saveProgress(spec.intentId, { guard: null, guard_exit: { sold_qty: t.soldQty, mid: t.mid } });
    await this.lifecycle.transition(spec.intentId, 'CLOSED', { trigger: 'guard', sold_qty: t.soldQty });
  }

  private async settleCrashedEntry(rec: IntentRecord): Promise<ExecutionResult> {
    const c = this.ctx.connector;
    const { intent } = rec;
    const fills: Fill[] = [];
    let last: Order | undefined;
    for (const cid of rec.client_order_ids) {
      this.tracker.watch(cid);
      let order: Order;
      try {
        order = await c.getOrder({ market: intent.market, symbol: intent.symbol, clientOrderId: cid });
      } catch (err) {
        if (isChimeraError(err) && err.code === 'ORDER_NOT_FOUND') continue; // never reached the venue
        throw err;
      }
      this.tracker.acceptOrder(order);
      if (order.status === 'NEW' || order.status === 'PARTIALLY_FILLED') order = await cancelAndConfirm(this.ctx, this.tracker, order);
      await this.ctx.store.upsertOrders([{ ...order, intent_id: intent.intent_id }]);
      fills.push(...(await this.tracker.catchUp(order, rec.created_at)));
      last = order;
    }
    return this.finish(intent, fills, last, undefined, undefined, 'settled after restart');
  }
}
