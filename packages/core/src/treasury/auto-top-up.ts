/**
 * The automatic SPOT → FUT top-up (SPEC §6): reads both wallets, computes the need with
 * {@link computeTopUp}, asks the host's approval hook, and transfers through the {@link Treasury}.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import type { Market } from '../domain/enums.js';
import type { TransferResponse } from '../domain/transfer.js';
import { isChimeraError } from '../errors.js';
import type { JobDefinition } from '../jobs/scheduler.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';
import type { EventSink } from '../sinks/event-sink.js';
import { DEFAULT_STREAM_KEYS, type StreamKeys } from '../sinks/stream-keys.js';
import { computeTopUp, type TopUpPlan } from './top-up.js';
import type { Treasury } from './treasury.js';
import type { TreasuryAlert } from './treasury-events.js';

/** What the approval hook is asked to approve. */
export interface TopUpProposal {
  /** Deterministic id (see {@link AutoTopUp}); the transfer runs under it. */
  transfer_id: string;
  from_market: 'SPOT';
  to_market: 'FUT';
  asset: string;
  /** Amount to move (decimal string). */
  amount: string;
  /** The computation behind it. */
  plan: TopUpPlan;
  futFree: string;
  spotFree: string;
  minFreeFut: string;
  spotBuffer: string;
  ts: number;
}

/** How a {@link AutoTopUp.check} ended. */
export type TopUpOutcome =
  | { status: 'NOT_NEEDED' | 'INSUFFICIENT_SPOT'; plan: TopUpPlan }
  | { status: 'REJECTED'; proposal: TopUpProposal }
  | { status: 'APPROVAL_FAILED'; proposal: TopUpProposal; error: string }
  | { status: 'TRANSFERRED'; proposal: TopUpProposal; response: TransferResponse }
  | { status: 'TRANSFER_ERROR'; proposal: TopUpProposal; error: string };

/** Events of {@link AutoTopUp}. No event is named `error`. */
export interface AutoTopUpEvents {
  /** A top-up was proposed to the approval hook. */
  proposed: (proposal: TopUpProposal) => void;
  /** A check finished (whatever the outcome). */
  checked: (outcome: TopUpOutcome) => void;
  /** Spot cannot cover a needed top-up, the hook failed, or the transfer errored. */
  alert: (alert: TreasuryAlert) => void;
}

/** Options of {@link AutoTopUp}. */
export interface AutoTopUpOptions {
  /** Executes the approved transfer. */
  treasury: Pick<Treasury, 'transfer'>;
  /** Where the balances are read (`balances`). */
  connector: Pick<ExchangeConnector, 'venue' | 'balances'>;
  /**
   * The host's decision on a proposal: resolve `true` to transfer, `false` to decline. A throw or
   * rejection counts as declined and raises a WARN alert.
   */
  approve: (proposal: TopUpProposal) => boolean | Promise<boolean>;
  /** Time source. */
  clock: Clock;
  /** Free futures balance to keep (`min_free_fut`), decimal string. */
  minFreeFut: string;
  /** Spot balance never moved (`spot_buffer`), decimal string. */
  spotBuffer: string;
  /** Asset to move (default `USDT`). */
  asset?: string;
  /** Transfer limits for the computation (default min 1, max 10 000). */
  limits?: { min?: string; max?: string };
  /** Decimal places of the amount (default 2). */
  decimals?: number;
  /**
   * Length of the id window, ms (default 3 600 000). The transfer id is
   * `topup-<venue>-<asset>-SPOT-FUT-<window start>-<amount>`, so a check repeated after a crash or
   * a PENDING answer reuses the id and never moves money twice; a failed top-up of the same amount
   * is not retried before the next window.
   */
  idWindowMs?: number;
  /** Period of {@link AutoTopUp.job}, ms (default 60 000). */
  everyMs?: number;
  /** Audit (`ops:events`) and alerts; default none. */
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
 * Keeps the futures wallet topped up from spot, with a human (or policy) in the loop: every
 * {@link AutoTopUp.check} reads the free balances, and when the futures wallet is below
 * `minFreeFut` proposes `computeTopUp`'s amount to `approve`; on approval it transfers with a
 * deterministic `transfer_id`. Concurrent checks share one run.
 */
export class AutoTopUp {
  /** `proposed`, `checked` and `alert` events. */
  readonly events = new EventEmitter<AutoTopUpEvents>();

  private readonly options: AutoTopUpOptions;
  private readonly asset: string;
  private readonly keys: StreamKeys;
  private readonly log: Logger;
  private running: Promise<TopUpOutcome> | undefined;

  constructor(options: AutoTopUpOptions) {
    this.options = options;
    this.asset = options.asset ?? 'USDT';
    this.keys = options.keys ?? DEFAULT_STREAM_KEYS;
    this.log = redactingLogger(options.logger ?? noopLogger).child({ component: 'auto-top-up', venue: options.connector.venue });
  }

