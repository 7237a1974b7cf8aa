/**
 * `startLocalBinance()`: a Binance-compatible exchange on 127.0.0.1 backed by the paper engine.
 * One HTTP server answers Spot (`/api/v3/*`), wallet (`/sapi/v1/asset/transfer`) and USDⓈ-M
 * (`/fapi/v1|v2|v3/*`) REST paths; it checks API keys, signatures, timestamps and `recvWindow`
 * as Binance does, enforces the instruments' filters through the engine, answers with Binance's
 * error codes and JSON shapes, counts weight and orders into the usage headers, and plays
 * scripted faults (429 / 418 with `Retry-After`, 5xx, lost responses, clock skew). The same port
 * serves the WebSocket face (`attachBinanceWs`): market streams, the UM `/private` listen-key
 * stream and the Spot WS API user-data subscription, with their own scripted faults. Depth
 * snapshots come from the WebSocket face so they line up with the diff stream, and the listen
 * keys the REST face hands out are the ones `/private` accepts.
 *
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { noopLogger, PaperEngine, SystemClock, type Clock, type Instrument, type Logger } from '@chimera/core';
import type { BinanceWsUrls } from '../ws/streams.js';
import type { BinanceProduct } from '../rest/request.js';
import { KeyRing, type LocalApiKey } from './auth.js';
import { toWireError } from './engine-errors.js';
import { ExchangeState } from './exchange-state.js';
import { LocalBinanceFaults, type FaultMatch, type StatusFault } from './faults.js';
import { RequestParams } from './request-params.js';
import type { Route, RouteContext } from './route.js';
import { listenKeyRoutes } from './routes-listen-key.js';
import { spotRoutes } from './routes-spot.js';
import { umRoutes } from './routes-um.js';
import { walletRoutes } from './routes-wallet.js';
import { UsageMeter } from './usage-meter.js';
import { BinanceWireError } from './wire-error.js';
import { attachBinanceWs, type LocalApiKey as LocalWsApiKey, type LocalBinanceWs, type LocalBinanceWsOptions, type LocalWsFaults } from './ws/local-binance-ws.js';

/** The API key the local exchange accepts when none are configured (HMAC). Not a real credential. */
export const LOCAL_API_KEY = 'local-binance-api-key';
/** The secret of {@link LOCAL_API_KEY}. Not a real credential. */
export const LOCAL_API_SECRET = 'local-binance-api-secret';

/** Rate limits the local exchange enforces (0 disables one; the headers are still sent). */
export interface LocalBinanceLimits {
  /** Spot REQUEST_WEIGHT per minute (default 6000). */
  spotWeightPerMinute?: number;
  /** Spot ORDERS per 10 s (default 50). */
  spotOrdersPer10s?: number;
  /** Spot ORDERS per day (default 160 000). */
  spotOrdersPerDay?: number;
  /** UM REQUEST_WEIGHT per minute (default 2400). */
  umWeightPerMinute?: number;
  /** UM ORDERS per minute (default 1200). */
  umOrdersPerMinute?: number;
}

/** Options of {@link startLocalBinance}. */
export interface LocalBinanceOptions {
  /** TCP port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /**
   * The matching engine (default: a new `PaperEngine` on `clock` with the paper instruments).
   * Seed its books with `applyBookSnapshot` before trading.
   */
  engine?: PaperEngine;
  /** The fault script (default: a new, empty {@link LocalBinanceFaults}). */
  faults?: LocalBinanceFaults;
  /**
   * The exchange's clock: server time, timestamp checks, bans and usage windows (default the
   * system clock). Pass the engine's clock when you pass an engine.
   */
  clock?: Clock;
  /** Accepted API keys (default one HMAC key: {@link LOCAL_API_KEY} / {@link LOCAL_API_SECRET}). */
  apiKeys?: readonly LocalApiKey[];
  /** Where unexpected handler failures are logged (default silent). Keys are never logged. */
  logger?: Logger;
  /** Enforced rate limits (defaults: Binance's documented ones). */
  limits?: LocalBinanceLimits;
  /**
   * Tuning of the WebSocket face (defaults as in `attachBinanceWs`): e.g. `serverPingIntervalMs`,
   * `markPriceIntervalMs`, `depthIntervalMs`, or a `listenKeys` registry with a short validity.
   */
  ws?: Omit<LocalBinanceWsOptions, 'engine' | 'clock' | 'apiKeys' | 'host' | 'port' | 'clientIdOf'>;
}

