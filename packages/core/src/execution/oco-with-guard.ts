import Big from 'big.js';
import type { Fill } from '../domain/account.js';
import type { Instrument } from '../domain/instrument.js';
import type { Intent } from '../domain/intent.js';
import type { Order } from '../domain/order.js';
import { isChimeraError } from '../errors.js';
import { roundPriceForSide, roundQty } from '../precision/round.js';
import { deriveClientOrderId } from './client-order-id.js';
import { raiseAlert, type ExecutionContext } from './execution-context.js';
import type { GuardStops } from './guard-stop.js';
import { submitOrder } from './order-submitter.js';
import type { OrderTracker } from './order-tracker.js';

/** How a SPOT entry ended up protected. */
export type Protection = 'OCO' | 'SEPARATE' | 'GUARD' | 'MANUAL' | 'NONE';

/** What {@link runOcoWithGuard} produced. */
export interface OcoOutcome {
  fills: Fill[];
  entry: Order | undefined;
  protection: Protection;
  /** Quantity protected (what is held after fees paid in the base asset). */
  protectedQty: string;
  reason?: string;
}

function why(err: unknown): string {
  return isChimeraError(err) ? err.code : String(err);
}

/**
 * OcoWithGuard (SPEC §3, integration-sequences §2): enter, then protect the held quantity with
 * the best the venue offers, falling back step by step:
 *
 * 1. an OCO list (take-profit limit + stop-loss) → `spot:oco:armed`;
 * 2. if OCO is unsupported or rejected: a take-profit limit and a separate stop order;
 * 3. if conditional orders are unsupported or the stop is refused (on spot the resting
 *    take-profit already locks the balance, so venues often refuse a second sell for the same
 *    quantity): a local guard stop on the WebSocket mid that cancels the take-profit and sells at
 *    market on touch → `guard:spot:arm`;
 * 4. if not even a ticker stream is available: an alert for manual handling.
 *
 * The entry is a LIMIT IOC at `oco.limit_price` when given (a market order otherwise), so it
 * never pays more than the limit. The protected quantity is what is actually held: the filled
 * quantity minus fees paid in the base asset, capped by the free balance.
 */
