/**
 * The options of {@link BinanceConnector}, validated at the boundary (DESIGN.md principle 7). The
 * schema is exported so hosts can validate configuration before they build a connector.
 *
 * @packageDocumentation
 */
import { Market, type Clock, type Logger, type SocketFactory } from '@chimera/core';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { MAX_RECV_WINDOW_MS } from '../rest/signing.js';
import { MAX_KEEPALIVE_INTERVAL_MS } from '../ws/listen-key.js';
import { INSTRUMENTS_TTL_MS } from './defaults.js';

const ClockSchema = z.custom<Clock>(
  (v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function' && typeof (v as Clock).sleep === 'function',
  'expected a Clock (now, sleep, setTimeout, clearTimeout)',
);
const LoggerSchema = z.custom<Logger>(
  (v) => typeof v === 'object' && v !== null && ['info', 'warn', 'error', 'debug', 'child'].every((k) => typeof (v as Record<string, unknown>)[k] === 'function'),
  'expected a pino-compatible logger',
);
const DispatcherSchema = z.custom<Dispatcher>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { request?: unknown }).request === 'function',
  'expected an undici Dispatcher (e.g. a MockAgent)',
);
const SocketFactorySchema = z.custom<SocketFactory>((v) => typeof v === 'function', 'expected a socket factory function');
const RandomSchema = z.custom<() => number>((v) => typeof v === 'function', 'expected a function returning a number in [0, 1)');
const WsUrl = z.url({ protocol: /^wss?$/, error: 'expected a ws:// or wss:// URL' });
const Ms = z.number().int().min(0);
const PositiveMs = z.number().int().positive();
const SymbolName = z.string().regex(/^[A-Z0-9]{2,}$/, 'expected an upper-case symbol like BTCUSDT');
const BackoffSchema = z.strictObject({ baseMs: Ms.optional(), maxMs: Ms.optional(), jitterMs: Ms.optional() });
const ClientPingSchema = z.union([z.literal(false), z.strictObject({ intervalMs: PositiveMs, timeoutMs: PositiveMs.optional() })]);

/** Connection tuning shared by every stream connection (defaults: the core socket's and Binance's). */
const ConnectionSchema = {
  backoff: BackoffSchema.optional(),
  maxConsecutiveFailures: z.number().int().min(1).optional(),
  connectTimeoutMs: PositiveMs.optional(),
  handoverTimeoutMs: PositiveMs.optional(),
};

const StreamProtocolSchema = z.strictObject({
  clientPing: ClientPingSchema.optional(),
  idleTimeoutMs: PositiveMs.optional(),
  lifetimeMs: PositiveMs.optional(),
  renewBeforeMs: PositiveMs.optional(),
});

const MarketStreamsSchema = z.strictObject({
  ...ConnectionSchema,
  depthSpeed: z.strictObject({ SPOT: z.enum(['100ms', '1000ms']).optional(), FUT: z.enum(['100ms', '250ms', '500ms']).optional() }).optional(),
  snapshotDepth: z.strictObject({ SPOT: z.number().int().min(1).max(5000).optional(), FUT: z.number().int().min(1).max(1000).optional() }).default({}),
  throttleMs: Ms.optional(),
  tickMaxAgeMs: PositiveMs.optional(),
  maxSilenceMs: PositiveMs.optional(),
  metricsIntervalMs: Ms.optional(),
  maxUrlLength: z.number().int().min(64).optional(),
  bookSync: z.strictObject({ maxBuffer: z.number().int().min(1).optional(), retryBaseMs: Ms.optional(), retryMaxMs: Ms.optional() }).optional(),
  protocol: z.strictObject({ spot: StreamProtocolSchema.optional(), um: StreamProtocolSchema.optional() }).optional(),
});

const UserStreamSchema = z.strictObject({
  enabled: z.boolean().optional(),
  liveTimeoutMs: Ms.default(10_000),
  keepAliveMs: PositiveMs.max(MAX_KEEPALIVE_INTERVAL_MS).optional(),
  keepAliveRetryMs: PositiveMs.optional(),
  maxKeepAliveFailures: z.number().int().min(1).optional(),
  deleteListenKeyOnClose: z.boolean().default(false),
  resubscribeDelayMs: PositiveMs.optional(),
  catchUpMarginMs: Ms.optional(),
  maxCatchUpWindowMs: PositiveMs.optional(),
  catchUpAttempts: z.number().int().min(1).max(10).optional(),
  catchUpRetryMs: Ms.optional(),
  socket: z
    .strictObject({
      ...ConnectionSchema,
      clientPing: ClientPingSchema.optional(),
      idleTimeoutMs: PositiveMs.optional(),
      lifetimeMs: PositiveMs.optional(),
      renewBeforeMs: PositiveMs.optional(),
    })
    .optional(),
});

const RateLimitRuleSchema = z.object({
  kind: z.enum(['weight', 'orders', 'raw']),
  interval: z.string().regex(/^\d+[smhd]$/, 'expected e.g. 10s, 1m, 1d') as z.ZodType<`${number}${'s' | 'm' | 'h' | 'd'}`>,
  limit: z.number().int().positive(),
});

