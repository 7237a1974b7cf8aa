/**
 * One Binance product's REST face (Spot or USDⓈ-M): a core `RestClient` on the product's base URL,
 * the product's `ClockSync`, and the signing of each attempt. Requests arrive as the pure layer's
 * `BinanceRequest`s and leave exactly as they were signed.
 *
 * @packageDocumentation
 */
import {
  AuthError,
  ChimeraError,
  ClockSync,
  RestClient,
  type Clock,
  type ErrorMapper,
  type Logger,
  type RateLimitRule,
  type RestResponse,
  type RestRetryOptions,
  type SignedParts,
} from '@chimera/core';
import type { Dispatcher } from 'undici';
import { mapBinanceError } from '../rest/errors.js';
import { buildServerTime } from '../rest/market-data.js';
import { parseServerTime } from '../rest/map-market-data.js';
import type { BinanceProduct, BinanceRequest } from '../rest/request.js';
import type { BinanceSigner } from '../rest/signing.js';
import { readBinanceUsage } from './usage-headers.js';

/**
 * Binance answered "nothing to do": the requested state already holds (UM `-4046` margin type
 * already set, `-4059` position side already set). The connector turns it into success; it never
 * leaves the connector.
 */
export class AlreadyDoneError extends ChimeraError {
  constructor(message: string, venueCode: number) {
    super(message, { code: 'ALREADY_DONE', status: 200, retryable: false, details: { venueCode } });
  }
}

/** Options of {@link ProductClient}. */
export interface ProductClientOptions {
  /** Which API. */
  product: BinanceProduct;
  /** REST origin of the product. */
  baseUrl: string;
  /** Signs TRADE / USER_DATA requests; absent: signed requests are refused locally. */
  signer: BinanceSigner | undefined;
  /** `recvWindow` sent with every signed request, ms. */
  recvWindow: number;
  /** Time source (limiter windows, bans, request timestamps). */
  clock: Clock;
  /** Logger (redacted by the transport). */
  logger?: Logger;
  /** undici dispatcher (a `MockAgent` in tests). */
  dispatcher?: Dispatcher;
  /** Client-side rate limits. */
  limits: readonly RateLimitRule[];
  /** Per-attempt timeout, ms. */
  timeoutMs?: number;
  /** Retry policy of safe failures. */
  retry?: RestRetryOptions;
  /** Round trips per server-time sync. */
  clockSyncSamples: number;
}

/**
 * The REST client, clock sync and signer of one product. Signed calls go through
 * `ClockSync.withTimestampRetry`, so a `-1021` is answered by one resync and one retry with a
 * fresh timestamp; the signature is computed on every attempt over the exact query that is sent.
 */
export class ProductClient {
  /** Which API this client talks to. */
  readonly product: BinanceProduct;
  /** The transport (events: banned, ban_lifted, rate_limited, usage, alert …). */
  readonly rest: RestClient;
  /** Offset between the local clock and this product's server time. */
  readonly clockSync: ClockSync;

  private readonly signer: BinanceSigner | undefined;
  private readonly recvWindow: number;

  constructor(options: ProductClientOptions) {
    this.product = options.product;
    this.signer = options.signer;
    this.recvWindow = options.recvWindow;
    const product = options.product;
    const clock = options.clock;
    const errorMapper: ErrorMapper = (status, body, headers, context) => {
      const out = mapBinanceError({ product, status, body, headers, isWrite: context.kind === 'write', now: clock.now() });
      if (out.outcome === 'success') return new AlreadyDoneError(`binance ${product} ${out.venueCode}: ${out.venueMessage}`, out.venueCode);
      return out.error;
    };
    this.rest = new RestClient({
      baseUrl: options.baseUrl,
      dispatcher: options.dispatcher,
      clock,
      logger: options.logger,
      limits: options.limits,
      readUsage: readBinanceUsage,
      errorMapper,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
    });
    this.clockSync = new ClockSync({
      clock,
      samples: options.clockSyncSamples,
      logger: options.logger,
      fetchServerTime: async () => parseServerTime((await this.send(buildServerTime(product))).body),
    });
  }

  /**
   * Sends one request and returns its 2xx answer. Unsigned requests go as built (with the API key
   * header when `options.apiKeyOnly` is set: Binance's USER_STREAM security, e.g. the UM listen-key
   * calls); signed ones get `recvWindow`, a `timestamp` from the synced clock and the `signature`,
   * with the API key header, on every attempt.
   *
   * @throws AuthError (`details.local: true`) for a signed or API-key-only request without
   *   credentials; otherwise whatever the transport throws (see `RestClient.request`) with the
   *   Binance error table applied.
   */
  async send(req: BinanceRequest, options: { apiKeyOnly?: boolean } = {}): Promise<RestResponse<unknown>> {
    if (req.product !== this.product) throw new TypeError(`a ${req.product} request was sent to the ${this.product} client`);
    const common = { method: req.method, path: req.path, kind: req.kind, weight: req.weight, orderCount: req.orderCount ?? 0 } as const;
    if (!req.signed && options.apiKeyOnly !== true) {
      // Public parameters are ASCII symbols, limits and times, which the transport encodes exactly
      // as Binance's percent-encoding does; no signing hook keeps this path synchronous.
      return this.rest.request({ ...common, query: req.params });
    }
    const signer = this.signer;
    if (signer === undefined) {
      throw new AuthError(`${req.method} ${req.path} needs an API key; none is configured`, { details: { local: true, path: req.path } });
    }
    if (!req.signed) return this.rest.request({ ...common, query: req.params, headers: signer.headers() });
    const sign = (): SignedParts => ({
      query: signer.signQuery(req.params, { product: this.product, timestamp: this.clockSync.now(), recvWindow: this.recvWindow }),
      headers: signer.headers(),
    });
    return this.clockSync.withTimestampRetry(() => this.rest.request({ ...common, sign }));
  }

  /** Closes the transport. Idempotent. */
  async close(): Promise<void> {
    await this.rest.close();
  }
}
