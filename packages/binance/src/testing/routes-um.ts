/**
 * The USDⓈ-M REST endpoints of the local exchange (`/fapi/*`, BINANCE.md §4c–§4d) over the
 * paper engine's FUT market: regular LIMIT/MARKET orders on `/fapi/v1/order` (conditional types
 * there answer `-4120`), conditional orders through the Algo Service endpoints, positions v3,
 * balances v3, symbol settings, leverage, margin type, funding and trades.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { Order, OrderRef, OrderType, PaperOrderRequest, Position } from '@chimera/core';
import { UM_CLIENT_ORDER_ID_PATTERN } from '../rest/client-order-id.js';
import type { ExchangeState } from './exchange-state.js';
import { algoTriggered, maxNotionalAt, rateLimits, umAlgoOrder, umExchangeInfo, umLeverageBrackets, umOrder } from './render.js';
import type { RequestParams } from './request-params.js';
import { checkUmPrecision, instrumentOf, limitOf, page, windowOf, type DepthSource, type Route } from './route.js';
import type { UsageMeter } from './usage-meter.js';
import { BinanceWireError, illegal, mandatory, notRequired } from './wire-error.js';

const D = Big();
const SIDES = ['BUY', 'SELL'] as const;
const WEEK_MS = 7 * 24 * 3_600_000;
const WEEK_SPAN = 'More than 7 days between startTime and endTime.';
const CONDITIONAL = ['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'];
const ALGO_TYPE: Record<string, OrderType> = { STOP_MARKET: 'STOP_MARKET', TAKE_PROFIT_MARKET: 'TAKE_PROFIT_MARKET', STOP: 'STOP_LIMIT', TAKE_PROFIT: 'TAKE_PROFIT_LIMIT' };
const UM_DEPTH = [5, 10, 20, 50, 100, 500, 1000];

function side(p: RequestParams): 'BUY' | 'SELL' {
  return p.oneOf('side', SIDES, -1100, "Illegal characters found in parameter 'side'; legal range is 'BUY, SELL'.")!;
}

function clientId(p: RequestParams, name: string, state: ExchangeState): string {
  const cid = p.opt(name);
  if (cid === undefined) return state.newClientId();
  if (!UM_CLIENT_ORDER_ID_PATTERN.test(cid)) throw new BinanceWireError(400, -4015, 'Client order id is not valid.');
  return cid;
}

function oneWay(p: RequestParams): void {
  const ps = p.opt('positionSide');
  if (ps !== undefined && ps !== 'BOTH') throw new BinanceWireError(400, -4061, "Order's position side does not match user's setting.");
}

const unknownOrder = (): BinanceWireError => new BinanceWireError(400, -2011, 'Unknown order sent.');
const noSuchOrder = (): BinanceWireError => new BinanceWireError(400, -2013, 'Order does not exist.');

/**
 * A regular order by `orderId` or `origClientOrderId`. Algo orders are not regular orders: by
 * client id never, by id only once their trigger has created the real order.
 */
function findRegular(p: RequestParams, state: ExchangeState, symbol: string, missing: () => BinanceWireError): Order {
  const orderId = p.int('orderId');
  const cid = p.opt('origClientOrderId');
  if (orderId === undefined && cid === undefined) throw new BinanceWireError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
  const ref: OrderRef = orderId !== undefined ? { market: 'FUT', symbol, venueOrderId: String(orderId) } : { market: 'FUT', symbol, clientOrderId: cid! };
  let o: Order;
  try {
    o = state.engine.getOrder(ref);
  } catch {
    throw missing();
  }
  if (state.isAlgo(o.venueOrderId) && (orderId === undefined || !algoTriggered(o))) throw missing();
  return o;
}

