import type { BookLevel } from '../domain/market-data.js';
import { ValidationError } from '../errors.js';
import { canonicalDecimal, formatFloatDecimal, isExactFloat } from './float-decimal.js';
import { PriceLadder } from './price-ladder.js';

/** A side of the book: `bid` (buyers, best = highest) or `ask` (sellers, best = lowest). */
export type BookSide = 'bid' | 'ask';

/**
 * One price level as venues send it: a `[price, qty]` pair of decimal strings (Binance `b`/`a`,
 * MAX `b`/`a`) or a {@link BookLevel} object (what `ExchangeConnector.depth` returns).
 */
export type LevelInput = readonly [price: string, qty: string] | { readonly price: string; readonly qty: string };

/** Level changes for both sides: a depth diff, or a full snapshot. Quantities are absolute. */
export interface BookLevels {
  /** Bid levels; for a snapshot best (highest) first is fastest, any order is accepted. */
  readonly bids: readonly LevelInput[];
  /** Ask levels; for a snapshot best (lowest) first is fastest, any order is accepted. */
  readonly asks: readonly LevelInput[];
}

/** The best bid and ask with their quantities, as exact decimal strings. */
export interface TopOfBook {
  bid: string;
  bidQty: string;
  ask: string;
  askQty: string;
}

/** Liquidity near the touch, from {@link OrderBook.depthWithin}. Floats: analytics only. */
export interface DepthFigures {
  /** Total quantity (base asset). */
  qty: number;
  /** Σ price · qty (quote asset, e.g. USDT). */
  notional: number;
  /** Number of levels counted. */
  levels: number;
}

/** What a market order of a given size would take from one side, from {@link OrderBook.sweep}. */
export interface SweepResult {
  /** Quantity the book can fill, ≤ the requested quantity. */
  filledQty: number;
  /** Σ price · qty of the fill (quote asset). */
  notional: number;
  /** Volume-weighted average price; NaN when nothing fills. */
  avgPrice: number;
  /** Price of the last (worst) level touched; NaN when nothing fills. */
  worstPrice: number;
  /** Number of levels touched. */
  levels: number;
}

/** Options of {@link OrderBook}. */
export interface OrderBookOptions {
  /** Levels per side to allocate up front (default 64); sides grow by doubling. */
  initialCapacity?: number;
}

function levelPrice(level: LevelInput): string {
  return (level as { price?: string }).price ?? (level as readonly [string, string])[0];
}

function levelQty(level: LevelInput): string {
  return (level as { qty?: string }).qty ?? (level as readonly [string, string])[1];
}

function invalidLevel(price: string, qty: string, why: string, code = 'BOOK_LEVEL_INVALID'): ValidationError {
  return new ValidationError(`order book level rejected: ${why}`, [{ path: 'level', message: why }], {
    code,
    details: { price, qty },
  });
}

/**
 * A local limit order book for one symbol: absolute level updates in, best prices in O(1) and
 * depth queries out.
 *
 * Levels live in two sorted typed-array ladders, best level last, so the best bid/ask is a
 * single array read and a change near the touch moves only the levels above it (see
 * price-ladder.ts). Prices and quantities are stored as binary64 numbers — about 16 bytes a
 * level plus growth slack, and no per-level objects — and come back as canonical decimal strings
 * (`"65000.10"` in, `"65000.1"` out: the same value). This is exact: every decimal of at most 15
 * significant digits round-trips through a double, so two different prices can never share a
 * level and every output equals its input's value. Longer inputs are checked one by one: a
 * quantity that would not round-trip keeps its exact string beside the level; a price that
 * would not is refused with a `ValidationError` (`BOOK_PRICE_NOT_EXACT`) rather than risk two
 * prices colliding. No venue we know sends such prices.
 *
 * The book applies what it is given; sequencing belongs to {@link BookSync}. Inputs are the
 * venue's decimal literals: the hot path checks only that they are finite numbers and that
 * quantities are not negative (`ValidationError` `BOOK_LEVEL_INVALID` otherwise); full syntax
 * validation is the adapter's job at its boundary.
 */
