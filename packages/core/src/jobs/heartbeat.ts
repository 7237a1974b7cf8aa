/**
 * The venue heartbeat (SPEC §1.2, s1-exchange-connectors §7): every 30 s ask the venue for its
 * time, measure the clock skew `Δt = |t_local − t_server|` and its tier (PASS ≤ 250 ms, WARN ≤ 500
 * ms, ERROR above), the success rate `p_up = ok / total` and RTT p50/p95 over a sliding window.
 * The skew feeds the risk gate's skew check; the report feeds health.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import { isChimeraError, UnknownOutcomeError } from '../errors.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';
import type { EventSink } from '../sinks/event-sink.js';
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '../sinks/stream-keys.js';
import { DEFAULT_SKEW_TIERS, skewTier, type ClockSync, type SkewTier, type SkewTiers } from '../transport/clock-sync.js';
import { withClockTimeout } from './clock-timeout.js';
import { percentile } from './percentile.js';
import type { JobAlert, JobDefinition } from './scheduler.js';

/** One heartbeat and the window statistics after it. */
export interface HeartbeatReport {
  venue: string;
  /** Local time of the beat (end of the round trip), epoch ms. */
  ts: number;
  /** Whether the venue answered. */
  ok: boolean;
  /** The venue's time (when ok). */
  serverTime?: number;
  /** `serverTime − (t_send + t_receive) / 2`, ms (when ok). */
  offsetMs?: number;
  /** `|offsetMs|`, ms (when ok). */
  skewMs?: number;
  /** Tier of `skewMs` (when ok). */
  tier?: SkewTier;
  /** Round trip of this beat, ms (when ok). */
  rttMs?: number;
  /** `CODE: message` of the failure (when not ok). */
  error?: string;
  /** `ok / total` over the window (0 when the window is empty). */
  pUp: number;
  /** Beats in the window. */
  total: number;
  /** Successful beats in the window. */
  okCount: number;
  /** Median RTT of the window's successful beats, ms. */
  rttP50?: number;
  /** 95th-percentile RTT of the window's successful beats, ms. */
  rttP95?: number;
  /** Time of the last successful beat (any time, not only in the window). */
  lastOkAt?: number;
  /** Skew measured by the last successful beat, ms. */
  lastSkewMs?: number;
  /** Tier of `lastSkewMs`. */
  lastTier?: SkewTier;
  /** Failed beats in a row. */
  consecutiveFailures: number;
}

/** Events of {@link Heartbeat}. No event is named `error`. */
export interface HeartbeatEvents {
  /** Every beat, ok or not. */
  beat: (report: HeartbeatReport) => void;
  /**
   * `CLOCK_SKEW` when the tier changes (WARN/ERROR as it worsens, INFO back to PASS);
   * `HEARTBEAT_FAILED` (ERROR) after `failAlertAfter` failures in a row; `HEARTBEAT_RECOVERED` (INFO).
   */
  alert: (alert: JobAlert) => void;
}

/** Options of {@link Heartbeat}. */
export interface HeartbeatOptions {
  /** The venue (`venue`, `serverTime`). */
  connector: Pick<ExchangeConnector, 'venue' | 'serverTime'>;
  /** Local time. */
  clock: Clock;
  /**
   * Measure through this `ClockSync` instead (its `sync()` also corrects the offset used for
   * signing); its lowest-RTT sample gives the offset and RTT.
   */
  clockSync?: Pick<ClockSync, 'sync'>;
  /** Period of {@link Heartbeat.job}, ms (default 30 000). */
  everyMs?: number;
  /** A beat not answered within this is a failure, ms (default 10 000). */
  timeoutMs?: number;
  /** Skew tiers (default PASS ≤ 250, WARN ≤ 500). */
  tiers?: SkewTiers;
  /** Sliding window of `p_up` and the RTT percentiles, ms (default 3 600 000). */
  windowMs?: number;
  /** Failures in a row that raise `HEARTBEAT_FAILED` (default 3). */
  failAlertAfter?: number;
  /** Alerts are also published to its `alerts` stream when given. */
  sink?: EventSink;
  /** Stream names (default scheme). */
  keys?: StreamKeys;
  /** Logger; wrapped in redaction (default silent). */
  logger?: Logger;
}

