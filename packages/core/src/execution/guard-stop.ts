import Big from 'big.js';
import type { MarketEvent, SubscriptionHandle } from '../connector.js';
import type { Order } from '../domain/order.js';
import { isChimeraError } from '../errors.js';
import { roundQty } from '../precision/round.js';
import { deriveClientOrderId } from './client-order-id.js';
import { raiseAlert, type ExecutionContext } from './execution-context.js';
import { cancelAndConfirm, submitOrder } from './order-submitter.js';
import type { OrderTracker } from './order-tracker.js';

/** A local guard stop, as persisted on the intent (`progress.guard`) so it survives a restart. */
export interface GuardSpec {
  intentId: string;
  symbol: string;
  /** Stop price: the guard fires when the mid touches it. */
  sl_px: string;
  /** Quantity protected (base asset). The exit never sells more than this nor more than is held. */
  qty: string;
  /** Side of the exit order (SELL protects a long). */
  side: 'BUY' | 'SELL';
  group_id: string;
  /** A take-profit limit resting on the venue, cancelled before the guard sells. */
  tpClientOrderId?: string;
}

/** What happened when a guard fired. */
export interface GuardTriggered {
  spec: GuardSpec;
  exit: Order | undefined;
  soldQty: string;
  mid: number;
}

/**
 * Local guard stops for SPOT positions on venues without (working) conditional orders: watch the
 * WebSocket mid and exit at market on touch. The exit quantity is capped at both the protected
 * quantity and the free balance — a guard can only reduce. A resting take-profit is cancelled first
 * (its confirmed fills reduce what is left to sell).
 */
export class GuardStops {
  private readonly active = new Map<string, { spec: GuardSpec; handle: SubscriptionHandle; firing: boolean }>();

  constructor(
    private readonly ctx: ExecutionContext,
    private readonly tracker: OrderTracker,
    private readonly onTriggered: (t: GuardTriggered) => Promise<void> | void = () => undefined,
  ) {}

  /** Guards currently armed, by intent id. */
  armedIntents(): string[] {
    return [...this.active.keys()];
  }

  /**
   * Arms a guard: persists it, subscribes to the symbol's ticker and publishes `guard:spot:arm`.
   * @param publish - false when restoring after a restart (the arm event was published before).
   */
  async arm(spec: GuardSpec, publish = true): Promise<void> {
    if (this.active.has(spec.intentId)) return;
    await this.ctx.lifecycle.saveProgress(spec.intentId, { guard: { ...spec } });
    if (spec.tpClientOrderId) this.tracker.watch(spec.tpClientOrderId);
    const handle = await this.ctx.connector.subscribe({ channel: 'ticker', market: 'SPOT', symbol: spec.symbol }, (e) => void this.onTick(spec.intentId, e));
    this.active.set(spec.intentId, { spec, handle, firing: false });
    if (publish) {
      this.ctx.sink.publish(this.ctx.keys.guardArm(), { symbol: spec.symbol, sl_px: spec.sl_px, qty: spec.qty, side: spec.side, group_id: spec.group_id, ts: this.ctx.clock.now() });
    }
  }

  /** Re-arms every guard stored on an unfinished intent (after a restart). @returns how many. */
  async restore(): Promise<number> {
    let n = 0;
    for (const rec of await this.ctx.lifecycle.unfinished()) {
      const g = rec.progress?.guard as GuardSpec | null | undefined;
      if (g && rec.state === 'ACTIVE') {
        await this.arm(g, false);
        n++;
      }
    }
    return n;
  }

  /** Removes a guard without selling (the position was closed another way). */
  async disarm(intentId: string): Promise<void> {
    const g = this.active.get(intentId);
    if (!g) return;
    this.active.delete(intentId);
    await g.handle.unsubscribe();
    await this.ctx.lifecycle.saveProgress(intentId, { guard: null });
  }

  /** Stops watching every guard (they stay persisted and are restored on the next start). */
  async close(): Promise<void> {
    for (const g of this.active.values()) await g.handle.unsubscribe();
    this.active.clear();
  }

  private async onTick(intentId: string, e: MarketEvent): Promise<void> {
    if (e.type !== 'ticker') return;
    const g = this.active.get(intentId);
    if (!g || g.firing) return;
    const touched = g.spec.side === 'SELL' ? e.tick.mid <= Number(g.spec.sl_px) : e.tick.mid >= Number(g.spec.sl_px);
    if (!touched) return;
    g.firing = true;
    try {
      const result = await this.fire(g.spec, e.tick.mid);
      this.active.delete(intentId);
      await g.handle.unsubscribe();
      await this.onTriggered(result);
    } catch (err) {
      g.firing = false;
      raiseAlert(this.ctx, {
        level: 'FATAL',
        code: 'GUARD_EXIT_FAILED',
        message: `guard stop ${g.spec.group_id} could not exit ${g.spec.symbol}: manual handling needed`,
        intent_id: intentId,
        details: { error: isChimeraError(err) ? err.code : String(err) },
      });
    }
  }

  private async fire(spec: GuardSpec, mid: number): Promise<GuardTriggered> {
    const { ctx } = this;
    let toSell = new Big(spec.qty);
    if (spec.tpClientOrderId) {
      const tp = this.tracker.order(spec.tpClientOrderId) ?? (await ctx.connector.getOrder({ market: 'SPOT', symbol: spec.symbol, clientOrderId: spec.tpClientOrderId }).catch(() => undefined));
      if (tp) {
        const final = tp.status === 'NEW' || tp.status === 'PARTIALLY_FILLED' ? await cancelAndConfirm(ctx, this.tracker, tp) : tp;
        toSell = toSell.minus(final.filledQty);
      }
    }
    const instrument = await ctx.connector.instrument('SPOT', spec.symbol);
    const base = instrument.base;
    const free = (await ctx.connector.balances('SPOT')).find((b) => b.asset === base)?.free ?? '0';
    if (spec.side === 'SELL' && toSell.gt(free)) toSell = new Big(free);
    const qty = roundQty(toSell.gt(0) ? toSell.toFixed() : '0', instrument.stepSize);
    if (new Big(qty).lt(instrument.minQty) || new Big(qty).eq(0)) {
      return { spec, exit: undefined, soldQty: '0', mid };
    }
    const exit = await submitOrder(
      ctx,
      this.tracker,
      spec.intentId,
      { market: 'SPOT', symbol: spec.symbol, side: spec.side, type: 'MARKET', qty, postOnly: false, reduceOnly: false, clientOrderId: deriveClientOrderId(spec.intentId, 'guard', 0) },
      'guard',
    );
    const done = new Big(exit.filledQty).gte(exit.qty) ? exit : await this.tracker.whenDone(exit.clientOrderId);
    return { spec, exit: done, soldQty: done.filledQty, mid };
  }
}
