import Big from 'big.js';
import { EventEmitter } from 'eventemitter3';
import { z } from 'zod';
import type { Clock } from '../clock/clock.js';
import { DecimalInput, PositiveDecimalInput } from '../domain/decimal.js';
import { Market, Side, Symbol } from '../domain/enums.js';
import { MarketTick } from '../domain/market-data.js';
import { parseWith } from '../domain/parse.js';
import { ValidationError, type RiskRejectedError } from '../errors.js';
import { noopLogger, type Logger } from '../logging/logger.js';
import type { EventSink } from '../sinks/event-sink.js';
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '../sinks/stream-keys.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { DailyLossTracker } from './daily-loss.js';
import { DegradedMode } from './degraded-mode.js';
import { exposureChange } from './exposure.js';
import { assessMarket, exactMid } from './market-check.js';
import { publishRiskAlert, type RiskAlert } from './risk-alert.js';
import { limitsFor, parseRiskConfig, type RiskConfig, type RiskConfigInput } from './risk-config.js';
import { riskRejection, type RiskRule } from './risk-rule.js';
import { RetryBudget } from './retry-budget.js';
import { assessSlippage, type SlippageAssessment } from './slippage.js';

/**
 * What the pre-trade gate needs to know about one order (validated at the call). Quantities are
 * base-asset decimal strings (JSON numbers accepted), prices decimal strings, times epoch ms.
 */
export const RiskCheckContext = z.strictObject({
  symbol: Symbol,
  market: Market,
  side: Side,
  /** Order quantity (base asset, > 0). */
  qty: PositiveDecimalInput,
  /** Reduce-only order: the venue caps it at the held quantity, so it can never flip the position. */
  reduceOnly: z.boolean().default(false),
  /** Limit price, or the arrival mid for a market order; values notional. Default: the tick's mid. */
  price: PositiveDecimalInput.optional(),
  /** Current signed position (FUT) or held base quantity (SPOT). Default `"0"`. */
  position: DecimalInput.default('0'),
  /** Latest top-of-book tick of `market`/`symbol`, with its local `receiveTime`. */
  tick: MarketTick.optional(),
  /** Reference price for the deviation check (index, mark, or another venue's mid). */
  referencePrice: PositiveDecimalInput.optional(),
  /** Measured |local − venue| clock skew in ms; absent skips the skew gate. */
  clockSkewMs: z.number().optional(),
  /** Degraded flag from the caller, OR-ed with the gate's own {@link DegradedMode}. Default false. */
  degraded: z.boolean().default(false),
  /** 0 for a first attempt; a retry (≥ 1) takes a token from the retry budget. Default 0. */
  attempt: z.number().int().min(0).default(0),
  /** Breaker and retry-budget key (a pair or strategy id). Default `MARKET:SYMBOL`. */
  key: z.string().min(1).optional(),
});
/** A validated risk-check context. */
export type RiskCheckContext = z.infer<typeof RiskCheckContext>;
/** What callers pass to {@link RiskGate.check}. */
export type RiskCheckInput = z.input<typeof RiskCheckContext>;

/** What the gate concluded about an order. */
export interface RiskDecision {
  /** Breaker and retry-budget key. */
  key: string;
  /** True when the order only shrinks |position|: entry-only gates were skipped. */
  reducing: boolean;
  /** Signed position before and after a complete fill (decimal strings). */
  positionBefore: string;
  positionAfter: string;
  /** Price used to value notional (decimal string), when one was available. */
  price: string | undefined;
  /** Order notional in USDT (qty · price), when a price was available. */
  orderNotionalUsdt: string | undefined;
}

/** The outcome of {@link RiskGate.evaluate}: the decision, and the rejection if a rule fired. */
export interface RiskVerdict {
  decision: RiskDecision;
  /** The first rule that fired, as the typed error {@link RiskGate.check} would throw. */
  rejection: RiskRejectedError | undefined;
}

/** Payload of the gate's `rejected` event. */
export interface RiskRejectedEvent {
  rule: RiskRule;
  key: string;
  market: Market;
  symbol: string;
  side: Side;
  qty: string;
  reducing: boolean;
  error: RiskRejectedError;
  ts: number;
}

