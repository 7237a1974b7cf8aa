import Big from 'big.js';
import { z } from 'zod';
import { BusinessRuleError } from '../errors.js';
import { EpochMs, PositiveDecimalInput } from './decimal.js';
import { Market, OrderType, Side, Symbol, TimeInForce, WorkingType } from './enums.js';
import { parseWith } from './parse.js';

/** The execution policies an intent may name in `exec_policy`. */
export const ExecPolicy = z.enum(['MakerThenTaker', 'OCO', 'TWAP', 'Market', 'Limit']);
/** An execution policy name. */
export type ExecPolicy = z.infer<typeof ExecPolicy>;

/** TWAP settings of an intent (SPEC §3). */
export const TwapSettings = z.strictObject({
  enabled: z.boolean().default(false),
  /** Number of slices, 1–1000. */
  slices: z.number().int().min(1).max(1000).default(1),
  /** Pause between slices in ms. */
  interval_ms: z.number().int().min(0).max(86_400_000).default(0),
});
/** TWAP settings of an intent. */
export type TwapSettings = z.infer<typeof TwapSettings>;

/** OCO settings of a SPOT intent: take-profit price, stop-loss price, entry limit price. */
export const OcoSettings = z.strictObject({
  tp_price: PositiveDecimalInput,
  sl_price: PositiveDecimalInput,
  /** Entry limit price; absent means a market entry. */
  limit_price: PositiveDecimalInput.optional(),
  leg_time_in_force: TimeInForce.default('GTC'),
});
/** OCO settings of a SPOT intent. */
export type OcoSettings = z.infer<typeof OcoSettings>;

/**
 * A trading intent (SPEC §3; the shape of integration-sequences §5). Field names are snake_case
 * because this is a wire format. Numbers in the JSON are read as exact decimal strings.
 */
export const Intent = z.strictObject({
  /** Idempotency key: the same id never creates a second order. 1–128 chars. */
  intent_id: z.string().min(1).max(128),
  market: Market,
  symbol: Symbol,
  side: Side,
  /** Base-asset quantity, never multiplied by leverage. */
  qty: PositiveDecimalInput,
  exec_policy: ExecPolicy.optional(),
  /** How long the post-only leg of MakerThenTaker waits (ms). Default 3000. */
  post_only_wait_ms: z.number().int().min(0).max(600_000).default(3000),
  twap: TwapSettings.optional(),
  /** Futures leverage, 1–125. */
  leverage: z.number().int().min(1).max(125).optional(),
  /** Futures isolated margin. */
  isolated: z.boolean().optional(),
  client_tags: z.array(z.string().max(64)).max(32).default([]),
  /** Explicit order type (e.g. STOP_MARKET for a stop-loss intent, MARKET for a guard exit). */
  type: OrderType.optional(),
  reduce_only: z.boolean().default(false),
  /** Limit price for `type: LIMIT` / `exec_policy: Limit`. */
  price: PositiveDecimalInput.optional(),
  stop_price: PositiveDecimalInput.optional(),
  working_type: WorkingType.optional(),
  oco: OcoSettings.optional(),
  /** Take-profit price attached to an entry (null: none). */
  tp: PositiveDecimalInput.nullable().optional(),
  /** Stop-loss price attached to an entry (null: none). */
  sl: PositiveDecimalInput.nullable().optional(),
});
/** A parsed intent. */
export type Intent = z.infer<typeof Intent>;
/** What callers may pass as an intent (numbers allowed, defaults optional). */
export type IntentInput = z.input<typeof Intent>;

/** The envelope of the reference examples: `{ intent, tp?, sl? }`. */
export const IntentEnvelope = z.strictObject({
  intent: Intent,
  tp: PositiveDecimalInput.nullable().optional(),
  sl: PositiveDecimalInput.nullable().optional(),
});
/** The envelope of the reference examples. */
export type IntentEnvelope = z.infer<typeof IntentEnvelope>;

