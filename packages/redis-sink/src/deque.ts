/**
 * A double-ended queue on a growable ring buffer: O(1) push and pop at both ends. The sink's
 * queue needs all four (append new events, take the oldest, put a failed batch back in front, and
 * evict the oldest), and `Array.prototype.shift`/`unshift` are O(n) on large arrays.
 */
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private count = 0;

  /** @param initialCapacity - starting slots (rounded up to a power of two, default 16). */
  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.buf = new Array<T | undefined>(cap);
  }

  /** Number of items. */
  get length(): number {
    return this.count;
  }

  /** Appends `item` at the back. */
  push(item: T): void {
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) & (this.buf.length - 1)] = item;
    this.count++;
  }

  /** Inserts `item` at the front. */
  unshift(item: T): void {
    if (this.count === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = item;
    this.count++;
  }

  /** Removes and returns the front item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.buf[this.head];
    // Clear the slot so the ring never keeps a dropped event's payload alive.
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.count--;
    return item;
  }

  /** The front item without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.buf[this.head];
  }

  /** Removes every item. */
  clear(): void {
    this.buf = new Array<T | undefined>(16);
    this.head = 0;
    this.count = 0;
  }

  /** The items front to back (a copy). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.buf[(this.head + i) & (this.buf.length - 1)] as T);
    return out;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.buf.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.buf[(this.head + i) & (this.buf.length - 1)];
    this.buf = next;
    this.head = 0;
  }
}
