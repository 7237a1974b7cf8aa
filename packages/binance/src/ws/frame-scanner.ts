/**
 * A specialised decoder for Binance combined-stream frames (`{"stream":…,"data":{…}}`).
 *
 * `bookTicker` and `depthUpdate` frames make up nearly all market-data traffic and always have
 * the same flat shape, so they are read by a hand-written scanner over the string instead of
 * `JSON.parse`: no intermediate objects, and decimals are turned into numbers straight from the
 * characters (`m / 10^k`, which is exactly `Number(text)` for up to 15 significant digits — both
 * operands are exact doubles and IEEE division rounds once). Anything the scanner does not
 * recognise exactly — whitespace, escapes, nested values, unknown event types, an exponent —
 * falls back to `JSON.parse`, so correctness never depends on the fast path.
 *
 * @packageDocumentation
 */
import { BookTickerFrame, DepthUpdateFrame, type WireLevel } from './frames.js';

/** Exact powers of ten up to 10^22 (the largest that binary64 holds exactly). */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
/** More significant digits than this may not survive binary64 (DBL_DIG). */
const MAX_EXACT_DIGITS = 15;

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LBRACKET = 91;
const RBRACKET = 93;
const RBRACE = 125;

const PREFIX = '{"stream":"';
const DATA = ',"data":{';

/**
 * Where a reader stopped and what it read, on one reusable object: the readers allocate nothing
 * and the JIT sees a single shape.
 */
class Cursor {
  /** Index just past the value read, or -1 when the input did not match. */
  end = -1;
  /** The number read. */
  num = 0;
  /** For decimals: end of the canonical form (trailing fractional zeros and a bare point dropped). */
  canonEnd = 0;
  /** For decimals: whether `num` is exactly the decimal's value (at most 15 significant digits). */
  exact = true;
}

const CURSOR = new Cursor();

/**
 * Reads a quoted non-negative decimal at `i` (the opening quote) into `cur`; `cur.end` is -1
 * when the text is not a plain decimal literal (`"0.5"`, `"65000.10"`, not `"05"`, `"1."`, `"1e5"`).
 */
function readDecimal(t: string, i: number, pow10: readonly number[], cur: Cursor): void {
  cur.end = -1;
  if (t.charCodeAt(i) !== QUOTE) return;
  const start = i + 1;
  let j = start;
  let m = 0;
  let dot = -1;
  let lastNonZero = -1;
  let c = 0;
  for (;;) {
    c = t.charCodeAt(j);
    const d = c - ZERO;
    if (d >= 0 && d <= 9) {
      m = m * 10 + d;
      if (d !== 0) lastNonZero = j;
      j++;
    } else if (c === DOT && dot < 0) {
      dot = j;
      j++;
    } else {
      break;
    }
  }
  // A leading zero must be the only integer digit, and a point needs digits on both sides.
  if (c !== QUOTE || j === start || dot === start || dot === j - 1) return;
  if (t.charCodeAt(start) === ZERO && (dot < 0 ? j - start > 1 : dot - start > 1)) return;
  const digits = j - start - (dot < 0 ? 0 : 1);
  // Up to 15 digits (trailing zeros included) m is exact and so is one division by 10^k.
  if (digits <= MAX_EXACT_DIGITS) {
    cur.num = dot < 0 ? m : m / pow10[j - dot - 1]!;
    cur.exact = true;
  } else {
    cur.num = Number(t.slice(start, j));
    cur.exact = significantDigits(t, start, j) <= MAX_EXACT_DIGITS;
  }
  cur.canonEnd = dot < 0 ? j : lastNonZero > dot ? lastNonZero + 1 : dot;
  cur.end = j + 1;
}

/** Significant digits of the decimal literal in `t[start, end)`. */
function significantDigits(t: string, start: number, end: number): number {
  let first = -1;
  let last = -1;
  for (let k = start; k < end; k++) {
    const c = t.charCodeAt(k);
    if (c > ZERO && c <= NINE) {
      if (first < 0) first = k;
      last = k;
    }
  }
  if (first < 0) return 0;
  let n = 0;
  for (let k = first; k <= last; k++) if (t.charCodeAt(k) !== DOT) n++;
  return n;
}

/** Reads an unquoted non-negative integer of at most 16 digits at `i` into `cur`; `cur.end` -1 on mismatch. */
function readInt(t: string, i: number, cur: Cursor): void {
  cur.end = -1;
  let j = i;
  let n = 0;
  for (;;) {
    const d = t.charCodeAt(j) - ZERO;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
    j++;
  }
  // Ids and times have at most 16 digits; beyond 2^53 they would not be exact.
  if (j === i || j - i > 16 || n > Number.MAX_SAFE_INTEGER) return;
  cur.num = n;
  cur.end = j;
}

