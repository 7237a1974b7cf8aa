/**
 * Engine objects written in Binance's JSON shapes (the documented examples kept as fixtures in
 * `test/fixtures`), so the adapter's `parse*` functions read the local exchange exactly as they
 * read Binance. UM new/cancel answers carry no `avgPrice` or `cumQuote` (removed 2026-07-15);
 * query answers still do.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { Instrument, LeverageBracket, OcoOrder, Order } from '@chimera/core';
import type { ExchangeState } from './exchange-state.js';
import type { MeterWindow } from './usage-meter.js';

const D = Big();

/** A decimal with Binance Spot's eight decimals, e.g. `"0.10000000"`. */
export function fix8(value: string | undefined): string {
  return new D(value ?? '0').toFixed(8);
}

/** A decimal as a plain string (UM style), `"0"` for absent. */
function plain(value: string | undefined): string {
  return new D(value ?? '0').toFixed();
}

/** Spot's name of an engine order type. */
export function spotType(o: Pick<Order, 'type' | 'postOnly'>): string {
  switch (o.type) {
    case 'LIMIT':
      return o.postOnly ? 'LIMIT_MAKER' : 'LIMIT';
    case 'MARKET':
      return 'MARKET';
    case 'STOP_MARKET':
      return 'STOP_LOSS';
    case 'STOP_LIMIT':
      return 'STOP_LOSS_LIMIT';
    case 'TAKE_PROFIT_MARKET':
      return 'TAKE_PROFIT';
    case 'TAKE_PROFIT_LIMIT':
      return 'TAKE_PROFIT_LIMIT';
  }
}

function spotTif(o: Order): string {
  return o.timeInForce === undefined || o.timeInForce === 'GTX' ? 'GTC' : o.timeInForce;
}

function listId(o: Order): number {
  return o.orderListId === undefined ? -1 : Number(o.orderListId);
}

