/**
 * The visible market book of one symbol on one market, as the paper venue sees it: price levels
 * fed by a market-data source (snapshots, absolute diffs, top-of-book ticks) and depleted by the
 * account's own executions until the feed overwrites them.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { Market } from '../domain/enums.js';
import type { BookLevel } from '../domain/market-data.js';

/** A private big.js constructor, so a host's global big.js settings cannot reach the engine. */
const D = Big();

/** One side of a book: `bid` (buyers, best = highest) or `ask` (sellers, best = lowest). */
export type PaperBookSide = 'bid' | 'ask';

/** A price level as given by a feed: a `[price, qty]` tuple (Binance wire) or a `{ price, qty }` object. */
export type PaperLevelInput = readonly [price: string, qty: string] | { readonly price: string; readonly qty: string };

/**
 * A level of a {@link PaperBook}. `px` is the float of `price`, used only to order levels fast;
 * the quantity is parsed to an exact decimal on first use, so feed updates that are overwritten
 * before anyone trades against them cost no decimal arithmetic.
 */
export class PaperLevel {
  private parsed: Big | undefined;
  constructor(
    /** Exact price, canonical (`"65000.1"` for a feed's `"65000.10000000"`). */
    readonly price: string,
    /** `Number(price)`: the sort key (ties are broken on exact decimals). */
    readonly px: number,
    private text: string,
  ) {}

  /** Visible quantity at this price (> 0). */
  get qty(): Big {
    if (this.parsed === undefined) this.parsed = new D(this.text);
    return this.parsed;
  }

  set qty(value: Big) {
    this.parsed = value;
    this.text = '';
  }

  /** The quantity as a decimal string. */
  qtyText(): string {
    return this.parsed === undefined ? canonical(this.text) : this.parsed.toFixed();
  }

  /** Replaces the quantity from a feed's text. */
  setText(text: string): void {
    this.text = text;
    this.parsed = undefined;
  }
}

/** A snapshot or diff for {@link PaperBook.applySnapshot} / {@link PaperBook.applyDiff}. */
export interface PaperBookUpdate {
  bids: readonly PaperLevelInput[];
  asks: readonly PaperLevelInput[];
  /** The feed's sequence number (Binance `lastUpdateId` / `u`); kept for reporting. */
  sequence?: number;
  /** Exchange event time (epoch ms). */
  eventTime?: number;
}

/** A best bid/offer update (Binance `bookTicker`). */
export interface PaperTopOfBook {
  bid: string;
  bidQty: string;
  ask: string;
  askQty: string;
  sequence?: number;
  eventTime?: number;
}

function levelPrice(l: PaperLevelInput): string {
  return Array.isArray(l) ? (l as readonly [string, string])[0] : (l as { price: string }).price;
}
function levelQty(l: PaperLevelInput): string {
  return Array.isArray(l) ? (l as readonly [string, string])[1] : (l as { qty: string }).qty;
}

/** True for `"0"`, `"0.000"`, `"-0"`: a removal in Binance depth semantics. */
function isZero(q: string): boolean {
  for (let i = 0; i < q.length; i++) {
    const c = q.charCodeAt(i);
    if (c !== 48 && c !== 46 && c !== 45) return false;
  }
  return true;
}

/**
 * The canonical text of a non-negative decimal as feeds send it (no trailing fractional zeros):
 * `"65000.10000000"` → `"65000.1"`, `"2.000"` → `"2"`. String work only: no decimal parsing.
 */
