import type { Clock } from '../clock/clock.js';
import type { ConnectorAlert, ExchangeConnector } from '../connector.js';
import type { ReconcileRequestInput } from '../domain/reconcile.js';
import type { EngineAlert } from '../execution/execution-context.js';
import type { Executor } from '../execution/executor.js';
import { ReconcileSchedule, type ReconcileRunInfo, type ReconcileTrigger } from '../jobs/reconcile-schedule.js';
import type { Logger } from '../logging/logger.js';
import type { EventSink } from '../sinks/event-sink.js';
import type { StreamKeys } from '../sinks/stream-keys.js';
import type { Reconciler } from './reconciler.js';

/** Options of {@link scheduleReconciler}. */
export interface ReconcilerScheduleOptions {
  /** Time source of the interval. */
  clock: Clock;
  /** Period, ms (default 300 000 = 5 min, SPEC §5). */
  everyMs?: number;
  /** Run with reason `startup` when started (default true). */
  runOnStart?: boolean;
  /** The request each run makes (default `{}`: mode ALL, CONSERVATIVE, 72 h), or one per trigger. */
  request?: ReconcileRequestInput | ((reason: ReconcileTrigger) => ReconcileRequestInput);
  /**
   * Venues whose user-stream reconnects (`userStreamConnected` with `reconnect: true`) and
   * alerts trigger a run. Default: the reconciler's venues.
   */
  connectors?: readonly ExchangeConnector[];
  /** Executors whose alerts trigger a run (e.g. `UNKNOWN_OUTCOME`: "reconciliation will settle it"). */
  executors?: readonly Pick<Executor, 'events'>[];
  /** Which connector and engine alerts trigger a run (default: level ERROR or FATAL). */
  alertTriggers?: (alert: ConnectorAlert | EngineAlert) => boolean;
  /** The schedule's own alerts (`RECONCILE_FAILED`, `RECONCILE_BAD_RESULT`) also go to its `alerts` stream. */
  sink?: EventSink;
  /** Stream names (default scheme). */
  keys?: StreamKeys;
  logger?: Logger;
}

/** A running reconciliation schedule wired to its triggers. */
export interface ReconcilerSchedule {
  /** The underlying schedule (`lastRun`, `skipped`, `ran` and `alert` events). */
  readonly schedule: ReconcileSchedule;
  /** Starts the interval and the start-up run, and listens to the triggers. Idempotent. */
  start(): void;
  /** Stops listening and the interval; waits for a running run. Idempotent. */
  stop(): Promise<void>;
  /** Runs now (or queues one follow-up run, see `ReconcileSchedule.runNow`). Never rejects. */
  runNow(reason?: ReconcileTrigger): Promise<ReconcileRunInfo>;
}

const SERIOUS = (a: ConnectorAlert | EngineAlert): boolean => a.level === 'ERROR' || a.level === 'FATAL';

/**
 * Plugs a {@link Reconciler} into a `ReconcileSchedule` (SPEC §5): a run at start-up, every
 * `everyMs` (5 min), after every user-stream reconnect of its venues and on their ERROR/FATAL
 * alerts (and those of the given executors). Runs never overlap; triggers during a run share one
 * follow-up run. A result is judged bad (lowering health) by `reconciler.isBad`.
 *
 * Hold new entries until `reconciler.ready` resolves: it does after the first clean run, so the
 * start-up run gates trading.
 *
 * The reconciler itself records `recon:{last_run_ts}` (its `lastRun` option); the schedule is not
 * given the key again.
 *
 * @param reconciler - The engine to run.
 * @param options - Clock, period, request and trigger sources.
 * @returns The schedule handle (not started).
 */
export function scheduleReconciler(reconciler: Reconciler, options: ReconcilerScheduleOptions): ReconcilerSchedule {
  const requestFor = (reason: ReconcileTrigger): ReconcileRequestInput =>
    typeof options.request === 'function' ? options.request(reason) : (options.request ?? {});
  const schedule = new ReconcileSchedule({
    run: (reason) => reconciler.reconcile(requestFor(reason), { reason }),
    clock: options.clock,
    isBad: (result) => reconciler.isBad(result),
    ...(options.everyMs !== undefined ? { everyMs: options.everyMs } : {}),
    ...(options.runOnStart !== undefined ? { runOnStart: options.runOnStart } : {}),
    ...(options.sink ? { sink: options.sink } : {}),
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const triggers = options.alertTriggers ?? SERIOUS;
  const onConnected = (info: { reconnect: boolean }): void => {
    if (info.reconnect) void schedule.runNow('reconnect');
  };
  const onAlert = (alert: ConnectorAlert | EngineAlert): void => {
    if (triggers(alert)) void schedule.runNow('alert');
  };
  const connectors = options.connectors ?? reconciler.venues;
  const executors = options.executors ?? [];
  let listening = false;
  return {
    schedule,
    start() {
      if (!listening) {
        listening = true;
        for (const c of connectors) {
          c.events.on('userStreamConnected', onConnected);
          c.events.on('alert', onAlert);
        }
        for (const e of executors) e.events.on('engine_alert', onAlert);
      }
      schedule.start();
    },
    async stop() {
      if (listening) {
        listening = false;
        for (const c of connectors) {
          c.events.off('userStreamConnected', onConnected);
          c.events.off('alert', onAlert);
        }
        for (const e of executors) e.events.off('engine_alert', onAlert);
      }
      await schedule.stop();
    },
    runNow: (reason = 'manual') => schedule.runNow(reason),
  };
}