function isWorking(o: Order): boolean {
  return (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && !((o.type === 'STOP_MARKET' || o.type === 'STOP_LIMIT' || o.type === 'TAKE_PROFIT_MARKET' || o.type === 'TAKE_PROFIT_LIMIT') && o.filledQty === '0');
}

/** `GET /api/v3/order` / `openOrders` / `allOrders` element. */
export function spotOrderQuery(state: ExchangeState, o: Order): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: Number(o.venueOrderId),
    orderListId: listId(o),
    clientOrderId: state.clientIdOf(o),
    price: fix8(o.price),
    origQty: fix8(o.qty),
    executedQty: fix8(o.filledQty),
    cummulativeQuoteQty: fix8(state.quoteOf(o)),
    status: o.status,
    timeInForce: spotTif(o),
    type: spotType(o),
    side: o.side,
    stopPrice: fix8(o.stopPrice),
    icebergQty: fix8('0'),
    time: o.createdAt,
    updateTime: o.updatedAt,
    isWorking: isWorking(o),
    workingTime: isWorking(o) ? o.updatedAt : -1,
    origQuoteOrderQty: fix8('0'),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** Spot placement answer: `ACK`, `RESULT` or `FULL` (with the fills of the placement). */
export function spotOrderPlaced(state: ExchangeState, o: Order, respType: 'ACK' | 'RESULT' | 'FULL', fillsBefore: number): Record<string, unknown> {
  const ack = { symbol: o.symbol, orderId: Number(o.venueOrderId), orderListId: listId(o), clientOrderId: state.clientIdOf(o), transactTime: o.createdAt };
  if (respType === 'ACK') return ack;
  const result: Record<string, unknown> = {
    ...ack,
    price: fix8(o.price),
    origQty: fix8(o.qty),
    executedQty: fix8(o.filledQty),
    origQuoteOrderQty: fix8('0'),
    cummulativeQuoteQty: fix8(state.quoteOf(o)),
    status: o.status,
    timeInForce: spotTif(o),
    type: spotType(o),
    side: o.side,
    workingTime: isWorking(o) ? o.createdAt : -1,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
  if (o.stopPrice !== undefined) result.stopPrice = fix8(o.stopPrice);
  if (respType === 'FULL') {
    result.fills = state
      .fillsOf(o.venueOrderId)
      .slice(fillsBefore)
      .map((f) => ({ price: fix8(f.price), qty: fix8(f.qty), commission: fix8(f.fee), commissionAsset: f.feeAsset, tradeId: Number(f.tradeId) }));
  }
  return result;
}

/** `DELETE /api/v3/order` answer; `cancelCid` is the cancel's own client id. */
export function spotOrderCancelled(state: ExchangeState, o: Order, cancelCid: string, transactTime: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    symbol: o.symbol,
    origClientOrderId: state.clientIdOf(o),
    orderId: Number(o.venueOrderId),
    orderListId: listId(o),
    clientOrderId: cancelCid,
    transactTime,
    price: fix8(o.price),
    origQty: fix8(o.qty),
    executedQty: fix8(o.filledQty),
    origQuoteOrderQty: fix8('0'),
    cummulativeQuoteQty: fix8(state.quoteOf(o)),
    status: o.status,
    timeInForce: spotTif(o),
    type: spotType(o),
    side: o.side,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
  if (o.stopPrice !== undefined) out.stopPrice = fix8(o.stopPrice);
  return out;
}

/**
 * An OCO order list (`POST /api/v3/orderList/oco`, `DELETE /api/v3/orderList`): the list, its
 * legs' ids and one report per leg (placement reports, or cancel reports with `cancelCid`).
 */
export function spotOrderList(state: ExchangeState, list: OcoOrder, transactionTime: number, cancel?: { cancelCid: () => string }): Record<string, unknown> {
  const done = list.status !== 'EXECUTING';
  const legs = [list.sl, list.tp];
  return {
    orderListId: Number(list.listId),
    contingencyType: 'OCO',
    listStatusType: done ? 'ALL_DONE' : 'EXEC_STARTED',
    listOrderStatus: done ? 'ALL_DONE' : 'EXECUTING',
    listClientOrderId: list.clientListId,
    transactionTime,
    symbol: list.symbol,
    orders: legs.map((o) => ({ symbol: o.symbol, orderId: Number(o.venueOrderId), clientOrderId: state.clientIdOf(o) })),
    orderReports: legs.map((o) => (cancel ? spotOrderCancelled(state, o, cancel.cancelCid(), transactionTime) : spotOrderPlaced(state, o, 'RESULT', 0))),
  };
}

/** `GET /api/v3/orderList`: the list and its legs' ids. */
export function spotOrderListSummary(state: ExchangeState, list: OcoOrder, transactionTime: number): Record<string, unknown> {
  const { orderReports: _reports, ...summary } = spotOrderList(state, list, transactionTime);
  return summary;
}

/** A UM regular order: `query` (with `avgPrice`, `cumQuote`, `time`) or `result` (new/cancel answers). */
export function umOrder(state: ExchangeState, o: Order, shape: 'query' | 'result'): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  if (shape === 'query') {
    const filled = new D(o.filledQty);
    const quote = state.quoteOf(o);
    base.avgPrice = filled.gt(0) ? new D(quote).div(filled).toFixed(5, D.roundHalfUp) : '0.00000';
    base.cumQuote = plain(quote);
  }
  const out: Record<string, unknown> = {
    ...base,
    clientOrderId: state.clientIdOf(o),
    ...(shape === 'result' ? { cumQty: plain(o.filledQty) } : {}),
    executedQty: plain(o.filledQty),
    orderId: Number(o.venueOrderId),
    origQty: plain(o.qty),
    origType: umRegularType(o),
    price: plain(o.price),
    reduceOnly: o.reduceOnly,
    side: o.side,
    positionSide: 'BOTH',
    status: o.status,
    stopPrice: plain(o.stopPrice),
    closePosition: false,
    symbol: o.symbol,
    ...(shape === 'query' ? { time: o.createdAt } : {}),
    timeInForce: o.timeInForce ?? 'GTC',
    type: umRegularType(o),
    updateTime: o.updatedAt,
    workingType: o.workingType ?? 'CONTRACT_PRICE',
    priceProtect: false,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
  };
  return out;
}

/** UM's regular-order name of an engine type (a triggered algo order keeps its conditional type). */
function umRegularType(o: Order): string {
  return ALGO_TYPES[o.type] ?? o.type;
}

const ALGO_TYPES: Partial<Record<Order['type'], string>> = {
  STOP_MARKET: 'STOP_MARKET',
  TAKE_PROFIT_MARKET: 'TAKE_PROFIT_MARKET',
  STOP_LIMIT: 'STOP',
  TAKE_PROFIT_LIMIT: 'TAKE_PROFIT',
};

/** The Algo Service status of an engine conditional order. */
export function algoStatus(o: Order): string {
  const filled = new D(o.filledQty).gt(0);
  switch (o.status) {
    case 'NEW':
    case 'PARTIALLY_FILLED':
      return filled ? 'TRIGGERED' : 'NEW';
    case 'FILLED':
      return 'FINISHED';
    case 'EXPIRED':
      return filled ? 'FINISHED' : 'EXPIRED';
    default:
      return o.status;
  }
}

/** Whether an algo order has turned into a regular order (so `actualOrderId` is set). */
export function algoTriggered(o: Order): boolean {
  return new D(o.filledQty).gt(0) || o.status === 'FILLED';
}

/** A UM algo order (`POST`/`GET /fapi/v1/algoOrder`, `openAlgoOrders`); queries add `actualOrderId`. */
export function umAlgoOrder(state: ExchangeState, o: Order, query: boolean): Record<string, unknown> {
  const triggered = algoTriggered(o);
  const out: Record<string, unknown> = {
    algoId: Number(o.venueOrderId),
    clientAlgoId: o.clientOrderId,
    algoType: 'CONDITIONAL',
    orderType: ALGO_TYPES[o.type] ?? o.type,
    symbol: o.symbol,
    side: o.side,
    positionSide: 'BOTH',
    timeInForce: o.timeInForce ?? 'GTC',
    quantity: plain(o.qty),
    algoStatus: algoStatus(o),
  };
  if (query) {
    out.actualOrderId = triggered ? o.venueOrderId : '';
    const filled = new D(o.filledQty);
    out.actualPrice = filled.gt(0) ? new D(state.quoteOf(o)).div(filled).toFixed(5, D.roundHalfUp) : '0.00000';
  }
  Object.assign(out, { triggerPrice: plain(o.stopPrice), price: plain(o.price), icebergQuantity: null });
  if (query) Object.assign(out, { tpTriggerPrice: '0.000', tpPrice: '0.000', slTriggerPrice: '0.000', slPrice: '0.000', tpOrderType: '' });
  Object.assign(out, {
    selfTradePreventionMode: 'EXPIRE_MAKER',
    workingType: o.workingType ?? 'CONTRACT_PRICE',
    priceMatch: 'NONE',
    closePosition: false,
    priceProtect: false,
    reduceOnly: o.reduceOnly,
    // The documented query answers leave the trailing-stop fields out.
    ...(query ? {} : { activatePrice: '', callbackRate: '' }),
    createTime: o.createdAt,
    updateTime: o.updatedAt,
    triggerTime: triggered ? o.updatedAt : 0,
    goodTillDate: 0,
  });
  return out;
}

// ───────────────────────────── exchangeInfo ─────────────────────────────

/** `rateLimits` entries for the meter's windows. */
export function rateLimits(windows: { weights: MeterWindow[]; orders: MeterWindow[] }): Record<string, unknown>[] {
  const interval = (ms: number): { interval: string; intervalNum: number } => {
    if (ms % 86_400_000 === 0) return { interval: 'DAY', intervalNum: ms / 86_400_000 };
    if (ms % 3_600_000 === 0) return { interval: 'HOUR', intervalNum: ms / 3_600_000 };
    if (ms % 60_000 === 0) return { interval: 'MINUTE', intervalNum: ms / 60_000 };
    return { interval: 'SECOND', intervalNum: Math.max(1, Math.round(ms / 1000)) };
  };
  return [
    ...windows.weights.map((w) => ({ rateLimitType: 'REQUEST_WEIGHT', ...interval(w.intervalMs), limit: w.limit })),
    ...windows.orders.map((w) => ({ rateLimitType: 'ORDERS', ...interval(w.intervalMs), limit: w.limit })),
  ];
}

function spotStatus(i: Instrument): string {
  return { TRADING: 'TRADING', PRE_TRADING: 'PRE_TRADING', BREAK: 'BREAK', HALTED: 'HALT', DELISTED: 'BREAK' }[i.status];
}

function umStatus(i: Instrument): string {
  return { TRADING: 'TRADING', PRE_TRADING: 'PENDING_TRADING', BREAK: 'SETTLING', HALTED: 'SETTLING', DELISTED: 'CLOSE' }[i.status];
}

/** Which notional filter a Spot symbol publishes: `NOTIONAL` with a maximum, else the legacy `MIN_NOTIONAL`. */
export function spotNotionalFilterName(i: Instrument): 'NOTIONAL' | 'MIN_NOTIONAL' {
  return i.maxNotional === undefined ? 'MIN_NOTIONAL' : 'NOTIONAL';
}

function spotFilters(i: Instrument): Record<string, unknown>[] {
  const filters: Record<string, unknown>[] = [
    { filterType: 'PRICE_FILTER', minPrice: fix8(i.minPrice), maxPrice: fix8(i.maxPrice), tickSize: fix8(i.tickSize) },
    { filterType: 'LOT_SIZE', minQty: fix8(i.minQty), maxQty: fix8(i.maxQty), stepSize: fix8(i.stepSize) },
    { filterType: 'ICEBERG_PARTS', limit: 100 },
    { filterType: 'MARKET_LOT_SIZE', minQty: fix8(i.marketMinQty), maxQty: fix8(i.marketMaxQty), stepSize: fix8(i.marketStepSize) },
  ];
  if (i.percentPrice) {
    filters.push({ filterType: 'PERCENT_PRICE', multiplierUp: i.percentPrice.multiplierUp, multiplierDown: i.percentPrice.multiplierDown, avgPriceMins: 5 });
  }
  if (i.minNotional !== undefined || i.maxNotional !== undefined) {
    filters.push(
      spotNotionalFilterName(i) === 'NOTIONAL'
        ? { filterType: 'NOTIONAL', minNotional: fix8(i.minNotional), applyMinToMarket: true, maxNotional: fix8(i.maxNotional), applyMaxToMarket: false, avgPriceMins: 5 }
        : { filterType: 'MIN_NOTIONAL', minNotional: fix8(i.minNotional), applyToMarket: true, avgPriceMins: 5 },
    );
  }
  filters.push({ filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 }, { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 });
  return filters;
}

/** `GET /api/v3/exchangeInfo`. */
export function spotExchangeInfo(instruments: readonly Instrument[], limits: Record<string, unknown>[], serverTime: number): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: limits,
    exchangeFilters: [],
    symbols: instruments.map((i) => ({
      symbol: i.symbol,
      status: spotStatus(i),
      baseAsset: i.base,
      baseAssetPrecision: 8,
      quoteAsset: i.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: false,
      opoAllowed: false,
      quoteOrderQtyMarketAllowed: false,
      allowTrailingStop: false,
      cancelReplaceAllowed: false,
      amendAllowed: false,
      pegInstructionsAllowed: false,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: spotFilters(i),
      permissions: [],
      permissionSets: [['SPOT']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    })),
    sors: [],
  };
}

