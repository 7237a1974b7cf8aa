/**
 * What the Spot and USDⓈ-M user streams share: their events, the mapping of raw events to core
 * types with exactly-once fills, and the REST catch-up after a reconnect.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'eventemitter3';
import type {
  Balance,
  Clock,
  ConnectorAlert,
  Fill,
  Logger,
  Market,
  Order,
  OrderRef,
  Position,
  SocketMetric,
  TimeWindow,
} from '@chimera/core';
import { isUmAlgoType } from '../rest/orders-um.js';
import { mapUserEvent, type AlgoUpdate, type BalanceDelta, type ListStatus, type MapUserEventOptions } from './user-events.js';
import { UserStreamLedger, type UserStreamLedgerOptions } from './user-stream-ledger.js';

/**
 * The REST reads a catch-up needs — a subset of `ExchangeConnector`, so the connector itself
 * can be passed.
 */
export interface UserStreamCatchUpSource {
  /** Open orders of a market (UM: regular and algo orders merged). */
  openOrders(market: Market): Promise<Order[]>;
  /** The account's fills of a symbol inside a window, oldest first. */
  fills(market: Market, symbol: string, window?: TimeWindow): Promise<Fill[]>;
  /** One order, to learn how an order that was working before the break ended. */
  getOrder?(ref: OrderRef): Promise<Order>;
  /** Positions (UM), refreshed by the catch-up when given. */
  positions?(): Promise<Position[]>;
  /** Balances of a market, refreshed by the catch-up when given. */
  balances?(market: Market): Promise<Balance[]>;
}

/** What one catch-up found and delivered. */
export interface CatchUpResult {
  market: Market;
  /** Why it ran: `reconnect`, `renewed`, `listenKey`, `resubscribed`, `manual`. */
  reason: string;
  /** Fills the stream had missed, now delivered. */
  fills: number;
  /** Order updates delivered (news only). */
  orders: number;
  /** Symbols whose fills were read. */
  symbols: string[];
  /** Time it took, ms. */
  durationMs: number;
  ts: number;
}

/** Events of a Binance user stream. None is named `error`. */
export interface BinanceUserStreamEvents {
  /** An order changed. A trade's fill is emitted before the order state that includes it. */
  order: (order: Order) => void;
  /** A fill, exactly once per trade id (stream and catch-up together). */
  fill: (fill: Fill) => void;
  /** A UM position changed (`ACCOUNT_UPDATE`). */
  position: (position: Position) => void;
  /** A balance changed (Spot `outboundAccountPosition`, UM `ACCOUNT_UPDATE`). */
  balance: (balance: Balance) => void;
  /** A Spot deposit, withdrawal or transfer changed a balance (`balanceUpdate`). */
  balanceDelta: (delta: BalanceDelta) => void;
  /** A Spot order list (OCO) changed (`listStatus`). */
  listStatus: (status: ListStatus) => void;
  /** A UM conditional order changed (`ALGO_UPDATE`); its `order` is also emitted as `order`. */
  algoUpdate: (update: AlgoUpdate) => void;
  /** The stream is live; after a reconnect a catch-up follows (hosts also reconcile). */
  userStreamConnected: (info: { reconnect: boolean; ts: number }) => void;
  /** A REST catch-up finished. */
  catchUp: (result: CatchUpResult) => void;
  /** Something a human should know (listen key trouble, auth failures, catch-up failures). */
  alert: (alert: ConnectorAlert) => void;
  /** `ws_rtt` samples of the connection. */
  metric: (metric: SocketMetric) => void;
  /** The connection failed `N_max` times in a row: manage existing positions only until `recovered`. */
  degraded: (info: { reason: string; ts: number }) => void;
  /** The degraded connection is back. */
  recovered: (info: { reason: string; ts: number }) => void;
}

/** Options shared by both user streams. */
export interface UserStreamCoreOptions extends MapUserEventOptions {
  /** The REST reads of the catch-up (the connector). */
  catchUp: UserStreamCatchUpSource;
  /** Time source (default: system clock, set by the stream). */
  clock: Clock;
  /** Logger; records never carry keys or signatures. */
  logger?: Logger;
  /** Symbols always included in a catch-up, besides those the stream has seen. */
  symbols?: readonly string[];
  /** How far before the last seen fill (or the start) a catch-up reads fills, ms (default 60 000, covers clock skew). */
  catchUpMarginMs?: number;
  /** Longest window a catch-up reads, ms (default 24 h). */
  maxCatchUpWindowMs?: number;
  /** Attempts of a failing catch-up (default 3), `retryMs` apart, doubling (default 1 000). */
  catchUpAttempts?: number;
  catchUpRetryMs?: number;
  /** Delivery memory bounds. */
  ledger?: UserStreamLedgerOptions;
}

