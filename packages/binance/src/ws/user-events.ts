/**
 * Binance user-data events mapped to core types (BINANCE.md §8).
 *
 * Spot (WebSocket API subscription): `executionReport` → `Order` (+ `Fill` on a trade),
 * `outboundAccountPosition` → `Balance`s, `balanceUpdate` → {@link BalanceDelta}, `listStatus` →
 * {@link ListStatus}. USDⓈ-M (listen key on `/private`): `ORDER_TRADE_UPDATE` → `Order` (+ `Fill`),
 * `ALGO_UPDATE` → `Order` (the conditional order, ids = `aid`/`caid`), `ACCOUNT_UPDATE` →
 * `Balance`s and `Position`s, `ACCOUNT_CONFIG_UPDATE` → leverage.
 *
 * Order shapes go through the REST mappers (`parseSpotOrder`, `parseUmOrder`, `parseUmAlgoOrder`),
 * so an order reads the same whichever way it arrived.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { Fill, type Balance, type Market, type Order, type Position } from '@chimera/core';
import { parseSpotOrder } from '../rest/map-orders-spot.js';
import { parseUmAlgoOrder, parseUmOrder, type UmAlgoStatus } from '../rest/map-orders-um.js';
import { VENUE_ID } from '../rest/request.js';
import { parseVenue } from '../rest/wire.js';

const D = Big();

/** A change of one spot asset that is not a trade (deposit, withdrawal, transfer): Spot `balanceUpdate`. */
export interface BalanceDelta {
  venue: string;
  market: Market;
  asset: string;
  /** Signed change, decimal string. */
  delta: string;
  /** Clear time, epoch ms. */
  ts: number;
}

/** A Spot order-list (OCO) update: `listStatus`. */
export interface ListStatus {
  venue: string;
  symbol: string;
  /** Binance's order list id. */
  listId: string;
  /** The client's list id. */
  clientListId: string;
  /** `EXECUTING`, `ALL_DONE` or `REJECT` (`listOrderStatus`). */
  status: string;
  /** `RESPONSE`, `EXEC_STARTED`, `UPDATED`, `ALL_DONE` (`listStatusType`). */
  listStatusType: string;
  /** The legs. */
  orders: { venueOrderId: string; clientOrderId: string }[];
  /** Reject reason when rejected (`NONE` otherwise). */
  rejectReason: string;
  ts: number;
}

/** A UM conditional (algo) order update: the order in core terms plus the Algo Service's own view. */
export interface AlgoUpdate {
  order: Order;
  algoStatus: UmAlgoStatus;
  /** The regular order its trigger created, from TRIGGERED on. */
  actualOrderId?: string;
}

/** What one user-data event carries, mapped. Any field may be absent. */
export interface MappedUserEvent {
  /** The event type as Binance names it (`executionReport`, `ORDER_TRADE_UPDATE` …). */
  type: string;
  /** Event time (`E`), epoch ms. */
  eventTime: number;
  order?: Order;
  fill?: Fill;
  algo?: AlgoUpdate;
  balances?: Balance[];
  positions?: Position[];
  balanceDelta?: BalanceDelta;
  listStatus?: ListStatus;
  /** `ACCOUNT_CONFIG_UPDATE`: a symbol's new leverage. */
  leverage?: { symbol: string; leverage: number };
}

/** Leverage and margin type of UM symbols, which `ACCOUNT_UPDATE` positions do not carry. */
export interface UmPositionSettings {
  /** Leverage of a symbol, if known (from `ACCOUNT_CONFIG_UPDATE` or the REST symbol config). */
  leverageOf(symbol: string): number | undefined;
}

/** Options of {@link mapUserEvent}. */
export interface MapUserEventOptions {
  /** UM leverage lookup; unknown symbols get {@link DEFAULT_UM_LEVERAGE}. */
  settings?: UmPositionSettings;
  /**
   * Fee asset of a Spot trade that reports none (`N: null`, a zero commission); default: the
   * quote asset read off the symbol's suffix.
   */
  feeAssetFallback?: (symbol: string) => string;
}

/** Binance's default UM leverage, used when a position's symbol has no known setting. */
export const DEFAULT_UM_LEVERAGE = 20;

const QUOTES = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY', 'BRL', 'JPY'];

