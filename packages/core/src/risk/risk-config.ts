import { z } from 'zod';
import { PositiveDecimalInput } from '../domain/decimal.js';
import { parseWith } from '../domain/parse.js';

/**
 * Size limits for one symbol (or the default for every symbol). Every field is optional: an absent
 * cap is not checked. Quantities are base-asset quantities (never multiplied by leverage); notional
 * values are USDT. All are decimal strings after parsing (JSON numbers are accepted as input).
 */
export const SymbolRiskLimits = z.strictObject({
  /** Largest quantity one order may have (base asset). Applies to every order, reducing or not. */
  maxOrderQty: PositiveDecimalInput.optional(),
  /** Largest notional one order may have (USDT, qty · price). Applies to every order. */
  maxOrderNotionalUsdt: PositiveDecimalInput.optional(),
  /** Largest |position| an order may create (base asset). Orders that shrink |position| always pass. */
  maxPositionQty: PositiveDecimalInput.optional(),
  /** Largest |position| · price an order may create (USDT). Orders that shrink |position| always pass. */
  maxPositionNotionalUsdt: PositiveDecimalInput.optional(),
});
/** Size limits for one symbol. */
export type SymbolRiskLimits = z.infer<typeof SymbolRiskLimits>;

/** A key of {@link RiskLimits.symbols}: `BTCUSDT` (both markets) or `FUT:BTCUSDT` / `SPOT:BTCUSDT`. */
const LimitKey = z.string().regex(/^((SPOT|FUT):)?[A-Z0-9]{3,}$/, 'expected "SYMBOL" or "MARKET:SYMBOL", e.g. "FUT:BTCUSDT"');

/**
 * Per-order and per-position size limits. A symbol's effective limits are, field by field, the
 * first defined of `symbols["MARKET:SYMBOL"]`, `symbols["SYMBOL"]`, `default`.
 */
export const RiskLimits = z.strictObject({
  /** Limits for symbols without their own entry. Default: none (no size cap). */
  default: SymbolRiskLimits.prefault({}),
  /** Per-symbol overrides, keyed `SYMBOL` or `MARKET:SYMBOL`. Default: none. */
  symbols: z.record(LimitKey, SymbolRiskLimits).prefault({}),
});
/** Per-order and per-position size limits. */
export type RiskLimits = z.infer<typeof RiskLimits>;

/**
 * Circuit breaker settings (per key, usually a pair `MARKET:SYMBOL` or a strategy id). The breaker
 * opens after `consecutiveFailures` failures in a row, or when at least `minCalls` outcomes are in
 * the window and the failure share reaches `errorRate`; it stays open for `cooldownMs`, then lets
 * one probe through (half-open).
 */
export const BreakerConfig = z.strictObject({
  /** Failures in a row that open the breaker. Default 3. */
  consecutiveFailures: z.number().int().min(1).default(3),
  /** Failure share (0–1) of the window that opens the breaker (`failures / calls >= errorRate`). Default 0.5. */
  errorRate: z.number().gt(0).max(1).default(0.5),
  /** Outcomes kept in the error-rate window (calls). Default 20. */
  window: z.number().int().min(1).max(10_000).default(20),
  /** Optional age limit of the window in ms: older outcomes are dropped. Default: none (count only). */
  windowMs: z.number().int().positive().optional(),
  /** Outcomes the window needs before the error rate is judged. Default 10 (capped at `window`). */
  minCalls: z.number().int().min(1).default(10),
  /** How long an open breaker blocks new entries before the half-open probe (ms). Default 30 000. */
  cooldownMs: z.number().int().min(0).default(30_000),
  /**
   * How long a half-open probe may stay unanswered before another probe is allowed (ms), so a probe
   * that was never sent cannot wedge the pair. Default: `cooldownMs`.
   */
  probeTimeoutMs: z.number().int().positive().optional(),
});
/** Circuit breaker settings. */
export type BreakerConfig = z.infer<typeof BreakerConfig>;