/** Events of a {@link RiskGate}. No event is named `error` (DESIGN.md). */
export interface RiskGateEvents {
  /** An order was refused by {@link RiskGate.check}. */
  rejected: (event: RiskRejectedEvent) => void;
  /** An alert (breaker, degraded mode, market pause, daily loss), also published to the sink. */
  alert: (alert: RiskAlert) => void;
}

/** Options of a {@link RiskGate}. */
export interface RiskGateOptions {
  /** The time source for every time-based rule. */
  clock: Clock;
  /** Settings; defaults per {@link RiskConfig}. */
  config?: RiskConfigInput;
  /** Where alerts go (`alerts` stream). Default: none (alerts are only emitted as events). */
  sink?: EventSink;
  /** Stream key scheme. Default: the SPEC's. */
  keys?: StreamKeys;
  /** Logger (pino-compatible). Default: silent. */
  logger?: Logger;
  /** Shared degraded-mode holder (e.g. the system-wide one the connectors switch). Default: a new one. */
  degradedMode?: DegradedMode;
  /** Shared breaker; when given, `config.breaker` is ignored. Default: a new one from `config.breaker`. */
  breaker?: CircuitBreaker;
  /** Shared daily PnL tracker. Default: a new one. */
  dailyLoss?: DailyLossTracker;
  /** Shared retry budget; when given, `config.retryBudget` is ignored. Default: a new one. */
  retryBudget?: RetryBudget;
}

const MARKET_RULES: ReadonlySet<RiskRule> = new Set<RiskRule>(['STALE_MARKET', 'BOOK_INVALID', 'SPREAD_TOO_WIDE', 'PRICE_DEVIATION']);

/**
 * The pre-trade risk gate (SPEC §4). {@link RiskGate.check} runs the rules in this order and throws
 * the first that fires as a {@link RiskRejectedError} (code `RISK_REJECTED`, status 422,
 * `details.rule`, `details.limit`, `details.observed`):
 *
 * 1. entry-only gates, skipped for orders that shrink |position| (existing positions can always be
 *    managed): `DEGRADED_MODE`, `CLOCK_SKEW`, `STALE_MARKET` / `BOOK_INVALID` / `SPREAD_TOO_WIDE` /
 *    `PRICE_DEVIATION`, `CIRCUIT_OPEN`, `DAILY_LOSS`;
 * 2. size gates on every order: `MAX_ORDER` (quantity, then notional), `MAX_POSITION` (only when the
 *    order grows |position|);
 * 3. `RETRY_BUDGET` for retries (`attempt ≥ 1`).
 *
 * A passing order takes the half-open probe of its breaker (entries) and a retry token (retries).
 * The caller reports the venue outcome with {@link RiskGate.recordSuccess} /
 * {@link RiskGate.recordFailure} and realised PnL with {@link RiskGate.recordRealisedPnl}.
 * Post-trade slippage is judged by {@link RiskGate.checkSlippage}.
 */
export class RiskGate {
  /** Rejection and alert events. */
  readonly events = new EventEmitter<RiskGateEvents>();
  /** The parsed settings in force. */
  readonly config: RiskConfig;
  /** Per-key circuit breaker. */
  readonly breaker: CircuitBreaker;
  /** Degraded-mode holder. */
  readonly degradedMode: DegradedMode;
  /** Realised PnL of the UTC day. */
  readonly dailyLoss: DailyLossTracker;
  /** Per-key retry budget. */
  readonly retryBudget: RetryBudget;

  private readonly clock: Clock;
  private readonly sink: EventSink | undefined;
  private readonly keys: StreamKeys;
  private readonly logger: Logger;
  private readonly marketPaused = new Map<string, RiskRule>();
  private dailyLossAlertDay: number | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  /** @throws ValidationError when the settings are invalid. */
  constructor(options: RiskGateOptions) {
    this.clock = options.clock;
    this.config = parseRiskConfig(options.config ?? {});
    this.sink = options.sink;
    this.keys = options.keys ?? DEFAULT_STREAM_KEYS;
    this.logger = options.logger ?? noopLogger;
    this.breaker = options.breaker ?? new CircuitBreaker({ clock: this.clock, config: this.config.breaker });
    this.degradedMode = options.degradedMode ?? new DegradedMode(this.clock);
    this.dailyLoss = options.dailyLoss ?? new DailyLossTracker(this.clock);
    this.retryBudget = options.retryBudget ?? new RetryBudget({ clock: this.clock, config: this.config.retryBudget });

    const forward = (alert: RiskAlert): void => this.raise(alert);
    this.breaker.events.on('alert', forward);
    this.degradedMode.events.on('alert', forward);
    this.unsubscribe.push(
      () => this.breaker.events.off('alert', forward),
      () => this.degradedMode.events.off('alert', forward),
    );
  }

