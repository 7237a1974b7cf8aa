/**
 * `bookTicker` frames to SPEC §2 market ticks, on the hot path.
 *
 * @packageDocumentation
 */
import type { Clock, Market, MarketTick, TickDropReason } from '@chimera/core';
import type { BookTickerFrame } from './frames.js';

/** Options of {@link BookTickerTicks}. */
export interface BookTickerTicksOptions {
  /** Venue written into every tick (default `binance`). */
  venue?: string;
  /** Market written into every tick. */
  market: Market;
  /** Clock of the staleness check. */
  clock: Clock;
  /** Drop ticks whose event time is more than this many ms before now (default: no age limit). */
  maxAgeMs?: number;
  /** Venue clock minus local clock, ms (from the connector's clock sync); default 0. */
  venueClockOffsetMs?: () => number;
  /** Accept crossed or locked tops (bid ≥ ask); default false. */
  allowCrossed?: boolean;
}

interface SymbolState {
  eventTime: number;
  sequence: number;
}

/**
 * Turns {@link BookTickerFrame}s into `MarketTick`s with the cleaning rules of the core
 * `TickNormalizer`, per symbol: a frame with a lower update id `u` than the last accepted one,
 * or an older event time, is dropped as `out_of_order`; the same `u` again as `duplicate`; with
 * `maxAgeMs` an event older than that as `stale`; a top with no bid or ask (`0`) as `one_sided`,
 * bid ≥ ask as `crossed`. Dropped frames leave the state untouched.
 *
 * It differs from `TickNormalizer.fromTopOfBook` only in what it reads: the scanner already
 * delivered canonical strings and exact numbers, so nothing is parsed or copied again, which
 * keeps a tick cheaper than a bare `JSON.parse` of its frame. Spot frames carry no event time:
 * the receive time stands in (so Spot ticks order by `u` and arrival).
 */
export class BookTickerTicks {
  private readonly venue: string;
  private readonly state = new Map<string, SymbolState>();
  private readonly drops: Record<TickDropReason, number> = { out_of_order: 0, duplicate: 0, stale: 0, one_sided: 0, crossed: 0 };

  /** @param options - see {@link BookTickerTicksOptions}. */
  constructor(private readonly options: BookTickerTicksOptions) {
    this.venue = options.venue ?? 'binance';
  }

  /**
   * The tick of one frame, or undefined when it is dropped (see {@link BookTickerTicks.dropped}
   * and {@link BookTickerTicks.lastDrop}).
   * @param receiveTime - local receive time, epoch ms.
   */
  fromFrame(frame: BookTickerFrame, receiveTime: number): MarketTick | undefined {
    const eventTime = frame.eventTime ?? receiveTime;
    const symbol = frame.symbol;
    const prev = this.state.get(symbol);
    if (prev !== undefined) {
      if (frame.u < prev.sequence) return this.drop('out_of_order');
      if (frame.u === prev.sequence) return this.drop('duplicate');
      if (eventTime < prev.eventTime) return this.drop('out_of_order');
    }
    const maxAge = this.options.maxAgeMs;
    if (maxAge !== undefined) {
      const venueNow = this.options.clock.now() + (this.options.venueClockOffsetMs?.() ?? 0);
      if (venueNow - eventTime > maxAge) return this.drop('stale');
    }
    const b = frame.bidPx;
    const a = frame.askPx;
    if (!(b > 0) || !(a > 0)) return this.drop('one_sided');
    if (!this.options.allowCrossed && !(b < a)) return this.drop('crossed');
    if (prev === undefined) this.state.set(symbol, { eventTime, sequence: frame.u });
    else {
      prev.eventTime = eventTime;
      prev.sequence = frame.u;
    }
    const mid = (b + a) / 2;
    return {
      venue: this.venue,
      market: this.options.market,
      symbol,
      bid: frame.bid,
      bidQty: frame.bidQty,
      ask: frame.ask,
      askQty: frame.askQty,
      mid,
      spread_bps: ((a - b) / mid) * 1e4,
      depth_top1_usdt: Math.min(frame.bidSz, frame.askSz) * mid,
      eventTime,
      receiveTime,
    };
  }

  /** Why the last dropped frame was dropped. */
  lastDrop: TickDropReason | undefined;

  /** Frames dropped so far, by reason. */
  get dropped(): Readonly<Record<TickDropReason, number>> {
    return { ...this.drops };
  }

  /** Forgets the ordering state of one symbol, or of all. */
  forget(symbol?: string): void {
    if (symbol === undefined) this.state.clear();
    else this.state.delete(symbol);
  }

  private drop(reason: TickDropReason): undefined {
    this.drops[reason]++;
    this.lastDrop = reason;
    return undefined;
  }
}