function findAlgo(p: RequestParams, state: ExchangeState, missing: () => BinanceWireError): Order {
  const algoId = p.int('algoId');
  const clientAlgoId = p.opt('clientAlgoId');
  if (algoId === undefined && clientAlgoId === undefined) throw mandatory('algoId');
  const found = state.findAlgo(algoId !== undefined ? { algoId: String(algoId) } : { clientAlgoId: clientAlgoId! });
  if (!found) throw missing();
  return state.engine.getOrder({ market: 'FUT', symbol: found.symbol, venueOrderId: found.id });
}

function placeOrder(p: RequestParams, state: ExchangeState): unknown {
  const inst = instrumentOf(state, 'FUT', p.opt('symbol'));
  const s = side(p);
  const type = p.req('type');
  if (CONDITIONAL.includes(type)) {
    throw new BinanceWireError(400, -4120, 'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.');
  }
  if (type !== 'LIMIT' && type !== 'MARKET') throw new BinanceWireError(400, -1116, 'Invalid orderType.');
  oneWay(p);
  for (const unsupported of ['priceMatch', 'closePosition', 'goodTillDate']) {
    if (p.has(unsupported)) throw new BinanceWireError(400, -1100, `Illegal characters found in parameter '${unsupported}'; the local exchange does not support it.`);
  }
  if (p.has('stopPrice')) throw notRequired('stopPrice');
  const qty = p.decimal('quantity', true);
  checkUmPrecision(qty, inst.stepSize);
  const cid = clientId(p, 'newClientOrderId', state);
  const respType = p.oneOf('newOrderRespType', ['ACK', 'RESULT'] as const, -1100, "Illegal characters found in parameter 'newOrderRespType'; legal range is 'ACK, RESULT'.", false) ?? 'ACK';
  const req: PaperOrderRequest = { market: 'FUT', symbol: inst.symbol, side: s, type, qty, clientOrderId: cid, reduceOnly: p.bool('reduceOnly') };
  if (type === 'LIMIT') {
    const tif = p.oneOf('timeInForce', ['GTC', 'IOC', 'FOK', 'GTX'] as const, -1115, 'Invalid timeInForce.')!;
    req.timeInForce = tif;
    req.postOnly = tif === 'GTX';
    req.price = p.decimal('price', true);
    checkUmPrecision(req.price, inst.tickSize);
  } else {
    if (p.has('price')) throw notRequired('price');
    if (p.has('timeInForce')) throw notRequired('timeInForce');
  }
  const order = state.engine.placeOrder(req);
  // An ACK answer shows the order as accepted, before it worked against the book.
  const shown: Order = respType === 'ACK' ? { ...order, status: 'NEW', filledQty: '0', updatedAt: order.createdAt } : order;
  return umOrder(state, shown, 'result');
}

function placeAlgo(p: RequestParams, state: ExchangeState): unknown {
  p.oneOf('algoType', ['CONDITIONAL'] as const, -1116, 'Invalid algoType.');
  const inst = instrumentOf(state, 'FUT', p.opt('symbol'));
  const s = side(p);
  const wireType = p.req('type');
  const type = ALGO_TYPE[wireType];
  if (type === undefined) {
    throw new BinanceWireError(400, -1116, wireType === 'TRAILING_STOP_MARKET' ? 'Invalid orderType. (TRAILING_STOP_MARKET is not supported by the local exchange)' : 'Invalid orderType.');
  }
  oneWay(p);
  if (p.bool('closePosition')) throw new BinanceWireError(400, -1100, "Illegal characters found in parameter 'closePosition'; the local exchange does not support it.");
  const qty = p.decimal('quantity', true);
  checkUmPrecision(qty, inst.stepSize);
  const triggerPrice = p.decimal('triggerPrice', true);
  checkUmPrecision(triggerPrice, inst.tickSize);
  const cid = clientId(p, 'clientAlgoId', state);
  const workingType = p.oneOf('workingType', ['MARK_PRICE', 'CONTRACT_PRICE'] as const, -1100, "Illegal characters found in parameter 'workingType'; legal range is 'MARK_PRICE, CONTRACT_PRICE'.", false) ?? 'CONTRACT_PRICE';
  const req: PaperOrderRequest = { market: 'FUT', symbol: inst.symbol, side: s, type, qty, stopPrice: triggerPrice, workingType, clientOrderId: cid, reduceOnly: p.bool('reduceOnly') };
  if (type === 'STOP_LIMIT' || type === 'TAKE_PROFIT_LIMIT') {
    req.price = p.decimal('price', true);
    checkUmPrecision(req.price, inst.tickSize);
    req.timeInForce = p.oneOf('timeInForce', ['GTC', 'IOC', 'FOK', 'GTX'] as const, -1115, 'Invalid timeInForce.', false) ?? 'GTC';
  } else if (p.has('price')) {
    throw notRequired('price');
  }
  const order = state.engine.placeOrder(req);
  state.addAlgo(order);
  return umAlgoOrder(state, order, false);
}

