import Big from 'big.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeConnector } from '../connector.js';
import { Balance } from '../domain/account.js';
import type { Market } from '../domain/enums.js';
import { Instrument } from '../domain/instrument.js';
import { BookSnapshot, MarketTick } from '../domain/market-data.js';
import { Order, type Order as OrderT } from '../domain/order.js';
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
}

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

    beforeAll(async () => {
      c = await makeConnector();
      c.events.on('order', (o) => orderEvents.push(o));
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
      });
    }

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
      }
    });
  });
}
