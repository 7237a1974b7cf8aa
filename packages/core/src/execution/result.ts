import Big from 'big.js';
import type { Fill } from '../domain/account.js';
import type { Side } from '../domain/enums.js';
import type { ExecutionResult, ExecutionStatus } from '../domain/execution.js';
import type { ExecutionContext } from './execution-context.js';

/** Volume-weighted average price of fills, as a decimal string (undefined without fills). */
export function averagePrice(fills: readonly Fill[]): string | undefined {
  let qty = new Big(0);
  let notional = new Big(0);
  for (const f of fills) {
    qty = qty.plus(f.qty);
    notional = notional.plus(new Big(f.price).times(f.qty));
  }
  if (qty.eq(0)) return undefined;
  // 12 decimals keeps the average exact enough for any venue tick while staying finite.
  return notional.div(qty).round(12, Big.roundHalfEven).toFixed().replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** Sum of fill quantities, as a decimal string. */
export function filledQuantity(fills: readonly Fill[]): string {
  return fills.reduce((s, f) => s.plus(f.qty), new Big(0)).toFixed();
}

/**
 * Slippage in basis points of an average fill price against the arrival mid: positive when the
 * fill was worse than the mid (paid more on a BUY, got less on a SELL).
 */
export function slippageAgainstMid(arrivalMid: number, avgPrice: string, side: Side): number {
  const avg = Number(avgPrice);
  const bps = ((avg - arrivalMid) / arrivalMid) * 1e4;
  return Math.round((side === 'BUY' ? bps : -bps) * 100) / 100;
}

/**
 * Builds the `ExecutionResult` of the reference examples from an intent's fills.
 * @param orderId - venue id of the last order that carried the intent.
 */
export function buildResult(input: {
  intentId: string;
  targetQty: string;
  fills: readonly Fill[];
  orderId: string | null;
  arrivalMid: number | undefined;
  side: Side;
  status?: ExecutionStatus;
  reason?: string;
}): ExecutionResult {
  const fills = [...input.fills].sort((a, b) => a.ts - b.ts);
  const filled = filledQuantity(fills);
  const avg = averagePrice(fills);
  const status: ExecutionStatus =
    input.status ?? (new Big(filled).gte(input.targetQty) ? 'FILLED' : new Big(filled).gt(0) ? 'PARTIALLY_FILLED' : 'CANCELED');
  return {
    status,
    order_id: input.orderId,
    avg_price: avg ?? null,
    filled_qty: filled,
    fills: fills.map((f) => ({ price: f.price, qty: f.qty, timestamp: f.ts })),
    slippage_bps: avg !== undefined && input.arrivalMid !== undefined ? slippageAgainstMid(input.arrivalMid, avg, input.side) : null,
    intent_id: input.intentId,
    ...(input.reason ? { reason: input.reason } : {}),
  };
}

/**
 * Publishes `orders:executed` for every fill of an order (SPEC §3), with the order's running
 * average price and cumulative filled quantity after that fill.
 */
export function publishExecutions(ctx: ExecutionContext, intentId: string, fills: readonly Fill[]): void {
  const byOrder = new Map<string, Fill[]>();
  for (const f of [...fills].sort((a, b) => a.ts - b.ts)) {
    const list = byOrder.get(f.clientOrderId) ?? [];
    list.push(f);
    byOrder.set(f.clientOrderId, list);
  }
  for (const list of byOrder.values()) {
    for (let i = 0; i < list.length; i++) {
      const upTo = list.slice(0, i + 1);
      const f = list[i]!;
      ctx.sink.publish(ctx.keys.ordersExecuted(), {
        order_id: f.venueOrderId,
        intent_id: intentId,
        symbol: f.symbol,
        side: f.side,
        avg_px: averagePrice(upTo)!,
        filled_qty: filledQuantity(upTo),
        market: f.market,
        ts: f.ts,
      });
    }
  }
}
