import Big from 'big.js';
import { isTerminalStatus } from '../domain/enums.js';
import type { OrderRecord } from '../domain/records.js';
import type { TransferRecord } from '../domain/transfer.js';
import { StateError } from '../errors.js';
import type { TransferUpdate } from './store.js';

/**
 * Whether `incoming` may replace `stored` for the same client order id. Updates arrive out of
 * order (REST catch-up racing the user stream), so an older or less advanced view never wins:
 * terminal beats open, later `updatedAt` beats earlier, and at equal times more filled beats less.
 */
export function orderSupersedes(stored: OrderRecord | undefined, incoming: OrderRecord): boolean {
  if (!stored) return true;
  const storedFinal = isTerminalStatus(stored.status);
  const incomingFinal = isTerminalStatus(incoming.status);
  if (storedFinal && !incomingFinal) return false;
  if (!storedFinal && incomingFinal) return true;
  if (incoming.updatedAt !== stored.updatedAt) return incoming.updatedAt > stored.updatedAt;
  return new Big(incoming.filledQty).gte(stored.filledQty);
}

/** Merges an order update into the stored record, keeping intent links the venue doesn't know. */
export function mergeOrder(stored: OrderRecord | undefined, incoming: OrderRecord): OrderRecord {
  if (!stored) return incoming;
  if (!orderSupersedes(stored, incoming)) return stored;
  return { ...incoming, intent_id: incoming.intent_id ?? stored.intent_id, leg: incoming.leg ?? stored.leg };
}

/**
 * Applies a transfer state change: PENDING may move anywhere; SUCCESS and FAILED are final
 * (repeating the same final state is accepted as a no-op).
 * @throws StateError when a final transfer would change state.
 */
export function applyTransferUpdate(stored: TransferRecord, update: TransferUpdate): TransferRecord {
  if (stored.state !== 'PENDING') {
    if (update.state === stored.state) return stored;
    throw new StateError(`transfer ${stored.transfer_id} is already ${stored.state}`, {
      code: 'TRANSFER_FINAL',
      details: { transfer_id: stored.transfer_id, state: stored.state, requested: update.state },
    });
  }
  return {
    ...stored,
    state: update.state,
    updated_at: update.updated_at,
    ...(update.message !== undefined ? { message: update.message } : {}),
    ...(update.venue_tran_id !== undefined ? { venue_tran_id: update.venue_tran_id } : {}),
  };
}