export async function runOcoWithGuard(
  ctx: ExecutionContext,
  tracker: OrderTracker,
  guards: GuardStops,
  instrument: Instrument,
  intent: Intent,
): Promise<OcoOutcome> {
  const caps = ctx.connector.capabilities;
  const oco = intent.oco!;
  const since = ctx.clock.now();
  const entrySide = intent.side;
  const exitSide = entrySide === 'BUY' ? 'SELL' : 'BUY';
  const qty = roundQty(intent.qty, instrument.stepSize);

  // 1) Entry.
  const entryReq =
    oco.limit_price !== undefined && caps.ioc
      ? { type: 'LIMIT' as const, timeInForce: 'IOC' as const, price: roundPriceForSide(oco.limit_price, instrument.tickSize, entrySide, 'taker') }
      : { type: 'MARKET' as const };
  const entry = await submitOrder(
    ctx,
    tracker,
    intent.intent_id,
    { market: 'SPOT', symbol: intent.symbol, side: entrySide, qty, postOnly: false, reduceOnly: false, clientOrderId: deriveClientOrderId(intent.intent_id, 'entry', 0), ...entryReq },
    'entry',
  );
  const entryFinal = new Big(entry.filledQty).gte(entry.qty) || entry.status !== 'NEW' ? entry : await tracker.whenDone(entry.clientOrderId);
  const fills = await tracker.catchUp(tracker.order(entry.clientOrderId) ?? entryFinal, since);
  const filled = fills.reduce((s, f) => s.plus(f.qty), new Big(0));
  if (filled.eq(0)) return { fills, entry: entryFinal, protection: 'NONE', protectedQty: '0', reason: 'entry did not fill' };

  // What is actually held: fees charged in the base asset reduce it.
  const baseFees = fills.filter((f) => f.feeAsset === instrument.base).reduce((s, f) => s.plus(f.fee), new Big(0));
  let held = entrySide === 'BUY' ? filled.minus(baseFees) : filled;
  if (exitSide === 'SELL') {
    const free = (await ctx.connector.balances('SPOT')).find((b) => b.asset === instrument.base)?.free ?? '0';
    if (held.gt(free)) held = new Big(free);
  }
  const protectedQty = roundQty(held.toFixed(), instrument.stepSize);
  const tpPrice = roundPriceForSide(oco.tp_price, instrument.tickSize, exitSide, 'maker');
  const slPrice = roundPriceForSide(oco.sl_price, instrument.tickSize, exitSide, 'stop');
  const groupId = deriveClientOrderId(intent.intent_id, 'oco', 0);

  // 2) OCO.
  if (caps.oco) {
    try {
      const list = await ctx.connector.placeOco({
        market: 'SPOT',
        symbol: intent.symbol,
        side: exitSide,
        qty: protectedQty,
        tpPrice,
        slStopPrice: slPrice,
        legTimeInForce: oco.leg_time_in_force,
        clientListId: groupId,
      });
      for (const leg of [list.tp, list.sl]) {
        tracker.watch(leg.clientOrderId);
        await ctx.lifecycle.recordOrderId(intent.intent_id, leg.clientOrderId);
        await ctx.store.upsertOrders([{ ...leg, intent_id: intent.intent_id, leg: leg === list.tp ? 'tp' : 'sl' }]);
      }
      await ctx.lifecycle.saveProgress(intent.intent_id, { oco: { list_id: list.listId, client_list_id: list.clientListId } });
      ctx.sink.publish(ctx.keys.ocoArmed(), {
        group_id: list.clientListId,
        symbol: intent.symbol,
        tp_order_id: list.tp.venueOrderId,
        sl_order_id: list.sl.venueOrderId,
        qty: protectedQty,
        ts: ctx.clock.now(),
      });
      return { fills, entry: entryFinal, protection: 'OCO', protectedQty };
    } catch (err) {
      raiseAlert(ctx, { level: 'WARN', code: 'OCO_FALLBACK', message: `OCO refused for ${intent.symbol} (${why(err)}): placing TP and SL separately`, intent_id: intent.intent_id });
    }
  }

  // 3) Take-profit limit, then a separate stop.
  let tp: Order | undefined;
  try {
    tp = await submitOrder(
      ctx,
      tracker,
      intent.intent_id,
      { market: 'SPOT', symbol: intent.symbol, side: exitSide, type: 'LIMIT', timeInForce: oco.leg_time_in_force, price: tpPrice, qty: protectedQty, postOnly: false, reduceOnly: false, clientOrderId: deriveClientOrderId(intent.intent_id, 'tp', 0) },
      'tp',
    );
  } catch (err) {
    raiseAlert(ctx, { level: 'WARN', code: 'TP_REFUSED', message: `take-profit refused for ${intent.symbol} (${why(err)})`, intent_id: intent.intent_id });
  }
  if (caps.stopOrders.SPOT) {
    try {
      await submitOrder(
        ctx,
        tracker,
        intent.intent_id,
        { market: 'SPOT', symbol: intent.symbol, side: exitSide, type: 'STOP_MARKET', stopPrice: slPrice, qty: protectedQty, postOnly: false, reduceOnly: false, clientOrderId: deriveClientOrderId(intent.intent_id, 'sl', 0) },
        'sl',
      );
      return { fills, entry: entryFinal, protection: 'SEPARATE', protectedQty };
    } catch (err) {
      raiseAlert(ctx, { level: 'WARN', code: 'STOP_REFUSED', message: `stop order refused for ${intent.symbol} (${why(err)}): arming a guard stop`, intent_id: intent.intent_id });
    }
  }

  // 4) Local guard stop on the mid.
  if (caps.streams.includes('ticker')) {
    try {
      await guards.arm({
        intentId: intent.intent_id,
        symbol: intent.symbol,
        sl_px: slPrice,
        qty: protectedQty,
        side: exitSide,
        group_id: groupId,
        ...(tp ? { tpClientOrderId: tp.clientOrderId } : {}),
      });
      return { fills, entry: entryFinal, protection: 'GUARD', protectedQty };
    } catch (err) {
      raiseAlert(ctx, { level: 'ERROR', code: 'GUARD_REFUSED', message: `guard stop could not be armed (${why(err)})`, intent_id: intent.intent_id });
    }
  }

  // 5) Last resort.
  raiseAlert(ctx, {
    level: 'FATAL',
    code: 'MANUAL_HANDLING',
    message: `${intent.symbol} position of ${protectedQty} has no stop: manual handling needed`,
    intent_id: intent.intent_id,
    details: { sl_price: slPrice, tp_price: tpPrice },
  });
  return { fills, entry: entryFinal, protection: 'MANUAL', protectedQty };
}
