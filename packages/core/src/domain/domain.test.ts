import { describe, expect, it } from 'vitest';
import { BusinessRuleError, ValidationError, isChimeraError } from '../errors.js';
import { toDecimalString } from './decimal.js';
import { ExecutionEvent, ExecutionResult, GuardArmEvent, OcoArmedEvent } from './execution.js';
import { parseIntent, Signal } from './intent.js';
import { parseReconcileRequest, ReconcileEvent, ReconcileResponse } from './reconcile.js';
import { REFERENCE_EXAMPLES as X } from './reference-examples.test-data.js';
import { parseTransferRequest, TransferResponse } from './transfer.js';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('reference examples (integration-sequences §5) parse with the exported schemas', () => {
  it('signal', () => {
    expect(Signal.parse(X.signal).features.macd_signal).toBe('BULLISH');
  });

  it('FUT entry intent envelope, with numbers read as exact decimals', () => {
    const intent = parseIntent(X.futEntryIntent);
    expect(intent).toMatchObject({
      intent_id: 'uuid-123',
      market: 'FUT',
      qty: '0.0012',
      exec_policy: 'MakerThenTaker',
      post_only_wait_ms: 3000,
      twap: { enabled: true, slices: 3, interval_ms: 800 },
      leverage: 20,
      isolated: true,
      client_tags: ['entry', 'atr-sl'],
      tp: null,
      sl: null,
    });
  });

  it('FUT entry result', () => {
    const r = ExecutionResult.parse(X.futEntryResult);
    expect(r).toMatchObject({ status: 'FILLED', order_id: '123456789', avg_price: '65000.5', filled_qty: '0.0012', slippage_bps: 2.1 });
    expect(r.fills.map((f) => [f.price, f.qty])).toEqual([
      ['65001', '0.0008'],
      ['64999', '0.0004'],
    ]);
  });

  it('SL intent', () => {
    expect(parseIntent(X.slIntent)).toMatchObject({ type: 'STOP_MARKET', reduce_only: true, stop_price: '64200', working_type: 'MARK_PRICE' });
  });

  it('execution event', () => {
    expect(ExecutionEvent.parse(X.executionEvent)).toMatchObject({ avg_px: '65000.5', filled_qty: '0.0012', ts: 1758345601200 });
  });

  it('OCO intent', () => {
    expect(parseIntent(X.ocoIntent).oco).toEqual({ tp_price: '66000', sl_price: '64000', limit_price: '65000', leg_time_in_force: 'GTC' });
  });

  it('OCO armed and guard events', () => {
    expect(OcoArmedEvent.parse(X.ocoArmed).qty).toBe('0.01');
    expect(GuardArmEvent.parse(X.guardArm).sl_px).toBe('64000');
  });

  it('guard trigger intent', () => {
    expect(parseIntent(X.guardTriggerIntent)).toMatchObject({ type: 'MARKET', client_tags: ['guard-stop'], side: 'SELL' });
  });

  it('reconcile request, response and event', () => {
    expect(parseReconcileRequest(X.reconcileRequest)).toEqual({ mode: 'ALL', dry_run: false, orphan_policy: 'CONSERVATIVE', time_window_h: 72 });
    expect(ReconcileResponse.parse(X.reconcileResponse).items).toHaveLength(3);
    expect(ReconcileEvent.parse(X.reconcileEvent).action).toBe('ADOPTED');
  });
});

