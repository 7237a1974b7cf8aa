import Big from 'big.js';
import type { Fill } from '../domain/account.js';
import type { Market, Side } from '../domain/enums.js';
import type { Instrument } from '../domain/instrument.js';
import type { Order } from '../domain/order.js';
import { isChimeraError } from '../errors.js';
import { lotSizeFor } from '../precision/filters.js';
import { roundPriceForSide, roundQty } from '../precision/round.js';
import { deriveClientOrderId } from './client-order-id.js';
import type { ExecutionContext } from './execution-context.js';
import { cancelAndConfirm, submitOrder } from './order-submitter.js';
import type { OrderTracker } from './order-tracker.js';

/** Options of one MakerThenTaker run. */
export interface MakerThenTakerOptions {
  intentId: string;
  market: Market;
  symbol: string;
  side: Side;
  /** Quantity to fill (decimal string, base asset). */
  qty: string;
  /** How long the post-only order may rest (ms, injected clock). Default 3000. */
  postOnlyWaitMs: number;
  /** Leg tag prefix for client order ids (TWAP slices use `s<i>`). Default empty. */
  legPrefix?: string;
  /** How many times a post-only reject is re-priced before going straight to the taker. Default 3. */
  maxReprices?: number;
  /** Only reduce a futures position (exits). Default false. */
  reduceOnly?: boolean;
}

/** What a MakerThenTaker run produced. */
export interface MakerThenTakerOutcome {
  /** Every fill of the run (maker and taker), oldest first. */
  fills: Fill[];
  /** The last order sent (for `order_id` in the result). */
  lastOrder: Order | undefined;
  /** Quantity left unfilled because it was below the venue's minimum (dust), if any. */
  dust: string;
  /** Why the run ended short, if it did. */
  reason?: string;
}

function touchPrice(side: Side, bid: string, ask: string): string {
  // Join the passive side of the book: a maker BUY rests at the best bid, a SELL at the best ask.
  return side === 'BUY' ? bid : ask;
}

/**
 * MakerThenTaker (SPEC §3): a post-only limit at the touch, a wait of `postOnlyWaitMs`, then — on
 * timeout or partial fill — a cancel and a market order for the exact remainder.
 *
 * The remainder is computed from the cancel's confirmed filled quantity, never from what the
 * stream had shown before the cancel, so a fill racing the cancel can never cause an over-fill. A
 * post-only reject re-prices at the new touch. A remainder below the market lot minimum is left as
 * dust (reported) rather than rounded up.
 */
export async function runMakerThenTaker(ctx: ExecutionContext, tracker: OrderTracker, instrument: Instrument, o: MakerThenTakerOptions): Promise<MakerThenTakerOutcome> {
  const prefix = o.legPrefix ?? '';
  const maxReprices = o.maxReprices ?? 3;
  const fills: Fill[] = [];
  const since = ctx.clock.now();
  let lastOrder: Order | undefined;
  let makerFilled = new Big(0);
  let reason: string | undefined;

  // Maker leg, re-priced on post-only rejects.
  let maker: Order | undefined;
  for (let attempt = 0; attempt <= maxReprices && !maker; attempt++) {
    const tick = await ctx.connector.ticker(o.market, o.symbol);
    const price = roundPriceForSide(touchPrice(o.side, tick.bid, tick.ask), instrument.tickSize, o.side, 'maker', instrument.gridFromMin && instrument.minPrice ? { min: instrument.minPrice } : {});
    const qty = roundQty(o.qty, instrument.stepSize, instrument.gridFromMin ? { min: instrument.minQty } : {});
    if (new Big(qty).eq(0)) return { fills, lastOrder, dust: o.qty, reason: 'quantity below the minimum' };
    const clientOrderId = deriveClientOrderId(o.intentId, `${prefix}mk`, attempt);
    try {
      const placed = await submitOrder(
        ctx,
        tracker,
        o.intentId,
        { market: o.market, symbol: o.symbol, side: o.side, type: 'LIMIT', timeInForce: 'GTX', postOnly: true, reduceOnly: o.reduceOnly ?? false, price, qty, clientOrderId },
        'maker',
      );
      // Some venues answer a crossing post-only with an EXPIRED order instead of an error.
      if (placed.status === 'EXPIRED' && new Big(placed.filledQty).eq(0)) continue;
      maker = placed;
    } catch (err) {
      if (isChimeraError(err) && err.code === 'POST_ONLY_REJECTED') continue;
      throw err;
    }
  }

  if (maker) {
    lastOrder = maker;
    const waitAbort = new AbortController();
    const done = tracker.whenDone(maker.clientOrderId);
    await Promise.race([ctx.clock.sleep(o.postOnlyWaitMs, waitAbort.signal).catch(() => undefined), done]);
    waitAbort.abort();
    let final = tracker.order(maker.clientOrderId) ?? maker;
    if (!new Big(final.filledQty).gte(final.qty) && final.status !== 'FILLED') {
      final = await cancelAndConfirm(ctx, tracker, final);
    }
    lastOrder = final;
    makerFilled = new Big(final.filledQty);
    fills.push(...(await tracker.catchUp(final, since)));
  } else {
    reason = 'post-only rejected on every re-price';
  }

  // Taker leg: exactly the confirmed remainder, rounded down to the market lot.
  const lot = lotSizeFor(instrument, 'MARKET');
  const rawRemainder = new Big(o.qty).minus(makerFilled);
  let dust = '0';
  if (rawRemainder.gt(0)) {
    const remainder = roundQty(rawRemainder.toFixed(), lot.stepSize);
    if (new Big(remainder).lt(lot.minQty) || new Big(remainder).eq(0)) {
      dust = rawRemainder.toFixed();
    } else {
      dust = rawRemainder.minus(remainder).toFixed();
      const clientOrderId = deriveClientOrderId(o.intentId, `${prefix}tk`, 0);
      const taker = await submitOrder(
        ctx,
        tracker,
        o.intentId,
        { market: o.market, symbol: o.symbol, side: o.side, type: 'MARKET', postOnly: false, reduceOnly: o.reduceOnly ?? false, qty: remainder, clientOrderId },
        'taker',
      );
      const takerFinal = new Big(taker.filledQty).gte(taker.qty) ? taker : await tracker.whenDone(clientOrderId);
      lastOrder = tracker.order(clientOrderId) ?? takerFinal;
      fills.push(...(await tracker.catchUp(lastOrder, since)));
    }
  }
  for (const order of [lastOrder].filter((x): x is Order => x !== undefined)) {
    if (new Big(order.filledQty).gt(0)) ctx.events.emit('order_filled', { intent_id: o.intentId, order, ts: ctx.clock.now() });
  }
  return { fills: dedupe(fills), lastOrder, dust, ...(reason ? { reason } : {}) };
}

function dedupe(fills: Fill[]): Fill[] {
  const m = new Map<string, Fill>();
  for (const f of fills) m.set(`${f.clientOrderId}:${f.tradeId}`, f);
  return [...m.values()].sort((a, b) => a.ts - b.ts);
}
