import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Instrument, type InstrumentInput } from '../domain/instrument.js';
import { FilterError, ValidationError } from '../errors.js';
import { checkFilters, lotSizeFor, prepareOrder, type FilterOrder, type InstrumentFilters } from './filters.js';
import { isOnGrid } from './round.js';

/** Binance Spot BTCUSDT as exchangeInfo publishes it (MARKET_LOT_SIZE step and min of 0). */
const spot = Instrument.parse({
  venue: 'binance',
  market: 'SPOT',
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  status: 'TRADING',
  tickSize: '0.01',
  stepSize: '0.00001',
  minQty: '0.00001',
  maxQty: '9000',
  marketStepSize: '0',
  marketMinQty: '0',
  marketMaxQty: '91.5',
  minPrice: '0.01',
  maxPrice: '1000000',
  minNotional: '5',
  maxNotional: '9000000',
  percentPrice: { multiplierUp: '5', multiplierDown: '0.2' },
} satisfies InstrumentInput);

/** Binance USDⓈ-M BTCUSDT: grids counted from the minimum, smaller market lot maximum. */
const um = Instrument.parse({
  venue: 'binance',
  market: 'FUT',
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  status: 'TRADING',
  tickSize: '0.10',
  stepSize: '0.001',
  minQty: '0.001',
  maxQty: '1000',
  marketStepSize: '0.001',
  marketMinQty: '0.001',
  marketMaxQty: '120',
  minPrice: '556.80',
  maxPrice: '4529764',
  minNotional: '100',
  gridFromMin: true,
  percentPrice: { multiplierUp: '1.0500', multiplierDown: '0.9500' },
} satisfies InstrumentInput);

/** Runs `fn` and returns what it threw (fails the test when nothing was thrown). */
function thrown(fn: () => unknown): FilterError | ValidationError {
  try {
    fn();
  } catch (err) {
    return err as FilterError;
  }
  throw new Error('expected a throw');
}

const limit = (o: Partial<FilterOrder>): FilterOrder => ({ type: 'LIMIT', side: 'BUY', qty: '0.001', price: '65000', ...o });

describe('lotSizeFor', () => {
  it('uses the limit lot size for limit and conditional orders', () => {
    expect(lotSizeFor(um, 'LIMIT')).toEqual({ filter: 'LOT_SIZE', stepSize: '0.001', minQty: '0.001', maxQty: '1000' });
    expect(lotSizeFor(um, 'STOP_MARKET').filter).toBe('LOT_SIZE');
  });

  it('uses the market lot size for MARKET orders, field by field', () => {
    expect(lotSizeFor(um, 'MARKET')).toEqual({ filter: 'MARKET_LOT_SIZE', stepSize: '0.001', minQty: '0.001', maxQty: '120' });
    // Spot's MARKET_LOT_SIZE step and min are 0: LOT_SIZE's stand.
    expect(lotSizeFor(spot, 'MARKET')).toEqual({ filter: 'MARKET_LOT_SIZE', stepSize: '0.00001', minQty: '0.00001', maxQty: '91.5' });
  });

  it('falls back to the limit lot size when no market lot size is published', () => {
    const plain: InstrumentFilters = { tickSize: '0.01', stepSize: '0.1', minQty: '0.1' };
    expect(lotSizeFor(plain, 'MARKET')).toEqual({ filter: 'LOT_SIZE', stepSize: '0.1', minQty: '0.1' });
  });
});

