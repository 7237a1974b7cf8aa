import { describe, expect, it } from 'vitest';
import { AutoTopUp, type TopUpProposal } from './auto-top-up.js';
import { drive, treasuryRig } from './treasury.test-data.js';

function rigWith(fut: string, spot: string) {
  const rig = treasuryRig({ balances: { SPOT: { USDT: spot }, FUT: { USDT: fut } } });
  return { rig, treasury: rig.treasury() };
}

describe('AutoTopUp', () => {
  it('proposes the need, and on approval transfers it under a deterministic id', async () => {
    const { rig, treasury } = rigWith('120', '2000');
    const proposals: TopUpProposal[] = [];
    const top = new AutoTopUp({
      treasury,
      connector: rig.paper,
      clock: rig.clock,
      minFreeFut: '500',
      spotBuffer: '1000',
      sink: rig.sink,
      approve: (p) => {
        proposals.push(p);
        return true;
      },
    });
    const outcome = await drive(rig.clock, top.check());

    const windowStart = Math.floor(rig.clock.now() / 3_600_000) * 3_600_000;
    expect(outcome).toMatchObject({ status: 'TRANSFERRED', response: { result: 'SUCCESS' } });
    expect(proposals).toHaveLength(1);
    expect(proposals[0]).toMatchObject({ transfer_id: `topup-paper-USDT-SPOT-FUT-${windowStart}-380`, amount: '380', futFree: '120', spotFree: '2000' });
    expect((await rig.paper.balances('FUT')).find((b) => b.asset === 'USDT')?.free).toBe('500');
    expect(rig.sink.payloads('ops:events').filter((p) => p.type === 'TREASURY_TOP_UP').map((p) => p.event)).toEqual(['PROPOSED', 'APPROVED']);

    // Topped up: the next check finds nothing to do.
    expect((await drive(rig.clock, top.check())).status).toBe('NOT_NEEDED');
    expect(rig.calls.transfer).toBe(1);
  });

  it('moves nothing when the hook declines, or fails', async () => {
    const { rig, treasury } = rigWith('0', '5000');
    const declined = new AutoTopUp({ treasury, connector: rig.paper, clock: rig.clock, minFreeFut: '100', spotBuffer: '0', approve: async () => false });
    expect((await drive(rig.clock, declined.check())).status).toBe('REJECTED');

    const failing = new AutoTopUp({
      treasury,
      connector: rig.paper,
      clock: rig.clock,
      minFreeFut: '100',
      spotBuffer: '0',
      sink: rig.sink,
      approve: () => {
        throw new Error('approver offline');
      },
    });
    expect(await drive(rig.clock, failing.check())).toMatchObject({ status: 'APPROVAL_FAILED', error: 'approver offline' });
    expect(rig.calls.transfer).toBe(0);
    expect(rig.sink.payloads('alerts').map((a) => a.code)).toEqual(['TOP_UP_APPROVAL_FAILED']);
  });

  it('a repeated check after a lost answer reuses the id and never moves money twice', async () => {
    const { rig, treasury } = rigWith('0', '5000');
    rig.paper.faults.setLatency(40_000); // the first answer times out (30 s) and history lags
    const top = new AutoTopUp({ treasury, connector: rig.paper, clock: rig.clock, minFreeFut: '100', spotBuffer: '0', approve: () => true });
    const first = await drive(rig.clock, top.check());
    expect(first).toMatchObject({ status: 'TRANSFERRED', response: { result: 'PENDING' } });
    rig.paper.faults.setLatency(0);
    // The balances now show the landed transfer, so there is nothing left to top up.
    expect((await drive(rig.clock, top.check())).status).toBe('NOT_NEEDED');
    expect(rig.calls.transfer).toBe(1);
    expect((await rig.paper.balances('FUT')).find((b) => b.asset === 'USDT')?.free).toBe('100');
  });

  it('alerts when spot cannot cover the need', async () => {
    const { rig, treasury } = rigWith('0', '1000.5');
    const top = new AutoTopUp({ treasury, connector: rig.paper, clock: rig.clock, minFreeFut: '100', spotBuffer: '1000', sink: rig.sink, approve: () => true });
    expect((await drive(rig.clock, top.check())).status).toBe('INSUFFICIENT_SPOT');
    expect(rig.sink.payloads('alerts').map((a) => [a.level, a.code])).toEqual([['WARN', 'TOP_UP_INSUFFICIENT_SPOT']]);
  });
});
