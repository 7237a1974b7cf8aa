import { EventEmitter } from 'eventemitter3';
import type { z } from 'zod';
import type { Clock } from '../clock/clock.js';
import { parseWith } from '../domain/parse.js';
import type { RiskRejectedError } from '../errors.js';
import { BreakerConfig } from './risk-config.js';
import type { RiskAlert } from './risk-alert.js';
import { riskRejection } from './risk-rule.js';

/** Input form of {@link BreakerConfig} (every field optional). */
export type BreakerConfigInput = z.input<typeof BreakerConfig>;

/** A breaker's state: `closed` (traffic flows), `open` (entries paused), `half_open` (one probe). */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** Why a breaker opened. */
export type CircuitOpenReason = 'CONSECUTIVE_FAILURES' | 'ERROR_RATE' | 'PROBE_FAILED' | 'MANUAL';

/** Payload of the `opened` event. */
export interface CircuitOpenedEvent {
  key: string;
  reason: CircuitOpenReason;
  /** Failures in a row when it opened. */
  consecutiveFailures: number;
  /** Outcomes in the window and the failure share among them (0–1). */
  calls: number;
  errorRate: number;
  /** The last failure's description, as the caller gave it (secret-free). */
  lastFailure: string | undefined;
  /** When the half-open probe becomes possible (epoch ms). */
  halfOpenAt: number;
  ts: number;
}

/** Payload of the `half_open` and `closed` events. */
export interface CircuitTransitionEvent {
  key: string;
  from: CircuitState;
  to: CircuitState;
  ts: number;
}

/** Events of a {@link CircuitBreaker}. No event is named `error` (DESIGN.md). */
export interface CircuitBreakerEvents {
  /** A key's breaker opened: new entries on it are paused. */
  opened: (event: CircuitOpenedEvent) => void;
  /** The cooldown ended: the next entry on the key is the probe. Observed on the next query. */
  half_open: (event: CircuitTransitionEvent) => void;
  /** The probe succeeded (or the key was reset): traffic flows again. */
  closed: (event: CircuitTransitionEvent) => void;
  /** An alert for the `alerts` stream, raised on every transition. */
  alert: (alert: RiskAlert) => void;
}

/** A read-only view of one key's breaker. */
export interface CircuitSnapshot {
  key: string;
  state: CircuitState;
  consecutiveFailures: number;
  /** Outcomes in the error-rate window and how many failed. */
  calls: number;
  failures: number;
  /** When it last opened (epoch ms), while open or half-open. */
  openedAt: number | undefined;
  /** When the half-open probe becomes possible (epoch ms), while open. */
  halfOpenAt: number | undefined;
  reason: CircuitOpenReason | undefined;
}

interface Outcome {
  ok: boolean;
  at: number;
}

interface Entry {
  state: CircuitState;
  consecutive: number;
  outcomes: Outcome[];
  openedAt: number | undefined;
  reason: CircuitOpenReason | undefined;
  /** When the half-open probe was handed out; undefined while none is out. */
  probeAt: number | undefined;
  /** The threshold that opened it and the figure that crossed it, for rejections. */
  trigger: { limit: number | string; observed: number | string } | undefined;
}

/**
 * A circuit breaker per key (a pair such as `FUT:BTCUSDT`, or a strategy id) on the injected
 * {@link Clock} (SPEC §4: consecutive failures or an error rate pause the pair and alert).
 *
 * `closed` → `open` after `consecutiveFailures` failures in a row, or when the window holds at least
 * `minCalls` outcomes and `failures / calls >= errorRate`. `open` refuses entries for `cooldownMs`,
 * then turns `half_open` (observed lazily on the next query, so no timer is needed): one probe is
 * allowed; its success closes the breaker, its failure opens it again for another cooldown. A probe
 * not answered within `probeTimeoutMs` is considered lost and another one is allowed.
 *
 * Outcomes reported while open are ignored: they belong to calls made before it opened.
 */
export class CircuitBreaker {
  /** Transition and alert events. */
  readonly events = new EventEmitter<CircuitBreakerEvents>();
  /** The parsed settings in force. */
  readonly config: BreakerConfig;
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();

  /**
   * @param options.clock - the time source.
   * @param options.config - settings; defaults per {@link BreakerConfig}.
   * @throws ValidationError when the settings are invalid.
   */
  constructor(options: { clock: Clock; config?: BreakerConfigInput }) {
    this.clock = options.clock;
    this.config = parseWith(BreakerConfig, options.config ?? {}, 'breaker config');
  }

