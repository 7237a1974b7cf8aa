import type { Clock } from '../clock/clock.js';
import type { IntentState } from '../domain/execution.js';
import type { Intent } from '../domain/intent.js';
import type { StrategyEvent } from '../domain/records.js';
import { StateError } from '../errors.js';
import type { IntentRecord, Store } from '../sinks/store.js';
import { assertTransition, isOpenIntentState } from './intent-state.js';

/** Strategy-event kind of an intent state transition. */
export const INTENT_STATE_EVENT = 'INTENT_STATE';

/**
 * Persists an intent's lifecycle through the `Store`: every transition is written to
 * `strategy_events` and to the intent record **before** the caller makes its next venue call, so a
 * crash at any point leaves a state a restart can resume or reconcile (SPEC §3).
 */
export class IntentLifecycle {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts an intent in `PENDING_ENTRY`, or returns the stored record when the same `intent_id`
   * was seen before (idempotency: the caller must then resume, never start over).
   * @returns `created: false` with the existing record for a repeated intent.
   */
  async begin(intent: Intent): Promise<{ created: boolean; record: IntentRecord }> {
    const existing = await this.store.getIntent(intent.intent_id);
    if (existing) return { created: false, record: existing };
    const now = this.clock.now();
    const record: IntentRecord = {
      intent_id: intent.intent_id,
      intent,
      state: 'PENDING_ENTRY',
      client_order_ids: [],
      created_at: now,
      updated_at: now,
    };
    await this.store.appendStrategyEvents([this.event(record, undefined, 'PENDING_ENTRY', 0, {})]);
    await this.store.putIntent(record);
    return { created: true, record };
  }

  /**
   * Moves an intent to `to`, writing the event and the record before returning.
   * @param patch - progress, result or client order ids to store with the move.
   * @throws StateError `INVALID_TRANSITION` for an illegal move, `INTENT_NOT_FOUND` for an unknown id.
   */
  async transition(
    intentId: string,
    to: IntentState,
    payload: Record<string, unknown> = {},
    patch: Partial<Pick<IntentRecord, 'progress' | 'result' | 'client_order_ids'>> = {},
  ): Promise<IntentRecord> {
    const record = await this.require(intentId);
    assertTransition(intentId, record.state, to);
    const seq = (await this.store.listStrategyEvents({ intentId, kind: INTENT_STATE_EVENT })).length;
    const next: IntentRecord = { ...record, ...patch, state: to, updated_at: this.clock.now() };
    await this.store.appendStrategyEvents([this.event(next, record.state, to, seq, payload)]);
    await this.store.putIntent(next);
    return next;
  }

  /**
   * Records a client order id on the intent before the order is sent (principle 4: ids are
   * persisted before the request leaves). Idempotent.
   */
  async recordOrderId(intentId: string, clientOrderId: string, progress?: Record<string, unknown>): Promise<IntentRecord> {
    const record = await this.require(intentId);
    if (record.client_order_ids.includes(clientOrderId) && progress === undefined) return record;
    const next: IntentRecord = {
      ...record,
      client_order_ids: record.client_order_ids.includes(clientOrderId) ? record.client_order_ids : [...record.client_order_ids, clientOrderId],
      progress: progress === undefined ? record.progress : { ...record.progress, ...progress },
      updated_at: this.clock.now(),
    };
    await this.store.putIntent(next);
    return next;
  }

  /** Stores policy progress (TWAP slice, guard stop …) without a state change. */
  async saveProgress(intentId: string, progress: Record<string, unknown>): Promise<IntentRecord> {
    const record = await this.require(intentId);
    const next: IntentRecord = { ...record, progress: { ...record.progress, ...progress }, updated_at: this.clock.now() };
    await this.store.putIntent(next);
    return next;
  }

  /** Intents that have not reached a terminal state: what a restart must resume or reconcile. */
  async unfinished(): Promise<IntentRecord[]> {
    return (await this.store.listIntents()).filter((r) => isOpenIntentState(r.state));
  }

  /** The stored record. @throws StateError `INTENT_NOT_FOUND`. */
  async require(intentId: string): Promise<IntentRecord> {
    const record = await this.store.getIntent(intentId);
    if (!record) throw new StateError(`unknown intent ${intentId}`, { code: 'INTENT_NOT_FOUND', details: { intent_id: intentId } });
    return record;
  }

  private event(record: IntentRecord, from: IntentState | undefined, to: IntentState, seq: number, payload: Record<string, unknown>): StrategyEvent {
    return {
      // The sequence number makes a legal revisit (ACTIVE → PENDING_CLOSING → ACTIVE) a new event,
      // while a retried write of the same move stays idempotent.
      event_id: `${record.intent_id}:${seq}:${to}`,
      kind: INTENT_STATE_EVENT,
      intent_id: record.intent_id,
      state: to,
      ...(from ? { from_state: from } : {}),
      symbol: record.intent.symbol,
      market: record.intent.market,
      payload,
      ts: this.clock.now(),
    };
  }
}
