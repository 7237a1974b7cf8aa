/**
 * The local exchange's USDⓈ-M listen keys: what `POST/PUT/DELETE /fapi/v1/listenKey` change and
 * what the `/private` route checks.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '@chimera/core';

/** An answer the REST face can serve as is: a 200 body, or Binance's error body and status. */
export type ListenKeyAnswer = { ok: true; status: 200; body: { listenKey: string } } | { ok: false; status: 400; body: { code: number; msg: string } };

/** Events of {@link LocalListenKeys}. */
export interface LocalListenKeysEvents {
  /** A key stopped being valid (validity lapsed, or expired by a fault); its streams end. */
  expired: (listenKey: string) => void;
  /** A key was closed by `DELETE`. */
  closed: (listenKey: string) => void;
}

interface KeyState {
  readonly key: string;
  readonly apiKey: string;
  validUntil: number;
}

/**
 * Listen keys per API key, as Binance keeps them: `create` returns the active key of the API key
 * (extending it by the validity) or a new one; `keepAlive` extends it or answers `-1125` when
 * there is none; `close` deletes it. Validity is 60 minutes by default; {@link LocalListenKeys.sweep}
 * (run on a timer by the WS face) expires lapsed keys, and {@link LocalListenKeys.expire} does so
 * at once (a scripted fault).
 */
export class LocalListenKeys {
  /** Typed events. */
  readonly events = new EventEmitter<LocalListenKeysEvents>();
  private readonly byApiKey = new Map<string, KeyState>();
  private readonly byKey = new Map<string, KeyState>();

  /**
   * @param clock - time of validity.
   * @param validityMs - how long a key lives after create/keepalive (default 60 min).
   */
  constructor(
    private readonly clock: Clock,
    readonly validityMs = 60 * 60_000,
  ) {}

  /** `POST /fapi/v1/listenKey`. */
  create(apiKey = 'default'): ListenKeyAnswer {
    this.sweep();
    const now = this.clock.now();
    let state = this.byApiKey.get(apiKey);
    if (state === undefined) {
      state = { key: randomBytes(32).toString('base64url'), apiKey, validUntil: 0 };
      this.byApiKey.set(apiKey, state);
      this.byKey.set(state.key, state);
    }
    state.validUntil = now + this.validityMs;
    return { ok: true, status: 200, body: { listenKey: state.key } };
  }

  /** `PUT /fapi/v1/listenKey`: extends the API key's key, or `-1125` when it has none. */
  keepAlive(apiKey = 'default'): ListenKeyAnswer {
    this.sweep();
    const state = this.byApiKey.get(apiKey);
    if (state === undefined) return { ok: false, status: 400, body: { code: -1125, msg: 'This listenKey does not exist.' } };
    state.validUntil = this.clock.now() + this.validityMs;
    return { ok: true, status: 200, body: { listenKey: state.key } };
  }

  /** `DELETE /fapi/v1/listenKey`. */
  close(apiKey = 'default'): ListenKeyAnswer {
    const state = this.byApiKey.get(apiKey);
    if (state === undefined) return { ok: false, status: 400, body: { code: -1125, msg: 'This listenKey does not exist.' } };
    this.remove(state);
    this.events.emit('closed', state.key);
    return { ok: true, status: 200, body: { listenKey: state.key } };
  }

  /** True while `listenKey` is valid. */
  isActive(listenKey: string): boolean {
    const state = this.byKey.get(listenKey);
    return state !== undefined && state.validUntil > this.clock.now();
  }

  /** The active keys (for tests and fault scripts). */
  activeKeys(): string[] {
    this.sweep();
    return [...this.byKey.keys()];
  }

  /**
   * Expires keys now (a fault): `listenKey`, or every active key. Their streams receive
   * `listenKeyExpired` and no more events; `PUT` then answers `-1125`.
   * @returns the keys expired.
   */
  expire(listenKey?: string): string[] {
    const states = listenKey === undefined ? [...this.byKey.values()] : [this.byKey.get(listenKey)].filter((s): s is KeyState => s !== undefined);
    for (const s of states) {
      this.remove(s);
      this.events.emit('expired', s.key);
    }
    return states.map((s) => s.key);
  }

  /** Expires every key whose validity lapsed. */
  sweep(): void {
    const now = this.clock.now();
    for (const s of [...this.byKey.values()]) {
      if (s.validUntil <= now) {
        this.remove(s);
        this.events.emit('expired', s.key);
      }
    }
  }

  private remove(s: KeyState): void {
    this.byKey.delete(s.key);
    if (this.byApiKey.get(s.apiKey) === s) this.byApiKey.delete(s.apiKey);
  }
}
