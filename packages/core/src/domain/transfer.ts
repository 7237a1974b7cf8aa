import Big from 'big.js';
import { z } from 'zod';
import { BusinessRuleError } from '../errors.js';
import { EpochMs, PositiveDecimalInput } from './decimal.js';
import { Market, Symbol } from './enums.js';
import { parseWith } from './parse.js';

/** A SPOT↔FUT transfer request (SPEC §6). `symbol` is the asset moved, e.g. `USDT`. */
export const TransferRequest = z.strictObject({
  /** Idempotency key, 1–128 chars: the same id never moves money twice. */
  transfer_id: z.string().min(1).max(128),
  from_market: Market,
  to_market: Market,
  /** Amount of the asset, > 0. */
  amount: PositiveDecimalInput,
  symbol: Symbol,
});
/** A parsed transfer request. */
export type TransferRequest = z.infer<typeof TransferRequest>;
/** What callers may pass as a transfer request. */
export type TransferRequestInput = z.input<typeof TransferRequest>;

/** The answer to a transfer request. */
export const TransferResponse = z.object({
  transfer_id: z.string().min(1).max(128),
  result: z.enum(['SUCCESS', 'FAILED', 'PENDING']),
  message: z.string().max(512).optional(),
});
/** The answer to a transfer request. */
export type TransferResponse = z.infer<typeof TransferResponse>;

/** The state of a transfer as stored in `treasury_transfers`. */
export const TransferRecord = z.object({
  transfer_id: z.string().min(1).max(128),
  from_market: Market,
  to_market: Market,
  asset: z.string().min(1),
  amount: z.string(),
  state: z.enum(['PENDING', 'SUCCESS', 'FAILED']),
  message: z.string().optional(),
  /** The venue's transaction id once known. */
  venue_tran_id: z.string().optional(),
  created_at: EpochMs,
  updated_at: EpochMs,
});
/** The state of a transfer as stored. */
export type TransferRecord = z.infer<typeof TransferRecord>;

/** Business limits on transfers. Defaults: min 1, max 10 000, USDT both ways. */
export interface TransferLimits {
  /** Smallest amount (inclusive). Default `"1"`. */
  min: string;
  /** Largest amount (inclusive). Default `"10000"`. */
  max: string;
  /** Assets that may move. Default `["USDT"]`. */
  assets: readonly string[];
  /** Allowed directions as `FROM->TO`. Default both. */
  directions: readonly string[];
}

/** The SPEC §6 default transfer limits. */
export const DEFAULT_TRANSFER_LIMITS: TransferLimits = Object.freeze({
  min: '1',
  max: '10000',
  assets: Object.freeze(['USDT']),
  directions: Object.freeze(['SPOT->FUT', 'FUT->SPOT']),
});

/**
 * Parses a transfer request and checks its business rules.
 *
 * @param limits - overrides of {@link DEFAULT_TRANSFER_LIMITS}.
 * @throws ValidationError (400) for format errors; BusinessRuleError (422) with code
 *   `SAME_MARKET`, `MIN_AMOUNT`, `MAX_AMOUNT` or `NOT_WHITELISTED`.
 */
export function parseTransferRequest(input: unknown, limits: Partial<TransferLimits> = {}): TransferRequest {
  const req = parseWith(TransferRequest, input, 'transfer request');
  const l = { ...DEFAULT_TRANSFER_LIMITS, ...limits };
  if (req.from_market === req.to_market) {
    throw new BusinessRuleError('invalid transfer request: to_market: must differ from from_market', {
      code: 'SAME_MARKET',
      details: { field: 'to_market' },
    });
  }
  const amount = new Big(req.amount);
  if (amount.lt(l.min)) {
    throw new BusinessRuleError(`invalid transfer request: amount: ${req.amount} is below the minimum ${l.min}`, {
      code: 'MIN_AMOUNT',
      details: { field: 'amount', min: l.min },
    });
  }
  if (amount.gt(l.max)) {
    throw new BusinessRuleError(`invalid transfer request: amount: ${req.amount} is above the maximum ${l.max}`, {
      code: 'MAX_AMOUNT',
      details: { field: 'amount', max: l.max },
    });
  }
  if (!l.assets.includes(req.symbol)) {
    throw new BusinessRuleError(`invalid transfer request: symbol: ${req.symbol} is not whitelisted`, {
      code: 'NOT_WHITELISTED',
      details: { field: 'symbol' },
    });
  }
  const direction = `${req.from_market}->${req.to_market}`;
  if (!l.directions.includes(direction)) {
    throw new BusinessRuleError(`invalid transfer request: direction ${direction} is not whitelisted`, {
      code: 'NOT_WHITELISTED',
      details: { field: 'from_market' },
    });
  }
  return req;
}