/**
 * Options of {@link BinanceConnector}:
 *
 * - `apiKey` with `secret` (HMAC-SHA256) or `privateKeyPem` (PKCS#8 Ed25519 or RSA, optional
 *   `passphrase`). Without a key only public market data works; signed calls throw `AuthError`.
 * - `markets`: which products to use (default both `SPOT` and `FUT`); the capabilities follow.
 * - `baseUrls.spot` / `baseUrls.um`: REST origins (default `https://api.binance.com`,
 *   `https://fapi.binance.com`); point them at `startLocalBinance()` in tests.
 * - `recvWindow`: validity window of signed requests, ms (default 5000, at most 60000).
 * - `clock`, `logger`: injected time and logging (defaults: system clock, silent).
 * - `dispatcher`: an undici dispatcher for both products (a `MockAgent` in contract tests).
 * - `limits.spot` / `limits.um`: client-side rate limits (defaults: the documented ones).
 * - `timeoutMs`, `retry`: per-attempt timeout and retry policy of reads and known-outcome writes.
 * - `settle`: how a submit whose outcome is unknown is settled by querying its client order id
 *   (`attempts`, default 3; `delayMs` before each query, default 1000).
 * - `clockSyncSamples`: round trips per server-time sync (default 3).
 * - `instrumentsTtlMs`: how long cached instruments stay fresh (default 24 h).
 * - `streamUrls`: WebSocket endpoints — `spot` (Spot market streams origin), `spotWsApi` (Spot
 *   WebSocket API, user data), `umPublic` / `umMarket` / `umPrivate` (USDⓈ-M routes). Defaults:
 *   production (BINANCE.md §1), except beside a loopback REST base URL (a local exchange), where
 *   they default to the same host and port with Binance's paths, the layout of
 *   `startLocalBinance()` (so a local setup never streams from production). Point them at
 *   `startLocalBinance().streamUrls` in tests.
 * - `symbols`: symbols the host trades (one list for both markets, or per market), always
 *   included in the user streams' REST catch-up after a reconnect.
 * - `userStream`: the account streams, started by `connect()` when a key is configured
 *   (`enabled: false` turns them off). `liveTimeoutMs` (default 10 000; 0: don't wait) is how long
 *   `connect()` waits for them to be live; listen-key keepalive (`keepAliveMs` default 25 min),
 *   catch-up and connection tuning as in `BinanceUmUserStream` / `BinanceSpotUserStream`.
 * - `marketStreams`: tuning of `subscribe()` (`BinanceMarketStreams`): diff-depth speed, depth
 *   of the REST snapshot a book syncs from (`snapshotDepth`, default Spot 5000 / UM 1000, as
 *   Binance recommends), per-symbol `throttleMs`, `tickMaxAgeMs`, watchdog and reconnect tuning.
 * - `random`, `socketFactory`: jitter source of every reconnect backoff (default `Math.random`)
 *   and the WebSocket factory (default `ws`), for tests.
 */
export const BinanceConnectorOptions = z
  .strictObject({
    apiKey: z.string().min(1).optional(),
    secret: z.string().min(1).optional(),
    privateKeyPem: z.string().min(1).optional(),
    passphrase: z.string().optional(),
    markets: z.array(Market).min(1).default(['SPOT', 'FUT']),
    baseUrls: z.strictObject({ spot: z.url().optional(), um: z.url().optional() }).default({}),
    recvWindow: z.number().int().positive().max(MAX_RECV_WINDOW_MS).default(5000),
    clock: ClockSchema.optional(),
    logger: LoggerSchema.optional(),
    dispatcher: DispatcherSchema.optional(),
    limits: z.strictObject({ spot: z.array(RateLimitRuleSchema).optional(), um: z.array(RateLimitRuleSchema).optional() }).default({}),
    timeoutMs: z.number().int().positive().optional(),
    retry: z
      .strictObject({
        retries: z.number().int().min(0).max(10).optional(),
        minTimeout: z.number().int().min(0).optional(),
        factor: z.number().min(1).optional(),
        maxTimeout: z.number().int().min(0).optional(),
      })
      .optional(),
    settle: z.strictObject({ attempts: z.number().int().min(1).max(10).default(3), delayMs: z.number().int().min(0).default(1000) }).default({ attempts: 3, delayMs: 1000 }),
    clockSyncSamples: z.number().int().min(1).max(10).default(3),
    instrumentsTtlMs: z.number().int().positive().default(INSTRUMENTS_TTL_MS),
    streamUrls: z
      .strictObject({ spot: WsUrl.optional(), spotWsApi: WsUrl.optional(), umPublic: WsUrl.optional(), umMarket: WsUrl.optional(), umPrivate: WsUrl.optional() })
      .default({}),
    symbols: z.union([z.array(SymbolName), z.strictObject({ SPOT: z.array(SymbolName).optional(), FUT: z.array(SymbolName).optional() })]).default([]),
    userStream: UserStreamSchema.default({ liveTimeoutMs: 10_000, deleteListenKeyOnClose: false }),
    marketStreams: MarketStreamsSchema.default({ snapshotDepth: {} }),
    random: RandomSchema.optional(),
    socketFactory: SocketFactorySchema.optional(),
  })
  .superRefine((o, ctx) => {
    if (o.secret !== undefined && o.privateKeyPem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['privateKeyPem'], message: 'give either secret (HMAC) or privateKeyPem (Ed25519/RSA), not both' });
    }
    if (o.apiKey !== undefined && o.secret === undefined && o.privateKeyPem === undefined) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'an apiKey needs a secret or a privateKeyPem' });
    }
    if (o.apiKey === undefined && (o.secret !== undefined || o.privateKeyPem !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'required with a secret or privateKeyPem' });
    }
    if (new Set(o.markets).size !== o.markets.length) ctx.addIssue({ code: 'custom', path: ['markets'], message: 'markets must not repeat' });
    if (o.userStream.enabled === true && o.apiKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['userStream', 'enabled'], message: 'the user streams need an apiKey' });
    }
  });

/** Options of {@link BinanceConnector} after validation (defaults filled in). */
export type BinanceConnectorOptions = z.output<typeof BinanceConnectorOptions>;
/** Options of {@link BinanceConnector} as a caller passes them. */
export type BinanceConnectorOptionsInput = z.input<typeof BinanceConnectorOptions>;
