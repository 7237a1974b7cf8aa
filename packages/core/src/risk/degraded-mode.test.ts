import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { DegradedMode } from './degraded-mode.js';
import type { RiskAlert } from './risk-alert.js';

describe('DegradedMode', () => {
  it('switches on with the first reason and off with the last, alerting on both', () => {
    const clock = new FakeClock();
    const mode = new DegradedMode(clock);
    const seen: string[] = [];
    const alerts: RiskAlert[] = [];
    mode.events.on('entered', (e) => seen.push(`entered:${e.reason}:${e.reasons.join(',')}`));
    mode.events.on('exited', (e) => seen.push(`exited:${e.reasons.join(',')}:${e.durationMs}`));
    mode.events.on('alert', (a) => alerts.push(a));

    expect(mode.isActive).toBe(false);
    mode.enter('binance:FUT ws FATAL');
    const t0 = clock.now();
    mode.enter('binance:FUT ws FATAL');
    clock.advance(1_000);
    mode.enter('operator');
    expect(mode.isActive).toBe(true);
    expect(mode.since).toBe(t0);
    expect(mode.reasons).toEqual(['binance:FUT ws FATAL', 'operator']);

    mode.exit('binance:FUT ws FATAL');
    expect(mode.isActive).toBe(true);
    clock.advance(4_000);
    mode.exit('operator');
    expect(mode.isActive).toBe(false);
    expect(mode.since).toBeUndefined();
    mode.exit();

    expect(seen).toEqual(['entered:binance:FUT ws FATAL:binance:FUT ws FATAL', 'exited:operator:5000']);
    expect(alerts).toEqual([
      { level: 'ERROR', code: 'DEGRADED_MODE', message: expect.stringContaining('only orders that reduce'), details: { reason: 'binance:FUT ws FATAL', reasons: ['binance:FUT ws FATAL'] }, ts: t0 },
      { level: 'INFO', code: 'DEGRADED_MODE_EXITED', message: expect.any(String), details: { reasons: ['operator'], durationMs: 5_000 }, ts: t0 + 5_000 },
    ]);
  });

  it('exit() without a reason clears every reason', () => {
    const mode = new DegradedMode(new FakeClock());
    mode.enter('a');
    mode.enter('b');
    mode.exit();
    expect(mode.isActive).toBe(false);
    expect(mode.reasons).toEqual([]);
  });
});
