import { ClientOrderId, ValidationError } from '@chimera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deriveClientOrderId,
  isValidClientOrderId,
  MAX_ATTEMPT,
  SPOT_CLIENT_ORDER_ID_PATTERN,
  UM_CLIENT_ORDER_ID_PATTERN,
} from './client-order-id.js';

const intentArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 60 }),
  fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
  fc.uuid()
);
const legArb = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const attemptArb = fc.integer({ min: 0, max: MAX_ATTEMPT });
const partsArb = fc.record({ intentId: intentArb, leg: legArb, attempt: attemptArb });

describe('deriveClientOrderId', () => {
  it('keeps short, plain intent ids readable', () => {
    expect(deriveClientOrderId({ intentId: 'i42', leg: 'entry', attempt: 0 })).toBe('i42-entry-0');
    expect(deriveClientOrderId({ intentId: 'i42', leg: 'sl', attempt: 35 })).toBe('i42-sl-z');
    expect(deriveClientOrderId({ intentId: 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', leg: 'tp', attempt: 36 })).toBe(
      '_DkWiumKYkIhAg1lDns99-tp-10'
    );
  });

  it('hashes ids that are too long, have other characters, start with _ or look like Binance ids', () => {
    expect(deriveClientOrderId({ intentId: 'intent.with.dots', leg: 'mk', attempt: 1 })).toMatch(/^_[A-Za-z0-9_-]{20}-mk-1$/);
    expect(deriveClientOrderId({ intentId: '_x', leg: 'mk', attempt: 1 })).toMatch(/^_[A-Za-z0-9_-]{20}-mk-1$/);
    expect(deriveClientOrderId({ intentId: 'autoclose-1', leg: 'tk', attempt: 0 })).toMatch(/^_/);
    expect(deriveClientOrderId({ intentId: 'ADL_autoclose', leg: 'tk', attempt: 0 })).toMatch(/^_/);
    expect(deriveClientOrderId({ intentId: 'a'.repeat(30), leg: 'entry', attempt: 0 })).toMatch(/^_/);
    expect(deriveClientOrderId({ intentId: 'a'.repeat(28), leg: 'entry', attempt: 0 })).toBe(`${'a'.repeat(28)}-entry-0`);
  });

  it('rejects bad parts with a typed error', () => {
    expect(() => deriveClientOrderId({ intentId: '', leg: 'a', attempt: 0 })).toThrow(ValidationError);
    expect(() => deriveClientOrderId({ intentId: 'i', leg: 'stop-loss', attempt: 0 })).toThrow(/leg/);
    expect(() => deriveClientOrderId({ intentId: 'i', leg: 'toolonglg', attempt: 0 })).toThrow(/leg/);
    expect(() => deriveClientOrderId({ intentId: 'i', leg: 'a', attempt: -1 })).toThrow(/attempt/);
    expect(() => deriveClientOrderId({ intentId: 'i', leg: 'a', attempt: 1.5 })).toThrow(/attempt/);
    expect(() => deriveClientOrderId({ intentId: 'i', leg: 'a', attempt: MAX_ATTEMPT + 1 })).toThrow(/attempt/);
  });

  it('property: always valid for Spot, UM and the core schema', () => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        const id = deriveClientOrderId(parts);
        expect(id.length).toBeLessThanOrEqual(36);
        expect(SPOT_CLIENT_ORDER_ID_PATTERN.test(id)).toBe(true);
        expect(UM_CLIENT_ORDER_ID_PATTERN.test(id)).toBe(true);
        expect(isValidClientOrderId(id)).toBe(true);
        expect(ClientOrderId.safeParse(id).success).toBe(true);
        expect(id.toLowerCase().startsWith('autoclose-')).toBe(false);
      }),
      { numRuns: 2000 }
    );
  });

  it('property: deterministic', () => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        expect(deriveClientOrderId({ ...parts })).toBe(deriveClientOrderId({ ...parts }));
      }),
      { numRuns: 500 }
    );
  });

  it('property: distinct inputs give distinct ids', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(partsArb, { minLength: 2, maxLength: 200, selector: (p) => `${p.intentId}\u0000${p.leg}\u0000${p.attempt}` }),
        (all) => {
          const ids = new Set(all.map(deriveClientOrderId));
          expect(ids.size).toBe(all.length);
        }
      ),
      { numRuns: 200 }
    );
  });

  it('property: distinct ids for near-identical long intents (shared prefixes)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 40, maxLength: 80 }), fc.uniqueArray(fc.string({ maxLength: 4 }), { minLength: 2, maxLength: 20 }), (base, tails) => {
        const ids = new Set(tails.map((t) => deriveClientOrderId({ intentId: base + t, leg: 'entry', attempt: 0 })));
        expect(ids.size).toBe(tails.length);
      })
    );
  });
});
