import Big from 'big.js';
import type { Side } from '../domain/enums.js';
import { ValidationError, type RiskRejectedError } from '../errors.js';
import { riskRejection } from './risk-rule.js';

function toBig(value: string | number, path: string): Big {
  try {
    const b = new Big(value);
    if (b.gt(0)) return b;
  } catch {
    // fall through to the typed error below
  }
  throw new ValidationError(`invalid ${path}: ${String(value)} (expected a positive price)`, [{ path, message: 'expected a positive price' }]);
}

/**
 * Slippage of a fill against the arrival mid, in basis points, signed so that positive is adverse:
 * a BUY filled above the mid or a SELL filled below it. `BUY: (avg − mid) / mid · 1e4`,
 * `SELL: (mid − avg) / mid · 1e4`. Computed exactly, returned as a float (analytics).
 *
 * @param arrivalMid - mid when the order was decided (decimal string, or the tick's float mid).
 * @param avgPrice - average fill price (decimal string or number).
 * @throws ValidationError when either price is not a positive number.
 */
export function slippageBps(arrivalMid: string | number, avgPrice: string | number, side: Side): number {
  const mid = toBig(arrivalMid, 'arrivalMid');
  const avg = toBig(avgPrice, 'avgPrice');
  const diff = side === 'BUY' ? avg.minus(mid) : mid.minus(avg);
  const bps = Number(diff.div(mid).times(10_000).toFixed(6));
  return Object.is(bps, -0) ? 0 : bps;
}

/** The outcome of {@link assessSlippage}. */
export interface SlippageAssessment {
  /** Signed slippage in bps; positive is adverse. */
  slippageBps: number;
  /** The threshold it was compared with (bps). */
  limitBps: number;
  /** True when the adverse slippage is above the threshold. */
  exceeded: boolean;
  /** When exceeded: a `SLIPPAGE` rejection the caller may throw, or turn into an alert. */
  rejection: RiskRejectedError | undefined;
}

/**
 * Post-trade slippage check (SPEC §4 slippage threshold). Pure: it raises nothing itself, because
 * whether excess slippage rejects the next step or only alerts is the caller's policy.
 *
 * @param maxSlippageBps - the threshold (bps); slippage strictly above it is `exceeded`.
 * @throws ValidationError when a price is not positive.
 */
export function assessSlippage(arrivalMid: string | number, avgPrice: string | number, side: Side, maxSlippageBps: number): SlippageAssessment {
  const bps = slippageBps(arrivalMid, avgPrice, side);
  const exceeded = bps > maxSlippageBps;
  return {
    slippageBps: bps,
    limitBps: maxSlippageBps,
    exceeded,
    rejection: exceeded
      ? riskRejection('SLIPPAGE', `slippage ${bps} bps is above the ${maxSlippageBps} bps threshold`, {
          limit: maxSlippageBps,
          observed: bps,
          side,
          arrivalMid: String(arrivalMid),
          avgPrice: String(avgPrice),
        })
      : undefined,
  };
}
