import { VenueError } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { averagePrice, nonNegativeDifference, OptionalWireDecimal, parseVenue, weightedAverage, WireDecimal, WireId } from './wire.js';

describe('wire primitives', () => {
  it('WireDecimal canonicalises strings and JSON numbers, and rejects anything else', () => {
    expect(WireDecimal.parse('0.00100000')).toBe('0.001');
    expect(WireDecimal.parse(0.0065)).toBe('0.0065');
    expect(WireDecimal.parse('-0.37500000')).toBe('-0.375');
    expect(WireDecimal.safeParse('1e-7').success).toBe(false);
    expect(WireDecimal.safeParse('').success).toBe(false);
    expect(WireDecimal.safeParse(Number.NaN).success).toBe(false);
  });

  it('OptionalWireDecimal reads "" and null as absent', () => {
    const S = z.object({ p: OptionalWireDecimal });
    expect(S.parse({ p: '' })).toEqual({ p: undefined });
    expect(S.parse({ p: null })).toEqual({ p: undefined });
    expect(S.parse({})).toEqual({ p: undefined });
    expect(S.parse({ p: '750.000' })).toEqual({ p: '750' });
  });

  it('WireId keeps ids as strings', () => {
    expect(WireId.parse(22542179)).toBe('22542179');
    expect(WireId.parse('4056738200')).toBe('4056738200');
    expect(WireId.safeParse(1.5).success).toBe(false);
  });

  it('parseVenue throws a coded VenueError naming every bad field', () => {
    try {
      parseVenue(z.object({ a: z.string(), b: z.object({ c: z.number() }) }), { a: 1, b: { c: 'x' } }, 'test payload');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(VenueError);
      const e = err as VenueError;
      expect(e.code).toBe('UNEXPECTED_RESPONSE');
      expect(e.status).toBe(502);
      expect(e.retryable).toBe(false);
      expect(e.details.what).toBe('test payload');
      expect((e.details.issues as Array<{ path: string }>).map((i) => i.path)).toEqual(['a', 'b.c']);
    }
  });

  it('decimal helpers are exact', () => {
    expect(averagePrice('10', '3')).toBe('3.3333333333333333');
    expect(averagePrice('1', '0')).toBeUndefined();
    expect(nonNegativeDifference('0.3', '0.1')).toBe('0.2');
    expect(nonNegativeDifference('0.1', '0.3')).toBe('0');
    expect(weightedAverage([{ price: '0.1', qty: '0.2' }, { price: '0.2', qty: '0.1' }])).toEqual({ qty: '0.3', avgPrice: '0.1333333333333333' });
  });
});
