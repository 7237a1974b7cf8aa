import type { Clock } from '../clock/clock.js';
import type { Market } from '../domain/enums.js';
import { tickFigures, type MarketTick } from '../domain/market-data.js';
import { canonicalDecimal } from './float-decimal.js';
import type { OrderBook } from './order-book.js';

/**
 * Why a tick was not emitted:
 * - `out_of_order` — older than the last accepted tick of the symbol (sequence or event time).
 * - `duplicate` — same venue sequence as the last accepted tick.
 * - `stale` — older than `maxAgeMs` by the clock.
 * - `one_sided` — the book has no bid or no ask.
 * - `crossed` — bid ≥ ask, which a healthy single-venue book never shows.
 */
export type TickDropReason = 'out_of_order' | 'duplicate' | 'stale' | 'one_sided' | 'crossed';

/** Outcome of a normalisation: the tick, or why there is none. */
export type TickResult = { accepted: true; tick: MarketTick } | { accepted: false; reason: TickDropReason };

/** A top of book as a venue's best-bid/ask stream carries it (Binance `bookTicker`). */
export interface TopOfBookInput {
  symbol: string;
  /** Best bid price, decimal string. */
  bid: string;
  bidQty: string;
  /** Best ask price, decimal string. */
  ask: string;
  askQty: string;
  /**
   * Exchange event time (epoch ms, venue clock). Binance Spot `bookTicker` has none: omit it and
   * the receive time stands in.
   */
  eventTime?: number;
  /** The venue's update id (`bookTicker` `u`); when present it orders ticks before event time. */
  sequence?: number;
  /** Local receive time (epoch ms); default `clock.now()`. */
  receiveTime?: number;
}

/** Timing of a book-derived tick, from the depth update that changed the book. */
export interface BookTickMeta {
  /** Exchange event time of the update (epoch ms); default the receive time. */
  eventTime?: number;
  /** The update's last sequence number, if the venue has one. */
  sequence?: number;
  /** Local receive time (epoch ms); default `clock.now()`. */
  receiveTime?: number;
}

/** Options of {@link TickNormalizer}. */
export interface TickNormalizerOptions {
  /** Venue name written into every tick (e.g. `binance`). */
  venue: string;
  /** Market written into every tick. */
  market: Market;
  /** Source of local time: receive time default and the staleness check. */
  clock: Clock;
  /**
   * Drop ticks whose event time is more than this many ms before now (default: no age limit).
   * Now is the clock's time plus {@link TickNormalizerOptions.venueClockOffsetMs}.
   */
  maxAgeMs?: number;
  /** Venue clock minus local clock in ms (from a clock-sync job); default 0. */
  venueClockOffsetMs?: () => number;
  /** Accept crossed or locked tops (bid ≥ ask); default false. */
  allowCrossed?: boolean;
}

interface SymbolState {
  eventTime: number;
  sequence: number | undefined;
}

/**
 * Turns top-of-book data into SPEC §2 {@link MarketTick}s — `mid`, `spread_bps` and
 * `depth_top1_usdt` via {@link tickFigures}, with exchange event time and local receive time —
 * and cleans the flow per symbol: a tick older than the last accepted one (by venue sequence
 * when both carry one, and by event time) is dropped as out of order, a repeated sequence as a
 * duplicate, and with `maxAgeMs` a tick older than that by the clock as stale. One-sided and
 * crossed tops are dropped too. Dropped ticks leave the per-symbol state untouched.
 *
 * Use one normaliser per source stream: a bookTicker stream and a depth book of the same symbol
 * have unrelated sequences. Prices in ticks are canonical decimal strings (`"65000.10"` →
 * `"65000.1"`).
 */
export class TickNormalizer {
  private readonly state = new Map<string, SymbolState>();
  private readonly drops: Record<TickDropReason, number> = {
    out_of_order: 0,
    duplicate: 0,
    stale: 0,
    one_sided: 0,
    crossed: 0,
  };

  /** @param options - see {@link TickNormalizerOptions}. */
  constructor(private readonly options: TickNormalizerOptions) {}

  /** Normalises a best-bid/ask message. */
  fromTopOfBook(input: TopOfBookInput): TickResult {
    if (input.bid.length === 0 || input.ask.length === 0) return this.drop('one_sided');
    return this.accept(
      input.symbol,
      canonicalDecimal(input.bid),
      canonicalDecimal(input.bidQty),
      canonicalDecimal(input.ask),
      canonicalDecimal(input.askQty),
      input.eventTime,
      input.sequence,
      input.receiveTime,
    );
  }

  /** Normalises the top of a local book after an update. */
  fromBook(symbol: string, book: OrderBook, meta: BookTickMeta = {}): TickResult {
    const top = book.topOfBook();
    if (top === undefined) return this.drop('one_sided');
    return this.accept(symbol, top.bid, top.bidQty, top.ask, top.askQty, meta.eventTime, meta.sequence, meta.receiveTime);
  }

  /** The last accepted event time and sequence of a symbol. */
  last(symbol: string): { eventTime: number; sequence?: number } | undefined {
    const s = this.state.get(symbol);
    if (s === undefined) return undefined;
    return s.sequence === undefined ? { eventTime: s.eventTime } : { eventTime: s.eventTime, sequence: s.sequence };
  }

  /**
   * Forgets the ordering state of one symbol, or of all: needed when a venue restarts its
   * sequence numbers (they are otherwise compared across reconnects).
   */
  forget(symbol?: string): void {
    if (symbol === undefined) this.state.clear();
    else this.state.delete(symbol);
  }

  /** Ticks dropped so far, by reason. */
  get dropped(): Readonly<Record<TickDropReason, number>> {
    return { ...this.drops };
  }

  private drop(reason: TickDropReason): TickResult {
    this.drops[reason]++;
    return { accepted: false, reason };
  }

  private accept(
    symbol: string,
    bid: string,
    bidQty: string,
    ask: string,
    askQty: string,
    eventTimeIn: number | undefined,
    sequence: number | undefined,
    receiveTimeIn: number | undefined,
  ): TickResult {
    const now = this.options.clock.now();
    const receiveTime = receiveTimeIn ?? now;
    const eventTime = eventTimeIn ?? receiveTime;
    const prev = this.state.get(symbol);
    if (prev !== undefined) {
      if (sequence !== undefined && prev.sequence !== undefined) {
        if (sequence < prev.sequence) return this.drop('out_of_order');
        if (sequence === prev.sequence) return this.drop('duplicate');
      }
      if (eventTime < prev.eventTime) return this.drop('out_of_order');
    }
    const maxAge = this.options.maxAgeMs;
    if (maxAge !== undefined) {
      const venueNow = now + (this.options.venueClockOffsetMs?.() ?? 0);
      if (venueNow - eventTime > maxAge) return this.drop('stale');
    }
    if (!this.options.allowCrossed && !(Number(bid) < Number(ask))) return this.drop('crossed');
    const figures = tickFigures(bid, bidQty, ask, askQty);
    this.state.set(symbol, { eventTime, sequence: sequence ?? prev?.sequence });
    return {
      accepted: true,
      tick: {
        venue: this.options.venue,
        market: this.options.market,
        symbol,
        bid,
        bidQty,
        ask,
        askQty,
        mid: figures.mid,
        spread_bps: figures.spread_bps,
        depth_top1_usdt: figures.depth_top1_usdt,
        eventTime,
        receiveTime,
      },
    };
  }
}
