/**
 * Replay of recorded market data (JSONL, Binance-shaped frames) driven by the injected clock: a
 * market-data source for the paper venue that behaves like a live feed, deterministically.
 *
 * Line format (one JSON object per line; blank lines and `{"meta": …}` lines are skipped):
 * `{ "ts": <local receive time, epoch ms>, "market": "SPOT" | "FUT", "stream": <Binance stream name>,
 *    "symbol"?: <for REST snapshots>, "data": <the Binance payload> }`, where `data` is one of
 * - `bookTicker` (`u, s, b, B, a, A`, FUT adds `e, E, T`),
 * - `depthUpdate` (`e, E, s, U, u, b, a`, FUT adds `T, pu`),
 * - a REST depth snapshot on stream `depth.snapshot` (`lastUpdateId, bids, asks`),
 * - `aggTrade` (`e, E, s, a, p, q, f, l, T, m`),
 * - `markPriceUpdate` (`e, E, s, p, i, P, r, T`).
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import type { Clock, TimerHandle } from '../clock/clock.js';
import type { MarketChannel, MarketEvent, MarketSubscription, SubscriptionHandle } from '../connector.js';
import type { Market, Side } from '../domain/enums.js';
import type { BookSnapshot, MarkPriceTick, MarketTick, TradeTick } from '../domain/market-data.js';
import { tickFigures } from '../domain/market-data.js';
import { ValidationError, VenueError } from '../errors.js';
import { PaperBook } from './book.js';
import type { PaperMarketData } from './types.js';

type Levels = ReadonlyArray<readonly [string, string]>;

/** Fields every replay frame has. */
interface FrameBase {
  /** Local receive time of the recording (epoch ms). */
  ts: number;
  market: Market;
  symbol: string;
}

/** A best bid/offer update. */
export interface BookTickerFrame extends FrameBase {
  kind: 'bookTicker';
  updateId: number;
  bid: string;
  bidQty: string;
  ask: string;
  askQty: string;
  eventTime: number | undefined;
}

/** A REST depth snapshot. */
export interface DepthSnapshotFrame extends FrameBase {
  kind: 'depthSnapshot';
  lastUpdateId: number;
  bids: Levels;
  asks: Levels;
}

/** A depth diff (absolute quantities, `0` removes). */
export interface DepthUpdateFrame extends FrameBase {
  kind: 'depthUpdate';
  firstUpdateId: number;
  finalUpdateId: number;
  /** FUT only: the previous event's final update id. */
  prevFinalUpdateId: number | undefined;
  bids: Levels;
  asks: Levels;
  eventTime: number;
}

/** An aggregated public trade. */
export interface TradeFrame extends FrameBase {
  kind: 'trade';
  tradeId: string;
  price: string;
  qty: string;
  takerSide: Side;
  eventTime: number;
}

/** A mark price with the funding rate and time that follow it (FUT). */
export interface MarkPriceFrame extends FrameBase {
  kind: 'markPrice';
  markPrice: string;
  indexPrice: string | undefined;
  fundingRate: string;
  nextFundingTime: number;
  eventTime: number;
}

/** One parsed line of a replay file. */
export type ReplayFrame = BookTickerFrame | DepthSnapshotFrame | DepthUpdateFrame | TradeFrame | MarkPriceFrame;

function bad(line: number, message: string): ValidationError {
  return new ValidationError(`replay line ${line}: ${message}`, [{ path: `line ${line}`, message }], { code: 'INVALID_REPLAY' });
}

function levels(v: unknown, line: number): Levels {
  if (!Array.isArray(v)) throw bad(line, 'expected price levels');
  return v as Levels;
}

/**
 * Parses one JSONL line.
 * @param lineNo - line number for error messages.
 * @returns the frame, or undefined for blank and `meta` lines.
 * @throws ValidationError (`INVALID_REPLAY`) on malformed lines.
 */
