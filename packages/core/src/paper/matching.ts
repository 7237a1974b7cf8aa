/**
 * Pure matching rules of the paper venue. No state, no clock: given a visible book side and an
 * order, say what executes and where.
 *
 * How the paper venue fills (documented once, here):
 * - **Taker orders** (MARKET, crossing LIMIT, triggered stops) walk the visible opposite side from
 *   the best level, taking at each level's price up to its visible quantity, until the order is
 *   done, the limit price stops crossing or the book runs out. What they take is removed from the
 *   visible book until the feed next overwrites those levels.
 * - **Resting limit orders** fill as makers at their own limit price when the market moves through
 *   them: when the opposite best price reaches them (an ask at or below a resting bid, a bid at or
 *   above a resting ask), up to the visible quantity of the levels that cross, best level first;
 *   partial fills are normal. Several resting orders share that liquidity in price-then-time
 *   priority. A public trade strictly through a resting price also fills it, up to the trade's
 *   quantity; a trade exactly at the resting price does not, because the order is assumed to queue
 *   behind the liquidity already there.
 * - The account's own orders never match each other and are not part of the visible book.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { OrderType, Side } from '../domain/enums.js';
import type { PaperLevel } from './book.js';

/** A private big.js constructor, so a host's global big.js settings cannot reach the engine. */
const D = Big();

/** One execution planned against a visible level. */
export interface LevelTake {
  /** Index of the level in the side it was planned on (at planning time). */
  index: number;
  /** Execution price: the level's price. */
  price: string;
  /** Quantity taken (> 0). */
  qty: Big;
}

/** What a taker walk would execute. */
export interface WalkPlan {
  takes: LevelTake[];
  /** Sum of `takes[].qty`. */
  filled: Big;
  /** Sum of `price × qty` over the takes (quote units). */
  notional: Big;
}

/** True when a taker on `side` with limit `limit` may trade at the level price `levelPrice`. */
export function crossesLevel(side: Side, limit: Big | undefined, levelPrice: string): boolean {
  if (limit === undefined) return true;
  return side === 'BUY' ? limit.gte(levelPrice) : limit.lte(levelPrice);
}

/**
 * Plans a taker execution: walks `levels` (the side opposite to `side`, best first) for `qty`.
 *
 * @param levels - opposite side, best first.
 * @param side - the taker's side.
 * @param qty - quantity wanted (> 0).
 * @param limit - limit price; undefined for market orders.
 * @param budget - optional cap on the quote spent (spot buys with limited funds); each take is then
 *   rounded down to `step`.
 * @param step - quantity grid used when `budget` cuts a take (default: no rounding).
 */
export function planWalk(
  levels: readonly PaperLevel[],
  side: Side,
  qty: Big,
  limit?: Big,
  budget?: Big,
  step?: string,
): WalkPlan {
  const takes: LevelTake[] = [];
  let filled = new D(0);
  let notional = new D(0);
  for (let i = 0; i < levels.length && filled.lt(qty); i++) {
    const level = levels[i]!;
    if (!crossesLevel(side, limit, level.price)) break;
    let take = qty.minus(filled);
    if (level.qty.lt(take)) take = level.qty;
    if (budget !== undefined) {
      const left = budget.minus(notional);
      if (take.times(level.price).gt(left)) {
        const affordable = left.div(level.price);
        take = step === undefined ? affordable : affordable.div(step).round(0, D.roundDown).times(step);
        if (take.lte(0)) break;
        takes.push({ index: i, price: level.price, qty: take });
        filled = filled.plus(take);
        notional = notional.plus(take.times(level.price));
        break;
      }
    }
    takes.push({ index: i, price: level.price, qty: take });
    filled = filled.plus(take);
    notional = notional.plus(take.times(level.price));
  }
  return { takes, filled, notional };
}