/**
 * The local exchange's WebSocket endpoints in the shape of `BinanceConnector`'s `streamUrls`
 * option: `new BinanceConnector({ …, streamUrls: exchange.streamUrls })`.
 */
export interface LocalStreamUrls {
  /** Spot market streams origin. */
  spot: string;
  /** Spot WebSocket API (user data). */
  spotWsApi: string;
  /** USDⓈ-M `/public` route (bookTicker, depth). */
  umPublic: string;
  /** USDⓈ-M `/market` route (aggTrade, markPrice). */
  umMarket: string;
  /** USDⓈ-M `/private` route (user data by listen key). */
  umPrivate: string;
}

/** One request the local exchange received, as its log keeps it. */
export interface LocalRequestRecord {
  /** HTTP method. */
  method: string;
  /** Path without the query. */
  path: string;
  /** Which API the path belongs to (undefined for unknown paths). */
  product: BinanceProduct | undefined;
  /** HTTP status answered; 0 when the response was dropped by a fault. */
  status: number;
  /** Binance error code of an error answer. */
  code?: number;
  /** Arrival time on the exchange's clock, epoch ms. */
  ts: number;
  /** The scripted fault played on it, if any. */
  fault?: 'status' | 'drop' | 'ban';
}

/** A running local exchange. */
export interface LocalBinance {
  /** Base URL of the server, e.g. `http://127.0.0.1:54321` (Spot, wallet and UM paths alike). */
  readonly url: string;
  /** Base URL for Spot and wallet requests (same server as {@link url}). */
  readonly spotUrl: string;
  /** Base URL for USDⓈ-M requests (same server as {@link url}). */
  readonly umUrl: string;
  /** The TCP port. */
  readonly port: number;
  /** The matching engine behind the wire protocol. */
  readonly engine: PaperEngine;
  /** The fault script of the REST face. */
  readonly faults: LocalBinanceFaults;
  /** WebSocket endpoints, in the shape of the connector's `streamUrls` option. */
  readonly streamUrls: LocalStreamUrls;
  /** The scripted faults of the WebSocket face: dropped connections, sequence gaps, listen-key expiry … */
  readonly wsFaults: LocalWsFaults;
  /**
   * The WebSocket face: its endpoints (`urls`), the published book (`serverBook`), the listen-key
   * registry, open connections and counters.
   */
  readonly ws: LocalBinanceWs;
  /** The exchange's clock. */
  readonly clock: Clock;
  /** Requests received, oldest first (the newest 50 000). */
  readonly requests: readonly LocalRequestRecord[];
  /** The underlying `node:http` server: REST requests and the WebSocket face's upgrades. */
  readonly server: Server;
  /** How many logged requests match (method and/or path; default all). */
  hits(match?: FaultMatch): number;
  /** Closes the WebSocket face, then stops the server and drops open connections. Idempotent. */
  close(): Promise<void>;
}

/** The connector's `streamUrls` for a WebSocket face's endpoints. */
function streamUrlsOf(urls: BinanceWsUrls): LocalStreamUrls {
  return { spot: urls.spotStream, spotWsApi: urls.spotWsApi, umPublic: urls.umPublic, umMarket: urls.umMarket, umPrivate: urls.umPrivate };
}

/** The REST face's keys as the WebSocket API checks them (by key id: HMAC secret or public key). */
function wsApiKeys(keys: readonly LocalApiKey[]): Record<string, LocalWsApiKey> {
  return Object.fromEntries(keys.map((k) => [k.apiKey, 'secret' in k ? k.secret : { publicKeyPem: k.publicKeyPem }]));
}

