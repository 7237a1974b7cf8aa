import type { Clock, TimerHandle } from '../clock/clock.js';

/** Options of {@link Throttle}. */
export interface ThrottleOptions<K, V> {
  /** Schedules the window ends. */
  clock: Clock;
  /**
   * Window length in ms, for all keys or per key (e.g. per symbol). 0 or less delivers every
   * value at once.
   */
  intervalMs: number | ((key: K) => number);
  /** Receives the values let through. */
  deliver: (key: K, value: V) => void;
  /**
   * Deliver the first value of a quiet key at once (default true). When false, the first value
   * also waits for the end of its window.
   */
  leading?: boolean;
}

interface Window<V> {
  timer: TimerHandle | undefined;
  has: boolean;
  value: V | undefined;
}

/**
 * A per-key throttle on the injected {@link Clock}: at most one delivery per key per interval,
 * and the LATEST value pushed during a window is always delivered when the window ends
 * (trailing edge), so a consumer is never left holding a stale value. Values superseded within
 * a window are dropped, never delivered late.
 *
 * With `leading` (the default) the first value after a quiet period goes out at once and opens
 * a window; each trailing delivery opens the next window, so deliveries of a key are always at
 * least `intervalMs` apart. Pure apart from the clock's timers; no timer is left once every
 * key is quiet.
 */
export class Throttle<K, V> {
  private readonly windows = new Map<K, Window<V>>();
  private readonly leading: boolean;

  /** @param options - see {@link ThrottleOptions}. */
  constructor(private readonly options: ThrottleOptions<K, V>) {
    this.leading = options.leading ?? true;
  }

  /** Offers a value for `key`; it goes out now, at the end of the key's window, or is superseded. */
  push(key: K, value: V): void {
    const interval = this.intervalOf(key);
    if (!(interval > 0)) {
      this.options.deliver(key, value);
      return;
    }
    const open = this.windows.get(key);
    if (open !== undefined) {
      open.value = value;
      open.has = true;
      return;
    }
    const w: Window<V> = { timer: undefined, has: !this.leading, value: this.leading ? undefined : value };
    this.windows.set(key, w);
    w.timer = this.options.clock.setTimeout(() => this.windowEnd(key, w), interval);
    if (this.leading) this.options.deliver(key, value);
  }

  /** The value waiting for the end of `key`'s window, if any. */
  pending(key: K): V | undefined {
    const w = this.windows.get(key);
    return w?.has ? w.value : undefined;
  }

  /** Number of keys with an open window. */
  get size(): number {
    return this.windows.size;
  }

  /**
   * Delivers the pending value of `key` (or of every key) now and closes its window, e.g.
   * before shutdown.
   */
  flush(key?: K): void {
    const keys = key === undefined ? [...this.windows.keys()] : [key];
    for (const k of keys) {
      const w = this.windows.get(k);
      if (w === undefined) continue;
      this.close(k, w);
      if (w.has) this.options.deliver(k, w.value as V);
    }
  }

  /** Drops the pending value of `key` (or of every key) and closes its window. */
  cancel(key?: K): void {
    const keys = key === undefined ? [...this.windows.keys()] : [key];
    for (const k of keys) {
      const w = this.windows.get(k);
      if (w !== undefined) this.close(k, w);
    }
  }

  private intervalOf(key: K): number {
    const i = this.options.intervalMs;
    return typeof i === 'number' ? i : i(key);
  }

  private close(key: K, w: Window<V>): void {
    this.options.clock.clearTimeout(w.timer);
    w.timer = undefined;
    this.windows.delete(key);
  }

  private windowEnd(key: K, w: Window<V>): void {
    if (this.windows.get(key) !== w) return;
    if (!w.has) {
      this.windows.delete(key);
      return;
    }
    const value = w.value as V;
    w.has = false;
    w.value = undefined;
    // The delivery opens the next window, so the state is settled before user code runs.
    w.timer = this.options.clock.setTimeout(() => this.windowEnd(key, w), this.intervalOf(key));
    this.options.deliver(key, value);
  }
}
