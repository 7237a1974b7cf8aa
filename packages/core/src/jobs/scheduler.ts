/**
 * A small periodic-job scheduler on the injected clock (heartbeats, instrument refresh, funding
 * backfill, top-ups): fixed periods, optional run on start, never two runs of one job at once,
 * failures reported as events and alerts — never thrown into a timer.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock, TimerHandle } from '../clock/clock.js';
import { isChimeraError, ValidationError } from '../errors.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';
import type { EventSink } from '../sinks/event-sink.js';
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '../sinks/stream-keys.js';

/** A periodic job. */
export interface JobDefinition {
  /** Unique name, e.g. `heartbeat:binance`. */
  name: string;
  /** Period, ms (> 0). */
  everyMs: number;
  /** The work. Its resolved value is kept as the run's `result`. */
  run: () => Promise<unknown>;
  /** Run once as soon as the scheduler starts (default false). */
  runOnStart?: boolean;
}

/** Why a job ran. */
export type JobRunReason = 'start' | 'interval' | 'manual';

/** One finished run. */
export interface JobRun {
  name: string;
  reason: JobRunReason;
  startedAt: number;
  finishedAt: number;
  ok: boolean;
  /** What `run` resolved with (when ok). */
  result?: unknown;
  /** `CODE: message` of the failure (when not ok). */
  error?: string;
}

/** Counters of one job. */
export interface JobStats {
  name: string;
  everyMs: number;
  /** Runs finished (ok or not). */
  runs: number;
  failures: number;
  /** Failures since the last successful run. */
  consecutiveFailures: number;
  /** Interval ticks skipped because the previous run was still going. */
  skipped: number;
  running: boolean;
  lastStartedAt?: number;
  lastFinishedAt?: number;
  lastOkAt?: number;
  lastError?: string;
}

/** An alert of the scheduler (same shape as the other alerts). */
export type JobAlert = {
  level: 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  code: string;
  message: string;
  details: Record<string, unknown>;
  ts: number;
};

/** Events of {@link JobScheduler}. No event is named `error`. */
export interface JobSchedulerEvents {
  /** A run started. */
  jobStarted: (event: { name: string; reason: JobRunReason; ts: number }) => void;
  /** A run finished successfully. */
  jobFinished: (run: JobRun) => void;
  /** A run failed (its promise rejected). */
  jobFailed: (run: JobRun) => void;
  /** An interval tick found the previous run still going and was skipped. */
  jobSkipped: (event: { name: string; ts: number }) => void;
  /** `JOB_FAILED` (WARN; ERROR from `errorAfter` failures in a row) and `JOB_RECOVERED` (INFO). */
  alert: (alert: JobAlert) => void;
}

/** Options of {@link JobScheduler}. */
export interface JobSchedulerOptions {
  /** Time source of every timer. */
  clock: Clock;
  /** Alerts are also published to its `alerts` stream when given. */
  sink?: EventSink;
  /** Stream names (default scheme). */
  keys?: StreamKeys;
  /** Logger; wrapped in redaction (default silent). */
  logger?: Logger;
  /** Failures in a row from which `JOB_FAILED` is an ERROR rather than a WARN (default 3). */
  errorAfter?: number;
}

interface JobState {
  def: JobDefinition;
  stats: JobStats;
  timer: TimerHandle | undefined;
  current: Promise<JobRun> | undefined;
}

