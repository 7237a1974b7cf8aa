/**
 * Reads Binance's usage headers back into the transport's limiter (BINANCE.md §3): every answer
 * carries `X-MBX-USED-WEIGHT-<n><unit>` (IP weight) and order answers `X-MBX-ORDER-COUNT-<n><unit>`
 * (account order counters).
 *
 * @packageDocumentation
 */
import type { RateLimitInterval, ResponseHeaders, UsageReport } from '@chimera/core';

const USAGE = /^x-mbx-(used-weight|order-count)-(\d+)([smhd])$/i;

/**
 * Turns Binance usage headers into usage reports: `X-MBX-USED-WEIGHT-1M: 120` →
 * `{ kind: 'weight', interval: '1m', used: 120 }`; `X-MBX-ORDER-COUNT-10S: 3` →
 * `{ kind: 'orders', interval: '10s', used: 3 }`. Other headers, and values that are not
 * non-negative integers, are ignored.
 *
 * @param headers - Response headers (any case).
 * @returns One report per usage header, in header order.
 */
export function readBinanceUsage(headers: ResponseHeaders): UsageReport[] {
  const out: UsageReport[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    const m = USAGE.exec(name);
    if (!m) continue;
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || !/^\d+$/.test(value.trim())) continue;
    out.push({
      kind: m[1]!.toLowerCase() === 'used-weight' ? 'weight' : 'orders',
      interval: `${m[2]}${m[3]!.toLowerCase()}` as RateLimitInterval,
      used: Number(value.trim()),
    });
  }
  return out;
}