function decimals(step: string): number {
  const t = new D(step).toFixed();
  return t.includes('.') ? t.split('.')[1]!.length : 0;
}

function umFilters(i: Instrument): Record<string, unknown>[] {
  const filters: Record<string, unknown>[] = [
    { filterType: 'PRICE_FILTER', minPrice: plain(i.minPrice), maxPrice: plain(i.maxPrice), tickSize: plain(i.tickSize) },
    { filterType: 'LOT_SIZE', minQty: plain(i.minQty), maxQty: plain(i.maxQty), stepSize: plain(i.stepSize) },
    {
      filterType: 'MARKET_LOT_SIZE',
      minQty: plain(i.marketMinQty ?? i.minQty),
      maxQty: plain(i.marketMaxQty ?? i.maxQty),
      stepSize: plain(i.marketStepSize ?? i.stepSize),
    },
    { filterType: 'MAX_NUM_ORDERS', limit: 200 },
  ];
  if (i.minNotional !== undefined) filters.push({ filterType: 'MIN_NOTIONAL', notional: i.minNotional });
  if (i.percentPrice) {
    filters.push({ filterType: 'PERCENT_PRICE', multiplierUp: i.percentPrice.multiplierUp, multiplierDown: i.percentPrice.multiplierDown, multiplierDecimal: '4' });
  }
  return filters;
}

