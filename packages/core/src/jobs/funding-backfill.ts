/**
 * The funding backfill (SPEC §1.2, s1-exchange-connectors §3: every 8 h, fill `funding_records`
 * from the venue's funding-rate history without duplicates). Each record joins the rate settled at
 * a funding time with the account's funding income at that time; records new to the store are
 * also published as realised funding to `mkt:events:{funding}:<SYMBOL>`.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import type { FundingIncome, FundingRate, FundingRecord } from '../domain/account.js';
import { ChimeraError, isChimeraError } from '../errors.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';
import type { EventSink } from '../sinks/event-sink.js';
import { fundingKey } from '../sinks/natural-keys.js';
import type { Store } from '../sinks/store.js';
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '../sinks/stream-keys.js';
import type { JobDefinition } from './scheduler.js';

/** A private big.js constructor, so a host's global big.js settings cannot change the sums. */
const D = Big();

/** What one backfill run did. */
export interface FundingBackfillResult {
  venue: string;
  /** Funding times considered, epoch ms (both ends inclusive). */
  window: { startTime: number; endTime: number };
  /** Symbols processed without error. */
  symbols: string[];
  /** Rate rows read. */
  rates: number;
  /** Income rows read. */
  income: number;
  /** Records new to the store. */
  inserted: number;
  /** Realised-funding events published (one per inserted record). */
  published: number;
  /** Income rows with no rate row within the match tolerance (left for a later run). */
  unmatchedIncome: number;
  /** Symbols that failed, with the reason. */
  failed: Record<string, string>;
  ts: number;
}

/** Events of {@link FundingBackfill}. */
export interface FundingBackfillEvents {
  /** A run finished (possibly with failed symbols). */
  backfilled: (result: FundingBackfillResult) => void;
}

/** Options of {@link FundingBackfill}. */
export interface FundingBackfillOptions {
  /** The venue (`venue`, `fundingRates`, `fundingIncome`). */
  connector: Pick<ExchangeConnector, 'venue' | 'fundingRates' | 'fundingIncome'>;
  /** Where records are kept (`upsertFundingRecords`, `listFundingRecords`). */
  store: Pick<Store, 'upsertFundingRecords' | 'listFundingRecords'>;
  /** Realised funding goes to its `keys.funding(symbol)` stream. */
  sink: EventSink;
  /** Time source. */
  clock: Clock;
  /** Perpetual symbols to backfill, or a function that lists them at each run. */
  symbols: readonly string[] | (() => readonly string[] | Promise<readonly string[]>);
  /** Period of {@link FundingBackfill.job}, ms (default 28 800 000 = 8 h). */
  everyMs?: number;
  /** Run when the scheduler starts (default true: catch up after downtime). */
  runOnStart?: boolean;
  /**
   * How far back each run looks, ms (default 259 200 000 = 3 days, nine 8-hour periods): runs
   * overlap, so a missed run or a late income row is picked up by the next.
   */
  lookbackMs?: number;
  /**
   * Funding times younger than this are left for the next run, ms (default 300 000): a record is
   * written once and never rewritten, so the income of a funding time must have been booked first.
   */
  settleLagMs?: number;
  /** An income row belongs to the rate row within this distance of its time, ms (default 60 000). */
  matchToleranceMs?: number;
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
 * Joins rate rows with income rows: each income row goes to the nearest rate row of the same symbol
 * within `toleranceMs` (venues stamp income a few ms off the funding time); a rate row without
 * income gets `amount_usdt: "0"` (no position at that time).
 *
 * @returns the records (oldest first) and how many income rows matched no rate row.
 */
export function joinFunding(
  venue: string,
  rates: readonly FundingRate[],
  income: readonly FundingIncome[],
  toleranceMs: number,
): { records: FundingRecord[]; unmatchedIncome: number } {
  const sorted = [...rates].sort((a, b) => a.fundingTime - b.fundingTime);
  const sums = sorted.map(() => new D(0));
  let unmatchedIncome = 0;
  for (const inc of income) {
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    sorted.forEach((r, i) => {
      const distance = Math.abs(r.fundingTime - inc.fundingTime);
      if (r.symbol === inc.symbol && distance <= toleranceMs && distance < bestDistance) {
        best = i;
        bestDistance = distance;
      }
    });
    if (best < 0) unmatchedIncome++;
    else sums[best] = sums[best]!.plus(inc.amount);
  }
  const records = sorted.map((r, i) => {
    const amount = sums[i]!.toFixed();
    return { symbol: r.symbol, funding_time: r.fundingTime, rate: r.rate, amount_usdt: amount === '-0' ? '0' : amount, venue };
  });
  return { records, unmatchedIncome };
}

/** Backfills `funding_records` for a venue every 8 h. Concurrent runs share one. */
export class FundingBackfill {
  /** `backfilled` events. */
  readonly events = new EventEmitter<FundingBackfillEvents>();

