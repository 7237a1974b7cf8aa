import Big from 'big.js';
import { EventEmitter } from 'eventemitter3';
import type { ConnectorEvents, ExchangeConnector, MarketEvent, OrderRef, SubscriptionHandle, VenueCapabilities } from '../connector.js';
import type { Balance } from '../domain/account.js';
import type { Instrument } from '../domain/instrument.js';
import type { BookSnapshot, MarketTick } from '../domain/market-data.js';
import { tickFigures } from '../domain/market-data.js';
import type { Order, OrderRequest } from '../domain/order.js';
import { OrderNotFoundError, PostOnlyRejectedError, UnsupportedError, VenueError } from '../errors.js';
import { describeConnector } from './describe-connector.js';
import { sampleInstrument } from './fixtures.js';

/**
 * A deliberately trivial connector: a fixed two-sided book that never moves and resting orders
 * that never fill. It exists only to run the foundation's conformance suite; the paper venue is
 * the real engine.
 */
class TrivialConnector implements ExchangeConnector {
  readonly venue = 'trivial';
  readonly capabilities: VenueCapabilities = {
    markets: ['SPOT'],
    postOnly: true,
    oco: false,
    stopOrders: {},
    workingTypes: [],
    reduceOnly: false,
    ioc: false,
    fok: false,
    leverage: false,
    transfers: false,
    funding: false,
    userStream: true,
    streams: [],
  };
  readonly events = new EventEmitter<ConnectorEvents>();
  private readonly inst: Instrument = sampleInstrument({ venue: 'trivial' });
  private readonly orders = new Map<string, Order>();
  private now = 1_758_345_600_000;
  private nextId = 1;

  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  async serverTime(): Promise<number> {
    return this.now;
  }
  async instruments(): Promise<Instrument[]> {
    return [this.inst];
  }
  async instrument(_m: 'SPOT' | 'FUT', symbol: string): Promise<Instrument> {
    if (symbol !== this.inst.symbol) throw new VenueError(`unknown symbol ${symbol}`, { code: 'UNKNOWN_SYMBOL', status: 422 });
    return this.inst;
  }
  async depth(): Promise<BookSnapshot> {
    return {
      venue: this.venue,
      market: 'SPOT',
      symbol: 'BTCUSDT',
      sequence: 1,
      bids: [{ price: '65000', qty: '1' }, { price: '64999', qty: '2' }],
      asks: [{ price: '65001', qty: '1' }, { price: '65002', qty: '2' }],
      receiveTime: this.now,
    };
  }
  async ticker(): Promise<MarketTick> {
    return { venue: this.venue, market: 'SPOT', symbol: 'BTCUSDT', bid: '65000', bidQty: '1', ask: '65001', askQty: '1', ...tickFigures('65000', '1', '65001', '1'), eventTime: this.now, receiveTime: this.now };
  }
  async markPrice(): Promise<never> {
    throw new UnsupportedError('no futures');
  }
  async fundingRates(): Promise<never> {
    throw new UnsupportedError('no futures');
  }
  async fundingIncome(): Promise<never> {
    throw new UnsupportedError('no futures');
  }
  async subscribe(_s: unknown, _h: (e: MarketEvent) => void): Promise<SubscriptionHandle> {
    throw new UnsupportedError('no streams');
  }
  async placeOrder(r: OrderRequest): Promise<Order> {
    if (r.postOnly && r.side === 'BUY' && r.price !== undefined && new Big(r.price).gte('65001')) throw new PostOnlyRejectedError();
    const o: Order = {
      venue: this.venue,
      market: r.market,
      symbol: r.symbol,
      clientOrderId: r.clientOrderId,
      venueOrderId: String(this.nextId++),
      side: r.side,
      type: r.type,
      timeInForce: r.timeInForce ?? 'GTC',
      postOnly: r.postOnly,
      reduceOnly: false,
      price: r.price,
      qty: r.qty,
      filledQty: '0',
      status: 'NEW',
      createdAt: this.now,
      updatedAt: this.now,
    };
    this.orders.set(o.clientOrderId, o);
    this.events.emit('order', o);
    return o;
  }
  async placeOco(): Promise<never> {
    throw new UnsupportedError('no OCO');
  }
  async cancelOrder(ref: OrderRef): Promise<Order> {
    const o = this.orders.get(ref.clientOrderId ?? '');
    if (!o || o.status !== 'NEW') throw new OrderNotFoundError();
    const done: Order = { ...o, status: 'CANCELED', updatedAt: ++this.now };
    this.orders.set(o.clientOrderId, done);
    this.events.emit('order', done);
    return done;
  }
  async cancelOco(): Promise<never> {
    throw new UnsupportedError('no OCO');
  }
  async getOrder(ref: OrderRef): Promise<Order> {
    const o = this.orders.get(ref.clientOrderId ?? '');
    if (!o) throw new OrderNotFoundError();
    return o;
  }
  async openOrders(): Promise<Order[]> {
    return [...this.orders.values()].filter((o) => o.status === 'NEW');
  }
  async orderHistory(): Promise<Order[]> {
    return [...this.orders.values()];
  }
  async fills(): Promise<never[]> {
    return [];
  }
  async positions(): Promise<never> {
    throw new UnsupportedError('no futures');
  }
  async balances(): Promise<Balance[]> {
    return [{ venue: this.venue, market: 'SPOT', asset: 'USDT', free: '1000', locked: '0' }];
  }
  async setLeverage(): Promise<never> {
    throw new UnsupportedError('no futures');
  }
  async setMarginType(): Promise<never> {
    throw new UnsupportedError('no futures');
  }
  async transfer(): Promise<never> {
    throw new UnsupportedError('no transfers');
  }
  async transferHistory(): Promise<never> {
    throw new UnsupportedError('no transfers');
  }
}

describeConnector('trivial in-test connector', () => new TrivialConnector(), { targets: [{ market: 'SPOT', symbol: 'BTCUSDT' }], matchesOrders: false });