describe('checkFilters', () => {
  it('accepts orders that meet every rule', () => {
    expect(() => checkFilters(spot, limit({ qty: '0.00123', price: '65000.12' }))).not.toThrow();
    expect(() => checkFilters(um, limit({ qty: '0.002', price: '65000.1', referencePrice: '65010' }))).not.toThrow();
    expect(() => checkFilters(spot, { type: 'MARKET', side: 'SELL', qty: '0.5', referencePrice: '65000' })).not.toThrow();
  });

  it('raises a 422, never-retryable FilterError with the field and the limit', () => {
    const err = thrown(() => checkFilters(spot, limit({ qty: '0.000001' })));
    expect(err).toBeInstanceOf(FilterError);
    expect(err.status).toBe(422);
    expect(err.retryable).toBe(false);
    expect(err.code).toBe('QTY_BELOW_MIN');
    expect(err.details).toEqual({ symbol: 'BTCUSDT', field: 'qty', value: '0.000001', limit: '0.00001', filter: 'LOT_SIZE' });
    expect(err.message).toBe('[QTY_BELOW_MIN] qty 0.000001 is below the minimum 0.00001');
  });

  it('checks the quantity bounds and step', () => {
    expect(thrown(() => checkFilters(spot, limit({ qty: '9000.00001', price: '1' }))).details).toMatchObject({
      field: 'qty',
      limit: '9000',
    });
    expect(thrown(() => checkFilters(spot, limit({ qty: '9000.00001', price: '1' }))).code).toBe('QTY_ABOVE_MAX');
    const offStep = thrown(() => checkFilters(spot, limit({ qty: '0.000015' })));
    expect(offStep.code).toBe('QTY_OFF_STEP');
    expect(offStep.details).toMatchObject({ field: 'qty', value: '0.000015', limit: '0.00001', gridFrom: '0' });
  });

  it('rejects a zero quantity even without a minimum', () => {
    const noMin: InstrumentFilters = { tickSize: '0.01', stepSize: '0.1', minQty: '0' };
    expect(thrown(() => checkFilters(noMin, limit({ qty: '0', price: '1' }))).code).toBe('QTY_NOT_POSITIVE');
    expect(thrown(() => checkFilters(um, limit({ qty: '0' }))).code).toBe('QTY_BELOW_MIN');
  });

  it('uses the market lot size for MARKET orders', () => {
    const tooBig = thrown(() => checkFilters(um, { type: 'MARKET', side: 'BUY', qty: '150' }));
    expect(tooBig.code).toBe('QTY_ABOVE_MAX');
    expect(tooBig.details).toMatchObject({ field: 'qty', limit: '120', filter: 'MARKET_LOT_SIZE' });
    expect(() => checkFilters(um, limit({ qty: '150' }))).not.toThrow();
    expect(() => checkFilters(um, { type: 'STOP_MARKET', side: 'SELL', qty: '150', stopPrice: '60000' })).not.toThrow();
    expect(thrown(() => checkFilters(spot, { type: 'MARKET', side: 'BUY', qty: '100' })).details).toMatchObject({ limit: '91.5' });
    // Spot market orders still meet LOT_SIZE's step.
    expect(thrown(() => checkFilters(spot, { type: 'MARKET', side: 'BUY', qty: '0.000011' })).code).toBe('QTY_OFF_STEP');
  });

  it('counts the quantity grid from minQty when the venue does', () => {
    const odd: InstrumentFilters = { tickSize: '0.1', stepSize: '0.001', minQty: '0.0015', gridFromMin: true };
    expect(() => checkFilters(odd, limit({ qty: '0.0025', price: '1000' }))).not.toThrow();
    const err = thrown(() => checkFilters(odd, limit({ qty: '0.002', price: '1000' })));
    expect(err.code).toBe('QTY_OFF_STEP');
    expect(err.details).toMatchObject({ gridFrom: '0.0015', limit: '0.001' });
    // The same quantity is fine where the grid starts at zero.
    expect(() => checkFilters({ ...odd, gridFromMin: false }, limit({ qty: '0.002', price: '1000' }))).not.toThrow();
  });

  it('checks the price bounds and tick', () => {
    expect(thrown(() => checkFilters(spot, limit({ price: '65000.005' }))).code).toBe('PRICE_OFF_TICK');
    expect(thrown(() => checkFilters(um, limit({ price: '65000.05' }))).details).toMatchObject({
      field: 'price',
      limit: '0.1',
      gridFrom: '556.8',
    });
    const low = thrown(() => checkFilters(um, limit({ qty: '1', price: '500' })));
    expect(low.code).toBe('PRICE_BELOW_MIN');
    expect(low.details).toMatchObject({ field: 'price', value: '500', limit: '556.8', filter: 'PRICE_FILTER' });
    expect(thrown(() => checkFilters(spot, limit({ qty: '0.00001', price: '1000000.01' }))).code).toBe('PRICE_ABOVE_MAX');
    expect(thrown(() => checkFilters(spot, limit({ price: '0' }))).code).toBe('PRICE_NOT_POSITIVE');
  });

  it('checks a trigger price like a price, naming the field', () => {
    const err = thrown(() => checkFilters(um, { type: 'STOP_MARKET', side: 'SELL', qty: '0.01', stopPrice: '60000.05' }));
    expect(err.code).toBe('PRICE_OFF_TICK');
    expect(err.details).toMatchObject({ field: 'stopPrice', value: '60000.05' });
  });

  it('requires the prices an order type needs', () => {
    const noPrice = thrown(() => checkFilters(um, { type: 'LIMIT', side: 'BUY', qty: '0.01' }));
    expect(noPrice).toBeInstanceOf(ValidationError);
    expect(noPrice).toMatchObject({ code: 'PRICE_REQUIRED', status: 400 });
    expect(thrown(() => checkFilters(um, { type: 'STOP_MARKET', side: 'SELL', qty: '0.01' })).code).toBe('STOP_PRICE_REQUIRED');
    expect(thrown(() => checkFilters(um, { type: 'STOP_LIMIT', side: 'SELL', qty: '0.01', price: '60000' })).code).toBe(
      'STOP_PRICE_REQUIRED'
    );
  });

  it('checks the minimum and maximum notional of limit orders', () => {
    const err = thrown(() => checkFilters(spot, limit({ qty: '0.00007', price: '65000' })));
    expect(err.code).toBe('NOTIONAL_BELOW_MIN');
    expect(err.details).toMatchObject({ field: 'notional', value: '4.55', limit: '5', qty: '0.00007', price: '65000' });
    expect(() => checkFilters(spot, limit({ qty: '0.00008', price: '65000' }))).not.toThrow(); // 5.2
    const big = thrown(() => checkFilters(spot, limit({ qty: '200', price: '65000' })));
    expect(big.code).toBe('NOTIONAL_ABOVE_MAX');
    expect(big.details).toMatchObject({ value: '13000000', limit: '9000000' });
  });

  it('prices a market order by the reference price, and skips the notional without one', () => {
    const order: FilterOrder = { type: 'MARKET', side: 'BUY', qty: '0.00007' };
    expect(() => checkFilters(spot, order)).not.toThrow();
    expect(thrown(() => checkFilters(spot, { ...order, referencePrice: '65000' })).code).toBe('NOTIONAL_BELOW_MIN');
  });

  it('prices a conditional market order by its trigger when no reference is given', () => {
    const stop: FilterOrder = { type: 'STOP_MARKET', side: 'SELL', qty: '0.001', stopPrice: '60000' };
    expect(thrown(() => checkFilters(um, stop)).details).toMatchObject({ value: '60', price: '60000' });
    expect(() => checkFilters(um, { ...stop, qty: '0.002' })).not.toThrow(); // 120
  });

  it('waives the minimum notional for reduce-only orders (UM closes a small remainder)', () => {
    expect(thrown(() => checkFilters(um, limit({ qty: '0.001', price: '65000' }))).code).toBe('NOTIONAL_BELOW_MIN');
    expect(() => checkFilters(um, limit({ qty: '0.001', price: '65000', reduceOnly: true }))).not.toThrow();
    expect(() => checkFilters(um, { type: 'STOP_MARKET', side: 'SELL', qty: '0.001', stopPrice: '60000', reduceOnly: true })).not.toThrow();
  });

  it('checks PERCENT_PRICE on the crossing side against the reference price', () => {
    const high = thrown(() => checkFilters(um, limit({ side: 'BUY', qty: '0.01', price: '68250.1', referencePrice: '65000' })));
    expect(high.code).toBe('PERCENT_PRICE');
    expect(high.details).toMatchObject({ field: 'price', limit: '68250', referencePrice: '65000', multiplier: '1.0500' });
    expect(() => checkFilters(um, limit({ side: 'BUY', qty: '0.01', price: '68250', referencePrice: '65000' }))).not.toThrow();
    // A deep bid far below the reference is allowed (UM bounds only the crossing side).
    expect(() => checkFilters(um, limit({ side: 'BUY', qty: '0.01', price: '50000', referencePrice: '65000' }))).not.toThrow();
    const low = thrown(() => checkFilters(um, limit({ side: 'SELL', qty: '0.01', price: '61749.9', referencePrice: '65000' })));
    expect(low.details).toMatchObject({ limit: '61750', multiplier: '0.9500' });
    expect(() => checkFilters(um, limit({ side: 'SELL', qty: '0.01', price: '90000', referencePrice: '65000' }))).not.toThrow();
    // Without a reference price the band is unknown and not checked.
    expect(() => checkFilters(um, limit({ side: 'BUY', qty: '0.01', price: '90000' }))).not.toThrow();
  });

  it('rejects malformed decimals as a 400 validation error', () => {
    const err = thrown(() => checkFilters(spot, limit({ qty: '1e-5' })));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'INVALID_DECIMAL', status: 400 });
    expect(thrown(() => checkFilters(spot, limit({ referencePrice: '65,000' }))).code).toBe('INVALID_DECIMAL');
  });
});

