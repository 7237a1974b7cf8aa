/**
 * Keeps what the connector sends on one MAX WebSocket connection inside MAX's limits (20
 * messages per second and 200 per minute per connection, VENUES.md A.5). The core
 * `ReconnectingSocket` already paces every frame to a per-second rate; the per-minute budget is
 * kept here, because a book that keeps gapping would otherwise resubscribe (two messages each
 * time) until the minute's budget is gone.
 *
 * @packageDocumentation
 */
import type { Clock, TimerHandle } from '@chimera/core';
import { MAX_WS_MESSAGE_LIMITS, WsMessageBudget, type MessageLimit } from '../ws/message-budget.js';

/** Options of {@link WsMessageGate}. */
export interface WsMessageGateOptions {
  /** The clock the windows and waits run on. */
  clock: Clock;
  /**
   * Interval of the socket's own pings, ms: that many pings a minute are left out of the budget,
   * since the socket sends them without asking the gate.
   */
  pingIntervalMs: number;
  /** The venue's limits (default MAX's: 20/s, 200/min). */
  limits?: readonly MessageLimit[];
}

interface Job {
  count: number;
  run: () => void;
}

/**
 * Runs send operations in order, each as soon as the messages it sends fit in every window.
 * Call {@link WsMessageGate.connectionOpened} on every new connection: MAX counts per connection,
 * so a new one starts with a clean budget (minus what the socket sent on open).
 */
export class WsMessageGate {
  private readonly clock: Clock;
  private readonly budget: WsMessageBudget;
  private readonly jobs: Job[] = [];
  private timer: TimerHandle | undefined;
  private closed = false;

  /** @param options - See {@link WsMessageGateOptions}. */
  constructor(options: WsMessageGateOptions) {
    this.clock = options.clock;
    // Leave room for the pings the socket sends on its own (one more for rounding).
    const reserve = Math.ceil(60_000 / options.pingIntervalMs) + 1;
    const limits = (options.limits ?? MAX_WS_MESSAGE_LIMITS).map((l) => ({
      windowMs: l.windowMs,
      limit: Math.max(2, l.limit - (l.windowMs >= 60_000 ? reserve : 1)),
    }));
    this.budget = new WsMessageBudget({ now: () => this.clock.now(), limits });
  }

  /** Operations waiting for room. */
  get pending(): number {
    return this.jobs.length;
  }

  /**
   * Runs `run` (which sends `count` messages) now if they fit, else once they do, after every
   * operation queued before it.
   */
  run(count: number, run: () => void): void {
    if (this.closed) return;
    this.jobs.push({ count, run });
    this.pump();
  }

  /** A new connection opened and the socket sent `sent` messages on it (auth, subscriptions). */
  connectionOpened(sent: number): void {
    this.budget.reset();
    if (sent > 0) this.budget.record(sent);
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pump();
  }

  /** Drops every waiting operation and stops. */
  close(): void {
    this.closed = true;
    this.jobs.length = 0;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    if (this.timer !== undefined) return;
    while (!this.closed && this.jobs.length > 0) {
      const job = this.jobs[0]!;
      const wait = this.budget.waitMs(job.count);
      if (wait > 0 && Number.isFinite(wait)) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.jobs.shift();
      // An operation larger than a whole window cannot ever fit: it goes out rather than blocking the queue.
      this.budget.record(job.count);
      job.run();
    }
  }
}