/** A `positionRisk` v3 row of an engine position. */
function positionRow(p: Position, state: ExchangeState): Record<string, unknown> {
  const mark = new D(p.markPrice ?? (p.entryPrice === '0' ? '0' : p.entryPrice));
  const notional = new D(p.qty).times(mark);
  const initial = notional.abs().div(p.leverage);
  const isolated = p.marginType === 'ISOLATED';
  return {
    symbol: p.symbol,
    positionSide: 'BOTH',
    positionAmt: p.qty,
    entryPrice: p.entryPrice,
    breakEvenPrice: p.entryPrice,
    markPrice: mark.toFixed(8),
    unRealizedProfit: new D(p.unrealizedPnl).toFixed(8),
    liquidationPrice: p.liquidationPrice ?? '0',
    isolatedMargin: isolated ? new D(p.isolatedMargin ?? '0').plus(p.unrealizedPnl).toFixed(8) : '0',
    notional: notional.toFixed(8),
    marginAsset: 'USDT',
    isolatedWallet: isolated ? new D(p.isolatedMargin ?? '0').toFixed(8) : '0',
    initialMargin: initial.toFixed(8),
    maintMargin: '0',
    positionInitialMargin: initial.toFixed(8),
    openOrderInitialMargin: '0',
    adl: 0,
    bidNotional: '0',
    askNotional: '0',
    updateTime: p.updatedAt ?? state.clock.now(),
  };
}

/**
 * The UM routes.
 * @param meter - The UM usage meter (for `exchangeInfo.rateLimits`).
 * @param depth - The published depth `GET /fapi/v1/depth` serves.
 */
