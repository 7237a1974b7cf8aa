import Big from 'big.js';
import type { Position } from '../domain/account.js';
import { positionSide } from '../domain/account.js';
import type { Side } from '../domain/enums.js';
import type { Order } from '../domain/order.js';
import { isChimeraError } from '../errors.js';
import { roundPriceForSide, roundQty } from '../precision/round.js';
import { deriveClientOrderId } from './client-order-id.js';
import { raiseAlert, type ExecutionContext } from './execution-context.js';
import { submitOrder } from './order-submitter.js';
import type { OrderTracker } from './order-tracker.js';

/** Where stop prices come from when an intent gives none. */
export interface StopLossOptions {
  /**
   * Average true range of a symbol in quote units (e.g. 650 USDT for BTCUSDT), or undefined when
   * unknown. Used as `entry ∓ atrMultiplier · ATR`.
   */
  atr?: (symbol: string) => string | undefined | Promise<string | undefined>;
  /** Multiple of ATR between entry and stop. Default 1.5. */
  atrMultiplier?: number;
}

/** A stop-loss working on the venue for one position. */
export interface ArmedStop {
  intentId: string;
  symbol: string;
  /** Side of the stop order (opposite to the position). */
  side: Side;
  qty: string;
  stopPrice: string;
  order: Order;
  attempt: number;
}

/**
 * StopLossArmer (SPEC §3): as soon as a futures position exists, a STOP_MARKET reduce-only order
 * with working type MARK_PRICE protects it; `risk:sl_arm` is published. When the position's size
 * changes the stop is re-armed — the new stop is placed before the old one is cancelled, so the
 * position is never unprotected (both are reduce-only, so neither can add exposure). When the
 * position closes the stop is cancelled.
 */
export class StopLossArmer {
  private readonly armed = new Map<string, ArmedStop>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: ExecutionContext,
    private readonly tracker: OrderTracker,
    private readonly options: StopLossOptions = {},
  ) {}

  /** The stop currently protecting `symbol`, if any. */
  stopFor(symbol: string): ArmedStop | undefined {
    return this.armed.get(symbol);
  }

  /**
   * Arms (or re-arms) the stop of a position.
   * @param stopPrice - given stop price; otherwise derived from ATR.
   * @returns the armed stop, or undefined when no stop price could be set (an alert is raised).
   */
  arm(input: { intentId: string; position: Position; stopPrice?: string; attempt?: number }): Promise<ArmedStop | undefined> {
    // Serialised: position updates arrive in bursts and two re-arms must never interleave.
    const run = this.chain.then(() => this.armNow(input));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Reacts to a position update: re-arm on a size change, cancel when flat. */
  onPosition(position: Position): Promise<ArmedStop | undefined> {
    const current = this.armed.get(position.symbol);
    if (!current) return Promise.resolve(undefined);
    if (positionSide(position.qty) === 'FLAT') {
      const run = this.chain.then(() => this.disarm(position.symbol));
      this.chain = run.catch(() => undefined);
      return run.then(() => undefined);
    }
    if (new Big(position.qty).abs().eq(current.qty)) return Promise.resolve(current);
    return this.arm({ intentId: current.intentId, position, stopPrice: current.stopPrice });
  }

  /**
   * Takes over a stop that is already working on the venue (after a restart), so it is neither
   * placed twice nor left unwatched.
   */
  adopt(stop: ArmedStop): void {
    this.armed.set(stop.symbol, stop);
  }

  /** Cancels the stop of `symbol` (position closed). */
  async disarm(symbol: string): Promise<void> {
    const current = this.armed.get(symbol);
    if (!current) return;
    this.armed.delete(symbol);
    try {
      await this.ctx.connector.cancelOrder({ market: 'FUT', symbol, clientOrderId: current.order.clientOrderId });
    } catch (err) {
      // Already triggered or cancelled: nothing left to protect.
      if (!(isChimeraError(err) && err.code === 'ORDER_NOT_FOUND')) throw err;
    }
    await this.ctx.lifecycle.saveProgress(current.intentId, { sl: null });
  }

  private async armNow(input: { intentId: string; position: Position; stopPrice?: string; attempt?: number }): Promise<ArmedStop | undefined> {
    const { ctx } = this;
    const { position, intentId } = input;
    const dir = positionSide(position.qty);
    if (dir === 'FLAT') return undefined;
    const instrument = await ctx.connector.instrument('FUT', position.symbol);
    const side: Side = dir === 'LONG' ? 'SELL' : 'BUY';
    let raw = input.stopPrice;
    if (raw === undefined) {
      const atr = await this.options.atr?.(position.symbol);
      if (atr !== undefined) {
        const dist = new Big(atr).times(this.options.atrMultiplier ?? 1.5);
        raw = (dir === 'LONG' ? new Big(position.entryPrice).minus(dist) : new Big(position.entryPrice).plus(dist)).toFixed();
      }
    }
    if (raw === undefined || new Big(raw).lte(0)) {
      raiseAlert(ctx, { level: 'ERROR', code: 'STOP_LOSS_UNSET', message: `no stop price for ${position.symbol}: position unprotected`, intent_id: intentId });
      return undefined;
    }
    const stopPrice = roundPriceForSide(raw, instrument.tickSize, side, 'stop');
    const qty = roundQty(new Big(position.qty).abs().toFixed(), instrument.stepSize);
    const previous = this.armed.get(position.symbol);
    // A new attempt number means a new client order id: a venue rejects a reused one.
    const attempt = previous ? previous.attempt + 1 : (input.attempt ?? 0);
    const order = await submitOrder(
      ctx,
      this.tracker,
      intentId,
      {
        market: 'FUT',
        symbol: position.symbol,
        side,
        type: 'STOP_MARKET',
        qty,
        stopPrice,
        reduceOnly: true,
        postOnly: false,
        workingType: 'MARK_PRICE',
        clientOrderId: deriveClientOrderId(intentId, 'sl', attempt),
      },
      'sl',
    );
    const stop: ArmedStop = { intentId, symbol: position.symbol, side, qty, stopPrice, order, attempt };
    this.armed.set(position.symbol, stop);
    if (previous) {
      try {
        await ctx.connector.cancelOrder({ market: 'FUT', symbol: position.symbol, clientOrderId: previous.order.clientOrderId });
      } catch (err) {
        if (!(isChimeraError(err) && err.code === 'ORDER_NOT_FOUND')) throw err;
      }
    }
    await ctx.lifecycle.saveProgress(intentId, { sl: { clientOrderId: order.clientOrderId, stop_price: stopPrice, qty, attempt } });
    ctx.sink.publish(ctx.keys.slArm(), {
      intent_id: intentId,
      symbol: position.symbol,
      side,
      qty,
      stop_price: stopPrice,
      working_type: 'MARK_PRICE',
      order_id: order.venueOrderId,
      ts: ctx.clock.now(),
    });
    return stop;
  }
}