export function parseReplayLine(text: string, lineNo = 0): ReplayFrame | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(trimmed) as Record<string, unknown>;
  } catch (err) {
    throw bad(lineNo, `not JSON (${(err as Error).message})`);
  }
  if ('meta' in raw) return undefined;
  const ts = raw.ts;
  const market = raw.market;
  const stream = raw.stream;
  const d = raw.data as Record<string, unknown> | undefined;
  if (typeof ts !== 'number' || (market !== 'SPOT' && market !== 'FUT') || typeof stream !== 'string' || !d) {
    throw bad(lineNo, 'expected { ts, market, stream, data }');
  }
  const symbol = String(raw.symbol ?? d.s ?? stream.split('@')[0]!.toUpperCase());
  const base = { ts, market, symbol } as const;
  if (stream === 'depth.snapshot') {
    return { ...base, kind: 'depthSnapshot', lastUpdateId: Number(d.lastUpdateId), bids: levels(d.bids, lineNo), asks: levels(d.asks, lineNo) };
  }
  if (stream.endsWith('@bookTicker')) {
    return {
      ...base,
      kind: 'bookTicker',
      updateId: Number(d.u),
      bid: String(d.b),
      bidQty: String(d.B),
      ask: String(d.a),
      askQty: String(d.A),
      eventTime: typeof d.E === 'number' ? d.E : undefined,
    };
  }
  switch (d.e) {
    case 'depthUpdate':
      return {
        ...base,
        kind: 'depthUpdate',
        firstUpdateId: Number(d.U),
        finalUpdateId: Number(d.u),
        prevFinalUpdateId: typeof d.pu === 'number' ? d.pu : undefined,
        bids: levels(d.b, lineNo),
        asks: levels(d.a, lineNo),
        eventTime: Number(d.E),
      };
    case 'aggTrade':
    case 'trade':
      return {
        ...base,
        kind: 'trade',
        tradeId: String(d.a ?? d.t),
        price: String(d.p),
        qty: String(d.q),
        // `m`: the buyer was the maker, so the aggressor sold.
        takerSide: d.m === true ? 'SELL' : 'BUY',
        eventTime: Number(d.E),
      };
    case 'markPriceUpdate':
      return {
        ...base,
        kind: 'markPrice',
        markPrice: String(d.p),
        indexPrice: d.i === undefined ? undefined : String(d.i),
        fundingRate: String(d.r),
        nextFundingTime: Number(d.T),
        eventTime: Number(d.E),
      };
    default:
      throw bad(lineNo, `unknown frame on stream ${stream}`);
  }
}

/**
 * Parses a whole JSONL recording; frames come back in time order (stable for equal times).
 * @throws ValidationError on the first malformed line.
 */
export function parseReplay(text: string): ReplayFrame[] {
  const frames: ReplayFrame[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const f = parseReplayLine(lines[i]!, i + 1);
    if (f) frames.push(f);
  }
  return frames.map((f, i) => [f, i] as const).sort((a, b) => a[0].ts - b[0].ts || a[1] - b[1]).map(([f]) => f);
}

/** Reads and parses a JSONL recording from disk. @throws ValidationError, or the fs error. */
export function loadReplayFile(path: string): ReplayFrame[] {
  return parseReplay(readFileSync(path, 'utf8'));
}

/** Options of {@link ReplaySource}. */
export interface ReplaySourceOptions {
  /** Drives playback: a frame is delivered when the clock reaches its time. */
  clock: Clock;
  /** The recording, in time order (see {@link parseReplay}). */
  frames: readonly ReplayFrame[];
  /** Venue id of the market events (default `replay`). */
  venue?: string;
  /**
   * `recorded` (default): frames play at their recorded times (start the clock at the recording's
   * start). `shifted`: the first frame plays when {@link ReplaySource.start} is called and every
   * time in the recording (event, funding) moves by the same offset.
   */
  timeline?: 'recorded' | 'shifted';
}

