/**
 * Reading HTTP response headers: the lower-cased header map undici returns, single values out of
 * it, and `Retry-After`.
 *
 * @packageDocumentation
 */

/** Response headers with lower-cased names, as undici returns them. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** The value of header `name` (case-insensitive); the first one when it was sent several times. */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()] ?? headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Parses a `Retry-After` value into milliseconds from `nowMs`: either delay-seconds (`"120"`,
 * fractions accepted) or an HTTP date. Returns `undefined` when absent or unparsable; never
 * negative.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
