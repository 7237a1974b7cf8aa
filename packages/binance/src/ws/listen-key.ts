/**
 * The USDⓈ-M listen key's life: create, keep alive, recreate (BINANCE.md §8).
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import { isChimeraError, redactString, ValidationError, type Clock, type ConnectorAlert, type TimerHandle } from '@chimera/core';
import type { BinanceRequest } from '../rest/request.js';

/**
 * The three listen-key calls (`POST/PUT/DELETE /fapi/v1/listenKey`, USER_STREAM: API key header,
 * no signature). The connector implements them on its UM REST client
 * ({@link buildUmListenKeyRequest} builds the requests).
 */
export interface ListenKeyApi {
  /** `POST`: returns the active key (creating one, or extending the one that exists by 60 min). */
  create(): Promise<string>;
  /** `PUT`: extends the key by 60 min. Rejects with a `-1125` error when the key no longer exists. */
  keepAlive(listenKey: string): Promise<void>;
  /** `DELETE`: closes the stream. */
  close(listenKey: string): Promise<void>;
}

/**
 * A listen-key request as data, for the connector's UM REST client. The endpoint wants the API key
 * header but no timestamp or signature; `signed` is false here, so the client must add the
 * header for these three requests.
 */
export function buildUmListenKeyRequest(method: 'POST' | 'PUT' | 'DELETE'): BinanceRequest {
  return { method, path: '/fapi/v1/listenKey', params: {}, weight: 1, signed: false, kind: method === 'PUT' ? 'read' : 'write', product: 'um' };
}

/** Binance keeps a listen key 60 minutes after the last keepalive. */
export const LISTEN_KEY_VALIDITY_MS = 60 * 60_000;
/** The longest keepalive interval accepted: half the validity, so one failed PUT can be retried in time. */
export const MAX_KEEPALIVE_INTERVAL_MS = 30 * 60_000;

/** Options of {@link ListenKeyKeeper}. */
export interface ListenKeyKeeperOptions {
  /** The REST calls. */
  api: ListenKeyApi;
  /** Schedules keepalives and retries. */
  clock: Clock;
  /** Keepalive interval, ms (default 25 min; at most {@link MAX_KEEPALIVE_INTERVAL_MS}). */
  keepAliveMs?: number;
  /** Delay before retrying a failed keepalive, ms (default 10 s); it doubles on each failure. */
  retryMs?: number;
  /** Failed keepalives in a row after which the key is recreated (default 3). */
  maxKeepAliveFailures?: number;
}

/** Events of {@link ListenKeyKeeper}. The key itself never appears in them. */
export interface ListenKeyKeeperEvents {
  /** A new key is active (after create or recreate); the stream must reconnect with it. */
  changed: (info: { reason: ListenKeyChangeReason; sameKey: boolean; ts: number }) => void;
  /** A keepalive succeeded. */
  keptAlive: (info: { ts: number }) => void;
  /** Something a human should know. */
  alert: (alert: ConnectorAlert) => void;
}

/** Why a key was (re)created. */
export type ListenKeyChangeReason = 'start' | 'invalid' | 'expired' | 'keepalive_failed' | 'connect_failed' | 'manual';

/** True for Binance `-1125` (the listen key does not exist), as the REST error table maps it. */
export function isInvalidListenKeyError(err: unknown): boolean {
  if (!isChimeraError(err)) return false;
  return err.code === 'LISTEN_KEY_INVALID' || (err.details as { venueCode?: unknown } | undefined)?.venueCode === -1125;
}

/**
 * Keeps one USDⓈ-M listen key alive:
 *
 * - `start()` creates it (POST) and schedules a keepalive (PUT) every `keepAliveMs` (≤ 30 min);
 * - a keepalive answered `-1125` recreates the key at once; other failures are retried after
 *   `retryMs` (doubling) and after `maxKeepAliveFailures` in a row the key is recreated;
 * - {@link ListenKeyKeeper.recreate} (on `listenKeyExpired`) creates a new one;
 * - a failed create is retried with back-off and raised as an ERROR alert.
 *
 * `changed` tells the stream to reconnect with the new key. The key is never logged or emitted;
 * read it with {@link ListenKeyKeeper.key} only to build the stream URL. `stop()` does not delete
 * the key unless asked: another client of the same account may be using it.
 */
export class ListenKeyKeeper {
  /** Typed events. */
  readonly events = new EventEmitter<ListenKeyKeeperEvents>();

  private readonly keepAliveMs: number;
  private readonly retryMs: number;
  private readonly maxFailures: number;
  private current: string | undefined;
  private timer: TimerHandle | undefined;
  private failures = 0;
  private creating: Promise<void> | undefined;
  private stopped = false;

  /**
   * @param options - see {@link ListenKeyKeeperOptions}.
   * @throws ValidationError (`INVALID_KEEPALIVE`) for an interval outside (0, 30 min].
   */
  constructor(private readonly options: ListenKeyKeeperOptions) {
    this.keepAliveMs = options.keepAliveMs ?? 25 * 60_000;
    if (!(this.keepAliveMs > 0 && this.keepAliveMs <= MAX_KEEPALIVE_INTERVAL_MS)) {
      throw new ValidationError('keepAliveMs: expected (0, 1800000] ms', [{ path: 'keepAliveMs', message: 'out of range' }], { code: 'INVALID_KEEPALIVE' });
    }
    this.retryMs = options.retryMs ?? 10_000;
    this.maxFailures = Math.max(1, options.maxKeepAliveFailures ?? 3);
  }

