/**
 * Universal-transfer payloads (`/sapi/v1/asset/transfer`) mapped to the core `VenueTransfer`.
 *
 * @packageDocumentation
 */
import { VenueTransfer, type Market } from '@chimera/core';
import { z } from 'zod';
import { parseVenue, unexpected, WireDecimal, WireId, WireTime } from './wire.js';

const DIRECTION: Record<string, { from: Market; to: Market }> = {
  MAIN_UMFUTURE: { from: 'SPOT', to: 'FUT' },
  UMFUTURE_MAIN: { from: 'FUT', to: 'SPOT' },
};

/**
 * Reads the answer of `POST /sapi/v1/asset/transfer`, `{ tranId }`.
 * @returns The venue's transaction id as a string.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseUniversalTransferResult(body: unknown): { tranId: string } {
  return parseVenue(z.object({ tranId: WireId }), body, 'universal transfer');
}

const History = z.object({
  total: z.number().int().nonnegative(),
  rows: z
    .array(z.object({ asset: z.string(), amount: WireDecimal, type: z.string(), status: z.enum(['CONFIRMED', 'FAILED', 'PENDING']), tranId: WireId, timestamp: WireTime }))
    .optional(),
});

/**
 * Maps `GET /sapi/v1/asset/transfer` to transfers, oldest first. Binance leaves `rows` out when
 * there are none. `MAIN_UMFUTURE` is SPOT→FUT, `UMFUTURE_MAIN` FUT→SPOT; the statuses CONFIRMED,
 * PENDING and FAILED map by name. Binance echoes no client id, so `clientTransferId` is absent.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape or another transfer type.
 */
export function parseUniversalTransferHistory(body: unknown): VenueTransfer[] {
  const what = 'universal transfer history';
  const h = parseVenue(History, body, what);
  return (h.rows ?? [])
    .slice()
    .sort((a, b) => a.timestamp - b.timestamp)
    .map((r) => {
      const dir = DIRECTION[r.type] ?? unexpected(what, 'type', `not a SPOT↔USDⓈ-M transfer: ${r.type}`);
      return parseVenue(VenueTransfer, { tranId: r.tranId, from: dir.from, to: dir.to, asset: r.asset, amount: r.amount, status: r.status, ts: r.timestamp }, what);
    });
}
