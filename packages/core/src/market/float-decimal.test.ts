import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDecimal, formatFloatDecimal, isExactFloat, significantDigits } from './float-decimal.js';

/** Plain decimal literals with `digits` significant digits placed anywhere from 1e-12 to 1e12. */
function decimalText(maxDigits: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.integer({ min: 1, max: maxDigits }),
      fc.integer({ min: -12, max: 12 }),
      fc.integer({ min: 0, max: 6 }),
      fc.boolean(),
    )
    .chain(([n, exp, pad, leadingZero]) =>
      fc.tuple(
        fc.bigInt({ min: 10n ** BigInt(n - 1), max: 10n ** BigInt(n) - 1n }).map(String),
        fc.constant(exp),
        fc.constant(pad),
        fc.constant(leadingZero),
      ),
    )
    .map(([digits, exp, pad, leadingZero]) => {
      // Place the point `exp` digits right of the first digit, then pad with trailing zeros the
      // way Binance does ("65000.10000000").
      const s = new Big(`${digits[0]}.${digits.slice(1) || '0'}e${exp}`).toFixed();
      const withPad = pad > 0 ? (s.includes('.') ? s + '0'.repeat(pad) : `${s}.${'0'.repeat(pad)}`) : s;
      return leadingZero && !withPad.startsWith('0') ? `0${withPad}` : withPad;
    });
}

describe('formatFloatDecimal', () => {
  it('prints plain decimals without exponents', () => {
    expect(formatFloatDecimal(65000.1)).toBe('65000.1');
    expect(formatFloatDecimal(1e-7)).toBe('0.0000001');
    expect(formatFloatDecimal(1.2345e-10)).toBe('0.00000000012345');
    expect(formatFloatDecimal(-2.5e-8)).toBe('-0.000000025');
    expect(formatFloatDecimal(1e21)).toBe('1000000000000000000000');
    expect(formatFloatDecimal(1.5e22)).toBe('15000000000000000000000');
    expect(formatFloatDecimal(0)).toBe('0');
    expect(formatFloatDecimal(-0)).toBe('0');
  });
});

describe('canonicalDecimal and significantDigits', () => {
  it('strips padding zeros', () => {
    expect(canonicalDecimal('65000.10000000')).toBe('65000.1');
    expect(canonicalDecimal('0065.0')).toBe('65');
    expect(canonicalDecimal('0.00000000')).toBe('0');
    expect(canonicalDecimal('-0.0')).toBe('0');
    expect(canonicalDecimal('-1.50')).toBe('-1.5');
    expect(significantDigits('0.00120')).toBe(2);
    expect(significantDigits('100')).toBe(1);
    expect(significantDigits('65000.10000000')).toBe(6);
    expect(significantDigits('0.000')).toBe(0);
  });

  it('canonicalDecimal agrees with big.js', () => {
    fc.assert(
      fc.property(decimalText(20), (text) => {
        expect(canonicalDecimal(text)).toBe(new Big(text).toFixed());
      }),
      { numRuns: 500 },
    );
  });
});

describe('the exactness argument', () => {
  it('every decimal with at most 15 significant digits round-trips through Number', () => {
    fc.assert(
      fc.property(decimalText(15), (text) => {
        const n = Number(text);
        expect(formatFloatDecimal(n)).toBe(canonicalDecimal(text));
        expect(isExactFloat(text, n)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('two different decimals of at most 15 digits never map to the same number', () => {
    fc.assert(
      fc.property(decimalText(15), decimalText(15), (a, b) => {
        if (canonicalDecimal(a) !== canonicalDecimal(b)) expect(Number(a)).not.toBe(Number(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('isExactFloat is exactly "formats back to the same decimal" for longer inputs', () => {
    fc.assert(
      fc.property(decimalText(19), (text) => {
        const n = Number(text);
        expect(isExactFloat(text, n)).toBe(formatFloatDecimal(n) === canonicalDecimal(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('flags the inputs binary64 cannot hold', () => {
    expect(isExactFloat('65000.1234567890123', 65000.1234567890123)).toBe(false);
    expect(isExactFloat('12345678.123456789', 12345678.123456789)).toBe(false);
    expect(isExactFloat('0.1000000000000000', 0.1)).toBe(true);
    expect(isExactFloat(`0.${'0'.repeat(400)}1`, 0)).toBe(false);
  });
});
