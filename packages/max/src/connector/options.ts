/**
 * The options of {@link MaxConnector}, validated at the boundary (DESIGN.md principle 7). The
 * schema is exported so hosts can check their configuration before they build a connector.
 *
 * @packageDocumentation
 */
import type { Clock, Logger, SocketFactory } from '@chimera/core';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { MAX_REST_BASE_URL } from '../rest/requests.js';
import { MAX_WS_URL } from '../ws/messages.js';
import { MAX_PING_INTERVAL_MS } from '../ws/protocol.js';

const ClockSchema = z.custom<Clock>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    ['now', 'sleep', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'].every((k) => typeof (v as Record<string, unknown>)[k] === 'function'),
  'expected a Clock (now, sleep, setTimeout, clearTimeout, setInterval, clearInterval)',
);
const LoggerSchema = z.custom<Logger>(
  (v) => typeof v === 'object' && v !== null && ['info', 'warn', 'error', 'debug', 'child'].every((k) => typeof (v as Record<string, unknown>)[k] === 'function'),
  'expected a pino-compatible logger',
);
const DispatcherSchema = z.custom<Dispatcher>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { request?: unknown }).request === 'function',
  'expected an undici Dispatcher (e.g. a MockAgent)',
);
const SocketFactorySchema = z.custom<SocketFactory>((v) => typeof v === 'function', 'expected a function (url) => socket');

const Wait = z.strictObject({
  /** Longest wait, ms. */
  timeoutMs: z.number().int().min(0).max(60_000),
  /** Interval between REST checks, ms. */
  pollMs: z.number().int().positive().max(10_000),
});

/** Book depths MAX offers on its `book` channel. */
const BookDepth = z.union([z.literal(1), z.literal(5), z.literal(10), z.literal(20), z.literal(50)]);

/**
 * Options of {@link MaxConnector}:
 *
 * - `accessKey` + `secretKey`: an API key for private trading and the user stream; without them
 *   only public market data works (`capabilities.userStream` is false, private calls throw
 *   `AuthError`).
 * - `baseUrl` (default `https://max-api.maicoin.com`) and `wsUrl` (default
 *   `wss://max-stream.maicoin.com/ws`): point them at `startLocalMax()` in tests.
 * - `clock`, `logger`: injected time and logging (defaults: system clock, silent).
 * - `dispatcher`: an undici dispatcher for REST (a `MockAgent` in contract tests).
 * - `socketFactory`: opens WebSockets (default `ws`); tests inject faults through it.
 * - `timeoutMs`, `retry`: per-attempt REST timeout and the retry policy of reads.
 * - `settle`: how a submit or cancel whose outcome is unknown is settled by querying the client
 *   order id (`attempts`, default 3; `delayMs` before each query, default 1000). Nothing is ever
 *   resent: MAX rejects a reused `client_oid` instead of deduplicating it.
 * - `postOnlyCheck`: MAX accepts a post-only order that would take and then cancels it on its
 *   own; the connector watches the order for `timeoutMs` (default 1000) — on the user stream, and
 *   by a REST query every `pollMs` (default 250) — and throws `PostOnlyRejectedError` when it ends
 *   cancelled with nothing filled.
 * - `cancelCheck`: after MAX accepts a cancel, how long to wait for the order's final state
 *   (default `timeoutMs` 5000, `pollMs` 100).
 * - `userStreamTimeoutMs`: how long `connect()` waits for the private channel's `authenticated`
 *   answer (default 10 000).
 * - `ws`: WebSocket settings shared by the market-data and private connections — `backoff`
 *   (reconnect schedule), `maxConsecutiveFailures` (`N_max`), `connectTimeoutMs`,
 *   `pingIntervalMs` (default 30 000, at most 120 000: MAX closes a connection that sent no ping
 *   for 130 s), `maxSilenceMs` (renew the market-data connection when a subscribed stream is
 *   silent that long; default off, since a quiet market is silent too), `bookDepth` (the depth of
 *   every `book` subscription, default 50) and `snapshotTimeoutMs` (how long to wait for a book
 *   snapshot after resubscribing before trying again, default 5000).
 * - `instrumentsTtlMs`: how long the cached markets stay fresh (default 24 h).
 */
export const MaxConnectorOptions = z
  .strictObject({
    accessKey: z.string().min(1).optional(),
    secretKey: z.string().min(1).optional(),
    baseUrl: z.url().default(MAX_REST_BASE_URL),
    wsUrl: z.url().default(MAX_WS_URL),
    clock: ClockSchema.optional(),
    logger: LoggerSchema.optional(),
    dispatcher: DispatcherSchema.optional(),
    socketFactory: SocketFactorySchema.optional(),
    timeoutMs: z.number().int().positive().optional(),
    retry: z
      .strictObject({
        retries: z.number().int().min(0).max(10).optional(),
        minTimeout: z.number().int().min(0).optional(),
        factor: z.number().min(1).optional(),
        maxTimeout: z.number().int().min(0).optional(),
      })
      .optional(),
    settle: z
      .strictObject({ attempts: z.number().int().min(1).max(10).default(3), delayMs: z.number().int().min(0).max(60_000).default(1000) })
      .default({ attempts: 3, delayMs: 1000 }),
    postOnlyCheck: Wait.default({ timeoutMs: 1000, pollMs: 250 }),
    cancelCheck: Wait.default({ timeoutMs: 5000, pollMs: 100 }),
    userStreamTimeoutMs: z.number().int().positive().max(120_000).default(10_000),
    ws: z
      .strictObject({
        backoff: z
          .strictObject({ baseMs: z.number().min(0), maxMs: z.number().min(0), jitterMs: z.number().min(0) })
          .partial()
          .optional(),
        maxConsecutiveFailures: z.number().int().min(0).optional(),
        connectTimeoutMs: z.number().int().positive().optional(),
        pingIntervalMs: z.number().int().positive().max(120_000).default(MAX_PING_INTERVAL_MS),
        maxSilenceMs: z.number().int().positive().optional(),
        bookDepth: BookDepth.default(50),
        snapshotTimeoutMs: z.number().int().positive().default(5000),
      })
      .default({ pingIntervalMs: MAX_PING_INTERVAL_MS, bookDepth: 50, snapshotTimeoutMs: 5000 }),
    instrumentsTtlMs: z.number().int().positive().default(24 * 60 * 60 * 1000),
  })
  .superRefine((o, ctx) => {
    if ((o.accessKey === undefined) !== (o.secretKey === undefined)) {
      ctx.addIssue({ code: 'custom', path: [o.accessKey === undefined ? 'accessKey' : 'secretKey'], message: 'accessKey and secretKey go together' });
    }
  });

/** Options of {@link MaxConnector} after validation (defaults filled in). */
export type MaxConnectorOptions = z.output<typeof MaxConnectorOptions>;
/** Options of {@link MaxConnector} as a caller passes them. */
export type MaxConnectorOptionsInput = z.input<typeof MaxConnectorOptions>;