  /** The default breaker / retry key of a pair: `MARKET:SYMBOL`. */
  static keyOf(market: Market, symbol: string): string {
    return `${market}:${symbol}`;
  }

  /**
   * Runs every rule without taking anything (no half-open probe, no retry token, no rejection event
   * or market-pause alert) and reports the first rejection, if any. Useful for dry runs and previews.
   * The only state it may move is time-driven: a breaker whose cooldown ended is seen half-open.
   * @throws ValidationError when `input` is malformed or its tick is for another market/symbol.
   */
  evaluate(input: RiskCheckInput): RiskVerdict {
    return this.run(this.parse(input));
  }

  /**
   * The pre-trade check. On success it takes the breaker's half-open probe (entries) and a retry
   * token (retries) and returns the decision; otherwise it emits `rejected` and throws.
   * @throws RiskRejectedError (code `RISK_REJECTED`, 422) naming the rule that fired.
   * @throws ValidationError when `input` is malformed.
   */
  check(input: RiskCheckInput): RiskDecision {
    const ctx = this.parse(input);
    const { decision, rejection } = this.run(ctx);
    this.trackMarketPause(ctx, decision, rejection);
    if (rejection) {
      const rule = rejection.details.rule as RiskRule;
      if (rule === 'DAILY_LOSS') this.alertDailyLoss();
      this.logger.warn({ rule, key: decision.key, symbol: ctx.symbol, details: rejection.details }, 'risk rejected order');
      this.events.emit('rejected', {
        rule,
        key: decision.key,
        market: ctx.market,
        symbol: ctx.symbol,
        side: ctx.side,
        qty: ctx.qty,
        reducing: decision.reducing,
        error: rejection,
        ts: this.clock.now(),
      });
      throw rejection;
    }
    // Synchronous since `run`: nothing can have taken the probe or the tokens in between.
    if (!decision.reducing) this.breaker.acquire(decision.key);
    if (ctx.attempt > 0) this.retryBudget.tryConsume(decision.key);
    return decision;
  }

  /**
   * Post-trade slippage against the arrival mid, judged with `maxSlippageBps`. Pure: the caller
   * decides whether an excess rejects the next step (throw `rejection`) or only alerts.
   * @throws ValidationError when a price is not positive.
   */
  checkSlippage(arrivalMid: string | number, avgPrice: string | number, side: Side): SlippageAssessment {
    return assessSlippage(arrivalMid, avgPrice, side, this.config.maxSlippageBps);
  }

  /** Reports a successful venue call for `key` to the breaker. */
  recordSuccess(key: string): void {
    this.breaker.recordSuccess(key);
  }

  /**
   * Reports a failed venue call for `key` to the breaker (may open it and alert).
   * @param failure - a short, secret-free description such as an error code.
   */
  recordFailure(key: string, failure?: string): void {
    this.breaker.recordFailure(key, failure);
  }

  /**
   * Adds realised PnL (USDT, signed decimal string) to today's total; raises a `DAILY_LOSS_LIMIT`
   * alert the first time in a UTC day the loss reaches the limit.
   * @returns today's realised PnL.
   * @throws ValidationError when `pnlUsdt` is not a decimal string.
   */
  recordRealisedPnl(pnlUsdt: string): string {
    const total = this.dailyLoss.record(pnlUsdt);
    if (this.dailyLoss.limitReached(this.config.dailyLossLimitUsdt)) this.alertDailyLoss();
    return total;
  }

