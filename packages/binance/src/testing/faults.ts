/**
 * Scripted faults of the local Binance exchange: the failures the real venue produces, played on
 * cue so the SDK's outcome handling can be tested end to end over real HTTP (DESIGN.md "Testing
 * layers" 3). Every fault is counted ("the next N matching requests") or switched (clock skew).
 *
 * @packageDocumentation
 */

/** Which requests a fault applies to; absent fields match everything. */
export interface FaultMatch {
  /** HTTP method, e.g. `POST`. */
  method?: string;
  /** Request path (without the query): equal to a string, or tested by a RegExp. */
  path?: string | RegExp;
}

/** A scripted HTTP answer for the next matching request(s). */
export interface StatusFault {
  /** HTTP status: 429, 418, 408 or a 5xx. */
  status: number;
  /**
   * `Retry-After` in whole seconds. With a 418 the local exchange also bans every request for
   * that long, as Binance bans the IP (default 120 s for 418; a 429 without it sends none).
   */
  retryAfterSec?: number;
  /**
   * Whether the request is executed before the fault answer is written: a 5xx whose order still
   * landed (Binance: "the outcome is unknown; the order may have executed"). Default false.
   */
  landed?: boolean;
  /** Binance error code of the body (default per status and product). */
  code?: number;
  /** Binance message of the body (default per status and product). */
  msg?: string;
  /** How many matching requests get this answer (default 1). */
  times?: number;
  /** Which requests (default: any). */
  match?: FaultMatch;
}

/** Options of {@link LocalBinanceFaults.dropResponseAfterSubmit}. */
export interface DropFault {
  /** How many matching requests lose their answer (default 1). */
  times?: number;
  /** Which requests (default: any write, i.e. POST, PUT or DELETE). */
  match?: FaultMatch;
}

/** A fault the server is about to play for one request. */
export type ActiveFault = { kind: 'status'; fault: StatusFault } | { kind: 'drop' };

interface Queued {
  left: number;
  match: FaultMatch | undefined;
  writesOnly: boolean;
  fault: ActiveFault;
}

function matches(m: FaultMatch | undefined, method: string, path: string): boolean {
  if (!m) return true;
  if (m.method !== undefined && m.method.toUpperCase() !== method) return false;
  if (m.path !== undefined && (typeof m.path === 'string' ? m.path !== path : !m.path.test(path))) return false;
  return true;
}

/**
 * The fault script of one local exchange. Faults are consumed first-in first-out: the first
 * queued fault that matches a request is played on it and counted down.
 */
export class LocalBinanceFaults {
  /**
   * Server clock offset, ms: the exchange's time is its clock plus this. A negative skew makes
   * the client's timestamps look ahead (`-1021` "1000ms ahead"), a positive one behind
   * ("outside of the recvWindow"). Applies to `/time` answers and to timestamp checks.
   */
  clockSkewMs = 0;

  private readonly queue: Queued[] = [];

  /**
   * Answers the next matching request(s) with an HTTP error: 429 or 418 with `Retry-After`
   * (418 also bans all traffic until it passes), 408 or a 5xx (optionally after executing the
   * request, see {@link StatusFault.landed}).
   * @returns this, for chaining.
   */
  nextStatus(fault: StatusFault): this {
    if (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) throw new RangeError(`not an error status: ${fault.status}`);
    this.queue.push({ left: fault.times ?? 1, match: fault.match, writesOnly: false, fault: { kind: 'status', fault } });
    return this;
  }

  /**
   * Executes the next matching request(s) and then destroys the connection without answering:
   * a submit that lands but whose response never arrives.
   * @returns this, for chaining.
   */
  dropResponseAfterSubmit(options: DropFault = {}): this {
    this.queue.push({ left: options.times ?? 1, match: options.match, writesOnly: options.match === undefined, fault: { kind: 'drop' } });
    return this;
  }

  /** Faults still queued (each counted once per remaining request). */
  get pending(): number {
    return this.queue.reduce((n, q) => n + q.left, 0);
  }

  /** Drops every queued fault and resets the clock skew. */
  clear(): void {
    this.queue.length = 0;
    this.clockSkewMs = 0;
  }

  /**
   * Takes the fault to play on one request, if any (used by the server).
   * @param method - HTTP method.
   * @param path - Request path.
   */
  take(method: string, path: string): ActiveFault | undefined {
    const write = method === 'POST' || method === 'PUT' || method === 'DELETE';
    for (let i = 0; i < this.queue.length; i++) {
      const q = this.queue[i]!;
      if (q.writesOnly && !write) continue;
      if (!matches(q.match, method, path)) continue;
      q.left -= 1;
      if (q.left <= 0) this.queue.splice(i, 1);
      return q.fault;
    }
    return undefined;
  }
}
