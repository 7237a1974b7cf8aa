/**
 * Rate-limit rules as a venue declares them (e.g. from Binance's `exchangeInfo.rateLimits`), in a
 * venue-neutral shape the {@link WindowRateLimiter} enforces.
 *
 * @packageDocumentation
 */

/**
 * What a rule counts:
 * - `weight`: the request's weight (`request({ weight })`, default 1);
 * - `orders`: the request's order count (`request({ orderCount })`, default 0);
 * - `raw`: one per request, whatever its weight.
 */
export type RateLimitKind = 'weight' | 'orders' | 'raw';

/** A window length: a count and a unit — `s`econds, `m`inutes, `h`ours or `d`ays (e.g. `10s`, `1m`, `1d`). */
export type RateLimitInterval = `${number}${'s' | 'm' | 'h' | 'd'}`;

/**
 * One limit the venue declares: at most `limit` units of `kind` per fixed `interval` window.
 * Example: `{ kind: 'weight', interval: '1m', limit: 6000 }`, `{ kind: 'orders', interval: '10s', limit: 100 }`.
 */
export interface RateLimitRule {
  /** What the rule counts. */
  kind: RateLimitKind;
  /** Window length, e.g. `1m`. Windows are aligned to multiples of the length since the epoch. */
  interval: RateLimitInterval;
  /** Units allowed per window (> 0). */
  limit: number;
}

/**
 * What the venue reports it has counted in the current window (e.g. Binance's
 * `X-MBX-USED-WEIGHT-1M: 120` → `{ kind: 'weight', interval: '1m', used: 120 }`). Produced by the
 * adapter's `readUsage` hook from response headers.
 */
export interface UsageReport {
  /** What was counted. */
  kind: RateLimitKind;
  /** The window the count belongs to; matched to a declared rule by kind and length. */
  interval: RateLimitInterval;
  /** Units the venue has counted in its current window. */
  used: number;
}

/** The state of one rule's current window, as the limiter sees it. */
export interface RuleUsage {
  /** The rule's key, `kind:interval` (e.g. `weight:1m`). */
  key: string;
  /** What the rule counts. */
  kind: RateLimitKind;
  /** Window length. */
  interval: RateLimitInterval;
  /** Units allowed per window. */
  limit: number;
  /** Units counted in the current window: ours, raised to the venue's report when it said more. */
  used: number;
  /** Start of the current window, epoch ms. */
  windowStart: number;
  /** End of the current window (exclusive), epoch ms. */
  windowEnd: number;
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Converts an interval such as `10s` or `1m` to milliseconds.
 * @throws TypeError when the text is not `<positive integer><s|m|h|d>`.
 */
export function intervalToMs(interval: RateLimitInterval | string): number {
  const m = /^(\d+)([smhd])$/i.exec(interval);
  const count = m ? Number(m[1]) : 0;
  if (!m || count <= 0) throw new TypeError(`invalid rate-limit interval "${interval}" (expected e.g. 10s, 1m, 1d)`);
  return count * UNIT_MS[m[2]!.toLowerCase() as keyof typeof UNIT_MS];
}

/** The stable key of a rule or report, `kind:interval` with the interval normalised to lower case. */
export function ruleKey(rule: { kind: RateLimitKind; interval: string }): string {
  return `${rule.kind}:${rule.interval.toLowerCase()}`;
}
