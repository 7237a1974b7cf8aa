import type { Clock, TimerHandle } from '../clock/clock.js';
import { ChimeraError, RateLimitError } from '../errors.js';
import { intervalToMs, ruleKey, type RateLimitRule, type RuleUsage, type UsageReport } from './rate-limit-rule.js';

/*
 * Why this is not bottleneck (DESIGN.md names it for the REST limiter; this file is the
 * deviation, measured and explained):
 * 1. bottleneck keeps time on real timers (reservoir refresh, heartbeat, job scheduling). The
 *    parts that must be exact — a weight window rolling over, a 429 pause, a 418 ban lifting —
 *    would then be untestable on the injected FakeClock (DESIGN.md principle 2). Here every wait
 *    is a `clock.setTimeout`, so tests prove the timing in milliseconds of fake time.
 * 2. A bottleneck job has one `weight`, shared by every chained limiter. A venue request costs
 *    different amounts against different rules (Binance: an order costs 0 weight but 1 order; a
 *    depth read costs 10 weight and 0 orders), which needs one counter per rule.
 * 3. bottleneck schedules each job through its own timer/yield loop; measured on these machines it
 *    adds about 5 ms to each sequential loopback request whose bare cost is 0.04–0.13 ms, a 100×
 *    slowdown (bench/rest-transport.bench.ts prints both figures in one run).
 * 4. Binance counts weight in fixed windows aligned to the clock (the used-weight header resets
 *    at the minute), not in a reservoir refilled from the moment the limiter was created, so
 *    fixed aligned windows match what the venue reports and make the header correction exact.
 */

/** What one request costs against the declared rules. */
export interface RequestCost {
  /** Counted against every `weight` rule (default 1; 0 for requests the venue does not weigh). */
  weight?: number;
  /** Counted against every `orders` rule (default 0). */
  orderCount?: number;
}

/**
 * Proof that a request was admitted, and in which windows: the venue's usage report for that
 * request only corrects the counts if those windows are still current.
 */
export interface LimiterTicket {
  /** Rule key → start of the window the request was counted in (epoch ms). */
  readonly windows: ReadonlyMap<string, number>;
}

/** Options of {@link WindowRateLimiter}. */
export interface WindowRateLimiterOptions {
  /** Time source for windows and waits. */
  clock: Clock;
  /** The venue's declared limits. An empty list admits everything (still honouring pauses). */
  rules: readonly RateLimitRule[];
  /**
   * Longest a request may wait for room, in ms (default 60 000). A request that would have to wait
   * longer is refused at once with a local `RateLimitError` (outcome "denied": it never left).
   */
  maxWaitMs?: number;
}

interface RuleState {
  readonly rule: RateLimitRule;
  readonly key: string;
  readonly ms: number;
  used: number;
  windowStart: number;
}

