/**
 * The venue-neutral REST transport: undici keep-alive pool, a rate limiter fed by the venue's
 * declared limits and corrected by the usage it reports back, 429/418 handling on the injected
 * clock, safe retries (p-retry) and outcome classes (DESIGN.md principle 4).
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import pRetry from 'p-retry';
import { Pool, type Dispatcher } from 'undici';
import { SystemClock, type Clock, type TimerHandle } from '../clock/clock.js';
import { ChimeraError, isChimeraError, NetworkError, RateLimitError, StateError, UnknownOutcomeError } from '../errors.js';
import { noopLogger, redact, redactingLogger, type Logger } from '../logging/logger.js';
import { defaultErrorMapper, type ErrorContext, type ErrorMapper } from './error-mapper.js';
import { headerValue, parseRetryAfter, type ResponseHeaders } from './http-headers.js';
import { classifyOutcome } from './outcome.js';
import type { RateLimitRule, RuleUsage, UsageReport } from './rate-limit-rule.js';
import type { TransportAlert } from './transport-alert.js';
import { WindowRateLimiter, type LimiterTicket } from './window-rate-limiter.js';

/**
 * `read`: has no effect on the venue (market data, queries) — always safe to send again.
 * `write`: changes state (orders, cancels, transfers) — sent again only when its outcome is known.
 */
export type RequestKind = 'read' | 'write';

/** HTTP methods the client sends. */
export type RestMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** One query or form value; `undefined` and `null` are left out. Money goes as decimal strings. */
export type RequestParamValue = string | number | boolean | null | undefined;

/** Query or form parameters, encoded in insertion order. */
export type RequestParams = Record<string, RequestParamValue>;

/** What a signer receives: the exact encoded bytes that will be sent. */
export interface SignInput {
  /** HTTP method. */
  method: RestMethod;
  /** Request path without the query. */
  path: string;
  /** Encoded query string without `?` (may be empty). */
  query: string;
  /** Encoded body, if any. */
  body: string | undefined;
}

/** What a signer returns: the query and body to send instead, and extra headers (e.g. an API key). */
export interface SignedParts {
  /** Encoded query string to send (without `?`), e.g. with `timestamp` and `signature` appended. */
  query: string;
  /** Encoded body to send; omitted keeps the input body. */
  body?: string;
  /** Headers to add (their values are never logged). */
  headers?: Record<string, string>;
}

/**
 * Signs one attempt. Called right before each attempt is written — after any rate-limit wait and
 * again on every retry — so a timestamp it adds (from `ClockSync.now()`) is always fresh.
 */
export type RequestSigner = (input: SignInput) => SignedParts | Promise<SignedParts>;

/** One request. */
export interface RestRequest {
  /** HTTP method. */
  method: RestMethod;
  /** Path below the base URL, starting with `/`, without a query string. */
  path: string;
  /** Query parameters. */
  query?: RequestParams;
  /** Body: parameters (encoded per `bodyEncoding`) or a ready string. */
  body?: RequestParams | string;
  /** How a parameter body is encoded (default `form`: `application/x-www-form-urlencoded`). */
  bodyEncoding?: 'form' | 'json';
  /** Extra headers (values never logged). */
  headers?: Record<string, string>;
  /** Weight counted against `weight` rules (default 1). */
  weight?: number;
  /** Orders counted against `orders` rules (default 0). */
  orderCount?: number;
  /** `read` or `write`: decides what may be retried and how a failure after sending is reported. */
  kind: RequestKind;
  /** Signs each attempt (venue-supplied). */
  sign?: RequestSigner;
  /** Retries for this request (default: the client's `retry.retries`). */
  retries?: number;
  /** Headers/body timeout for this request, ms (default: the client's `timeoutMs`). */
  timeoutMs?: number;
  /** Aborts the wait for rate-limit room, retries and the request. */
  signal?: AbortSignal;
}

/** A 2xx answer. */
export interface RestResponse<T = unknown> {
  /** HTTP status (2xx). */
  status: number;
  /** Response headers, lower-cased names. */
  headers: ResponseHeaders;
  /** Parsed JSON, the raw text when it is not JSON, `undefined` when empty. */
  body: T;
  /** Attempts made (1 when the first one answered). */
  attempts: number;
}

