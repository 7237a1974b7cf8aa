import { FakeClock } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { MAX_WS_MESSAGE_LIMITS, MAX_WS_STEADY_MESSAGES_PER_SECOND, WsMessageBudget } from './message-budget.js';

describe('WsMessageBudget with MAX limits (20/s, 200/min)', () => {
  it('allows 20 in a second, then says when the 21st may go', () => {
    const clock = new FakeClock(0);
    const budget = new WsMessageBudget({ now: () => clock.now() });
    for (let i = 0; i < 20; i += 1) {
      expect(budget.tryTake()).toBe(true);
      clock.advance(10);
    }
    // 20 sent at t = 0, 10, …, 190; now t = 200: the first leaves the 1-s window at t = 1000.
    expect(budget.tryTake()).toBe(false);
    expect(budget.waitMs()).toBe(800);
    clock.advance(800);
    expect(budget.tryTake()).toBe(true);
  });

  it('holds the minute limit: 200 per minute even at a legal per-second rate', () => {
    const clock = new FakeClock(0);
    const budget = new WsMessageBudget({ now: () => clock.now() });
    for (let second = 0; second < 10; second += 1) {
      expect(budget.tryTake(20)).toBe(true);
      clock.advance(1000);
    }
    expect(budget.usedIn(60_000)).toBe(200);
    // t = 10 s: the per-second window is empty, but the minute is full until t = 60 s.
    expect(budget.waitMs()).toBe(50_000);
    clock.advance(50_000);
    expect(budget.waitMs()).toBe(0);
    expect(budget.waitMs(21)).toBe(Infinity);
  });

  it('records messages sent regardless (pings) and resets per connection', () => {
    const clock = new FakeClock(0);
    const budget = new WsMessageBudget({ now: () => clock.now() });
    budget.record(20);
    expect(budget.tryTake()).toBe(false);
    budget.reset();
    expect(budget.tryTake()).toBe(true);
  });

  it('the steady rate keeps inside both limits for a whole minute', () => {
    expect(MAX_WS_STEADY_MESSAGES_PER_SECOND * 60).toBeLessThanOrEqual(200);
    expect(MAX_WS_MESSAGE_LIMITS).toEqual([
      { windowMs: 1000, limit: 20 },
      { windowMs: 60000, limit: 200 },
    ]);
  });
});