/** Abnormal-market detection: any failing check pauses new entries on the symbol. */
export const MarketRiskConfig = z.strictObject({
  /** Oldest tick (local receive time) an entry may rely on (ms). Default 5 000. */
  maxStalenessMs: z.number().int().min(0).default(5_000),
  /** Widest spread an entry may face (bps of mid). Default 50. */
  maxSpreadBps: z.number().nonnegative().default(50),
  /** Largest deviation of the market mid from the reference price (bps of the reference). Default 200. */
  maxDeviationBps: z.number().nonnegative().default(200),
  /** Whether an entry without any tick is refused as stale. Default true (no data is the stalest data). */
  requireTick: z.boolean().default(true),
});
/** Abnormal-market detection settings. */
export type MarketRiskConfig = z.infer<typeof MarketRiskConfig>;

/** Clock-skew gate (SPEC §1.2: skew over 1 s blocks new entries). */
export const SkewConfig = z.strictObject({
  /** |local − venue| above this many ms blocks new entries. Default 1 000. */
  blockAboveMs: z.number().int().min(0).default(1_000),
});
/** Clock-skew gate settings. */
export type SkewConfig = z.infer<typeof SkewConfig>;

/** Retry budget: a token bucket per key; each retry takes one token. */
export const RetryBudgetConfig = z.strictObject({
  /** Tokens added per minute. Default 30. */
  perMinute: z.number().positive().default(30),
  /** Bucket size (the most retries in a burst). Default: `perMinute`. */
  burst: z.number().int().min(1).optional(),
});
/** Retry budget settings. */
export type RetryBudgetConfig = z.infer<typeof RetryBudgetConfig>;

/**
 * Risk settings (SPEC §4). Parse with {@link parseRiskConfig}; `parseRiskConfig({})` yields every
 * default. Units: bps are basis points of a price (1 bps = 0.01 %), durations are ms, amounts USDT
 * as decimal strings.
 */
export const RiskConfig = z.strictObject({
  /** Post-trade slippage threshold: adverse bps of avg fill price against the arrival mid. Default 50. */
  maxSlippageBps: z.number().nonnegative().default(50),
  /** Per-order and per-position size limits. Default: no caps. */
  limits: RiskLimits.prefault({}),
  /** Realised loss per UTC day (USDT, positive) that stops new entries. Default: none (unlimited). */
  dailyLossLimitUsdt: PositiveDecimalInput.optional(),
  /** Circuit breaker. */
  breaker: BreakerConfig.prefault({}),
  /** Abnormal-market pause. */
  market: MarketRiskConfig.prefault({}),
  /** Clock-skew gate. */
  skew: SkewConfig.prefault({}),
  /** Retry budget. */
  retryBudget: RetryBudgetConfig.prefault({}),
});
/** Parsed risk settings (every default filled in). */
export type RiskConfig = z.infer<typeof RiskConfig>;
/** What callers may pass as risk settings (every field optional, numbers allowed for amounts). */
export type RiskConfigInput = z.input<typeof RiskConfig>;

/**
 * Parses risk settings, filling in the documented defaults.
 *
 * @param input - settings as given by the host; `undefined` means all defaults.
 * @throws ValidationError (status 400) naming every invalid field.
 */
export function parseRiskConfig(input: unknown = {}): RiskConfig {
  return parseWith(RiskConfig, input, 'risk config');
}

/**
 * The effective size limits of one symbol in one market: field by field, `MARKET:SYMBOL` over
 * `SYMBOL` over `default`.
 */
export function limitsFor(limits: RiskLimits, market: string, symbol: string): SymbolRiskLimits {
  const specific = limits.symbols[`${market}:${symbol}`] ?? {};
  const bySymbol = limits.symbols[symbol] ?? {};
  const pick = <K extends keyof SymbolRiskLimits>(k: K): SymbolRiskLimits[K] => specific[k] ?? bySymbol[k] ?? limits.default[k];
  return {
    maxOrderQty: pick('maxOrderQty'),
    maxOrderNotionalUsdt: pick('maxOrderNotionalUsdt'),
    maxPositionQty: pick('maxPositionQty'),
    maxPositionNotionalUsdt: pick('maxPositionNotionalUsdt'),
  };
}
