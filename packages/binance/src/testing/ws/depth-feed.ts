/**
 * The depth stream of one symbol as the local exchange publishes it: the book the clients were
 * told about, and Binance's update ids.
 *
 * @packageDocumentation
 */
import type { Market, PaperBook } from '@chimera/core';

/** One `[price, qty]` level on the wire. */
export type WireLevel = [price: string, qty: string];

/** A published diff: Binance's `U`/`u`/`pu` and the changed levels (qty `0` removes). */
export interface PublishedDiff {
  /** First update id in the event. */
  U: number;
  /** Final update id in the event. */
  u: number;
  /** The previous event's final update id (UM `pu`). */
  pu: number;
  b: WireLevel[];
  a: WireLevel[];
}

/** A depth snapshot as `GET /api/v3/depth` / `GET /fapi/v1/depth` return it. */
export interface WireDepthSnapshot {
  lastUpdateId: number;
  bids: WireLevel[];
  asks: WireLevel[];
}

/**
 * The published ("shadow") book of one symbol and its update ids. Every change of the paper
 * engine's book becomes one diff: each changed level consumes one update id, so an event spans
 * `U = previous u + 1` … `u = U + changes − 1`, and `pu` is the previous event's `u` — the
 * numbering the Spot (U/u) and UM (pu) sync rules check. A snapshot is the shadow book with
 * `lastUpdateId` = the last published `u`, so it matches the stream exactly.
 */
export class DepthFeed {
  /** Last published update id. */
  u: number;
  private readonly bids = new Map<string, string>();
  private readonly asks = new Map<string, string>();

  constructor(
    readonly market: Market,
    readonly symbol: string,
    startId: number,
  ) {
    this.u = startId;
  }

  /**
   * Compares the engine's book with the published one and returns the diff that brings the
   * published book up to date (and applies it), or undefined when nothing changed.
   */
  publish(book: PaperBook): PublishedDiff | undefined {
    const b = this.changes(this.bids, book, 'bid');
    const a = this.changes(this.asks, book, 'ask');
    const count = b.length + a.length;
    if (count === 0) return undefined;
    const pu = this.u;
    const U = pu + 1;
    this.u = pu + count;
    return { U, u: this.u, pu, b, a };
  }

  /**
   * Consumes update ids without publishing anything: a diff that was "sent" but lost on the
   * way (the published book is unchanged, so a client that missed it must notice the gap).
   * @returns the skipped `[U, u]`.
   */
  skip(count = 1): [number, number] {
    const U = this.u + 1;
    this.u += Math.max(1, count);
    return [U, this.u];
  }

  /** The published book, best first, at most `limit` levels a side, with the last update id. */
  snapshot(limit = Number.POSITIVE_INFINITY): WireDepthSnapshot {
    return { lastUpdateId: this.u, bids: sorted(this.bids, -1, limit), asks: sorted(this.asks, 1, limit) };
  }

  /** The published best bid and ask, or undefined while a side is empty. */
  top(): { bid: WireLevel; ask: WireLevel } | undefined {
    const bid = best(this.bids, -1);
    const ask = best(this.asks, 1);
    return bid && ask ? { bid, ask } : undefined;
  }

  private changes(shadow: Map<string, string>, book: PaperBook, side: 'bid' | 'ask'): WireLevel[] {
    const out: WireLevel[] = [];
    const seen = new Set<string>();
    for (const level of book.levels(side)) {
      const qty = level.qtyText();
      seen.add(level.price);
      if (shadow.get(level.price) !== qty) {
        shadow.set(level.price, qty);
        out.push([level.price, qty]);
      }
    }
    for (const price of shadow.keys()) {
      if (!seen.has(price)) {
        shadow.delete(price);
        out.push([price, '0']);
      }
    }
    return out;
  }
}

function sorted(side: Map<string, string>, dir: 1 | -1, limit: number): WireLevel[] {
  return [...side.entries()].sort((x, y) => dir * (Number(x[0]) - Number(y[0]))).slice(0, limit);
}

function best(side: Map<string, string>, dir: 1 | -1): WireLevel | undefined {
  let out: WireLevel | undefined;
  for (const [p, q] of side) if (out === undefined || dir * (Number(p) - Number(out[0])) < 0) out = [p, q];
  return out;
}
