/**
 * The public trade prints of the local MAX exchange — trades fed to the engine and the account's
 * own executions — for the `trade` channel, `GET /api/v3/trades` and the 24 h ticker statistics.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { Side } from '@chimera/core';

/** A private big.js constructor. */
const D = Big();

/** One public print. */
export interface PublicPrint {
  /** Public trade id. */
  id: number;
  price: string;
  qty: string;
  /** The aggressor's side. */
  takerSide: Side;
  /** Epoch ms (server clock). */
  ts: number;
}

/** 24 h statistics of a market, as MAX's ticker reports them. */
export interface TickerStats {
  open: string;
  high: string;
  low: string;
  last: string;
  /** Base volume. */
  volume: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Prints kept per market. */
const KEEP = 1_000;

/** Prints per market, oldest first. */
export class PublicTape {
  private readonly prints = new Map<string, PublicPrint[]>();
  private nextId = 1;

  /** Records a print and returns it. */
  record(symbol: string, print: Omit<PublicPrint, 'id'>): PublicPrint {
    const full = { ...print, id: this.nextId++ };
    let list = this.prints.get(symbol);
    if (!list) {
      list = [];
      this.prints.set(symbol, list);
    }
    list.push(full);
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
    return full;
  }

  /** The newest `limit` prints of a market, newest first (as `GET /api/v3/trades` lists them). */
  recent(symbol: string, limit: number): PublicPrint[] {
    return [...(this.prints.get(symbol) ?? [])].reverse().slice(0, limit);
  }

  /**
   * The last 24 h of a market: open/high/low/last of the prints, or of `fallback` (e.g. the mid)
   * when there were none; base volume.
   */
  stats(symbol: string, now: number, fallback: string): TickerStats {
    const day = (this.prints.get(symbol) ?? []).filter((p) => p.ts > now - DAY_MS);
    const first = day[0];
    if (!first) return { open: fallback, high: fallback, low: fallback, last: fallback, volume: '0' };
    let high = new D(first.price);
    let low = new D(first.price);
    let volume = new D(0);
    for (const p of day) {
      const price = new D(p.price);
      if (price.gt(high)) high = price;
      if (price.lt(low)) low = price;
      volume = volume.plus(p.qty);
    }
    return { open: first.price, high: high.toFixed(), low: low.toFixed(), last: day[day.length - 1]!.price, volume: volume.toFixed() };
  }
}