export class OrderBook {
  private readonly bids: PriceLadder;
  private readonly asks: PriceLadder;

  /** @param options - see {@link OrderBookOptions}. */
  constructor(options: OrderBookOptions = {}) {
    const cap = options.initialCapacity ?? 64;
    this.bids = new PriceLadder(1, cap);
    this.asks = new PriceLadder(-1, cap);
  }

  /**
   * Sets the quantity at one price (absolute, not a delta); a zero quantity (`"0"`,
   * `"0.00000000"`) removes the level, and removing an unknown level is a no-op.
   * @returns true when the book changed.
   * @throws ValidationError `BOOK_LEVEL_INVALID` for a non-numeric or negative input,
   *   `BOOK_PRICE_NOT_EXACT` for a price that does not round-trip through binary64.
   */
  apply(side: BookSide, price: string, qty: string): boolean {
    const p = Number(price);
    const q = Number(qty);
    // One comparison chain rejects NaN, ±Infinity, negative quantities and empty strings
    // (Number('') is 0, which would otherwise silently delete a level).
    if (!(q >= 0 && q < Infinity && p > -Infinity && p < Infinity) || price.length === 0 || qty.length === 0) {
      throw invalidLevel(price, qty, 'price and quantity must be finite decimals and quantity must not be negative');
    }
    let exactQty: string | undefined;
    if (price.length > 15 && !isExactFloat(price, p)) {
      throw invalidLevel(price, qty, 'price has more significant digits than binary64 keeps exactly', 'BOOK_PRICE_NOT_EXACT');
    }
    if (qty.length > 15 && q !== 0 && !isExactFloat(qty, q)) exactQty = canonicalDecimal(qty);
    return (side === 'bid' ? this.bids : this.asks).set(p, q, exactQty) !== 0;
  }

  /**
   * {@link OrderBook.apply} for a price and quantity a venue parser already read as numbers — the
   * fast path for fixed-shape depth frames, skipping the string → number conversion that
   * dominates book updates. The caller guarantees exactness: each number is the binary64 value of
   * a decimal with at most 15 significant digits (longer values must take {@link OrderBook.apply},
   * which keeps the exact string).
   * @returns true when the book changed.
   * @throws ValidationError `BOOK_LEVEL_INVALID` for a non-finite price or a negative quantity.
   */
  applyNumeric(side: BookSide, price: number, qty: number): boolean {
    if (!(qty >= 0 && qty < Infinity && price > -Infinity && price < Infinity)) {
      throw invalidLevel(String(price), String(qty), 'price and quantity must be finite numbers and quantity must not be negative');
    }
    return (side === 'bid' ? this.bids : this.asks).set(price, qty) !== 0;
  }

