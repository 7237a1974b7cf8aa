/**
 * The connector's account streams: the Spot WebSocket-API user stream and the USDⓈ-M listen-key
 * user stream, started together, forwarded onto the connector's events, closed together.
 *
 * @packageDocumentation
 */
import type { EventEmitter } from 'eventemitter3';
import { VenueError, type Clock, type ConnectorEvents, type Logger, type Market, type SocketFactory, type TimerHandle } from '@chimera/core';
import type { BinanceSigner } from '../rest/signing.js';
import { buildUmListenKeyRequest, type ListenKeyApi } from '../ws/listen-key.js';
import { BinanceSpotUserStream } from '../ws/spot-user-stream.js';
import { BinanceUmUserStream } from '../ws/um-user-stream.js';
import type { UserStreamCatchUpSource } from '../ws/user-stream-core.js';
import type { UserSocketOptions } from '../ws/user-socket.js';
import type { BinanceConnectorOptions } from './options.js';
import type { ProductClient } from './product-client.js';
import { forwardedStreamAlert, streamHealthAlert } from './stream-alerts.js';

/** A user stream of either product. */
export type BinanceUserStream = BinanceSpotUserStream | BinanceUmUserStream;

/**
 * The UM listen-key calls on the connector's UM REST client. `/fapi/v1/listenKey` is USER_STREAM
 * security: the API key header, no timestamp or signature.
 */
export function umListenKeyApi(um: ProductClient): ListenKeyApi {
  const call = (method: 'POST' | 'PUT' | 'DELETE'): Promise<{ body: unknown }> => um.send(buildUmListenKeyRequest(method), { apiKeyOnly: true });
  return {
    create: async () => {
      const body = (await call('POST')).body as { listenKey?: unknown } | undefined;
      const key = body?.listenKey;
      // The body is never quoted: it holds the key.
      if (typeof key !== 'string' || key === '') throw new VenueError('binance answered the listen-key request without a key', { code: 'UNEXPECTED_RESPONSE', status: 502 });
      return key;
    },
    keepAlive: async () => {
      await call('PUT');
    },
    close: async () => {
      await call('DELETE');
    },
  };
}

/** Options of {@link AccountStreams}. */
export interface AccountStreamsOptions {
  /** Markets whose user stream runs. */
  markets: readonly Market[];
  /** Signs the Spot subscription. */
  signer: BinanceSigner;
  /** The Spot REST client (its synced clock stamps the subscription). */
  spot: ProductClient | undefined;
  /** The UM REST client (listen-key calls). */
  um: ProductClient | undefined;
  /** The REST reads of the catch-up after a reconnect: the connector. */
  catchUp: UserStreamCatchUpSource;
  /** Spot WS API and UM `/private` endpoints. */
  urls: { spotWsApi: string; umPrivate: string };
  /** Symbols always caught up, per market. */
  symbols: Readonly<Record<Market, readonly string[]>>;
  /** Tuning from the connector options. */
  tuning: BinanceConnectorOptions['userStream'];
  /** Where order, fill, position, balance, userStreamConnected and alert go. */
  events: EventEmitter<ConnectorEvents>;
  clock: Clock;
  logger?: Logger;
  random?: () => number;
  socketFactory?: SocketFactory;
}

/**
 * The Spot and UM user streams of one connector.
 *
 * - {@link AccountStreams.start} opens them and waits up to `liveTimeoutMs` until each is live,
 *   so an order placed right after `connect()` has its updates on the stream. A stream that is not
 *   live by then raises a WARN `USER_STREAM_NOT_LIVE` and keeps connecting; once it is, a REST
 *   catch-up delivers what happened meanwhile.
 * - Events `order`, `fill` (exactly once per trade, stream and catch-up together), `position`,
 *   `balance`, `userStreamConnected` and `alert` are forwarded to the connector's events;
 *   `degraded` / `recovered` become FATAL `STREAM_DEGRADED` / INFO `STREAM_RECOVERED` alerts.
 */
export class AccountStreams {
  /** The Spot user stream, when SPOT is configured. */
  readonly spot: BinanceSpotUserStream | undefined;
  /** The UM user stream, when FUT is configured. */
  readonly um: BinanceUmUserStream | undefined;

