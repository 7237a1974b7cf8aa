import type { Clock } from '@chimera/core';

/**
 * Returns a generator of insertion sequence numbers (`_seq`) for append-only logs.
 *
 * Events and fills often share a millisecond (an intent's transitions, a fill burst); `_seq` keeps
 * them in write order when sorted. Numbers are `clock.now() · 1000` or the previous number + 1,
 * whichever is larger: strictly increasing within a process, and increasing across restarts as
 * long as the clock moves forward (below 2^53 until the year 2255).
 */
export function insertionSequence(clock: Pick<Clock, 'now'>): () => number {
  let last = 0;
  return () => {
    last = Math.max(last + 1, Math.floor(clock.now()) * 1000);
    return last;
  };
}