  /**
   * Reads balances, proposes and (on approval) transfers.
   * @throws the connector's error when balances cannot be read, and ValidationError when the
   *   configured amounts are not decimal strings; everything after the proposal is reported in the
   *   outcome instead.
   */
  check(): Promise<TopUpOutcome> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** A job for the `JobScheduler`: `check()` every `everyMs` (default 60 s). */
  job(name = `top-up:${this.options.connector.venue}:${this.options.asset ?? 'USDT'}`): JobDefinition {
    return { name, everyMs: this.options.everyMs ?? 60_000, run: () => this.check() };
  }

  private async run(): Promise<TopUpOutcome> {
    const o = this.options;
    const [futFree, spotFree] = await Promise.all([this.free('FUT'), this.free('SPOT')]);
    const plan = computeTopUp({
      futFree,
      spotFree,
      minFreeFut: o.minFreeFut,
      spotBuffer: o.spotBuffer,
      ...(o.limits ? { limits: o.limits } : {}),
      ...(o.decimals !== undefined ? { decimals: o.decimals } : {}),
    });
    if (plan.status !== 'PROPOSE') {
      if (plan.status === 'INSUFFICIENT_SPOT') {
        this.alert('WARN', 'TOP_UP_INSUFFICIENT_SPOT', `futures ${this.asset} is ${plan.shortfall} short and spot cannot cover a transfer`, {
          ...plan,
          futFree,
          spotFree,
        });
      }
      return this.done({ status: plan.status, plan });
    }
    const now = o.clock.now();
    const windowMs = Math.max(1, o.idWindowMs ?? 3_600_000);
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const proposal: TopUpProposal = {
      transfer_id: `topup-${o.connector.venue}-${this.asset}-SPOT-FUT-${windowStart}-${plan.amount}`.slice(0, 128),
      from_market: 'SPOT',
      to_market: 'FUT',
      asset: this.asset,
      amount: plan.amount,
      plan,
      futFree,
      spotFree,
      minFreeFut: o.minFreeFut,
      spotBuffer: o.spotBuffer,
      ts: now,
    };
    this.events.emit('proposed', proposal);
    this.audit('PROPOSED', proposal);

    let approved: boolean;
    try {
      approved = (await o.approve(proposal)) === true;
    } catch (err) {
      this.log.warn({ transfer_id: proposal.transfer_id, error: redact(err) }, 'top-up approval hook failed');
      this.audit('APPROVAL_FAILED', proposal, { error: describeError(err) });
      this.alert('WARN', 'TOP_UP_APPROVAL_FAILED', `top-up approval hook failed: ${describeError(err)}`, { transfer_id: proposal.transfer_id });
      return this.done({ status: 'APPROVAL_FAILED', proposal, error: describeError(err) });
    }
    if (!approved) {
      this.audit('REJECTED', proposal);
      return this.done({ status: 'REJECTED', proposal });
    }
    this.audit('APPROVED', proposal);
    try {
      const response = await o.treasury.transfer({
        transfer_id: proposal.transfer_id,
        from_market: 'SPOT',
        to_market: 'FUT',
        amount: proposal.amount,
        symbol: this.asset,
      });
      return this.done({ status: 'TRANSFERRED', proposal, response });
    } catch (err) {
      this.alert('ERROR', 'TOP_UP_TRANSFER_ERROR', `approved top-up could not be executed: ${describeError(err)}`, { transfer_id: proposal.transfer_id });
      return this.done({ status: 'TRANSFER_ERROR', proposal, error: describeError(err) });
    }
  }

  private async free(market: Market): Promise<string> {
    const balances = await this.options.connector.balances(market);
    return balances.find((b) => b.asset === this.asset)?.free ?? '0';
  }

  private done(outcome: TopUpOutcome): TopUpOutcome {
    this.events.emit('checked', outcome);
    return outcome;
  }

  private audit(decision: string, proposal: TopUpProposal, extra: Record<string, unknown> = {}): void {
    this.options.sink?.publish(this.keys.opsEvents(), {
      type: 'TREASURY_TOP_UP',
      event: decision,
      transfer_id: proposal.transfer_id,
      asset: proposal.asset,
      amount: proposal.amount,
      shortfall: proposal.plan.shortfall,
      fut_free: proposal.futFree,
      spot_free: proposal.spotFree,
      venue: this.options.connector.venue,
      ...extra,
      ts: this.options.clock.now(),
      source: 'treasury',
    });
  }

  private alert(level: TreasuryAlert['level'], code: string, message: string, details: Record<string, unknown>): void {
    const alert: TreasuryAlert = { level, code, message, details, ts: this.options.clock.now() };
    this.options.sink?.publish(this.keys.alerts(), { ...alert, source: 'treasury' });
    this.events.emit('alert', alert);
  }
}