export function umRoutes(meter: UsageMeter, depth: DepthSource): Route[] {
  const pub = (path: string, weight: Route['weight'], handle: Route['handle']): Route => ({ method: 'GET', path, signed: false, weight, handle });
  const get = (path: string, weight: Route['weight'], handle: Route['handle']): Route => ({ method: 'GET', path, signed: true, weight, handle });
  const regularOnly = (orders: Order[], state: ExchangeState): Order[] => orders.filter((o) => !state.isAlgo(o.venueOrderId) || algoTriggered(o));
  return [
    pub('/fapi/v1/ping', 1, () => ({})),
    pub('/fapi/v1/time', 1, ({ state }) => ({ serverTime: state.serverTime() })),
    pub('/fapi/v1/exchangeInfo', 1, ({ state }) => umExchangeInfo(state.engine.instruments('FUT'), rateLimits(meter.windows()), state.serverTime())),
    pub(
      '/fapi/v1/depth',
      (p) => {
        const limit = Number(p.opt('limit') ?? 500);
        return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
      },
      ({ params, state }) => {
        const inst = instrumentOf(state, 'FUT', params.opt('symbol'));
        const limit = params.int('limit') ?? 500;
        if (!UM_DEPTH.includes(limit)) throw illegal('limit', UM_DEPTH.join(', '));
        const book = depth('FUT', inst.symbol, limit);
        const now = state.clock.now();
        return { lastUpdateId: book.lastUpdateId, E: book.E ?? now, T: book.T ?? now, bids: book.bids, asks: book.asks };
      },
    ),
    pub(
      '/fapi/v1/ticker/bookTicker',
      (p) => (p.has('symbol') ? 2 : 5),
      ({ params, state }) => {
        const one = (symbol: string): unknown => {
          const t = state.engine.ticker('FUT', symbol);
          return { symbol, bidPrice: t.bid, bidQty: t.bidQty, askPrice: t.ask, askQty: t.askQty, time: t.eventTime };
        };
        const symbol = params.opt('symbol');
        if (symbol !== undefined) return one(instrumentOf(state, 'FUT', symbol).symbol);
        return state.engine.instruments('FUT').flatMap((i) => {
          try {
            return [one(i.symbol)];
          } catch {
            return [];
          }
        });
      },
    ),
    pub(
      '/fapi/v1/premiumIndex',
      (p) => (p.has('symbol') ? 1 : 10),
      ({ params, state }) => {
        const one = (symbol: string): unknown => {
          const m = state.engine.markPrice(symbol);
          return {
            symbol,
            markPrice: m.markPrice,
            indexPrice: m.indexPrice ?? m.markPrice,
            estimatedSettlePrice: m.indexPrice ?? m.markPrice,
            lastFundingRate: m.fundingRate,
            interestRate: '0.00010000',
            nextFundingTime: m.nextFundingTime,
            time: m.eventTime,
          };
        };
        const symbol = params.opt('symbol');
        if (symbol !== undefined) return one(instrumentOf(state, 'FUT', symbol).symbol);
        return state.engine.instruments('FUT').flatMap((i) => {
          try {
            return [one(i.symbol)];
          } catch {
            return [];
          }
        });
      },
    ),
    pub('/fapi/v1/fundingRate', 1, ({ params, state }) => {
      const symbol = params.opt('symbol');
      const window = windowOf(params, undefined, WEEK_SPAN);
      const limit = limitOf(params, 100, 1000);
      const symbols = symbol !== undefined ? [instrumentOf(state, 'FUT', symbol).symbol] : state.engine.instruments('FUT').map((i) => i.symbol);
      const rows = symbols.flatMap((s) => state.engine.fundingRates(s, window)).sort((a, b) => a.fundingTime - b.fundingTime);
      const picked = window.startTime !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
      return picked.map((r) => ({ symbol: r.symbol, fundingRate: new D(r.rate).toFixed(8), fundingTime: r.fundingTime, markPrice: r.markPrice ?? '' }));
    }),

    { method: 'POST', path: '/fapi/v1/order', signed: true, weight: 0, orders: 1, handle: ({ params, state }) => placeOrder(params, state) },
    {
      method: 'DELETE',
      path: '/fapi/v1/order',
      signed: true,
      weight: 1,
      handle: ({ params, state }) => {
        const inst = instrumentOf(state, 'FUT', params.opt('symbol'));
        const o = findRegular(params, state, inst.symbol, unknownOrder);
        return umOrder(state, state.engine.cancelOrder({ market: 'FUT', symbol: inst.symbol, venueOrderId: o.venueOrderId }), 'result');
      },
    },
    get('/fapi/v1/order', 1, ({ params, state }) => {
      const inst = instrumentOf(state, 'FUT', params.opt('symbol'));
      return umOrder(state, findRegular(params, state, inst.symbol, noSuchOrder), 'query');
    }),
    get(
      '/fapi/v1/openOrders',
      (p) => (p.has('symbol') ? 1 : 40),
      ({ params, state }) => {
        const symbol = params.opt('symbol');
        if (symbol !== undefined) instrumentOf(state, 'FUT', symbol);
        return regularOnly(state.engine.openOrders('FUT', symbol), state).map((o) => umOrder(state, o, 'query'));
      },
    ),
    get('/fapi/v1/allOrders', 5, ({ params, state }) => {
      const inst = instrumentOf(state, 'FUT', params.opt('symbol'));
      const window = windowOf(params, WEEK_MS, WEEK_SPAN);
      const rows = regularOnly(state.engine.orderHistory('FUT', inst.symbol, window), state);
      return page(rows, (o) => o.venueOrderId, params.int('orderId'), window.startTime !== undefined, limitOf(params, 500, 1000)).map((o) => umOrder(state, o, 'query'));
    }),

    { method: 'POST', path: '/fapi/v1/algoOrder', signed: true, weight: 0, orders: 1, handle: ({ params, state }) => placeAlgo(params, state) },
    {
      method: 'DELETE',
      path: '/fapi/v1/algoOrder',
      signed: true,
      weight: 1,
      handle: ({ params, state }) => {
        const o = findAlgo(params, state, unknownOrder);
        const done = state.engine.cancelOrder({ market: 'FUT', symbol: o.symbol, venueOrderId: o.venueOrderId });
        return { algoId: Number(done.venueOrderId), clientAlgoId: done.clientOrderId, code: '200', msg: 'success' };
      },
    },
    get('/fapi/v1/algoOrder', 1, ({ params, state }) => umAlgoOrder(state, findAlgo(params, state, noSuchOrder), true)),
    get(
      '/fapi/v1/openAlgoOrders',
      (p) => (p.has('symbol') ? 1 : 40),
      ({ params, state }) => {
        const symbol = params.opt('symbol');
        if (symbol !== undefined) instrumentOf(state, 'FUT', symbol);
        // A triggered algo order is a regular order now: it is listed by openOrders only.
        return state.engine
          .openOrders('FUT', symbol)
          .filter((o) => state.isAlgo(o.venueOrderId) && !algoTriggered(o))
          .map((o) => umAlgoOrder(state, o, true));
      },
    ),
    get('/fapi/v1/allAlgoOrders', 5, ({ params, state }) => {
      const inst = instrumentOf(state, 'FUT', params.opt('symbol'));
      const window = windowOf(params, WEEK_MS, WEEK_SPAN);
      const rows = state.engine.orderHistory('FUT', inst.symbol, window).filter((o) => state.isAlgo(o.venueOrderId));
      return page(rows, (o) => o.venueOrderId, params.int('algoId'), window.startTime !== undefined, limitOf(params, 500, 1000)).map((o) => umAlgoOrder(state, o, true));
    }),

    get('/fapi/v3/positionRisk', 5, ({ params, state }) => {
      const symbol = params.opt('symbol');
      const symbols = symbol !== undefined ? [instrumentOf(state, 'FUT', symbol).symbol] : state.engine.instruments('FUT').map((i) => i.symbol);
      const withOrders = new Set(state.engine.openOrders('FUT').map((o) => o.symbol));
      // v3 lists only symbols with a position or open orders.
      return symbols
        .map((s) => state.engine.positions(s)[0]!)
        .filter((p) => !new D(p.qty).eq(0) || withOrders.has(p.symbol))
        .map((p) => positionRow(p, state));
    }),
    get('/fapi/v3/balance', 5, ({ state }) =>
      state.engine.balances('FUT').map((b) => {
        const total = new D(b.free).plus(b.locked).toFixed(8);
        const free = new D(b.free).toFixed(8);
        return {
          accountAlias: 'SgsR',
          asset: b.asset,
          balance: total,
          crossWalletBalance: total,
          crossUnPnl: '0.00000000',
          availableBalance: free,
          maxWithdrawAmount: free,
          marginAvailable: true,
          updateTime: state.clock.now(),
        };
      }),
    ),
    get('/fapi/v1/symbolConfig', 5, ({ params, state }) => {
      const symbol = params.opt('symbol');
      const list = symbol !== undefined ? [instrumentOf(state, 'FUT', symbol)] : state.engine.instruments('FUT');
      return list.map((i) => {
        const p = state.engine.positions(i.symbol)[0]!;
        return { symbol: i.symbol, marginType: p.marginType, isAutoAddMargin: false, leverage: p.leverage, maxNotionalValue: maxNotionalAt(i.leverageBrackets, p.leverage) };
      });
    }),
    get('/fapi/v1/leverageBracket', 1, ({ params, state }) => {
      const symbol = params.opt('symbol');
      if (symbol !== undefined) return umLeverageBrackets(instrumentOf(state, 'FUT', symbol));
      return state.engine.instruments('FUT').map((i) => umLeverageBrackets(i));
    }),
    {
      method: 'POST',
      path: '/fapi/v1/leverage',
      signed: true,
      weight: 1,
      handle: ({ params, state }) => {
        const inst = instrumentOf(state, 'FUT', params.opt('symbol'));
        const leverage = params.int('leverage', true);
        state.engine.setLeverage(inst.symbol, leverage);
        return { leverage, maxNotionalValue: maxNotionalAt(inst.leverageBrackets, leverage), symbol: inst.symbol };
      },
    },
    {
      method: 'POST',
      path: '/fapi/v1/marginType',
      signed: true,
      weight: 1,
      handle: ({ params, state }) => {
        const inst = instrumentOf(state, 'FUT', params.opt('symbol'));
        const marginType = params.oneOf('marginType', ['ISOLATED', 'CROSSED'] as const, -1100, "Illegal characters found in parameter 'marginType'; legal range is 'ISOLATED, CROSSED'.")!;
        if (state.engine.positions(inst.symbol)[0]!.marginType === marginType) throw new BinanceWireError(400, -4046, 'No need to change margin type.');
        if (state.engine.openOrders('FUT', inst.symbol).length > 0) throw new BinanceWireError(400, -4047, 'Margin type cannot be changed if there exists open orders.');
        state.engine.setMarginType(inst.symbol, marginType);
        return { code: 200, msg: 'success' };
      },
    },
    get('/fapi/v1/income', 30, ({ params, state }) => {
      const symbol = params.opt('symbol');
      if (symbol !== undefined) instrumentOf(state, 'FUT', symbol);
      const incomeType = params.opt('incomeType');
      const window = windowOf(params, undefined, WEEK_SPAN);
      const limit = limitOf(params, 100, 1000);
      // The paper engine books funding only; other income types have no rows here.
      const rows = incomeType !== undefined && incomeType !== 'FUNDING_FEE' ? [] : state.engine.fundingIncome({ ...window, ...(symbol === undefined ? {} : { symbol }) });
      const picked = window.startTime !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
      return picked.map((r) => ({
        symbol: r.symbol,
        incomeType: 'FUNDING_FEE',
        income: new D(r.amount).toFixed(8),
        asset: 'USDT',
        info: 'FUNDING_FEE',
        time: r.fundingTime,
        tranId: Number(r.tranId ?? 0),
        tradeId: '',
      }));
    }),
    get('/fapi/v1/userTrades', 5, ({ params, state }) => {
      const inst = instrumentOf(state, 'FUT', params.opt('symbol'));
      const window = windowOf(params, WEEK_MS, WEEK_SPAN);
      const orderId = params.int('orderId');
      let fills = state.engine.fills('FUT', inst.symbol, window);
      if (orderId !== undefined) fills = fills.filter((f) => f.venueOrderId === String(orderId));
      return page(fills, (f) => f.tradeId, params.int('fromId'), window.startTime !== undefined, limitOf(params, 500, 1000)).map((f) => ({
        buyer: f.side === 'BUY',
        commission: new D(f.fee).toFixed(8),
        commissionAsset: f.feeAsset,
        id: Number(f.tradeId),
        maker: f.isMaker,
        orderId: Number(f.venueOrderId),
        price: f.price,
        qty: f.qty,
        quoteQty: new D(f.price).times(f.qty).toFixed(),
        realizedPnl: '0',
        side: f.side,
        positionSide: 'BOTH',
        symbol: f.symbol,
        time: f.ts,
      }));
    }),
  ];
}