/**
 * The event mapping and catch-up engine one user stream (one market) is built on. The stream
 * classes own the connection and call {@link UserStreamCore.handle} for every event and
 * {@link UserStreamCore.catchUp} after every reconnect.
 */
export class UserStreamCore {
  /** Typed events. */
  readonly events = new EventEmitter<BinanceUserStreamEvents>();
  /** What was delivered. */
  readonly ledger: UserStreamLedger;

  private readonly leverage = new Map<string, number>();
  private readonly startedAt: number;
  private running: Promise<CatchUpResult | undefined> | undefined;
  private again: string | undefined;
  private stopped = false;

  constructor(
    readonly market: Market,
    private readonly options: UserStreamCoreOptions,
  ) {
    this.ledger = new UserStreamLedger(options.ledger);
    this.startedAt = options.clock.now();
    for (const s of options.symbols ?? []) this.ledger.noteSymbol(market, s);
  }

  /** Stops catch-ups (a running one finishes without emitting). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Maps one raw user-data event and emits what is news. A payload that cannot be mapped raises
   * a WARN alert (`USER_EVENT_UNMAPPED`) instead of throwing into the socket.
   * @returns the Binance event type, or undefined for an unmapped event.
   */
  handle(event: unknown): string | undefined {
    let mapped;
    try {
      mapped = mapUserEvent(event, {
        ...this.options,
        settings: { leverageOf: (s) => this.leverage.get(s) ?? this.options.settings?.leverageOf(s) },
      });
    } catch (err) {
      this.alert('WARN', 'USER_EVENT_UNMAPPED', `binance ${this.market} user event could not be mapped`, {
        event: typeof (event as { e?: unknown })?.e === 'string' ? (event as { e: string }).e : 'unknown',
        reason: err instanceof Error ? err.message : String(err),
      });
      return undefined;
    }
    if (mapped === undefined) return undefined;
    if (mapped.leverage) this.leverage.set(mapped.leverage.symbol, mapped.leverage.leverage);
    if (mapped.fill && this.ledger.acceptFill(mapped.fill)) this.events.emit('fill', mapped.fill);
    if (mapped.order && this.ledger.acceptOrder(mapped.order, mapped.algo ? 'algo' : 'regular')) this.events.emit('order', mapped.order);
    if (mapped.algo) this.events.emit('algoUpdate', mapped.algo);
    for (const b of mapped.balances ?? []) this.events.emit('balance', b);
    for (const p of mapped.positions ?? []) this.events.emit('position', p);
    if (mapped.balanceDelta) this.events.emit('balanceDelta', mapped.balanceDelta);
    if (mapped.listStatus) this.events.emit('listStatus', mapped.listStatus);
    return mapped.type;
  }

  /**
   * Reads open orders and the fills since the last one seen over REST and emits what the stream
   * missed: fills not delivered yet (oldest first), then order states that are news — the open
   * orders, the final state of orders that were working before the break and are no longer
   * open, and the orders of caught-up fills the stream never mentioned (with `getOrder`).
   *
   * Fills are read per symbol: every symbol the stream has reported, every symbol with an open
   * order, and the configured `symbols` (an order placed and filled entirely during a break on a
   * symbol in none of them is left to reconciliation). The window starts at the symbol's last
   * seen fill (or the stream's start) minus `catchUpMarginMs`, at most `maxCatchUpWindowMs` back.
   *
   * Runs one at a time; a request while one runs schedules one more run after it. Failures are
   * retried (`catchUpAttempts`), then reported as an ERROR alert.
   */
  catchUp(reason: string): Promise<CatchUpResult | undefined> {
    if (this.running) {
      this.again = reason;
      return this.running;
    }
    const run = this.runWithRetries(reason).finally(() => {
      this.running = undefined;
      const next = this.again;
      this.again = undefined;
      if (next !== undefined && !this.stopped) void this.catchUp(next);
    });
    this.running = run;
    return run;
  }