interface Waiter {
  readonly cost: RequestCost;
  readonly deadline: number;
  readonly resolve: (ticket: LimiterTicket) => void;
  readonly reject: (err: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/**
 * A deterministic fixed-window limiter on the injected {@link Clock}: one counter per declared
 * rule, windows aligned to multiples of the rule's length since the epoch, FIFO per rule (a
 * request blocked on the order limit does not hold back reads that only cost weight), raised —
 * never lowered — by what the venue reports it counted ({@link WindowRateLimiter.observe}), and
 * pausable for a 429's `Retry-After` or a 418 ban ({@link WindowRateLimiter.pause}).
 */
export class WindowRateLimiter {
  private readonly clock: Clock;
  private states: RuleState[];
  private readonly maxWaitMs: number;
  private readonly queue: Waiter[] = [];
  private pausedUntil = 0;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  /** @throws TypeError on an invalid interval or a non-positive limit. */
  constructor(options: WindowRateLimiterOptions) {
    this.clock = options.clock;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.states = this.buildStates(options.rules, []);
  }

  /**
   * Replaces the rules, e.g. with the limits the venue declares in `exchangeInfo` once they are
   * known. A rule that keeps its kind and interval keeps what was already counted in its window,
   * so switching never grants a fresh budget mid-window.
   * @throws TypeError on an invalid interval or a non-positive limit (the old rules stay).
   */
  setRules(rules: readonly RateLimitRule[]): void {
    this.states = this.buildStates(rules, this.states);
    this.pump();
  }

  /** The rules in force. */
  rules(): RateLimitRule[] {
    return this.states.map((s) => ({ ...s.rule }));
  }

  private buildStates(rules: readonly RateLimitRule[], previous: readonly RuleState[]): RuleState[] {
    const now = this.clock.now();
    return rules.map((rule) => {
      if (!(rule.limit > 0)) throw new TypeError(`rate-limit rule ${ruleKey(rule)} needs a positive limit`);
      const ms = intervalToMs(rule.interval);
      const windowStart = Math.floor(now / ms) * ms;
      const old = previous.find((s) => s.rule.kind === rule.kind && s.ms === ms && s.windowStart === windowStart);
      return { rule, key: ruleKey(rule), ms, used: old?.used ?? 0, windowStart };
    });
  }

  /** Requests waiting for room. */
  get pending(): number {
    return this.queue.length;
  }

  /** Epoch ms before which nothing is admitted (0 when not paused). */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /**
   * Waits until the request fits every rule (and any pause has passed), counts it, and returns
   * its ticket. Requests that compete for the same rule are admitted in arrival order.
   * @throws RateLimitError (`details.local: true`, not banned) when the wait would exceed `maxWaitMs`.
   * @throws ChimeraError `REQUEST_EXCEEDS_LIMIT` when the cost alone is above a rule's limit.
   * @throws the signal's reason when `signal` aborts while waiting.
   */
  acquire(cost: RequestCost = {}, signal?: AbortSignal): Promise<LimiterTicket> {
    for (const s of this.states) {
      const c = this.costFor(s, cost);
      if (c > s.rule.limit) {
        return Promise.reject(
          new ChimeraError(`request costs ${c} against ${s.key} whose limit is ${s.rule.limit}`, {
            code: 'REQUEST_EXCEEDS_LIMIT',
            status: 400,
            retryable: false,
            details: { rule: s.key, cost: c, limit: s.rule.limit },
          }),
        );
      }
    }
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    if (this.queue.length === 0) {
      // Fast path, the common case: nobody waiting and room now.
      const ticket = this.tryAdmit(cost, this.clock.now());
      if (ticket) return Promise.resolve(ticket);
    }
    return new Promise<LimiterTicket>((resolve, reject) => {
      const waiter: Waiter = {
        cost,
        deadline: this.clock.now() + this.maxWaitMs,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal?.reason ?? new Error('aborted'));
          this.pump();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  /**
   * Corrects the counts with what the venue reports. A report only raises a count (the venue saw
   * more than we counted: other processes behind the same IP, or requests we did not weigh
   * right); it never lowers one, because requests still in flight are in our count but not yet in
   * the venue's. With a `ticket`, reports are ignored for rules whose window has rolled since the
   * request was admitted (the count would belong to the previous window). Reports for rules that
   * were not declared are ignored.
   * @returns the keys of the rules whose count was raised.
   */
  observe(reports: readonly UsageReport[], ticket?: LimiterTicket): string[] {
    const now = this.clock.now();
    const raised: string[] = [];
    for (const report of reports) {
      if (!Number.isFinite(report.used)) continue;
      let ms: number;
      try {
        ms = intervalToMs(report.interval);
      } catch {
        continue;
      }
      const s = this.states.find((st) => st.rule.kind === report.kind && st.ms === ms);
      if (!s) continue;
      this.roll(s, now);
      const admittedIn = ticket?.windows.get(s.key);
      if (ticket && admittedIn !== s.windowStart) continue;
      if (report.used > s.used) {
        s.used = report.used;
        raised.push(s.key);
      }
    }
    if (raised.length > 0) this.pump();
    return raised;
  }

  /** Admits nothing before `untilMs` (epoch ms); a later pause extends, an earlier one is ignored. */
  pause(untilMs: number): void {
    if (untilMs <= this.pausedUntil) return;
    this.pausedUntil = untilMs;
    this.pump();
  }

  /** Rejects every waiting request with `reason` (e.g. when a ban starts); returns how many. */
  rejectWaiting(reason: unknown): number {
    const waiting = this.queue.splice(0, this.queue.length);
    for (const w of waiting) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(reason);
    }
    this.reschedule(Number.POSITIVE_INFINITY);
    return waiting.length;
  }

  /** The current window of every rule. */
  usage(): RuleUsage[] {
    const now = this.clock.now();
    return this.states.map((s) => {
      this.roll(s, now);
      return {
        key: s.key,
        kind: s.rule.kind,
        interval: s.rule.interval,
        limit: s.rule.limit,
        used: s.used,
        windowStart: s.windowStart,
        windowEnd: s.windowStart + s.ms,
      };
    });
  }

  /** Cancels the internal timer and rejects waiting requests (`INVALID_STATE`, `details.local: true`). */
  close(): void {
    this.rejectWaiting(new ChimeraError('rate limiter closed', { code: 'INVALID_STATE', status: 409, details: { local: true } }));
  }

  /** Counts and admits `cost` if it fits now and no pause is in force; else `undefined`. */
  private tryAdmit(cost: RequestCost, now: number): LimiterTicket | undefined {
    if (now < this.pausedUntil) return undefined;
    for (const s of this.states) {
      this.roll(s, now);
      const c = this.costFor(s, cost);
      if (c > 0 && s.used + c > s.rule.limit) return undefined;
    }
    const windows = new Map<string, number>();
    for (const s of this.states) {
      s.used += this.costFor(s, cost);
      windows.set(s.key, s.windowStart);
    }
    return { windows };
  }

  private costFor(s: RuleState, cost: RequestCost): number {
    switch (s.rule.kind) {
      case 'weight':
        return cost.weight ?? 1;
      case 'orders':
        return cost.orderCount ?? 0;
      case 'raw':
        return 1;
    }
  }

  private roll(s: RuleState, now: number): void {
    if (now >= s.windowStart + s.ms) {
      s.windowStart = Math.floor(now / s.ms) * s.ms;
      s.used = 0;
    }
  }

  /** Admits, refuses or schedules every waiter, in order. */
  private pump(): void {
    const now = this.clock.now();
    for (const s of this.states) this.roll(s, now);
    const blocked = new Set<RuleState>();
    let wakeAt = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.queue.length; ) {
      const w = this.queue[i]!;
      let wait = Math.max(0, this.pausedUntil - now);
      const blocking: RuleState[] = [];
      let behindEarlier = false;
      for (const s of this.states) {
        const c = this.costFor(s, w.cost);
        if (c <= 0) continue;
        if (blocked.has(s)) behindEarlier = true;
        if (s.used + c > s.rule.limit) {
          blocking.push(s);
          wait = Math.max(wait, s.windowStart + s.ms - now);
        }
      }
      if (wait === 0 && !behindEarlier) {
        this.queue.splice(i, 1);
        const windows = new Map<string, number>();
        for (const s of this.states) {
          s.used += this.costFor(s, w.cost);
          windows.set(s.key, s.windowStart);
        }
        w.signal?.removeEventListener('abort', w.onAbort);
        w.resolve({ windows });
        continue;
      }
      if (now + wait > w.deadline || (behindEarlier && now >= w.deadline)) {
        this.queue.splice(i, 1);
        w.signal?.removeEventListener('abort', w.onAbort);
        const paused = this.pausedUntil > now;
        w.reject(
          new RateLimitError(`no rate-limit room within ${this.maxWaitMs} ms`, wait, false, {
            details: { local: true, paused, rules: blocking.map((s) => s.key) },
          }),
        );
        continue;
      }
      for (const s of blocking) blocked.add(s);
      // A request behind another on the same rule is woken when that one is admitted; its own
      // deadline is the only time it must be looked at again.
      wakeAt = Math.min(wakeAt, wait > 0 ? now + wait : w.deadline);
      i++;
    }
    this.reschedule(wakeAt);
  }

  private reschedule(at: number): void {
    if (at === this.timerAt) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (!Number.isFinite(at)) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    }, at - this.clock.now());
  }
}
