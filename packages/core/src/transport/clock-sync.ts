/**
 * Server-time offset and clock-skew tiers (SPEC §1.2), and the one safe retry after a venue's
 * "timestamp outside recvWindow" rejection.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/clock.js';
import { isChimeraError } from '../errors.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';
import type { TransportAlert } from './transport-alert.js';

/** PASS: skew within `passMs`; WARN: within `warnMs`; ERROR: above. */
export type SkewTier = 'PASS' | 'WARN' | 'ERROR';

/** Skew tier bounds in ms (inclusive). */
export interface SkewTiers {
  /** Largest skew still PASS (default 250). */
  passMs: number;
  /** Largest skew still WARN (default 500); anything above is ERROR. */
  warnMs: number;
}

/** The default tiers: PASS ≤ 250 ms, WARN ≤ 500 ms, ERROR above. */
export const DEFAULT_SKEW_TIERS: Readonly<SkewTiers> = Object.freeze({ passMs: 250, warnMs: 500 });

/** The tier of a skew (absolute difference between local and server time, ms). */
export function skewTier(skewMs: number, tiers: SkewTiers = DEFAULT_SKEW_TIERS): SkewTier {
  const s = Math.abs(skewMs);
  if (s <= tiers.passMs) return 'PASS';
  if (s <= tiers.warnMs) return 'WARN';
  return 'ERROR';
}

/** The result of the last successful {@link ClockSync.sync}. */
export interface ClockSkewReport {
  /** Server time minus local time, ms (add it to the local clock to get server time). */
  offsetMs: number;
  /** `|offsetMs|`: how far the local clock is from the server's, ms. */
  skewMs: number;
  /** Tier of `skewMs`. */
  tier: SkewTier;
  /** Round trip of the sample the offset was taken from (the fastest), ms. */
  rttMs: number;
  /** Local time of the sync, epoch ms. */
  syncedAt: number;
  /** Samples that succeeded (of those attempted). */
  samples: number;
}

/** Options of {@link ClockSync}. */
export interface ClockSyncOptions {
  /** The local clock. */
  clock: Clock;
  /** Asks the venue for its time, epoch ms (e.g. Binance `GET /fapi/v1/time` → `serverTime`). */
  fetchServerTime: () => Promise<number>;
  /** Round trips per sync (default 3); the one with the lowest RTT sets the offset. */
  samples?: number;
  /** Skew tiers (default {@link DEFAULT_SKEW_TIERS}). */
  tiers?: SkewTiers;
  /** Logger; every record passes redaction (default silent). */
  logger?: Logger;
}

/** Events of a {@link ClockSync}. No event is named `error`. */
export interface ClockSyncEvents {
  /** A sync finished. */
  synced: (report: ClockSkewReport) => void;
  /** The skew tier changed (WARN/ERROR alerts when it worsens, INFO when it is back to PASS). */
  alert: (alert: TransportAlert) => void;
}

/**
 * Keeps the offset between the local clock and the venue's: `offset = serverTime − (t0 + t1) / 2`
 * from the sample with the lowest round trip (the midpoint assumption errs by at most RTT/2, so the
 * fastest sample bounds the error best). Sign requests with {@link ClockSync.now}.
 */
export class ClockSync {
  /** Typed events (`synced`, `alert`). */
  readonly events = new EventEmitter<ClockSyncEvents>();

  private readonly clock: Clock;
  private readonly fetchServerTime: () => Promise<number>;
  private readonly sampleCount: number;
  private readonly tiers: SkewTiers;
  private readonly log: Logger;
  private offset = 0;
  private last: ClockSkewReport | undefined;
  private inFlight: Promise<ClockSkewReport> | undefined;

  /** Starts with offset 0; call {@link ClockSync.sync} before signing anything. */
  constructor(options: ClockSyncOptions) {
    this.clock = options.clock;
    this.fetchServerTime = options.fetchServerTime;
    this.sampleCount = Math.max(1, Math.floor(options.samples ?? 3));
    this.tiers = options.tiers ?? DEFAULT_SKEW_TIERS;
    this.log = options.logger ? redactingLogger(options.logger).child({ component: 'clock-sync' }) : noopLogger;
  }

  /** Current offset, ms (0 before the first sync). */
  get offsetMs(): number {
    return this.offset;
  }

  /** Estimated server time, epoch ms: local time plus the offset. Use it for request timestamps. */
  now(): number {
    return this.clock.now() + this.offset;
  }

  /** The last sync's report, or `undefined` before the first successful sync. */
  skew(): ClockSkewReport | undefined {
    return this.last;
  }

  /**
   * Measures the offset with `samples` sequential round trips. Concurrent calls share one sync.
   * Failed samples are skipped; the offset is kept unchanged when all fail.
   * @throws the last sample's error when every sample failed.
   */
  sync(): Promise<ClockSkewReport> {
    this.inFlight ??= this.measure().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Runs `fn`; if it fails with a clock-skew error (`code === 'CLOCK_SKEW'`, e.g. the venue's
   * `-1021` mapped by the adapter), resyncs and runs it exactly once more. `fn` must take a fresh
   * timestamp on each call (sign inside it). The retry is safe: the venue refused the first
   * request before processing it.
   * @throws the second attempt's error; the first one's when the resync itself fails.
   */
  async withTimestampRetry<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!isChimeraError(err) || err.code !== 'CLOCK_SKEW') throw err;
      this.log.warn({ offsetMs: this.offset }, 'venue rejected the timestamp; resyncing and retrying once');
      try {
        await this.sync();
      } catch (syncErr) {
        this.log.error({ error: redact(syncErr) }, 'resync after a timestamp rejection failed');
        throw err;
      }
      return fn();
    }
  }

  private async measure(): Promise<ClockSkewReport> {
    let best: { offset: number; rtt: number } | undefined;
    let ok = 0;
    let lastError: unknown;
    for (let i = 0; i < this.sampleCount; i++) {
      const t0 = this.clock.now();
      let server: number;
      try {
        server = await this.fetchServerTime();
      } catch (err) {
        lastError = err;
        continue;
      }
      const t1 = this.clock.now();
      if (!Number.isFinite(server)) {
        lastError = new TypeError(`server time is not a number: ${String(server)}`);
        continue;
      }
      ok++;
      const rtt = t1 - t0;
      if (!best || rtt < best.rtt) best = { offset: server - (t0 + t1) / 2, rtt };
    }
    if (!best) {
      this.log.warn({ error: redact(lastError) }, 'clock sync failed; offset unchanged');
      throw lastError;
    }
    this.offset = Math.round(best.offset);
    const skewMs = Math.abs(this.offset);
    const previous = this.last?.tier;
    const report: ClockSkewReport = {
      offsetMs: this.offset,
      skewMs,
      tier: skewTier(skewMs, this.tiers),
      rttMs: best.rtt,
      syncedAt: this.clock.now(),
      samples: ok,
    };
    this.last = report;
    this.log.debug({ ...report }, 'clock synced');
    this.events.emit('synced', report);
    if (report.tier !== (previous ?? 'PASS')) {
      const level = report.tier === 'ERROR' ? 'ERROR' : report.tier === 'WARN' ? 'WARN' : 'INFO';
      this.events.emit('alert', {
        level,
        code: 'CLOCK_SKEW',
        message: `clock skew ${skewMs} ms is ${report.tier}`,
        details: { offsetMs: this.offset, skewMs, tier: report.tier, rttMs: best.rtt, tiers: { ...this.tiers } },
        ts: report.syncedAt,
      });
    }
    return report;
  }
}