const MAX_LOG = 50_000;
const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new BinanceWireError(413, -1000, 'Request body too large.'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function productOf(path: string): BinanceProduct | undefined {
  if (path.startsWith('/fapi/')) return 'um';
  if (path.startsWith('/api/') || path.startsWith('/sapi/')) return 'spot';
  return undefined;
}

function matches(m: FaultMatch | undefined, r: LocalRequestRecord): boolean {
  if (!m) return true;
  if (m.method !== undefined && m.method.toUpperCase() !== r.method) return false;
  if (m.path !== undefined && (typeof m.path === 'string' ? m.path !== r.path : !m.path.test(r.path))) return false;
  return true;
}

/**
 * Starts a local Binance exchange (REST and WebSocket) on 127.0.0.1.
 *
 * @param options - Port, engine, faults, clock, API keys, logger, limits, WebSocket tuning (all optional).
 * @returns The running exchange; point `BinanceConnector`'s `baseUrls` at `url` and its
 *   `streamUrls` at `streamUrls`.
 * @throws TypeError on an unreadable API public key; the listen error when the port is taken.
 */
export async function startLocalBinance(options: LocalBinanceOptions = {}): Promise<LocalBinance> {
  const clock = options.clock ?? new SystemClock();
  const ownsEngine = options.engine === undefined;
  const engine = options.engine ?? new PaperEngine({ clock, venue: 'binance' });
  const faults = options.faults ?? new LocalBinanceFaults();
  const log = options.logger ?? noopLogger;
  const apiKeys = options.apiKeys ?? [{ apiKey: LOCAL_API_KEY, secret: LOCAL_API_SECRET }];
  const keys = new KeyRing(apiKeys);
  const state = new ExchangeState(engine, clock, faults);
  const l = options.limits ?? {};
  const meters: Record<BinanceProduct, UsageMeter> = {
    spot: new UsageMeter(
      clock,
      [{ intervalMs: 60_000, label: '1M', limit: l.spotWeightPerMinute ?? 6000 }],
      [
        { intervalMs: 10_000, label: '10S', limit: l.spotOrdersPer10s ?? 50 },
        { intervalMs: 86_400_000, label: '1D', limit: l.spotOrdersPerDay ?? 160_000 },
      ],
    ),
    um: new UsageMeter(clock, [{ intervalMs: 60_000, label: '1M', limit: l.umWeightPerMinute ?? 2400 }], [{ intervalMs: 60_000, label: '1M', limit: l.umOrdersPerMinute ?? 1200 }]),
  };
  // Filled once the WebSocket face is attached (it needs the port); nobody knows the port before.
  const routes = new Map<string, Route>();
  const requests: LocalRequestRecord[] = [];
  let bannedUntil = 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void => {
    res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const faultAnswer = (product: BinanceProduct, fault: StatusFault): BinanceWireError => {
    const headers: Record<string, string> = {};
    const now = clock.now();
    if (fault.status === 418) {
      const sec = fault.retryAfterSec ?? 120;
      const until = now + sec * 1000;
      bannedUntil = Math.max(bannedUntil, until);
      headers['Retry-After'] = String(sec);
      return new BinanceWireError(
        418,
        fault.code ?? -1003,
        fault.msg ?? `Way too many requests; IP(127.0.0.1) banned until ${until}. Please use the websocket for live updates to avoid bans.`,
        headers,
      );
    }
    if (fault.status === 429) {
      if (fault.retryAfterSec !== undefined) headers['Retry-After'] = String(fault.retryAfterSec);
      return new BinanceWireError(
        429,
        fault.code ?? -1003,
        fault.msg ?? 'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API.',
        headers,
      );
    }
    if (fault.status === 408) {
      return new BinanceWireError(408, fault.code ?? -1007, fault.msg ?? 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.');
    }
    // UM documents which 503 texts are definite failures; this default is the "outcome unknown" one.
    const fallback =
      product === 'um'
        ? { code: -1000, msg: 'Unknown error, please check your request or try again later.' }
        : { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' };
    return new BinanceWireError(fault.status, fault.code ?? fallback.code, fault.msg ?? fallback.msg);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const product = productOf(path);
    const record: LocalRequestRecord = { method, path, product, status: 0, ts: clock.now() };
    requests.push(record);
    if (requests.length > MAX_LOG) requests.splice(0, requests.length - MAX_LOG + 10_000);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      if (typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'number' && status >= 400) record.code = (body as { code: number }).code;
      send(res, status, body, headers);
    };

    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch (err) {
      const wire = err instanceof BinanceWireError ? err : new BinanceWireError(400, -1000, 'Could not read the request body.');
      reply(wire.status, wire.body());
      return;
    }
    const route = routes.get(`${method} ${path}`);
    if (!product || !route) {
      record.status = 404;
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<html><body><h2>404 Not found</h2></body></html>');
      return;
    }
    const now = clock.now();
    if (now < bannedUntil) {
      record.fault = 'ban';
      const sec = Math.max(1, Math.ceil((bannedUntil - now) / 1000));
      reply(418, { code: -1003, msg: `Way too many requests; IP(127.0.0.1) banned until ${bannedUntil}. Please use the websocket for live updates to avoid bans.` }, { 'Retry-After': String(sec) });
      return;
    }
    const fault = faults.take(method, path);
    if (fault?.kind === 'status' && fault.fault.landed !== true) {
      record.fault = 'status';
      const wire = faultAnswer(product, fault.fault);
      reply(wire.status, wire.body(), wire.headers);
      return;
    }

    const meter = meters[product];
    let status = 200;
    let body: unknown;
    let headers: Record<string, string> = {};
    let params: RequestParams | undefined;
    try {
      params = new RequestParams(rawQuery, rawBody);
      const weight = typeof route.weight === 'function' ? route.weight(params) : route.weight;
      meter.charge(weight);
      const header = req.headers['x-mbx-apikey'];
      const apiKey = Array.isArray(header) ? header[0] : header;
      const ctx: RouteContext = { params, state, product };
      if (route.signed) {
        keys.verify(product, { apiKey, query: rawQuery, body: rawBody }, params, state.serverTime());
        ctx.apiKey = apiKey;
      } else if (route.apiKeyOnly) {
        keys.checkKey(apiKey);
        ctx.apiKey = apiKey;
      }
      if (route.orders) meter.charge(0, route.orders);
      body = route.handle(ctx);
      if (route.successWeight !== undefined) meter.refund(weight - route.successWeight);
    } catch (err) {
      let instrument: Instrument | undefined;
      const symbol = params?.opt('symbol');
      if (symbol !== undefined) {
        try {
          instrument = engine.instrument(product === 'spot' ? 'SPOT' : 'FUT', symbol);
        } catch {
          instrument = undefined;
        }
      }
      const wire = toWireError(product, err, instrument);
      if (!(err instanceof BinanceWireError) && wire.status >= 500) {
        log.error({ method, path, error: err instanceof Error ? err.message : String(err) }, 'local binance handler failed');
      }
      status = wire.status;
      body = wire.body();
      headers = wire.headers;
    }

    if (fault?.kind === 'drop') {
      record.fault = 'drop';
      record.status = 0;
      // The request was executed; its answer never leaves.
      req.socket.destroy();
      return;
    }
    const usage = meter.headers((route.orders ?? 0) > 0);
    if (fault?.kind === 'status') {
      record.fault = 'status';
      const wire = faultAnswer(product, fault.fault);
      reply(wire.status, wire.body(), { ...usage, ...wire.headers });
      return;
    }
    reply(status, body, { ...usage, ...headers });
  };

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      log.error({ error: err instanceof Error ? err.message : String(err) }, 'local binance failed to answer');
      if (!res.headersSent) send(res, 500, { code: -1000, msg: 'An unknown error occurred while processing the request.' }, {});
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const ws = attachBinanceWs(server, { ...options.ws, engine, clock, apiKeys: wsApiKeys(apiKeys), clientIdOf: (o) => state.clientIdOf(o) });
  // Depth snapshots come from the WebSocket face: the engine's own sequence is not the stream's.
  const depth = (market: 'SPOT' | 'FUT', symbol: string, limit: number): ReturnType<LocalBinanceWs['depthSnapshot']> => ws.depthSnapshot(market, symbol, limit);
  for (const r of [...spotRoutes(meters.spot, depth), ...walletRoutes(), ...umRoutes(meters.um, depth), ...listenKeyRoutes(ws.listenKeys)]) {
    routes.set(`${r.method} ${r.path}`, r);
  }
  let closed: Promise<void> | undefined;

  return {
    url,
    spotUrl: url,
    umUrl: url,
    port,
    engine,
    faults,
    streamUrls: streamUrlsOf(ws.urls),
    wsFaults: ws.faults,
    ws,
    clock,
    requests,
    server,
    hits: (match?: FaultMatch) => requests.filter((r) => matches(match, r)).length,
    close: () => {
      closed ??= ws
        .close()
        .then(
          () =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        )
        .then(() => {
          state.close();
          if (ownsEngine) engine.close();
        });
      return closed;
    },
  };
}
