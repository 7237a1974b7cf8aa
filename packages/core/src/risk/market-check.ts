import Big from 'big.js';
import type { MarketTick } from '../domain/market-data.js';
import type { MarketRiskConfig } from './risk-config.js';
import type { RiskRule } from './risk-rule.js';

/** What {@link assessMarket} looks at. */
export interface MarketCheckInput {
  /** Latest top-of-book tick of the symbol; absent when none has arrived. */
  tick: MarketTick | undefined;
  /** Current time (epoch ms, injected clock). */
  now: number;
  /** Reference price (decimal string: index, mark, or another venue's mid); absent skips the deviation check. */
  referencePrice: string | undefined;
  /** Price to compare with the reference when there is no tick (e.g. the order's limit price). */
  fallbackPrice: string | undefined;
  config: MarketRiskConfig;
}

/** One abnormal-market finding: the rule, a sentence, and `limit` / `observed` details. */
export interface MarketFinding {
  rule: Extract<RiskRule, 'STALE_MARKET' | 'BOOK_INVALID' | 'SPREAD_TOO_WIDE' | 'PRICE_DEVIATION'>;
  message: string;
  details: Record<string, unknown>;
}

/** The exact mid of a tick's top of book, `(bid + ask) / 2`, as a decimal string. */
export function exactMid(tick: Pick<MarketTick, 'bid' | 'ask'>): string {
  return new Big(tick.bid).plus(tick.ask).div(2).toFixed();
}

/** A ratio in bps, exact (for comparisons). */
function exactBps(ratio: Big): Big {
  return ratio.times(10_000);
}

/** A bps figure rounded for reports. */
function shown(v: Big): number {
  return Number(v.toFixed(4));
}

/**
 * Abnormal-market detection (SPEC §4): stale data, an invalid or too-wide book, a price far from
 * the reference. Pure. Checks run in that order and the first failure is returned; `undefined`
 * means the market looks normal. Staleness is judged on the local receive time, so venue clock
 * skew cannot make old data look fresh.
 */
export function assessMarket(input: MarketCheckInput): MarketFinding | undefined {
  const { tick, now, config } = input;
  let marketPrice: Big | undefined = input.fallbackPrice === undefined ? undefined : new Big(input.fallbackPrice);

  if (tick === undefined) {
    if (config.requireTick) {
      return { rule: 'STALE_MARKET', message: 'no market data for the symbol', details: { limit: config.maxStalenessMs, observed: 'no tick' } };
    }
  } else {
    const ageMs = now - tick.receiveTime;
    if (ageMs > config.maxStalenessMs) {
      return {
        rule: 'STALE_MARKET',
        message: `market data is ${ageMs} ms old (limit ${config.maxStalenessMs} ms)`,
        details: { limit: config.maxStalenessMs, observed: ageMs, receiveTime: tick.receiveTime },
      };
    }
    const bid = new Big(tick.bid);
    const ask = new Big(tick.ask);
    if (bid.lte(0) || ask.lte(0)) {
      return { rule: 'BOOK_INVALID', message: 'the book is one-sided', details: { reason: 'ONE_SIDED', bid: tick.bid, ask: tick.ask } };
    }
    if (bid.gt(ask)) {
      return { rule: 'BOOK_INVALID', message: `the book is crossed (bid ${tick.bid} > ask ${tick.ask})`, details: { reason: 'CROSSED', bid: tick.bid, ask: tick.ask } };
    }
    const mid = bid.plus(ask).div(2);
    const spread = exactBps(ask.minus(bid).div(mid));
    if (spread.gt(config.maxSpreadBps)) {
      const spreadBps = shown(spread);
      return {
        rule: 'SPREAD_TOO_WIDE',
        message: `spread ${spreadBps} bps is above the ${config.maxSpreadBps} bps limit`,
        details: { limit: config.maxSpreadBps, observed: spreadBps, bid: tick.bid, ask: tick.ask },
      };
    }
    marketPrice = mid;
  }

  if (input.referencePrice !== undefined && marketPrice !== undefined) {
    const ref = new Big(input.referencePrice);
    const deviation = exactBps(marketPrice.minus(ref).abs().div(ref));
    if (deviation.gt(config.maxDeviationBps)) {
      const deviationBps = shown(deviation);
      return {
        rule: 'PRICE_DEVIATION',
        message: `price ${marketPrice.toFixed()} deviates ${deviationBps} bps from the reference ${input.referencePrice} (limit ${config.maxDeviationBps} bps)`,
        details: { limit: config.maxDeviationBps, observed: deviationBps, price: marketPrice.toFixed(), referencePrice: input.referencePrice },
      };
    }
  }
  return undefined;
}