/** Reads a quoted string without escapes at `i`; returns the index of the closing quote or -1. */
function stringEnd(t: string, i: number): number {
  if (t.charCodeAt(i) !== QUOTE) return -1;
  const j = t.indexOf('"', i + 1);
  if (j < 0) return -1;
  // A backslash means escapes: leave the frame to JSON.parse.
  const bs = t.indexOf('\\', i + 1);
  return bs >= 0 && bs < j ? -1 : j;
}

/**
 * Reads `[["p","q"],…]` at `i` (the `[`), pushing price and quantity numbers to `out`. Returns
 * the index past the closing `]`, -1 on a mismatch, or -2 when a level has more digits than
 * binary64 holds exactly (the frame then takes the `JSON.parse` path, whose levels the book
 * checks one by one). One tight loop per number: this is the hottest code of the market feed.
 */
function readLevels(t: string, i: number, out: number[], pow10: readonly number[]): number {
  if (t.charCodeAt(i) !== LBRACKET) return -1;
  i++;
  if (t.charCodeAt(i) === RBRACKET) return i + 1;
  for (;;) {
    if (t.charCodeAt(i) !== LBRACKET || t.charCodeAt(i + 1) !== QUOTE) return -1;
    // Price.
    let j = i + 2;
    let start = j;
    let m = 0;
    let dot = -1;
    let c = 0;
    for (;;) {
      c = t.charCodeAt(j);
      const d = c - ZERO;
      if (d >= 0 && d <= 9) {
        m = m * 10 + d;
        j++;
      } else if (c === DOT && dot < 0) {
        dot = j;
        j++;
      } else {
        break;
      }
    }
    if (c !== QUOTE || j === start || dot === start || dot === j - 1) return -1;
    if (j - start - (dot < 0 ? 0 : 1) > MAX_EXACT_DIGITS) return -2;
    const price = dot < 0 ? m : m / pow10[j - dot - 1]!;
    if (t.charCodeAt(j + 1) !== COMMA || t.charCodeAt(j + 2) !== QUOTE) return -1;
    // Quantity.
    j += 3;
    start = j;
    m = 0;
    dot = -1;
    for (;;) {
      c = t.charCodeAt(j);
      const d = c - ZERO;
      if (d >= 0 && d <= 9) {
        m = m * 10 + d;
        j++;
      } else if (c === DOT && dot < 0) {
        dot = j;
        j++;
      } else {
        break;
      }
    }
    if (c !== QUOTE || j === start || dot === start || dot === j - 1) return -1;
    if (j - start - (dot < 0 ? 0 : 1) > MAX_EXACT_DIGITS) return -2;
    out.push(price, dot < 0 ? m : m / pow10[j - dot - 1]!);
    if (t.charCodeAt(j + 1) !== RBRACKET) return -1;
    i = j + 2;
    c = t.charCodeAt(i);
    if (c === COMMA) {
      i++;
      continue;
    }
    return c === RBRACKET ? i + 1 : -1;
  }
}

