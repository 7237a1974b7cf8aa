/**
 * The options of {@link BinanceConnector}, validated at the boundary (DESIGN.md principle 7). The
 * schema is exported so hosts can validate configuration before they build a connector.
 *
 * @packageDocumentation
 */
import { Market, type Clock, type Logger } from '@chimera/core';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { MAX_RECV_WINDOW_MS } from '../rest/signing.js';
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
  });

/** Options of {@link BinanceConnector} after validation (defaults filled in). */
export type BinanceConnectorOptions = z.output<typeof BinanceConnectorOptions>;
/** Options of {@link BinanceConnector} as a caller passes them. */
export type BinanceConnectorOptionsInput = z.input<typeof BinanceConnectorOptions>;