describe('invalid input fails with typed errors that name the field', () => {
  it('intent shape errors are 400 and list every field', () => {
    const err = caught(() => parseIntent({ intent: { ...X.futEntryIntent.intent, qty: -1, side: 'LONG' } }));
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.status).toBe(400);
    expect(v.code).toBe('VALIDATION_FAILED');
    expect(v.issues.map((i) => i.path).sort()).toEqual(['intent.qty', 'intent.side']);
    expect(v.message).toContain('intent.qty');
  });

  it('unknown intent fields are rejected rather than silently ignored', () => {
    const err = caught(() => parseIntent({ ...X.slIntent.intent, reduceOnly: true })) as ValidationError;
    expect(err.status).toBe(400);
    expect(err.message).toContain('reduceOnly');
  });

  it('intent business rules are 422 with a code and the field', () => {
    const spotLev = caught(() => parseIntent({ ...X.ocoIntent.intent, leverage: 5 })) as BusinessRuleError;
    expect(spotLev).toBeInstanceOf(BusinessRuleError);
    expect([spotLev.status, spotLev.code, spotLev.details.field]).toEqual([422, 'LEVERAGE_SPOT', 'leverage']);
    const badOco = caught(() => parseIntent({ intent: { ...X.ocoIntent.intent, oco: { tp_price: 63000, sl_price: 64000 } } })) as BusinessRuleError;
    expect([badOco.status, badOco.code]).toEqual([422, 'OCO_PRICE_ORDER']);
    const noStop = caught(() => parseIntent({ ...X.slIntent.intent, stop_price: undefined })) as BusinessRuleError;
    expect([noStop.status, noStop.code, noStop.details.field]).toEqual([422, 'STOP_PRICE_REQUIRED', 'stop_price']);
    const futOco = caught(() => parseIntent({ ...X.ocoIntent.intent, market: 'FUT' })) as BusinessRuleError;
    expect(futOco.code).toBe('OCO_REQUIRES_SPOT');
  });

  it('transfer requests: 400 for format, 422 for business rules', () => {
    const ok = parseTransferRequest({ transfer_id: 't-1', from_market: 'SPOT', to_market: 'FUT', amount: 100, symbol: 'USDT' });
    expect(ok.amount).toBe('100');
    const fmt = caught(() => parseTransferRequest({ transfer_id: '', from_market: 'SPOT', to_market: 'MARGIN', amount: 0, symbol: 'usdt' })) as ValidationError;
    expect(fmt.status).toBe(400);
    expect(fmt.issues.map((i) => i.path).sort()).toEqual(['amount', 'symbol', 'to_market', 'transfer_id']);
    const long = caught(() => parseTransferRequest({ transfer_id: 'x'.repeat(129), from_market: 'SPOT', to_market: 'FUT', amount: 1, symbol: 'USDT' })) as ValidationError;
    expect(long.issues[0]?.path).toBe('transfer_id');
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ amount: 10_000.01 }, 'MAX_AMOUNT', 'amount'],
      [{ amount: '0.5' }, 'MIN_AMOUNT', 'amount'],
      [{ to_market: 'SPOT' }, 'SAME_MARKET', 'to_market'],
      [{ symbol: 'BTC' }, 'NOT_WHITELISTED', 'symbol'],
    ];
    for (const [patch, code, field] of cases) {
      const e = caught(() => parseTransferRequest({ transfer_id: 't', from_market: 'SPOT', to_market: 'FUT', amount: 50, symbol: 'USDT', ...patch }));
      expect(isChimeraError(e) && [e.status, e.code, e.details.field]).toEqual([422, code, field]);
    }
    expect(parseTransferRequest({ transfer_id: 't', from_market: 'FUT', to_market: 'SPOT', amount: 10_000, symbol: 'USDT' }).amount).toBe('10000');
    expect(TransferResponse.parse({ transfer_id: 't', result: 'SUCCESS' }).result).toBe('SUCCESS');
  });

  it('reconcile requests: defaults, and 400 naming the field out of range', () => {
    expect(parseReconcileRequest({})).toEqual({ mode: 'ALL', dry_run: false, orphan_policy: 'CONSERVATIVE', time_window_h: 72 });
    for (const bad of [{ time_window_h: 0 }, { time_window_h: 169 }, { time_window_h: 1.5 }, { mode: 'EVERYTHING' }]) {
      const e = caught(() => parseReconcileRequest(bad)) as ValidationError;
      expect(e.status).toBe(400);
      expect(e.issues[0]?.path).toBe(Object.keys(bad)[0]);
    }
  });
});

describe('toDecimalString', () => {
  it('keeps JSON numbers exact and never prints exponents', () => {
    expect(toDecimalString(0.0012)).toBe('0.0012');
    expect(toDecimalString(1e-7)).toBe('0.0000001');
    expect(toDecimalString(1e21)).toBe('1000000000000000000000');
    expect(toDecimalString('65000.50')).toBe('65000.5');
    expect(toDecimalString(-0)).toBe('0');
    expect(() => toDecimalString(Number.NaN)).toThrow();
    expect(() => toDecimalString('1e5')).toThrow();
  });
});
