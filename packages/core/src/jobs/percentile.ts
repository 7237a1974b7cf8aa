/**
 * The `p`-th percentile of `values` by the nearest-rank method (the smallest value with at least
 * `p` % of the values at or below it), e.g. RTT p50/p95 of the heartbeat.
 *
 * @param p - percentile in (0, 100].
 * @returns `undefined` for an empty list.
 * @throws RangeError when `p` is outside (0, 100].
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}
