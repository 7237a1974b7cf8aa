import { describe, expect, it } from 'vitest';
import { decodeEntries, decodeEntry, decodeReadReply } from './entry-codec.js';

describe('entry codec', () => {
  it('decodes the data field as the payload and keeps every field', () => {
    const e = decodeEntry('1-0', ['data', '{"symbol":"BTCUSDT","bid":"1.5","n":2}', 'extra', 'x']);
    expect(e).toEqual({ id: '1-0', fields: { data: '{"symbol":"BTCUSDT","bid":"1.5","n":2}', extra: 'x' }, payload: { symbol: 'BTCUSDT', bid: '1.5', n: 2 } });
  });

  it('leaves the payload out for foreign or non-object entries', () => {
    expect(decodeEntry('1-0', ['f', 'v']).payload).toBeUndefined();
    expect(decodeEntry('1-0', ['data', 'not json']).payload).toBeUndefined();
    expect(decodeEntry('1-0', ['data', '[1,2]']).payload).toBeUndefined();
  });

  it('decodes entry lists, including deleted (nil) entries', () => {
    expect(decodeEntries([['1-0', ['data', '{}']], ['2-0', null]])).toEqual([
      { id: '1-0', fields: { data: '{}' }, payload: {} },
      { id: '2-0', fields: {} },
    ]);
    expect(decodeEntries(null)).toEqual([]);
  });

  it('reads RESP2 arrays, RESP3 maps and objects, and null', () => {
    const entries = [['5-1', ['data', '{"a":1}']]];
    const expected = [{ id: '5-1', fields: { data: '{"a":1}' }, payload: { a: 1 } }];
    expect(decodeReadReply([['s', entries]]).get('s')).toEqual(expected);
    expect(decodeReadReply(new Map([['s', entries]])).get('s')).toEqual(expected);
    expect(decodeReadReply({ s: entries }).get('s')).toEqual(expected);
    expect(decodeReadReply(null).size).toBe(0);
  });
});
