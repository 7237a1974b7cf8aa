/** Quantiles of a {@link LatencyHistogram}, in milliseconds. */
export interface LatencySummary {
  /** Number of recorded samples. */
  count: number;
  /** Median (ms); 0 when empty. */
  p50: number;
  /** 99th percentile (ms); 0 when empty. */
  p99: number;
  /** Largest sample (ms); 0 when empty. */
  max: number;
}

/** Ratio between consecutive bucket bounds: quantiles are exact to within 2 %. */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Smallest distinguishable value: 1 µs. Everything below lands in bucket 0. */
const MIN_MS = 0.001;
/** 10 minutes; larger samples land in the last bucket (the exact `max` is still kept). */
const MAX_MS = 600_000;
const BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / LOG_GROWTH) + 1;

/**
 * A fixed-memory latency histogram with geometric buckets (1 µs … 10 min, 2 % wide, about 1 000
 * counters). Recording is O(1) and allocation-free, so the sink can time every event at several
 * hundred thousand events per second; quantiles come out as the upper bound of their bucket
 * (conservative by at most 2 %), capped at the largest sample seen.
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private maxSeen = 0;

  /** Records one sample in milliseconds (negative values count as 0). */
  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    const i = v <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(v / MIN_MS) / LOG_GROWTH));
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.total++;
    if (v > this.maxSeen) this.maxSeen = v;
  }

  /** Number of samples recorded. */
  get count(): number {
    return this.total;
  }

  /**
   * The `q` quantile (0 < q ≤ 1) in milliseconds: the smallest bucket bound below which at least
   * `q` of the samples lie, capped at the largest sample. 0 when empty.
   */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.maxSeen, MIN_MS * GROWTH ** i);
    }
    return this.maxSeen;
  }

  /** p50, p99 and max at once. */
  summary(): LatencySummary {
    return { count: this.total, p50: this.quantile(0.5), p99: this.quantile(0.99), max: this.maxSeen };
  }

  /** Forgets every sample. */
  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.maxSeen = 0;
  }
}
