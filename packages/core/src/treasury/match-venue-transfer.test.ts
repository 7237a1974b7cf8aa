import { describe, expect, it } from 'vitest';
import type { VenueTransfer } from '../domain/account.js';
import { matchVenueTransfer } from './match-venue-transfer.js';

const record = { transfer_id: 'tr-1', from_market: 'SPOT' as const, to_market: 'FUT' as const, asset: 'USDT', amount: '100', created_at: 10_000 };
const row = (over: Partial<VenueTransfer>): VenueTransfer => ({ tranId: '1', from: 'SPOT', to: 'FUT', asset: 'USDT', amount: '100', status: 'CONFIRMED', ts: 10_500, ...over });

describe('matchVenueTransfer', () => {
  it('matches a known tranId only', () => {
    const h = [row({ tranId: '5', clientTransferId: 'other' }), row({ tranId: '6', clientTransferId: 'tr-1' })];
    expect(matchVenueTransfer(record, h, { tranId: '5', slackMs: 0 })?.tranId).toBe('5');
    expect(matchVenueTransfer(record, h, { tranId: '9', slackMs: 0 })).toBeUndefined();
  });

  it('matches the echoed client id, and never falls back when the venue echoes ids', () => {
    expect(matchVenueTransfer(record, [row({ tranId: '2', clientTransferId: 'x' }), row({ tranId: '3', clientTransferId: 'tr-1' })], { slackMs: 0 })?.tranId).toBe('3');
    expect(matchVenueTransfer(record, [row({ tranId: '2', clientTransferId: 'x' })], { slackMs: 0 })).toBeUndefined();
  });

  it('without echoed ids, matches asset, direction and amount at or after creation, earliest first', () => {
    const h = [
      row({ tranId: 'other-amount', amount: '100.5', ts: 10_100 }),
      row({ tranId: 'other-asset', asset: 'BTC', ts: 10_100 }),
      row({ tranId: 'other-direction', from: 'FUT', to: 'SPOT', ts: 10_100 }),
      row({ tranId: 'too-old', ts: 7_000 }),
      row({ tranId: 'later', ts: 12_000 }),
      row({ tranId: 'first', amount: '100.00', ts: 10_200 }),
    ];
    expect(matchVenueTransfer(record, h, { slackMs: 2_000 })?.tranId).toBe('first');
  });

  it('uses the skew slack only when nothing is at or after creation', () => {
    expect(matchVenueTransfer(record, [row({ tranId: 'skewed', ts: 9_000 })], { slackMs: 2_000 })?.tranId).toBe('skewed');
    expect(matchVenueTransfer(record, [row({ tranId: 'skewed', ts: 9_000 })], { slackMs: 500 })).toBeUndefined();
    expect(matchVenueTransfer(record, [row({ tranId: 'skewed', ts: 9_000 }), row({ tranId: 'after', ts: 11_000 })], { slackMs: 2_000 })?.tranId).toBe('after');
  });
});
