/**
 * `BinanceSpotUserStream`: Spot user data through the WebSocket API subscription
 * `userDataStream.subscribe.signature` (listen keys were removed on 2026-02-20; BINANCE.md §8).
 *
 * @packageDocumentation
 */
import { SystemClock, type Clock, type ReconnectingSocket, type TimerHandle, type VenueProtocol } from '@chimera/core';
import { API_KEY_HEADER, encodeParams, type BinanceSigner } from '../rest/signing.js';
import { BINANCE_WS_URLS } from './streams.js';
import { UserStreamCore, type UserStreamCoreOptions } from './user-stream-core.js';
import { createUserSocket, forwardTransportEvents, isObj, USER_DATA_STREAM, withConnectionDefaults, type UserSocketOptions } from './user-socket.js';

/** The WS API method that subscribes the signing key's account to its user data. */
export const SUBSCRIBE_SIGNATURE_METHOD = 'userDataStream.subscribe.signature';

/** Options of {@link BinanceSpotUserStream}. */
export interface BinanceSpotUserStreamOptions extends Omit<UserStreamCoreOptions, 'clock'> {
  /** Signs the subscription (any key type: HMAC, Ed25519, RSA). */
  signer: BinanceSigner;
  /** Time source (default system clock). */
  clock?: Clock;
  /** The WS API endpoint (default `wss://ws-api.binance.com:443/ws-api/v3`). */
  url?: string;
  /** The request timestamp: local time corrected by the server offset (default `clock.now()`). */
  timestamp?: () => number;
  /** `recvWindow` of the subscription, ms (default none: Binance's 5000). */
  recvWindow?: number;
  /** First delay before re-sending a refused subscription, ms (default 1 000; doubles to 60 s). */
  resubscribeDelayMs?: number;
  /** Connection options. */
  socket?: UserSocketOptions;
}

/**
 * Spot user data (`executionReport`, `listStatus`, `outboundAccountPosition`, `balanceUpdate`)
 * mapped to core `order`/`fill`/`balance` events (plus `listStatus` and `balanceDelta`):
 *
 * - every connection to the WS API sends `userDataStream.subscribe.signature` with a fresh
 *   timestamp and signature over the sorted parameters (`apiKey=…&timestamp=…`); events arrive
 *   as `{"subscriptionId":n,"event":{…}}`;
 * - a refused subscription (`-1021` timestamp, `-2015` key, …) raises an alert and is re-sent
 *   with back-off; `eventStreamTerminated` re-subscribes at once;
 * - `userStreamConnected` fires when the first subscription is confirmed (`reconnect: false`)
 *   and after every later one (`reconnect: true`), followed by a REST catch-up of open orders
 *   and the fills since the last one seen; fills are delivered exactly once (by trade id).
 *
 * The API key and signatures appear in no log, alert or event.
 */
export class BinanceSpotUserStream {
  /** The event mapping, delivery memory and catch-up; its `events` are this stream's events. */
  readonly core: UserStreamCore;
  /** Typed events ({@link BinanceUserStreamEvents}). */
  readonly events: UserStreamCore['events'];

  private readonly clock: Clock;
  private readonly socket: ReconnectingSocket;
  private nextId = 1;
  private confirmedOnce = false;
  private subscriptionId: number | undefined;
  private refusals = 0;
  private retryTimer: TimerHandle | undefined;
  private started = false;
  private closed = false;

  /** @param options - see {@link BinanceSpotUserStreamOptions}. */
  constructor(private readonly options: BinanceSpotUserStreamOptions) {
    this.clock = options.clock ?? new SystemClock();
    this.core = new UserStreamCore('SPOT', { ...options, clock: this.clock });
    this.events = this.core.events;
    const url = options.url ?? BINANCE_WS_URLS.spotWsApi;
    const protocol: VenueProtocol = withConnectionDefaults(
      {
        subscribeMessages: () => [this.subscribeRequest()],
        unsubscribeMessages: () => [JSON.stringify({ id: `unsubscribe-${this.nextId++}`, method: 'userDataStream.unsubscribe' })],
        controlKind: (msg) => {
          if (!isObj(msg) || !('id' in msg) || typeof msg.status !== 'number') return undefined;
          return msg.status === 200 ? 'ack' : 'other';
        },
        streamOf: (msg) => (isObj(msg) && 'event' in msg ? USER_DATA_STREAM : undefined),
        maxStreamsPerConnection: 1,
        maxMessagesPerSecond: 4,
        maxConnectAttemptsPer: { count: 300, windowMs: 300_000 },
      },
      options.socket ?? {},
      60_000,
    );
    this.socket = createUserSocket('binance-spot-user', protocol, () => url, false, this.clock, options.logger, options.socket ?? {});
    this.wire();
  }