/** `GET /fapi/v1/exchangeInfo` (perpetual contracts only). */
export function umExchangeInfo(instruments: readonly Instrument[], limits: Record<string, unknown>[], serverTime: number): Record<string, unknown> {
  const quotes = [...new Set(instruments.map((i) => i.quote))];
  return {
    timezone: 'UTC',
    serverTime,
    futuresType: 'U_MARGINED',
    rateLimits: limits,
    exchangeFilters: [],
    assets: quotes.map((asset) => ({ asset, marginAvailable: true, autoAssetExchange: '0' })),
    symbols: instruments.map((i) => ({
      symbol: i.symbol,
      pair: i.symbol,
      contractType: 'PERPETUAL',
      deliveryDate: 4133404800000,
      onboardDate: 1569398400000,
      status: umStatus(i),
      maintMarginPercent: '2.5000',
      requiredMarginPercent: '5.0000',
      baseAsset: i.base,
      quoteAsset: i.quote,
      marginAsset: i.quote,
      pricePrecision: decimals(i.tickSize),
      quantityPrecision: decimals(i.stepSize),
      baseAssetPrecision: 8,
      quotePrecision: 8,
      underlyingType: 'COIN',
      underlyingSubType: [],
      triggerProtect: '0.0500',
      liquidationFee: '0.012500',
      marketTakeBound: '0.05',
      settlePlan: 0,
      filters: umFilters(i),
      orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
      timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
    })),
  };
}