interface BookState {
  book: PaperBook;
  synced: boolean;
  lastFinal: number;
  /** FUT: the first diff after a snapshot is checked against `U ≤ lastUpdateId ≤ u`. */
  fresh: boolean;
}

interface Subscriber {
  subscription: MarketSubscription;
  onEvent: (event: MarketEvent) => void;
}

/**
 * Plays a recording on the clock and serves it like a live connector's market data: `subscribe`
 * (ticker, depth, trades, markPrice), `depth`, `ticker`, `markPrice`. Depth is rebuilt from the
 * snapshot and diffs with Binance's sequence rules (a gap drops diffs until the next snapshot).
 * New subscribers get the current state at once (ticker, depth, mark) when there is one.
 */
export class ReplaySource implements PaperMarketData {
  /** Channels a replay serves. */
  readonly capabilities: { readonly streams: readonly MarketChannel[] } = { streams: ['ticker', 'depth', 'trades', 'markPrice'] };
  /** Venue id of the events. */
  readonly venue: string;

  private readonly clock: Clock;
  private readonly frames: readonly ReplayFrame[];
  private readonly timeline: 'recorded' | 'shifted';
  private readonly books = new Map<string, BookState>();
  private readonly tickers = new Map<string, BookTickerFrame>();
  private readonly marks = new Map<string, MarkPriceFrame>();
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly frameListeners = new Set<(frame: ReplayFrame, offset: number) => void>();
  private next = 0;
  private offset = 0;
  private started = false;
  private timer: TimerHandle | undefined;

  constructor(options: ReplaySourceOptions) {
    this.clock = options.clock;
    this.frames = options.frames;
    this.venue = options.venue ?? 'replay';
    this.timeline = options.timeline ?? 'recorded';
  }

  /** Recorded time of the first frame (epoch ms), or undefined for an empty recording. */
  get startTime(): number | undefined {
    return this.frames[0]?.ts;
  }

  /** Recorded time of the last frame (epoch ms). */
  get endTime(): number | undefined {
    return this.frames[this.frames.length - 1]?.ts;
  }

  /** True once every frame has been delivered. */
  get done(): boolean {
    return this.next >= this.frames.length;
  }

  /** The markets and symbols present in the recording. */
  symbols(): Array<{ market: Market; symbol: string }> {
    const seen = new Map<string, { market: Market; symbol: string }>();
    for (const f of this.frames) seen.set(`${f.market}|${f.symbol}`, { market: f.market, symbol: f.symbol });
    return [...seen.values()];
  }

  /**
   * Starts playback (idempotent): delivers every frame already due, then one timer per due time.
   * Called on first use by `subscribe`, `depth`, `ticker` and `markPrice`.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.timeline === 'shifted' && this.frames.length > 0) this.offset = this.clock.now() - this.frames[0]!.ts;
    this.pump();
  }

  /** Stops playback; subscribers stay registered but receive nothing more. Idempotent. */
  stop(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.started = false;
  }

