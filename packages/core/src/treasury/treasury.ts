/**
 * SPOT↔FUT treasury transfers (SPEC §6, s1-exchange-connectors §2/§10/§15): validated, rate
 * limited, idempotent by `transfer_id` across processes and restarts, retried only where safe, and
 * audited.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import type { VenueTransfer } from '../domain/account.js';
import {
  parseTransferRequest,
  type TransferLimits,
  type TransferRecord,
  type TransferRequest,
  type TransferResponse,
} from '../domain/transfer.js';
import { BusinessRuleError, isChimeraError, UnknownOutcomeError } from '../errors.js';
import { withClockTimeout } from '../jobs/clock-timeout.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';
import type { EventSink } from '../sinks/event-sink.js';
import type { Store } from '../sinks/store.js';
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '../sinks/stream-keys.js';
import { acquireLock, type Lock, type LockProvider } from './lock-provider.js';
import { matchVenueTransfer } from './match-venue-transfer.js';
import { DEFAULT_TRANSFER_RATE_LIMIT, SlidingWindowLimiter, TransferRateLimitError, type RequestRateLimit } from './request-rate-limiter.js';
import type { TransferAuditKind, TreasuryAlert, TreasuryEvents } from './treasury-events.js';
import { DEFAULT_TRANSFER_RETRY, transferFailureAction, transferRetryDelayMs, type TransferRetryPolicy } from './transfer-retry.js';

/** A private big.js constructor, so a host's global big.js settings cannot change comparisons. */
const D = Big();

/** How an unknown outcome is settled from the venue's transfer history. */
export interface TransferSettlePolicy {
  /** History queries per settlement (default 3). */
  attempts: number;
  /** Wait between queries, ms (default 5 000): a transfer in flight may take a moment to show. */
  delayMs: number;
  /** Clock-skew allowance when matching by amount and direction, ms (default 2 000). */
  slackMs: number;
  /**
   * A PENDING transfer that the venue's history still does not show this long after it was
   * created (and whose history queries answered) is declared FAILED, ms (default 600 000). Before
   * that it stays PENDING: it may still appear, and it is never resent.
   */
  giveUpAfterMs: number;
}

/** The default settlement: 3 queries 5 s apart, 2 s skew slack, FAILED after 10 minutes unseen. */
export const DEFAULT_TRANSFER_SETTLE: Readonly<TransferSettlePolicy> = Object.freeze({
  attempts: 3,
  delayMs: 5_000,
  slackMs: 2_000,
  giveUpAfterMs: 600_000,
});

/** How the treasury uses `lock:treasury:<from>:<to>`. */
export interface TreasuryLockPolicy {
  /**
   * Lease time, ms (default 60 000). The lease is extended before every venue call and history
   * query, so it only has to outlast one step (an attempt's timeout plus a retry delay).
   */
  ttlMs: number;
  /** How long a request waits for another holder (another transfer in the same direction), ms (default 180 000). */
  waitMs: number;
  /** Wait between attempts to take it, ms (default 250). */
  pollMs: number;
}

/** The default lock policy. */
export const DEFAULT_TREASURY_LOCK: Readonly<TreasuryLockPolicy> = Object.freeze({ ttlMs: 60_000, waitMs: 180_000, pollMs: 250 });

/** Options of {@link Treasury}. */
export interface TreasuryOptions {
  /** The venue that moves the money (`transfer`, `transferHistory`). */
  connector: Pick<ExchangeConnector, 'venue' | 'transfer' | 'transferHistory'>;
  /** Where transfer states live (`treasury_transfers`); shared by every process. */
  store: Pick<Store, 'createTransfer' | 'updateTransfer' | 'getTransfer' | 'appendStrategyEvents'>;
  /** Audit (`ops:events`) and alerts (`alerts`). */
  sink: EventSink;
  /** Lock provider shared by every process (Redis in production). */
  locks: LockProvider;
  /** Time source for every timestamp, wait and timeout. */
  clock: Clock;
  /** Stream and key names (default {@link DEFAULT_STREAM_KEYS}). */
  keys?: StreamKeys;
  /** Logger; wrapped in redaction (default silent). */
  logger?: Logger;
  /** Overrides of `DEFAULT_TRANSFER_LIMITS` (min 1, max 10 000, USDT, both directions). */
  limits?: Partial<TransferLimits>;
  /** New transfer requests admitted per window (default 10 a minute); `false` disables. */
  rateLimit?: RequestRateLimit | false;
  /** Retry schedule (default 3 tries, 5 s + up to 1 s jitter apart, 30 s timeout each). */
  retry?: Partial<TransferRetryPolicy>;
  /** Settlement of unknown outcomes (default {@link DEFAULT_TRANSFER_SETTLE}). */
  settle?: Partial<TransferSettlePolicy>;
  /** Lock lease and wait (default {@link DEFAULT_TREASURY_LOCK}). */
  lock?: Partial<TreasuryLockPolicy>;
  /** Transfers FAILED in a row that raise a FATAL alert and the `fatal` event (default 3). */
  fatalAfter?: number;
  /** Uniform random source in [0, 1) for the retry jitter (default `Math.random`). */
  random?: () => number;
}

