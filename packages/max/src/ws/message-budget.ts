/**
 * MAX's limits on what a client may send over one WebSocket connection: 20 messages per second
 * and 200 per minute (ws-docs `README.md`, VENUES.md A.5). Exceeding them gets the connection
 * rate-limited, and a 429 on connect bans the IP, so the client counts before it sends.
 *
 * @packageDocumentation
 */

/** One sliding-window limit: at most `limit` messages in any `windowMs`. */
export interface MessageLimit {
  /** Window length, ms. */
  windowMs: number;
  /** Messages allowed in any window of that length. */
  limit: number;
}

/** MAX's per-connection limits: 20 per second, 200 per minute. */
export const MAX_WS_MESSAGE_LIMITS: readonly MessageLimit[] = [
  { windowMs: 1_000, limit: 20 },
  { windowMs: 60_000, limit: 200 },
];

/**
 * The steady rate that keeps inside both of MAX's limits, messages per second: ⌊200 / 60⌋ = 3.
 * A throttle that only knows a per-second rate (the core `VenueProtocol.maxMessagesPerSecond`)
 * must use this, not 20, or a burst of 20/s would exhaust the minute in 10 s.
 */
export const MAX_WS_STEADY_MESSAGES_PER_SECOND = 3;

/**
 * Counts messages sent on one connection against sliding-window limits (default MAX's) and says
 * how long to wait before the next ones may go. Pure: time comes from the injected `now`.
 */
export class WsMessageBudget {
  private readonly now: () => number;
  private readonly limits: readonly MessageLimit[];
  private readonly longest: number;
  private sent: number[] = [];

  /**
   * @param options.now - The clock, epoch ms.
   * @param options.limits - Sliding-window limits (default {@link MAX_WS_MESSAGE_LIMITS}).
   */
  constructor(options: { now: () => number; limits?: readonly MessageLimit[] }) {
    this.now = options.now;
    this.limits = options.limits ?? MAX_WS_MESSAGE_LIMITS;
    this.longest = Math.max(0, ...this.limits.map((l) => l.windowMs));
  }

  private prune(now: number): void {
    const from = now - this.longest;
    let drop = 0;
    while (drop < this.sent.length && (this.sent[drop] as number) <= from) drop += 1;
    if (drop > 0) this.sent = this.sent.slice(drop);
  }

  /**
   * Milliseconds until `count` more messages fit in every window (0: now).
   * @returns `Infinity` when `count` exceeds a window's limit on its own.
   */
  waitMs(count = 1): number {
    const now = this.now();
    this.prune(now);
    let wait = 0;
    for (const { windowMs, limit } of this.limits) {
      if (count > limit) return Infinity;
      const inWindow = this.sent.filter((t) => t > now - windowMs);
      const excess = inWindow.length + count - limit;
      if (excess > 0) {
        // The `excess`-th oldest message of the window must leave it first.
        const t = inWindow[excess - 1] as number;
        wait = Math.max(wait, t + windowMs - now);
      }
    }
    return wait;
  }

  /** Records `count` messages as sent now when they fit; returns whether they did. */
  tryTake(count = 1): boolean {
    if (this.waitMs(count) > 0) return false;
    this.record(count);
    return true;
  }

  /** Records `count` messages as sent now, fitting or not (pings the socket sends on its own). */
  record(count = 1): void {
    const now = this.now();
    for (let i = 0; i < count; i += 1) this.sent.push(now);
  }

  /** Messages counted in the last `windowMs` ms. */
  usedIn(windowMs: number): number {
    const now = this.now();
    return this.sent.filter((t) => t > now - windowMs).length;
  }

  /** Forgets every count (a new connection starts with a clean budget). */
  reset(): void {
    this.sent = [];
  }
}