describe('prepareOrder', () => {
  it('rounds a spot maker order to the conservative side', () => {
    const order = limit({ qty: '0.0012345', price: '65000.129' });
    expect(prepareOrder(spot, order, 'maker')).toEqual({ qty: '0.00123', price: '65000.12' });
    expect(prepareOrder(spot, { ...order, side: 'SELL' }, 'maker')).toEqual({ qty: '0.00123', price: '65000.13' });
  });

  it('rounds a UM taker limit to its cap and the qty on the grid from minQty', () => {
    const order = limit({ side: 'SELL', qty: '0.0159', price: '64999.97' });
    expect(prepareOrder(um, order, 'taker')).toEqual({ qty: '0.015', price: '65000' });
    expect(prepareOrder(um, { ...order, side: 'BUY' }, 'taker')).toEqual({ qty: '0.015', price: '64999.9' });
  });

  it('rounds trigger prices as stops and drops prices the type does not use', () => {
    const stop: FilterOrder = { type: 'STOP_MARKET', side: 'SELL', qty: '0.0109', stopPrice: '60000.04', price: '1' };
    expect(prepareOrder(um, stop, 'taker')).toEqual({ qty: '0.01', stopPrice: '60000.1' });
    expect(prepareOrder(um, { ...stop, side: 'BUY' }, 'taker')).toEqual({ qty: '0.01', stopPrice: '60000' });
    const market: FilterOrder = { type: 'MARKET', side: 'BUY', qty: '0.50009', price: '65000' };
    expect(prepareOrder(spot, market, 'taker')).toEqual({ qty: '0.50009' });
    expect(prepareOrder(um, market, 'taker')).toEqual({ qty: '0.5' });
  });

  it('rounds both prices of a stop-limit', () => {
    const order: FilterOrder = { type: 'STOP_LIMIT', side: 'SELL', qty: '0.01', price: '59990.01', stopPrice: '60000.01' };
    expect(prepareOrder(um, order, 'taker')).toEqual({ qty: '0.01', price: '59990.1', stopPrice: '60000.1' });
  });

  it('reports a quantity that rounds to nothing with the requested value', () => {
    const err = thrown(() => prepareOrder(um, limit({ qty: '0.0009', price: '65000' }), 'maker'));
    expect(err).toBeInstanceOf(FilterError);
    expect(err.code).toBe('QTY_BELOW_MIN');
    expect(err.details).toMatchObject({ field: 'qty', value: '0', limit: '0.001', requested: '0.0009' });
  });

  it('reports a notional that rounding pushed below the minimum', () => {
    const err = thrown(() => prepareOrder(spot, limit({ qty: '0.0000769', price: '65000' }), 'maker'));
    expect(err.code).toBe('NOTIONAL_BELOW_MIN');
    expect(err.details).toMatchObject({ value: '4.55', qty: '0.00007', requested: { qty: '0.0000769', price: '65000' } });
    expect(err.retryable).toBe(false);
  });

  it('passes validation errors through', () => {
    expect(thrown(() => prepareOrder(spot, limit({ qty: '-1' }), 'maker'))).toBeInstanceOf(ValidationError);
    expect(thrown(() => prepareOrder(spot, { type: 'LIMIT', side: 'BUY', qty: '1' }, 'maker')).code).toBe('PRICE_REQUIRED');
  });
});

