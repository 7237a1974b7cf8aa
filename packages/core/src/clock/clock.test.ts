import { describe, expect, it } from 'vitest';
import { FakeClock, SystemClock } from './clock.js';

describe('FakeClock', () => {
  it('fires timeouts in time order and intervals repeatedly', () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    const iv = clock.setInterval(() => seen.push(`i@${clock.now()}`), 15);
    clock.advance(31);
    expect(seen).toEqual(['a@10', 'i@15', 'b@20', 'i@30']);
    clock.clearInterval(iv);
    clock.advance(100);
    expect(seen).toHaveLength(4);
    expect(clock.now()).toBe(131);
  });

  it('cleared timeouts never fire', () => {
    const clock = new FakeClock(0);
    let fired = false;
    const h = clock.setTimeout(() => (fired = true), 5);
    clock.clearTimeout(h);
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('drives async sleeps with tickAsync', async () => {
    const clock = new FakeClock(1000);
    const order: number[] = [];
    const run = async () => {
      await clock.sleep(3000);
      order.push(clock.now());
      await clock.sleep(2000);
      order.push(clock.now());
    };
    const done = run();
    await clock.tickAsync(3000);
    expect(order).toEqual([4000]);
    await clock.tickAsync(2000);
    await done;
    expect(order).toEqual([4000, 6000]);
  });

  it('sleep rejects when aborted', async () => {
    const clock = new FakeClock(0);
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runAllAsync is bounded for intervals', async () => {
    const clock = new FakeClock(0);
    let n = 0;
    clock.setInterval(() => n++, 1);
    expect(await clock.runAllAsync(50)).toBe(50);
    expect(n).toBe(50);
  });
});

describe('SystemClock', () => {
  it('reads wall time and sleeps for real', async () => {
    const clock = new SystemClock();
    const t0 = clock.now();
    await clock.sleep(5);
    expect(clock.now()).toBeGreaterThanOrEqual(t0 + 4);
  });
});
