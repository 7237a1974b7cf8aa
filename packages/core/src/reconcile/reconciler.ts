import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import type { Balance } from '../domain/account.js';
import { parseReconcileRequest, type ReconcileEvent, type ReconcileRequest, type ReconcileResponse } from '../domain/reconcile.js';
import { isChimeraError, ValidationError, VenueError } from '../errors.js';
import type { IntentLifecycle } from '../execution/intent-lifecycle.js';
import type { ReconcileRunInfo, ReconcileTrigger } from '../jobs/reconcile-schedule.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';
import type { EventSink } from '../sinks/event-sink.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import type { Store } from '../sinks/store.js';
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '../sinks/stream-keys.js';
import { applyPlan, type LastRunRecorder } from './apply.js';
import { describePlan } from './describe-plan.js';
import { diff, type DiffOptions } from './diff.js';
import { loadLocal } from './local-loader.js';
import { mergePlans } from './merge-plans.js';
import { plan, type PlanPolicy } from './plan.js';
import type { ReconcileAlert, ReconcilePlan } from './planned-action.js';
import { collectTruth, type CollectedTruth, type TruthFetchFailure } from './truth-loader.js';

/** Options of {@link Reconciler}. */
export interface ReconcilerOptions {
  /** The venue to reconcile. Give `connector`, `connectors`, or both. */
  connector?: ExchangeConnector;
  /** Several venues: each is fetched in parallel and diffed against the store on its own. */
  connectors?: readonly ExchangeConnector[];
  store: Store;
  /** Receives `strategy:reconciled` and `alerts` (default: a new `MemoryEventSink`). */
  sink?: EventSink;
  /** Stream names (default scheme). */
  keys?: StreamKeys;
  /** Time source: collection start, stamps, windows. */
  clock: Clock;
  /** Logger; wrapped in redaction (default silent). */
  logger?: Logger;
  /** Intent transitions (default: an `IntentLifecycle` over `store` and `clock`). */
  lifecycle?: IntentLifecycle;
  /**
   * Where `recon:{last_run_ts}` goes after each applied run — pass `reconLastRunKey(redis)` from
   * `@chimera/redis-sink`. Default: kept in memory only ({@link Reconciler.lastRunTs}).
   */
  lastRun?: LastRunRecorder;
  /**
   * The quantity step of a futures symbol, so close slices land on the venue's grid. Default: the
   * connector's instrument (`instrument('FUT', symbol).stepSize`), loaded for every position the
   * run may reduce; this hook, when given, is asked first.
   */
  stepFor?: (venue: string, symbol: string) => string | undefined;
  /** The balances the bot expects, for HOLDINGS checks (absent: balances are not compared). */
  expectedBalances?: () => readonly Balance[] | Promise<readonly Balance[]>;
  /** Settle window and balance tolerance of `diff`. */
  diff?: DiffOptions;
  /** Slice limits of reduce-only closes (see `PlanPolicy`). */
  slices?: Pick<PlanPolicy, 'closeSliceQty' | 'maxSliceNotionalUsdt' | 'maxSlices'>;
  /** Consecutive failed runs after which a FATAL `RECONCILE_REPEATED_FAILURE` alert is raised (default 3). */
  escalateAfter?: number;
}

/** Events of {@link Reconciler}. No event is named `error`. */
export interface ReconcilerEvents {
  /** One per item of an applied run (also published to `strategy:reconciled`). */
  reconciled: (event: ReconcileEvent) => void;
  /** Every alert a run raises (also published to `alerts`). */
  alert: (alert: ReconcileAlert) => void;
  /** A run (not a dry run) finished, ok or not. */
  ran: (info: ReconcileRunInfo) => void;
}

/** Options of one {@link Reconciler.reconcile} call. */
export interface ReconcileCallOptions {
  /** Why it runs; recorded in {@link Reconciler.lastRun} (default `manual`). */
  reason?: ReconcileTrigger;
}

/** Alert code raised when a run's truth could only be partly fetched. */
export const RECONCILE_TRUTH_PARTIAL = 'RECONCILE_TRUTH_PARTIAL';
/** Alert code raised after {@link ReconcilerOptions.escalateAfter} failed runs in a row. */
export const RECONCILE_REPEATED_FAILURE = 'RECONCILE_REPEATED_FAILURE';