function canonical(text: string): string {
  if (text.indexOf('.') < 0) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--;
  if (text.charCodeAt(end - 1) === 46) end--;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * A sorted price-level book. Prices are kept as exact canonical decimal strings; ordering uses the
 * float value and falls back to exact decimal comparison only on float ties, so two distinct
 * decimals never share a level. Quantities are big.js decimals.
 *
 * Feed semantics (Binance): quantities are absolute and `0` removes the level; a top-of-book tick
 * removes every level better than the new best on each side, then sets the best level.
 */
export class PaperBook {
  private readonly sides: Record<PaperBookSide, PaperLevel[]> = { bid: [], ask: [] };
  /** Sequence of the last applied update (0 before any). */
  sequence = 0;
  /** Exchange time of the last applied update, when the feed gave one. */
  eventTime: number | undefined;

  constructor(
    /** Market of the book. */
    readonly market: Market,
    /** Symbol of the book. */
    readonly symbol: string,
  ) {}

  /** Levels of one side, best first. Read-only view: mutate through the methods. */
  levels(side: PaperBookSide): readonly PaperLevel[] {
    return this.sides[side];
  }

  /** Best level of a side, or undefined when the side is empty. */
  best(side: PaperBookSide): PaperLevel | undefined {
    return this.sides[side][0];
  }

  /** True when both sides have at least one level. */
  isTwoSided(): boolean {
    return this.sides.bid.length > 0 && this.sides.ask.length > 0;
  }

  /** Mid price `(bestBid + bestAsk) / 2` as an exact decimal, or undefined on a one-sided book. */
  mid(): Big | undefined {
    const b = this.sides.bid[0];
    const a = this.sides.ask[0];
    if (!b || !a) return undefined;
    return new D(b.price).plus(a.price).div(2);
  }

  /** Replaces the whole book. */
  applySnapshot(update: PaperBookUpdate): void {
    this.sides.bid = this.build(update.bids, 'bid');
    this.sides.ask = this.build(update.asks, 'ask');
    this.stamp(update.sequence, update.eventTime);
  }

  /** Applies absolute level quantities (`0` removes a level; removing an unknown level is a no-op). */
  applyDiff(update: PaperBookUpdate): void {
    for (const l of update.bids) this.setLevel('bid', levelPrice(l), levelQty(l));
    for (const l of update.asks) this.setLevel('ask', levelPrice(l), levelQty(l));
    this.stamp(update.sequence, update.eventTime);
  }

  /**
   * Applies a best bid/offer: drops bid levels above `bid` and ask levels below `ask` (the tick says
   * they are gone), then sets both best levels.
   */
  applyTop(update: PaperTopOfBook): void {
    this.trimBetter('bid', update.bid);
    this.trimBetter('ask', update.ask);
    this.setLevel('bid', update.bid, update.bidQty);
    this.setLevel('ask', update.ask, update.askQty);
    this.stamp(update.sequence, update.eventTime);
  }

  /** Sets one level's absolute quantity (`0` removes it). */
  setLevel(side: PaperBookSide, price: string, qty: string): void {
    const levels = this.sides[side];
    const exact = canonical(price);
    const px = Number(exact);
    const i = this.search(side, px, exact);
    const found = i < levels.length && this.compare(side, levels[i]!, px, exact) === 0;
    if (isZero(qty)) {
      if (found) levels.splice(i, 1);
      return;
    }
    if (found) levels[i]!.setText(qty);
    else levels.splice(i, 0, new PaperLevel(exact, px, qty));
  }

  /**
   * Removes `qty` from the level at `index` of `side` (the account's own execution took it); the
   * level disappears when nothing is left. The next feed update for that price overwrites it.
   */
  consumeAt(side: PaperBookSide, index: number, qty: Big): void {
    const level = this.sides[side][index];
    if (!level) return;
    const left = level.qty.minus(qty);
    if (left.lte(0)) this.sides[side].splice(index, 1);
    else level.qty = left;
  }

  /** The best `limit` levels of each side as domain {@link BookLevel}s. */
  top(limit: number): { bids: BookLevel[]; asks: BookLevel[] } {
    const out = (side: PaperBookSide): BookLevel[] =>
      this.sides[side].slice(0, Math.max(0, limit)).map((l) => ({ price: l.price, qty: l.qtyText() }));
    return { bids: out('bid'), asks: out('ask') };
  }

  private stamp(sequence: number | undefined, eventTime: number | undefined): void {
    if (sequence !== undefined) this.sequence = sequence;
    if (eventTime !== undefined) this.eventTime = eventTime;
  }

  private build(input: readonly PaperLevelInput[], side: PaperBookSide): PaperLevel[] {
    const levels: PaperLevel[] = [];
    for (const l of input) {
      const q = levelQty(l);
      if (isZero(q)) continue;
      const price = canonical(levelPrice(l));
      levels.push(new PaperLevel(price, Number(price), q));
    }
    levels.sort((a, b) => this.compare(side, a, b.px, b.price));
    // A snapshot never repeats a price; should a feed do so, the last quantity wins.
    for (let i = levels.length - 1; i > 0; i--) {
      if (this.compare(side, levels[i - 1]!, levels[i]!.px, levels[i]!.price) === 0) levels.splice(i - 1, 1);
    }
    return levels;
  }

  /** Removes levels strictly better than `price` on `side`. */
  private trimBetter(side: PaperBookSide, price: string): void {
    const levels = this.sides[side];
    price = canonical(price);
    const px = Number(price);
    let n = 0;
    while (n < levels.length && this.compare(side, levels[n]!, px, price) < 0) n++;
    if (n > 0) levels.splice(0, n);
  }

  /** Negative when `level` sorts before (is better than) the price `px`/`price` on `side`. */
  private compare(side: PaperBookSide, level: PaperLevel, px: number, price: string): number {
    let c = level.px - px;
    if (c === 0 && level.price !== price) c = new D(level.price).cmp(price);
    return side === 'ask' ? c : -c;
  }

  /** Index of the level at `price`, or where it would be inserted. */
  private search(side: PaperBookSide, px: number, price: string): number {
    const levels = this.sides[side];
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(side, levels[mid]!, px, price) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
