import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { RiskRejectedError, ValidationError } from '../errors.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { UTC_DAY_MS } from './daily-loss.js';
import type { RiskConfigInput } from './risk-config.js';
import { RiskGate, type RiskCheckInput, type RiskRejectedEvent } from './risk-gate.js';
import { ENTRY_ONLY_RULES, isRiskRejection, type RiskRule } from './risk-rule.js';
import { sampleTick } from './test-ticks.test-data.js';

const KEY = 'FUT:BTCUSDT';

const CONFIG: RiskConfigInput = {
  maxSlippageBps: 20,
  dailyLossLimitUsdt: '100',
  limits: {
    default: { maxOrderQty: '1', maxOrderNotionalUsdt: '70000', maxPositionQty: '2', maxPositionNotionalUsdt: '200000' },
  },
  breaker: { consecutiveFailures: 3, cooldownMs: 10_000 },
  market: { maxStalenessMs: 5_000, maxSpreadBps: 10, maxDeviationBps: 100 },
  skew: { blockAboveMs: 1_000 },
  retryBudget: { perMinute: 2, burst: 2 },
};

function setup(config: RiskConfigInput = CONFIG) {
  const clock = new FakeClock();
  const sink = new MemoryEventSink();
  const gate = new RiskGate({ clock, config, sink });
  const rejected: RiskRejectedEvent[] = [];
  gate.events.on('rejected', (e) => rejected.push(e));
  /** A normal FUT BTCUSDT entry: flat, buying 0.5 at ~65 000 on a fresh tight book. */
  const entry = (over: Partial<RiskCheckInput> = {}): RiskCheckInput => ({
    symbol: 'BTCUSDT',
    market: 'FUT',
    side: 'BUY',
    qty: '0.5',
    position: '0',
    tick: sampleTick(clock.now()),
    referencePrice: '65010',
    clockSkewMs: 20,
    ...over,
  });
  const alerts = () => sink.payloads('alerts');
  return { clock, sink, gate, rejected, entry, alerts };
}

/** Runs `gate.check` and returns the typed rejection, failing the test if none was thrown. */
function rejectionOf(gate: RiskGate, input: RiskCheckInput): RiskRejectedError {
  try {
    gate.check(input);
  } catch (err) {
    expect(err).toBeInstanceOf(RiskRejectedError);
    return err as RiskRejectedError;
  }
  throw new Error('expected a risk rejection');
}

function expectRule(err: RiskRejectedError, rule: RiskRule, details: Record<string, unknown> = {}): void {
  expect(err.code).toBe('RISK_REJECTED');
  expect(err.status).toBe(422);
  expect(err.retryable).toBe(false);
  expect(err.details).toMatchObject({ rule, ...details });
  expect(err.message).toContain('FUT:BTCUSDT');
}

describe('RiskGate.check — passing orders', () => {
  it('passes a normal entry and reports its decision', () => {
    const { gate, entry, rejected } = setup();
    expect(gate.check(entry())).toEqual({
      key: KEY,
      reducing: false,
      positionBefore: '0',
      positionAfter: '0.5',
      price: '65000',
      orderNotionalUsdt: '32500',
    });
    expect(rejected).toEqual([]);
  });

  it('values notional at the given price over the tick mid', () => {
    const { gate, entry } = setup();
    expect(gate.check(entry({ price: '64000' })).orderNotionalUsdt).toBe('32000');
  });

  it('accepts JSON numbers for quantities and a custom key', () => {
    const { gate, entry } = setup();
    expect(gate.check(entry({ qty: 0.0012, position: -0.5, key: 'strategy-7' }))).toMatchObject({ key: 'strategy-7', positionAfter: '-0.4988', reducing: true });
  });
});