/** Which fast decoder a stream name takes. */
const Kind = { Other: 0, BookTicker: 1, Depth: 2 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

function kindOf(stream: string): Kind {
  if (stream.endsWith('@bookTicker')) return Kind.BookTicker;
  const at = stream.indexOf('@depth');
  if (at < 0) return Kind.Other;
  // `@depth` and `@depth@100ms` are diff streams; `@depth5`/`@depth20@100ms` are partial books.
  const rest = stream.slice(at + 6);
  return rest === '' || /^@\d+ms$/.test(rest) ? Kind.Depth : Kind.Other;
}

/** Cache of stream name → kind (a handful of distinct names per connection). */
const kinds = new Map<string, Kind>();

function cachedKind(stream: string): Kind {
  let k = kinds.get(stream);
  if (k === undefined) {
    k = kindOf(stream);
    // Bounded: stream names come from our own subscriptions, but a hostile peer could vary them.
    if (kinds.size > 4096) kinds.clear();
    kinds.set(stream, k);
  }
  return k;
}

/**
 * Decodes one combined-stream text frame.
 *
 * - `bookTicker` frames become {@link BookTickerFrame}s and diff-depth frames
 *   {@link DepthUpdateFrame}s, by the scanner or, when the scanner declines, by `JSON.parse`
 *   followed by the same mapping;
 * - every other frame (other streams, acks `{result,id}`, errors, `serverShutdown`) is returned
 *   as `JSON.parse` makes it.
 *
 * @throws SyntaxError when the text is not JSON at all (the socket drops such frames).
 */
export function decodeFrame(text: string): unknown {
  if (text.startsWith(PREFIX)) {
    const q = text.indexOf('"', PREFIX.length);
    if (q > 0 && text.startsWith(DATA, q + 1)) {
      const stream = text.slice(PREFIX.length, q);
      const kind = cachedKind(stream);
      const at = q + 1 + DATA.length;
      if (kind === Kind.BookTicker) {
        const frame = scanBookTicker(text, at, stream, CURSOR, POW10);
        if (frame !== undefined) return frame;
      } else if (kind === Kind.Depth) {
        const frame = scanDepth(text, at, stream, CURSOR, POW10);
        if (frame !== undefined) return frame;
      } else {
        return JSON.parse(text);
      }
    }
  }
  return typedFromJson(JSON.parse(text));
}

/** The data object must close the frame: `…}}` and nothing after. */
function closesFrame(t: string, i: number): boolean {
  return t.charCodeAt(i) === RBRACE && i === t.length - 1;
}

function scanBookTicker(t: string, i: number, stream: string, cur: Cursor, pow10: readonly number[]): BookTickerFrame | undefined {
  let symbol: string | undefined;
  let u = -1;
  let eventTime: number | undefined;
  let transactTime: number | undefined;
  let bid: string | undefined;
  let bidQty: string | undefined;
  let ask: string | undefined;
  let askQty: string | undefined;
  let bidPx = 0;
  let bidSz = 0;
  let askPx = 0;
  let askSz = 0;
  for (;;) {
    // Every key of a bookTicker is one character: `"k":`.
    if (t.charCodeAt(i) !== QUOTE || t.charCodeAt(i + 2) !== QUOTE || t.charCodeAt(i + 3) !== COLON) return undefined;
    const key = t.charCodeAt(i + 1);
    const v = i + 4;
    let end: number;
    switch (key) {
      case 117: // u
      case 69: // E
      case 84: // T
        readInt(t, v, cur);
        end = cur.end;
        if (end < 0) return undefined;
        if (key === 117) u = cur.num;
        else if (key === 69) eventTime = cur.num;
        else transactTime = cur.num;
        break;
      case 115: {
        // s
        const q = stringEnd(t, v);
        if (q < 0) return undefined;
        symbol = t.slice(v + 1, q);
        end = q + 1;
        break;
      }
      case 101: {
        // e
        const q = stringEnd(t, v);
        if (q !== v + 11 || !t.startsWith('bookTicker', v + 1)) return undefined;
        end = q + 1;
        break;
      }
      case 98: // b
      case 66: // B
      case 97: // a
      case 65: {
        // A
        readDecimal(t, v, pow10, cur);
        end = cur.end;
        if (end < 0) return undefined;
        const text = t.slice(v + 1, cur.canonEnd);
        if (key === 98) {
          bid = text;
          bidPx = cur.num;
        } else if (key === 66) {
          bidQty = text;
          bidSz = cur.num;
        } else if (key === 97) {
          ask = text;
          askPx = cur.num;
        } else {
          askQty = text;
          askSz = cur.num;
        }
        break;
      }
      default:
        return undefined;
    }
    const c = t.charCodeAt(end);
    if (c === COMMA) {
      i = end + 1;
      continue;
    }
    if (c !== RBRACE || !closesFrame(t, end + 1)) return undefined;
    break;
  }
  if (symbol === undefined || u < 0 || bid === undefined || bidQty === undefined || ask === undefined || askQty === undefined) return undefined;
  return new BookTickerFrame(stream, symbol, u, bid, bidQty, ask, askQty, bidPx, bidSz, askPx, askSz, eventTime, transactTime);
}

function scanDepth(t: string, i: number, stream: string, cur: Cursor, pow10: readonly number[]): DepthUpdateFrame | undefined {
  let symbol: string | undefined;
  let eventTime = -1;
  let transactTime: number | undefined;
  let first = -1;
  let last = -1;
  let prev: number | undefined;
  const bids: number[] = [];
  const asks: number[] = [];
  let bidsAt = -1;
  let asksAt = -1;
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) return undefined;
    const k0 = t.charCodeAt(i + 1);
    let v: number;
    let key: number;
    if (t.charCodeAt(i + 2) === QUOTE) {
      key = k0;
      v = i + 3;
    } else if (k0 === 112 && t.charCodeAt(i + 2) === 117 && t.charCodeAt(i + 3) === QUOTE) {
      key = 0; // "pu"
      v = i + 4;
    } else {
      return undefined;
    }
    if (t.charCodeAt(v) !== COLON) return undefined;
    v++;
    let end: number;
    switch (key) {
      case 69: // E
      case 84: // T
      case 85: // U
      case 117: // u
      case 0: // pu
        readInt(t, v, cur);
        end = cur.end;
        if (end < 0) return undefined;
        if (key === 69) eventTime = cur.num;
        else if (key === 84) transactTime = cur.num;
        else if (key === 85) first = cur.num;
        else if (key === 117) last = cur.num;
        else prev = cur.num;
        break;
      case 115: {
        // s
        const q = stringEnd(t, v);
        if (q < 0) return undefined;
        symbol = t.slice(v + 1, q);
        end = q + 1;
        break;
      }
      case 101: {
        // e
        const q = stringEnd(t, v);
        if (q !== v + 12 || !t.startsWith('depthUpdate', v + 1)) return undefined;
        end = q + 1;
        break;
      }
      case 98: // b
      case 97: // a
        // -2 (a level binary64 cannot hold exactly) also leaves the frame to JSON.parse.
        end = readLevels(t, v, key === 98 ? bids : asks, pow10);
        if (end < 0) return undefined;
        if (key === 98) bidsAt = v;
        else asksAt = v;
        break;
      default:
        return undefined;
    }
    const c = t.charCodeAt(end);
    if (c === COMMA) {
      i = end + 1;
      continue;
    }
    if (c !== RBRACE || !closesFrame(t, end + 1)) return undefined;
    break;
  }
  if (symbol === undefined || eventTime < 0 || first < 0 || last < 0 || bidsAt < 0 || asksAt < 0) return undefined;
  return new DepthUpdateFrame(stream, symbol, eventTime, transactTime, first, last, prev, bids, asks, true, t, bidsAt, asksAt);
}