  /** The current state of `key` (unknown keys are closed). May observe the open → half-open move. */
  state(key: string): CircuitState {
    return this.refresh(key)?.state ?? 'closed';
  }

  /** Whether an entry on `key` would pass now, without taking the half-open probe. */
  canPass(key: string): boolean {
    const e = this.refresh(key);
    if (!e || e.state === 'closed') return true;
    if (e.state === 'open') return false;
    return !this.probeOut(e);
  }

  /**
   * Lets an entry on `key` through if the breaker allows it, taking the half-open probe when that
   * is what allows it. Report the call's outcome with {@link recordSuccess} / {@link recordFailure}.
   * @returns false when the breaker is open or the probe is already out.
   */
  acquire(key: string): boolean {
    const e = this.refresh(key);
    if (!e || e.state === 'closed') return true;
    if (e.state === 'open' || this.probeOut(e)) return false;
    e.probeAt = this.clock.now();
    return true;
  }

  /**
   * {@link acquire} that throws instead of returning false.
   * @throws RiskRejectedError rule `CIRCUIT_OPEN` with `key`, `state` and `retryAfterMs`.
   */
  check(key: string): void {
    if (!this.acquire(key)) throw this.rejection(key);
  }

  /** The `CIRCUIT_OPEN` rejection for `key` as it stands now (for callers that check by peeking). */
  rejection(key: string): RiskRejectedError {
    const snap = this.snapshot(key);
    const e = this.entries.get(key);
    const now = this.clock.now();
    let retryAfterMs = 0;
    if (snap.state === 'open' && snap.halfOpenAt !== undefined) retryAfterMs = Math.max(0, snap.halfOpenAt - now);
    else if (e?.probeAt !== undefined) retryAfterMs = Math.max(0, e.probeAt + this.probeTimeoutMs() - now);
    const what = snap.state === 'open' ? 'open' : 'half-open with its probe already out';
    return riskRejection('CIRCUIT_OPEN', `circuit breaker for ${key} is ${what}`, {
      key,
      state: snap.state,
      reason: snap.reason,
      limit: e?.trigger?.limit,
      observed: e?.trigger?.observed,
      retryAfterMs,
    });
  }

  /** Reports a successful call on `key`. In half-open this closes the breaker. */
  recordSuccess(key: string): void {
    const e = this.refresh(key);
    if (!e) {
      this.entries.set(key, this.fresh([{ ok: true, at: this.clock.now() }]));
      return;
    }
    if (e.state === 'open') return;
    if (e.state === 'half_open') {
      this.close(key, e, 'half_open');
      return;
    }
    e.consecutive = 0;
    this.push(e, true);
  }

  /**
   * Reports a failed call on `key`. May open the breaker (closed) or re-open it (half-open).
   * @param failure - a short, secret-free description kept for the alert (e.g. an error code).
   */
  recordFailure(key: string, failure?: string): void {
    let e = this.refresh(key);
    if (!e) {
      e = this.fresh([]);
      this.entries.set(key, e);
    }
    if (e.state === 'open') return;
    if (e.state === 'half_open') {
      this.open(key, e, 'PROBE_FAILED', failure);
      return;
    }
    e.consecutive++;
    this.push(e, false);
    if (e.consecutive >= this.config.consecutiveFailures) {
      this.open(key, e, 'CONSECUTIVE_FAILURES', failure);
      return;
    }
    const { calls, failures } = this.counts(e);
    if (calls >= Math.min(this.config.minCalls, this.config.window) && failures / calls >= this.config.errorRate) {
      this.open(key, e, 'ERROR_RATE', failure);
    }
  }

  /** Opens the breaker of `key` by hand (e.g. an operator pause). */
  trip(key: string, failure = 'manual'): void {
    let e = this.refresh(key);
    if (!e) {
      e = this.fresh([]);
      this.entries.set(key, e);
    }
    this.open(key, e, 'MANUAL', failure);
  }

  /** Closes the breaker of `key` and forgets its history. */
  reset(key: string): void {
    const e = this.refresh(key);
    if (!e) return;
    if (e.state !== 'closed') this.close(key, e, e.state);
    else this.entries.delete(key);
  }