describe('RiskGate.check — every rule fires with its rule and 422', () => {
  it('DEGRADED_MODE from the gate’s holder or the caller’s flag', () => {
    const { gate, entry } = setup();
    gate.degradedMode.enter('binance ws FATAL');
    expectRule(rejectionOf(gate, entry()), 'DEGRADED_MODE', { reasons: ['binance ws FATAL'] });
    gate.degradedMode.exit();
    expect(() => gate.check(entry())).not.toThrow();
    expectRule(rejectionOf(gate, entry({ degraded: true })), 'DEGRADED_MODE');
  });

  it('CLOCK_SKEW above blockAboveMs, either sign; exactly at the limit passes', () => {
    const { gate, entry } = setup();
    expect(() => gate.check(entry({ clockSkewMs: 1_000 }))).not.toThrow();
    expectRule(rejectionOf(gate, entry({ clockSkewMs: 1_001 })), 'CLOCK_SKEW', { limit: 1_000, observed: 1_001 });
    expectRule(rejectionOf(gate, entry({ clockSkewMs: -1_500 })), 'CLOCK_SKEW', { observed: 1_500 });
  });

  it('STALE_MARKET, BOOK_INVALID, SPREAD_TOO_WIDE, PRICE_DEVIATION', () => {
    const { gate, entry, clock } = setup();
    expectRule(rejectionOf(gate, entry({ tick: sampleTick(clock.now() - 5_001) })), 'STALE_MARKET', { limit: 5_000, observed: 5_001 });
    expectRule(rejectionOf(gate, entry({ tick: undefined })), 'STALE_MARKET', { observed: 'no tick' });
    expectRule(rejectionOf(gate, entry({ tick: sampleTick(clock.now(), { bid: '65001', ask: '65000' }) })), 'BOOK_INVALID', { reason: 'CROSSED' });
    expectRule(rejectionOf(gate, entry({ tick: sampleTick(clock.now(), { bid: '64900', ask: '65100' }) })), 'SPREAD_TOO_WIDE', { limit: 10 });
    expectRule(rejectionOf(gate, entry({ referencePrice: '66000' })), 'PRICE_DEVIATION', { limit: 100, referencePrice: '66000' });
  });

  it('CIRCUIT_OPEN after consecutive failures on the pair; other pairs are unaffected', () => {
    const { gate, entry } = setup();
    for (let i = 0; i < 3; i++) gate.recordFailure(KEY, 'VENUE_ERROR');
    expectRule(rejectionOf(gate, entry()), 'CIRCUIT_OPEN', { key: KEY, state: 'open', retryAfterMs: 10_000 });
    expect(() => gate.check(entry({ key: 'FUT:ETHUSDT' }))).not.toThrow();
  });

  it('DAILY_LOSS once today’s realised loss reaches the limit, until 00:00 UTC', () => {
    const { gate, entry, clock } = setup();
    clock.advance(23 * 3_600_000);
    gate.recordRealisedPnl('-60');
    expect(() => gate.check(entry({ tick: sampleTick(clock.now()) }))).not.toThrow();
    gate.recordRealisedPnl('-40.00');
    expectRule(rejectionOf(gate, entry({ tick: sampleTick(clock.now()) })), 'DAILY_LOSS', { limit: '100', observed: '100' });
    clock.setTime(new FakeClock().now() + UTC_DAY_MS); // next UTC midnight
    expect(() => gate.check(entry({ tick: sampleTick(clock.now()) }))).not.toThrow();
  });

  it('MAX_ORDER on quantity, on notional, and when notional cannot be valued', () => {
    const { gate, entry } = setup();
    expect(() => gate.check(entry({ qty: '1' }))).not.toThrow();
    expectRule(rejectionOf(gate, entry({ qty: '1.001' })), 'MAX_ORDER', { limit: '1', observed: '1.001', unit: 'base' });
    expectRule(rejectionOf(gate, entry({ qty: '0.9', price: '80000' })), 'MAX_ORDER', { limit: '70000', observed: '72000', unit: 'USDT' });
    const noTick = setup({ ...CONFIG, market: { requireTick: false } });
    expectRule(rejectionOf(noTick.gate, noTick.entry({ tick: undefined, referencePrice: undefined })), 'MAX_ORDER', { observed: 'no price' });
  });

  it('MAX_POSITION when the order grows |position| above the quantity or notional cap', () => {
    const { gate, entry } = setup();
    expect(() => gate.check(entry({ position: '1.5' }))).not.toThrow();
    expectRule(rejectionOf(gate, entry({ position: '1.6' })), 'MAX_POSITION', { limit: '2', observed: '2.1', positionBefore: '1.6' });
    expectRule(rejectionOf(gate, entry({ position: '-1.6', side: 'SELL' })), 'MAX_POSITION', { observed: '2.1' });
    const notional = setup({ ...CONFIG, limits: { default: { maxPositionNotionalUsdt: '100000' } } });
    expectRule(rejectionOf(notional.gate, notional.entry({ position: '1.2', qty: '0.5' })), 'MAX_POSITION', {
      limit: '100000',
      observed: '110500',
      unit: 'USDT',
    });
  });

  it('per-symbol limits override the default', () => {
    const { gate, entry } = setup({ ...CONFIG, limits: { default: { maxOrderQty: '1' }, symbols: { 'FUT:BTCUSDT': { maxOrderQty: '0.1' } } } });
    expectRule(rejectionOf(gate, entry({ qty: '0.2' })), 'MAX_ORDER', { limit: '0.1' });
  });

  it('RETRY_BUDGET when a retry finds the bucket empty; first attempts never spend it', () => {
    const { gate, entry, clock } = setup();
    for (let i = 0; i < 5; i++) gate.check(entry());
    gate.check(entry({ attempt: 1 }));
    gate.check(entry({ attempt: 2 }));
    expectRule(rejectionOf(gate, entry({ attempt: 3 })), 'RETRY_BUDGET', { limit: 2, attempt: 3, retryAfterMs: 30_000 });
    clock.advance(30_000);
    expect(() => gate.check(entry({ attempt: 3, tick: sampleTick(clock.now()) }))).not.toThrow();
  });

  it('emits `rejected` with the rule and the error', () => {
    const { gate, entry, rejected, clock } = setup();
    const err = rejectionOf(gate, entry({ clockSkewMs: 5_000 }));
    expect(rejected).toEqual([
      { rule: 'CLOCK_SKEW', key: KEY, market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', qty: '0.5', reducing: false, error: err, ts: clock.now() },
    ]);
    expect(isRiskRejection(err, 'CLOCK_SKEW')).toBe(true);
    expect(isRiskRejection(err, 'MAX_ORDER')).toBe(false);
    expect(isRiskRejection(new Error('x'))).toBe(false);
  });

  it('checks entry-only gates in a fixed order: degraded, skew, market, breaker, daily loss, then size', () => {
    const { gate, entry, clock } = setup();
    for (let i = 0; i < 3; i++) gate.recordFailure(KEY);
    gate.recordRealisedPnl('-500');
    const bad = { qty: '5', clockSkewMs: 2_000, tick: sampleTick(clock.now() - 10_000) };
    gate.degradedMode.enter('x');
    expect(rejectionOf(gate, entry(bad)).details.rule).toBe('DEGRADED_MODE');
    gate.degradedMode.exit();
    expect(rejectionOf(gate, entry(bad)).details.rule).toBe('CLOCK_SKEW');
    expect(rejectionOf(gate, entry({ ...bad, clockSkewMs: 0 })).details.rule).toBe('STALE_MARKET');
    expect(rejectionOf(gate, entry({ ...bad, clockSkewMs: 0, tick: sampleTick(clock.now()) })).details.rule).toBe('CIRCUIT_OPEN');
    gate.breaker.reset(KEY);
    expect(rejectionOf(gate, entry({ ...bad, clockSkewMs: 0, tick: sampleTick(clock.now()) })).details.rule).toBe('DAILY_LOSS');
  });
});

describe('RiskGate — reducing orders', () => {
  it('pass every entry-only gate at once (existing positions can still be managed)', () => {
    const { gate, entry, clock } = setup();
    gate.degradedMode.enter('ws FATAL');
    for (let i = 0; i < 3; i++) gate.recordFailure(KEY);
    gate.recordRealisedPnl('-1000');
    const hostile = { clockSkewMs: 9_000, tick: sampleTick(clock.now() - 60_000, { bid: '60000', ask: '70000' }), referencePrice: '10000' };
    expect(gate.check(entry({ ...hostile, position: '1.5', side: 'SELL', qty: '1' }))).toMatchObject({ reducing: true, positionAfter: '0.5' });
    expect(gate.check(entry({ ...hostile, position: '-0.7', side: 'BUY', qty: '0.7' }))).toMatchObject({ reducing: true, positionAfter: '0' });
    expect(gate.check(entry({ ...hostile, tick: undefined, position: '0.3', side: 'SELL', qty: '0.9', reduceOnly: true }))).toMatchObject({
      reducing: true,
      positionAfter: '0',
    });
    // The same hostile conditions stop an entry, and an order that flips the position is an entry.
    expectRule(rejectionOf(gate, entry({ ...hostile, position: '0.3', side: 'SELL', qty: '0.9' })), 'DEGRADED_MODE');
  });

  it('still obey MAX_ORDER (a fat-finger guard applies to every order: slice large exits)', () => {
    const { gate, entry } = setup();
    expectRule(rejectionOf(gate, entry({ position: '3', side: 'SELL', qty: '2' })), 'MAX_ORDER');
  });

  it('are never stopped by MAX_POSITION, even when already above the cap', () => {
    const { gate, entry } = setup();
    expect(gate.check(entry({ position: '5', side: 'SELL', qty: '1' })).positionAfter).toBe('4');
  });

  it('do not take the half-open probe', () => {
    const { gate, entry, clock } = setup();
    for (let i = 0; i < 3; i++) gate.recordFailure(KEY);
    clock.advance(10_000);
    const tick = sampleTick(clock.now());
    gate.check(entry({ tick, position: '1', side: 'SELL', qty: '1' }));
    gate.check(entry({ tick })); // the probe
    expectRule(rejectionOf(gate, entry({ tick })), 'CIRCUIT_OPEN', { state: 'half_open' });
    gate.recordSuccess(KEY);
    expect(() => gate.check(entry({ tick }))).not.toThrow();
  });
});

describe('RiskGate.evaluate', () => {
  it('reports without taking the probe or a retry token', () => {
    const { gate, entry, clock } = setup();
    for (let i = 0; i < 3; i++) gate.recordFailure(KEY);
    clock.advance(10_000);
    const e = entry({ tick: sampleTick(clock.now()), attempt: 1 });
    for (let i = 0; i < 5; i++) expect(gate.evaluate(e).rejection).toBeUndefined();
    expect(gate.retryBudget.available(KEY)).toBe(2);
    gate.check(e);
    expect(gate.evaluate(e).rejection?.details.rule).toBe('CIRCUIT_OPEN');
    expect(gate.retryBudget.available(KEY)).toBe(1);
  });
});

describe('RiskGate — validation', () => {
  it.each([
    [{ qty: '-1' }, 'qty'],
    [{ qty: '0' }, 'qty'],
    [{ symbol: 'btcusdt' }, 'symbol'],
    [{ clockSkewMs: Number.NaN }, 'clockSkewMs'],
    [{ reduce_only: true }, '(root)'],
  ])('rejects %j with a ValidationError naming %s', (over, path) => {
    const { gate, entry } = setup();
    let caught: unknown;
    try {
      gate.check(entry(over as Partial<RiskCheckInput>));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues.map((i) => i.path)).toContain(path);
  });

  it('rejects a tick for another symbol', () => {
    const { gate, entry, clock } = setup();
    expect(() => gate.check(entry({ tick: sampleTick(clock.now(), { symbol: 'ETHUSDT' }) }))).toThrow(ValidationError);
  });
});

describe('RiskGate — alerts', () => {
  it('publishes breaker and degraded-mode transitions to the alerts stream', () => {
    const { gate, alerts } = setup();
    for (let i = 0; i < 3; i++) gate.recordFailure(KEY, 'UNKNOWN_OUTCOME');
    gate.degradedMode.enter('ws FATAL');
    gate.degradedMode.exit();
    expect(alerts().map((a) => [a.level, a.code, a.source])).toEqual([
      ['ERROR', 'CIRCUIT_OPEN', 'risk'],
      ['ERROR', 'DEGRADED_MODE', 'risk'],
      ['INFO', 'DEGRADED_MODE_EXITED', 'risk'],
    ]);
    expect(alerts()[0]).toMatchObject({ details: { key: KEY, reason: 'CONSECUTIVE_FAILURES', lastFailure: 'UNKNOWN_OUTCOME' } });
  });

  it('alerts once when a market pause starts and once when it ends', () => {
    const { gate, entry, alerts, clock } = setup();
    const stale = sampleTick(clock.now() - 6_000);
    for (let i = 0; i < 3; i++) expect(() => gate.check(entry({ tick: stale }))).toThrow(RiskRejectedError);
    expect(() => gate.check(entry({ tick: stale, position: '1', side: 'SELL' }))).not.toThrow();
    gate.check(entry());
    gate.check(entry());
    expect(alerts().map((a) => [a.level, a.code])).toEqual([
      ['WARN', 'MARKET_PAUSED'],
      ['INFO', 'MARKET_RESUMED'],
    ]);
    expect(alerts()[0]).toMatchObject({ details: { rule: 'STALE_MARKET', key: KEY } });
  });

  it('alerts once per UTC day when the daily loss limit is reached', () => {
    const { gate, entry, alerts, clock } = setup();
    gate.recordRealisedPnl('-150');
    expect(() => gate.check(entry())).toThrow(RiskRejectedError);
    gate.recordRealisedPnl('-1');
    clock.advance(UTC_DAY_MS);
    gate.recordRealisedPnl('-100');
    expect(alerts().filter((a) => a.code === 'DAILY_LOSS_LIMIT').map((a) => (a.details as { observed: string }).observed)).toEqual(['150', '100']);
  });

  it('dispose() stops forwarding shared components’ alerts', () => {
    const { gate, alerts } = setup();
    gate.dispose();
    gate.degradedMode.enter('x');
    expect(alerts()).toEqual([]);
  });
});

describe('RiskGate.checkSlippage', () => {
  it('judges against maxSlippageBps and leaves the decision to the caller', () => {
    const { gate } = setup();
    expect(gate.checkSlippage('65000', '65100', 'BUY')).toMatchObject({ exceeded: false, limitBps: 20 });
    const bad = gate.checkSlippage('65000', '65200', 'BUY');
    expect(bad.exceeded).toBe(true);
    expect(bad.rejection?.details).toMatchObject({ rule: 'SLIPPAGE', limit: 20 });
  });
});

// ---- properties --------------------------------------------------------------------------------

/** Decimal strings with up to 3 decimals, from integers (never floats). */
const units = (min: number, max: number) => fc.integer({ min, max }).map((u) => new Big(u).div(1000).toFixed());
const side = fc.constantFrom('BUY' as const, 'SELL' as const);

describe('RiskGate — properties', () => {
  it('a reducing order is never rejected by an entry-only gate, whatever the conditions', () => {
    const conditions = fc.record({
      degraded: fc.boolean(),
      skewMs: fc.integer({ min: -10_000, max: 10_000 }),
      tickAgeMs: fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined }),
      spreadTicks: fc.integer({ min: -5, max: 5_000 }),
      referencePrice: fc.option(units(1_000_000, 200_000_000), { nil: undefined }),
      failures: fc.integer({ min: 0, max: 5 }),
      lossCents: fc.integer({ min: 0, max: 100_000 }),
      maxPositionQty: units(1, 5_000),
    });
    const reducingOrder = fc
      .tuple(fc.integer({ min: 1, max: 10_000_000 }), side, fc.integer({ min: 1, max: 1000 }), fc.boolean())
      .map(([posUnits, s, fraction, reduceOnly]) => {
        const abs = new Big(posUnits).div(1000);
        // Long positions are reduced by SELLs, shorts by BUYs; qty ≤ |position| unless reduce-only.
        const position = s === 'SELL' ? abs.toFixed() : abs.neg().toFixed();
        const qtyBig = reduceOnly ? abs.times(fraction).div(500) : abs.times(fraction).div(1000);
        const qty = qtyBig.round(3, Big.roundUp).toFixed();
        return { position, side: s, qty, reduceOnly };
      })
      .filter((o) => o.reduceOnly || new Big(o.qty).lte(new Big(o.position).abs()));

    fc.assert(
      fc.property(conditions, reducingOrder, (c, order) => {
        const clock = new FakeClock();
        const gate = new RiskGate({
          clock,
          config: { dailyLossLimitUsdt: '10', limits: { default: { maxPositionQty: c.maxPositionQty } } },
        });
        if (c.degraded) gate.degradedMode.enter('prop');
        for (let i = 0; i < c.failures; i++) gate.recordFailure(KEY);
        if (c.lossCents > 0) gate.recordRealisedPnl(new Big(-c.lossCents).div(100).toFixed());
        const bid = new Big('65000');
        const ask = bid.plus(new Big(c.spreadTicks).div(10));
        const tick = c.tickAgeMs === undefined ? undefined : sampleTick(clock.now() - c.tickAgeMs, { bid: bid.toFixed(), ask: ask.toFixed() });
        const verdict = gate.evaluate({ symbol: 'BTCUSDT', market: 'FUT', ...order, tick, referencePrice: c.referencePrice, clockSkewMs: c.skewMs });
        expect(verdict.decision.reducing).toBe(true);
        // With no per-order cap configured, nothing may stop a reducing order.
        expect(verdict.rejection).toBeUndefined();
        expect(() => gate.check({ symbol: 'BTCUSDT', market: 'FUT', ...order, tick, referencePrice: c.referencePrice, clockSkewMs: c.skewMs })).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('an order that would push |position| above the cap is always rejected; one that stays within passes', () => {
    fc.assert(
      fc.property(units(-5_000, 5_000), side, units(1, 5_000), units(1, 5_000), fc.boolean(), (position, s, qty, maxPositionQty, reduceOnly) => {
        const clock = new FakeClock();
        const gate = new RiskGate({ clock, config: { limits: { default: { maxPositionQty } } } });
        const input: RiskCheckInput = {
          symbol: 'BTCUSDT',
          market: 'FUT',
          side: s,
          qty,
          reduceOnly,
          position,
          tick: sampleTick(clock.now()),
          clockSkewMs: 0,
        };
        const before = new Big(position).abs();
        let after = new Big(position).plus(s === 'BUY' ? qty : new Big(qty).neg());
        // A reduce-only order that would cross zero is capped at flat by the venue.
        if (reduceOnly && !new Big(position).eq(0) && (s === 'BUY') === new Big(position).lt(0) && !after.eq(0) && after.gt(0) !== new Big(position).gt(0)) {
          after = new Big(0);
        }
        const pushesAbove = after.abs().gt(maxPositionQty) && after.abs().gt(before);
        const verdict = gate.evaluate(input);
        if (pushesAbove) {
          expect(verdict.rejection?.details.rule).toBe('MAX_POSITION');
          expect(() => gate.check(input)).toThrow(RiskRejectedError);
        } else {
          expect(verdict.rejection).toBeUndefined();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('every entry-only rejection names a rule from ENTRY_ONLY_RULES and a reducing twin of it passes', () => {
    fc.assert(
      fc.property(fc.constantFrom<RiskRule>(...ENTRY_ONLY_RULES), (rule) => {
        const { gate, entry, clock } = setup();
        const adverse: Record<string, Partial<RiskCheckInput>> = {
          DEGRADED_MODE: { degraded: true },
          CLOCK_SKEW: { clockSkewMs: 1_001 },
          STALE_MARKET: { tick: sampleTick(clock.now() - 5_001) },
          BOOK_INVALID: { tick: sampleTick(clock.now(), { ask: '0' }) },
          SPREAD_TOO_WIDE: { tick: sampleTick(clock.now(), { bid: '64000', ask: '66000' }) },
          PRICE_DEVIATION: { referencePrice: '10000' },
          CIRCUIT_OPEN: {},
          DAILY_LOSS: {},
        };
        if (rule === 'CIRCUIT_OPEN') gate.breaker.trip(KEY);
        if (rule === 'DAILY_LOSS') gate.recordRealisedPnl('-100');
        const over = adverse[rule] ?? {};
        const err = rejectionOf(gate, entry(over));
        expect(err.details.rule).toBe(rule);
        expect(err.status).toBe(422);
        expect(gate.check(entry({ ...over, position: '0.5', side: 'SELL', qty: '0.5' })).reducing).toBe(true);
      }),
    );
  });
});
