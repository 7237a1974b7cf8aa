import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/clock.js';
import type { RiskAlert } from './risk-alert.js';

/** Payload of the `entered` event. */
export interface DegradedEnteredEvent {
  /** The reason that switched degraded mode on. */
  reason: string;
  /** Every active reason (including `reason`). */
  reasons: string[];
  ts: number;
}

/** Payload of the `exited` event. */
export interface DegradedExitedEvent {
  /** The reasons that were active until now. */
  reasons: string[];
  /** How long degraded mode lasted (ms). */
  durationMs: number;
  ts: number;
}

/** Events of {@link DegradedMode}. No event is named `error` (DESIGN.md). */
export interface DegradedModeEvents {
  /** Degraded mode switched on (first reason). */
  entered: (event: DegradedEnteredEvent) => void;
  /** Degraded mode switched off (last reason cleared). */
  exited: (event: DegradedExitedEvent) => void;
  /** An alert for the `alerts` stream on each switch. */
  alert: (alert: RiskAlert) => void;
}

/**
 * Degraded mode: "manage existing positions only" (SPEC §1.2: more than `N_max` reconnect failures
 * switch the system to it). While active, the risk gate lets only orders that shrink |position|
 * through.
 *
 * Reasons are kept as a set so independent sources (two connections, an operator) can each switch
 * it on and clear only their own reason; it stays active while any reason remains.
 */
export class DegradedMode {
  /** Switch and alert events. */
  readonly events = new EventEmitter<DegradedModeEvents>();
  private readonly active = new Set<string>();
  private activeSince: number | undefined;

  /** @param clock - the time source for timestamps. */
  constructor(private readonly clock: Clock) {}

  /** True while at least one reason is active. */
  get isActive(): boolean {
    return this.active.size > 0;
  }

  /** The active reasons, in the order they were entered. */
  get reasons(): string[] {
    return [...this.active];
  }

  /** When degraded mode switched on (epoch ms), or undefined when inactive. */
  get since(): number | undefined {
    return this.activeSince;
  }

  /**
   * Switches degraded mode on for `reason` (idempotent per reason). Emits `entered` and an ERROR
   * alert `DEGRADED_MODE` only when it was inactive.
   * @param reason - short, secret-free, e.g. `binance:FUT ws FATAL`.
   */
  enter(reason: string): void {
    if (this.active.has(reason)) return;
    const wasActive = this.isActive;
    this.active.add(reason);
    if (wasActive) return;
    const ts = this.clock.now();
    this.activeSince = ts;
    this.events.emit('entered', { reason, reasons: this.reasons, ts });
    this.events.emit('alert', {
      level: 'ERROR',
      code: 'DEGRADED_MODE',
      message: `degraded mode on (${reason}): only orders that reduce positions pass`,
      details: { reason, reasons: this.reasons },
      ts,
    });
  }

  /**
   * Clears `reason`, or every reason when omitted. Emits `exited` and an INFO alert
   * `DEGRADED_MODE_EXITED` when the last reason goes.
   */
  exit(reason?: string): void {
    if (!this.isActive) return;
    const before = this.reasons;
    if (reason === undefined) this.active.clear();
    else this.active.delete(reason);
    if (this.isActive) return;
    const ts = this.clock.now();
    const durationMs = ts - (this.activeSince ?? ts);
    this.activeSince = undefined;
    this.events.emit('exited', { reasons: before, durationMs, ts });
    this.events.emit('alert', {
      level: 'INFO',
      code: 'DEGRADED_MODE_EXITED',
      message: `degraded mode off after ${durationMs} ms: entries allowed again`,
      details: { reasons: before, durationMs },
      ts,
    });
  }
}
