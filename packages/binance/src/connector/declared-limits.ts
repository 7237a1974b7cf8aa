import type { RateLimitRule } from '@chimera/core';

const UNIT: Record<string, 's' | 'm' | 'h' | 'd'> = { SECOND: 's', MINUTE: 'm', HOUR: 'h', DAY: 'd' };
const KIND: Record<string, RateLimitRule['kind']> = { REQUEST_WEIGHT: 'weight', ORDERS: 'orders', RAW_REQUESTS: 'raw' };

/**
 * Reads the limits Binance declares in `exchangeInfo.rateLimits`
 * (`{ rateLimitType: REQUEST_WEIGHT | ORDERS | RAW_REQUESTS, interval: SECOND | MINUTE | HOUR | DAY,
 * intervalNum, limit }`) as the transport's rules. Entries of an unknown type or unit are skipped,
 * so a new Binance limit type never breaks the connector.
 *
 * @returns the declared rules, or an empty list when the body carries none.
 */
export function declaredRateLimits(exchangeInfo: unknown): RateLimitRule[] {
  const list = (exchangeInfo as { rateLimits?: unknown } | null)?.rateLimits;
  if (!Array.isArray(list)) return [];
  const rules: RateLimitRule[] = [];
  for (const entry of list as Array<Record<string, unknown>>) {
    const kind = KIND[String(entry.rateLimitType)];
    const unit = UNIT[String(entry.interval)];
    const num = Number(entry.intervalNum);
    const limit = Number(entry.limit);
    if (!kind || !unit || !Number.isInteger(num) || num <= 0 || !(limit > 0)) continue;
    rules.push({ kind, interval: `${num}${unit}`, limit });
  }
  return rules;
}