/** A signal event (`signals:new`) from a feature generator. */
export const Signal = z.object({
  signal_id: z.string().min(1),
  symbol: Symbol,
  /** Signal time (epoch ms). */
  t0: EpochMs,
  features: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  config_rev: z.number().int().nonnegative(),
});
/** A signal event. */
export type Signal = z.infer<typeof Signal>;

function rule(code: string, field: string, message: string): BusinessRuleError {
  return new BusinessRuleError(`invalid intent: ${field}: ${message}`, { code, details: { field } });
}

/**
 * Checks the business rules an intent's shape cannot express.
 * @throws BusinessRuleError (422) naming the field and a code such as `OCO_REQUIRES_SPOT`.
 */
export function checkIntentRules(intent: Intent): void {
  if (intent.exec_policy === undefined && intent.type === undefined) {
    throw rule('POLICY_REQUIRED', 'exec_policy', 'an intent needs an exec_policy or an explicit type');
  }
  if (intent.market === 'SPOT') {
    if (intent.reduce_only) throw rule('REDUCE_ONLY_SPOT', 'reduce_only', 'reduce-only exists only on FUT');
    if (intent.leverage !== undefined) throw rule('LEVERAGE_SPOT', 'leverage', 'leverage exists only on FUT');
  }
  if ((intent.type === 'STOP_MARKET' || intent.type === 'TAKE_PROFIT_MARKET' || intent.type === 'STOP_LIMIT' || intent.type === 'TAKE_PROFIT_LIMIT') && intent.stop_price === undefined) {
    throw rule('STOP_PRICE_REQUIRED', 'stop_price', `${intent.type} needs a stop_price`);
  }
  if ((intent.type === 'LIMIT' || intent.exec_policy === 'Limit') && intent.price === undefined) {
    throw rule('PRICE_REQUIRED', 'price', 'a limit intent needs a price');
  }
  if (intent.exec_policy === 'OCO') {
    if (intent.market !== 'SPOT') throw rule('OCO_REQUIRES_SPOT', 'market', 'OCO is a SPOT policy');
    if (intent.oco === undefined) throw rule('OCO_PARAMS_MISSING', 'oco', 'exec_policy OCO needs an oco block');
    const tp = new Big(intent.oco.tp_price);
    const sl = new Big(intent.oco.sl_price);
    // A BUY entry is protected by SELL legs: TP above, SL below (and the entry between them).
    const ordered = intent.side === 'BUY' ? tp.gt(sl) : tp.lt(sl);
    if (!ordered) {
      throw rule('OCO_PRICE_ORDER', 'oco.tp_price', intent.side === 'BUY' ? 'tp_price must be above sl_price for a BUY' : 'tp_price must be below sl_price for a SELL');
    }
    if (intent.oco.limit_price !== undefined) {
      const lp = new Big(intent.oco.limit_price);
      const between = intent.side === 'BUY' ? lp.gt(sl) && lp.lt(tp) : lp.lt(sl) && lp.gt(tp);
      if (!between) throw rule('OCO_PRICE_ORDER', 'oco.limit_price', 'limit_price must lie between sl_price and tp_price');
    }
  }
  if (intent.twap?.enabled === true && intent.twap.slices > 1) {
    const slice = new Big(intent.qty).div(intent.twap.slices);
    if (slice.lte(0)) throw rule('TWAP_SLICE_EMPTY', 'twap.slices', 'too many slices for the quantity');
  }
}

/**
 * Parses and validates an intent, given bare or in the `{ intent, tp, sl }` envelope of the
 * reference examples (envelope `tp`/`sl` are merged into the intent when it has none).
 *
 * @throws ValidationError (400) for shape errors, BusinessRuleError (422) for rule violations.
 */
export function parseIntent(input: unknown): Intent {
  const isEnvelope = typeof input === 'object' && input !== null && 'intent' in input;
  let intent: Intent;
  if (isEnvelope) {
    const env = parseWith(IntentEnvelope, input, 'intent');
    intent = { ...env.intent, tp: env.intent.tp ?? env.tp ?? null, sl: env.intent.sl ?? env.sl ?? null };
  } else {
    intent = parseWith(Intent, input, 'intent');
  }
  checkIntentRules(intent);
  return intent;
}
