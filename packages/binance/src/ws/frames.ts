/**
 * The two high-rate Binance market frames as typed objects, decoded by the frame scanner
 * (frame-scanner.ts) without going through a generic `JSON.parse`: `bookTicker` and the diff-depth
 * `depthUpdate`. Every other frame stays the plain object `JSON.parse` makes.
 *
 * @packageDocumentation
 */
import type { BookLevels } from '@chimera/core';

/** One `[price, qty]` level as Binance sends it, decimal strings. */
export type WireLevel = [price: string, qty: string];

/**
 * A `<symbol>@bookTicker` payload (Spot `{u,s,b,B,a,A}`; UM adds `e,E,T`). Prices and
 * quantities come both as canonical decimal strings (`"65000.10000000"` → `"65000.1"`, the same
 * value) and as numbers parsed exactly from the same characters.
 */
export class BookTickerFrame {
  constructor(
    /** The combined-stream name the frame arrived on, e.g. `btcusdt@bookTicker`. */
    readonly stream: string,
    /** Venue symbol (`s`), e.g. `BTCUSDT`. */
    readonly symbol: string,
    /** Order book update id (`u`). */
    readonly u: number,
    /** Best bid price (`b`), canonical decimal string. */
    readonly bid: string,
    /** Best bid quantity (`B`), canonical decimal string. */
    readonly bidQty: string,
    /** Best ask price (`a`), canonical decimal string. */
    readonly ask: string,
    /** Best ask quantity (`A`), canonical decimal string. */
    readonly askQty: string,
    /** `Number(bid)`. */
    readonly bidPx: number,
    /** `Number(bidQty)`. */
    readonly bidSz: number,
    /** `Number(ask)`. */
    readonly askPx: number,
    /** `Number(askQty)`. */
    readonly askSz: number,
    /** Event time (`E`, UM only), epoch ms; undefined on Spot. */
    readonly eventTime: number | undefined,
    /** Transaction time (`T`, UM only), epoch ms; undefined on Spot. */
    readonly transactTime: number | undefined,
  ) {}
}

/**
 * A `depthUpdate` payload (`<symbol>@depth[@100ms]`): first and last update ids `U`/`u`, UM's
 * previous last id `pu`, and absolute level quantities (`0` removes a level).
 *
 * Levels are kept as numbers (`bidNums`/`askNums`: price, qty, price, qty …) parsed exactly from
 * the wire text, which is what the book's numeric entry consumes; the string pairs the core
 * `BookLevels` contract names (`bids`, `asks`) are materialised from the text only when read.
 */
export class DepthUpdateFrame implements BookLevels {
  private bidPairs: WireLevel[] | undefined;
  private askPairs: WireLevel[] | undefined;

  constructor(
    /** The combined-stream name the frame arrived on, e.g. `btcusdt@depth@100ms`. */
    readonly stream: string,
    /** Venue symbol (`s`). */
    readonly symbol: string,
    /** Event time (`E`), epoch ms. */
    readonly eventTime: number,
    /** Transaction time (`T`, UM only), epoch ms. */
    readonly transactTime: number | undefined,
    /** First update id in the event. */
    readonly U: number,
    /** Final update id in the event. */
    readonly u: number,
    /** UM: the previous event's final update id; undefined on Spot. */
    readonly pu: number | undefined,
    /** Bid levels as numbers: price, qty, price, qty … */
    readonly bidNums: readonly number[],
    /** Ask levels as numbers: price, qty, price, qty … */
    readonly askNums: readonly number[],
    /**
     * False when a level carried more significant digits than binary64 holds exactly (or an
     * exponent): the numbers are then unusable and the string levels must be applied.
     */
    readonly exact: boolean,
    private readonly text: string,
    private readonly bidsAt: number,
    private readonly asksAt: number,
    private readonly stringBids?: WireLevel[],
    private readonly stringAsks?: WireLevel[],
  ) {}

  /** Bid levels as `[price, qty]` decimal strings, exactly as sent (materialised on first read). */
  get bids(): WireLevel[] {
    return (this.bidPairs ??= this.stringBids ?? readPairs(this.text, this.bidsAt));
  }

  /** Ask levels as `[price, qty]` decimal strings, exactly as sent (materialised on first read). */
  get asks(): WireLevel[] {
    return (this.askPairs ??= this.stringAsks ?? readPairs(this.text, this.asksAt));
  }

  /** Number of level changes the event carries. */
  get levelCount(): number {
    return (this.bidNums.length + this.askNums.length) >> 1;
  }

  /**
   * A frame built from already decoded fields (the `JSON.parse` fallback path and tests); its
   * numeric levels are computed with `Number`.
   */
  static fromLevels(fields: {
    stream: string;
    symbol: string;
    eventTime: number;
    transactTime?: number;
    U: number;
    u: number;
    pu?: number;
    bids: WireLevel[];
    asks: WireLevel[];
  }): DepthUpdateFrame {
    let exact = true;
    const nums = (levels: WireLevel[]): number[] => {
      const out: number[] = [];
      for (const [p, q] of levels) {
        // Longer literals may not survive binary64; the book's string path checks them.
        if (p.length > 15 || q.length > 15) exact = false;
        out.push(Number(p), Number(q));
      }
      return out;
    };
    const bidNums = nums(fields.bids);
    const askNums = nums(fields.asks);
    return new DepthUpdateFrame(
      fields.stream,
      fields.symbol,
      fields.eventTime,
      fields.transactTime,
      fields.U,
      fields.u,
      fields.pu,
      bidNums,
      askNums,
      exact,
      '',
      -1,
      -1,
      fields.bids,
      fields.asks,
    );
  }
}

/** Reads `[["p","q"],…]` starting at `at` (the `[`) into string pairs. */
function readPairs(text: string, at: number): WireLevel[] {
  const out: WireLevel[] = [];
  let i = at + 1;
  if (text.charCodeAt(i) === 93) return out;
  for (;;) {
    let s = i + 2;
    let j = text.indexOf('"', s);
    const price = text.slice(s, j);
    s = j + 3;
    j = text.indexOf('"', s);
    out.push([price, text.slice(s, j)]);
    i = j + 2;
    if (text.charCodeAt(i) !== 44) return out;
    i++;
  }
}
