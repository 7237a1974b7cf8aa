import type { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/clock.js';
import type { ExchangeConnector } from '../connector.js';
import type { Order } from '../domain/order.js';
import type { Logger } from '../logging/logger.js';
import type { EventSink } from '../sinks/event-sink.js';
import type { Store } from '../sinks/store.js';
import type { StreamKeys } from '../sinks/stream-keys.js';
import type { IntentLifecycle } from './intent-lifecycle.js';

/** An alert raised by the execution layer (also written to the `alerts` stream). */
export interface EngineAlert {
  level: 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  code: string;
  message: string;
  intent_id?: string;
  details?: Record<string, unknown>;
  ts: number;
}

/** TWAP progress, after each slice. */
export interface TwapProgress {
  intent_id: string;
  slice: number;
  slices: number;
  filled_qty: string;
  target_qty: string;
  state: 'RUNNING' | 'PAUSED' | 'CANCELLED' | 'DONE';
  ts: number;
}

/**
 * Events for hosts and UIs (SPEC §8 names). No event is named `error`: failures travel as
 * `order_failed` and `engine_alert`.
 */
export interface ExecutionEvents {
  /** An order is about to leave (its client order id is already persisted). */
  order_submitted: (e: { intent_id: string; order: { clientOrderId: string; side: string; type: string; qty: string; price?: string }; ts: number }) => void;
  /** An order reached FILLED or ended with a partial fill. */
  order_filled: (e: { intent_id: string; order: Order; ts: number }) => void;
  /** An order was refused or its outcome could not be settled. */
  order_failed: (e: { intent_id: string; clientOrderId: string; code: string; message: string; ts: number }) => void;
  /** TWAP progress. */
  twap_progress: (e: TwapProgress) => void;
  /** Something a human should look at. */
  engine_alert: (e: EngineAlert) => void;
}

/** What every policy needs: the venue, the store, the event sink, time and the lifecycle. */
export interface ExecutionContext {
  connector: ExchangeConnector;
  store: Store;
  sink: EventSink;
  keys: StreamKeys;
  clock: Clock;
  logger: Logger;
  lifecycle: IntentLifecycle;
  events: EventEmitter<ExecutionEvents>;
}

/** Publishes an alert to the `alerts` stream and the `engine_alert` event. */
export function raiseAlert(ctx: ExecutionContext, alert: Omit<EngineAlert, 'ts'>): EngineAlert {
  const full: EngineAlert = { ...alert, ts: ctx.clock.now() };
  ctx.sink.publish(ctx.keys.alerts(), { ...full });
  ctx.events.emit('engine_alert', full);
  ctx.logger.warn({ alert: full }, alert.message);
  return full;
}