  /** Opens the connection; `userStreamConnected` tells when the subscription is confirmed. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.socket.subscribe([USER_DATA_STREAM]);
    this.socket.start();
  }

  /** Runs a REST catch-up now. */
  catchUp(): ReturnType<UserStreamCore['catchUp']> {
    return this.core.catchUp('manual');
  }

  /** The connection's state. */
  get state(): ReconnectingSocket['state'] {
    return this.socket.state;
  }

  /** The id Binance gave the current subscription, once confirmed. */
  get subscription(): number | undefined {
    return this.subscriptionId;
  }

  /** Stops catch-ups and retries and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.core.stop();
    this.clock.clearTimeout(this.retryTimer);
    await this.socket.close();
  }

  /** A fresh `userDataStream.subscribe.signature` request. */
  private subscribeRequest(): string {
    const { signer } = this.options;
    const params: Record<string, string> = { apiKey: signer.headers()[API_KEY_HEADER] ?? '' };
    if (this.options.recvWindow !== undefined) params.recvWindow = String(this.options.recvWindow);
    params.timestamp = String(Math.floor((this.options.timestamp ?? (() => this.clock.now()))()));
    // The signature covers the parameters sorted by name: apiKey, recvWindow, timestamp.
    const sorted = Object.fromEntries(Object.keys(params).sort().map((k) => [k, params[k]!]));
    const signature = signer.sign(encodeParams(sorted));
    return JSON.stringify({
      id: `subscribe-${this.nextId++}`,
      method: SUBSCRIBE_SIGNATURE_METHOD,
      params: { ...sorted, recvWindow: params.recvWindow === undefined ? undefined : Number(params.recvWindow), timestamp: Number(params.timestamp), signature },
    });
  }

  private resubscribe(delayMs: number): void {
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closed) return;
      // A closed connection re-subscribes on its own when it reopens.
      this.socket.send(this.subscribeRequest()).catch(() => undefined);
    }, delayMs);
  }

  private wire(): void {
    const core = this.core;
    forwardTransportEvents(this.socket, core);
    this.socket.events.on('control', (c) => {
      const msg = c.data as { id?: unknown; status?: number; result?: { subscriptionId?: unknown }; error?: { code?: unknown; msg?: unknown } };
      const id = typeof msg.id === 'string' ? msg.id : '';
      if (!id.startsWith('subscribe-')) return;
      if (c.kind === 'ack') {
        this.refusals = 0;
        const sid = msg.result?.subscriptionId;
        this.subscriptionId = typeof sid === 'number' ? sid : undefined;
        const reconnect = this.confirmedOnce;
        this.confirmedOnce = true;
        core.events.emit('userStreamConnected', { reconnect, ts: c.receivedAt });
        if (reconnect) void core.catchUp('resubscribed');
        return;
      }
      this.refusals++;
      const code = msg.error?.code;
      const delayMs = Math.min(60_000, (this.options.resubscribeDelayMs ?? 1_000) * 2 ** Math.min(this.refusals - 1, 10));
      const auth = code === -2015 || code === -1022 || code === -2014 || code === -1002;
      core.alert(auth ? 'ERROR' : 'WARN', auth ? 'USER_STREAM_AUTH_FAILED' : 'USER_STREAM_SUBSCRIBE_FAILED', `binance SPOT user-data subscription refused (${String(code)}); retrying in ${delayMs} ms`, {
        venueCode: code,
        venueMessage: typeof msg.error?.msg === 'string' ? msg.error.msg : undefined,
        status: msg.status,
        retryInMs: delayMs,
      });
      this.resubscribe(delayMs);
    });
    this.socket.events.on('message', (m) => {
      const event = (m.data as { event?: unknown }).event;
      if (isObj(event) && event.e === 'eventStreamTerminated') {
        this.subscriptionId = undefined;
        core.alert('WARN', 'USER_STREAM_TERMINATED', 'binance SPOT user-data subscription ended; re-subscribing', {});
        this.resubscribe(0);
        return;
      }
      core.handle(event);
    });
  }
}