function describeError(err: unknown): string {
  if (isChimeraError(err)) return `${err.code}: ${err.shortMessage}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs {@link JobDefinition}s every `everyMs` on the clock (`clock.setInterval`), so a `FakeClock`
 * runs a day of schedule in milliseconds. A tick that finds the job still running is skipped and
 * counted; `runNow` joins a running run instead of starting a second one.
 */
export class JobScheduler {
  /** Run, skip and alert events. */
  readonly events = new EventEmitter<JobSchedulerEvents>();

  private readonly clock: Clock;
  private readonly sink: EventSink | undefined;
  private readonly keys: StreamKeys;
  private readonly log: Logger;
  private readonly errorAfter: number;
  private readonly jobs = new Map<string, JobState>();
  private started = false;

  constructor(options: JobSchedulerOptions) {
    this.clock = options.clock;
    this.sink = options.sink;
    this.keys = options.keys ?? DEFAULT_STREAM_KEYS;
    this.log = redactingLogger(options.logger ?? noopLogger).child({ component: 'jobs' });
    this.errorAfter = Math.max(1, Math.floor(options.errorAfter ?? 3));
  }

  /** Whether `start()` was called (and `stop()` not since). */
  get isRunning(): boolean {
    return this.started;
  }

  /**
   * Adds a job; scheduled at once when the scheduler is already started.
   * @throws ValidationError on a duplicate name or a period that is not a positive finite number.
   */
  add(def: JobDefinition): this {
    if (this.jobs.has(def.name)) {
      throw new ValidationError(`job ${def.name} already exists`, [{ path: 'name', message: 'must be unique' }]);
    }
    if (!(def.everyMs > 0) || !Number.isFinite(def.everyMs)) {
      throw new ValidationError(`job ${def.name}: everyMs must be a positive number`, [{ path: 'everyMs', message: 'must be > 0' }]);
    }
    const state: JobState = {
      def,
      stats: { name: def.name, everyMs: def.everyMs, runs: 0, failures: 0, consecutiveFailures: 0, skipped: 0, running: false },
      timer: undefined,
      current: undefined,
    };
    this.jobs.set(def.name, state);
    if (this.started) this.schedule(state);
    return this;
  }

  /** Removes a job (its running run, if any, finishes). @returns whether it existed. */
  remove(name: string): boolean {
    const state = this.jobs.get(name);
    if (!state) return false;
    this.clock.clearInterval(state.timer);
    this.jobs.delete(name);
    return true;
  }

  /** Starts every job's timer and the run-on-start runs. Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const state of this.jobs.values()) this.schedule(state);
  }

  /** Stops every timer and waits for running runs to finish. Idempotent. */
  async stop(): Promise<void> {
    this.started = false;
    const running: Promise<JobRun>[] = [];
    for (const state of this.jobs.values()) {
      this.clock.clearInterval(state.timer);
      state.timer = undefined;
      if (state.current) running.push(state.current);
    }
    await Promise.all(running);
  }

  /**
   * Runs a job now (joining its run when one is going). Never rejects: the run's failure is in
   * the result.
   * @throws ValidationError (rejection) for an unknown job name.
   */
  runNow(name: string, reason: JobRunReason = 'manual'): Promise<JobRun> {
    const state = this.jobs.get(name);
    if (!state) return Promise.reject(new ValidationError(`unknown job ${name}`, [{ path: 'name', message: 'no such job' }]));
    return state.current ?? this.launch(state, reason);
  }

  /** Counters of one job, or of every job when `name` is omitted. */
  stats(): JobStats[];
  stats(name: string): JobStats | undefined;
  stats(name?: string): JobStats[] | JobStats | undefined {
    if (name !== undefined) {
      const s = this.jobs.get(name)?.stats;
      return s && { ...s };
    }
    return [...this.jobs.values()].map((s) => ({ ...s.stats }));
  }

  private schedule(state: JobState): void {
    state.timer = this.clock.setInterval(() => this.tick(state), state.def.everyMs);
    if (state.def.runOnStart) void this.launch(state, 'start');
  }

  private tick(state: JobState): void {
    if (state.current) {
      state.stats.skipped++;
      this.events.emit('jobSkipped', { name: state.def.name, ts: this.clock.now() });
      return;
    }
    void this.launch(state, 'interval');
  }

  private launch(state: JobState, reason: JobRunReason): Promise<JobRun> {
    const run = this.execute(state, reason).finally(() => {
      state.current = undefined;
      state.stats.running = false;
    });
    state.current = run;
    state.stats.running = true;
    return run;
  }

  private async execute(state: JobState, reason: JobRunReason): Promise<JobRun> {
    const { def, stats } = state;
    const startedAt = this.clock.now();
    stats.lastStartedAt = startedAt;
    this.emitSafely(() => this.events.emit('jobStarted', { name: def.name, reason, ts: startedAt }));
    let run: JobRun;
    try {
      // Through a microtask, so a synchronous throw inside `run` lands in the catch below.
      const result = await Promise.resolve().then(() => def.run());
      run = { name: def.name, reason, startedAt, finishedAt: this.clock.now(), ok: true, result };
    } catch (err) {
      run = { name: def.name, reason, startedAt, finishedAt: this.clock.now(), ok: false, error: describeError(err) };
      this.log.warn({ job: def.name, reason, error: redact(err) }, 'job failed');
    }
    stats.runs++;
    stats.lastFinishedAt = run.finishedAt;
    if (run.ok) {
      const recovered = stats.consecutiveFailures > 0;
      stats.consecutiveFailures = 0;
      stats.lastOkAt = run.finishedAt;
      this.emitSafely(() => this.events.emit('jobFinished', run));
      if (recovered) this.alert('INFO', 'JOB_RECOVERED', `job ${def.name} ran successfully again`, { job: def.name });
    } else {
      stats.failures++;
      stats.consecutiveFailures++;
      stats.lastError = run.error;
      this.emitSafely(() => this.events.emit('jobFailed', run));
      this.alert(stats.consecutiveFailures >= this.errorAfter ? 'ERROR' : 'WARN', 'JOB_FAILED', `job ${def.name} failed: ${run.error}`, {
        job: def.name,
        reason,
        consecutive_failures: stats.consecutiveFailures,
      });
    }
    return run;
  }

  private alert(level: JobAlert['level'], code: string, message: string, details: Record<string, unknown>): void {
    const alert: JobAlert = { level, code, message, details, ts: this.clock.now() };
    this.sink?.publish(this.keys.alerts(), { ...alert, source: 'jobs' });
    this.emitSafely(() => this.events.emit('alert', alert));
  }

  /** A listener that throws must not turn a finished run into an unhandled rejection. */
  private emitSafely(emit: () => void): void {
    try {
      emit();
    } catch (err) {
      this.log.error({ error: redact(err) }, 'job event listener threw');
    }
  }
}
