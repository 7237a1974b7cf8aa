import Big from 'big.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeConnector, MarketChannel, MarketEvent } from '../connector.js';
import { Balance, Fill, FundingIncome, FundingRate, Position, VenueTransfer, type Fill as FillT } from '../domain/account.js';
import { isTerminalStatus, type Market, type OrderType } from '../domain/enums.js';
import { Instrument } from '../domain/instrument.js';
import { BookSnapshot, MarkPriceTick, MarketTick } from '../domain/market-data.js';
import { OcoOrder, Order, type Order as OrderT } from '../domain/order.js';
import { isChimeraError } from '../errors.js';

/** One market and symbol the conformance suite trades on. */
export interface ConformanceTarget {
  market: Market;
  symbol: string;
}

/** Options of {@link describeConnector}. */
export interface DescribeConnectorOptions {
  /** Markets and symbols to exercise; each needs a two-sided book and quote balance for a small order. */
  targets: readonly ConformanceTarget[];
  /** Called after the suite with the connector (e.g. stop a local exchange). */
  cleanup?: (connector: ExchangeConnector) => Promise<void> | void;
  /**
   * Whether orders execute against the venue's book, so marketable orders fill and client order
   * ids are policed. Default: `capabilities.ioc` (every real venue offers IOC; a stub whose orders
   * never fill declares none). Gates the fill, ordering, duplicate-id and undeclared-order-type checks.
   */
  matchesOrders?: boolean;
  /**
   * Moves the venue's visible market so it trades around `price` (quote per base). Local exchanges
   * and the paper venue can; with it the suite also checks that an OCO leg filling cancels the
   * other. The suite calls it again with the previous mid to put the market back.
   */
  moveMarket?: (target: ConformanceTarget, price: string) => Promise<void> | void;
  /** Asset moved by the transfer checks (default `USDT`; each wallet needs a little of it). */
  transferAsset?: string;
}

/** An account event as the suite records it, in arrival order. */
type StreamEntry = { kind: 'order'; order: OrderT } | { kind: 'fill'; fill: FillT };

let seq = 0;
/** A client order id unique to this suite run. */
function cid(tag: string): string {
  seq += 1;
  return `conf-${tag}-${process.pid % 10_000}-${seq}`.slice(0, 36);
}

function floorTo(value: Big, step: string): string {
  const s = new Big(step);
  return value.div(s).round(0, Big.roundDown).times(s).toFixed();
}
function ceilTo(value: Big, step: string): string {
  const s = new Big(step);
  return value.div(s).round(0, Big.roundUp).times(s).toFixed();
}

/** A passive BUY 10 % under the bid, sized to clear the minimum quantity and notional. */
function passiveBuy(inst: Instrument, tick: MarketTick): { price: string; qty: string } {
  const price = floorTo(new Big(tick.bid).times('0.9'), inst.tickSize);
  const minNotional = new Big(inst.minNotional ?? '0').times('1.2');
  const byNotional = new Big(ceilTo(minNotional.div(price), inst.stepSize));
  const minQty = new Big(inst.minQty);
  const qty = byNotional.gt(minQty) ? byNotional : minQty;
  return { price, qty: qty.toFixed() };
}

/** A quantity worth about 1.2 × the minimum notional at `price`, on the step and at least the minimum. */
function smallQty(inst: Instrument, price: string): string {
  const byNotional = new Big(ceilTo(new Big(inst.minNotional ?? '0').times('1.2').div(price), inst.stepSize));
  return (byNotional.gt(inst.minQty) ? byNotional : new Big(inst.minQty)).toFixed();
}

function sum(values: readonly string[]): Big {
  return values.reduce((acc, v) => acc.plus(v), new Big(0));
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to be rejected');
}

