import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { RateLimitError } from '../errors.js';
import { intervalToMs } from './rate-limit-rule.js';
import { WindowRateLimiter, type LimiterTicket } from './window-rate-limiter.js';

// A minute boundary, so windows start exactly at the clock's start.
const T0 = 29_305_440 * 60_000;

function track<T>(p: Promise<T>): { settled: () => boolean; value: () => T | undefined; error: () => unknown } {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      error = e;
    },
  );
  return { settled: () => done, value: () => value, error: () => error };
}

describe('intervalToMs', () => {
  it('converts s/m/h/d and rejects junk', () => {
    expect(intervalToMs('10s')).toBe(10_000);
    expect(intervalToMs('1m')).toBe(60_000);
    expect(intervalToMs('2h')).toBe(7_200_000);
    expect(intervalToMs('1d')).toBe(86_400_000);
    expect(() => intervalToMs('0m')).toThrow(TypeError);
    expect(() => intervalToMs('1w')).toThrow(TypeError);
  });
});

describe('WindowRateLimiter', () => {
  it('admits up to the limit, then holds the next request until the aligned window rolls', async () => {
    const clock = new FakeClock(T0 + 30_000);
    const limiter = new WindowRateLimiter({ clock, rules: [{ kind: 'weight', interval: '1m', limit: 10 }] });
    await limiter.acquire({ weight: 4 });
    await limiter.acquire({ weight: 4 });
    const third = track(limiter.acquire({ weight: 4 }));
    await clock.tickAsync(29_999);
    expect(third.settled()).toBe(false);
    expect(limiter.usage()[0]).toMatchObject({ used: 8, windowStart: T0, windowEnd: T0 + 60_000 });
    await clock.tickAsync(1);
    expect(third.settled()).toBe(true);
    expect(third.value()?.windows.get('weight:1m')).toBe(T0 + 60_000);
    expect(limiter.usage()[0]).toMatchObject({ used: 4, windowStart: T0 + 60_000 });
  });

  it('counts weight, orders and raw rules separately; a blocked order does not hold back reads', async () => {
    const clock = new FakeClock(T0);
    const limiter = new WindowRateLimiter({
      clock,
      rules: [
        { kind: 'weight', interval: '1m', limit: 100 },
        { kind: 'orders', interval: '10s', limit: 1 },
        { kind: 'raw', interval: '5m', limit: 1000 },
      ],
    });
    await limiter.acquire({ weight: 0, orderCount: 1 });
    const order = track(limiter.acquire({ weight: 0, orderCount: 1 }));
    const read = track(limiter.acquire({ weight: 5 }));
    await clock.tickAsync(0);
    expect(order.settled()).toBe(false);
    expect(read.settled()).toBe(true);
    expect(limiter.usage().map((u) => [u.key, u.used])).toEqual([
      ['weight:1m', 5],
      ['orders:10s', 1],
      ['raw:5m', 2],
    ]);
    await clock.tickAsync(10_000);
    expect(order.settled()).toBe(true);
    expect(limiter.usage().map((u) => u.used)).toEqual([5, 1, 3]);
  });

  it('admits requests competing for one rule in arrival order', async () => {
    const clock = new FakeClock(T0);
    const limiter = new WindowRateLimiter({ clock, rules: [{ kind: 'weight', interval: '1m', limit: 10 }], maxWaitMs: 180_000 });
    await limiter.acquire({ weight: 8 });
    const order: string[] = [];
    const heavy = limiter.acquire({ weight: 10 }).then(() => order.push('heavy'));
    // Would fit now (8 + 1 ≤ 10) but must not overtake the heavy request queued before it.
    const light = limiter.acquire({ weight: 1 }).then(() => order.push('light'));
    await clock.tickAsync(0);
    expect(order).toEqual([]);
    await clock.tickAsync(60_000);
    await heavy;
    expect(order).toEqual(['heavy']);
    await clock.tickAsync(60_000);
    await light;
    expect(order).toEqual(['heavy', 'light']);
  });

  it('raises its count to the venue report, never lowers it, and ignores reports from a rolled window', async () => {
    const clock = new FakeClock(T0);
    const limiter = new WindowRateLimiter({ clock, rules: [{ kind: 'weight', interval: '1m', limit: 6000 }] });
    const ticket = await limiter.acquire({ weight: 10 });
    expect(limiter.observe([{ kind: 'weight', interval: '1m', used: 5990 }], ticket)).toEqual(['weight:1m']);
    expect(limiter.usage()[0]?.used).toBe(5990);
    expect(limiter.observe([{ kind: 'weight', interval: '60s', used: 100 }], ticket)).toEqual([]);
    expect(limiter.usage()[0]?.used).toBe(5990);
    const blocked = track(limiter.acquire({ weight: 20 }));
    await clock.tickAsync(59_999);
    expect(blocked.settled()).toBe(false);
    await clock.tickAsync(1);
    expect(blocked.settled()).toBe(true);
    // `ticket` was admitted in the previous window: its late report must not inflate this one.
    expect(limiter.observe([{ kind: 'weight', interval: '1m', used: 5000 }], ticket)).toEqual([]);
    expect(limiter.usage()[0]?.used).toBe(20);
    // Undeclared rules are ignored.
    expect(limiter.observe([{ kind: 'orders', interval: '10s', used: 5 }])).toEqual([]);
  });

  it('a rule the request costs nothing against never holds it, even when the venue reports it full', async () => {
    const clock = new FakeClock(T0);
    const limiter = new WindowRateLimiter({
      clock,
      rules: [
        { kind: 'weight', interval: '1m', limit: 100 },
        { kind: 'orders', interval: '10s', limit: 5 },
      ],
    });
    limiter.observe([{ kind: 'weight', interval: '1m', used: 150 }]);
    const order = track(limiter.acquire({ weight: 0, orderCount: 1 }));
    const read = track(limiter.acquire({ weight: 1 }));
    await clock.tickAsync(0);
    expect(order.settled()).toBe(true);
    expect(read.settled()).toBe(false);
    expect(limiter.usage().map((u) => u.used)).toEqual([150, 1]);
  });

  it('refuses at once, locally, when the wait would exceed maxWaitMs', async () => {
    const clock = new FakeClock(T0);
    const limiter = new WindowRateLimiter({ clock, rules: [{ kind: 'weight', interval: '1m', limit: 10 }], maxWaitMs: 5_000 });
    await limiter.acquire({ weight: 10 });
    const err = await limiter.acquire({ weight: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).banned).toBe(false);
    expect((err as RateLimitError).retryAfterMs).toBe(60_000);
    expect((err as RateLimitError).details).toMatchObject({ local: true, rules: ['weight:1m'] });
    expect(limiter.pending).toBe(0);
  });

  it('admits nothing while paused', async () => {
    const clock = new FakeClock(T0);
    const limiter = new WindowRateLimiter({ clock, rules: [] });
    limiter.pause(T0 + 2_000);
    limiter.pause(T0 + 1_000);
    expect(limiter.pausedUntilMs).toBe(T0 + 2_000);
    const p = track(limiter.acquire());
    await clock.tickAsync(1_999);
    expect(p.settled()).toBe(false);
    await clock.tickAsync(1);
    expect(p.settled()).toBe(true);
  });

  it('rejects waiting requests on demand and on abort', async () => {
    const clock = new FakeClock(T0);
    const limiter = new WindowRateLimiter({ clock, rules: [{ kind: 'weight', interval: '1m', limit: 1 }] });
    await limiter.acquire();
    const a = track(limiter.acquire());
    const ctl = new AbortController();
    const b = track(limiter.acquire({}, ctl.signal));
    ctl.abort(new Error('stop'));
    await clock.tickAsync(0);
    expect((b.error() as Error).message).toBe('stop');
    expect(limiter.rejectWaiting(new Error('ban'))).toBe(1);
    await clock.tickAsync(0);
    expect((a.error() as Error).message).toBe('ban');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses a request that can never fit', async () => {
    const limiter = new WindowRateLimiter({ clock: new FakeClock(T0), rules: [{ kind: 'weight', interval: '1m', limit: 10 }] });
    await expect(limiter.acquire({ weight: 11 })).rejects.toMatchObject({ code: 'REQUEST_EXCEEDS_LIMIT', retryable: false });
  });

  it('property: admitted cost never exceeds a rule limit within any window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.record({ weight: fc.integer({ min: 0, max: 20 }), advance: fc.integer({ min: 0, max: 4_000 }) }), { maxLength: 40 }),
        async (limit, steps) => {
          const clock = new FakeClock(T0);
          const limiter = new WindowRateLimiter({ clock, rules: [{ kind: 'weight', interval: '10s', limit }], maxWaitMs: 1_000_000 });
          const perWindow = new Map<number, number>();
          const pending: Promise<unknown>[] = [];
          for (const step of steps) {
            const weight = Math.min(step.weight, limit);
            pending.push(
              limiter.acquire({ weight }).then((t: LimiterTicket) => {
                const w = t.windows.get('weight:10s')!;
                // The window a request is counted in is the one current when it was admitted.
                expect(w).toBe(Math.floor(clock.now() / 10_000) * 10_000);
                perWindow.set(w, (perWindow.get(w) ?? 0) + weight);
              }),
            );
            await clock.tickAsync(step.advance);
          }
          await clock.tickAsync(10_000 * (steps.length + 1));
          await Promise.all(pending);
          for (const used of perWindow.values()) expect(used).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('WindowRateLimiter.setRules', () => {
  it('adopts declared rules and keeps what the current window already counted', async () => {
    const clock = new FakeClock(0);
    const limiter = new WindowRateLimiter({ clock, rules: [{ kind: 'weight', interval: '1m', limit: 100 }] });
    await limiter.acquire({ weight: 40 });
    limiter.setRules([
      { kind: 'weight', interval: '1m', limit: 50 },
      { kind: 'orders', interval: '10s', limit: 2 },
    ]);
    expect(limiter.rules()).toEqual([
      { kind: 'weight', interval: '1m', limit: 50 },
      { kind: 'orders', interval: '10s', limit: 2 },
    ]);
    expect(limiter.usage().find((u) => u.kind === 'weight')?.used).toBe(40);
    await limiter.acquire({ weight: 10 });
    // The 50-weight window is now full: the next request waits for the next minute.
    let admitted = false;
    const next = limiter.acquire({ weight: 1 }).then(() => (admitted = true));
    await clock.tickAsync(59_000);
    expect(admitted).toBe(false);
    await clock.tickAsync(1_000);
    await next;
    expect(admitted).toBe(true);
    expect(() => limiter.setRules([{ kind: 'weight', interval: '1m', limit: 0 }])).toThrow(TypeError);
    expect(limiter.rules()[0]?.limit).toBe(50);
  });
});