/** `units / 10^scale` as a decimal string, generated from integers so every case is exact. */
function decimalFrom(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, '0');
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

describe('prepareOrder properties', () => {
  // Ranges chosen so that roughly half the cases pass and every filter code occurs among the rest.
  const qty = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 7n }), fc.integer({ min: 3, max: 9 })).map(([u, s]) => decimalFrom(u, s));
  const price = fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 8n }), fc.integer({ min: 1, max: 6 })).map(([u, s]) => decimalFrom(u, s));

  it('either returns values that pass the filters and never exceed the request, or throws FilterError', () => {
    let passed = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(spot, um),
        fc.constantFrom('BUY', 'SELL') as fc.Arbitrary<'BUY' | 'SELL'>,
        fc.constantFrom('maker', 'taker', 'stop') as fc.Arbitrary<'maker' | 'taker' | 'stop'>,
        qty,
        price,
        (instrument, side, role, q, p) => {
          const order: FilterOrder = { type: 'LIMIT', side, qty: q, price: p };
          let out;
          try {
            out = prepareOrder(instrument, order, role);
          } catch (err) {
            expect(err).toBeInstanceOf(FilterError);
            return;
          }
          expect(() => checkFilters(instrument, { ...order, ...out })).not.toThrow();
          expect(new Big(out.qty).lte(q)).toBe(true);
          expect(isOnGrid(out.price!, instrument.tickSize, instrument.gridFromMin ? instrument.minPrice : undefined)).toBe(true);
          if (side === 'BUY') expect(new Big(out.price!).lte(p)).toBe(true);
          else expect(new Big(out.price!).gte(p)).toBe(true);
          expect(prepareOrder(instrument, { ...order, ...out }, role)).toEqual(out);
          passed += 1;
        }
      ),
      { numRuns: 500 }
    );
    expect(passed).toBeGreaterThan(50);
  });
});