/**
 * The connector conformance suite (SPEC §1.1): every venue adapter must pass it against its local
 * exchange, and `PaperConnector` against the paper engine. It checks that what the connector
 * returns parses with the domain schemas, that the order lifecycle works by client order id, that
 * errors are the typed ones the contract names, and that undeclared capabilities are refused.
 *
 * Every declared capability is exercised: marketable orders (crossing IOC and MARKET), fills and
 * order history, duplicate client order ids, conditional orders, leverage and margin type,
 * mark price and funding, OCO lists, SPOT↔FUT transfers, ticker and depth subscriptions. The
 * user-stream ordering rules are checked on every order that fills: each `fill` event of an order
 * is preceded by an `order` event for it; the final `order` event's `filledQty` equals the sum of
 * the order's fills and never exceeds its quantity; a cancelled order reports its final filled
 * quantity. Checks are gated on capabilities (and on {@link DescribeConnectorOptions.matchesOrders})
 * so a connector with fewer capabilities passes honestly.
 *
 * Funds needed per target: quote for a few small orders (about 1.2 × the minimum notional each)
 * and, with transfers declared, 1 unit of the transfer asset in each wallet. FUT targets must have
 * no position in the symbol when the suite starts, for the leverage and margin-type checks.
 *
 * @param name - shown in the test report.
 * @param makeConnector - returns a connector (connected by the suite) with funds for small orders.
 */
