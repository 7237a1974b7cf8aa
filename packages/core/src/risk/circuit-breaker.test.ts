import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { RiskRejectedError, ValidationError } from '../errors.js';
import { CircuitBreaker, type BreakerConfigInput } from './circuit-breaker.js';
import type { RiskAlert } from './risk-alert.js';

const KEY = 'FUT:BTCUSDT';

function setup(config: BreakerConfigInput = {}) {
  const clock = new FakeClock();
  const breaker = new CircuitBreaker({ clock, config: { cooldownMs: 10_000, ...config } });
  const seen: string[] = [];
  const alerts: RiskAlert[] = [];
  breaker.events.on('opened', (e) => seen.push(`opened:${e.key}:${e.reason}`));
  breaker.events.on('half_open', (e) => seen.push(`half_open:${e.key}`));
  breaker.events.on('closed', (e) => seen.push(`closed:${e.key}:${e.from}`));
  breaker.events.on('alert', (a) => alerts.push(a));
  return { clock, breaker, seen, alerts };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures and alerts', () => {
    const { clock, breaker, seen, alerts } = setup();
    breaker.recordFailure(KEY, 'VENUE_ERROR');
    breaker.recordFailure(KEY, 'VENUE_ERROR');
    expect(breaker.state(KEY)).toBe('closed');
    breaker.recordFailure(KEY, 'UNKNOWN_OUTCOME');
    expect(breaker.state(KEY)).toBe('open');
    expect(seen).toEqual([`opened:${KEY}:CONSECUTIVE_FAILURES`]);
    expect(alerts).toEqual([
      {
        level: 'ERROR',
        code: 'CIRCUIT_OPEN',
        message: expect.stringContaining(KEY),
        details: expect.objectContaining({ key: KEY, reason: 'CONSECUTIVE_FAILURES', consecutiveFailures: 3, lastFailure: 'UNKNOWN_OUTCOME', halfOpenAt: clock.now() + 10_000 }),
        ts: clock.now(),
      },
    ]);
    expect(breaker.snapshot(KEY)).toMatchObject({ state: 'open', openedAt: clock.now(), halfOpenAt: clock.now() + 10_000 });
  });

  it('a success resets the consecutive count', () => {
    const { breaker } = setup({ errorRate: 1 });
    for (let i = 0; i < 10; i++) {
      breaker.recordFailure(KEY);
      breaker.recordFailure(KEY);
      breaker.recordSuccess(KEY);
    }
    expect(breaker.state(KEY)).toBe('closed');
  });

  it('opens on the error rate once the window holds minCalls outcomes', () => {
    const { breaker, seen } = setup({ consecutiveFailures: 100, errorRate: 0.5, window: 10, minCalls: 6 });
    // F S F S F: 3/5 failed but only 5 calls, below minCalls.
    breaker.recordFailure(KEY);
    breaker.recordSuccess(KEY);
    breaker.recordFailure(KEY);
    breaker.recordSuccess(KEY);
    breaker.recordFailure(KEY);
    expect(breaker.state(KEY)).toBe('closed');
    breaker.recordSuccess(KEY); // 3/6 = 0.5, but only a failure can open it
    expect(breaker.state(KEY)).toBe('closed');
    breaker.recordFailure(KEY); // 4/7 ≥ 0.5
    expect(breaker.state(KEY)).toBe('open');
    expect(seen).toEqual([`opened:${KEY}:ERROR_RATE`]);
    expect(breaker.rejection(KEY).details).toMatchObject({ rule: 'CIRCUIT_OPEN', reason: 'ERROR_RATE', limit: 0.5, observed: 4 / 7 });
  });

  it('forgets outcomes beyond the window size and older than windowMs', () => {
    const { clock, breaker } = setup({ consecutiveFailures: 100, errorRate: 0.5, window: 4, minCalls: 4, windowMs: 1_000 });
    breaker.recordFailure(KEY);
    breaker.recordFailure(KEY);
    breaker.recordSuccess(KEY);
    clock.advance(1_500);
    breaker.recordSuccess(KEY);
    expect(breaker.snapshot(KEY)).toMatchObject({ calls: 1, failures: 0 });
    for (let i = 0; i < 6; i++) breaker.recordSuccess(KEY);
    expect(breaker.snapshot(KEY)).toMatchObject({ calls: 4, failures: 0 });
  });

  it('half-open allows exactly one probe; its success closes the breaker', () => {
    const { clock, breaker, seen, alerts } = setup();
    for (let i = 0; i < 3; i++) breaker.recordFailure(KEY);
    expect(breaker.acquire(KEY)).toBe(false);
    clock.advance(9_999);
    expect(breaker.state(KEY)).toBe('open');
    clock.advance(1);
    expect(breaker.state(KEY)).toBe('half_open');
    expect(breaker.canPass(KEY)).toBe(true);
    expect(breaker.acquire(KEY)).toBe(true);
    expect(breaker.acquire(KEY)).toBe(false);
    expect(breaker.canPass(KEY)).toBe(false);
    breaker.recordSuccess(KEY);
    expect(breaker.state(KEY)).toBe('closed');
    expect(breaker.acquire(KEY)).toBe(true);
    expect(breaker.acquire(KEY)).toBe(true);
    expect(seen).toEqual([`opened:${KEY}:CONSECUTIVE_FAILURES`, `half_open:${KEY}`, `closed:${KEY}:half_open`]);
    expect(alerts.map((a) => [a.level, a.code])).toEqual([
      ['ERROR', 'CIRCUIT_OPEN'],
      ['INFO', 'CIRCUIT_HALF_OPEN'],
      ['INFO', 'CIRCUIT_CLOSED'],
    ]);
    expect(breaker.snapshot(KEY)).toMatchObject({ consecutiveFailures: 0, calls: 0 });
  });

  it('a failed probe re-opens it for another cooldown', () => {
    const { clock, breaker, seen } = setup();
    for (let i = 0; i < 3; i++) breaker.recordFailure(KEY);
    clock.advance(10_000);
    expect(breaker.acquire(KEY)).toBe(true);
    clock.advance(500);
    breaker.recordFailure(KEY, 'timeout');
    expect(breaker.state(KEY)).toBe('open');
    expect(breaker.snapshot(KEY).halfOpenAt).toBe(clock.now() + 10_000);
    clock.advance(10_000);
    expect(breaker.state(KEY)).toBe('half_open');
    expect(seen).toEqual([
      `opened:${KEY}:CONSECUTIVE_FAILURES`,
      `half_open:${KEY}`,
      `opened:${KEY}:PROBE_FAILED`,
      `half_open:${KEY}`,
    ]);
  });

  it('a probe that is never answered is released after probeTimeoutMs', () => {
    const { clock, breaker } = setup({ probeTimeoutMs: 2_000 });
    for (let i = 0; i < 3; i++) breaker.recordFailure(KEY);
    clock.advance(10_000);
    expect(breaker.acquire(KEY)).toBe(true);
    clock.advance(1_999);
    expect(breaker.acquire(KEY)).toBe(false);
    expect(breaker.rejection(KEY).details.retryAfterMs).toBe(1);
    clock.advance(1);
    expect(breaker.acquire(KEY)).toBe(true);
  });

  it('ignores outcomes reported while open', () => {
    const { clock, breaker } = setup();
    for (let i = 0; i < 3; i++) breaker.recordFailure(KEY);
    breaker.recordSuccess(KEY);
    breaker.recordFailure(KEY);
    expect(breaker.snapshot(KEY)).toMatchObject({ state: 'open', halfOpenAt: clock.now() + 10_000 });
  });

  it('check() throws a 422 RISK_REJECTED with rule CIRCUIT_OPEN while open', () => {
    const { clock, breaker } = setup();
    for (let i = 0; i < 3; i++) breaker.recordFailure(KEY);
    clock.advance(4_000);
    let caught: unknown;
    try {
      breaker.check(KEY);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RiskRejectedError);
    const err = caught as RiskRejectedError;
    expect(err.code).toBe('RISK_REJECTED');
    expect(err.status).toBe(422);
    expect(err.details).toMatchObject({ rule: 'CIRCUIT_OPEN', key: KEY, state: 'open', limit: 3, observed: 3, retryAfterMs: 6_000 });
  });

  it('keeps keys independent; trip and reset work by hand', () => {
    const { breaker, seen } = setup();
    breaker.trip('SPOT:ETHUSDT', 'operator');
    expect(breaker.state('SPOT:ETHUSDT')).toBe('open');
    expect(breaker.state(KEY)).toBe('closed');
    expect(breaker.canPass(KEY)).toBe(true);
    breaker.reset('SPOT:ETHUSDT');
    expect(breaker.state('SPOT:ETHUSDT')).toBe('closed');
    expect(seen).toEqual(['opened:SPOT:ETHUSDT:MANUAL', 'closed:SPOT:ETHUSDT:open']);
    expect(breaker.keys()).toEqual(['SPOT:ETHUSDT']);
  });

  it('rejects invalid settings', () => {
    expect(() => new CircuitBreaker({ clock: new FakeClock(), config: { errorRate: 0 } })).toThrow(ValidationError);
  });

  it('property: it opens exactly when a reference model says so (closed phase)', () => {
    const cfg = { consecutiveFailures: 3, errorRate: 0.6, window: 8, minCalls: 5, cooldownMs: 1_000 };
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 60 }), (outcomes) => {
        const breaker = new CircuitBreaker({ clock: new FakeClock(), config: cfg });
        const window: boolean[] = [];
        let consecutive = 0;
        for (const ok of outcomes) {
          if (ok) breaker.recordSuccess(KEY);
          else breaker.recordFailure(KEY);
          window.push(ok);
          if (window.length > cfg.window) window.shift();
          consecutive = ok ? 0 : consecutive + 1;
          const failures = window.filter((o) => !o).length;
          const shouldOpen = !ok && (consecutive >= cfg.consecutiveFailures || (window.length >= cfg.minCalls && failures / window.length >= cfg.errorRate));
          expect(breaker.state(KEY)).toBe(shouldOpen ? 'open' : 'closed');
          if (shouldOpen) return;
        }
      }),
      { numRuns: 300 },
    );
  });
});
