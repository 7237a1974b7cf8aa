/**
 * One published MAX book stream (a market at one depth): what its subscribers were last sent,
 * its update ids and its version. Each change of the engine's visible book becomes one `update`
 * carrying only the levels that changed (volume `"0"` removes a level), with `fi` = the previous
 * `li` + 1 and `li` = `fi` + (levels changed − 1): one id per level change, as MAX numbers them.
 *
 * @packageDocumentation
 */
import type { BookLevel } from '@chimera/core';

/** A `[price, volume]` pair as MAX sends it. */
export type WireLevel = [price: string, volume: string];

/** A book message's payload: levels and continuity fields. */
export interface FeedMessage {
  fi: number;
  li: number;
  v: number;
  bids: WireLevel[];
  asks: WireLevel[];
}

function toMap(levels: readonly BookLevel[]): Map<string, string> {
  return new Map(levels.map((l) => [l.price, l.qty]));
}

function diff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): WireLevel[] {
  const out: WireLevel[] = [];
  for (const [price, qty] of after) if (before.get(price) !== qty) out.push([price, qty]);
  for (const price of before.keys()) if (!after.has(price)) out.push([price, '0']);
  return out;
}

/** A book stream's state. Pure: the caller hands in the book and decides whom to send what. */
export class BookFeed {
  private bids: Map<string, string>;
  private asks: Map<string, string>;
  private seq: number;

  /**
   * @param depth - Levels per side this stream carries.
   * @param version - The book version `v` (changes when the book is rebuilt).
   * @param sequence - The id the stream starts at.
   * @param book - The current book, best levels first.
   */
  constructor(
    readonly depth: number,
    readonly version: number,
    sequence: number,
    book: { bids: readonly BookLevel[]; asks: readonly BookLevel[] },
  ) {
    this.seq = sequence;
    this.bids = toMap(book.bids.slice(0, depth));
    this.asks = toMap(book.asks.slice(0, depth));
  }

  /** The last update id published. */
  get sequence(): number {
    return this.seq;
  }

  /** The snapshot a new subscriber gets: what was last published, `fi` = `li` = the last id. */
  snapshot(): FeedMessage {
    return { fi: this.seq, li: this.seq, v: this.version, bids: [...this.bids], asks: [...this.asks] };
  }

  /**
   * Moves the stream to `book` (its best `depth` levels).
   * @returns the update to publish, or `undefined` when nothing within the depth changed.
   */
  next(book: { bids: readonly BookLevel[]; asks: readonly BookLevel[] }): FeedMessage | undefined {
    const bids = toMap(book.bids.slice(0, this.depth));
    const asks = toMap(book.asks.slice(0, this.depth));
    const b = diff(this.bids, bids);
    const a = diff(this.asks, asks);
    const changes = b.length + a.length;
    if (changes === 0) return undefined;
    const fi = this.seq + 1;
    this.seq += changes;
    this.bids = bids;
    this.asks = asks;
    return { fi, li: this.seq, v: this.version, bids: b, asks: a };
  }
}