/** Retry policy for safe failures. Delays run on the injected clock. */
export interface RestRetryOptions {
  /** Retries after the first attempt (default 2; 0 disables). */
  retries?: number;
  /** Delay before the first retry, ms (default 500). */
  minTimeout?: number;
  /** Growth factor between retries (default 2). */
  factor?: number;
  /** Longest delay between retries, ms (default 10 000). */
  maxTimeout?: number;
}

/** Options of {@link RestClient}. */
export interface RestClientOptions {
  /** Origin (and optional path prefix) of the venue's REST API, e.g. `https://fapi.binance.com`. */
  baseUrl: string;
  /**
   * undici dispatcher to send through. Inject a `MockAgent` in tests. Default: a keep-alive
   * `Pool` on the base URL's origin, owned (and closed) by the client.
   */
  dispatcher?: Dispatcher;
  /** Connections of the default pool (default 32). */
  connections?: number;
  /** Time source for rate-limit windows, Retry-After waits, bans and retry delays (default system clock). */
  clock?: Clock;
  /** Logger; every record passes redaction (default silent). */
  logger?: Logger;
  /** The venue's declared limits, e.g. `[{ kind: 'weight', interval: '1m', limit: 6000 }]` (default none). */
  limits?: readonly RateLimitRule[];
  /** Reads the venue's usage headers (e.g. `X-MBX-USED-WEIGHT-1M`) to correct the limiter. */
  readUsage?: (headers: ResponseHeaders) => UsageReport[];
  /** Maps non-2xx answers to typed errors (default {@link defaultErrorMapper}). */
  errorMapper?: ErrorMapper;
  /** Headers sent with every request (e.g. an API key header; values never logged). */
  headers?: Record<string, string>;
  /**
   * Headers and body timeout per attempt, ms (default 10 000). undici runs these on its coarse
   * timers (about 1 s resolution), so a value under a second behaves like about one second.
   */
  timeoutMs?: number;
  /** Retry policy (defaults in {@link RestRetryOptions}). */
  retry?: RestRetryOptions;
  /** Longest wait for rate-limit room before refusing locally, ms (default 60 000). */
  maxWaitMs?: number;
  /** Ban length when a 418 carries no Retry-After, ms (default 120 000: the venue's shortest ban). */
  defaultBanMs?: number;
  /** Pause when a 429 carries no Retry-After, ms (default 1 000). */
  defaultRetryAfterMs?: number;
}

/** Events of a {@link RestClient}. No event is named `error`. */
export interface RestClientEvents {
  /** The venue banned the client (418): every request is refused locally until `untilMs`. */
  banned: (e: { untilMs: number; retryAfterMs: number; method: string; path: string }) => void;
  /** The ban time passed; requests flow again. */
  ban_lifted: (e: { atMs: number }) => void;
  /** The venue answered 429: new requests wait until `untilMs`. */
  rate_limited: (e: { untilMs: number; retryAfterMs: number; method: string; path: string }) => void;
  /** A failed attempt is about to be retried after `delayMs`. */
  retry: (e: { method: string; path: string; attempt: number; delayMs: number; code: string }) => void;
  /** An attempt got an HTTP answer (any status); `ms` is measured on the injected clock. */
  response: (e: { method: string; path: string; status: number; ms: number; attempt: number }) => void;
  /** The limiter's windows after a response whose usage headers were read. */
  usage: (e: { rules: RuleUsage[]; raised: string[] }) => void;
  /** Something a human or the risk layer should know (ban, ban lifted, rate limited). */
  alert: (alert: TransportAlert) => void;
}

// Failures that happen before a byte of the request is written: safe to report as denied.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_INVALID_ARG',
  'UND_ERR_MOCK_NOT_MATCHED',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * Encodes parameters as `k=v&k2=v2` in insertion order with `encodeURIComponent` on names and
 * values (spaces as `%20`), skipping `undefined` and `null`. Signers must sign exactly this text.
 */
