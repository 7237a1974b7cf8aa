import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { decimalsOf, isOnGrid, roundPrice, roundPriceForSide, roundQty } from './round.js';

/** What every output must look like: plain decimal, no exponent, no trailing zeros, no `-0`. */
const CANONICAL = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;

function expectCanonical(out: string, maxDecimals: number): void {
  expect(out).toMatch(/^-?\d+(\.\d+)?$/);
  expect(out).toMatch(CANONICAL);
  expect(out).not.toBe('-0');
  expect(out.split('.')[1]?.length ?? 0).toBeLessThanOrEqual(maxDecimals);
}

// ---- exact generators: integers + scale, never floats ------------------------------------------

/** `units / 10^scale` as a decimal string; keeps trailing zeros so inputs like "1.500" occur. */
function decimalFrom(units: bigint, scale: number): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const s = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${s}` : s;
}

const nonNegativeDecimal = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 12 }))
  .map(([u, s]) => decimalFrom(u, s));

const signedDecimal = fc
  .tuple(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 12 }))
  .map(([u, s]) => decimalFrom(u, s));

/** Venue-like steps (powers of ten, halves, quarters, "10") plus arbitrary positive ones. */
const step = fc.oneof(
  fc.constantFrom('0.01', '0.10', '0.001', '0.00001', '0.00000001', '10', '0.5', '1', '0.25', '0.3', '5', '100'),
  fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.integer({ min: 0, max: 10 })).map(([u, s]) => decimalFrom(u, s))
);

/** Independent oracle: floor to `base + k·step` with bigint arithmetic at a common scale. */
function floorOracle(value: string, stepSize: string, base = '0'): string {
  const scale = Math.max(...[value, stepSize, base].map((x) => x.split('.')[1]?.length ?? 0));
  const toUnits = (x: string): bigint => {
    const [i, f = ''] = x.replace('-', '').split('.');
    const u = BigInt(`${i}${f.padEnd(scale, '0')}`);
    return x.startsWith('-') ? -u : u;
  };
  const v = toUnits(value) - toUnits(base);
  const s = toUnits(stepSize);
  let k = v / s;
  if (v % s !== 0n && v < 0n) k -= 1n;
  return new Big(decimalFrom(k * s + toUnits(base), scale)).toFixed();
}

const gridDecimals = (s: string, min?: string): number => Math.max(decimalsOf(s), min === undefined ? 0 : decimalsOf(min));

// ---- examples -----------------------------------------------------------------------------------

describe('decimalsOf', () => {
  it('counts the significant decimals of a step', () => {
    expect(decimalsOf('0.001')).toBe(3);
    expect(decimalsOf('0.00001')).toBe(5);
    expect(decimalsOf('0.00000001')).toBe(8);
    expect(decimalsOf('0.01000000')).toBe(2);
    expect(decimalsOf('0.10')).toBe(1);
    expect(decimalsOf('0.5')).toBe(1);
    expect(decimalsOf('10')).toBe(0);
    expect(decimalsOf('1')).toBe(0);
    expect(decimalsOf('0')).toBe(0);
  });

  it('rejects malformed or negative steps', () => {
    expect(() => decimalsOf('1e-8')).toThrow(ValidationError);
    expect(() => decimalsOf('-0.1')).toThrow(ValidationError);
  });
});

describe('isOnGrid', () => {
  it('tests membership of the grid from zero', () => {
    expect(isOnGrid('0.3', '0.1')).toBe(true); // 0.3 % 0.1 is 0.09999… in floats
    expect(isOnGrid('0.35', '0.1')).toBe(false);
    expect(isOnGrid('1230', '10')).toBe(true);
    expect(isOnGrid('1235', '10')).toBe(false);
    expect(isOnGrid('-0.2', '0.1')).toBe(true);
    expect(isOnGrid('65000.12', '0.01')).toBe(true);
  });

  it('counts from the minimum when one is given', () => {
    expect(isOnGrid('1.0015', '0.001', '0.0015')).toBe(true);
    expect(isOnGrid('1.001', '0.001', '0.0015')).toBe(false);
    expect(isOnGrid('1.001', '0.001', '0.001')).toBe(true);
  });

  it('treats a zero step as no grid', () => {
    expect(isOnGrid('1.23456789', '0')).toBe(true);
  });
});

describe('roundQty', () => {
  it('rounds BTCUSDT spot quantities down to the 0.00001 step', () => {
    expect(roundQty('0.123456789', '0.00001')).toBe('0.12345');
    expect(roundQty('0.00001', '0.00001')).toBe('0.00001');
    expect(roundQty('0.000009', '0.00001')).toBe('0');
    expect(roundQty('1', '0.00001')).toBe('1');
    expect(roundQty('1.50000', '0.00001')).toBe('1.5');
    expect(roundQty('9000.000019', '0.00001')).toBe('9000.00001');
  });

  it('rounds UM BTCUSDT quantities on the grid counted from minQty', () => {
    expect(roundQty('0.0015', '0.001', { min: '0.001' })).toBe('0.001');
    expect(roundQty('2.9999', '0.001', { min: '0.001' })).toBe('2.999');
    expect(roundQty('0.001', '0.001', { min: '0.001' })).toBe('0.001');
    // Below the minimum nothing is tradable.
    expect(roundQty('0.0009', '0.001', { min: '0.001' })).toBe('0');
  });

  it('keeps the offset of a minimum that is not a multiple of the step', () => {
    expect(roundQty('1.0019', '0.001', { min: '0.0015' })).toBe('1.0015');
    expect(roundQty('1.0014', '0.001', { min: '0.0015' })).toBe('1.0005');
    expect(roundQty('0.0014', '0.001', { min: '0.0015' })).toBe('0');
  });

  it('handles steps of 10, 0.5 and 1e-8', () => {
    expect(roundQty('1234.5', '10')).toBe('1230');
    expect(roundQty('9', '10')).toBe('0');
    expect(roundQty('2.74', '0.5')).toBe('2.5');
    expect(roundQty('3', '0.5')).toBe('3');
    expect(roundQty('0.123456789', '0.00000001')).toBe('0.12345678');
    expect(roundQty('0.00000001', '0.00000001')).toBe('0.00000001');
  });

  it('has none of the binary-float artefacts', () => {
    // Math.floor(0.3 / 0.1) * 0.1 === 0.2 and 1.15 / 0.05 === 22.999999999999996 in floats.
    expect(roundQty('0.3', '0.1')).toBe('0.3');
    expect(roundQty('1.15', '0.05')).toBe('1.15');
    expect(roundQty('0.29', '0.01')).toBe('0.29');
    expect(roundQty('4.35', '0.01')).toBe('4.35');
    expect(roundQty('0.7', '0.1')).toBe('0.7');
  });

  it('keeps digits beyond float precision', () => {
    expect(roundQty('123456789012345678.1239', '0.001')).toBe('123456789012345678.123');
  });

  it('returns the canonical input when the step is 0', () => {
    expect(roundQty('1.50', '0')).toBe('1.5');
    expect(roundQty('0.000', '0')).toBe('0');
    expect(roundQty('0.123456789', '0')).toBe('0.123456789');
  });

  it('rejects negative, exponent and non-string input', () => {
    const err = (() => {
      try {
        roundQty('-0.1', '0.001');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'INVALID_DECIMAL', status: 400, details: { field: 'qty' } });
    expect(() => roundQty('1e-5', '0.001')).toThrow(ValidationError);
    expect(() => roundQty(0.1 as unknown as string, '0.001')).toThrow(ValidationError);
    expect(() => roundQty('1', '-0.001')).toThrow(ValidationError);
    expect(() => roundQty('1', '0.001', { min: 'x' })).toThrow(ValidationError);
  });
});

describe('roundPrice', () => {
  it('rounds down, up and to nearest on a 0.01 tick (BTCUSDT spot)', () => {
    expect(roundPrice('65000.129', '0.01', 'down')).toBe('65000.12');
    expect(roundPrice('65000.121', '0.01', 'up')).toBe('65000.13');
    expect(roundPrice('65000.124', '0.01', 'nearest')).toBe('65000.12');
    expect(roundPrice('65000.125', '0.01', 'nearest')).toBe('65000.13'); // ties go up
    expect(roundPrice('65000.12', '0.01', 'up')).toBe('65000.12');
  });

  it('rounds on a 0.10 tick (UM BTCUSDT) without trailing zeros', () => {
    expect(roundPrice('65000.15', '0.10', 'down')).toBe('65000.1');
    expect(roundPrice('65000.15', '0.10', 'up')).toBe('65000.2');
    expect(roundPrice('65000.01', '0.10', 'down')).toBe('65000');
    expect(roundPrice('65000.01', '0.10', 'down', { min: '556.80' })).toBe('65000');
  });

  it('counts the grid from the minimum price when given', () => {
    expect(roundPrice('1.12', '0.1', 'down', { min: '0.05' })).toBe('1.05');
    expect(roundPrice('1.12', '0.1', 'up', { min: '0.05' })).toBe('1.15');
    expect(roundPrice('1.09', '0.1', 'nearest', { min: '0.05' })).toBe('1.05');
  });

  it('handles ticks of 10, 0.5 and 1e-8', () => {
    expect(roundPrice('1234.5', '10', 'up')).toBe('1240');
    expect(roundPrice('1235', '10', 'nearest')).toBe('1240');
    expect(roundPrice('2.74', '0.5', 'up')).toBe('3');
    expect(roundPrice('0.000012345', '0.00000001', 'down')).toBe('0.00001234');
  });

  it('floors and ceils negative prices and never prints -0', () => {
    expect(roundPrice('-1.234', '0.01', 'down')).toBe('-1.24');
    expect(roundPrice('-1.234', '0.01', 'up')).toBe('-1.23');
    expect(roundPrice('-0.001', '0.01', 'up')).toBe('0');
    expect(roundPrice('-0.004', '0.01', 'nearest')).toBe('0');
    expect(roundPrice('-0', '0', 'down')).toBe('0');
  });

  it('returns the canonical input when the tick is 0', () => {
    expect(roundPrice('65000.1200', '0', 'up')).toBe('65000.12');
  });

  it('rejects an unknown mode', () => {
    expect(() => roundPrice('1', '0.1', 'half' as 'up')).toThrow(ValidationError);
  });
});

describe('roundPriceForSide', () => {
  it('rounds BUY down and SELL up for every role', () => {
    for (const role of ['maker', 'taker', 'stop'] as const) {
      expect(roundPriceForSide('100.019', '0.01', 'BUY', role)).toBe('100.01');
      expect(roundPriceForSide('100.011', '0.01', 'SELL', role)).toBe('100.02');
      expect(roundPriceForSide('100.01', '0.01', 'SELL', role)).toBe('100.01');
    }
  });

  it('uses the grid anchor', () => {
    expect(roundPriceForSide('1.12', '0.1', 'BUY', 'maker', { min: '0.05' })).toBe('1.05');
    expect(roundPriceForSide('1.12', '0.1', 'SELL', 'maker', { min: '0.05' })).toBe('1.15');
  });

  it('rejects an unknown side or role', () => {
    expect(() => roundPriceForSide('1', '0.1', 'buy' as 'BUY', 'maker')).toThrow(ValidationError);
    expect(() => roundPriceForSide('1', '0.1', 'BUY', 'passive' as 'maker')).toThrow(ValidationError);
  });
});

// ---- properties ---------------------------------------------------------------------------------

describe('rounding properties', () => {
  const runs = { numRuns: 500 };

  it('roundQty: on the grid, never above the input, less than one step below it, exact', () => {
    fc.assert(
      fc.property(nonNegativeDecimal, step, (qty, s) => {
        const out = roundQty(qty, s);
        expectCanonical(out, decimalsOf(s));
        expect(isOnGrid(out, s)).toBe(true);
        expect(new Big(out).lte(qty)).toBe(true);
        expect(new Big(qty).minus(out).lt(s)).toBe(true);
        expect(out).toBe(floorOracle(qty, s));
        expect(roundQty(out, s)).toBe(out);
      }),
      runs
    );
  });

  it('roundQty with a minimum: on the grid from min and ≥ min, or "0" below min', () => {
    fc.assert(
      fc.property(nonNegativeDecimal, step, nonNegativeDecimal, (qty, s, min) => {
        const out = roundQty(qty, s, { min });
        expectCanonical(out, gridDecimals(s, min));
        expect(new Big(out).lte(qty)).toBe(true);
        if (new Big(qty).lt(min)) {
          expect(out).toBe('0');
        } else {
          expect(isOnGrid(out, s, min)).toBe(true);
          expect(new Big(out).gte(min)).toBe(true);
          expect(new Big(qty).minus(out).lt(s)).toBe(true);
          expect(out).toBe(floorOracle(qty, s, min));
          expect(roundQty(out, s, { min })).toBe(out);
        }
      }),
      runs
    );
  });

  it('roundPrice: on the grid, in the asked direction, within one tick, idempotent', () => {
    fc.assert(
      fc.property(
        signedDecimal,
        step,
        fc.constantFrom('down', 'up', 'nearest') as fc.Arbitrary<'down' | 'up' | 'nearest'>,
        (price, t, mode) => {
          const out = roundPrice(price, t, mode);
          expectCanonical(out, decimalsOf(t));
          expect(isOnGrid(out, t)).toBe(true);
          const diff = new Big(out).minus(price);
          expect(diff.abs().lt(t)).toBe(true);
          if (mode === 'down') {
            expect(diff.lte(0)).toBe(true);
            expect(out).toBe(floorOracle(price, t));
          }
          if (mode === 'up') expect(diff.gte(0)).toBe(true);
          if (mode === 'nearest') expect(diff.abs().times(2).lte(t)).toBe(true);
          for (const again of ['down', 'up', 'nearest'] as const) expect(roundPrice(out, t, again)).toBe(out);
        }
      ),
      runs
    );
  });

  it('roundPrice with a minimum stays on the grid counted from it', () => {
    fc.assert(
      fc.property(nonNegativeDecimal, step, nonNegativeDecimal, (price, t, min) => {
        const down = roundPrice(price, t, 'down', { min });
        const up = roundPrice(price, t, 'up', { min });
        expectCanonical(down, gridDecimals(t, min));
        expectCanonical(up, gridDecimals(t, min));
        expect(isOnGrid(down, t, min) && isOnGrid(up, t, min)).toBe(true);
        expect(new Big(down).lte(price) && new Big(up).gte(price)).toBe(true);
        expect(down).toBe(floorOracle(price, t, min));
      }),
      runs
    );
  });

  it('maker BUY never rounds above the input, maker SELL never below', () => {
    fc.assert(
      fc.property(nonNegativeDecimal, step, (price, t) => {
        const buy = roundPriceForSide(price, t, 'BUY', 'maker');
        const sell = roundPriceForSide(price, t, 'SELL', 'maker');
        expect(new Big(buy).lte(price)).toBe(true);
        expect(new Big(sell).gte(price)).toBe(true);
        expect(isOnGrid(buy, t) && isOnGrid(sell, t)).toBe(true);
      }),
      runs
    );
  });

  it('a taker limit that crosses an on-grid quote still crosses after rounding', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        step,
        fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.integer({ min: 0, max: 12 })),
        (k, t, [u, scale]) => {
          const quote = new Big(t).times(k.toString());
          const slack = new Big(decimalFrom(u, scale));
          // BUY limit at or above the best ask; SELL limit at or below the best bid.
          const buy = roundPriceForSide(quote.plus(slack).toFixed(), t, 'BUY', 'taker');
          expect(new Big(buy).gte(quote)).toBe(true);
          const sellLimit = quote.minus(slack);
          if (sellLimit.gte(0)) {
            const sell = roundPriceForSide(sellLimit.toFixed(), t, 'SELL', 'taker');
            expect(new Big(sell).lte(quote)).toBe(true);
          }
        }
      ),
      runs
    );
  });

  it('a rounded value of the canonical form is returned unchanged by a zero step', () => {
    fc.assert(
      fc.property(nonNegativeDecimal, (v) => {
        const out = roundQty(v, '0');
        expectCanonical(out, 12);
        expect(new Big(out).eq(v)).toBe(true);
      }),
      runs
    );
  });
});
