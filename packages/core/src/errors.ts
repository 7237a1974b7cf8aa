/**
 * The `ChimeraError` hierarchy (DESIGN.md principle 6).
 *
 * Every failure the SDK raises is a `ChimeraError` subclass carrying a stable `code`, an HTTP-ish
 * `status` for hosts that expose the SDK over HTTP (400 format, 422 business rule, 503 venue),
 * whether retrying the same request can help (`retryable`), structured `details` and the original
 * `cause`. Messages and details never carry secrets: callers pass redacted data only.
 *
 * @packageDocumentation
 */

/** Options shared by every {@link ChimeraError} constructor. */
export interface ChimeraErrorOptions {
  /** Stable machine-readable code, e.g. `VALIDATION_FAILED`, `MIN_AMOUNT`, `RATE_LIMITED`. */
  code?: string;
  /** HTTP status a host should answer with: 400 format, 422 business rule, 503 venue. */
  status?: number;
  /** Whether sending the same request again can succeed. Defaults per class. */
  retryable?: boolean;
  /** Structured, secret-free context (field names, venue code, limits). */
  details?: Record<string, unknown>;
  /** The underlying error, kept for debugging. */
  cause?: unknown;
}

/**
 * Base class of every error the SDK throws.
 *
 * `shortMessage` is the human sentence without the code prefix; `message` is `"[CODE] shortMessage"`.
 */