/**
 * A result that should lower health: an action failed, or an orphan (order or position) was found
 * — the store and the venue had drifted apart, which a healthy system does not do.
 */
export function isBadReconcileResult(response: Pick<ReconcileResponse, 'items'>): boolean {
  return response.items.some((i) => i.action === 'FAILED' || i.type === 'ORPHAN_ORDER' || i.type === 'ORPHAN_POS');
}

function describeError(err: unknown): string {
  if (isChimeraError(err)) return `${err.code}: ${err.shortMessage}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The reconciliation engine (SPEC §5): `reconcile(request)` collects the venues' truth (collection
 * start captured first), loads the store's state for the window, diffs, plans and — unless
 * `dry_run` — applies the plan, and answers with a `ReconcileResponse`.
 *
 * - Runs are serialised: a call made while one runs waits for it, then runs on fresh data.
 * - A run whose action failed (e.g. a cancel: FATAL alert, item `FAILED`) or whose truth was only
 *   partly fetched counts as failed; {@link consecutiveFailures} counts them (reset by a clean
 *   run) and {@link escalateAfter} in a row raise a FATAL `RECONCILE_REPEATED_FAILURE`.
 * - {@link lastRun} is a `ReconcileRunInfo`, so `reconcileHealth({ lastRun: () => r.lastRun, clock })`
 *   reports it (DEGRADED when the last run failed or was bad).
 * - {@link ready} resolves after the first clean applied run over everything (mode ALL, no
 *   symbol or market filter): hosts hold new entries until then (start-up fails closed).
 * - A dry run computes the same plan, writes nothing, publishes nothing and does not touch
 *   `lastRun`, the failure count or the gate.
 */
export class Reconciler {
  /** `reconciled`, `alert` and `ran` events. */
  readonly events = new EventEmitter<ReconcilerEvents>();
  /** Sink the runs publish to. */
  readonly sink: EventSink;

  private readonly options: ReconcilerOptions;
  private readonly connectors: readonly ExchangeConnector[];
  private readonly keys: StreamKeys;
  private readonly log: Logger;
  private readonly lastRunRecorder: LastRunRecorder;
  private readonly badResults = new WeakMap<ReconcileResponse, boolean>();
  private chain: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private last: ReconcileRunInfo | undefined;
  private failures = 0;
  private lastTs: number | undefined;
  private readyFlag = false;
  private readonly readyPromise: Promise<void>;
  private resolveReady: () => void = () => undefined;

  /** @throws ValidationError when no connector is given, or two share a venue id. */
  constructor(options: ReconcilerOptions) {
    this.options = options;
    const list = [...(options.connector ? [options.connector] : []), ...(options.connectors ?? [])];
    const venues = new Set(list.map((c) => c.venue));
    if (list.length === 0 || venues.size !== list.length) {
      throw new ValidationError('Reconciler needs at least one connector, one per venue', [
        { path: 'connectors', message: list.length === 0 ? 'no connector given' : 'two connectors share a venue id' },
      ]);
    }
    this.connectors = list;
    this.sink = options.sink ?? new MemoryEventSink();
    this.keys = options.keys ?? DEFAULT_STREAM_KEYS;
    this.log = redactingLogger(options.logger ?? noopLogger).child({ component: 'reconciler' });
    const external = options.lastRun;
    this.lastRunRecorder = {
      set: (ts: number) => {
        this.lastTs = ts;
        return external?.set(ts);
      },
    };
    this.readyPromise = new Promise<void>((resolve) => {
      this.resolveReady = resolve;
    });
  }

  /** The venues this reconciler covers. */
  get venues(): readonly ExchangeConnector[] {
    return this.connectors;
  }

  /** The last finished (non-dry) run, shaped for `reconcileHealth`. */
  get lastRun(): ReconcileRunInfo | undefined {
    return this.last;
  }

  /** Failed runs in a row (thrown, an action FAILED, or truth partly fetched); 0 after a clean run. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Time of the last applied run (what `recon:{last_run_ts}` holds), if any. */
  get lastRunTs(): number | undefined {
    return this.lastTs;
  }

  /** Consecutive failures that escalate (default 3). */
  get escalateAfter(): number {
    return this.options.escalateAfter ?? 3;
  }

  /**
   * Resolves after the first clean applied run of mode ALL without symbol or market filters: the
   * start-up gate for new entries. Never rejects.
   */
  get ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Whether {@link ready} has resolved. */
  get isReady(): boolean {
    return this.readyFlag;
  }

  /**
   * Whether a response this reconciler returned should lower health: its run failed (an action
   * FAILED, truth partly fetched) or {@link isBadReconcileResult} says so. For `ReconcileSchedule`'s `isBad`.
   */
  isBad(result: unknown): boolean {
    if (typeof result !== 'object' || result === null) return true;
    const known = this.badResults.get(result as ReconcileResponse);
    if (known !== undefined) return known;
    return Array.isArray((result as ReconcileResponse).items) ? isBadReconcileResult(result as ReconcileResponse) : true;
  }

  /**
   * Runs one reconciliation.
   * @param input - A `ReconcileRequest` (defaults: mode ALL, dry_run false, orphan_policy
   *   CONSERVATIVE, time_window_h 72).
   * @returns `{ reconcile_id, dry_run, summary, items, started_at, finished_at }`.
   * @throws ValidationError (400) for a malformed request (before anything runs); VenueError
   *   `RECONCILE_TRUTH_UNAVAILABLE` (503) when no venue market could be fetched; a store error
   *   when the local state cannot be read. Failed actions do not throw: they are `FAILED` items.
   */
  reconcile(input?: unknown, options: ReconcileCallOptions = {}): Promise<ReconcileResponse> {
    let request: ReconcileRequest;
    try {
      request = parseReconcileRequest(input);
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.chain.then(() => this.run(request, options.reason ?? 'manual'));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(request: ReconcileRequest, reason: ReconcileTrigger): Promise<ReconcileResponse> {
    const { clock } = this.options;
    const startedAt = clock.now();
    const reconcileId = `rc-${startedAt.toString(36)}-${++this.seq}`;
    try {
      const { response, clean } = await this.execute(request, reconcileId, startedAt);
      if (!request.dry_run) {
        const bad = !clean || isBadReconcileResult(response);
        this.badResults.set(response, bad);
        // Only a run over everything can open the start-up gate: a filtered run leaves the rest unchecked.
        const complete = request.mode === 'ALL' && request.symbols === undefined && request.markets === undefined;
        this.finish({ reason, startedAt, finishedAt: clock.now(), ok: true, result: response, bad }, clean, complete);
      }
      return response;
    } catch (err) {
      this.log.error({ reason, reconcile_id: reconcileId, error: redact(err) }, 'reconciliation failed');
      if (!request.dry_run) this.finish({ reason, startedAt, finishedAt: clock.now(), ok: false, error: describeError(err), bad: true }, false, false);
      throw err;
    }
  }

  private async execute(request: ReconcileRequest, reconcileId: string, startedAt: number): Promise<{ response: ReconcileResponse; clean: boolean }> {
    const o = this.options;
    const collected = await Promise.all(this.connectors.map((c) => collectTruth(c, request, o.clock)));
    const failures = collected.flatMap((c) => c.failures);
    if (collected.every((c) => c.truth.markets.length === 0) && failures.length > 0) {
      throw new VenueError('reconciliation could not fetch any venue market', {
        code: 'RECONCILE_TRUTH_UNAVAILABLE',
        retryable: true,
        details: { failures: failures.map((f) => ({ ...f })) },
      });
    }
    if (failures.length > 0 && !request.dry_run) this.raisePartial(failures, reconcileId);

    const asOf = Math.min(...collected.map((c) => c.truth.collectedAt));
    const local = await loadLocal(o.store, request, asOf, o.expectedBalances ? { expectedBalances: o.expectedBalances } : {});
    const stepFor = await this.stepLookup(collected);
    const now = o.clock.now();
    const plans: ReconcilePlan[] = collected.map(({ truth }) =>
      plan(diff(truth, local, request, o.diff ?? {}), { ...o.slices, orphanPolicy: request.orphan_policy, dryRun: request.dry_run, now, stepFor }),
    );
    const merged = mergePlans(plans);

    let described = describePlan(merged);
    let clean = failures.length === 0;
    if (!merged.dryRun) {
      const applied = await applyPlan(merged, {
        connectors: this.connectors,
        store: o.store,
        sink: this.sink,
        keys: this.keys,
        clock: o.clock,
        ...(o.lifecycle ? { lifecycle: o.lifecycle } : {}),
        ...(o.logger ? { logger: o.logger } : {}),
        lastRun: this.lastRunRecorder,
        reconcileId,
        onAlert: (a) => this.emitAlert(a),
        onReconciled: (e) => this.emit('reconciled', e),
      });
      described = describePlan({ ...merged, actions: merged.actions.map((a, i) => ({ ...a, item: applied.items[i] ?? a.item })) });
      clean = clean && applied.failed === 0;
    }
    const response: ReconcileResponse = {
      reconcile_id: reconcileId,
      dry_run: request.dry_run,
      summary: described.summary,
      items: described.items,
      started_at: startedAt,
      finished_at: o.clock.now(),
    };
    return { response, clean };
  }

  /**
   * The step lookup for close slices: the caller's hook first, then the instrument of every
   * symbol a venue holds a position in (loaded in parallel; a failed load leaves the plan on the
   * position's own grid).
   */
  private async stepLookup(collected: readonly CollectedTruth[]): Promise<(venue: string, symbol: string) => string | undefined> {
    const steps = new Map<string, string>();
    await Promise.all(
      collected.flatMap(({ truth }, k) => {
        const c = this.connectors[k] as ExchangeConnector;
        return truth.positions.map(async (p) => {
          if (this.options.stepFor?.(p.venue, p.symbol) !== undefined) return;
          try {
            steps.set(`${p.venue}:${p.symbol}`, (await c.instrument('FUT', p.symbol)).stepSize);
          } catch (err) {
            this.log.warn({ venue: p.venue, symbol: p.symbol, error: redact(err) }, 'instrument not loaded; close slices use the position grid');
          }
        });
      }),
    );
    return (venue, symbol) => this.options.stepFor?.(venue, symbol) ?? steps.get(`${venue}:${symbol}`);
  }

  private raisePartial(failures: readonly TruthFetchFailure[], reconcileId: string): void {
    const alert: ReconcileAlert = {
      level: 'WARN',
      code: RECONCILE_TRUTH_PARTIAL,
      message: `reconciliation fetched only part of the venues' state (${failures.map((f) => `${f.venue} ${f.market} ${f.what}: ${f.code}`).join('; ')}); those markets were not checked`,
      details: { failures: failures.map((f) => ({ ...f })) },
      ts: this.options.clock.now(),
    };
    this.sink.publish(this.keys.alerts(), { ...alert, source: 'reconcile', reconcile_id: reconcileId });
    this.emitAlert(alert);
  }

  private finish(info: ReconcileRunInfo, clean: boolean, complete: boolean): void {
    this.last = info;
    if (clean) {
      this.failures = 0;
      if (complete && !this.readyFlag) {
        this.readyFlag = true;
        this.resolveReady();
      }
    } else {
      this.failures++;
      if (this.failures >= this.escalateAfter) {
        const alert: ReconcileAlert = {
          level: 'FATAL',
          code: RECONCILE_REPEATED_FAILURE,
          message: `reconciliation failed ${this.failures} times in a row${info.error !== undefined ? ` (last: ${info.error})` : ''}: manual handling needed`,
          details: { consecutiveFailures: this.failures, reason: info.reason },
          ts: info.finishedAt,
        };
        this.sink.publish(this.keys.alerts(), { ...alert, source: 'reconcile' });
        this.emitAlert(alert);
      }
    }
    this.emit('ran', info);
  }

  private emitAlert(alert: ReconcileAlert): void {
    this.emit('alert', alert);
  }

  private emit<K extends keyof ReconcilerEvents>(name: K, ...args: Parameters<ReconcilerEvents[K]>): void {
    try {
      (this.events.emit as (n: K, ...a: Parameters<ReconcilerEvents[K]>) => boolean)(name, ...args);
    } catch (err) {
      this.log.error({ event: name, error: redact(err) }, 'reconciler listener threw');
    }
  }
}
