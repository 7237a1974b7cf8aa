/**
 * The daily instrument refresh (SPEC §1.2, s1-exchange-connectors §3: `exchangeInfo` and leverage
 * brackets every 24 h): the venue's instruments of every market, written to `instrument_registry`.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import type { Market } from '../domain/enums.js';
import { ChimeraError, isChimeraError } from '../errors.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';
import type { Store } from '../sinks/store.js';
import type { JobDefinition } from './scheduler.js';

/** What a refresh did. */
export interface InstrumentRefreshResult {
  venue: string;
  /** Instruments written, per market that succeeded. */
  counts: Partial<Record<Market, number>>;
  /** Markets whose instruments could not be read or written, with the reason. */
  failed: Partial<Record<Market, string>>;
  ts: number;
}

/** Events of {@link InstrumentRefresh}. */
export interface InstrumentRefreshEvents {
  /** A refresh finished (possibly with failed markets). */
  refreshed: (result: InstrumentRefreshResult) => void;
}

/** Options of {@link InstrumentRefresh}. */
export interface InstrumentRefreshOptions {
  /** The venue (`venue`, `capabilities`, `instruments`). */
  connector: Pick<ExchangeConnector, 'venue' | 'capabilities' | 'instruments'>;
  /** Where instruments are kept (`putInstruments`). */
  store: Pick<Store, 'putInstruments'>;
  /** Time source. */
  clock: Clock;
  /** Markets to refresh (default the connector's `capabilities.markets`). */
  markets?: readonly Market[];
  /** Period of {@link InstrumentRefresh.job}, ms (default 86 400 000). */
  everyMs?: number;
  /** Refresh when the scheduler starts (default true: a fresh process wants fresh filters). */
  runOnStart?: boolean;
  /** Logger; wrapped in redaction (default silent). */
  logger?: Logger;
}

function describeError(err: unknown): string {
  if (isChimeraError(err)) return `${err.code}: ${err.shortMessage}`;
  return err instanceof Error ? err.message : String(err);
}

/** Refreshes one venue's instruments every 24 h and on demand. Concurrent refreshes share one run. */
export class InstrumentRefresh {
  /** `refreshed` events. */
  readonly events = new EventEmitter<InstrumentRefreshEvents>();

  private readonly options: InstrumentRefreshOptions;
  private readonly log: Logger;
  private running: Promise<InstrumentRefreshResult> | undefined;
  private last: InstrumentRefreshResult | undefined;

  constructor(options: InstrumentRefreshOptions) {
    this.options = options;
    this.log = redactingLogger(options.logger ?? noopLogger).child({ component: 'instrument-refresh', venue: options.connector.venue });
  }

  /** The last refresh's result, if any. */
  get lastResult(): InstrumentRefreshResult | undefined {
    return this.last;
  }

  /** A job for the `JobScheduler`: `refreshNow()` every `everyMs` (default 24 h). */
  job(name = `instrument-refresh:${this.options.connector.venue}`): JobDefinition {
    return {
      name,
      everyMs: this.options.everyMs ?? 86_400_000,
      runOnStart: this.options.runOnStart ?? true,
      run: () => this.refreshNow(),
    };
  }

  /**
   * Reads every market's instruments and writes them. A market that fails does not stop the
   * others.
   * @throws ChimeraError `INSTRUMENT_REFRESH_FAILED` (503, retryable) when any market failed —
   *   after writing the ones that succeeded; `details.result` carries the result.
   */
  refreshNow(): Promise<InstrumentRefreshResult> {
    this.running ??= this.refresh().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async refresh(): Promise<InstrumentRefreshResult> {
    const { connector, store, clock } = this.options;
    const markets = this.options.markets ?? connector.capabilities.markets;
    const result: InstrumentRefreshResult = { venue: connector.venue, counts: {}, failed: {}, ts: clock.now() };
    for (const market of markets) {
      try {
        const instruments = await connector.instruments(market);
        await store.putInstruments(instruments);
        result.counts[market] = instruments.length;
      } catch (err) {
        result.failed[market] = describeError(err);
        this.log.warn({ market, error: redact(err) }, 'instrument refresh failed for a market');
      }
    }
    result.ts = clock.now();
    this.last = result;
    this.events.emit('refreshed', result);
    const failed = Object.keys(result.failed);
    if (failed.length > 0) {
      throw new ChimeraError(`instrument refresh of ${connector.venue} failed for ${failed.join(', ')}`, {
        code: 'INSTRUMENT_REFRESH_FAILED',
        status: 503,
        retryable: true,
        details: { result },
      });
    }
    return result;
  }
}