  private async runWithRetries(reason: string): Promise<CatchUpResult | undefined> {
    const attempts = Math.max(1, this.options.catchUpAttempts ?? 3);
    let delay = this.options.catchUpRetryMs ?? 1_000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runOnce(reason);
      } catch (err) {
        const last = attempt >= attempts || this.stopped;
        this.alert(last ? 'ERROR' : 'WARN', 'USER_STREAM_CATCHUP_FAILED', `binance ${this.market} user-stream catch-up failed (attempt ${attempt}/${attempts})`, {
          market: this.market,
          reason,
          attempt,
          error: err instanceof Error ? err.message : String(err),
        });
        if (last) return undefined;
        await this.options.clock.sleep(delay);
        delay *= 2;
      }
    }
  }

  private async runOnce(reason: string): Promise<CatchUpResult | undefined> {
    const { clock, catchUp } = this.options;
    const market = this.market;
    const started = clock.now();
    const working = this.ledger.workingOrders(market);
    const open = await catchUp.openOrders(market);
    const symbols = new Set([...this.ledger.symbols(market), ...open.map((o) => o.symbol), ...working.map((w) => w.order.symbol)]);
    const margin = this.options.catchUpMarginMs ?? 60_000;
    const floor = started - (this.options.maxCatchUpWindowMs ?? 86_400_000);
    const fetched = await Promise.all(
      [...symbols].map(async (symbol) => {
        const from = Math.max(floor, (this.ledger.lastFillTime(market, symbol) ?? this.startedAt) - margin);
        return catchUp.fills(market, symbol, { startTime: from });
      }),
    );
    const finals: Order[] = [];
    if (catchUp.getOrder) {
      const openIds = new Set(open.map((o) => `${o.symbol}|${o.venueOrderId}`));
      const gone = working.filter((w) => !openIds.has(`${w.order.symbol}|${w.order.venueOrderId}`));
      for (const w of gone) {
        try {
          finals.push(await catchUp.getOrder({ market, symbol: w.order.symbol, clientOrderId: w.order.clientOrderId }));
        } catch (err) {
          this.alert('WARN', 'USER_STREAM_ORDER_UNKNOWN', `binance ${market} order ${w.order.clientOrderId} could not be re-read after a reconnect`, {
            market,
            symbol: w.order.symbol,
            clientOrderId: w.order.clientOrderId,
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }
    }
    // Orders that started and ended during the break are known only through their fills.
    const fetchedFills = fetched.flat();
    if (catchUp.getOrder) {
      const known = new Set([...finals, ...open].map((o) => `${o.symbol}|${o.venueOrderId}`));
      const unseen = new Map<string, Fill>();
      for (const f of fetchedFills) {
        const key = `${f.symbol}|${f.venueOrderId}`;
        if (!known.has(key) && !this.ledger.knowsOrder(market, f.symbol, f.venueOrderId)) unseen.set(key, f);
      }
      for (const f of unseen.values()) {
        try {
          finals.push(await catchUp.getOrder({ market, symbol: f.symbol, venueOrderId: f.venueOrderId }));
        } catch (err) {
          this.alert('WARN', 'USER_STREAM_ORDER_UNKNOWN', `binance ${market} order ${f.venueOrderId} of a caught-up fill could not be read`, {
            market,
            symbol: f.symbol,
            venueOrderId: f.venueOrderId,
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }
    }
    const positions = market === 'FUT' && catchUp.positions ? await catchUp.positions() : [];
    const balances = catchUp.balances ? await catchUp.balances(market) : [];
    if (this.stopped) return undefined;
    let fills = 0;
    let orders = 0;
    const all = fetchedFills.sort((a, b) => a.ts - b.ts);
    for (const f of all) {
      if (this.ledger.acceptFill(f)) {
        fills++;
        this.events.emit('fill', f);
      }
    }
    for (const o of [...finals, ...open]) {
      // UM conditional orders live in the Algo Service (ids are algo ids), as ALGO_UPDATE reports them.
      if (this.ledger.acceptOrder(o, market === 'FUT' && isUmAlgoType(o.type) ? 'algo' : 'regular')) {
        orders++;
        this.events.emit('order', o);
      }
    }
    for (const p of positions) this.events.emit('position', p);
    for (const b of balances) this.events.emit('balance', b);
    const ts = clock.now();
    const result: CatchUpResult = { market, reason, fills, orders, symbols: [...symbols].sort(), durationMs: ts - started, ts };
    this.events.emit('catchUp', result);
    return result;
  }

  /** Emits an alert. */
  alert(level: ConnectorAlert['level'], code: string, message: string, details: Record<string, unknown>): void {
    this.events.emit('alert', { level, code, message, details, ts: this.options.clock.now() });
  }
}