/**
 * True when a post-only LIMIT at `price` would take liquidity: a BUY at or above the best ask, a
 * SELL at or below the best bid (Binance `-2010` / `-5022`). An empty opposite side never crosses.
 */
export function wouldTake(side: Side, price: Big, bestOpposite: PaperLevel | undefined): boolean {
  if (!bestOpposite) return false;
  return crossesLevel(side, price, bestOpposite.price);
}

/**
 * Whether a conditional order triggers at reference price `ref`:
 * STOP BUY and TAKE_PROFIT SELL when `ref ≥ stop`; STOP SELL and TAKE_PROFIT BUY when `ref ≤ stop`.
 */
export function stopTriggered(type: OrderType, side: Side, stopPrice: Big, ref: Big): boolean {
  const isStop = type === 'STOP_MARKET' || type === 'STOP_LIMIT';
  const above = isStop ? side === 'BUY' : side === 'SELL';
  return above ? ref.gte(stopPrice) : ref.lte(stopPrice);
}

/** True for the conditional order types (they wait for a trigger). */
export function isConditional(type: OrderType): boolean {
  return type === 'STOP_MARKET' || type === 'TAKE_PROFIT_MARKET' || type === 'STOP_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
}

/** A resting order as {@link planRestingFills} sees it. */
export interface RestingView {
  side: Side;
  price: Big;
  /** Quantity still open (may already be capped, e.g. reduce-only). */
  open: Big;
}

/** One maker execution planned by {@link planRestingFills}. */
export interface RestingFill {
  /** Index of the order in the input list. */
  order: number;
  qty: Big;
  /** Quantity taken from each crossing level: `[levelIndex, qty]`. */
  consumed: Array<[number, Big]>;
}

/**
 * Plans maker fills of resting orders of one side against the opposite visible side, in the given
 * (priority) order: each order takes, best level first, the visible quantity at levels its price
 * crosses that earlier orders have not taken.
 *
 * @param orders - resting orders of one side, best price first then oldest first.
 * @param levels - opposite side, best first.
 */
export function planRestingFills(orders: readonly RestingView[], levels: readonly PaperLevel[]): RestingFill[] {
  const left = levels.map((l) => l.qty);
  const out: RestingFill[] = [];
  let first = 0;
  for (let o = 0; o < orders.length; o++) {
    const order = orders[o]!;
    // Orders come best price first: once one no longer reaches the best untaken level, none will.
    if (first >= levels.length || !crossesLevel(order.side, order.price, levels[first]!.price)) break;
    let want = order.open;
    const consumed: Array<[number, Big]> = [];
    for (let i = first; i < levels.length && want.gt(0); i++) {
      if (!crossesLevel(order.side, order.price, levels[i]!.price)) break;
      const avail = left[i]!;
      if (avail.lte(0)) continue;
      const take = avail.lt(want) ? avail : want;
      left[i] = avail.minus(take);
      want = want.minus(take);
      consumed.push([i, take]);
    }
    while (first < levels.length && left[first]!.lte(0)) first++;
    const qty = order.open.minus(want);
    if (qty.gt(0)) out.push({ order: o, qty, consumed });
  }
  return out;
}

/**
 * Plans maker fills from one public trade of `qty` at `price`: resting orders priced strictly
 * through the trade (bids above a sell print, asks below a buy print) fill in priority order up to
 * the trade's quantity.
 */
export function planTradeFills(orders: readonly RestingView[], price: Big, qty: Big): Array<{ order: number; qty: Big }> {
  const out: Array<{ order: number; qty: Big }> = [];
  let left = qty;
  for (let o = 0; o < orders.length && left.gt(0); o++) {
    const order = orders[o]!;
    const through = order.side === 'BUY' ? order.price.gt(price) : order.price.lt(price);
    if (!through) break;
    const take = order.open.lt(left) ? order.open : left;
    if (take.lte(0)) continue;
    out.push({ order: o, qty: take });
    left = left.minus(take);
  }
  return out;
}