/** The largest position notional allowed at `leverage` by the brackets (`maxNotionalValue`). */
export function maxNotionalAt(brackets: readonly LeverageBracket[], leverage: number): string {
  let max = new D(0);
  for (const b of brackets) if (b.initialLeverage >= leverage && new D(b.notionalCap).gt(max)) max = new D(b.notionalCap);
  return max.toFixed();
}

/** `GET /fapi/v1/leverageBracket` element of one symbol, with Binance's cumulative `cum`. */
export function umLeverageBrackets(i: Instrument): Record<string, unknown> {
  let cum = new D(0);
  let prevRate = new D(0);
  const sorted = [...i.leverageBrackets].sort((a, b) => a.bracket - b.bracket);
  return {
    symbol: i.symbol,
    // Binance's multiplier of the user's notional limits relative to the symbol's (1: standard account).
    notionalCoef: 1,
    brackets: sorted.map((b) => {
      // cum_n = cum_{n-1} + floor_n × (mmr_n − mmr_{n-1}): the maintenance amount that keeps the formula continuous.
      cum = cum.plus(new D(b.notionalFloor).times(new D(b.maintMarginRatio).minus(prevRate)));
      prevRate = new D(b.maintMarginRatio);
      return {
        bracket: b.bracket,
        initialLeverage: b.initialLeverage,
        notionalCap: Number(b.notionalCap),
        notionalFloor: Number(b.notionalFloor),
        maintMarginRatio: Number(b.maintMarginRatio),
        cum: Number(cum.toFixed()),
      };
    }),
  };
}
