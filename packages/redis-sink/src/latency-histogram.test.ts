import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('is empty at first', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
  });

  it('gives quantiles within 2 % above the exact value', () => {
    const h = new LatencyHistogram();
    // 1..1000 ms: exact p50 = 500, p99 = 990.
    for (let i = 1; i <= 1000; i++) h.record(i);
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.max).toBe(1000);
    expect(s.p50).toBeGreaterThanOrEqual(500);
    expect(s.p50).toBeLessThanOrEqual(510);
    expect(s.p99).toBeGreaterThanOrEqual(990);
    expect(s.p99).toBeLessThanOrEqual(1000);
  });

  it('sees the tail: 1 % of slow samples sets p99', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 980; i++) h.record(0.2);
    for (let i = 0; i < 20; i++) h.record(50);
    expect(h.quantile(0.5)).toBeLessThan(0.21);
    expect(h.quantile(0.99)).toBeGreaterThanOrEqual(50);
    expect(h.quantile(0.99)).toBeLessThanOrEqual(50);
  });

  it('clamps odd samples and resets', () => {
    const h = new LatencyHistogram();
    h.record(-5);
    h.record(1e9);
    expect(h.summary()).toMatchObject({ count: 2, max: 1e9 });
    expect(h.quantile(0.5)).toBeLessThanOrEqual(0.001);
    h.reset();
    expect(h.count).toBe(0);
  });
});
