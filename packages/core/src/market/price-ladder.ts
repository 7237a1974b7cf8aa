/**
 * One side of an order book as two parallel typed arrays, kept sorted by a signed price key.
 *
 * Layout choices, all for speed and memory:
 * - `keys` holds `sign · price` in ascending order, so the BEST level is always the LAST
 *   element (bids: sign +1, highest price last; asks: sign −1, lowest price last). Best price is
 *   one array read, and the levels that change most — those near the touch — sit at the end,
 *   where an insert or delete moves only the few elements above it. (A best-first layout, as in
 *   ccxt, moves the whole side on every change near the top.)
 * - Lookups gallop from the end before the binary search, so a change k levels from the touch
 *   costs O(log k) comparisons.
 * - Prices and quantities are binary64 numbers: 16 bytes per level plus growth slack, with no
 *   per-level objects for the garbage collector. See float-decimal.ts for why that is exact.
 *
 * Internal to the market room; {@link OrderBook} is the public face.
 */

/** What a {@link PriceLadder.set} did: 0 nothing, 1 inserted, 2 updated, 3 removed. */
export type LadderChange = 0 | 1 | 2 | 3;

/** Below this many elements a hand loop beats `copyWithin`'s call overhead. */
const SMALL_MOVE = 16;
const MIN_CAPACITY = 16;

/** A sorted price side. `sign` is +1 for bids, −1 for asks. */
export class PriceLadder {
  /** `sign · price`, ascending; the best level is at `size − 1`. */
  keys: Float64Array;
  /** Quantity of the level with the same index. */
  qtys: Float64Array;
  /** Number of levels. */
  size = 0;
  /**
   * Exact quantity strings for the rare quantities that do not round-trip through binary64
   * (more than 15 significant digits), by price. Created on first use only.
   */
  exactQtys: Map<number, string> | undefined;

  constructor(
    readonly sign: 1 | -1,
    capacity = 64,
  ) {
    const cap = Math.max(MIN_CAPACITY, capacity);
    this.keys = new Float64Array(cap);
    this.qtys = new Float64Array(cap);
  }

  /**
   * First index whose key is ≥ `key` (or `size`). Gallops down from the top of the book first:
   * most updates land within a few levels of the touch.
   */
  lowerBound(key: number): number {
    const keys = this.keys;
    let hi = this.size;
    let step = 1;
    let lo = hi - 1;
    // Invariant: hi === size or keys[hi] >= key.
    while (lo >= 0 && keys[lo]! >= key) {
      hi = lo;
      step *= 2;
      lo = hi - step;
    }
    lo = lo < 0 ? 0 : lo + 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the level at `price`, or −1. */
  indexOf(price: number): number {
    const key = this.sign * price;
    const i = this.lowerBound(key);
    return i < this.size && this.keys[i] === key ? i : -1;
  }

  /**
   * Sets the level at `price` to `qty` (absolute); `qty === 0` removes it. `exactQty` is the
   * original string when `qty` alone would not reproduce it.
   */
  set(price: number, qty: number, exactQty?: string): LadderChange {
    const key = this.sign * price;
    const size = this.size;
    const keys = this.keys;
    // Fast path for the touch itself and a new best level.
    let i: number;
    if (size === 0 || keys[size - 1]! < key) i = size;
    else if (keys[size - 1] === key) i = size - 1;
    else i = this.lowerBound(key);

    if (i < size && keys[i] === key) {
      if (qty === 0) {
        this.removeAt(i, price);
        return 3;
      }
      this.qtys[i] = qty;
      if (exactQty !== undefined) (this.exactQtys ??= new Map()).set(price, exactQty);
      else if (this.exactQtys !== undefined) this.exactQtys.delete(price);
      return 2;
    }
    if (qty === 0) return 0;
    this.insertAt(i, key, qty);
    if (exactQty !== undefined) (this.exactQtys ??= new Map()).set(price, exactQty);
    return 1;
  }

  private insertAt(i: number, key: number, qty: number): void {
    if (this.size === this.keys.length) this.resize(this.keys.length * 2);
    const keys = this.keys;
    const qtys = this.qtys;
    const n = this.size - i;
    if (n > 0) {
      if (n < SMALL_MOVE) {
        for (let j = this.size; j > i; j--) {
          keys[j] = keys[j - 1]!;
          qtys[j] = qtys[j - 1]!;
        }
      } else {
        keys.copyWithin(i + 1, i, this.size);
        qtys.copyWithin(i + 1, i, this.size);
      }
    }
    keys[i] = key;
    qtys[i] = qty;
    this.size++;
  }

  private removeAt(i: number, price: number): void {
    const keys = this.keys;
    const qtys = this.qtys;
    const last = this.size - 1;
    const n = last - i;
    if (n > 0) {
      if (n < SMALL_MOVE) {
        for (let j = i; j < last; j++) {
          keys[j] = keys[j + 1]!;
          qtys[j] = qtys[j + 1]!;
        }
      } else {
        keys.copyWithin(i, i + 1, this.size);
        qtys.copyWithin(i, i + 1, this.size);
      }
    }
    this.size = last;
    if (this.exactQtys !== undefined) this.exactQtys.delete(price);
    // Give memory back after a deep snapshot shrank, with hysteresis so a side oscillating
    // around a boundary never thrashes.
    const cap = this.keys.length;
    if (cap > 1024 && this.size < cap >>> 2) this.resize(cap >>> 1);
  }

  private resize(capacity: number): void {
    const cap = Math.max(MIN_CAPACITY, capacity);
    const keys = new Float64Array(cap);
    const qtys = new Float64Array(cap);
    keys.set(this.keys.subarray(0, this.size));
    qtys.set(this.qtys.subarray(0, this.size));
    this.keys = keys;
    this.qtys = qtys;
  }

  /**
   * Replaces the whole side with `count` levels given best-first (`prices[0]` is the best), as
   * venues send snapshots. Returns false, leaving the side empty, when the input is not strictly
   * best-first; the caller then inserts level by level.
   */
  loadBestFirst(prices: Float64Array, qtys: Float64Array, count: number): boolean {
    this.clear();
    if (count > this.keys.length) this.resize(1 << Math.ceil(Math.log2(count)));
    const sign = this.sign;
    const keys = this.keys;
    const out = this.qtys;
    let n = 0;
    let prevKey = Number.POSITIVE_INFINITY;
    for (let s = 0; s < count; s++) {
      const q = qtys[s]!;
      const key = sign * prices[s]!;
      // Best-first means keys strictly decrease; anything else takes the caller's slow path.
      if (!(key < prevKey)) {
        this.clear();
        return false;
      }
      prevKey = key;
      if (q === 0) continue;
      keys[n] = key;
      out[n] = q;
      n++;
    }
    // Reverse in place into ascending order (best last).
    for (let a = 0, b = n - 1; a < b; a++, b--) {
      const k = keys[a]!;
      keys[a] = keys[b]!;
      keys[b] = k;
      const q = out[a]!;
      out[a] = out[b]!;
      out[b] = q;
    }
    this.size = n;
    return true;
  }

  /** Removes every level. */
  clear(): void {
    this.size = 0;
    this.exactQtys = undefined;
    if (this.keys.length > 4096) this.resize(64);
  }

  /** Price of the level at index `i` (0 = worst). */
  priceAt(i: number): number {
    return this.sign * this.keys[i]!;
  }

  /** Bytes held by the typed arrays (capacity, not size). */
  byteLength(): number {
    return this.keys.byteLength + this.qtys.byteLength;
  }
}
