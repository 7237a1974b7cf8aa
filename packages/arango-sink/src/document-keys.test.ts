import { fillKey, fundingKey, instrumentKey, positionSnapshotKey } from '@chimera/core';
import { sampleFill, sampleFundingRecord, sampleInstrument, samplePositionSnapshot } from '@chimera/core/testing';
import { describe, expect, it } from 'vitest';
import { fromDocument, MAX_KEY_LENGTH, toDocument, toDocumentKey } from './document-keys.js';

const ARANGO_KEY = /^[A-Za-z0-9_\-:.@()+,=;$!*'%]{1,254}$/;

describe('toDocumentKey', () => {
  it('keeps the core natural keys as they are', () => {
    for (const k of [fillKey(sampleFill()), fundingKey(sampleFundingRecord()), instrumentKey(sampleInstrument()), positionSnapshotKey(samplePositionSnapshot()), 'cx-uuid-123-entry-0']) {
      expect(toDocumentKey(k)).toBe(k);
    }
  });

  it('percent-encodes forbidden characters and % itself, as UTF-8', () => {
    expect(toDocumentKey('tr/1 ü%')).toBe('tr%2F1%20%C3%BC%25');
    expect(toDocumentKey('a%2F')).toBe('a%252F');
    // One-to-one: the encoded form of a key that looks encoded differs from the encoded original.
    expect(toDocumentKey('a/')).not.toBe(toDocumentKey('a%2F'));
  });

  it('hashes keys longer than ArangoDB allows, deterministically', () => {
    const long = 'x'.repeat(300);
    const key = toDocumentKey(long);
    expect(key).toHaveLength(MAX_KEY_LENGTH);
    expect(key).toMatch(ARANGO_KEY);
    expect(key).toMatch(/^x{189}![0-9a-f]{64}$/);
    expect(toDocumentKey(long)).toBe(key);
    expect(toDocumentKey(`${long}y`)).not.toBe(key);
    expect(toDocumentKey('/'.repeat(100))).toMatch(ARANGO_KEY);
  });

  it('refuses an empty key', () => {
    expect(() => toDocumentKey('')).toThrow(RangeError);
  });
});

describe('toDocument / fromDocument', () => {
  it('adds _key (and _seq) and strips every system attribute on the way back', () => {
    const rec = { a: 1, nested: { _key: 'kept' } };
    expect(toDocument(rec, 'k')).toEqual({ a: 1, nested: { _key: 'kept' }, _key: 'k' });
    expect(toDocument(rec, 'k', 7)).toEqual({ a: 1, nested: { _key: 'kept' }, _key: 'k', _seq: 7 });
    expect(fromDocument({ _key: 'k', _id: 'c/k', _rev: '_x', _oldRev: '_w', _seq: 7, a: 1, nested: { _key: 'kept' } })).toEqual(rec);
  });
});