/** Bound on the window's samples whatever the beat rate. */
const MAX_SAMPLES = 10_000;

interface Sample {
  ts: number;
  ok: boolean;
  rttMs: number | undefined;
}

function describeError(err: unknown): string {
  if (isChimeraError(err)) return `${err.code}: ${err.shortMessage}`;
  return err instanceof Error ? err.message : String(err);
}

/** The heartbeat of one venue. Run it with a `JobScheduler` (`scheduler.add(heartbeat.job())`) or call `beat()`. */
export class Heartbeat {
  /** `beat` and `alert` events. */
  readonly events = new EventEmitter<HeartbeatEvents>();
  /** Venue id. */
  readonly venue: string;

  private readonly options: HeartbeatOptions;
  private readonly tiers: SkewTiers;
  private readonly windowMs: number;
  private readonly timeoutMs: number;
  private readonly failAlertAfter: number;
  private readonly keys: StreamKeys;
  private readonly log: Logger;
  private readonly samples: Sample[] = [];
  private last: HeartbeatReport | undefined;
  private lastOkAt: number | undefined;
  private lastSkewMs: number | undefined;
  private lastTier: SkewTier | undefined;
  private failuresInRow = 0;
  private running: Promise<HeartbeatReport> | undefined;

  constructor(options: HeartbeatOptions) {
    this.options = options;
    this.venue = options.connector.venue;
    this.tiers = options.tiers ?? DEFAULT_SKEW_TIERS;
    this.windowMs = Math.max(1, options.windowMs ?? 3_600_000);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.failAlertAfter = Math.max(1, Math.floor(options.failAlertAfter ?? 3));
    this.keys = options.keys ?? DEFAULT_STREAM_KEYS;
    this.log = redactingLogger(options.logger ?? noopLogger).child({ component: 'heartbeat', venue: this.venue });
  }

  /** A job for the `JobScheduler`: `beat()` every `everyMs` (default 30 s), first beat on start. */
  job(name = `heartbeat:${this.venue}`): JobDefinition {
    return { name, everyMs: this.options.everyMs ?? 30_000, runOnStart: true, run: () => this.beat() };
  }

  /** The last beat's report, or `undefined` before the first beat. */
  report(): HeartbeatReport | undefined {
    return this.last && { ...this.last };
  }

  /**
   * Skew measured by the last successful beat, ms — the risk gate's `clockSkewMs` — or `undefined`
   * before one succeeded (the gate then skips the skew check).
   */
  skewMs(): number | undefined {
    return this.lastSkewMs;
  }