  /**
   * Applies several levels of one side in order.
   * @returns true when any of them changed the book.
   * @throws like {@link OrderBook.apply}; levels before the bad one stay applied.
   */
  applyLevels(side: BookSide, levels: readonly LevelInput[]): boolean {
    let changed = false;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      if (this.apply(side, levelPrice(level), levelQty(level))) changed = true;
    }
    return changed;
  }

  /**
   * Applies a depth diff: bids, then asks.
   * @returns true when the book changed.
   * @throws like {@link OrderBook.apply}.
   */
  applyDiff(diff: BookLevels): boolean {
    const b = this.applyLevels('bid', diff.bids);
    const a = this.applyLevels('ask', diff.asks);
    return b || a;
  }

  /**
   * Replaces the whole book with a snapshot. Zero-quantity levels are skipped; duplicate prices
   * keep the last one. Best-first input (as venues send it) loads in O(n).
   * @throws like {@link OrderBook.apply}; on a throw the book is left empty, never half-loaded.
   */
  applySnapshot(snapshot: BookLevels): void {
    try {
      this.loadSide(this.bids, 'bid', snapshot.bids);
      this.loadSide(this.asks, 'ask', snapshot.asks);
    } catch (err) {
      this.clear();
      throw err;
    }
  }

  private loadSide(ladder: PriceLadder, side: BookSide, levels: readonly LevelInput[]): void {
    const n = levels.length;
    const prices = new Float64Array(n);
    const qtys = new Float64Array(n);
    let exact: Array<[number, string]> | undefined;
    for (let i = 0; i < n; i++) {
      const level = levels[i]!;
      const price = levelPrice(level);
      const qty = levelQty(level);
      const p = Number(price);
      const q = Number(qty);
      if (!(q >= 0 && q < Infinity && p > -Infinity && p < Infinity) || price.length === 0 || qty.length === 0) {
        throw invalidLevel(price, qty, 'price and quantity must be finite decimals and quantity must not be negative');
      }
      if (price.length > 15 && !isExactFloat(price, p)) {
        throw invalidLevel(price, qty, 'price has more significant digits than binary64 keeps exactly', 'BOOK_PRICE_NOT_EXACT');
      }
      if (qty.length > 15 && q !== 0 && !isExactFloat(qty, q)) (exact ??= []).push([p, canonicalDecimal(qty)]);
      prices[i] = p;
      qtys[i] = q;
    }
    if (ladder.loadBestFirst(prices, qtys, n)) {
      if (exact !== undefined) {
        for (const [p, s] of exact) if (ladder.indexOf(p) !== -1) (ladder.exactQtys ??= new Map()).set(p, s);
      }
      return;
    }
    // Not best-first (or duplicated prices): insert one by one, last duplicate wins.
    ladder.clear();
    for (let i = 0; i < n; i++) {
      const level = levels[i]!;
      this.apply(side, levelPrice(level), levelQty(level));
    }
  }

  /** Removes every level. */
  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  /** Number of bid levels. */
  get bidCount(): number {
    return this.bids.size;
  }

  /** Number of ask levels. */
  get askCount(): number {
    return this.asks.size;
  }

  /** Number of levels on both sides. */
  get levelCount(): number {
    return this.bids.size + this.asks.size;
  }

  /** Best (highest) bid price as a float, O(1); NaN when there are no bids. */
  bestBidPrice(): number {
    const s = this.bids.size;
    return s === 0 ? Number.NaN : this.bids.keys[s - 1]!;
  }

  /** Best (lowest) ask price as a float, O(1); NaN when there are no asks. */
  bestAskPrice(): number {
    const s = this.asks.size;
    return s === 0 ? Number.NaN : -this.asks.keys[s - 1]!;
  }

  /** Quantity at the best bid as a float, O(1); NaN when there are no bids. */
  bestBidQty(): number {
    const s = this.bids.size;
    return s === 0 ? Number.NaN : this.bids.qtys[s - 1]!;
  }

  /** Quantity at the best ask as a float, O(1); NaN when there are no asks. */
  bestAskQty(): number {
    const s = this.asks.size;
    return s === 0 ? Number.NaN : this.asks.qtys[s - 1]!;
  }

  /** The best bid level as exact strings, O(1); undefined when there are no bids. */
  bestBid(): BookLevel | undefined {
    return this.bids.size === 0 ? undefined : this.levelAt(this.bids, this.bids.size - 1);
  }

  /** The best ask level as exact strings, O(1); undefined when there are no asks. */
  bestAsk(): BookLevel | undefined {
    return this.asks.size === 0 ? undefined : this.levelAt(this.asks, this.asks.size - 1);
  }

  /** Best bid and ask with quantities, O(1); undefined unless both sides have a level. */
  topOfBook(): TopOfBook | undefined {
    const bid = this.bestBid();
    const ask = this.bestAsk();
    if (bid === undefined || ask === undefined) return undefined;
    return { bid: bid.price, bidQty: bid.qty, ask: ask.price, askQty: ask.qty };
  }

  /** True when the best bid is at or above the best ask: a sign the book is out of sync. */
  isCrossed(): boolean {
    return this.bestBidPrice() >= this.bestAskPrice();
  }

  private levelAt(ladder: PriceLadder, i: number): BookLevel {
    const price = ladder.sign * ladder.keys[i]!;
    const exact = ladder.exactQtys?.get(price);
    return { price: formatFloatDecimal(price), qty: exact ?? formatFloatDecimal(ladder.qtys[i]!) };
  }

  /** Up to `n` levels of one side, best first, as exact strings. O(n). */
  levels(side: BookSide, n = Number.POSITIVE_INFINITY): BookLevel[] {
    const ladder = side === 'bid' ? this.bids : this.asks;
    const out: BookLevel[] = [];
    for (let i = ladder.size - 1; i >= 0 && out.length < n; i--) out.push(this.levelAt(ladder, i));
    return out;
  }

  /** Up to `n` levels of each side, best first. O(n). */
  top(n: number): { bids: BookLevel[]; asks: BookLevel[] } {
    return { bids: this.levels('bid', n), asks: this.levels('ask', n) };
  }

  /**
   * The quantity resting at `price` (any decimal spelling of it), or undefined.
   * O(log distance from the touch).
   * @throws like {@link OrderBook.apply} for a non-numeric price.
   */
  qtyAt(side: BookSide, price: string): string | undefined {
    const p = Number(price);
    if (!(p > -Infinity && p < Infinity) || price.length === 0) throw invalidLevel(price, '', 'price must be a finite decimal');
    const ladder = side === 'bid' ? this.bids : this.asks;
    const i = ladder.indexOf(p);
    return i === -1 ? undefined : this.levelAt(ladder, i).qty;
  }

  /**
   * Liquidity on one side within `bps` basis points of a reference price: bids at or above
   * `reference · (1 − bps/1e4)`, asks at or below `reference · (1 + bps/1e4)`. The reference
   * defaults to the mid, or to the side's best price when the book is one-sided.
   * O(levels counted).
   */
  depthWithin(side: BookSide, bps: number, reference?: number): DepthFigures {
    const ladder = side === 'bid' ? this.bids : this.asks;
    const out: DepthFigures = { qty: 0, notional: 0, levels: 0 };
    if (ladder.size === 0) return out;
    let ref = reference;
    if (ref === undefined) {
      const mid = (this.bestBidPrice() + this.bestAskPrice()) / 2;
      ref = Number.isNaN(mid) ? ladder.priceAt(ladder.size - 1) : mid;
    }
    const limit = side === 'bid' ? ref * (1 - bps / 1e4) : ref * (1 + bps / 1e4);
    for (let i = ladder.size - 1; i >= 0; i--) {
      const price = ladder.priceAt(i);
      if (side === 'bid' ? price < limit : price > limit) break;
      const qty = ladder.qtys[i]!;
      out.qty += qty;
      out.notional += price * qty;
      out.levels++;
    }
    return out;
  }

  /**
   * What a market order of `qty` would take from `side`, best level first: a BUY sweeps the
   * asks, a SELL the bids. O(levels touched). Floats: for slippage estimates, not for orders.
   */
  sweep(side: BookSide, qty: number): SweepResult {
    const ladder = side === 'bid' ? this.bids : this.asks;
    let left = qty;
    let notional = 0;
    let worst = Number.NaN;
    let levels = 0;
    for (let i = ladder.size - 1; i >= 0 && left > 0; i--) {
      const price = ladder.priceAt(i);
      const take = Math.min(left, ladder.qtys[i]!);
      notional += take * price;
      left -= take;
      worst = price;
      levels++;
    }
    const filledQty = qty - Math.max(0, left);
    return { filledQty, notional, avgPrice: filledQty > 0 ? notional / filledQty : Number.NaN, worstPrice: worst, levels };
  }

  /** Bytes held by the level storage (typed-array capacity), excluding the object itself. */
  byteLength(): number {
    return this.bids.byteLength() + this.asks.byteLength();
  }
}