  private readonly options: FundingBackfillOptions;
  private readonly keys: StreamKeys;
  private readonly log: Logger;
  private running: Promise<FundingBackfillResult> | undefined;
  private last: FundingBackfillResult | undefined;

  constructor(options: FundingBackfillOptions) {
    this.options = options;
    this.keys = options.keys ?? DEFAULT_STREAM_KEYS;
    this.log = redactingLogger(options.logger ?? noopLogger).child({ component: 'funding-backfill', venue: options.connector.venue });
  }

  /** The last run's result, if any. */
  get lastResult(): FundingBackfillResult | undefined {
    return this.last;
  }

  /** A job for the `JobScheduler`: `run()` every `everyMs` (default 8 h). */
  job(name = `funding-backfill:${this.options.connector.venue}`): JobDefinition {
    return { name, everyMs: this.options.everyMs ?? 28_800_000, runOnStart: this.options.runOnStart ?? true, run: () => this.run() };
  }

  /**
   * One backfill over `[now − lookbackMs, now − settleLagMs]`. Records already stored are neither
   * written nor published again, so a second run over the same window does nothing. Each new
   * record is inserted on its own and published only when the store reports it new, so two
   * processes backfilling at once publish each record once.
   * @throws ChimeraError `FUNDING_BACKFILL_FAILED` (503, retryable) when any symbol failed — after
   *   finishing the others; `details.result` carries the result.
   */
  run(): Promise<FundingBackfillResult> {
    this.running ??= this.backfill().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async backfill(): Promise<FundingBackfillResult> {
    const o = this.options;
    const now = o.clock.now();
    const endTime = now - Math.max(0, o.settleLagMs ?? 300_000);
    const startTime = now - Math.max(1, o.lookbackMs ?? 259_200_000);
    const tolerance = Math.max(0, o.matchToleranceMs ?? 60_000);
    const symbols = typeof o.symbols === 'function' ? await o.symbols() : o.symbols;
    const result: FundingBackfillResult = {
      venue: o.connector.venue,
      window: { startTime, endTime },
      symbols: [],
      rates: 0,
      income: 0,
      inserted: 0,
      published: 0,
      unmatchedIncome: 0,
      failed: {},
      ts: now,
    };
    for (const symbol of symbols) {
      try {
        await this.backfillSymbol(symbol, startTime, endTime, tolerance, result);
        result.symbols.push(symbol);
      } catch (err) {
        result.failed[symbol] = describeError(err);
        this.log.warn({ symbol, error: redact(err) }, 'funding backfill failed for a symbol');
      }
    }
    result.ts = o.clock.now();
    this.last = result;
    this.events.emit('backfilled', result);
    if (Object.keys(result.failed).length > 0) {
      throw new ChimeraError(`funding backfill of ${o.connector.venue} failed for ${Object.keys(result.failed).join(', ')}`, {
        code: 'FUNDING_BACKFILL_FAILED',
        status: 503,
        retryable: true,
        details: { result },
      });
    }
    return result;
  }

  private async backfillSymbol(symbol: string, startTime: number, endTime: number, tolerance: number, result: FundingBackfillResult): Promise<void> {
    const { connector, store, sink, clock } = this.options;
    const inWindow = (t: number): boolean => t >= startTime && t <= endTime;
    const rates = (await connector.fundingRates(symbol, { startTime, endTime })).filter((r) => r.symbol === symbol && inWindow(r.fundingTime));
    const income = (await connector.fundingIncome({ symbol, startTime: startTime - tolerance, endTime: endTime + tolerance })).filter(
      (i) => i.symbol === symbol,
    );
    result.rates += rates.length;
    result.income += income.length;
    const { records, unmatchedIncome } = joinFunding(connector.venue, rates, income, tolerance);
    result.unmatchedIncome += unmatchedIncome;
    if (unmatchedIncome > 0) this.log.warn({ symbol, unmatchedIncome }, 'funding income without a rate row; left for a later run');

    const stored = new Set((await store.listFundingRecords({ symbol, since: startTime })).map((r) => fundingKey(r)));
    for (const record of records) {
      if (stored.has(fundingKey(record))) continue;
      const added = await store.upsertFundingRecords([record]);
      if (added !== 1) continue;
      result.inserted++;
      sink.publish(this.keys.funding(symbol), {
        type: 'FUNDING_REALISED',
        venue: record.venue,
        symbol,
        funding_time: record.funding_time,
        rate: record.rate,
        amount_usdt: record.amount_usdt,
        ts: clock.now(),
      });
      result.published++;
    }
  }
}