const MAX_MESSAGE = 512;

function describeError(err: unknown): string {
  if (isChimeraError(err)) return `${err.code}: ${err.shortMessage}`;
  return err instanceof Error ? err.message : String(err);
}

function responseOf(record: TransferRecord): TransferResponse {
  const message = record.message === undefined ? undefined : record.message.slice(0, MAX_MESSAGE);
  return { transfer_id: record.transfer_id, result: record.state, ...(message !== undefined ? { message } : {}) };
}

interface Lookup {
  /** The matching venue transfer (possibly still PENDING at the venue). */
  found: VenueTransfer | undefined;
  /** Whether at least one history query answered. */
  answered: boolean;
}

/**
 * Moves an asset between the SPOT and FUT wallets of one venue.
 *
 * `transfer(input)`:
 * 1. validates (`ValidationError` 400 for format, `BusinessRuleError` 422 `SAME_MARKET`,
 *    `MIN_AMOUNT`, `MAX_AMOUNT`, `NOT_WHITELISTED`);
 * 2. answers a known `transfer_id` from the store — a final one at once, without counting against
 *    the rate limit (a different request under a known id is `TRANSFER_ID_CONFLICT`, 422);
 * 3. admits a new id against the rate limit (`TransferRateLimitError`, `RATE_LIMITED`, 429);
 * 4. takes `lock:treasury:<from>:<to>` (waiting for another holder; `LOCK_BUSY` 409 after
 *    `lock.waitMs`), then inserts the PENDING record unless one exists — the store's
 *    insert-if-absent makes the id the cross-process idempotency key;
 * 5. a record that is already final is answered as stored; a PENDING one left by a crashed or
 *    timed-out process is settled from the venue's transfer history, never resent;
 * 6. otherwise sends it with the id as `clientTransferId`: a retryable refusal (429, a retryable
 *    5xx) is sent again after the retry delay, up to `retry.tries` attempts; an unknown outcome
 *    (timeout after `retry.timeoutMs`, dropped connection, a 5xx the transport reports as unknown)
 *    is settled from the history; a definitive refusal fails at once;
 * 7. writes SUCCESS or FAILED (or leaves PENDING when the outcome is still unknown, answering
 *    `result: PENDING`), audits every step to `ops:events`, appends a `TREASURY_TRANSFER` strategy
 *    event on success, publishes an alert on failure, and raises FATAL after `fatalAfter` failed
 *    transfers in a row.
 *
 * Two instances sharing one store and one lock provider behave as two processes: the same
 * `transfer_id` moves money once and both get the same answer.
 */
export class Treasury {
  /** `transfer`, `alert` and `fatal` events. */
  readonly events = new EventEmitter<TreasuryEvents>();

  private readonly connector: TreasuryOptions['connector'];
  private readonly store: TreasuryOptions['store'];
  private readonly sink: EventSink;
  private readonly locks: LockProvider;
  private readonly clock: Clock;
  private readonly keys: StreamKeys;
  private readonly log: Logger;
  private readonly limits: Partial<TransferLimits>;
  private readonly limiter: SlidingWindowLimiter | undefined;
  private readonly retry: TransferRetryPolicy;
  private readonly settle: TransferSettlePolicy;
  private readonly lockPolicy: TreasuryLockPolicy;
  private readonly fatalAfter: number;
  private readonly random: () => number;
  private readonly inFlight = new Map<string, { request: TransferRequest; response: Promise<TransferResponse> }>();
  private failuresInRow = 0;
  private fatalRaised = false;

