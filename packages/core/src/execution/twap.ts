import Big from 'big.js';
import { EventEmitter } from 'eventemitter3';
import type { Fill } from '../domain/account.js';
import type { Instrument } from '../domain/instrument.js';
import type { Order } from '../domain/order.js';
import { roundQty } from '../precision/round.js';
import { raiseAlert, type ExecutionContext, type TwapProgress } from './execution-context.js';

/** Runs one slice of `qty` and reports its fills. */
export type SliceRunner = (slice: { index: number; qty: string; legPrefix: string }) => Promise<{ fills: Fill[]; lastOrder: Order | undefined }>;

/** Control events of a TWAP. */
export interface TwapControlEvents {
  paused: () => void;
  resumed: () => void;
  cancelled: () => void;
}

/**
 * Pause / resume / cancel handle of a running TWAP. A pause takes effect between slices (a slice
 * already sent finishes); cancel stops before the next slice.
 */
export class TwapController extends EventEmitter<TwapControlEvents> {
  private pausedFlag = false;
  private cancelledFlag = false;
  /** True while paused. */
  get paused(): boolean {
    return this.pausedFlag;
  }
  /** True once cancelled. */
  get cancelled(): boolean {
    return this.cancelledFlag;
  }
  /** Holds the TWAP before its next slice. */
  pause(): void {
    if (this.pausedFlag || this.cancelledFlag) return;
    this.pausedFlag = true;
    this.emit('paused');
  }
  /** Lets a paused TWAP continue. */
  resume(): void {
    if (!this.pausedFlag) return;
    this.pausedFlag = false;
    this.emit('resumed');
  }
  /** Stops the TWAP before its next slice. */
  cancel(): void {
    if (this.cancelledFlag) return;
    this.cancelledFlag = true;
    this.pausedFlag = false;
    this.emit('cancelled');
  }
}

/** Options of {@link runTwap}. */
export interface TwapOptions {
  intentId: string;
  /** Total quantity (decimal string). */
  qty: string;
  slices: number;
  /** Pause between slices (ms, injected clock). */
  intervalMs: number;
  instrument: Instrument;
  runSlice: SliceRunner;
  controller?: TwapController;
}

/** What a TWAP produced. */
export interface TwapOutcome {
  fills: Fill[];
  lastOrder: Order | undefined;
  filledQty: string;
  state: 'DONE' | 'CANCELLED';
}

/**
 * Size of the next slice: the remaining quantity spread over the remaining slices, rounded down
 * to the step — the last slice takes everything left, so rounding never loses quantity and a
 * slice that over- or under-filled is corrected by the next.
 */
export function nextSliceQty(remaining: string, slicesLeft: number, instrument: Instrument): string {
  if (slicesLeft <= 1) return roundQty(remaining, instrument.stepSize);
  const even = new Big(remaining).div(slicesLeft).toFixed(20);
  const rounded = roundQty(even, instrument.stepSize);
  return new Big(rounded).lt(instrument.minQty) ? roundQty(remaining, instrument.stepSize) : rounded;
}

async function waitWhilePaused(ctx: ExecutionContext, controller: TwapController): Promise<void> {
  if (!controller.paused) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      controller.off('resumed', done);
      controller.off('cancelled', done);
      resolve();
    };
    controller.on('resumed', done);
    controller.on('cancelled', done);
  });
  void ctx;
}

/**
 * TWAP (SPEC §3): `slices` slices every `intervalMs`, each sized from the remaining quantity and
 * run by `runSlice` (a market order, or MakerThenTaker). Emits `twap_progress` after each slice
 * and stores the progress on the intent so a restart knows where it stopped.
 */