function quoteOf(symbol: string): string {
  return QUOTES.find((q) => symbol.endsWith(q) && symbol.length > q.length) ?? 'USDT';
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function minusFloor0(a: string, b: string): string {
  const d = new D(a).minus(b);
  return d.lt(0) ? '0' : d.toFixed();
}

/**
 * Maps one user-data event payload (the inner event object: Spot's `event`, UM's whole message).
 * @returns undefined for events the SDK does not map (`TRADE_LITE`, `MARGIN_CALL`, …) and for
 *   stream-control events (`listenKeyExpired`, `eventStreamTerminated`), which the streams handle.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) when a mapped event has an unexpected shape.
 */
export function mapUserEvent(event: unknown, options: MapUserEventOptions = {}): MappedUserEvent | undefined {
  if (!isObj(event) || typeof event.e !== 'string') return undefined;
  const eventTime = num(event.E) ?? 0;
  switch (event.e) {
    case 'executionReport':
      return { type: event.e, eventTime, ...mapExecutionReport(event, options) };
    case 'outboundAccountPosition':
      return { type: event.e, eventTime, balances: mapSpotBalances(event) };
    case 'balanceUpdate':
      return { type: event.e, eventTime, balanceDelta: mapBalanceUpdate(event) };
    case 'listStatus':
      return { type: event.e, eventTime, listStatus: mapListStatus(event) };
    case 'ORDER_TRADE_UPDATE':
      return { type: event.e, eventTime, ...mapOrderTradeUpdate(event) };
    case 'ALGO_UPDATE': {
      const algo = mapAlgoUpdate(event);
      return { type: event.e, eventTime, order: algo.order, algo };
    }
    case 'ACCOUNT_UPDATE':
      return { type: event.e, eventTime, ...mapAccountUpdate(event, options) };
    case 'ACCOUNT_CONFIG_UPDATE': {
      const ac = event.ac;
      if (isObj(ac) && typeof ac.s === 'string' && typeof ac.l === 'number') return { type: event.e, eventTime, leverage: { symbol: ac.s, leverage: ac.l } };
      return undefined;
    }
    default:
      return undefined;
  }
}

function mapExecutionReport(e: Record<string, unknown>, options: MapUserEventOptions): { order: Order; fill?: Fill } {
  const orig = str(e.C);
  const payload: Record<string, unknown> = {
    symbol: e.s,
    orderId: e.i,
    orderListId: e.g,
    clientOrderId: e.c,
    transactTime: e.T,
    time: e.O ?? e.T,
    updateTime: e.T ?? e.E,
    price: e.p,
    origQty: e.q,
    executedQty: e.z,
    cummulativeQuoteQty: e.Z,
    status: e.X,
    timeInForce: e.f,
    type: e.o,
    side: e.S,
    stopPrice: e.P,
  };
  // On a cancel `c` is the cancel request's id and `C` the order's own.
  if (orig !== undefined && orig !== '') payload.origClientOrderId = orig;
  const order = parseSpotOrder(payload);
  if (e.x !== 'TRADE') return { order };
  const symbol = order.symbol;
  const fill = parseVenue(
    Fill,
    {
      venue: VENUE_ID,
      market: 'SPOT',
      symbol,
      tradeId: String(e.t),
      venueOrderId: order.venueOrderId,
      clientOrderId: order.clientOrderId,
      side: order.side,
      price: e.L,
      qty: e.l,
      fee: e.n ?? '0',
      feeAsset: str(e.N) ?? (options.feeAssetFallback ?? quoteOf)(symbol),
      isMaker: e.m === true,
      ts: num(e.T) ?? num(e.E),
    },
    'spot executionReport fill',
  );
  return { order, fill: canonicalFill(fill) };
}

/** Trims venue padding (`"0.00100000"`) so stream and REST fills compare equal. */
function canonicalFill(fill: Fill): Fill {
  return { ...fill, price: new D(fill.price).toFixed(), qty: new D(fill.qty).toFixed(), fee: new D(fill.fee).toFixed() };
}

function mapSpotBalances(e: Record<string, unknown>): Balance[] {
  const rows = Array.isArray(e.B) ? e.B : [];
  const out: Balance[] = [];
  for (const r of rows) {
    if (!isObj(r) || typeof r.a !== 'string' || typeof r.f !== 'string' || typeof r.l !== 'string') continue;
    out.push({ venue: VENUE_ID, market: 'SPOT', asset: r.a, free: new D(r.f).toFixed(), locked: new D(r.l).toFixed() });
  }
  return out;
}

function mapBalanceUpdate(e: Record<string, unknown>): BalanceDelta {
  return { venue: VENUE_ID, market: 'SPOT', asset: str(e.a) ?? '', delta: new D(str(e.d) ?? '0').toFixed(), ts: num(e.T) ?? num(e.E) ?? 0 };
}

function mapListStatus(e: Record<string, unknown>): ListStatus {
  const legs = Array.isArray(e.O) ? e.O : [];
  return {
    venue: VENUE_ID,
    symbol: str(e.s) ?? '',
    listId: String(e.g),
    clientListId: str(e.C) ?? '',
    status: str(e.L) ?? '',
    listStatusType: str(e.l) ?? '',
    orders: legs.filter(isObj).map((o) => ({ venueOrderId: String(o.i), clientOrderId: str(o.c) ?? '' })),
    rejectReason: str(e.r) ?? 'NONE',
    ts: num(e.T) ?? num(e.E) ?? 0,
  };
}

function mapOrderTradeUpdate(e: Record<string, unknown>): { order: Order; fill?: Fill } {
  const o = isObj(e.o) ? e.o : {};
  const payload: Record<string, unknown> = {
    symbol: o.s,
    orderId: o.i,
    clientOrderId: o.c,
    side: o.S,
    type: o.o,
    timeInForce: o.f,
    origQty: o.q,
    executedQty: o.z,
    price: o.p,
    stopPrice: o.sp,
    avgPrice: o.ap,
    reduceOnly: o.R,
    status: o.X,
    updateTime: o.T ?? e.T ?? e.E,
    workingType: o.wt,
  };
  const order = parseUmOrder(payload);
  if (o.x !== 'TRADE') return { order };
  const fill = parseVenue(
    Fill,
    {
      venue: VENUE_ID,
      market: 'FUT',
      symbol: order.symbol,
      tradeId: String(o.t),
      venueOrderId: order.venueOrderId,
      clientOrderId: order.clientOrderId,
      side: order.side,
      price: o.L,
      qty: o.l,
      fee: o.n ?? '0',
      feeAsset: str(o.N) ?? 'USDT',
      isMaker: o.m === true,
      ts: num(o.T) ?? num(e.T) ?? num(e.E),
    },
    'um ORDER_TRADE_UPDATE fill',
  );
  return { order, fill: canonicalFill(fill) };
}

function mapAlgoUpdate(e: Record<string, unknown>): AlgoUpdate {
  const o = isObj(e.o) ? e.o : {};
  const time = num(e.T) ?? num(e.E);
  const view = parseUmAlgoOrder({
    algoId: o.aid,
    clientAlgoId: o.caid,
    algoType: o.at ?? 'CONDITIONAL',
    orderType: o.o,
    symbol: o.s,
    side: o.S,
    timeInForce: o.f,
    quantity: o.q,
    algoStatus: o.X,
    triggerPrice: o.tp,
    price: o.p,
    workingType: o.wt,
    reduceOnly: o.R,
    closePosition: o.cp,
    createTime: time,
    updateTime: time,
    actualOrderId: o.ai === '' || o.ai === 0 ? undefined : o.ai,
  });
  const out: AlgoUpdate = { order: view.order, algoStatus: view.algoStatus };
  if (view.actualOrderId !== undefined) out.actualOrderId = view.actualOrderId;
  return out;
}

function mapAccountUpdate(e: Record<string, unknown>, options: MapUserEventOptions): { balances: Balance[]; positions: Position[] } {
  const a = isObj(e.a) ? e.a : {};
  const ts = num(e.T) ?? num(e.E) ?? 0;
  const balances: Balance[] = [];
  for (const b of Array.isArray(a.B) ? a.B : []) {
    if (!isObj(b) || typeof b.a !== 'string' || typeof b.wb !== 'string' || typeof b.cw !== 'string') continue;
    // The stream has no available balance: the cross wallet balance is what is free of isolated
    // margin; the rest of the wallet balance is held by isolated positions.
    balances.push({ venue: VENUE_ID, market: 'FUT', asset: b.a, free: new D(b.cw).toFixed(), locked: minusFloor0(b.wb, b.cw) });
  }
  const positions: Position[] = [];
  for (const p of Array.isArray(a.P) ? a.P : []) {
    if (!isObj(p) || typeof p.s !== 'string' || typeof p.pa !== 'string' || typeof p.ep !== 'string') continue;
    // Hedge-mode legs (LONG/SHORT) have no one-way equivalent in the core model.
    if (p.ps !== undefined && p.ps !== 'BOTH') continue;
    const isolated = p.mt === 'isolated';
    const position: Position = {
      venue: VENUE_ID,
      market: 'FUT',
      symbol: p.s,
      qty: new D(p.pa).toFixed(),
      entryPrice: new D(p.ep).toFixed(),
      unrealizedPnl: new D(str(p.up) ?? '0').toFixed(),
      leverage: options.settings?.leverageOf(p.s) ?? DEFAULT_UM_LEVERAGE,
      marginType: isolated ? 'ISOLATED' : 'CROSSED',
      updatedAt: ts,
    };
    if (isolated && typeof p.iw === 'string') position.isolatedMargin = new D(p.iw).toFixed();
    positions.push(position);
  }
  return { balances, positions };
}