  /** @throws RangeError on an invalid rate limit. */
  constructor(options: TreasuryOptions) {
    this.connector = options.connector;
    this.store = options.store;
    this.sink = options.sink;
    this.locks = options.locks;
    this.clock = options.clock;
    this.keys = options.keys ?? DEFAULT_STREAM_KEYS;
    this.log = redactingLogger(options.logger ?? noopLogger).child({ component: 'treasury', venue: options.connector.venue });
    this.limits = options.limits ?? {};
    this.limiter = options.rateLimit === false ? undefined : new SlidingWindowLimiter(this.clock, options.rateLimit ?? DEFAULT_TRANSFER_RATE_LIMIT);
    this.retry = { ...DEFAULT_TRANSFER_RETRY, ...options.retry };
    this.retry.tries = Math.max(1, Math.floor(this.retry.tries));
    this.settle = { ...DEFAULT_TRANSFER_SETTLE, ...options.settle };
    this.settle.attempts = Math.max(1, Math.floor(this.settle.attempts));
    this.lockPolicy = { ...DEFAULT_TREASURY_LOCK, ...options.lock };
    this.fatalAfter = Math.max(1, Math.floor(options.fatalAfter ?? 3));
    this.random = options.random ?? Math.random;
  }

  /** Transfers that ended FAILED in a row (reset by a SUCCESS). */
  get consecutiveFailures(): number {
    return this.failuresInRow;
  }

  /** True once FATAL was raised, until a transfer succeeds. */
  get fatal(): boolean {
    return this.fatalRaised;
  }

  /**
   * Executes a transfer request (shape `TransferRequestInput`: `transfer_id`, `from_market`,
   * `to_market`, `amount`, `symbol`). Idempotent by `transfer_id`: a repeat returns the same
   * response and never moves money twice; concurrent calls with the same id share one execution.
   *
   * @returns `SUCCESS`, `FAILED` (with `message`), or `PENDING` when the venue's answer was lost
   *   and its history does not show the transfer yet (ask again later with the same id).
   * @throws ValidationError (400) on format errors; BusinessRuleError (422) `SAME_MARKET`,
   *   `MIN_AMOUNT`, `MAX_AMOUNT`, `NOT_WHITELISTED`, `TRANSFER_ID_CONFLICT`;
   *   TransferRateLimitError (429) `RATE_LIMITED`; StateError (409) `LOCK_BUSY`; the store's
   *   error when the PENDING record cannot be written (nothing was sent then).
   */
  transfer(input: unknown): Promise<TransferResponse> {
    let request: TransferRequest;
    try {
      request = parseTransferRequest(input, this.limits);
    } catch (err) {
      this.auditRejected(input, err);
      return Promise.reject(err);
    }
    const running = this.inFlight.get(request.transfer_id);
    if (running) {
      try {
        this.checkSameRequest(running.request, request);
      } catch (err) {
        return Promise.reject(err);
      }
      return running.response;
    }
    const response = this.run(request).finally(() => this.inFlight.delete(request.transfer_id));
    this.inFlight.set(request.transfer_id, { request, response });
    return response;
  }

  private async run(request: TransferRequest): Promise<TransferResponse> {
    const known = await this.store.getTransfer(request.transfer_id);
    if (known) {
      this.checkSameRequest(known, request);
      if (known.state !== 'PENDING') return responseOf(known);
    } else {
      this.admit(request);
    }
    const key = this.keys.treasuryLock(request.from_market, request.to_market);
    const lock = await acquireLock(this.locks, key, { clock: this.clock, ...this.lockPolicy });
    try {
      const now = this.clock.now();
      const { created, record } = await this.store.createTransfer({
        transfer_id: request.transfer_id,
        from_market: request.from_market,
        to_market: request.to_market,
        asset: request.symbol,
        amount: request.amount,
        state: 'PENDING',
        created_at: now,
        updated_at: now,
      });
      if (!created) {
        this.checkSameRequest(record, request);
        if (record.state !== 'PENDING') return responseOf(record);
        this.log.warn({ transfer_id: record.transfer_id, created_at: record.created_at }, 'found a PENDING transfer; settling it from the venue history');
        return await this.settleUnknown(record, lock, 'resumed a PENDING transfer', false);
      }
      this.audit(record, 'PENDING');
      this.events.emit('transfer', record);
      return await this.execute(record, lock);
    } finally {
      await lock.release().catch((err: unknown) => this.log.warn({ key, error: redact(err) }, 'treasury lock release failed'));
    }
  }

