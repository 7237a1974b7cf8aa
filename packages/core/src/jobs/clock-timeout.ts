/**
 * A deadline on the injected clock for any promise (heartbeats, venue calls of the treasury), so a
 * fake clock can prove timeouts in milliseconds of real time.
 *
 * @packageDocumentation
 */
import type { Clock } from '../clock/clock.js';

/**
 * Settles like `promise`, or rejects with `onTimeout()` once `timeoutMs` of clock time pass first.
 * The work itself is not cancelled (a venue request may still land): callers treat the timeout as
 * an unknown outcome. A late rejection of `promise` is swallowed so it never goes unhandled.
 *
 * @param timeoutMs - deadline in ms; `0`, negative or non-finite means no deadline.
 * @param onTimeout - builds the rejection reason (e.g. an `UnknownOutcomeError`).
 */
export function withClockTimeout<T>(clock: Clock, promise: Promise<T>, timeoutMs: number, onTimeout: () => unknown): Promise<T> {
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) return promise;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = clock.setTimeout(() => {
      if (done) return;
      done = true;
      promise.catch(() => undefined);
      reject(onTimeout());
    }, timeoutMs);
    promise.then(
      (value) => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        reject(err);
      },
    );
  });
}