  /**
   * Receives every raw frame as it plays (for engines fed directly, e.g. a local exchange), with
   * the timeline offset to add to recorded times. Returns an unsubscribe function.
   */
  onFrame(listener: (frame: ReplayFrame, offset: number) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  /** Subscribes to a channel of one market and symbol; the current state is delivered at once. */
  async subscribe(subscription: MarketSubscription, onEvent: (event: MarketEvent) => void): Promise<SubscriptionHandle> {
    this.start();
    const key = `${subscription.channel}|${subscription.market}|${subscription.symbol}`;
    const sub: Subscriber = { subscription, onEvent };
    let set = this.subscribers.get(key);
    if (!set) {
      set = new Set();
      this.subscribers.set(key, set);
    }
    set.add(sub);
    this.deliverCurrent(sub);
    return {
      subscription,
      unsubscribe: async () => {
        set.delete(sub);
      },
    };
  }

  /** The replayed book's best `limit` levels (default 100). Empty sides before the first snapshot. */
  async depth(market: Market, symbol: string, limit = 100): Promise<BookSnapshot> {
    this.start();
    return this.snapshot(market, symbol, limit);
  }

  /**
   * The latest best bid/offer.
   * @throws VenueError `NO_MARKET_DATA` before the first ticker or two-sided book.
   */
  async ticker(market: Market, symbol: string): Promise<MarketTick> {
    this.start();
    const t = this.currentTicker(market, symbol);
    if (!t) throw new VenueError(`no replayed ticker for ${symbol} on ${market} yet`, { code: 'NO_MARKET_DATA', status: 503, retryable: true });
    return t;
  }

  /**
   * The latest mark price.
   * @throws VenueError `NO_MARKET_DATA` before the first mark frame.
   */
  async markPrice(symbol: string): Promise<MarkPriceTick> {
    this.start();
    const m = this.marks.get(symbol);
    if (!m) throw new VenueError(`no replayed mark price for ${symbol} yet`, { code: 'NO_MARKET_DATA', status: 503, retryable: true });
    return this.markTick(m);
  }

  private pump(): void {
    this.timer = undefined;
    if (!this.started) return;
    const now = this.clock.now();
    while (this.next < this.frames.length && this.frames[this.next]!.ts + this.offset <= now) {
      this.apply(this.frames[this.next]!);
      this.next++;
    }
    if (this.next < this.frames.length) {
      this.timer = this.clock.setTimeout(() => this.pump(), this.frames[this.next]!.ts + this.offset - now);
    }
  }

  private apply(f: ReplayFrame): void {
    for (const l of this.frameListeners) l(f, this.offset);
    const key = `${f.market}|${f.symbol}`;
    switch (f.kind) {
      case 'depthSnapshot': {
        const st = this.bookState(key, f.market, f.symbol);
        st.book.applySnapshot({ bids: f.bids, asks: f.asks, sequence: f.lastUpdateId });
        st.synced = true;
        st.fresh = true;
        st.lastFinal = f.lastUpdateId;
        this.emitDepth(f.market, f.symbol);
        return;
      }
      case 'depthUpdate': {
        const st = this.bookState(key, f.market, f.symbol);
        if (!st.synced || f.finalUpdateId <= st.lastFinal) return;
        const gap =
          f.market === 'FUT' && !st.fresh && f.prevFinalUpdateId !== undefined
            ? f.prevFinalUpdateId !== st.lastFinal
            : f.firstUpdateId > st.lastFinal + 1;
        if (gap) {
          // Never drift silently: wait for the next snapshot.
          st.synced = false;
          return;
        }
        st.fresh = false;
        st.book.applyDiff({ bids: f.bids, asks: f.asks, sequence: f.finalUpdateId, eventTime: f.eventTime + this.offset });
        st.lastFinal = f.finalUpdateId;
        this.emitDepth(f.market, f.symbol);
        return;
      }
      case 'bookTicker': {
        this.tickers.set(key, f);
        const subs = this.subscribers.get(`ticker|${key}`);
        if (subs && subs.size > 0) {
          const tick = this.tickerFrom(f);
          for (const s of subs) s.onEvent({ type: 'ticker', tick });
        }
        return;
      }
      case 'trade': {
        const subs = this.subscribers.get(`trades|${key}`);
        if (!subs || subs.size === 0) return;
        const trade: TradeTick = {
          venue: this.venue,
          market: f.market,
          symbol: f.symbol,
          tradeId: f.tradeId,
          price: f.price,
          qty: f.qty,
          takerSide: f.takerSide,
          eventTime: f.eventTime + this.offset,
          receiveTime: this.clock.now(),
        };
        for (const s of subs) s.onEvent({ type: 'trades', trade });
        return;
      }
      case 'markPrice': {
        this.marks.set(f.symbol, f);
        const subs = this.subscribers.get(`markPrice|${key}`);
        if (!subs || subs.size === 0) return;
        const mark = this.markTick(f);
        for (const s of subs) s.onEvent({ type: 'markPrice', mark });
        return;
      }
    }
  }

  private deliverCurrent(sub: Subscriber): void {
    const { channel, market, symbol } = sub.subscription;
    if (channel === 'ticker') {
      const t = this.currentTicker(market, symbol);
      if (t) sub.onEvent({ type: 'ticker', tick: t });
    } else if (channel === 'depth') {
      const st = this.books.get(`${market}|${symbol}`);
      if (st?.synced) sub.onEvent({ type: 'depth', book: this.snapshot(market, symbol, sub.subscription.levels ?? 20) });
    } else if (channel === 'markPrice') {
      const m = this.marks.get(symbol);
      if (m && market === 'FUT') sub.onEvent({ type: 'markPrice', mark: this.markTick(m) });
    }
  }

  private emitDepth(market: Market, symbol: string): void {
    const subs = this.subscribers.get(`depth|${market}|${symbol}`);
    if (!subs || subs.size === 0) return;
    for (const s of subs) s.onEvent({ type: 'depth', book: this.snapshot(market, symbol, s.subscription.levels ?? 20) });
  }

  private bookState(key: string, market: Market, symbol: string): BookState {
    let st = this.books.get(key);
    if (!st) {
      st = { book: new PaperBook(market, symbol), synced: false, lastFinal: 0, fresh: false };
      this.books.set(key, st);
    }
    return st;
  }

  private snapshot(market: Market, symbol: string, limit: number): BookSnapshot {
    const st = this.books.get(`${market}|${symbol}`);
    const now = this.clock.now();
    const top = st ? st.book.top(limit) : { bids: [], asks: [] };
    const snap: BookSnapshot = { venue: this.venue, market, symbol, sequence: st?.book.sequence ?? 0, ...top, receiveTime: now };
    if (st?.book.eventTime !== undefined) snap.eventTime = st.book.eventTime;
    return snap;
  }

  private currentTicker(market: Market, symbol: string): MarketTick | undefined {
    const f = this.tickers.get(`${market}|${symbol}`);
    if (f) return this.tickerFrom(f);
    const st = this.books.get(`${market}|${symbol}`);
    const bid = st?.book.best('bid');
    const ask = st?.book.best('ask');
    if (!bid || !ask) return undefined;
    const now = this.clock.now();
    const bq = bid.qty.toFixed();
    const aq = ask.qty.toFixed();
    return {
      venue: this.venue,
      market,
      symbol,
      bid: bid.price,
      bidQty: bq,
      ask: ask.price,
      askQty: aq,
      ...tickFigures(bid.price, bq, ask.price, aq),
      eventTime: st!.book.eventTime ?? now,
      receiveTime: now,
    };
  }

  private tickerFrom(f: BookTickerFrame): MarketTick {
    return {
      venue: this.venue,
      market: f.market,
      symbol: f.symbol,
      bid: f.bid,
      bidQty: f.bidQty,
      ask: f.ask,
      askQty: f.askQty,
      ...tickFigures(f.bid, f.bidQty, f.ask, f.askQty),
      eventTime: (f.eventTime ?? f.ts) + this.offset,
      receiveTime: this.clock.now(),
    };
  }

  private markTick(f: MarkPriceFrame): MarkPriceTick {
    const tick: MarkPriceTick = {
      venue: this.venue,
      symbol: f.symbol,
      markPrice: f.markPrice,
      fundingRate: f.fundingRate,
      nextFundingTime: f.nextFundingTime + this.offset,
      eventTime: f.eventTime + this.offset,
      receiveTime: this.clock.now(),
    };
    if (f.indexPrice !== undefined) tick.indexPrice = f.indexPrice;
    return tick;
  }
}
