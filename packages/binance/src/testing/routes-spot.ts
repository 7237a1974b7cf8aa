/**
 * The Spot REST endpoints of the local exchange (`/api/v3/*`, BINANCE.md §4a–§4b) over the paper
 * engine's SPOT market, with Binance's parameter rules, weights and answer shapes.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { OrderRef, PaperOrderRequest } from '@chimera/core';
import { SPOT_CLIENT_ORDER_ID_PATTERN } from '../rest/client-order-id.js';
import type { ExchangeState } from './exchange-state.js';
import {
  fix8,
  rateLimits,
  spotExchangeInfo,
  spotOrderCancelled,
  spotOrderList,
  spotOrderListSummary,
  spotOrderPlaced,
  spotOrderQuery,
} from './render.js';
import type { RequestParams } from './request-params.js';
import { checkSpotPrecision, instrumentOf, limitOf, page, windowOf, type DepthSource, type Route } from './route.js';
import type { UsageMeter } from './usage-meter.js';
import { BinanceWireError, illegal, invalidSymbol, mandatory, notRequired } from './wire-error.js';

const SIDES = ['BUY', 'SELL'] as const;
const TYPES = ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const;
const TIFS = ['GTC', 'IOC', 'FOK'] as const;
const DAY_MS = 24 * 3_600_000;
const DAY_SPAN = 'More than 24 hours between startTime and endTime.';

function side(p: RequestParams): 'BUY' | 'SELL' {
  return p.oneOf('side', SIDES, -1100, "Illegal characters found in parameter 'side'; legal range is 'BUY, SELL'.")!;
}

function tif(p: RequestParams): 'GTC' | 'IOC' | 'FOK' {
  return p.oneOf('timeInForce', TIFS, -1115, 'Invalid timeInForce.')!;
}

function clientId(p: RequestParams, name: string, state: ExchangeState): string {
  const cid = p.opt(name);
  if (cid === undefined) return state.newClientId();
  if (!SPOT_CLIENT_ORDER_ID_PATTERN.test(cid)) throw illegal(name, '^[a-zA-Z0-9-_]{1,36}$');
  return cid;
}

/** The order a query or cancel names: `orderId` first, else `origClientOrderId`. */
function orderRef(p: RequestParams, state: ExchangeState, symbol: string): OrderRef {
  const orderId = p.int('orderId');
  if (orderId !== undefined) return { market: 'SPOT', symbol, venueOrderId: String(orderId) };
  const cid = p.opt('origClientOrderId');
  if (cid === undefined) throw new BinanceWireError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
  return { market: 'SPOT', symbol, clientOrderId: state.engineCid('SPOT', cid) };
}