export function describeConnector(
  name: string,
  makeConnector: () => ExchangeConnector | Promise<ExchangeConnector>,
  options: DescribeConnectorOptions,
): void {
  describe(`ExchangeConnector conformance: ${name}`, () => {
    let c: ExchangeConnector;
    const orderEvents: OrderT[] = [];
    const stream: StreamEntry[] = [];
    const matches = (): boolean => options.matchesOrders ?? c.capabilities.ioc;

    /** This order's user-stream entries, in arrival order. */
    const entriesOf = (clientOrderId: string): StreamEntry[] =>
      stream.filter((e) => (e.kind === 'order' ? e.order.clientOrderId : e.fill.clientOrderId) === clientOrderId);

    /** Waits for the order's final update on the user stream and checks the ordering rules. */
    const checkStreamRules = async (clientOrderId: string): Promise<{ final: OrderT; fills: FillT[] }> => {
      await expect
        .poll(() => entriesOf(clientOrderId).some((e) => e.kind === 'order' && isTerminalStatus(e.order.status)), { timeout: 10_000 })
        .toBe(true);
      const entries = entriesOf(clientOrderId);
      const firstOrder = entries.findIndex((e) => e.kind === 'order');
      const firstFill = entries.findIndex((e) => e.kind === 'fill');
      // Rule 1: every fill of an order is preceded by an order update for it.
      expect(firstOrder).toBeGreaterThanOrEqual(0);
      if (firstFill >= 0) expect(firstOrder).toBeLessThan(firstFill);
      const orders = entries.flatMap((e) => (e.kind === 'order' ? [e.order] : []));
      const fills = entries.flatMap((e) => (e.kind === 'fill' ? [e.fill] : []));
      const final = orders[orders.length - 1]!;
      // Rule 2: the final update's filled quantity is the sum of the order's fills, never above its quantity.
      expect(sum(fills.map((f) => f.qty)).eq(final.filledQty)).toBe(true);
      expect(new Big(final.filledQty).lte(final.qty)).toBe(true);
      for (const f of fills) expect(() => Fill.parse(f)).not.toThrow();
      return { final, fills };
    };

    beforeAll(async () => {
      c = await makeConnector();
      c.events.on('order', (o) => {
        orderEvents.push(o);
        stream.push({ kind: 'order', order: o });
      });
      c.events.on('fill', (f) => stream.push({ kind: 'fill', fill: f }));
      await c.connect();
    });
    afterAll(async () => {
      await c?.close();
      await options.cleanup?.(c);
    });

    it('declares its capabilities', () => {
      expect(c.venue).toMatch(/^[a-z0-9_-]+$/);
      expect(c.capabilities.markets.length).toBeGreaterThan(0);
      for (const t of options.targets) expect(c.capabilities.markets).toContain(t.market);
    });

    it('reports server time in epoch ms', async () => {
      const t = await c.serverTime();
      expect(Number.isInteger(t)).toBe(true);
      expect(t).toBeGreaterThan(1_500_000_000_000);
    });

    for (const target of options.targets) {
      const { market, symbol } = target;
      describe(`${market} ${symbol}`, () => {
        it('lists instruments that parse, including the target', async () => {
          const list = await c.instruments(market);
          for (const i of list) expect(() => Instrument.parse(i)).not.toThrow();
          const inst = await c.instrument(market, symbol);
          expect(inst).toMatchObject({ market, symbol, venue: c.venue });
          expect(list.some((i) => i.symbol === symbol)).toBe(true);
          const err = await rejection(c.instrument(market, 'NOSUCHSYMBOL'));
          expect(isChimeraError(err)).toBe(true);
        });

        it('returns a two-sided ticker and a sorted depth snapshot', async () => {
          const tick = MarketTick.parse(await c.ticker(market, symbol));
          expect(new Big(tick.bid).lt(tick.ask)).toBe(true);
          expect(tick.mid).toBeCloseTo((Number(tick.bid) + Number(tick.ask)) / 2, 6);
          const book = BookSnapshot.parse(await c.depth(market, symbol, 10));
          expect(book.bids.length).toBeGreaterThan(0);
          expect(book.asks.length).toBeGreaterThan(0);
          for (let i = 1; i < book.bids.length; i++) expect(new Big(book.bids[i]!.price).lt(book.bids[i - 1]!.price)).toBe(true);
          for (let i = 1; i < book.asks.length; i++) expect(new Big(book.asks[i]!.price).gt(book.asks[i - 1]!.price)).toBe(true);
          expect(new Big(book.bids[0]!.price).lt(book.asks[0]!.price)).toBe(true);
        });

        it('returns balances that parse', async () => {
          const balances = await c.balances(market);
          for (const b of balances) expect(() => Balance.parse(b)).not.toThrow();
        });

        it('places, finds, lists and cancels a passive limit order by client order id', async () => {
          const inst = await c.instrument(market, symbol);
          const tick = await c.ticker(market, symbol);
          const { price, qty } = passiveBuy(inst, tick);
          const clientOrderId = cid('lim');
          const placed = Order.parse(
            await c.placeOrder({ market, symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price, qty, clientOrderId, postOnly: false, reduceOnly: false }),
          );
          expect(placed).toMatchObject({ clientOrderId, status: 'NEW', filledQty: '0', side: 'BUY', type: 'LIMIT' });
          expect(new Big(placed.price!).eq(price)).toBe(true);
          expect(new Big(placed.qty).eq(qty)).toBe(true);

          const found = await c.getOrder({ market, symbol, clientOrderId });
          expect(found).toMatchObject({ clientOrderId, venueOrderId: placed.venueOrderId, status: 'NEW' });
          expect((await c.openOrders(market, symbol)).map((o) => o.clientOrderId)).toContain(clientOrderId);

          const cancelled = await c.cancelOrder({ market, symbol, clientOrderId });
          expect(cancelled).toMatchObject({ clientOrderId, status: 'CANCELED' });
          expect(new Big(cancelled.filledQty).eq(0)).toBe(true);
          expect((await c.openOrders(market, symbol)).map((o) => o.clientOrderId)).not.toContain(clientOrderId);
          expect((await c.getOrder({ market, symbol, clientOrderId })).status).toBe('CANCELED');
        });

        it('emits the order NEW update before any later update of the same order', async () => {
          if (!c.capabilities.userStream) return;
          const inst = await c.instrument(market, symbol);
          const { price, qty } = passiveBuy(inst, await c.ticker(market, symbol));
          const clientOrderId = cid('evt');
          await c.placeOrder({ market, symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price, qty, clientOrderId, postOnly: false, reduceOnly: false });
          await c.cancelOrder({ market, symbol, clientOrderId });
          await expect.poll(() => orderEvents.filter((o) => o.clientOrderId === clientOrderId).map((o) => o.status), { timeout: 5000 }).toEqual(['NEW', 'CANCELED']);
        });

        it('rejects unknown orders with ORDER_NOT_FOUND', async () => {
          const e1 = await rejection(c.getOrder({ market, symbol, clientOrderId: 'conf-no-such-order' }));
          expect(isChimeraError(e1) && e1.code).toBe('ORDER_NOT_FOUND');
          const e2 = await rejection(c.cancelOrder({ market, symbol, clientOrderId: 'conf-no-such-order' }));
          expect(isChimeraError(e2) && e2.code).toBe('ORDER_NOT_FOUND');
        });

        it('rejects a post-only order that would take, or refuses post-only honestly', async () => {
          const inst = await c.instrument(market, symbol);
          const tick = await c.ticker(market, symbol);
          const price = ceilTo(new Big(tick.ask).times('1.01'), inst.tickSize);
          const qty = ceilTo(new Big(inst.minNotional ?? '0').times('1.2').div(price), inst.stepSize);
          const q = new Big(qty).gt(inst.minQty) ? qty : inst.minQty;
          const err = await rejection(
            c.placeOrder({ market, symbol, side: 'BUY', type: 'LIMIT', price, qty: q, clientOrderId: cid('po'), postOnly: true, reduceOnly: false }),
          );
          expect(isChimeraError(err) && err.code).toBe(c.capabilities.postOnly ? 'POST_ONLY_REJECTED' : 'UNSUPPORTED');
        });

        it('lists placed and cancelled orders in the order history, oldest first', async () => {
          const inst = await c.instrument(market, symbol);
          const { price, qty } = passiveBuy(inst, await c.ticker(market, symbol));
          const clientOrderId = cid('hist');
          await c.placeOrder({ market, symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price, qty, clientOrderId, postOnly: false, reduceOnly: false });
          await c.cancelOrder({ market, symbol, clientOrderId });
          const history = await c.orderHistory(market, symbol);
          for (const o of history) expect(() => Order.parse(o)).not.toThrow();
          const mine = history.filter((o) => o.clientOrderId === clientOrderId);
          expect(mine.length).toBe(1);
          expect(mine[0]).toMatchObject({ status: 'CANCELED', side: 'BUY', type: 'LIMIT' });
          for (let i = 1; i < history.length; i++) expect(history[i]!.createdAt).toBeGreaterThanOrEqual(history[i - 1]!.createdAt);
        });

        it('rejects a second open order with the same client order id (DUPLICATE_ORDER)', async () => {
          if (!matches()) return;
          const inst = await c.instrument(market, symbol);
          const { price, qty } = passiveBuy(inst, await c.ticker(market, symbol));
          const clientOrderId = cid('dup');
          const req = { market, symbol, side: 'BUY' as const, type: 'LIMIT' as const, timeInForce: 'GTC' as const, price, qty, clientOrderId, postOnly: false, reduceOnly: false };
          const first = await c.placeOrder(req);
          const err = await rejection(c.placeOrder(req));
          expect(isChimeraError(err) && err.code).toBe('DUPLICATE_ORDER');
          const open = (await c.openOrders(market, symbol)).filter((o) => o.clientOrderId === clientOrderId);
          expect(open.map((o) => o.venueOrderId)).toEqual([first.venueOrderId]);
          await c.cancelOrder({ market, symbol, clientOrderId });
        });

        if (market === 'FUT') {
          it('sets leverage and margin type idempotently and reports them on the position', async () => {
            if (!c.capabilities.leverage) return;
            await c.setLeverage(symbol, 5);
            await c.setLeverage(symbol, 5);
            let pos = (await c.positions(symbol)).find((p) => p.symbol === symbol);
            expect(pos).toBeDefined();
            expect(() => Position.parse(pos)).not.toThrow();
            expect(pos!.leverage).toBe(5);
            await c.setMarginType(symbol, 'ISOLATED');
            await c.setMarginType(symbol, 'ISOLATED');
            pos = (await c.positions(symbol)).find((p) => p.symbol === symbol);
            expect(pos!.marginType).toBe('ISOLATED');
            await c.setMarginType(symbol, 'CROSSED');
            for (const p of await c.positions()) expect(() => Position.parse(p)).not.toThrow();
          });

          it('reports the mark price and funding history', async () => {
            const mark = MarkPriceTick.parse(await c.markPrice(symbol));
            expect(mark.symbol).toBe(symbol);
            expect(new Big(mark.markPrice).gt(0)).toBe(true);
            if (!c.capabilities.funding) return;
            for (const r of await c.fundingRates(symbol)) expect(() => FundingRate.parse(r)).not.toThrow();
            for (const f of await c.fundingIncome({ symbol })) expect(() => FundingIncome.parse(f)).not.toThrow();
          });
        }

        it('places, lists and cancels a conditional order when declared', async () => {
          if (!c.capabilities.stopOrders[market]) return;
          const inst = await c.instrument(market, symbol);
          const tick = await c.ticker(market, symbol);
          const stopPrice = ceilTo(new Big(tick.ask).times('1.05'), inst.tickSize);
          const qty = smallQty(inst, stopPrice);
          const clientOrderId = cid('stop');
          const workingType = market === 'FUT' ? c.capabilities.workingTypes[0] : undefined;
          const placed = Order.parse(
            await c.placeOrder({
              market,
              symbol,
              side: 'BUY',
              type: 'STOP_MARKET',
              stopPrice,
              qty,
              clientOrderId,
              postOnly: false,
              reduceOnly: false,
              ...(workingType ? { workingType } : {}),
            }),
          );
          expect(placed).toMatchObject({ clientOrderId, status: 'NEW', type: 'STOP_MARKET', filledQty: '0' });
          expect(new Big(placed.stopPrice!).eq(stopPrice)).toBe(true);
          expect((await c.openOrders(market, symbol)).map((o) => o.clientOrderId)).toContain(clientOrderId);
          const cancelled = await c.cancelOrder({ market, symbol, clientOrderId });
          expect(cancelled).toMatchObject({ clientOrderId, status: 'CANCELED' });
          expect((await c.openOrders(market, symbol)).map((o) => o.clientOrderId)).not.toContain(clientOrderId);
        });

        for (const channel of ['ticker', 'depth'] as const) {
          it(`delivers ${channel} events to a subscriber when declared`, async () => {
            if (!c.capabilities.streams.includes(channel)) return;
            const events: MarketEvent[] = [];
            const handle = await c.subscribe({ channel, market, symbol, levels: 5 }, (e) => events.push(e));
            try {
              await expect.poll(() => events.length, { timeout: 15_000 }).toBeGreaterThan(0);
              const e = events[0]!;
              expect(e.type).toBe(channel);
              if (e.type === 'ticker') expect(MarketTick.parse(e.tick)).toMatchObject({ market, symbol });
              if (e.type === 'depth') expect(BookSnapshot.parse(e.book)).toMatchObject({ market, symbol });
            } finally {
              await handle.unsubscribe();
              await handle.unsubscribe();
            }
          });
        }

        it('fills marketable orders with NEW before fills and fills summing to the filled quantity', async () => {
          if (!matches()) return;
          const inst = await c.instrument(market, symbol);
          const tick = await c.ticker(market, symbol);
          const qty = smallQty(inst, tick.ask);
          const before = market === 'FUT' ? new Big((await c.positions(symbol)).find((p) => p.symbol === symbol)?.qty ?? '0') : undefined;

          // A crossing IOC limit (a bounded taker) …
          const iocId = cid('ioc');
          const limit = ceilTo(new Big(tick.ask).times('1.01'), inst.tickSize);
          const iocAck = Order.parse(
            await c.placeOrder({ market, symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', price: limit, qty, clientOrderId: iocId, postOnly: false, reduceOnly: false }),
          );
          expect(['NEW', 'PARTIALLY_FILLED', 'FILLED', 'EXPIRED']).toContain(iocAck.status);
          // … and a market order.
          const mktId = cid('mkt');
          const mktAck = Order.parse(await c.placeOrder({ market, symbol, side: 'BUY', type: 'MARKET', qty, clientOrderId: mktId, postOnly: false, reduceOnly: false }));
          expect(mktAck.type).toBe('MARKET');

          let bought = new Big(0);
          for (const [id, ack] of [[iocId, iocAck], [mktId, mktAck]] as const) {
            const streamed = c.capabilities.userStream ? (await checkStreamRules(id)).final : undefined;
            const final = await c.getOrder({ market, symbol, clientOrderId: id });
            // The query and the user stream agree on the outcome.
            if (streamed) expect(new Big(streamed.filledQty).eq(final.filledQty)).toBe(true);
            expect(isTerminalStatus(final.status)).toBe(true);
            expect(new Big(final.filledQty).gt(0)).toBe(true);
            expect(new Big(final.filledQty).lte(qty)).toBe(true);
            expect(new Big(ack.filledQty).lte(final.filledQty)).toBe(true);
            expect(final.avgPrice).toBeDefined();
            if (id === iocId) expect(new Big(final.avgPrice!).lte(limit)).toBe(true);
            // The account's fills of the order sum to its filled quantity.
            const fills = (await c.fills(market, symbol)).filter((f) => f.clientOrderId === id);
            for (const f of fills) expect(() => Fill.parse(f)).not.toThrow();
            expect(sum(fills.map((f) => f.qty)).eq(final.filledQty)).toBe(true);
            expect(fills.every((f) => f.side === 'BUY' && f.venueOrderId === final.venueOrderId)).toBe(true);
            bought = bought.plus(final.filledQty);
          }

          if (market === 'FUT' && before !== undefined) {
            const after = new Big((await c.positions(symbol)).find((p) => p.symbol === symbol)?.qty ?? '0');
            expect(after.minus(before).eq(bought)).toBe(true);
            // Close what the test opened; reduce-only when the venue offers it.
            const closeId = cid('close');
            const reduceOnly = c.capabilities.reduceOnly;
            await c.placeOrder({ market, symbol, side: 'SELL', type: 'MARKET', qty: bought.toFixed(), clientOrderId: closeId, postOnly: false, reduceOnly });
            if (c.capabilities.userStream) await checkStreamRules(closeId);
            const flat = new Big((await c.positions(symbol)).find((p) => p.symbol === symbol)?.qty ?? '0');
            expect(flat.eq(before)).toBe(true);
            if (reduceOnly && flat.eq(0)) {
              // Reduce-only never opens a position.
              const err = await rejection(
                c.placeOrder({ market, symbol, side: 'SELL', type: 'MARKET', qty: bought.toFixed(), clientOrderId: cid('ro'), postOnly: false, reduceOnly: true }),
              );
              expect(isChimeraError(err) && err.code).toBe('REDUCE_ONLY_REJECTED');
            }
          }
        });

        if (market === 'SPOT') {
          it('places an OCO list whose legs move together (one leg fills → the other is cancelled)', async () => {
            if (!c.capabilities.oco) return;
            const inst = await c.instrument(market, symbol);
            const tick = await c.ticker(market, symbol);
            const tpPrice = floorTo(new Big(tick.bid).times('0.95'), inst.tickSize);
            const slStopPrice = ceilTo(new Big(tick.ask).times('1.05'), inst.tickSize);
            const qty = smallQty(inst, slStopPrice);
            const clientListId = cid('oco');
            const list = OcoOrder.parse(
              await c.placeOco({ market: 'SPOT', symbol, side: 'BUY', qty, tpPrice, slStopPrice, legTimeInForce: 'GTC', clientListId }),
            );
            expect(list).toMatchObject({ clientListId, symbol, status: 'EXECUTING' });
            expect(list.tp.status).toBe('NEW');
            expect(list.sl.status).toBe('NEW');
            expect(list.tp.orderListId).toBeDefined();
            expect(list.tp.orderListId).toBe(list.sl.orderListId);
            const open = (await c.openOrders(market, symbol)).map((o) => o.clientOrderId);
            expect(open).toEqual(expect.arrayContaining([list.tp.clientOrderId, list.sl.clientOrderId]));

            if (options.moveMarket) {
              await options.moveMarket(target, floorTo(new Big(tpPrice).times('0.99'), inst.tickSize));
              try {
                await expect.poll(async () => (await c.getOrder({ market, symbol, clientOrderId: list.tp.clientOrderId })).status, { timeout: 10_000 }).toBe('FILLED');
                const sl = await c.getOrder({ market, symbol, clientOrderId: list.sl.clientOrderId });
                expect(sl.status).toBe('CANCELED');
                expect(new Big(sl.filledQty).eq(0)).toBe(true);
                if (c.capabilities.userStream) await checkStreamRules(list.tp.clientOrderId);
              } finally {
                await options.moveMarket(target, String(tick.mid));
              }
            } else {
              const done = OcoOrder.parse(await c.cancelOco(symbol, clientListId));
              expect(done.status).toBe('ALL_DONE');
              expect(done.tp.status).toBe('CANCELED');
              expect(done.sl.status).toBe('CANCELED');
            }
            const still = (await c.openOrders(market, symbol)).map((o) => o.clientOrderId);
            expect(still).not.toContain(list.tp.clientOrderId);
            expect(still).not.toContain(list.sl.clientOrderId);
          });
        }
      });
    }

    it('moves funds SPOT → FUT → SPOT and lists the transfers when declared', async () => {
      const markets = c.capabilities.markets;
      if (!c.capabilities.transfers || !markets.includes('SPOT') || !markets.includes('FUT')) return;
      const asset = options.transferAsset ?? 'USDT';
      const total = async (m: Market): Promise<Big> => {
        const b = (await c.balances(m)).find((x) => x.asset === asset);
        return b ? new Big(b.free).plus(b.locked) : new Big(0);
      };
      const spotBefore = await total('SPOT');
      const futBefore = await total('FUT');
      const out = VenueTransfer.parse(await c.transfer({ asset, amount: '1', from: 'SPOT', to: 'FUT', clientTransferId: cid('tr-out') }));
      expect(out).toMatchObject({ from: 'SPOT', to: 'FUT', asset });
      expect(new Big(out.amount).eq(1)).toBe(true);
      expect(out.status).not.toBe('FAILED');
      if (out.status === 'CONFIRMED') {
        expect((await total('SPOT')).eq(spotBefore.minus(1))).toBe(true);
        expect((await total('FUT')).eq(futBefore.plus(1))).toBe(true);
      }
      const history = await c.transferHistory('SPOT', 'FUT');
      for (const t of history) expect(() => VenueTransfer.parse(t)).not.toThrow();
      expect(history.map((t) => t.tranId)).toContain(out.tranId);
      const back = VenueTransfer.parse(await c.transfer({ asset, amount: '1', from: 'FUT', to: 'SPOT', clientTransferId: cid('tr-back') }));
      expect(back).toMatchObject({ from: 'FUT', to: 'SPOT' });
      if (out.status === 'CONFIRMED' && back.status === 'CONFIRMED') {
        expect((await total('SPOT')).eq(spotBefore)).toBe(true);
        expect((await total('FUT')).eq(futBefore)).toBe(true);
      }
    });

    it('refuses undeclared capabilities with UNSUPPORTED', async () => {
      if (!c.capabilities.oco) {
        const t = options.targets[0]!;
        const err = await rejection(
          c.placeOco({ market: 'SPOT', symbol: t.symbol, side: 'SELL', qty: '1', tpPrice: '2', slStopPrice: '1', legTimeInForce: 'GTC', clientListId: cid('oco') }),
        );
        expect(isChimeraError(err) && err.code).toBe('UNSUPPORTED');
      }
      if (!c.capabilities.transfers) {
        const err = await rejection(c.transfer({ asset: 'USDT', amount: '1', from: 'SPOT', to: 'FUT', clientTransferId: cid('tr') }));
        expect(isChimeraError(err) && err.code).toBe('UNSUPPORTED');
      }
      if (!c.capabilities.markets.includes('FUT')) {
        const err = await rejection(c.positions());
        expect(isChimeraError(err) && err.code).toBe('UNSUPPORTED');
      } else if (!c.capabilities.leverage) {
        const t = options.targets.find((x) => x.market === 'FUT');
        if (t) {
          const err = await rejection(c.setLeverage(t.symbol, 3));
          expect(isChimeraError(err) && err.code).toBe('UNSUPPORTED');
        }
      }
      const t = options.targets[0]!;
      for (const channel of ['ticker', 'depth', 'trades', 'markPrice'] as MarketChannel[]) {
        if (c.capabilities.streams.includes(channel)) continue;
        const err = await rejection(c.subscribe({ channel, market: t.market, symbol: t.symbol }, () => undefined));
        expect(isChimeraError(err) && err.code).toBe('UNSUPPORTED');
      }
      if (!matches()) return;
      for (const target of options.targets) {
        const inst = await c.instrument(target.market, target.symbol);
        const tick = await c.ticker(target.market, target.symbol);
        const base = { market: target.market, symbol: target.symbol, side: 'BUY' as const, postOnly: false, reduceOnly: false };
        if (!c.capabilities.stopOrders[target.market]) {
          const stopPrice = ceilTo(new Big(tick.ask).times('1.05'), inst.tickSize);
          const type: OrderType = 'STOP_MARKET';
          const err = await rejection(c.placeOrder({ ...base, type, stopPrice, qty: smallQty(inst, stopPrice), clientOrderId: cid('nostop') }));
          expect(isChimeraError(err) && err.code).toBe('UNSUPPORTED');
        }
        const { price, qty } = passiveBuy(inst, tick);
        for (const tif of ['IOC', 'FOK'] as const) {
          if (c.capabilities[tif === 'IOC' ? 'ioc' : 'fok']) continue;
          const err = await rejection(c.placeOrder({ ...base, type: 'LIMIT', timeInForce: tif, price, qty, clientOrderId: cid('notif') }));
          expect(isChimeraError(err) && err.code).toBe('UNSUPPORTED');
        }
        if (target.market === 'FUT' && !c.capabilities.reduceOnly) {
          const err = await rejection(c.placeOrder({ ...base, side: 'SELL', type: 'MARKET', qty, reduceOnly: true, clientOrderId: cid('noro') }));
          expect(isChimeraError(err) && err.code).toBe('UNSUPPORTED');
        }
      }
    });
  });
}