  private async execute(record: TransferRecord, lock: Lock): Promise<TransferResponse> {
    for (let attempt = 1; ; attempt++) {
      await this.keepLock(lock, record);
      let answer: VenueTransfer;
      try {
        const call = Promise.resolve().then(() =>
          this.connector.transfer({
            asset: record.asset,
            amount: record.amount,
            from: record.from_market,
            to: record.to_market,
            clientTransferId: record.transfer_id,
          }),
        );
        answer = await withClockTimeout(
          this.clock,
          call,
          this.retry.timeoutMs,
          () =>
            new UnknownOutcomeError(`transfer ${record.transfer_id}: no answer within ${this.retry.timeoutMs} ms`, {
              details: { transfer_id: record.transfer_id, timeoutMs: this.retry.timeoutMs, attempt },
            }),
        );
      } catch (err) {
        const action = transferFailureAction(err);
        this.log.warn({ transfer_id: record.transfer_id, attempt, action, error: redact(err) }, 'transfer attempt failed');
        if (action === 'settle') return this.settleUnknown(record, lock, `attempt ${attempt}: ${describeError(err)}`, false);
        if (action === 'retry' && attempt < this.retry.tries) {
          const delayMs = transferRetryDelayMs(this.retry, err, this.random);
          this.audit(record, 'RETRY', { attempt, delay_ms: delayMs, error: describeError(err) });
          // A long Retry-After must not let the lease lapse while we wait.
          await this.keepLock(lock, record, delayMs + this.lockPolicy.ttlMs);
          await this.clock.sleep(delayMs);
          continue;
        }
        const why = action === 'retry' ? `failed after ${attempt} attempts` : 'refused by the venue';
        return this.finish(record, 'FAILED', `${why}: ${describeError(err)}`, undefined, { attempts: attempt });
      }
      return this.applyAnswer(record, lock, answer, attempt);
    }
  }

  private async applyAnswer(record: TransferRecord, lock: Lock, answer: VenueTransfer, attempt: number): Promise<TransferResponse> {
    if (answer.status === 'CONFIRMED') return this.finish(record, 'SUCCESS', undefined, answer.tranId, { attempts: attempt });
    if (answer.status === 'FAILED') return this.finish(record, 'FAILED', 'the venue reported the transfer FAILED', answer.tranId, { attempts: attempt });
    // Accepted but not yet booked: remember the venue id so settlement matches it exactly.
    const pending = await this.writePending(record, answer.tranId);
    return this.settleUnknown(pending, lock, 'the venue reported the transfer PENDING', true);
  }

  /** Settles an unknown outcome from the venue's history; never resends. */
  private async settleUnknown(record: TransferRecord, lock: Lock, reason: string, waitFirst: boolean): Promise<TransferResponse> {
    this.audit(record, 'SETTLING', { reason });
    const { found, answered } = await this.lookup(record, lock, waitFirst);
    if (found?.status === 'CONFIRMED') {
      return this.finish(record, 'SUCCESS', 'settled from the venue transfer history', found.tranId, { settled: true });
    }
    if (found?.status === 'FAILED') {
      return this.finish(record, 'FAILED', 'the venue transfer history reports it FAILED', found.tranId, { settled: true });
    }
    if (found) {
      const pending = record.venue_tran_id === found.tranId ? record : await this.writePending(record, found.tranId);
      return this.unsettled(pending, `${reason}; the venue still reports it PENDING`);
    }
    const ageMs = this.clock.now() - record.created_at;
    if (answered && ageMs >= this.settle.giveUpAfterMs) {
      return this.finish(record, 'FAILED', `not in the venue transfer history ${ageMs} ms after it was created; not resent`, undefined, { settled: true });
    }
    return this.unsettled(
      record,
      `${reason}; ${answered ? 'not in the venue transfer history yet' : 'the venue transfer history could not be read'}; not resent, ask again with the same transfer_id`,
    );
  }