  /** Detaches the gate from shared components' events. The gate stays usable without alerts forwarded. */
  dispose(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private parse(input: RiskCheckInput): RiskCheckContext {
    const ctx = parseWith(RiskCheckContext, input, 'risk check context');
    if (ctx.tick && (ctx.tick.symbol !== ctx.symbol || ctx.tick.market !== ctx.market)) {
      throw new ValidationError(`tick is for ${ctx.tick.market}:${ctx.tick.symbol}, not ${ctx.market}:${ctx.symbol}`, [
        { path: 'tick.symbol', message: 'tick must be for the order\'s market and symbol' },
      ]);
    }
    return ctx;
  }

  private run(ctx: RiskCheckContext): RiskVerdict {
    const key = ctx.key ?? RiskGate.keyOf(ctx.market, ctx.symbol);
    const exposure = exposureChange(ctx.position, ctx.side, ctx.qty, ctx.reduceOnly);
    const price = ctx.price ?? (ctx.tick ? exactMid(ctx.tick) : undefined) ?? ctx.referencePrice;
    const decision: RiskDecision = {
      key,
      reducing: exposure.reducing,
      positionBefore: exposure.before,
      positionAfter: exposure.after,
      price,
      orderNotionalUsdt: price === undefined ? undefined : new Big(ctx.qty).times(price).toFixed(),
    };
    const base = { key, market: ctx.market, symbol: ctx.symbol, side: ctx.side, qty: ctx.qty };
    const reject = (rule: RiskRule, message: string, details: Record<string, unknown>): RiskVerdict => ({
      decision,
      rejection: riskRejection(rule, `${ctx.market}:${ctx.symbol}: ${message}`, { ...base, ...details }),
    });

    if (!exposure.reducing) {
      const degraded = ctx.degraded || this.degradedMode.isActive;
      if (degraded) {
        return reject('DEGRADED_MODE', 'degraded mode: only orders that reduce a position pass', {
          limit: 'reducing orders only',
          observed: 'order adds exposure',
          reasons: ctx.degraded ? ['caller', ...this.degradedMode.reasons] : this.degradedMode.reasons,
        });
      }
      const skew = ctx.clockSkewMs;
      if (skew !== undefined && Math.abs(skew) > this.config.skew.blockAboveMs) {
        return reject('CLOCK_SKEW', `clock skew ${Math.abs(skew)} ms is above ${this.config.skew.blockAboveMs} ms`, {
          limit: this.config.skew.blockAboveMs,
          observed: Math.abs(skew),
        });
      }
      const finding = assessMarket({
        tick: ctx.tick,
        now: this.clock.now(),
        referencePrice: ctx.referencePrice,
        fallbackPrice: ctx.price,
        config: this.config.market,
      });
      if (finding) return reject(finding.rule, finding.message, finding.details);
      if (!this.breaker.canPass(key)) {
        const err = this.breaker.rejection(key);
        return reject('CIRCUIT_OPEN', err.shortMessage, err.details);
      }
      const limit = this.config.dailyLossLimitUsdt;
      if (this.dailyLoss.limitReached(limit)) {
        return reject('DAILY_LOSS', `today's realised loss ${this.dailyLoss.loss()} USDT reached the ${limit} USDT limit`, {
          limit,
          observed: this.dailyLoss.loss(),
          dayStart: this.dailyLoss.dayStart(),
        });
      }
    }

    const limits = limitsFor(this.config.limits, ctx.market, ctx.symbol);
    if (limits.maxOrderQty !== undefined && new Big(ctx.qty).gt(limits.maxOrderQty)) {
      return reject('MAX_ORDER', `order qty ${ctx.qty} is above the ${limits.maxOrderQty} cap`, {
        limit: limits.maxOrderQty,
        observed: ctx.qty,
        unit: 'base',
      });
    }
    if (limits.maxOrderNotionalUsdt !== undefined) {
      if (decision.orderNotionalUsdt === undefined) {
        return reject('MAX_ORDER', 'no price to value the order against its notional cap', {
          limit: limits.maxOrderNotionalUsdt,
          observed: 'no price',
          unit: 'USDT',
        });
      }
      if (new Big(decision.orderNotionalUsdt).gt(limits.maxOrderNotionalUsdt)) {
        return reject('MAX_ORDER', `order notional ${decision.orderNotionalUsdt} USDT is above the ${limits.maxOrderNotionalUsdt} USDT cap`, {
          limit: limits.maxOrderNotionalUsdt,
          observed: decision.orderNotionalUsdt,
          unit: 'USDT',
        });
      }
    }

    if (exposure.increasing) {
      const after = new Big(exposure.after).abs();
      if (limits.maxPositionQty !== undefined && after.gt(limits.maxPositionQty)) {
        return reject('MAX_POSITION', `position would grow to ${after.toFixed()}, above the ${limits.maxPositionQty} cap`, {
          limit: limits.maxPositionQty,
          observed: after.toFixed(),
          positionBefore: exposure.before,
          unit: 'base',
        });
      }
      if (limits.maxPositionNotionalUsdt !== undefined) {
        if (price === undefined) {
          return reject('MAX_POSITION', 'no price to value the position against its notional cap', {
            limit: limits.maxPositionNotionalUsdt,
            observed: 'no price',
            unit: 'USDT',
          });
        }
        const notional = after.times(price);
        if (notional.gt(limits.maxPositionNotionalUsdt)) {
          return reject('MAX_POSITION', `position notional would grow to ${notional.toFixed()} USDT, above the ${limits.maxPositionNotionalUsdt} USDT cap`, {
            limit: limits.maxPositionNotionalUsdt,
            observed: notional.toFixed(),
            positionBefore: exposure.before,
            unit: 'USDT',
          });
        }
      }
    }

    if (ctx.attempt > 0 && this.retryBudget.available(key) < 1 - 1e-9) {
      return reject('RETRY_BUDGET', `retry budget exhausted (attempt ${ctx.attempt})`, {
        limit: this.retryBudget.config.perMinute,
        observed: 'no token',
        attempt: ctx.attempt,
        retryAfterMs: this.retryBudget.msUntilAvailable(key),
      });
    }
    return { decision, rejection: undefined };
  }

  /** Alerts once when a pair's entries get paused by abnormal market data, and once when they resume. */
  private trackMarketPause(ctx: RiskCheckContext, decision: RiskDecision, rejection: RiskRejectedError | undefined): void {
    if (decision.reducing) return;
    const rule = rejection?.details.rule as RiskRule | undefined;
    const key = decision.key;
    const paused = this.marketPaused.get(key);
    if (rule !== undefined && MARKET_RULES.has(rule)) {
      if (paused === rule) return;
      this.marketPaused.set(key, rule);
      this.raise({
        level: 'WARN',
        code: 'MARKET_PAUSED',
        message: `entries on ${ctx.market}:${ctx.symbol} paused: ${rejection!.shortMessage}`,
        details: { ...rejection!.details },
        ts: this.clock.now(),
      });
      return;
    }
    // Only a check that got past the market rules proves the market is normal again.
    const pastMarketRules = rule === undefined || !['DEGRADED_MODE', 'CLOCK_SKEW'].includes(rule);
    if (paused !== undefined && pastMarketRules) {
      this.marketPaused.delete(key);
      this.raise({
        level: 'INFO',
        code: 'MARKET_RESUMED',
        message: `entries on ${ctx.market}:${ctx.symbol} resume: market data is normal again`,
        details: { key, previousRule: paused },
        ts: this.clock.now(),
      });
    }
  }

  private alertDailyLoss(): void {
    const day = this.dailyLoss.dayStart();
    if (this.dailyLossAlertDay === day) return;
    this.dailyLossAlertDay = day;
    this.raise({
      level: 'ERROR',
      code: 'DAILY_LOSS_LIMIT',
      message: `daily loss limit reached: ${this.dailyLoss.loss()} USDT lost today (limit ${this.config.dailyLossLimitUsdt} USDT); new entries stop until 00:00 UTC`,
      details: { limit: this.config.dailyLossLimitUsdt, observed: this.dailyLoss.loss(), dayStart: day },
      ts: this.clock.now(),
    });
  }

  private raise(alert: RiskAlert): void {
    this.logger[alert.level === 'INFO' ? 'info' : alert.level === 'WARN' ? 'warn' : 'error']({ alert }, alert.message);
    if (this.sink) publishRiskAlert(this.sink, alert, this.keys);
    this.events.emit('alert', alert);
  }
}
