/**
 * The nonce MAX requires on every private REST request and on the WebSocket `auth` message: epoch
 * milliseconds, within 30 s of the server's clock (WebSocket error 1006; REST 2007
 * INVALID_NONCE), never reused for the key (REST 2006 NONCE_USED, WebSocket 1012). VENUES.md
 * A.3 and A.5.
 *
 * @packageDocumentation
 */
import { ValidationError } from '@chimera/core';

/** Options of {@link NonceSource}. */
export interface NonceSourceOptions {
  /**
   * The local clock, epoch ms (inject `clock.now`, or `() => clockSync.now()` to sign with an
   * already server-corrected time and leave `offsetMs` at 0).
   */
  now: () => number;
  /** Server time minus local time, ms, added to every nonce (default 0). */
  offsetMs?: number;
}

/** Options of {@link NonceSource.calibrate}. */
export interface CalibrateOptions {
  /**
   * Resolution of the server time, ms (default 0). MAX's `GET /api/v3/timestamp` answers whole
   * seconds: pass 1000 so the offset is taken from the middle of that second (`+500`), which halves
   * the worst-case error against truncating.
   */
  resolutionMs?: number;
  /**
   * Smallest correction worth applying, ms (default 0: always apply). The official node SDK only
   * corrects when the clocks are 30 s apart; a smaller threshold keeps nonces closer to the
   * server's clock.
   */
  minCorrectionMs?: number;
}

/**
 * Produces strictly increasing nonces: `floor(now() + offset)`, or the previous nonce + 1 when the
 * clock has not moved on (several requests in one millisecond, a clock stepping back, or an offset
 * corrected downwards). Share one source per API key between REST and the WebSocket `auth`, so a
 * nonce is never used twice for the key.
 */
export class NonceSource {
  private readonly now: () => number;
  private offset: number;
  private previous = 0;

  /** @throws ValidationError (`INVALID_OFFSET`) when `offsetMs` is not finite. */
  constructor(options: NonceSourceOptions) {
    this.now = options.now;
    this.offset = 0;
    this.setOffset(options.offsetMs ?? 0);
  }

  /** The current server-time offset, ms (server minus local). */
  get offsetMs(): number {
    return this.offset;
  }

  /** The last nonce handed out (0 before the first). */
  get last(): number {
    return this.previous;
  }

  /**
   * Sets the server-time offset.
   * @param offsetMs - Server time minus local time, ms.
   * @throws ValidationError (`INVALID_OFFSET`) when not finite.
   */
  setOffset(offsetMs: number): void {
    if (!Number.isFinite(offsetMs)) {
      throw new ValidationError('offsetMs: expected a finite number of milliseconds', [{ path: 'offsetMs', message: 'expected a finite number' }], {
        code: 'INVALID_OFFSET',
      });
    }
    this.offset = offsetMs;
  }

  /**
   * Sets the offset from one server-time reading.
   *
   * @param serverTimeMs - The server's time, epoch ms (MAX: `/timestamp` seconds × 1000).
   * @param localTimeMs - Local time of the reading, epoch ms (best: the midpoint of the round
   *   trip). Default: `now()`.
   * @returns The offset in force afterwards, ms.
   */
  calibrate(serverTimeMs: number, localTimeMs: number = this.now(), options: CalibrateOptions = {}): number {
    const measured = serverTimeMs + (options.resolutionMs ?? 0) / 2 - localTimeMs;
    const minCorrection = options.minCorrectionMs ?? 0;
    this.setOffset(Math.abs(measured) >= minCorrection ? measured : 0);
    return this.offset;
  }

  /** The next nonce: strictly greater than every nonce handed out before. */
  next(): number {
    const candidate = Math.floor(this.now() + this.offset);
    const nonce = candidate > this.previous ? candidate : this.previous + 1;
    this.previous = nonce;
    return nonce;
  }
}