  /** One heartbeat. Never rejects: a failure is a report with `ok: false`. Concurrent calls share one beat. */
  beat(): Promise<HeartbeatReport> {
    this.running ??= this.measure().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async measure(): Promise<HeartbeatReport> {
    const clock = this.options.clock;
    const t0 = clock.now();
    let serverTime: number | undefined;
    let offsetMs: number | undefined;
    let rttMs: number | undefined;
    let error: string | undefined;
    try {
      const timeout = (): unknown => new UnknownOutcomeError(`server time: no answer within ${this.timeoutMs} ms`, { details: { venue: this.venue } });
      if (this.options.clockSync) {
        const sync = this.options.clockSync;
        const r = await withClockTimeout(clock, Promise.resolve().then(() => sync.sync()), this.timeoutMs, timeout);
        offsetMs = r.offsetMs;
        rttMs = r.rttMs;
        serverTime = clock.now() + r.offsetMs;
      } else {
        const server = await withClockTimeout(clock, Promise.resolve().then(() => this.options.connector.serverTime()), this.timeoutMs, timeout);
        const t1 = clock.now();
        if (!Number.isFinite(server)) throw new TypeError(`server time is not a number: ${String(server)}`);
        serverTime = server;
        rttMs = t1 - t0;
        offsetMs = Math.round(server - (t0 + t1) / 2);
      }
    } catch (err) {
      error = describeError(err);
      this.log.warn({ error: redact(err) }, 'heartbeat failed');
    }
    const ts = clock.now();
    const ok = error === undefined;
    this.samples.push({ ts, ok, rttMs });
    while (this.samples.length > 0 && (this.samples[0]!.ts <= ts - this.windowMs || this.samples.length > MAX_SAMPLES)) this.samples.shift();

    let tier: SkewTier | undefined;
    let skewMs: number | undefined;
    if (ok && offsetMs !== undefined) {
      skewMs = Math.abs(offsetMs);
      tier = skewTier(skewMs, this.tiers);
      this.noteTier(tier, skewMs, offsetMs, ts);
      this.lastOkAt = ts;
      this.lastSkewMs = skewMs;
      if (this.failuresInRow >= this.failAlertAfter) {
        this.alert('INFO', 'HEARTBEAT_RECOVERED', `${this.venue} heartbeat answered again after ${this.failuresInRow} failures`, {
          failures: this.failuresInRow,
        });
      }
      this.failuresInRow = 0;
    } else {
      this.failuresInRow++;
      if (this.failuresInRow === this.failAlertAfter) {
        this.alert('ERROR', 'HEARTBEAT_FAILED', `${this.venue} heartbeat failed ${this.failuresInRow} times in a row: ${error ?? ''}`, {
          failures: this.failuresInRow,
          error,
        });
      }
    }

    const okRtts = this.samples.filter((s) => s.ok && s.rttMs !== undefined).map((s) => s.rttMs!);
    const okCount = this.samples.filter((s) => s.ok).length;
    const report: HeartbeatReport = {
      venue: this.venue,
      ts,
      ok,
      ...(serverTime !== undefined ? { serverTime } : {}),
      ...(offsetMs !== undefined ? { offsetMs } : {}),
      ...(skewMs !== undefined ? { skewMs } : {}),
      ...(tier !== undefined ? { tier } : {}),
      ...(rttMs !== undefined && ok ? { rttMs } : {}),
      ...(error !== undefined ? { error } : {}),
      pUp: this.samples.length === 0 ? 0 : okCount / this.samples.length,
      total: this.samples.length,
      okCount,
      ...(okRtts.length > 0 ? { rttP50: percentile(okRtts, 50)!, rttP95: percentile(okRtts, 95)! } : {}),
      ...(this.lastOkAt !== undefined ? { lastOkAt: this.lastOkAt } : {}),
      ...(this.lastSkewMs !== undefined ? { lastSkewMs: this.lastSkewMs } : {}),
      ...(this.lastTier !== undefined ? { lastTier: this.lastTier } : {}),
      consecutiveFailures: this.failuresInRow,
    };
    this.last = report;
    try {
      this.events.emit('beat', report);
    } catch (err) {
      this.log.error({ error: redact(err) }, 'heartbeat listener threw');
    }
    return report;
  }

  private noteTier(tier: SkewTier, skewMs: number, offsetMs: number, ts: number): void {
    const previous = this.lastTier ?? 'PASS';
    this.lastTier = tier;
    if (tier === previous) return;
    const level = tier === 'ERROR' ? 'ERROR' : tier === 'WARN' ? 'WARN' : 'INFO';
    this.alert(level, 'CLOCK_SKEW', `${this.venue} clock skew ${skewMs} ms is ${tier}`, { skewMs, offsetMs, tier, previous, tiers: { ...this.tiers } }, ts);
  }

  private alert(level: JobAlert['level'], code: string, message: string, details: Record<string, unknown>, ts = this.options.clock.now()): void {
    const alert: JobAlert = { level, code, message, details: { venue: this.venue, ...details }, ts };
    this.options.sink?.publish(this.keys.alerts(), { ...alert, source: 'heartbeat' });
    try {
      this.events.emit('alert', alert);
    } catch (err) {
      this.log.error({ error: redact(err) }, 'heartbeat listener threw');
    }
  }
}
