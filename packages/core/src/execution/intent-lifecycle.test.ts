import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { parseIntent } from '../domain/intent.js';
import { IntentState } from '../domain/execution.js';
import { isChimeraError } from '../errors.js';
import { MemoryStore } from '../sinks/memory-store.js';
import { CLIENT_ORDER_ID_MAX, deriveClientOrderId } from './client-order-id.js';
import { INTENT_STATE_EVENT, IntentLifecycle } from './intent-lifecycle.js';
import { canTransition, INTENT_TRANSITIONS, TERMINAL_INTENT_STATES } from './intent-state.js';

const intent = parseIntent({
  intent: { intent_id: 'uuid-123', market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', qty: 0.0012, exec_policy: 'MakerThenTaker', leverage: 20, isolated: true },
});

describe('intent state machine', () => {
  it('allows the SPEC path and forbids skipping or leaving terminal states', () => {
    expect(canTransition('PENDING_ENTRY', 'ACTIVE')).toBe(true);
    expect(canTransition('ACTIVE', 'PENDING_CLOSING')).toBe(true);
    expect(canTransition('PENDING_CLOSING', 'CLOSED')).toBe(true);
    expect(canTransition('PENDING_ENTRY', 'PENDING_CLOSING')).toBe(false);
    expect(canTransition('ACTIVE', 'PENDING_ENTRY')).toBe(false);
    for (const t of TERMINAL_INTENT_STATES) for (const s of IntentState.options) expect(canTransition(t, s)).toBe(false);
  });

  it('no state can return to PENDING_ENTRY', () => {
    for (const s of IntentState.options) expect(INTENT_TRANSITIONS[s]).not.toContain('PENDING_ENTRY');
  });
});

describe('IntentLifecycle', () => {
  it('writes each transition to strategy_events and the intent record, in order', async () => {
    const store = new MemoryStore();
    const clock = new FakeClock(1000);
    const life = new IntentLifecycle(store, clock);
    expect((await life.begin(intent)).created).toBe(true);
    clock.advance(10);
    await life.transition('uuid-123', 'ACTIVE', { filled_qty: '0.0012' });
    clock.advance(10);
    await life.transition('uuid-123', 'PENDING_CLOSING');
    await life.transition('uuid-123', 'ACTIVE', { reason: 'close failed' });
    await life.transition('uuid-123', 'PENDING_CLOSING');
    await life.transition('uuid-123', 'CLOSED');
    const events = await store.listStrategyEvents({ intentId: 'uuid-123', kind: INTENT_STATE_EVENT });
    expect(events.map((e) => `${e.from_state ?? '-'}>${e.state}`)).toEqual([
      '->PENDING_ENTRY',
      'PENDING_ENTRY>ACTIVE',
      'ACTIVE>PENDING_CLOSING',
      'PENDING_CLOSING>ACTIVE',
      'ACTIVE>PENDING_CLOSING',
      'PENDING_CLOSING>CLOSED',
    ]);
    expect(events[1]).toMatchObject({ ts: 1010, symbol: 'BTCUSDT', market: 'FUT', payload: { filled_qty: '0.0012' } });
    expect((await store.getIntent('uuid-123'))?.state).toBe('CLOSED');
    expect(await life.unfinished()).toEqual([]);
  });

  it('a repeated intent returns the stored record instead of starting over', async () => {
    const store = new MemoryStore();
    const life = new IntentLifecycle(store, new FakeClock());
    await life.begin(intent);
    await life.transition('uuid-123', 'ACTIVE');
    const again = await life.begin(intent);
    expect(again.created).toBe(false);
    expect(again.record.state).toBe('ACTIVE');
    expect(await store.listStrategyEvents({ intentId: 'uuid-123' })).toHaveLength(2);
  });

  it('rejects invalid transitions and unknown intents with typed errors', async () => {
    const life = new IntentLifecycle(new MemoryStore(), new FakeClock());
    await life.begin(intent);
    const bad = await life.transition('uuid-123', 'PENDING_CLOSING').catch((e: unknown) => e);
    expect(isChimeraError(bad) && [bad.code, bad.status]).toEqual(['INVALID_TRANSITION', 409]);
    const missing = await life.transition('nope', 'ACTIVE').catch((e: unknown) => e);
    expect(isChimeraError(missing) && missing.code).toBe('INTENT_NOT_FOUND');
  });

  it('records client order ids before sending, idempotently, and lists unfinished intents', async () => {
    const store = new MemoryStore();
    const life = new IntentLifecycle(store, new FakeClock());
    await life.begin(intent);
    const id = deriveClientOrderId('uuid-123', 'mk', 0);
    await life.recordOrderId('uuid-123', id, { leg: 'maker' });
    await life.recordOrderId('uuid-123', id);
    const rec = await store.getIntent('uuid-123');
    expect(rec?.client_order_ids).toEqual([id]);
    expect(rec?.progress).toEqual({ leg: 'maker' });
    expect((await life.unfinished()).map((r) => r.intent_id)).toEqual(['uuid-123']);
  });
});

describe('deriveClientOrderId', () => {
  it('is deterministic, short and readable', () => {
    const id = deriveClientOrderId('uuid-123', 'mk', 0);
    expect(id).toBe(deriveClientOrderId('uuid-123', 'mk', 0));
    expect(id.startsWith('uuid-123-')).toBe(true);
    expect(id.endsWith('-mk-0')).toBe(true);
    expect(deriveClientOrderId('uuid-123', 'mk', 1)).not.toBe(id);
    expect(deriveClientOrderId('uuid-123', 'tk', 0)).not.toBe(id);
  });

  it('always fits Binance Spot, UM and MAX patterns and stays unique for distinct inputs', () => {
    const spot = /^[a-zA-Z0-9-_]{1,36}$/;
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), fc.constantFrom('mk', 'tk', 'sl', 'tp', 'entry', 'slice'), fc.nat(5000), (intentId, leg, attempt) => {
        const id = deriveClientOrderId(intentId, leg, attempt);
        expect(id.length).toBeLessThanOrEqual(CLIENT_ORDER_ID_MAX);
        expect(id).toMatch(spot);
      }),
    );
    const seen = new Map<string, string>();
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), fc.nat(50), (intentId, attempt) => {
        const id = deriveClientOrderId(intentId, 'mk', attempt);
        const key = `${intentId}|${attempt}`;
        const prev = seen.get(id);
        if (prev !== undefined) expect(prev).toBe(key);
        seen.set(id, key);
      }),
      { numRuns: 2000 },
    );
  });

  it('long intent ids sharing a prefix still get distinct ids', () => {
    const base = 'strategy-alpha-btcusdt-2025-09-20-entry-long-';
    expect(deriveClientOrderId(`${base}0001`, 'mk')).not.toBe(deriveClientOrderId(`${base}0002`, 'mk'));
  });
});