  /** The active key (for the stream URL only), or undefined before `start()` succeeded. */
  get key(): string | undefined {
    return this.current;
  }

  /**
   * Creates the key and starts the keepalives.
   * @throws whatever the first POST throws (later failures are retried in the background).
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.current = await this.options.api.create();
    this.failures = 0;
    this.schedule(this.keepAliveMs);
    this.events.emit('changed', { reason: 'start', sameKey: false, ts: this.options.clock.now() });
  }

  /**
   * Creates a new key now (POST), e.g. after `listenKeyExpired`. Concurrent calls share one
   * request. Resolves when a key is active; a failed POST is retried in the background (the
   * promise resolves after the attempt; `changed` follows the success).
   */
  recreate(reason: ListenKeyChangeReason): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.creating) return this.creating;
    this.clock().clearTimeout(this.timer);
    this.timer = undefined;
    const attempt = async (): Promise<void> => {
      const before = this.current;
      try {
        const key = await this.options.api.create();
        if (this.stopped) return;
        this.current = key;
        this.failures = 0;
        this.schedule(this.keepAliveMs);
        this.events.emit('changed', { reason, sameKey: key === before, ts: this.clock().now() });
      } catch (err) {
        if (this.stopped) return;
        this.failures++;
        const retryIn = Math.min(this.keepAliveMs, this.retryMs * 2 ** Math.min(this.failures - 1, 10));
        this.alert('ERROR', 'LISTEN_KEY_CREATE_FAILED', `binance FUT listen key could not be created; retrying in ${retryIn} ms`, {
          reason,
          retryInMs: retryIn,
          error: this.safeMessage(err),
        });
        this.timer = this.clock().setTimeout(() => {
          this.timer = undefined;
          void this.recreate(reason);
        }, retryIn);
      }
    };
    const run = attempt().finally(() => {
      this.creating = undefined;
    });
    this.creating = run;
    return run;
  }

  /**
   * Stops the keepalives. With `deleteKey` the key is closed on Binance (DELETE); by default it
   * is left to expire, since another client of the account may share it.
   */
  async stop(deleteKey = false): Promise<void> {
    this.stopped = true;
    this.clock().clearTimeout(this.timer);
    this.timer = undefined;
    const key = this.current;
    this.current = undefined;
    if (deleteKey && key !== undefined) {
      try {
        await this.options.api.close(key);
      } catch (err) {
        this.alert('WARN', 'LISTEN_KEY_CLOSE_FAILED', 'binance FUT listen key could not be closed; it expires within 60 min', {
          error: this.safeMessage(err),
        });
      }
    }
  }

  /** An error's message with the key (should a transport quote it) and other secrets removed. */
  private safeMessage(err: unknown): string {
    const text = redactString(err instanceof Error ? err.message : String(err));
    const key = this.current;
    return key === undefined || key === '' ? text : text.split(key).join('[REDACTED]');
  }

  private clock(): Clock {
    return this.options.clock;
  }

  private schedule(ms: number): void {
    this.clock().clearTimeout(this.timer);
    this.timer = this.clock().setTimeout(() => {
      this.timer = undefined;
      void this.keepAlive();
    }, ms);
  }

  private async keepAlive(): Promise<void> {
    const key = this.current;
    if (this.stopped || key === undefined) return;
    try {
      await this.options.api.keepAlive(key);
      if (this.stopped || key !== this.current) return;
      this.failures = 0;
      this.schedule(this.keepAliveMs);
      this.events.emit('keptAlive', { ts: this.clock().now() });
    } catch (err) {
      if (this.stopped || key !== this.current) return;
      if (isInvalidListenKeyError(err)) {
        this.alert('WARN', 'LISTEN_KEY_INVALID', 'binance FUT listen key no longer exists (-1125); creating a new one', {});
        await this.recreate('invalid');
        return;
      }
      this.failures++;
      if (this.failures >= this.maxFailures) {
        this.alert('WARN', 'LISTEN_KEY_KEEPALIVE_FAILED', `binance FUT listen key keepalive failed ${this.failures} times; creating a new one`, {
          failures: this.failures,
          error: this.safeMessage(err),
        });
        await this.recreate('keepalive_failed');
        return;
      }
      const retryIn = Math.min(this.keepAliveMs, this.retryMs * 2 ** (this.failures - 1));
      this.alert('WARN', 'LISTEN_KEY_KEEPALIVE_RETRY', `binance FUT listen key keepalive failed; retrying in ${retryIn} ms`, {
        failures: this.failures,
        retryInMs: retryIn,
        error: this.safeMessage(err),
      });
      this.schedule(retryIn);
    }
  }

  private alert(level: ConnectorAlert['level'], code: string, message: string, details: Record<string, unknown>): void {
    this.events.emit('alert', { level, code, message, details, ts: this.clock().now() });
  }
}