  private async lookup(record: TransferRecord, lock: Lock, waitFirst: boolean): Promise<Lookup> {
    let answered = false;
    let pending: VenueTransfer | undefined;
    for (let i = 0; i < this.settle.attempts; i++) {
      if (i > 0 || waitFirst) await this.clock.sleep(this.settle.delayMs);
      await this.keepLock(lock, record);
      try {
        const history = await withClockTimeout(
          this.clock,
          Promise.resolve().then(() =>
            this.connector.transferHistory(record.from_market, record.to_market, { startTime: record.created_at - this.settle.slackMs }),
          ),
          this.retry.timeoutMs,
          () => new UnknownOutcomeError(`transfer history: no answer within ${this.retry.timeoutMs} ms`),
        );
        answered = true;
        const match = matchVenueTransfer(record, history, {
          slackMs: this.settle.slackMs,
          ...(record.venue_tran_id !== undefined ? { tranId: record.venue_tran_id } : {}),
        });
        if (match && match.status !== 'PENDING') return { found: match, answered };
        pending = match ?? pending;
      } catch (err) {
        this.log.warn({ transfer_id: record.transfer_id, query: i + 1, error: redact(err) }, 'transfer history query failed');
      }
    }
    return { found: pending, answered };
  }

  private unsettled(record: TransferRecord, message: string): TransferResponse {
    this.audit(record, 'UNSETTLED', { message });
    this.alert('ERROR', 'TREASURY_TRANSFER_UNSETTLED', `transfer ${record.transfer_id} outcome unknown: ${message}`, this.refOf(record));
    return { transfer_id: record.transfer_id, result: 'PENDING', message: message.slice(0, MAX_MESSAGE) };
  }

  private async writePending(record: TransferRecord, tranId: string): Promise<TransferRecord> {
    try {
      return await this.store.updateTransfer(record.transfer_id, { state: 'PENDING', venue_tran_id: tranId, updated_at: this.clock.now() });
    } catch (err) {
      this.log.warn({ transfer_id: record.transfer_id, error: redact(err) }, 'could not store the venue transfer id');
      return { ...record, venue_tran_id: tranId };
    }
  }

  private async finish(
    record: TransferRecord,
    state: 'SUCCESS' | 'FAILED',
    message: string | undefined,
    tranId: string | undefined,
    extra: Record<string, unknown>,
  ): Promise<TransferResponse> {
    const now = this.clock.now();
    let stored: TransferRecord;
    try {
      stored = await this.store.updateTransfer(record.transfer_id, {
        state,
        updated_at: now,
        ...(message !== undefined ? { message } : {}),
        ...(tranId !== undefined ? { venue_tran_id: tranId } : {}),
      });
    } catch (err) {
      if (isChimeraError(err) && err.code === 'TRANSFER_FINAL') {
        // Another process finished it first (our lease lapsed): its answer is the answer.
        const current = await this.store.getTransfer(record.transfer_id);
        if (current) return responseOf(current);
      }
      this.log.error({ transfer_id: record.transfer_id, state, error: redact(err) }, 'transfer state could not be stored');
      this.alert('ERROR', 'TREASURY_STORE_WRITE_FAILED', `transfer ${record.transfer_id} is ${state} at the venue but could not be stored`, {
        ...this.refOf(record),
        state,
        error: describeError(err),
      });
      stored = {
        ...record,
        state,
        updated_at: now,
        ...(message !== undefined ? { message } : {}),
        ...(tranId !== undefined ? { venue_tran_id: tranId } : {}),
      };
    }
    this.audit(stored, state, extra);
    this.events.emit('transfer', stored);
    if (state === 'SUCCESS') {
      this.failuresInRow = 0;
      this.fatalRaised = false;
      await this.store
        .appendStrategyEvents([
          {
            event_id: `treasury:${stored.transfer_id}`,
            kind: 'TREASURY_TRANSFER',
            payload: { ...this.refOf(stored), venue: this.connector.venue, ...(stored.venue_tran_id ? { venue_tran_id: stored.venue_tran_id } : {}) },
            ts: now,
          },
        ])
        .catch((err: unknown) => this.log.error({ transfer_id: stored.transfer_id, error: redact(err) }, 'TREASURY_TRANSFER strategy event not stored'));
    } else {
      this.failuresInRow++;
      this.alert('ERROR', 'TREASURY_TRANSFER_FAILED', `transfer ${stored.transfer_id} failed: ${message ?? 'unknown reason'}`, {
        ...this.refOf(stored),
        consecutive_failures: this.failuresInRow,
      });
      if (this.failuresInRow >= this.fatalAfter && !this.fatalRaised) {
        this.fatalRaised = true;
        this.alert('FATAL', 'TREASURY_FATAL', `${this.failuresInRow} treasury transfers failed in a row`, {
          consecutive_failures: this.failuresInRow,
          last_transfer_id: stored.transfer_id,
        });
        this.events.emit('fatal', { consecutiveFailures: this.failuresInRow, lastTransferId: stored.transfer_id, ts: now });
      }
    }
    return responseOf(stored);
  }

