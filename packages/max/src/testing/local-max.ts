/**
 * `startLocalMax()`: a MAX-compatible exchange on 127.0.0.1 for end-to-end tests. One port serves
 * the v3 REST endpoints (`/api/v3/…`) and the WebSocket (`/ws`), both backed by one core
 * `PaperEngine` (one account), with MAX's signature and nonce checks and its error codes, and
 * {@link MaxFaults} to script what goes wrong.
 *
 * @packageDocumentation
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decimalsOf, PaperEngine, SystemClock, type Clock, type Instrument, type PaperBookUpdate } from '@chimera/core';
import { WebSocketServer } from 'ws';
import { NonceLedger, type LocalMaxCredential, type NonceMode } from './auth.js';
import { MaxFaults } from './faults.js';
import { LOCAL_MAX_BALANCES, LOCAL_MAX_FEES, localMaxBooks, localMaxInstruments } from './markets.js';
import { OrderLedger } from './order-ledger.js';
import { PublicTape } from './public-tape.js';
import { createRestHandler, type RestStats } from './rest-api.js';
import { WsHub, type WsHubStats } from './ws-hub.js';

/** Options of {@link startLocalMax}. */
export interface LocalMaxOptions {
  /** Port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /**
   * The engine behind the exchange (its SPOT instruments are the markets listed). Default: a new
   * engine (venue `max`) with BTCTWD, USDTTWD and BTCUSDT, MAX's base fees, 10 000 000 TWD, 10 BTC
   * and 100 000 USDT, and a 20-level book on each market ({@link localMaxBooks}).
   */
  engine?: PaperEngine;
  /** The server's clock (default: the system clock). Skew it to test nonce calibration. */
  clock?: Clock;
  /** API keys the exchange accepts (all trade the one account). */
  credentials?: readonly LocalMaxCredential[];
  /** Faults to use (default: a new {@link MaxFaults}). */
  faults?: MaxFaults;
  /** How far a nonce may be from the server's clock, ms (default 30 000, MAX's). */
  nonceWindowMs?: number;
  /** How nonces are policed per key (default `unique`, see {@link NonceMode}). */
  nonceMode?: NonceMode;
  /** Close a WebSocket that sent no ping frame for this long, ms (default 130 000, MAX's). */
  pingTimeoutMs?: number;
  /** Books to load into a default engine (default {@link localMaxBooks}). */
  books?: Record<string, PaperBookUpdate>;
}

/** Counters of a running local exchange. */
export interface LocalMaxStats {
  rest: RestStats;
  ws: WsHubStats;
}

/** A running local MAX exchange. */
export interface LocalMax {
  /** REST origin, e.g. `http://127.0.0.1:43121` (the connector's `baseUrl`). */
  readonly url: string;
  /** WebSocket endpoint, e.g. `ws://127.0.0.1:43121/ws` (the connector's `wsUrl`). */
  readonly wsUrl: string;
  /** The engine behind it: move its books, fill its orders. */
  readonly engine: PaperEngine;
  /** Scripted faults. */
  readonly faults: MaxFaults;
  /** Request and connection counters. */
  readonly stats: LocalMaxStats;
  /** Stops the server, drops every connection and detaches from the engine. Idempotent. */
  close(): Promise<void>;
}

/** The `/api/v3/markets` row of an instrument (precision from its tick and step). */
function marketRow(i: Instrument): Record<string, unknown> {
  const precision = (step: string): number => {
    const decimals = decimalsOf(step);
    if (decimals > 0) return decimals;
    // A step of 1000 is precision −3 (MAX's shibtwd).
    const digits = step.replace(/\..*$/, '');
    return -(digits.length - digits.replace(/0+$/, '').length);
  };
  return {
    id: i.symbol.toLowerCase(),
    status: i.status === 'TRADING' ? 'active' : 'suspended',
    base_unit: i.base.toLowerCase(),
    base_unit_precision: precision(i.stepSize),
    min_base_amount: Number(i.minQty),
    quote_unit: i.quote.toLowerCase(),
    quote_unit_precision: precision(i.tickSize),
    min_quote_amount: Number(i.minNotional ?? '0'),
    m_wallet_supported: false,
  };
}

