import type { Order, OrderRequest } from '../domain/order.js';
import { isChimeraError, UnknownOutcomeError } from '../errors.js';
import type { ExecutionContext } from './execution-context.js';
import type { OrderTracker } from './order-tracker.js';

/** How a submit whose outcome is unknown is settled. */
export interface SettleOptions {
  /** Queries by client order id before giving up (default 3). */
  attempts?: number;
  /** Pause between queries, on the injected clock (default 500 ms). */
  delayMs?: number;
}

/**
 * Settles an order whose submit timed out by querying its client order id — never by resending
 * (DESIGN.md principle 4). Venues can take a moment to show a just-accepted order, so the query is
 * repeated a bounded number of times.
 *
 * @returns the order when the venue has it.
 * @throws UnknownOutcomeError when it still cannot be found: the caller must not resend; the
 *   order, if it lands later, is an orphan for reconciliation.
 */
export async function settleByQuery(ctx: ExecutionContext, req: OrderRequest, options: SettleOptions = {}): Promise<Order> {
  const attempts = options.attempts ?? 3;
  const delayMs = options.delayMs ?? 500;
  let lastErr: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await ctx.clock.sleep(delayMs);
    try {
      return await ctx.connector.getOrder({ market: req.market, symbol: req.symbol, clientOrderId: req.clientOrderId });
    } catch (err) {
      lastErr = err;
      // Only "not found" is worth asking again; anything else is as unknown as before.
      if (!(isChimeraError(err) && err.code === 'ORDER_NOT_FOUND')) continue;
    }
  }
  throw new UnknownOutcomeError(`order ${req.clientOrderId} could not be settled by query`, {
    cause: lastErr,
    details: { clientOrderId: req.clientOrderId, symbol: req.symbol, market: req.market, attempts },
  });
}

/**
 * Sends one order of an intent: persists its client order id first, watches it on the user
 * stream, stores the acknowledged order, and settles a timeout by query.
 *
 * @param leg - stored with the order record (`maker`, `taker`, `sl`, `tp`, `guard` …).
 * @throws the connector's typed errors; `UnknownOutcomeError` only when settlement failed.
 */
export async function submitOrder(ctx: ExecutionContext, tracker: OrderTracker, intentId: string, req: OrderRequest, leg: string): Promise<Order> {
  tracker.watch(req.clientOrderId);
  await ctx.lifecycle.recordOrderId(intentId, req.clientOrderId);
  ctx.events.emit('order_submitted', {
    intent_id: intentId,
    order: { clientOrderId: req.clientOrderId, side: req.side, type: req.type, qty: req.qty, ...(req.price ? { price: req.price } : {}) },
    ts: ctx.clock.now(),
  });
  let order: Order;
  try {
    order = await ctx.connector.placeOrder(req);
  } catch (err) {
    if (isChimeraError(err) && err.code === 'UNKNOWN_OUTCOME') {
      try {
        order = await settleByQuery(ctx, req);
      } catch (settleErr) {
        failed(ctx, intentId, req.clientOrderId, settleErr);
        throw settleErr;
      }
    } else {
      failed(ctx, intentId, req.clientOrderId, err);
      throw err;
    }
  }
  tracker.acceptOrder(order);
  await ctx.store.upsertOrders([{ ...order, intent_id: intentId, leg }]);
  return order;
}

function failed(ctx: ExecutionContext, intentId: string, clientOrderId: string, err: unknown): void {
  ctx.events.emit('order_failed', {
    intent_id: intentId,
    clientOrderId,
    code: isChimeraError(err) ? err.code : 'UNEXPECTED',
    message: err instanceof Error ? err.message : String(err),
    ts: ctx.clock.now(),
  });
}

/**
 * Cancels an order and returns its final state, including any fill that raced the cancel (the
 * venue's answer carries the confirmed filled quantity). An order that is already gone is read
 * back instead.
 */
export async function cancelAndConfirm(ctx: ExecutionContext, tracker: OrderTracker, order: Order): Promise<Order> {
  let final: Order;
  try {
    final = await ctx.connector.cancelOrder({ market: order.market, symbol: order.symbol, clientOrderId: order.clientOrderId });
  } catch (err) {
    if (!(isChimeraError(err) && err.code === 'ORDER_NOT_FOUND')) throw err;
    final = await ctx.connector.getOrder({ market: order.market, symbol: order.symbol, clientOrderId: order.clientOrderId });
  }
  tracker.acceptOrder(final);
  const known = tracker.order(order.clientOrderId) ?? final;
  await ctx.store.upsertOrders([{ ...known }]);
  return known;
}
