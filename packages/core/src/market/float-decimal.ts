/**
 * Conversions between venue decimal strings and binary64 numbers that lose nothing.
 *
 * The order book stores prices and quantities as `number`s (8 bytes each, no string objects on
 * the heap) and turns them back into decimal strings on output. That is exact because of one
 * fact about IEEE-754 binary64: every decimal with at most 15 significant digits (DBL_DIG) parses
 * to a double whose shortest round-trip representation — what `String(n)` prints — is that same
 * decimal (trailing zeros aside). So for such inputs `Number` is injective on decimal values (two
 * different decimals never collide) and `String` gives the exact value back.
 *
 * Inputs with more than 15 significant digits are checked one by one: they are exact when the
 * shortest representation of their double equals their canonical form. Whoever calls these
 * helpers decides what to do with the rare input that fails the check.
 *
 * @packageDocumentation
 */

/** Most significant digits a decimal may carry and still round-trip through binary64 (DBL_DIG). */
export const EXACT_DIGITS = 15;

/** Smallest positive normal binary64 (2^-1022). */
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * Formats a finite number as a plain decimal string (no exponent): the shortest representation
 * that parses back to `n`, e.g. `65000.1`, `0.0000001` (where `String` would say `1e-7`).
 */
export function formatFloatDecimal(n: number): string {
  const s = String(n);
  // Fast path: String() only switches to exponent form below 1e-6 and from 1e21 up.
  if (s.indexOf('e') === -1) return s === '-0' ? '0' : s;
  const negative = s.charCodeAt(0) === 45; // '-'
  const body = negative ? s.slice(1) : s;
  const e = body.indexOf('e');
  const mantissa = body.slice(0, e);
  const exponent = Number(body.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot === -1 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot === -1 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

/**
 * The canonical form of a plain decimal string: no leading zeros before the integer digit, no
 * trailing fractional zeros, no lone point, no negative zero (`"065000.10"` → `"65000.1"`).
 * The input is assumed to be a plain decimal literal (`/^-?\d+(\.\d+)?$/`).
 */
export function canonicalDecimal(text: string): string {
  let s = text;
  let sign = '';
  if (s.charCodeAt(0) === 45) {
    sign = '-';
    s = s.slice(1);
  }
  const dot = s.indexOf('.');
  let int = dot === -1 ? s : s.slice(0, dot);
  let frac = dot === -1 ? '' : s.slice(dot + 1);
  let i = 0;
  while (i < int.length - 1 && int.charCodeAt(i) === 48) i++;
  int = int.slice(i);
  let j = frac.length;
  while (j > 0 && frac.charCodeAt(j - 1) === 48) j--;
  frac = frac.slice(0, j);
  const out = frac.length > 0 ? `${int}.${frac}` : int;
  return out === '0' ? '0' : sign + out;
}

/** Number of significant digits of a plain decimal literal (`"0.00120"` → 2, `"100"` → 1). */
export function significantDigits(text: string): number {
  let first = -1;
  let last = -1;
  let count = 0;
  // Count digits between the first and last non-zero digit, skipping the point.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    if (c !== 48) {
      if (first === -1) first = i;
      last = i;
    }
  }
  if (first === -1) return 0;
  for (let i = first; i <= last; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) count++;
  }
  return count;
}

/**
 * True when `Number(text)` (given as `n`) holds the exact decimal value of `text`, i.e. when
 * {@link formatFloatDecimal} of `n` gives `text` back in canonical form. Cheap for the inputs
 * venues send: a string of at most 15 characters cannot carry more than 15 significant digits,
 * and only longer strings are inspected.
 */
export function isExactFloat(text: string, n: number): boolean {
  if (text.length <= EXACT_DIGITS) return true;
  // DBL_DIG only holds in the normal range; a long string of zeros can reach past it.
  const magnitude = Math.abs(n);
  const normal = magnitude >= MIN_NORMAL && magnitude !== Number.POSITIVE_INFINITY;
  if (normal && significantDigits(text) <= EXACT_DIGITS) return true;
  return formatFloatDecimal(n) === canonicalDecimal(text);
}
