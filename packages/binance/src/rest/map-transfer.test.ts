import { describe, expect, it } from 'vitest';
import { fixtureBody } from '../../test/fixtures/load.js';
import { parseUniversalTransferHistory, parseUniversalTransferResult } from './map-transfer.js';

describe('universal transfer mappers', () => {
  it('POST answer (documented): tranId as a string', () => {
    expect(parseUniversalTransferResult(fixtureBody('wallet/transfer'))).toEqual({ tranId: '13526853623' });
  });

  it('history (documented rows + a pending one): SPOT→FUT, statuses by name, oldest first', () => {
    expect(parseUniversalTransferHistory(fixtureBody('wallet/transfer-history'))).toEqual([
      { tranId: '11415955596', from: 'SPOT', to: 'FUT', asset: 'USDT', amount: '1', status: 'CONFIRMED', ts: 1544433328000 },
      { tranId: '11366865406', from: 'SPOT', to: 'FUT', asset: 'USDT', amount: '2', status: 'CONFIRMED', ts: 1544433328000 },
      { tranId: '11366865999', from: 'SPOT', to: 'FUT', asset: 'USDT', amount: '250.5', status: 'PENDING', ts: 1544433400000 },
    ]);
  });

  it('an empty history has no rows field; other transfer types fail loudly', () => {
    expect(parseUniversalTransferHistory({ total: 0 })).toEqual([]);
    expect(() =>
      parseUniversalTransferHistory({ total: 1, rows: [{ asset: 'USDT', amount: '1', type: 'MAIN_MARGIN', status: 'CONFIRMED', tranId: 1, timestamp: 1 }] })
    ).toThrow(/MAIN_MARGIN/);
    expect(() => parseUniversalTransferHistory({ total: 1, rows: [{ asset: 'USDT', amount: '1', type: 'MAIN_UMFUTURE', status: 'DONE', tranId: 1, timestamp: 1 }] })).toThrow(
      /status/
    );
  });
});
