import type { Fill } from '../domain/account.js';
import type { Instrument } from '../domain/instrument.js';

/**
 * Natural keys that make every store write idempotent (SPEC §7). They use only characters that
 * ArangoDB allows in `_key` and Redis allows in keys.
 */

/** Order → its client order id (unique per account by construction: derived from the intent). */
export function orderKey(order: { clientOrderId: string }): string {
  return order.clientOrderId;
}

/**
 * Fill → venue + market + symbol + trade id. Binance trade ids are unique per symbol only, so the
 * symbol (and the market: Spot and UM number trades separately) belongs in the key.
 */
export function fillKey(fill: Pick<Fill, 'venue' | 'market' | 'symbol' | 'tradeId'>): string {
  return `${fill.venue}:${fill.market}:${fill.symbol}:${fill.tradeId}`;
}

/** Funding record → symbol + funding time (plus venue, so two venues never collide). */
export function fundingKey(rec: { venue?: string; symbol: string; funding_time: number }): string {
  return `${rec.venue ?? 'binance'}:${rec.symbol}:${rec.funding_time}`;
}

/** Instrument → venue + market + symbol. */
export function instrumentKey(inst: Pick<Instrument, 'venue' | 'market' | 'symbol'>): string {
  return `${inst.venue}:${inst.market}:${inst.symbol}`;
}

/** Position snapshot → venue + symbol + snapshot time. */
export function positionSnapshotKey(s: { venue: string; symbol: string; snapshot_ts: number }): string {
  return `${s.venue}:${s.symbol}:${s.snapshot_ts}`;
}
