/**
 * When reconciliation runs (SPEC §5): at start-up, every 5 minutes, after an alert and after a
 * reconnect. The reconciliation itself is a hook (`run`), so the engine plugs in without this
 * schedule knowing it.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock, TimerHandle } from '../clock/clock.js';
import { isChimeraError } from '../errors.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';
import type { EventSink } from '../sinks/event-sink.js';
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '../sinks/stream-keys.js';
import type { JobAlert } from './scheduler.js';

/** Why a reconciliation ran. */
export type ReconcileTrigger = 'startup' | 'interval' | 'alert' | 'reconnect' | 'manual';

/** One finished reconciliation run. */
export interface ReconcileRunInfo {
  reason: ReconcileTrigger;
  startedAt: number;
  finishedAt: number;
  /** The hook resolved. */
  ok: boolean;
  /** What the hook resolved with (e.g. a `ReconcileResponse`). */
  result?: unknown;
  /** `CODE: message` of the failure (when not ok). */
  error?: string;
  /** The result was judged bad by `isBad` (lowers health). */
  bad: boolean;
}

/** Events of {@link ReconcileSchedule}. No event is named `error`. */
export interface ReconcileScheduleEvents {
  /** A run finished (ok or not). */
  ran: (info: ReconcileRunInfo) => void;
  /** `RECONCILE_FAILED` (ERROR) when the hook rejects; `RECONCILE_BAD_RESULT` (WARN) when `isBad` says so. */
  alert: (alert: JobAlert) => void;
}

/** Options of {@link ReconcileSchedule}. */
export interface ReconcileScheduleOptions {
  /** Runs one reconciliation. */
  run: (reason: ReconcileTrigger) => Promise<unknown>;
  /** Time source of the interval. */
  clock: Clock;
  /** Period, ms (default 300 000 = 5 min). */
  everyMs?: number;
  /** Run with reason `startup` when started (default true). */
  runOnStart?: boolean;
  /** Judges a result bad (e.g. orphans found, a cancel failed); a bad run lowers health. */
  isBad?: (result: unknown) => boolean;
  /**
   * Where the time of the last successful run is recorded (e.g. `@chimera/redis-sink`'s
   * `LastRunKey` for `recon:{last_run_ts}`); failures to record are logged, not thrown.
   */
  lastRunKey?: { set(epochMs: number): Promise<unknown> };
  /** Alerts are also published to its `alerts` stream when given. */
  sink?: EventSink;
  /** Stream names (default scheme). */
  keys?: StreamKeys;
  /** Logger; wrapped in redaction (default silent). */
  logger?: Logger;
}

function describeError(err: unknown): string {
  if (isChimeraError(err)) return `${err.code}: ${err.shortMessage}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The reconciliation schedule. Runs never overlap: an interval tick during a run is skipped; an
 * `alert`, `reconnect` or `manual` trigger during a run queues one follow-up run after it (several
 * such triggers share that follow-up), because the state may have changed after the running pass
 * read it.
 */
export class ReconcileSchedule {
  /** `ran` and `alert` events. */
  readonly events = new EventEmitter<ReconcileScheduleEvents>();

  private readonly options: ReconcileScheduleOptions;
  private readonly keys: StreamKeys;
  private readonly log: Logger;
  private timer: TimerHandle | undefined;
  private current: Promise<ReconcileRunInfo> | undefined;
  private queued: Promise<ReconcileRunInfo> | undefined;
  private last: ReconcileRunInfo | undefined;
  private lastOk: number | undefined;
  private skippedTicks = 0;

  constructor(options: ReconcileScheduleOptions) {
    this.options = options;
    this.keys = options.keys ?? DEFAULT_STREAM_KEYS;
    this.log = redactingLogger(options.logger ?? noopLogger).child({ component: 'reconcile-schedule' });
  }

  /** Period, ms. */
  get everyMs(): number {
    return this.options.everyMs ?? 300_000;
  }

  /** The last finished run, if any. */
  get lastRun(): ReconcileRunInfo | undefined {
    return this.last;
  }

  /** Time of the last successful run, if any. */
  get lastOkAt(): number | undefined {
    return this.lastOk;
  }

  /** Interval ticks skipped because a run was going. */
  get skipped(): number {
    return this.skippedTicks;
  }

  /** Starts the interval (and the start-up run unless `runOnStart: false`). Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = this.options.clock.setInterval(() => void this.runNow('interval'), this.everyMs);
    if (this.options.runOnStart ?? true) void this.runNow('startup');
  }

  /** Stops the interval and waits for a running (and queued) run. Idempotent. */
  async stop(): Promise<void> {
    this.options.clock.clearInterval(this.timer);
    this.timer = undefined;
    await (this.queued ?? this.current);
  }

  /** Runs now, or as described on the class when a run is going. Never rejects. */
  runNow(reason: ReconcileTrigger = 'manual'): Promise<ReconcileRunInfo> {
    if (this.queued) {
      // A follow-up is already due (possibly not yet started): it covers this trigger too.
      if (reason === 'interval') this.skippedTicks++;
      return this.queued;
    }
    if (!this.current) return this.launch(reason);
    if (reason === 'interval') {
      this.skippedTicks++;
      return this.current;
    }
    this.queued ??= this.current.then(() => {
      this.queued = undefined;
      return this.launch(reason);
    });
    return this.queued;
  }

  private launch(reason: ReconcileTrigger): Promise<ReconcileRunInfo> {
    this.current = this.execute(reason).finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  private async execute(reason: ReconcileTrigger): Promise<ReconcileRunInfo> {
    const { clock } = this.options;
    const startedAt = clock.now();
    let info: ReconcileRunInfo;
    try {
      const result = await Promise.resolve().then(() => this.options.run(reason));
      let bad = false;
      try {
        bad = this.options.isBad?.(result) === true;
      } catch (err) {
        this.log.warn({ error: redact(err) }, 'isBad threw; result taken as bad');
        bad = true;
      }
      info = { reason, startedAt, finishedAt: clock.now(), ok: true, result, bad };
    } catch (err) {
      info = { reason, startedAt, finishedAt: clock.now(), ok: false, error: describeError(err), bad: true };
      this.log.error({ reason, error: redact(err) }, 'reconciliation failed');
    }
    this.last = info;
    if (info.ok) {
      this.lastOk = info.finishedAt;
      await this.options.lastRunKey
        ?.set(info.finishedAt)
        .catch((err: unknown) => this.log.warn({ error: redact(err) }, 'last reconciliation time not recorded'));
      if (info.bad) this.alert('WARN', 'RECONCILE_BAD_RESULT', `reconciliation (${reason}) found problems`, { reason });
    } else {
      this.alert('ERROR', 'RECONCILE_FAILED', `reconciliation (${reason}) failed: ${info.error ?? ''}`, { reason });
    }
    try {
      this.events.emit('ran', info);
    } catch (err) {
      this.log.error({ error: redact(err) }, 'reconcile schedule listener threw');
    }
    return info;
  }

  private alert(level: JobAlert['level'], code: string, message: string, details: Record<string, unknown>): void {
    const alert: JobAlert = { level, code, message, details, ts: this.options.clock.now() };
    this.options.sink?.publish(this.keys.alerts(), { ...alert, source: 'reconcile-schedule' });
    try {
      this.events.emit('alert', alert);
    } catch (err) {
      this.log.error({ error: redact(err) }, 'reconcile schedule listener threw');
    }
  }
}
