/**
 * MAX's private channels over one `ReconnectingSocket`: every new connection sends the `auth`
 * message first (a fresh nonce from the key's shared `NonceSource`, signed over the nonce text),
 * MAX answers `authenticated` and then pushes `order_*`, `trade_*` and `account_*` events. The
 * owner maps them to core events and runs a REST catch-up after each re-authentication.
 *
 * @packageDocumentation
 */
import {
  AuthError,
  isChimeraError,
  noopLogger,
  ReconnectingSocket,
  StateError,
  type ChimeraError,
  type Clock,
  type ConnectorAlert,
  type Logger,
  type SocketFactory,
  type ThrottledQueue,
} from '@chimera/core';
import type { NonceSource } from '../rest/nonce-source.js';
import type { MaxSigner } from '../rest/signing.js';
import { MAX_WS_MESSAGE_LIMITS } from '../ws/message-budget.js';
import { parseMaxWsMessage, wsErrorToChimera, type MaxBalancesEvent, type MaxFillsEvent, type MaxOrdersEvent } from '../ws/messages.js';
import { createMaxProtocol } from '../ws/protocol.js';

/** A private event the owner maps to core events. */
export type MaxAccountEvent = MaxOrdersEvent | MaxFillsEvent | MaxBalancesEvent;

/** Options of {@link MaxUserStream}. */
export interface MaxUserStreamOptions {
  /** WebSocket endpoint. */
  url: string;
  /** Time for every wait and receive time. */
  clock: Clock;
  /** Logger (already redacting). */
  logger?: Logger;
  /** Opens sockets (default `ws`). */
  socketFactory?: SocketFactory;
  /** The key's signer. */
  signer: MaxSigner;
  /** The key's nonce source, shared with REST so no nonce is used twice. */
  nonces: NonceSource;
  /** Client ping interval, ms. */
  pingIntervalMs: number;
  /** Reconnect schedule. */
  backoff?: { baseMs?: number; maxMs?: number; jitterMs?: number };
  /** `N_max` of the socket. */
  maxConsecutiveFailures?: number;
  /** Open timeout of one attempt, ms. */
  connectTimeoutMs?: number;
  /** Connection attempts shared with the market-data socket. */
  connectQueue: ThrottledQueue;
  /** Client order id of a MAX order id (trades carry only the order id). */
  clientOrderId: (venueOrderId: string) => string | undefined;
  /** A private event arrived. */
  onEvent: (event: MaxAccountEvent) => void;
  /** MAX accepted the `auth` message on a new connection. */
  onAuthenticated: (info: { reconnect: boolean; ts: number }) => void;
  /** MAX refused the nonce (1006 off by 30 s, 1012 used): resync the nonce source. */
  onNonceRejected: (error: ChimeraError) => Promise<void>;
  /** Where alerts go. */
  onAlert: (alert: ConnectorAlert) => void;
}

/**
 * The private channel of one API key. {@link MaxUserStream.start} resolves once the first
 * connection is authenticated; reconnects re-authenticate on their own.
 */
export class MaxUserStream {
  private readonly o: MaxUserStreamOptions;
  private readonly log: Logger;
  private socket: ReconnectingSocket | undefined;
  private authenticatedNow = false;
  private everAuthenticated = false;
  private pending: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  private closed = false;

  /** @param options - See {@link MaxUserStreamOptions}. */
  constructor(options: MaxUserStreamOptions) {
    this.o = options;
    this.log = options.logger ?? noopLogger;
  }

  /** Whether the current connection is authenticated. */
  get authenticated(): boolean {
    return this.authenticatedNow;
  }

  /**
   * Opens the connection and waits for MAX's `authenticated` answer.
   * @param timeoutMs - How long to wait.
   * @throws AuthError (1007) when MAX refuses the key; NetworkError (`USER_STREAM_TIMEOUT`) when
   *   no answer came in time (the socket keeps trying); StateError after close.
   */
  start(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.reject(new StateError('the max user stream is closed', { code: 'USER_STREAM_CLOSED' }));
    if (this.everAuthenticated) return Promise.resolve();
    const socket = this.ensureSocket();
    return new Promise<void>((resolve, reject) => {
      const timer = this.o.clock.setTimeout(() => {
        this.pending = undefined;
        reject(
          new StateError(`the max user stream was not authenticated within ${timeoutMs} ms (state ${socket.state}); it keeps trying`, {
            code: 'USER_STREAM_TIMEOUT',
            status: 503,
            retryable: true,
          }),
        );
      }, timeoutMs);
      this.pending = {
        resolve: () => {
          this.o.clock.clearTimeout(timer);
          this.pending = undefined;
          resolve();
        },
        reject: (err) => {
          this.o.clock.clearTimeout(timer);
          this.pending = undefined;
          reject(err);
        },
      };
    });
  }