function placeOrder(p: RequestParams, state: ExchangeState): unknown {
  const inst = instrumentOf(state, 'SPOT', p.opt('symbol'));
  const s = side(p);
  const type = p.oneOf('type', TYPES, -1116, 'Invalid orderType.')!;
  for (const unsupported of ['quoteOrderQty', 'trailingDelta', 'icebergQty', 'strategyId', 'pegPriceType']) {
    if (p.has(unsupported)) throw new BinanceWireError(400, -1100, `Illegal characters found in parameter '${unsupported}'; the local exchange does not support it.`);
  }
  const qty = p.decimal('quantity', true);
  checkSpotPrecision('quantity', qty);
  const cid = clientId(p, 'newClientOrderId', state);
  const respType =
    p.oneOf('newOrderRespType', ['ACK', 'RESULT', 'FULL'] as const, -1100, "Illegal characters found in parameter 'newOrderRespType'; legal range is 'ACK, RESULT, FULL'.", false) ??
    (type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK');
  const req: PaperOrderRequest = { market: 'SPOT', symbol: inst.symbol, side: s, type: 'LIMIT', qty, clientOrderId: cid };
  const needs = { price: false, stopPrice: false, tif: false };
  switch (type) {
    case 'LIMIT':
      needs.price = needs.tif = true;
      break;
    case 'LIMIT_MAKER':
      needs.price = true;
      req.postOnly = true;
      break;
    case 'MARKET':
      req.type = 'MARKET';
      break;
    case 'STOP_LOSS':
    case 'TAKE_PROFIT':
      needs.stopPrice = true;
      req.type = type === 'STOP_LOSS' ? 'STOP_MARKET' : 'TAKE_PROFIT_MARKET';
      break;
    case 'STOP_LOSS_LIMIT':
    case 'TAKE_PROFIT_LIMIT':
      needs.price = needs.stopPrice = needs.tif = true;
      req.type = type === 'STOP_LOSS_LIMIT' ? 'STOP_LIMIT' : 'TAKE_PROFIT_LIMIT';
      break;
  }
  if (needs.price) req.price = p.decimal('price', true);
  else if (p.has('price')) throw notRequired('price');
  if (needs.stopPrice) req.stopPrice = p.decimal('stopPrice', true);
  else if (p.has('stopPrice')) throw notRequired('stopPrice');
  if (needs.tif) req.timeInForce = tif(p);
  else if (p.has('timeInForce')) throw notRequired('timeInForce');
  checkSpotPrecision('price', req.price);
  checkSpotPrecision('stopPrice', req.stopPrice);
  state.unalias('SPOT', cid);
  const order = state.engine.placeOrder(req);
  return spotOrderPlaced(state, order, respType, 0);
}

const OCO_ABOVE = ['STOP_LOSS_LIMIT', 'STOP_LOSS', 'LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const;
const OCO_BELOW = ['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const;

interface OcoLeg {
  type: string;
  clientOrderId: string | undefined;
  price: string | undefined;
  stopPrice: string | undefined;
  timeInForce: 'GTC' | 'IOC' | 'FOK' | undefined;
}

function ocoLeg(p: RequestParams, prefix: 'above' | 'below', allowed: readonly string[]): OcoLeg {
  const type = p.oneOf(`${prefix}Type`, allowed, -1116, 'Invalid orderType.')!;
  const cid = p.opt(`${prefix}ClientOrderId`);
  if (cid !== undefined && !SPOT_CLIENT_ORDER_ID_PATTERN.test(cid)) throw illegal(`${prefix}ClientOrderId`, '^[a-zA-Z0-9-_]{1,36}$');
  const price = p.decimal(`${prefix}Price`);
  const stopPrice = p.decimal(`${prefix}StopPrice`);
  checkSpotPrecision(`${prefix}Price`, price);
  checkSpotPrecision(`${prefix}StopPrice`, stopPrice);
  const timeInForce = p.oneOf(`${prefix}TimeInForce`, TIFS, -1115, 'Invalid timeInForce.', false);
  if ((type === 'LIMIT_MAKER' || type.endsWith('_LIMIT')) && price === undefined) throw mandatory(`${prefix}Price`);
  if (type !== 'LIMIT_MAKER' && stopPrice === undefined) throw mandatory(`${prefix}StopPrice`);
  if (type.endsWith('_LIMIT') && timeInForce === undefined) throw mandatory(`${prefix}TimeInForce`);
  return { type, clientOrderId: cid, price, stopPrice, timeInForce };
}

function placeOco(p: RequestParams, state: ExchangeState): unknown {
  const inst = instrumentOf(state, 'SPOT', p.opt('symbol'));
  const s = side(p);
  const qty = p.decimal('quantity', true);
  checkSpotPrecision('quantity', qty);
  const above = ocoLeg(p, 'above', OCO_ABOVE);
  const below = ocoLeg(p, 'below', OCO_BELOW);
  const isStop = (l: OcoLeg): boolean => l.type === 'STOP_LOSS' || l.type === 'STOP_LOSS_LIMIT';
  if (isStop(above) === isStop(below)) {
    throw new BinanceWireError(400, -1167, 'An OCO needs one STOP_LOSS / STOP_LOSS_LIMIT leg and one LIMIT_MAKER / TAKE_PROFIT / TAKE_PROFIT_LIMIT leg.');
  }
  const sl = isStop(above) ? above : below;
  const tp = isStop(above) ? below : above;
  const listCid = clientId(p, 'listClientOrderId', state);
  // The engine rests the take-profit as a maker limit at its price; a TAKE_PROFIT market leg at its trigger.
  const tpPrice = tp.type === 'TAKE_PROFIT' ? tp.stopPrice! : tp.price!;
  // The engine names the legs `<list>-tp` / `<list>-sl` and reports them (to the user streams)
  // while it places them: the client's leg ids must be known before, not after.
  const legIds: [OcoLeg, string][] = [
    [tp, `${listCid}-tp`],
    [sl, `${listCid}-sl`],
  ];
  for (const [leg, engineCid] of legIds) if (leg.clientOrderId !== undefined) state.alias('SPOT', leg.clientOrderId, engineCid);
  let list;
  try {
    list = state.engine.placeOco({
      symbol: inst.symbol,
      side: s,
      qty,
      tpPrice,
      slStopPrice: sl.stopPrice!,
      ...(sl.type === 'STOP_LOSS_LIMIT' ? { slLimitPrice: sl.price! } : {}),
      legTimeInForce: sl.timeInForce ?? tp.timeInForce ?? 'GTC',
      clientListId: listCid,
    });
  } catch (err) {
    for (const [leg] of legIds) if (leg.clientOrderId !== undefined) state.unalias('SPOT', leg.clientOrderId);
    throw err;
  }
  if (tp.clientOrderId !== undefined) state.alias('SPOT', tp.clientOrderId, list.tp.clientOrderId);
  if (sl.clientOrderId !== undefined) state.alias('SPOT', sl.clientOrderId, list.sl.clientOrderId);
  state.addList({ symbol: list.symbol, clientListId: list.clientListId, listId: list.listId });
  return spotOrderList(state, list, state.clock.now());
}

function listLocation(p: RequestParams, state: ExchangeState, cidName: string, missing: BinanceWireError): { symbol: string; clientListId: string } {
  const listId = p.int('orderListId');
  const cid = p.opt(cidName);
  if (listId === undefined && cid === undefined) throw new BinanceWireError(400, -1102, `Param '${cidName}' or 'orderListId' must be sent, but both were empty/null!`);
  const loc = state.findList(listId !== undefined ? { listId: String(listId) } : { clientListId: cid! });
  if (!loc) throw missing;
  return loc;
}

/**
 * The Spot routes.
 * @param meter - The Spot usage meter (for `exchangeInfo.rateLimits`).
 * @param depth - The published depth `GET /api/v3/depth` serves (prices padded to 8 decimals).
 */
export function spotRoutes(meter: UsageMeter, depth: DepthSource): Route[] {
  const pub = (path: string, weight: Route['weight'], handle: Route['handle']): Route => ({ method: 'GET', path, signed: false, weight, handle });
  return [
    pub('/api/v3/ping', 1, () => ({})),
    pub('/api/v3/time', 1, ({ state }) => ({ serverTime: state.serverTime() })),
    pub('/api/v3/exchangeInfo', 20, ({ params, state }) => {
      let list = state.engine.instruments('SPOT');
      const one = params.opt('symbol');
      const many = params.opt('symbols');
      if (one !== undefined || many !== undefined) {
        let wanted: string[];
        try {
          wanted = one !== undefined ? [one] : (JSON.parse(many!) as string[]);
        } catch {
          throw illegal('symbols', '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$');
        }
        const all = list;
        list = wanted.map((sym) => {
          const found = all.find((i) => i.symbol === sym);
          if (!found) throw invalidSymbol();
          return found;
        });
      }
      return spotExchangeInfo(list, rateLimits(meter.windows()), state.serverTime());
    }),
    pub(
      '/api/v3/depth',
      (p) => {
        const limit = Number(p.opt('limit') ?? 100);
        return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
      },
      ({ params, state }) => {
        const inst = instrumentOf(state, 'SPOT', params.opt('symbol'));
        const limit = limitOf(params, 100, 5000);
        const book = depth('SPOT', inst.symbol, limit);
        return { lastUpdateId: book.lastUpdateId, bids: book.bids, asks: book.asks };
      },
    ),
    pub(
      '/api/v3/ticker/bookTicker',
      (p) => (p.has('symbol') ? 2 : 4),
      ({ params, state }) => {
        const one = (symbol: string): unknown => {
          const t = state.engine.ticker('SPOT', symbol);
          return { symbol, bidPrice: fix8(t.bid), bidQty: fix8(t.bidQty), askPrice: fix8(t.ask), askQty: fix8(t.askQty) };
        };
        const symbol = params.opt('symbol');
        if (symbol !== undefined) return one(instrumentOf(state, 'SPOT', symbol).symbol);
        return state.engine.instruments('SPOT').flatMap((i) => {
          try {
            return [one(i.symbol)];
          } catch {
            return [];
          }
        });
      },
    ),
    { method: 'POST', path: '/api/v3/order', signed: true, weight: 1, successWeight: 0, orders: 1, handle: ({ params, state }) => placeOrder(params, state) },
    {
      method: 'DELETE',
      path: '/api/v3/order',
      signed: true,
      weight: 1,
      successWeight: 0,
      handle: ({ params, state }) => {
        const inst = instrumentOf(state, 'SPOT', params.opt('symbol'));
        const ref = orderRef(params, state, inst.symbol);
        const cancelCid = clientId(params, 'newClientOrderId', state);
        const o = state.engine.cancelOrder(ref);
        return spotOrderCancelled(state, o, cancelCid, state.clock.now());
      },
    },
    {
      method: 'GET',
      path: '/api/v3/order',
      signed: true,
      weight: 4,
      handle: ({ params, state }) => {
        const inst = instrumentOf(state, 'SPOT', params.opt('symbol'));
        return spotOrderQuery(state, state.engine.getOrder(orderRef(params, state, inst.symbol)));
      },
    },
    {
      method: 'GET',
      path: '/api/v3/openOrders',
      signed: true,
      weight: (p) => (p.has('symbol') ? 6 : 80),
      handle: ({ params, state }) => {
        const symbol = params.opt('symbol');
        if (symbol !== undefined) instrumentOf(state, 'SPOT', symbol);
        return state.engine.openOrders('SPOT', symbol).map((o) => spotOrderQuery(state, o));
      },
    },
    {
      method: 'GET',
      path: '/api/v3/allOrders',
      signed: true,
      weight: 20,
      handle: ({ params, state }) => {
        const inst = instrumentOf(state, 'SPOT', params.opt('symbol'));
        const window = windowOf(params, DAY_MS, DAY_SPAN);
        const rows = state.engine.orderHistory('SPOT', inst.symbol, window);
        const fromId = params.int('orderId');
        return page(rows, (o) => o.venueOrderId, fromId, window.startTime !== undefined, limitOf(params, 500, 1000)).map((o) => spotOrderQuery(state, o));
      },
    },
    { method: 'POST', path: '/api/v3/orderList/oco', signed: true, weight: 1, successWeight: 0, orders: 2, handle: ({ params, state }) => placeOco(params, state) },
    {
      method: 'DELETE',
      path: '/api/v3/orderList',
      signed: true,
      weight: 1,
      successWeight: 0,
      handle: ({ params, state }) => {
        const inst = instrumentOf(state, 'SPOT', params.opt('symbol'));
        const loc = listLocation(params, state, 'listClientOrderId', new BinanceWireError(400, -2011, 'Unknown order sent.'));
        if (loc.symbol !== inst.symbol) throw new BinanceWireError(400, -2011, 'Unknown order sent.');
        const list = state.engine.cancelOco(loc.symbol, loc.clientListId);
        return spotOrderList(state, list, state.clock.now(), { cancelCid: () => state.newClientId('cancel') });
      },
    },
    {
      method: 'GET',
      path: '/api/v3/orderList',
      signed: true,
      weight: 4,
      handle: ({ params, state }) => {
        const loc = listLocation(params, state, 'origClientOrderId', new BinanceWireError(400, -2013, 'Order list does not exist.'));
        return spotOrderListSummary(state, state.engine.getOco(loc.symbol, loc.clientListId), state.clock.now());
      },
    },
    {
      method: 'GET',
      path: '/api/v3/account',
      signed: true,
      weight: 20,
      handle: ({ params, state }) => {
        params.bool('omitZeroBalances');
        return {
          makerCommission: 10,
          takerCommission: 10,
          buyerCommission: 0,
          sellerCommission: 0,
          commissionRates: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
          canTrade: true,
          canWithdraw: true,
          canDeposit: true,
          brokered: false,
          requireSelfTradePrevention: false,
          preventSor: false,
          updateTime: state.clock.now(),
          accountType: 'SPOT',
          balances: state.engine.balances('SPOT').map((b) => ({ asset: b.asset, free: fix8(b.free), locked: fix8(b.locked) })),
          permissions: ['SPOT'],
          uid: 354937868,
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v3/myTrades',
      signed: true,
      weight: (p) => (p.has('orderId') ? 5 : 20),
      handle: ({ params, state }) => {
        const inst = instrumentOf(state, 'SPOT', params.opt('symbol'));
        const window = windowOf(params, DAY_MS, DAY_SPAN);
        const orderId = params.int('orderId');
        const fromId = params.int('fromId');
        let fills = state.engine.fills('SPOT', inst.symbol, window);
        if (orderId !== undefined) fills = fills.filter((f) => f.venueOrderId === String(orderId));
        return page(fills, (f) => f.tradeId, fromId, window.startTime !== undefined, limitOf(params, 500, 1000)).map((f) => {
          let orderListId = -1;
          try {
            const o = state.engine.getOrder({ market: 'SPOT', symbol: f.symbol, venueOrderId: f.venueOrderId });
            if (o.orderListId !== undefined) orderListId = Number(o.orderListId);
          } catch {
            // The order left the engine's history; the trade still stands.
          }
          return {
            symbol: f.symbol,
            id: Number(f.tradeId),
            orderId: Number(f.venueOrderId),
            orderListId,
            price: fix8(f.price),
            qty: fix8(f.qty),
            quoteQty: fix8(new Big(f.price).times(f.qty).toFixed()),
            commission: fix8(f.fee),
            commissionAsset: f.feeAsset,
            time: f.ts,
            isBuyer: f.side === 'BUY',
            isMaker: f.isMaker,
            isBestMatch: true,
          };
        });
      },
    },
  ];
}