// ------------------------------------------------------------------ JSON.parse fallback

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isLevels(v: unknown): v is WireLevel[] {
  return Array.isArray(v) && v.every((l) => Array.isArray(l) && l.length >= 2 && typeof l[0] === 'string' && typeof l[1] === 'string');
}

const DECIMAL = /^\d+(\.\d+)?$/;

function canonical(text: string): string {
  if (text.indexOf('.') < 0) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === ZERO) end--;
  if (text.charCodeAt(end - 1) === DOT) end--;
  return text.slice(0, end);
}

/**
 * Maps a `JSON.parse`d combined frame whose stream is a bookTicker or diff depth to the typed
 * frame; anything else (or a payload missing fields) is returned unchanged.
 */
function typedFromJson(msg: unknown): unknown {
  if (!isObj(msg) || typeof msg.stream !== 'string' || !isObj(msg.data)) return msg;
  const stream = msg.stream;
  const d = msg.data;
  const kind = cachedKind(stream);
  if (kind === Kind.BookTicker) {
    const { s, u, b, B, a, A } = d;
    if (typeof s !== 'string' || typeof u !== 'number') return msg;
    if (![b, B, a, A].every((x) => typeof x === 'string' && DECIMAL.test(x))) return msg;
    const [bid, bidQty, ask, askQty] = [b, B, a, A].map((x) => canonical(x as string)) as [string, string, string, string];
    return new BookTickerFrame(
      stream,
      s,
      u,
      bid,
      bidQty,
      ask,
      askQty,
      Number(bid),
      Number(bidQty),
      Number(ask),
      Number(askQty),
      typeof d.E === 'number' ? d.E : undefined,
      typeof d.T === 'number' ? d.T : undefined,
    );
  }
  if (kind === Kind.Depth) {
    const { s, E, T, U, u, pu, b, a } = d;
    if (typeof s !== 'string' || typeof E !== 'number' || typeof U !== 'number' || typeof u !== 'number') return msg;
    if (!isLevels(b) || !isLevels(a)) return msg;
    const fields: Parameters<typeof DepthUpdateFrame.fromLevels>[0] = { stream, symbol: s, eventTime: E, U, u, bids: b, asks: a };
    if (typeof T === 'number') fields.transactTime = T;
    if (typeof pu === 'number') fields.pu = pu;
    return DepthUpdateFrame.fromLevels(fields);
  }
  return msg;
}
