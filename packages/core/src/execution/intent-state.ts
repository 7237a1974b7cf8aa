import type { IntentState } from '../domain/execution.js';
import { StateError } from '../errors.js';

/**
 * The intent state machine (SPEC §3): `PENDING_ENTRY → ACTIVE → PENDING_CLOSING → CLOSED`, plus
 * the ends an intent can reach without (or after) a position. Pure data: the table is the single
 * place that says which moves are legal.
 *
 * - `PENDING_ENTRY → CLOSED`: the entry ended with nothing filled (cancelled, expired).
 * - `PENDING_CLOSING → ACTIVE`: a close attempt failed or filled only partly; the position stands.
 * - `RECONCILED`: reconciliation took the intent over (adopted, closed or fixed it).
 */
export const INTENT_TRANSITIONS: Readonly<Record<IntentState, readonly IntentState[]>> = Object.freeze({
  PENDING_ENTRY: ['ACTIVE', 'CLOSED', 'REJECTED', 'FAILED', 'RECONCILED'],
  ACTIVE: ['PENDING_CLOSING', 'CLOSED', 'RECONCILED'],
  PENDING_CLOSING: ['CLOSED', 'ACTIVE', 'RECONCILED'],
  CLOSED: [],
  REJECTED: [],
  FAILED: [],
  RECONCILED: [],
});

/** States from which an intent never moves again. */
export const TERMINAL_INTENT_STATES: ReadonlySet<IntentState> = new Set(['CLOSED', 'REJECTED', 'FAILED', 'RECONCILED']);

/** True when `from → to` is a legal move. */
export function canTransition(from: IntentState, to: IntentState): boolean {
  return INTENT_TRANSITIONS[from].includes(to);
}

/**
 * Checks a move.
 * @throws StateError code `INVALID_TRANSITION` (status 409) naming both states.
 */
export function assertTransition(intentId: string, from: IntentState, to: IntentState): void {
  if (!canTransition(from, to)) {
    throw new StateError(`intent ${intentId}: invalid transition ${from} → ${to}`, {
      code: 'INVALID_TRANSITION',
      details: { intent_id: intentId, from, to },
    });
  }
}

/** True for states an unfinished intent can be in (what a restart must resume or reconcile). */
export function isOpenIntentState(state: IntentState): boolean {
  return !TERMINAL_INTENT_STATES.has(state);
}
