/** An opaque timer handle returned by {@link Clock.setTimeout} / {@link Clock.setInterval}. */
export interface TimerHandle {
  /** Unique id of the timer within its clock. */
  readonly id: number;
}

/**
 * Injected time (DESIGN.md principle 2). Every engine, policy, job and reconnect loop reads time
 * and schedules work through a `Clock`, so tests can run hours of schedule on a {@link FakeClock}
 * in milliseconds, deterministically.
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock's time.
   * @param signal - aborting it rejects the promise with the signal's reason.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer from {@link Clock.setTimeout}; unknown handles are ignored. */
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Runs `fn` every `ms` milliseconds until cleared. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer from {@link Clock.setInterval}; unknown handles are ignored. */
  clearInterval(handle: TimerHandle | undefined): void;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(abortReason(signal!));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The real clock: `Date.now()` and Node timers. Timers are `unref`'d by default so a forgotten
 * schedule never keeps a host process alive.
 */
export class SystemClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  /** @param options.unref - unref timers (default true). */
  constructor(private readonly options: { unref?: boolean } = {}) {}

  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, Math.max(0, ms));
    if (this.options.unref !== false) t.unref();
    this.timers.set(id, t);
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.timers.get(handle.id);
    if (t) clearTimeout(t);
    this.timers.delete(handle.id);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const t = setInterval(fn, Math.max(1, ms));
    if (this.options.unref !== false) t.unref();
    this.timers.set(id, t);
    return { id };
  }

  clearInterval(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.timers.get(handle.id);
    if (t) clearInterval(t);
    this.timers.delete(handle.id);
  }
}

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
  every?: number;
  seq: number;
}

/** Lets pending promise callbacks (and the I/O callbacks they started) run. */
function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A deterministic clock for tests. Time moves only when told: {@link FakeClock.advance} fires due
 * timers synchronously in time order; {@link FakeClock.tickAsync} also lets promise chains run
 * between timers, which is what async policies and reconnect loops need.
 */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();

  /** @param start - initial time in epoch ms (default 2025-09-20T00:00:00Z, the reference examples' day). */
  constructor(start = 1_758_326_400_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.current + Math.max(0, ms), fn, seq: this.seq++ });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.timers.delete(handle.id);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = Math.max(1, ms);
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.current + every, fn, every, seq: this.seq++ });
    return { id };
  }

  clearInterval(handle: TimerHandle | undefined): void {
    this.clearTimeout(handle);
  }

  /** Number of scheduled timers. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Time of the next timer, or undefined when none is scheduled. */
  nextTimerAt(): number | undefined {
    return this.nextDue(Number.POSITIVE_INFINITY)?.at;
  }

  private nextDue(limit: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) {
      if (t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  private fire(t: FakeTimer): void {
    this.current = Math.max(this.current, t.at);
    if (t.every !== undefined) {
      t.at += t.every;
      t.seq = this.seq++;
    } else {
      this.timers.delete(t.id);
    }
    t.fn();
  }

  /** Moves time forward by `ms`, firing every due timer synchronously, in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (let t = this.nextDue(target); t; t = this.nextDue(target)) this.fire(t);
    this.current = target;
  }

  /** Sets the time to `epochMs` (forward only), firing due timers. */
  setTime(epochMs: number): void {
    if (epochMs > this.current) this.advance(epochMs - this.current);
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting promise chains settle
   * before and after each one. Use it to drive async code that awaits `clock.sleep`.
   */
  async tickAsync(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushMicrotasks();
    for (let t = this.nextDue(target); t; t = this.nextDue(target)) {
      this.fire(t);
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }

  /**
   * Runs timers (and the promise chains between them) until none is left or `maxTimers` have
   * fired; returns how many fired. Bounded so an interval can never hang a test.
   */
  async runAllAsync(maxTimers = 10_000): Promise<number> {
    let fired = 0;
    await flushMicrotasks();
    for (let t = this.nextDue(Number.POSITIVE_INFINITY); t && fired < maxTimers; t = this.nextDue(Number.POSITIVE_INFINITY)) {
      this.fire(t);
      fired++;
      await flushMicrotasks();
    }
    return fired;
  }
}