  /** A read-only view of `key`. */
  snapshot(key: string): CircuitSnapshot {
    const e = this.refresh(key);
    if (!e) {
      return { key, state: 'closed', consecutiveFailures: 0, calls: 0, failures: 0, openedAt: undefined, halfOpenAt: undefined, reason: undefined };
    }
    const { calls, failures } = this.counts(e);
    return {
      key,
      state: e.state,
      consecutiveFailures: e.consecutive,
      calls,
      failures,
      openedAt: e.openedAt,
      halfOpenAt: e.state === 'open' && e.openedAt !== undefined ? e.openedAt + this.config.cooldownMs : undefined,
      reason: e.reason,
    };
  }

  /** Keys the breaker has seen, in first-seen order. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  private fresh(outcomes: Outcome[]): Entry {
    return { state: 'closed', consecutive: 0, outcomes, openedAt: undefined, reason: undefined, probeAt: undefined, trigger: undefined };
  }

  private probeTimeoutMs(): number {
    return this.config.probeTimeoutMs ?? Math.max(1, this.config.cooldownMs);
  }

  private probeOut(e: Entry): boolean {
    return e.probeAt !== undefined && this.clock.now() - e.probeAt < this.probeTimeoutMs();
  }

  /** Applies the time-driven move open → half-open and prunes the window by age. */
  private refresh(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = this.clock.now();
    if (e.state === 'open' && e.openedAt !== undefined && now >= e.openedAt + this.config.cooldownMs) {
      e.state = 'half_open';
      e.probeAt = undefined;
      this.events.emit('half_open', { key, from: 'open', to: 'half_open', ts: now });
      this.events.emit('alert', {
        level: 'INFO',
        code: 'CIRCUIT_HALF_OPEN',
        message: `circuit breaker for ${key} is half-open: the next entry is a probe`,
        details: { key, reason: e.reason },
        ts: now,
      });
    }
    this.prune(e, now);
    return e;
  }

  private push(e: Entry, ok: boolean): void {
    e.outcomes.push({ ok, at: this.clock.now() });
    this.prune(e, this.clock.now());
  }

  private prune(e: Entry, now: number): void {
    while (e.outcomes.length > this.config.window) e.outcomes.shift();
    const maxAge = this.config.windowMs;
    if (maxAge !== undefined) {
      while (e.outcomes.length > 0 && now - e.outcomes[0]!.at > maxAge) e.outcomes.shift();
    }
  }

  private counts(e: Entry): { calls: number; failures: number } {
    let failures = 0;
    for (const o of e.outcomes) if (!o.ok) failures++;
    return { calls: e.outcomes.length, failures };
  }

  private open(key: string, e: Entry, reason: CircuitOpenReason, failure: string | undefined): void {
    const now = this.clock.now();
    const { calls, failures } = this.counts(e);
    const consecutiveFailures = e.consecutive;
    e.state = 'open';
    e.openedAt = now;
    e.reason = reason;
    e.probeAt = undefined;
    const errorRate = calls === 0 ? 0 : failures / calls;
    const halfOpenAt = now + this.config.cooldownMs;
    e.trigger =
      reason === 'CONSECUTIVE_FAILURES'
        ? { limit: this.config.consecutiveFailures, observed: consecutiveFailures }
        : reason === 'ERROR_RATE'
          ? { limit: this.config.errorRate, observed: errorRate }
          : reason === 'PROBE_FAILED'
            ? { limit: 'probe success', observed: 'probe failed' }
            : { limit: 'closed', observed: 'tripped by hand' };
    this.events.emit('opened', { key, reason, consecutiveFailures, calls, errorRate, lastFailure: failure, halfOpenAt, ts: now });
    this.events.emit('alert', {
      level: 'ERROR',
      code: 'CIRCUIT_OPEN',
      message: `circuit breaker for ${key} opened (${reason}): new entries paused for ${this.config.cooldownMs} ms`,
      details: { key, reason, consecutiveFailures, calls, errorRate, lastFailure: failure, cooldownMs: this.config.cooldownMs, halfOpenAt },
      ts: now,
    });
  }

  private close(key: string, e: Entry, from: CircuitState): void {
    const now = this.clock.now();
    this.entries.set(key, this.fresh([]));
    this.events.emit('closed', { key, from, to: 'closed', ts: now });
    this.events.emit('alert', {
      level: 'INFO',
      code: 'CIRCUIT_CLOSED',
      message: `circuit breaker for ${key} closed: entries resume`,
      details: { key, previousReason: e.reason },
      ts: now,
    });
  }
}
