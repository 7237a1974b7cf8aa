/**
 * Scripted faults of the local MAX exchange: the failures MAX produces, on demand, so the
 * connector's reconnect, resync, rate-limit and unknown-outcome paths can be tested on loopback.
 *
 * @packageDocumentation
 */

/** Which WebSocket connections a fault hits: every one, those without `auth` (public), or the authenticated ones (private). */
export type ConnectionFilter = 'all' | 'public' | 'private';

/** Which streams a stall hits; absent fields match everything. */
export interface StallFilter {
  /** Core symbol, e.g. `BTCTWD`. */
  symbol?: string;
  /** MAX channel. */
  channel?: 'book' | 'ticker' | 'trade' | 'user';
}

/** Options of {@link MaxFaults.rateLimitRest}. */
export interface RateLimitFault {
  /** How many requests in a row get the first 429 (default 1). */
  count?: number;
  /** Length of the IP ban a 429 starts, ms (default 1000). A request during the ban gets 429 again and restarts it. */
  banMs?: number;
}

/** The server side a fault needs to act at once (attached by `startLocalMax`). */
export interface FaultHooks {
  /** Terminates matching WebSocket connections; returns how many. */
  drop(filter: ConnectionFilter): number;
  /** Marks the matching subscriptions of the open connections as stalled; returns how many. */
  stall(filter: StallFilter): number;
  /** Un-stalls every subscription. */
  resume(): void;
}

interface ResponseDrop {
  left: number;
  method: string | undefined;
  path: string | undefined;
}

/**
 * Faults of one local MAX exchange. WebSocket faults act on the connections open now; the others
 * are counted ("the next N …") and consumed by the server as requests arrive.
 */
export class MaxFaults {
  /** Delay before MAX's asynchronous cancel of a post-only order that would take, ms (default 20). */
  postOnlyCancelDelayMs = 20;

  private hooks: FaultHooks | undefined;
  private readonly gaps = new Map<string, number>();
  private wsRefusals: { left: number; retryAfterMs: number } | undefined;
  private rateLimit: { left: number; banMs: number } | undefined;
  private banUntil = 0;
  private banMs = 1000;
  private readonly drops: ResponseDrop[] = [];

  /** Connects the faults to a running server (done by `startLocalMax`). */
  attach(hooks: FaultHooks): void {
    this.hooks = hooks;
  }

  /**
   * Terminates WebSocket connections now, without a closing handshake (a dropped socket).
   * @returns How many were dropped.
   */
  dropConnections(filter: ConnectionFilter = 'all'): number {
    return this.hooks?.drop(filter) ?? 0;
  }

  /**
   * Makes the next `count` book updates of `symbol` (every symbol when absent) vanish: the stream
   * advances its update ids without sending them, so the next update's `fi` does not follow the
   * subscribers' `li`.
   */
  bookGap(symbol = '*', count = 1): void {
    this.gaps.set(symbol, (this.gaps.get(symbol) ?? 0) + count);
  }

  /**
   * Stalls the matching streams of the connections open now: they stay connected and answer pings
   * but receive no data. Subscriptions made afterwards (a new connection, a resubscription) flow.
   * @returns How many subscriptions were stalled.
   */
  stallStreams(filter: StallFilter = {}): number {
    return this.hooks?.stall(filter) ?? 0;
  }

  /** Lets every stalled stream flow again. */
  resumeStreams(): void {
    this.hooks?.resume();
  }

  /**
   * Refuses the next `count` WebSocket upgrades with HTTP 429 and `Retry-After` as MAX sends it:
   * the unix time (seconds) when connecting is allowed again.
   */
  refuseWsUpgrades(count = 1, retryAfterMs = 1000): void {
    this.wsRefusals = { left: count, retryAfterMs };
  }

  /**
   * Answers the next `count` REST requests with HTTP 429, MAX style: a 429 bans the IP for `banMs`
   * (`Retry-After` is the unix time in seconds when it ends), and any request during the ban is
   * refused again and restarts the penalty.
   */
  rateLimitRest(fault: RateLimitFault = {}): void {
    this.rateLimit = { left: fault.count ?? 1, banMs: fault.banMs ?? 1000 };
  }

  /**
   * The next `count` matching REST requests are executed, then their connection is destroyed
   * before the answer is written: the client cannot know whether they took effect.
   */
  dropResponses(count = 1, match: { method?: string; path?: string } = {}): void {
    this.drops.push({ left: count, method: match.method?.toUpperCase(), path: match.path });
  }

  /** Removes every pending fault, lifts a ban and un-stalls streams. */
  clear(): void {
    this.gaps.clear();
    this.wsRefusals = undefined;
    this.rateLimit = undefined;
    this.banUntil = 0;
    this.drops.length = 0;
    this.hooks?.resume();
  }

  // ───────────────────────────── consumed by the server ─────────────────────────────

  /** Whether the next book update of `symbol` is to vanish (consumes one). */
  takeBookGap(symbol: string): boolean {
    for (const key of [symbol, '*']) {
      const left = this.gaps.get(key) ?? 0;
      if (left > 0) {
        if (left === 1) this.gaps.delete(key);
        else this.gaps.set(key, left - 1);
        return true;
      }
    }
    return false;
  }

  /** Whether the next WebSocket upgrade is refused: the `Retry-After` value (unix seconds), else undefined. */
  takeWsRefusal(now: number): number | undefined {
    const r = this.wsRefusals;
    if (!r || r.left <= 0) return undefined;
    r.left -= 1;
    if (r.left <= 0) this.wsRefusals = undefined;
    return Math.ceil((now + r.retryAfterMs) / 1000);
  }

  /** Whether this REST request gets a 429: the `Retry-After` value (unix seconds), else undefined. */
  takeRateLimit(now: number): number | undefined {
    if (now < this.banUntil) {
      // MAX restarts the penalty when a banned client retries early.
      this.banUntil = now + this.banMs;
      return Math.ceil(this.banUntil / 1000);
    }
    const r = this.rateLimit;
    if (!r || r.left <= 0) return undefined;
    r.left -= 1;
    if (r.left <= 0) this.rateLimit = undefined;
    this.banMs = r.banMs;
    this.banUntil = now + r.banMs;
    return Math.ceil(this.banUntil / 1000);
  }

  /** Whether this request's answer is to be dropped (consumes one). */
  takeResponseDrop(method: string, path: string): boolean {
    const d = this.drops.find((x) => x.left > 0 && (x.method === undefined || x.method === method) && (x.path === undefined || x.path === path));
    if (!d) return false;
    d.left -= 1;
    if (d.left <= 0) this.drops.splice(this.drops.indexOf(d), 1);
    return true;
  }
}