/**
 * Starts a local MAX exchange on 127.0.0.1.
 *
 * REST: `/api/v3/timestamp`, `markets`, `ticker`, `tickers`, `depth`, `trades` (public);
 * `wallet/spot/order` (POST), `order` (GET, DELETE), `order/trades`, `wallet/spot/orders`
 * (DELETE), `wallet/spot/orders/open|closed|history`, `wallet/spot/accounts`, `wallet/spot/trades`,
 * `info` (signed). Submits are acknowledged as accepted (`wait`), as MAX does; a post-only order
 * that would take is accepted and cancelled shortly after; a `client_oid` used within 24 h is
 * refused (2036).
 *
 * WebSocket `/ws`: `book` (depth 1/5/10/20/50; snapshot, then updates with `fi`/`li`/`v`),
 * `ticker`, `trade`; `auth` then `order_*`, `trade_*`, `account_*` on the `user` channel.
 *
 * @example
 * ```ts
 * const max = await startLocalMax({ credentials: [{ accessKey: 'k', secretKey: 's' }] });
 * const connector = new MaxConnector({ accessKey: 'k', secretKey: 's', baseUrl: max.url, wsUrl: max.wsUrl });
 * max.faults.bookGap('BTCTWD');
 * await max.close();
 * ```
 */
export async function startLocalMax(options: LocalMaxOptions = {}): Promise<LocalMax> {
  const clock = options.clock ?? new SystemClock();
  const ownsEngine = options.engine === undefined;
  const engine =
    options.engine ??
    new PaperEngine({
      clock,
      venue: 'max',
      instruments: localMaxInstruments(),
      balances: LOCAL_MAX_BALANCES,
      fees: LOCAL_MAX_FEES,
      capabilities: {
        markets: ['SPOT'],
        oco: false,
        fok: false,
        reduceOnly: false,
        leverage: false,
        transfers: false,
        funding: false,
        workingTypes: [],
        streams: ['ticker', 'depth', 'trades'],
      },
    });
  if (ownsEngine) for (const [symbol, book] of Object.entries(options.books ?? localMaxBooks())) engine.applyBookSnapshot('SPOT', symbol, book);
  const faults = options.faults ?? new MaxFaults();
  const keys = new Map((options.credentials ?? []).map((c) => [c.accessKey, c.secretKey]));
  const nonces = new NonceLedger(options.nonceWindowMs ?? 30_000, options.nonceMode ?? 'unique');
  const ledger = new OrderLedger(engine, clock);
  const tape = new PublicTape();
  // The book version: fixed for the life of the server, like MAX's between rebuilds.
  const bookVersion = clock.now();
  const hub = new WsHub({ engine, clock, ledger, tape, faults, keys, nonces, pingTimeoutMs: options.pingTimeoutMs ?? 130_000, bookVersion });
  faults.attach({ drop: (f) => hub.drop(f), stall: (f) => hub.stall(f), resume: () => hub.resume() });

  const onBook = (market: string, symbol: string): void => {
    if (market === 'SPOT') hub.onBook(symbol);
  };
  const onOrder = (o: Parameters<WsHub['onOrder']>[0]): void => hub.onOrder(o);
  const onFill = (f: Parameters<WsHub['onFill']>[0]): void => {
    ledger.countTrade(f.venueOrderId);
    hub.onFill(f);
    // The account's execution is a public print too; the aggressor is whoever was not the maker.
    const takerSide = f.isMaker ? (f.side === 'BUY' ? 'SELL' : 'BUY') : f.side;
    hub.onPrint(f.symbol, tape.record(f.symbol, { price: f.price, qty: f.qty, takerSide, ts: f.ts }));
  };
  const onBalance = (b: Parameters<WsHub['onBalance']>[0]): void => hub.onBalance(b);
  const onTrade = (t: { market: string; symbol: string; price: string; qty: string; takerSide: 'BUY' | 'SELL'; eventTime: number }): void => {
    if (t.market === 'SPOT') hub.onPrint(t.symbol, tape.record(t.symbol, { price: t.price, qty: t.qty, takerSide: t.takerSide, ts: t.eventTime }));
  };
  engine.events.on('book', onBook);
  engine.events.on('order', onOrder);
  engine.events.on('fill', onFill);
  engine.events.on('balance', onBalance);
  engine.events.on('trade', onTrade);

  const stats: LocalMaxStats = { rest: { requests: 0, byRoute: {}, rateLimited: 0, droppedResponses: 0, authFailures: 0 }, ws: hub.stats };
  const server: Server = createServer(
    createRestHandler({ engine, clock, ledger, tape, hub, faults, keys, nonces, markets: () => engine.instruments('SPOT').map(marketRow), bookVersion, stats: stats.rest }),
  );
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket: Socket, head) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const retryAfter = faults.takeWsRefusal(clock.now());
    if (retryAfter !== undefined) {
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${retryAfter}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.add(ws));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    engine,
    faults,
    stats,
    close: () => {
      closed ??= (async () => {
        engine.events.off('book', onBook);
        engine.events.off('order', onOrder);
        engine.events.off('fill', onFill);
        engine.events.off('balance', onBalance);
        engine.events.off('trade', onTrade);
        hub.close();
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (ownsEngine) engine.close();
      })();
      return closed;
    },
  };
}
