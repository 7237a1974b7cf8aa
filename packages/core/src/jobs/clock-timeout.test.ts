import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { withClockTimeout } from './clock-timeout.js';

describe('withClockTimeout', () => {
  it('settles like the promise when it is in time and clears its timer', async () => {
    const clock = new FakeClock();
    const p = withClockTimeout(clock, clock.sleep(100).then(() => 'ok'), 1_000, () => new Error('late'));
    await clock.tickAsync(100);
    expect(await p).toBe('ok');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects with the timeout reason at the deadline', async () => {
    const clock = new FakeClock();
    const p = withClockTimeout(clock, new Promise<never>(() => undefined), 1_000, () => new Error('late')).catch((e: unknown) => e);
    await clock.tickAsync(999);
    await clock.tickAsync(1);
    expect(await p).toEqual(new Error('late'));
  });

  it('passes the promise through without a deadline', async () => {
    const clock = new FakeClock();
    const inner = Promise.resolve(1);
    expect(withClockTimeout(clock, inner, 0, () => new Error('x'))).toBe(inner);
    expect(withClockTimeout(clock, inner, Number.POSITIVE_INFINITY, () => new Error('x'))).toBe(inner);
  });
});