  private readonly live = new Map<BinanceUserStream, boolean>();
  private readonly lateCatchUp = new Set<BinanceUserStream>();
  private started: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: AccountStreamsOptions) {
    const t = options.tuning;
    const socket: UserSocketOptions = { ...(t.socket ?? {}) } as UserSocketOptions;
    if (options.random !== undefined) socket.random = options.random;
    if (options.socketFactory !== undefined) socket.socketFactory = options.socketFactory;
    const common = {
      catchUp: options.catchUp,
      clock: options.clock,
      socket,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(t.catchUpMarginMs === undefined ? {} : { catchUpMarginMs: t.catchUpMarginMs }),
      ...(t.maxCatchUpWindowMs === undefined ? {} : { maxCatchUpWindowMs: t.maxCatchUpWindowMs }),
      ...(t.catchUpAttempts === undefined ? {} : { catchUpAttempts: t.catchUpAttempts }),
      ...(t.catchUpRetryMs === undefined ? {} : { catchUpRetryMs: t.catchUpRetryMs }),
    };
    const spotClient = options.spot;
    if (options.markets.includes('SPOT') && spotClient !== undefined) {
      this.spot = new BinanceSpotUserStream({
        ...common,
        signer: options.signer,
        url: options.urls.spotWsApi,
        // Binance checks the subscription's timestamp against its own clock.
        timestamp: () => spotClient.clockSync.now(),
        symbols: options.symbols.SPOT,
        ...(t.resubscribeDelayMs === undefined ? {} : { resubscribeDelayMs: t.resubscribeDelayMs }),
      });
      this.wire(this.spot, 'SPOT');
    }
    if (options.markets.includes('FUT') && options.um !== undefined) {
      this.um = new BinanceUmUserStream({
        ...common,
        listenKeys: umListenKeyApi(options.um),
        url: options.urls.umPrivate,
        symbols: options.symbols.FUT,
        deleteListenKeyOnClose: t.deleteListenKeyOnClose,
        ...(t.keepAliveMs === undefined ? {} : { keepAliveMs: t.keepAliveMs }),
        ...(t.keepAliveRetryMs === undefined ? {} : { keepAliveRetryMs: t.keepAliveRetryMs }),
        ...(t.maxKeepAliveFailures === undefined ? {} : { maxKeepAliveFailures: t.maxKeepAliveFailures }),
      });
      this.wire(this.um, 'FUT');
    }
  }

  /** The streams that run. */
  streams(): BinanceUserStream[] {
    return [this.spot, this.um].filter((s): s is BinanceUserStream => s !== undefined);
  }

  /**
   * Starts both streams (once; later calls share the first, or try again after a failure) and
   * waits until each is live or `liveTimeoutMs` passed.
   * @throws whatever creating the UM listen key throws (e.g. `AuthError` for a refused key).
   */
  start(): Promise<void> {
    this.started ??= this.startOnce().catch((err: unknown) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  /** Closes both streams (their catch-ups stop; the listen key is left to expire unless configured). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.streams().map((s) => s.close()));
  }

  private async startOnce(): Promise<void> {
    const { clock } = this.options;
    const waits = this.streams().map(
      (s) =>
        new Promise<void>((resolve) => {
          if (this.live.get(s) === true) return resolve();
          const on = (): void => {
            s.events.off('userStreamConnected', on);
            resolve();
          };
          s.events.on('userStreamConnected', on);
        }),
    );
    await Promise.all(this.streams().map((s) => s.start()));
    const timeoutMs = this.options.tuning.liveTimeoutMs;
    if (timeoutMs <= 0) {
      this.markLate(false);
      return;
    }
    let timer: TimerHandle | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = clock.setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([Promise.all(waits).then(() => 'live' as const), timedOut]);
    clock.clearTimeout(timer);
    if (outcome === 'timeout') this.markLate(true);
  }

  /** Streams not live yet catch up over REST once they are: orders may be placed before that. */
  private markLate(alert: boolean): void {
    for (const s of this.streams()) {
      if (this.live.get(s) === true || this.closed) continue;
      this.lateCatchUp.add(s);
      if (!alert) continue;
      const market: Market = s === this.spot ? 'SPOT' : 'FUT';
      this.options.events.emit('alert', {
        level: 'WARN',
        code: 'USER_STREAM_NOT_LIVE',
        message: `binance ${market} user stream is not live yet; it keeps connecting and catches up over REST once it is`,
        details: { stream: 'user', market, waitedMs: this.options.tuning.liveTimeoutMs },
        ts: this.options.clock.now(),
      });
    }
  }

  private wire(s: BinanceUserStream, market: Market): void {
    const out = this.options.events;
    const origin = { stream: 'user' as const, market };
    s.events.on('order', (o) => out.emit('order', o));
    s.events.on('fill', (f) => out.emit('fill', f));
    s.events.on('position', (p) => out.emit('position', p));
    s.events.on('balance', (b) => out.emit('balance', b));
    s.events.on('userStreamConnected', (info) => {
      this.live.set(s, true);
      out.emit('userStreamConnected', info);
      if (this.lateCatchUp.delete(s) && !info.reconnect) void s.catchUp();
    });
    s.events.on('alert', (a) => {
      const forwarded = forwardedStreamAlert(a, origin);
      if (forwarded) out.emit('alert', forwarded);
    });
    s.events.on('degraded', (info) => out.emit('alert', streamHealthAlert('degraded', origin, info)));
    s.events.on('recovered', (info) => out.emit('alert', streamHealthAlert('recovered', origin, info)));
  }
}
