/**
 * Finding a stored transfer in the venue's transfer history, to settle an unknown outcome (a
 * timeout, a crash between writing PENDING and hearing the venue) without resending.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { VenueTransfer } from '../domain/account.js';
import type { TransferRecord } from '../domain/transfer.js';

/** A private big.js constructor, so a host's global big.js settings cannot change comparisons. */
const D = Big();

/** Options of {@link matchVenueTransfer}. */
export interface TransferMatchOptions {
  /** The venue's transaction id, when an earlier answer gave one: it decides alone. */
  tranId?: string;
  /**
   * Allowance for clock skew between the local clock (the record's `created_at`) and the venue's
   * timestamps, ms. Used only by the amount-and-direction fallback.
   */
  slackMs: number;
}

/**
 * The venue transfer that is `record`, or `undefined`. In order:
 * 1. by `options.tranId` when known;
 * 2. by `clientTransferId === record.transfer_id` (venues that echo the caller's id);
 * 3. only when no history row carries a `clientTransferId` at all (the venue does not echo ids, so
 *    ours could not have been echoed either): same asset, direction and amount, at or after
 *    `created_at − slackMs`, preferring rows at or after `created_at`, earliest first.
 *
 * The fallback can mistake another transfer of the same amount for this one; the treasury lock
 * serialises transfers per direction, so such a twin must have landed within `slackMs` before this
 * record was created — keep `slackMs` near the measured clock skew.
 */
export function matchVenueTransfer(
  record: Pick<TransferRecord, 'transfer_id' | 'from_market' | 'to_market' | 'asset' | 'amount' | 'created_at'>,
  history: readonly VenueTransfer[],
  options: TransferMatchOptions,
): VenueTransfer | undefined {
  if (options.tranId !== undefined) return history.find((t) => t.tranId === options.tranId);
  const byId = history.find((t) => t.clientTransferId === record.transfer_id);
  if (byId) return byId;
  if (history.some((t) => t.clientTransferId !== undefined)) return undefined;
  const amount = new D(record.amount);
  const candidates = history
    .filter(
      (t) =>
        t.asset === record.asset &&
        t.from === record.from_market &&
        t.to === record.to_market &&
        new D(t.amount).eq(amount) &&
        t.ts >= record.created_at - options.slackMs,
    )
    .sort((a, b) => Number(b.ts >= record.created_at) - Number(a.ts >= record.created_at) || a.ts - b.ts);
  return candidates[0];
}
