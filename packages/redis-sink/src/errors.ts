import { ChimeraError, StateError, type ChimeraErrorOptions } from '@chimera/core';

/**
 * `flush(timeoutMs)` ran out of time with events still queued or unanswered (Redis down or slow).
 * The events are not lost: they stay queued under the drop policy. Status 503, retryable.
 */
export class SinkFlushTimeoutError extends ChimeraError {
  constructor(message: string, options: Omit<ChimeraErrorOptions, 'code' | 'status' | 'retryable'> = {}) {
    super(message, { ...options, code: 'SINK_FLUSH_TIMEOUT', status: 503, retryable: true });
  }
}

/**
 * A lock could not be taken within the wait allowed: someone else holds it. Status 409, retryable
 * (the holder releases it or its TTL runs out).
 */
export class LockBusyError extends StateError {
  constructor(message: string, options: Omit<ChimeraErrorOptions, 'code' | 'retryable'> = {}) {
    super(message, { ...options, code: 'LOCK_BUSY', retryable: true });
  }
}

/**
 * A lease was used after the lock stopped being ours (expired and possibly taken by another
 * holder, or released). Status 409, not retryable: the work it guarded must be re-checked.
 */
export class LockLostError extends StateError {
  constructor(message: string, options: Omit<ChimeraErrorOptions, 'code' | 'retryable'> = {}) {
    super(message, { ...options, code: 'LOCK_LOST', retryable: false });
  }
}