export async function runTwap(ctx: ExecutionContext, o: TwapOptions): Promise<TwapOutcome> {
  const controller = o.controller ?? new TwapController();
  const fills: Fill[] = [];
  let lastOrder: Order | undefined;
  let filled = new Big(0);
  const progress = (slice: number, state: TwapProgress['state']): void => {
    const p: TwapProgress = { intent_id: o.intentId, slice, slices: o.slices, filled_qty: filled.toFixed(), target_qty: o.qty, state, ts: ctx.clock.now() };
    ctx.events.emit('twap_progress', p);
  };
  for (let i = 0; i < o.slices; i++) {
    if (i > 0) await ctx.clock.sleep(o.intervalMs);
    if (controller.paused) {
      progress(i, 'PAUSED');
      await waitWhilePaused(ctx, controller);
    }
    if (controller.cancelled) {
      progress(i, 'CANCELLED');
      return { fills, lastOrder, filledQty: filled.toFixed(), state: 'CANCELLED' };
    }
    const remaining = new Big(o.qty).minus(filled);
    if (remaining.lte(0)) break;
    const qty = nextSliceQty(remaining.toFixed(), o.slices - i, o.instrument);
    if (new Big(qty).lt(o.instrument.minQty)) break;
    const out = await o.runSlice({ index: i, qty, legPrefix: `s${i}` });
    fills.push(...out.fills);
    lastOrder = out.lastOrder ?? lastOrder;
    filled = fills.reduce((s, f) => s.plus(f.qty), new Big(0));
    await ctx.lifecycle.saveProgress(o.intentId, { twap: { slice: i + 1, slices: o.slices, filled_qty: filled.toFixed() } });
    progress(i + 1, i + 1 === o.slices ? 'DONE' : 'RUNNING');
  }
  return { fills, lastOrder, filledQty: filled.toFixed(), state: 'DONE' };
}

/** Options of {@link runTwoLegTwap}. */
export interface TwoLegTwapOptions {
  intentId: string;
  slices: number;
  intervalMs: number;
  legs: [TwapLeg, TwapLeg];
  controller?: TwapController;
}

/** One leg of a spread TWAP. */
export interface TwapLeg {
  qty: string;
  instrument: Instrument;
  runSlice: SliceRunner;
}

/**
 * A two-leg TWAP for spread trades: both legs' slices are sent together, and the legs are kept
 * within one slice of each other — if one leg falls more than a slice behind, the TWAP stops
 * adding to the other and raises an alert rather than building an unhedged position.
 */
export async function runTwoLegTwap(ctx: ExecutionContext, o: TwoLegTwapOptions): Promise<[TwapOutcome, TwapOutcome]> {
  const controller = o.controller ?? new TwapController();
  const state = o.legs.map(() => ({ fills: [] as Fill[], lastOrder: undefined as Order | undefined, filled: new Big(0) }));
  let ended: 'DONE' | 'CANCELLED' = 'DONE';
  for (let i = 0; i < o.slices; i++) {
    if (i > 0) await ctx.clock.sleep(o.intervalMs);
    if (controller.paused) await waitWhilePaused(ctx, controller);
    if (controller.cancelled) {
      ended = 'CANCELLED';
      break;
    }
    const sizes = o.legs.map((leg, k) => nextSliceQty(new Big(leg.qty).minus(state[k]!.filled).toFixed(), o.slices - i, leg.instrument));
    const outs = await Promise.all(o.legs.map((leg, k) => (new Big(sizes[k]!).gt(0) ? leg.runSlice({ index: i, qty: sizes[k]!, legPrefix: `s${i}l${k}` }) : Promise.resolve({ fills: [], lastOrder: undefined }))));
    outs.forEach((out, k) => {
      const s = state[k]!;
      s.fills.push(...out.fills);
      s.lastOrder = out.lastOrder ?? s.lastOrder;
      s.filled = s.fills.reduce((acc, f) => acc.plus(f.qty), new Big(0));
    });
    // Progress as a fraction of each leg's target; a gap of more than one slice is a hedge break.
    const frac = state.map((s, k) => s.filled.div(o.legs[k]!.qty).toNumber());
    if (Math.abs(frac[0]! - frac[1]!) > 1 / o.slices + 1e-12) {
      raiseAlert(ctx, {
        level: 'ERROR',
        code: 'TWAP_LEGS_DIVERGED',
        message: `two-leg TWAP ${o.intentId}: legs more than one slice apart`,
        intent_id: o.intentId,
        details: { leg0: state[0]!.filled.toFixed(), leg1: state[1]!.filled.toFixed() },
      });
      ended = 'CANCELLED';
      break;
    }
  }
  return state.map((s) => ({ fills: s.fills, lastOrder: s.lastOrder, filledQty: s.filled.toFixed(), state: ended })) as [TwapOutcome, TwapOutcome];
}