  private admit(request: TransferRequest): void {
    if (!this.limiter) return;
    const verdict = this.limiter.tryTake();
    if (verdict.ok) return;
    const err = new TransferRateLimitError(`too many transfer requests; retry in ${verdict.retryAfterMs} ms`, verdict.retryAfterMs, {
      details: { transfer_id: request.transfer_id },
    });
    this.auditRejected(request, err);
    throw err;
  }

  private checkSameRequest(
    known: Pick<TransferRecord, 'transfer_id' | 'from_market' | 'to_market' | 'amount'> & { asset?: string; symbol?: string },
    request: TransferRequest,
  ): void {
    const asset = known.asset ?? known.symbol;
    if (known.from_market === request.from_market && known.to_market === request.to_market && asset === request.symbol && new D(known.amount).eq(request.amount)) {
      return;
    }
    const err = new BusinessRuleError(`transfer_id ${request.transfer_id} was already used for a different transfer`, {
      code: 'TRANSFER_ID_CONFLICT',
      details: { field: 'transfer_id', transfer_id: request.transfer_id },
    });
    this.auditRejected(request, err);
    throw err;
  }

  private async keepLock(lock: Lock, record: TransferRecord, ttlMs = this.lockPolicy.ttlMs): Promise<void> {
    const ok = await lock.extend(ttlMs).catch(() => false);
    if (ok) return;
    // Correctness rests on the transfer_id (insert-if-absent, settlement by history); the lock
    // only keeps honest processes apart, so a lost lease is reported and the work goes on.
    this.alert('WARN', 'TREASURY_LOCK_LOST', `lock ${lock.key} was lost while transfer ${record.transfer_id} was running`, {
      ...this.refOf(record),
      key: lock.key,
    });
  }

  private refOf(record: TransferRecord): Record<string, unknown> {
    return {
      transfer_id: record.transfer_id,
      from_market: record.from_market,
      to_market: record.to_market,
      asset: record.asset,
      amount: record.amount,
    };
  }

  private audit(record: TransferRecord, kind: TransferAuditKind, extra: Record<string, unknown> = {}): void {
    this.sink.publish(this.keys.opsEvents(), {
      type: 'TREASURY_TRANSFER',
      event: kind,
      ...this.refOf(record),
      state: record.state,
      venue: this.connector.venue,
      ...(record.message !== undefined ? { message: record.message } : {}),
      ...(record.venue_tran_id !== undefined ? { venue_tran_id: record.venue_tran_id } : {}),
      ...extra,
      ts: this.clock.now(),
      source: 'treasury',
    });
  }

  private auditRejected(input: unknown, err: unknown): void {
    const id = typeof input === 'object' && input !== null ? (input as { transfer_id?: unknown }).transfer_id : undefined;
    this.sink.publish(this.keys.opsEvents(), {
      type: 'TREASURY_TRANSFER',
      event: 'REJECTED' satisfies TransferAuditKind,
      ...(typeof id === 'string' ? { transfer_id: id.slice(0, 128) } : {}),
      code: isChimeraError(err) ? err.code : 'UNKNOWN',
      status: isChimeraError(err) ? err.status : 500,
      message: describeError(err),
      venue: this.connector.venue,
      ts: this.clock.now(),
      source: 'treasury',
    });
  }

  private alert(level: TreasuryAlert['level'], code: string, message: string, details: Record<string, unknown>): void {
    const alert: TreasuryAlert = { level, code, message, details, ts: this.clock.now() };
    this.sink.publish(this.keys.alerts(), { ...alert, source: 'treasury' });
    this.events.emit('alert', alert);
  }
}