export class ChimeraError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** The message without the `[CODE]` prefix. */
  readonly shortMessage: string;
  /** HTTP status for hosts: 400 format, 422 business rule, 500 internal, 503 venue. */
  readonly status: number;
  /** Whether the same request may succeed if sent again. */
  readonly retryable: boolean;
  /** Structured, secret-free context. */
  readonly details: Record<string, unknown>;

  constructor(message: string, options: ChimeraErrorOptions = {}) {
    const code = options.code ?? 'CHIMERA_ERROR';
    super(`[${code}] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.shortMessage = message;
    this.status = options.status ?? 500;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }

  /** A JSON-safe view for logs and HTTP bodies (no stack, no cause chain). */
  toJSON(): { name: string; code: string; message: string; status: number; retryable: boolean; details: Record<string, unknown> } {
    return {
      name: this.name,
      code: this.code,
      message: this.shortMessage,
      status: this.status,
      retryable: this.retryable,
      details: this.details,
    };
  }
}

/** One failed field of a validation: its dotted path and why. */
export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `intent.qty` or `oco.tp_price`. */
  path: string;
  /** What is wrong with it. */
  message: string;
}

/**
 * Input that does not have the right shape (missing field, wrong type, bad pattern). Status 400,
 * never retryable. `details.issues` lists every failed field.
 */
export class ValidationError extends ChimeraError {
  /** Every failed field. */
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[], options: Omit<ChimeraErrorOptions, 'status' | 'retryable'> = {}) {
    super(message, {
      code: options.code ?? 'VALIDATION_FAILED',
      status: 400,
      retryable: false,
      details: { ...options.details, issues },
      cause: options.cause,
    });
    this.issues = issues;
  }
}

/**
 * Well-formed input that breaks a business rule (amount above the maximum, same market on both
 * sides of a transfer, asset not whitelisted). Status 422, never retryable.
 */
export class BusinessRuleError extends ChimeraError {
  constructor(message: string, options: ChimeraErrorOptions & { code: string }) {
    super(message, { ...options, status: 422, retryable: false });
  }
}

/**
 * An order that fails the instrument's filters (tick, step, min/max qty, notional, price bounds).
 * Status 422, never retryable: the same order would fail again.
 */
export class FilterError extends BusinessRuleError {
  constructor(message: string, options: Omit<ChimeraErrorOptions, 'status' | 'retryable'> & { code?: string } = {}) {
    super(message, { ...options, code: options.code ?? 'FILTER_FAILED' });
  }
}

/** A pre-trade risk gate refused the request. `details.rule` names the rule that fired. Status 422. */
export class RiskRejectedError extends BusinessRuleError {
  constructor(message: string, rule: string, options: Omit<ChimeraErrorOptions, 'status' | 'retryable' | 'code'> = {}) {
    super(message, { ...options, code: 'RISK_REJECTED', details: { ...options.details, rule } });
  }
}

/** The venue does not support the operation (declared by its capabilities). Status 422. */
export class UnsupportedError extends BusinessRuleError {
  constructor(message: string, options: Omit<ChimeraErrorOptions, 'status' | 'retryable' | 'code'> = {}) {
    super(message, { ...options, code: 'UNSUPPORTED' });
  }
}

/**
 * A definitive answer from a venue that refused the request (insufficient balance, unknown order,
 * post-only would take …). `details.venueCode` keeps the venue's own code. Status 503 unless the
 * mapping table says otherwise.
 */
export class VenueError extends ChimeraError {
  constructor(message: string, options: ChimeraErrorOptions = {}) {
    super(message, { status: 503, ...options, code: options.code ?? 'VENUE_ERROR' });
  }
}

/** A post-only order was rejected because it would have taken liquidity. Re-price, don't retry as is. */
export class PostOnlyRejectedError extends VenueError {
  constructor(message = 'post-only order would immediately match', options: Omit<ChimeraErrorOptions, 'code'> = {}) {
    super(message, { status: 422, ...options, code: 'POST_ONLY_REJECTED', retryable: false });
  }
}

/** The venue has no such order (by venue id or client order id). */
export class OrderNotFoundError extends VenueError {
  constructor(message = 'order not found', options: Omit<ChimeraErrorOptions, 'code'> = {}) {
    super(message, { status: 404, ...options, code: 'ORDER_NOT_FOUND', retryable: false });
  }
}

/** Not enough free balance or margin for the order or transfer. Status 422. */
export class InsufficientFundsError extends VenueError {
  constructor(message = 'insufficient balance', options: Omit<ChimeraErrorOptions, 'code'> = {}) {
    super(message, { status: 422, ...options, code: 'INSUFFICIENT_FUNDS', retryable: false });
  }
}

/**
 * Too many requests (HTTP 429) or an IP ban (HTTP 418). `retryAfterMs` says when traffic may
 * resume; `banned` is true for 418, during which every request is refused locally.
 */
export class RateLimitError extends VenueError {
  /** Milliseconds until the venue accepts requests again. */
  readonly retryAfterMs: number;
  /** True when the venue banned the client (HTTP 418). */
  readonly banned: boolean;
  constructor(message: string, retryAfterMs: number, banned: boolean, options: Omit<ChimeraErrorOptions, 'code'> = {}) {
    super(message, {
      status: 503,
      ...options,
      code: banned ? 'IP_BANNED' : 'RATE_LIMITED',
      retryable: !banned,
      details: { ...options.details, retryAfterMs, banned },
    });
    this.retryAfterMs = retryAfterMs;
    this.banned = banned;
  }
}

/** The request's timestamp was outside the venue's recvWindow (`-1021`) or skew blocks trading. */
export class ClockSkewError extends VenueError {
  constructor(message: string, options: Omit<ChimeraErrorOptions, 'code'> = {}) {
    super(message, { ...options, code: 'CLOCK_SKEW', retryable: true });
  }
}

/** The venue rejected the credentials or signature. Never retryable. */
export class AuthError extends VenueError {
  constructor(message: string, options: Omit<ChimeraErrorOptions, 'code'> = {}) {
    super(message, { status: 401, ...options, code: 'AUTH_FAILED', retryable: false });
  }
}

/**
 * A request was sent but its outcome is unknown (timeout, dropped connection, 5xx after sending).
 * Never resend blindly: settle it by querying the client order id (DESIGN.md principle 4).
 */
export class UnknownOutcomeError extends VenueError {
  constructor(message: string, options: Omit<ChimeraErrorOptions, 'code'> = {}) {
    super(message, { ...options, code: 'UNKNOWN_OUTCOME', retryable: false });
  }
}

/** A network failure before the request left (connection refused, DNS). Safe to retry. */
export class NetworkError extends ChimeraError {
  constructor(message: string, options: Omit<ChimeraErrorOptions, 'code'> = {}) {
    super(message, { status: 503, retryable: true, ...options, code: 'NETWORK_ERROR' });
  }
}

/** An operation that the caller's state forbids (invalid state transition, closed component). */
export class StateError extends ChimeraError {
  constructor(message: string, options: ChimeraErrorOptions = {}) {
    super(message, { status: 409, ...options, code: options.code ?? 'INVALID_STATE' });
  }
}

/** A condition the SDK cannot recover from on its own; hosts should alert a human. */
export class FatalError extends ChimeraError {
  constructor(message: string, options: ChimeraErrorOptions = {}) {
    super(message, { status: 500, ...options, code: options.code ?? 'FATAL', retryable: false });
  }
}

/** True when `err` is a {@link ChimeraError} (also across duplicated module copies, by shape). */
export function isChimeraError(err: unknown): err is ChimeraError {
  return (
    err instanceof ChimeraError ||
    (typeof err === 'object' && err !== null && typeof (err as ChimeraError).code === 'string' && 'retryable' in err && 'status' in err)
  );
}