export function encodeParams(params: RequestParams | undefined): string {
  if (!params) return '';
  let out = '';
  for (const key of Object.keys(params)) {
    const v = params[key];
    if (v === undefined || v === null) continue;
    if (out !== '') out += '&';
    out += `${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`;
  }
  return out;
}

/**
 * Whether the transport may send a failed request again:
 * never on a ban, a local rate-limit refusal (it already waited its limit) or a clock-skew
 * rejection (`ClockSync.withTimestampRetry` resyncs first, then retries once); a read on any
 * unknown outcome or retryable error; a write only when its outcome is known (denied or
 * definitive) and the error is `retryable` — a 429 is a definitive refusal, so writes retry it too.
 */
export function isSafeToRetry(err: unknown, kind: RequestKind): boolean {
  if (!isChimeraError(err)) return false;
  if (err.code === 'CLOCK_SKEW' || err.code === 'IP_BANNED') return false;
  if (err.code === 'RATE_LIMITED' && err.details.local === true) return false;
  const outcome = classifyOutcome(err);
  if (outcome === 'unknown') return kind === 'read';
  return err.retryable;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  const c = text.charCodeAt(0);
  // '{', '[', '"', digits, '-', t/f/n: only then is JSON worth trying; anything else stays text.
  if (c === 123 || c === 91 || c === 34 || c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

interface BuiltRequest {
  path: string;
  body: string | undefined;
  headers: Record<string, string>;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // undici wraps connect failures in a cause chain on some paths.
  const cause = (err as { cause?: unknown }).cause;
  return cause === err ? undefined : errorCode(cause);
}

/**
 * REST client for one venue base URL. `request()` returns the 2xx answer or throws a typed
 * `ChimeraError` whose outcome class ({@link classifyOutcome}) is exact:
 *
 * - refused before sending (ban in force, no rate-limit room within `maxWaitMs`, connection
 *   refused, signer failure) → `RateLimitError`/`NetworkError`/`ChimeraError` with
 *   `details.local: true` or `details.sent: false` — **denied**;
 * - the venue answered non-2xx → the mapper's error — **definitive** (or unknown if the mapper
 *   says so, e.g. a 5xx on a write);
 * - sent, then timeout / dropped connection → `UnknownOutcomeError` for a write, never retried
 *   here (settle it with `settleUnknown`); a retryable `NetworkError` (`details.sent: true`) for a read.
 *
 * 429: the request fails with a retryable `RateLimitError`, the limiter admits nothing until
 * Retry-After has passed on the clock, then retries go out. 418: the client is banned until
 * Retry-After: every request (queued or new) is refused locally with `RateLimitError(banned)`
 * without touching the network; `banned` and an ERROR `alert` are emitted, and `ban_lifted` when
 * the time has passed.
 */
export class RestClient {
  /** Typed events (ban, rate limiting, retries, responses, usage, alerts). */
  readonly events = new EventEmitter<RestClientEvents>();
  /** The limiter enforcing the declared rules (exposed for health and metrics). */
  readonly limiter: WindowRateLimiter;

  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly prefix: string;
  private readonly mapError: ErrorMapper;
  private readonly readUsage: ((headers: ResponseHeaders) => UsageReport[]) | undefined;
  private readonly baseHeaders: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly retry: Required<RestRetryOptions>;
  private readonly defaultBanMs: number;
  private readonly defaultRetryAfterMs: number;
  private bannedUntil = 0;
  private banTimer: TimerHandle | undefined;
  private closed = false;

  /** @throws TypeError on an invalid base URL or rate-limit rule. */
  constructor(options: RestClientOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.clock = options.clock ?? new SystemClock();
    // No logger: skip the redaction pass entirely (it would run on every request for nothing).
    this.log = options.logger ? redactingLogger(options.logger).child({ component: 'rest-client', origin: this.origin }) : noopLogger;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher =
      options.dispatcher ??
      new Pool(this.origin, { connections: options.connections ?? 32, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
    this.limiter = new WindowRateLimiter({ clock: this.clock, rules: options.limits ?? [], maxWaitMs: options.maxWaitMs });
    this.mapError = options.errorMapper ?? defaultErrorMapper;
    this.readUsage = options.readUsage;
    this.baseHeaders = { ...options.headers };
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = {
      retries: options.retry?.retries ?? 2,
      minTimeout: options.retry?.minTimeout ?? 500,
      factor: options.retry?.factor ?? 2,
      maxTimeout: options.retry?.maxTimeout ?? 10_000,
    };
    this.defaultBanMs = options.defaultBanMs ?? 120_000;
    this.defaultRetryAfterMs = options.defaultRetryAfterMs ?? 1_000;
  }

  /** True while a 418 ban is in force (on the injected clock). */
  get banned(): boolean {
    return this.clock.now() < this.bannedUntil;
  }

  /** When the current ban lifts, epoch ms (0 when never banned). */
  get bannedUntilMs(): number {
    return this.bannedUntil;
  }

  /**
   * Sends a request (with safe retries) and returns its 2xx answer.
   * @throws RateLimitError, NetworkError, UnknownOutcomeError, StateError (client closed), or the
   *   venue mapper's error — see the class description for which outcome each one means.
   */
  async request<T = unknown>(req: RestRequest): Promise<RestResponse<T>> {
    const retries = Math.max(0, req.retries ?? this.retry.retries);
    let attempt = 0;
    const run = (): Promise<RestResponse<T>> => this.attempt<T>(req, ++attempt);
    // The first attempt runs outside p-retry: its per-call setup measurably costs more than the
    // request itself on a loopback keep-alive connection, and most requests never fail.
    try {
      return await run();
    } catch (err) {
      if (retries === 0 || !(await this.beforeRetry(err, req, 0, attempt + 1))) throw err;
    }
    return pRetry(run, {
      retries: retries - 1,
      // Delays are taken on the injected clock in beforeRetry; p-retry's own real-timer wait is
      // switched off with a zero timeout.
      minTimeout: 0,
      factor: 1,
      shouldRetry: ({ error, retriesConsumed }) => this.beforeRetry(error, req, retriesConsumed + 1, attempt + 1),
    });
  }

  /** Decides whether to retry; if so emits `retry` and waits the backoff on the clock. */
  private async beforeRetry(error: unknown, req: RestRequest, retryIndex: number, nextAttempt: number): Promise<boolean> {
    if (this.closed || req.signal?.aborted || !isSafeToRetry(error, req.kind)) return false;
    const delayMs = Math.min(this.retry.maxTimeout, this.retry.minTimeout * this.retry.factor ** retryIndex);
    const code = isChimeraError(error) ? error.code : 'UNCLASSIFIED';
    this.events.emit('retry', { method: req.method, path: req.path, attempt: nextAttempt, delayMs, code });
    this.log.warn({ method: req.method, path: req.path, attempt: nextAttempt - 1, code, delayMs }, 'retrying request');
    if (delayMs > 0) await this.clock.sleep(delayMs, req.signal);
    return true;
  }

  /** Closes the default pool (not an injected dispatcher) and refuses further requests. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.banTimer);
    this.limiter.close();
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async attempt<T>(req: RestRequest, attempt: number): Promise<RestResponse<T>> {
    if (this.closed) throw new StateError('REST client is closed', { details: { local: true } });
    this.assertNotBanned(req);
    let ticket: LimiterTicket;
    try {
      ticket = await this.limiter.acquire({ weight: req.weight, orderCount: req.orderCount }, req.signal);
    } catch (err) {
      if (isChimeraError(err)) throw err;
      // Aborted while waiting for room: it never left.
      throw new ChimeraError(`${req.method} ${req.path} aborted before sending`, {
        code: 'ABORTED',
        status: 499,
        retryable: false,
        details: { local: true, method: req.method, path: req.path },
        cause: err,
      });
    }
    this.assertNotBanned(req);

    const context: ErrorContext = { method: req.method, path: req.path, kind: req.kind };
    const { path, body, headers } = req.sign ? await this.build(req, context, req.sign) : this.build(req, context, undefined);
    const started = this.clock.now();
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      res = await this.dispatcher.request({
        origin: this.origin,
        path,
        method: req.method,
        headers,
        body: body ?? null,
        headersTimeout: req.timeoutMs ?? this.timeoutMs,
        bodyTimeout: req.timeoutMs ?? this.timeoutMs,
        signal: req.signal ?? null,
      });
    } catch (err) {
      throw this.transportError(err, context, false);
    }
    try {
      text = await res.body.text();
    } catch (err) {
      throw this.transportError(err, context, true);
    }
    const status = res.statusCode;
    const resHeaders = res.headers as ResponseHeaders;
    if (this.events.listenerCount('response') > 0) {
      this.events.emit('response', { method: req.method, path: req.path, status, ms: this.clock.now() - started, attempt });
    }
    this.log.debug({ method: req.method, path: req.path, status, attempt }, 'response');
    this.observeUsage(resHeaders, ticket);
    const parsed = parseBody(text);
    if (status >= 200 && status < 300) return { status, headers: resHeaders, body: parsed as T, attempts: attempt };
    throw this.answerError(status, parsed, resHeaders, context);
  }

  private build(req: RestRequest, context: ErrorContext, sign: undefined): BuiltRequest;
  private build(req: RestRequest, context: ErrorContext, sign: RequestSigner): Promise<BuiltRequest>;
  private build(req: RestRequest, context: ErrorContext, sign: RequestSigner | undefined): BuiltRequest | Promise<BuiltRequest> {
    const query = encodeParams(req.query);
    let body: string | undefined;
    const headers: Record<string, string> = { ...this.baseHeaders, ...req.headers };
    if (typeof req.body === 'string') body = req.body;
    else if (req.body !== undefined) {
      if (req.bodyEncoding === 'json') {
        body = JSON.stringify(req.body);
        if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
      } else {
        body = encodeParams(req.body);
        if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/x-www-form-urlencoded';
      }
    }
    const prefix = this.prefix;
    const finish = (q: string, b: string | undefined): BuiltRequest => ({ path: `${prefix}${req.path}${q === '' ? '' : `?${q}`}`, body: b, headers });
    if (!sign) return finish(query, body);
    // Signers may be async (key stores, HSMs); a synchronous one still goes through one await.
    return (async () => {
      try {
        const signed = await sign({ method: req.method, path: req.path, query, body });
        if (signed.headers) Object.assign(headers, signed.headers);
        return finish(signed.query, signed.body ?? body);
      } catch (err) {
        // The signer's message may quote what it signed; keep only its class and code.
        throw new ChimeraError(`could not sign ${context.method} ${context.path}`, {
          code: 'SIGNING_FAILED',
          status: 500,
          retryable: false,
          details: { local: true, method: context.method, path: context.path, cause: (redact(err) as { name?: string }).name },
        });
      }
    })();
  }

  private assertNotBanned(req: RestRequest): void {
    const now = this.clock.now();
    if (now >= this.bannedUntil) return;
    throw new RateLimitError(`client is banned by the venue until ${new Date(this.bannedUntil).toISOString()}`, this.bannedUntil - now, true, {
      details: { local: true, bannedUntil: this.bannedUntil, method: req.method, path: req.path },
    });
  }

  private observeUsage(headers: ResponseHeaders, ticket: LimiterTicket): void {
    if (!this.readUsage) return;
    let reports: UsageReport[];
    try {
      reports = this.readUsage(headers);
    } catch (err) {
      this.log.warn({ error: redact(err) }, 'usage header reader failed; limiter not corrected');
      return;
    }
    const raised = this.limiter.observe(reports, ticket);
    if (this.events.listenerCount('usage') > 0) this.events.emit('usage', { rules: this.limiter.usage(), raised });
  }

  private transportError(err: unknown, context: ErrorContext, headersReceived: boolean): ChimeraError {
    const code = errorCode(err) ?? 'UNKNOWN';
    const timedOut = TIMEOUT_CODES.has(code);
    const base = { method: context.method, path: context.path, transportCode: code, timedOut };
    if (!headersReceived && NOT_SENT_CODES.has(code)) {
      this.log.warn(base, 'request not sent');
      return new NetworkError(`${context.method} ${context.path} was not sent (${code})`, { details: { ...base, sent: false }, cause: err });
    }
    this.log.warn(base, 'request failed after sending');
    const what = timedOut ? 'timed out' : 'lost its connection';
    if (context.kind === 'write') {
      return new UnknownOutcomeError(`${context.method} ${context.path} ${what} after sending; it may have executed`, { details: base, cause: err });
    }
    return new NetworkError(`${context.method} ${context.path} ${what}`, { details: { ...base, sent: true }, cause: err });
  }

  private answerError(status: number, body: unknown, headers: ResponseHeaders, context: ErrorContext): ChimeraError {
    let mapped: ChimeraError;
    try {
      mapped = this.mapError(status, body, headers, context);
    } catch (err) {
      this.log.error({ error: redact(err), status }, 'error mapper failed; using the default mapping');
      mapped = defaultErrorMapper(status, body, headers, context);
    }
    if (!isChimeraError(mapped)) mapped = defaultErrorMapper(status, body, headers, context);
    const isRateLimit = mapped.code === 'RATE_LIMITED' || mapped.code === 'IP_BANNED';
    if (status !== 418 && status !== 429 && !isRateLimit) return mapped;

    const now = this.clock.now();
    const banned = status === 418 || mapped.code === 'IP_BANNED';
    const mappedMs = isRateLimit ? (mapped as RateLimitError).retryAfterMs : 0;
    const headerMs = parseRetryAfter(headerValue(headers, 'retry-after'), now);
    const retryAfterMs = mappedMs > 0 ? mappedMs : (headerMs ?? (banned ? this.defaultBanMs : this.defaultRetryAfterMs));
    const err = new RateLimitError(mapped.shortMessage, retryAfterMs, banned, {
      details: { ...mapped.details, httpStatus: status },
      cause: mapped,
    });
    if (banned) this.enterBan(now + retryAfterMs, retryAfterMs, context, err);
    else this.enterPause(now + retryAfterMs, retryAfterMs, context);
    return err;
  }

  private enterPause(untilMs: number, retryAfterMs: number, context: ErrorContext): void {
    this.limiter.pause(untilMs);
    const e = { untilMs, retryAfterMs, method: context.method, path: context.path };
    this.log.warn(e, 'rate limited by the venue (429); pausing');
    this.events.emit('rate_limited', e);
    this.events.emit('alert', { level: 'WARN', code: 'RATE_LIMITED', message: `rate limited; requests paused for ${retryAfterMs} ms`, details: e, ts: this.clock.now() });
  }

  private enterBan(untilMs: number, retryAfterMs: number, context: ErrorContext, cause: RateLimitError): void {
    if (untilMs <= this.bannedUntil) return;
    this.bannedUntil = untilMs;
    this.limiter.pause(untilMs);
    // Requests queued for rate-limit room must not go out when the ban lifts unannounced.
    this.limiter.rejectWaiting(
      new RateLimitError(cause.shortMessage, retryAfterMs, true, { details: { local: true, bannedUntil: untilMs } }),
    );
    const e = { untilMs, retryAfterMs, method: context.method, path: context.path };
    this.log.error(e, 'banned by the venue (418); all requests stop until the ban lifts');
    this.events.emit('banned', e);
    this.events.emit('alert', { level: 'ERROR', code: 'IP_BANNED', message: `banned by the venue for ${retryAfterMs} ms`, details: e, ts: this.clock.now() });
    this.clock.clearTimeout(this.banTimer);
    this.banTimer = this.clock.setTimeout(() => {
      this.banTimer = undefined;
      const atMs = this.clock.now();
      this.log.info({ atMs }, 'venue ban lifted');
      this.events.emit('ban_lifted', { atMs });
      this.events.emit('alert', { level: 'INFO', code: 'BAN_LIFTED', message: 'venue ban lifted; requests resume', ts: atMs });
    }, retryAfterMs);
  }
}
