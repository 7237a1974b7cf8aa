import type { TransferRecord } from '../domain/transfer.js';

/**
 * An alert raised by the treasury, shaped like the risk layer's and the connectors' alerts so a
 * host publishes them all to `alerts` alike: `{ level, code, message, details, ts }` (`ts` epoch
 * ms, injected clock). Codes: `TREASURY_TRANSFER_FAILED` (ERROR), `TREASURY_TRANSFER_UNSETTLED`
 * (ERROR: outcome unknown, not resent), `TREASURY_FATAL` (FATAL: repeated failures),
 * `TREASURY_STORE_WRITE_FAILED` (ERROR: the venue answered but the state could not be stored),
 * `TREASURY_LOCK_LOST` (WARN), `TOP_UP_*` from the automatic top-up.
 * (A type alias so it is assignable to a sink's `EventPayload`.)
 */
export type TreasuryAlert = {
  level: 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  code: string;
  message: string;
  details: Record<string, unknown>;
  ts: number;
};

/**
 * What an audit record on `ops:events` says happened to a transfer: `REJECTED` (refused before any
 * state was written: format, business rule, rate limit), `PENDING` (record created), `RETRY` (an
 * attempt failed and will be sent again), `SETTLING` (outcome unknown: reading the venue's
 * history), `UNSETTLED` (still unknown; left PENDING), `SUCCESS`, `FAILED`.
 */
export type TransferAuditKind = 'REJECTED' | 'PENDING' | 'RETRY' | 'SETTLING' | 'UNSETTLED' | 'SUCCESS' | 'FAILED';

/** Payload of the `fatal` event: transfers keep failing and a human must look. */
export interface TreasuryFatalEvent {
  /** Transfers that ended FAILED in a row. */
  consecutiveFailures: number;
  /** The transfer that crossed the threshold. */
  lastTransferId: string;
  ts: number;
}

/** Events of a `Treasury`. No event is named `error` (DESIGN.md). */
export interface TreasuryEvents {
  /** A transfer's state was written (PENDING on creation, then SUCCESS or FAILED). */
  transfer: (record: TransferRecord) => void;
  /** An alert, also published to the `alerts` stream. */
  alert: (alert: TreasuryAlert) => void;
  /** Consecutive failures reached the FATAL threshold (once until a transfer succeeds). */
  fatal: (event: TreasuryFatalEvent) => void;
}