  /** Closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.authenticatedNow = false;
    this.pending?.reject(new StateError('the max user stream was closed', { code: 'USER_STREAM_CLOSED' }));
    await this.socket?.close();
  }

  private ensureSocket(): ReconnectingSocket {
    if (this.socket) return this.socket;
    const o = this.o;
    const base = createMaxProtocol({ auth: { signer: o.signer, nonces: o.nonces, filters: ['order', 'trade', 'account'] }, pingIntervalMs: o.pingIntervalMs });
    const socket = new ReconnectingSocket({
      url: o.url,
      protocol: { ...base, maxMessagesPerSecond: MAX_WS_MESSAGE_LIMITS[0]!.limit },
      clock: o.clock,
      name: 'max-user',
      connectQueue: o.connectQueue,
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.socketFactory ? { socketFactory: o.socketFactory } : {}),
      ...(o.backoff ? { backoff: o.backoff } : {}),
      ...(o.maxConsecutiveFailures !== undefined ? { maxConsecutiveFailures: o.maxConsecutiveFailures } : {}),
      ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
    });
    socket.events.on('reconnecting', () => {
      this.authenticatedNow = false;
    });
    socket.events.on('control', (c) => this.onControl(c.data, c.receivedAt));
    socket.events.on('message', (m) => this.onMessage(m.data, m.receivedAt));
    socket.events.on('alert', (a) => o.onAlert({ ...a }));
    socket.start();
    this.socket = socket;
    return socket;
  }

  private onControl(data: unknown, receivedAt: number): void {
    const e = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).e : undefined;
    if (e === 'authenticated') {
      const reconnect = this.everAuthenticated;
      this.everAuthenticated = true;
      this.authenticatedNow = true;
      this.pending?.resolve();
      this.o.onAuthenticated({ reconnect, ts: receivedAt });
      return;
    }
    if (e !== 'error') return;
    const raw = data as { E?: unknown; co?: unknown };
    const messages = Array.isArray(raw.E) ? raw.E.map(String) : [];
    let error: ChimeraError;
    try {
      const parsed = parseMaxWsMessage(data, { receiveTime: receivedAt });
      error = parsed.kind === 'error' ? parsed.error : wsErrorToChimera(messages, []);
    } catch {
      error = wsErrorToChimera(messages, []);
    }
    const ts = this.o.clock.now();
    if (error.code === 'CLOCK_SKEW') {
      this.o.onAlert({ level: 'WARN', code: 'MAX_WS_NONCE_REJECTED', message: `max user stream: ${error.shortMessage}; resyncing the nonce`, details: { ...error.details }, ts });
      void this.o
        .onNonceRejected(error)
        .catch((err: unknown) => this.log.warn({ err }, 'nonce resync after a refused auth failed'))
        .finally(() => {
          // A connection MAX left open but unauthenticated is replaced; the new one signs afresh.
          if (!this.closed && !this.authenticatedNow) this.socket?.renew();
        });
      return;
    }
    if (error instanceof AuthError || (isChimeraError(error) && error.code === 'AUTH_FAILED')) {
      this.o.onAlert({ level: 'ERROR', code: 'MAX_AUTH_FAILED', message: `max user stream: ${error.shortMessage}; the private channel is stopped`, details: { ...error.details }, ts });
      this.pending?.reject(error);
      // Retrying a refused key only adds to MAX's per-IP connection count.
      void this.close();
      return;
    }
    this.log.warn({ code: error.code, messages }, 'max user stream error message');
  }

  private onMessage(data: unknown, receivedAt: number): void {
    let event;
    try {
      event = parseMaxWsMessage(data, { receiveTime: receivedAt, clientOrderId: this.o.clientOrderId });
    } catch (err) {
      this.log.warn({ err }, 'max private message dropped: unexpected shape');
      return;
    }
    if (event.kind === 'orders' || event.kind === 'fills' || event.kind === 'balances') this.o.onEvent(event);
  }
}
