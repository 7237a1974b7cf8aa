import { describe, expect, it } from 'vitest';
import { createSigner } from './signing.js';
import { buildUniversalTransfer, buildUniversalTransferHistory, transferType } from './transfer.js';

const signer = createSigner({
  apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
  secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
});

describe('universal transfer builders', () => {
  it('maps directions to transfer types', () => {
    expect(transferType('SPOT', 'FUT')).toBe('MAIN_UMFUTURE');
    expect(transferType('FUT', 'SPOT')).toBe('UMFUTURE_MAIN');
    expect(() => transferType('SPOT', 'SPOT')).toThrow(/no transfer from SPOT to SPOT/);
  });

  it('POST /sapi/v1/asset/transfer: exact params, UID weight 900, signed like Spot', () => {
    const req = buildUniversalTransfer({ asset: 'USDT', amount: '250.5', from: 'SPOT', to: 'FUT' });
    expect(req).toEqual({
      method: 'POST',
      path: '/sapi/v1/asset/transfer',
      params: { type: 'MAIN_UMFUTURE', asset: 'USDT', amount: '250.5' },
      weight: 0,
      uidWeight: 900,
      signed: true,
      kind: 'write',
      product: 'spot',
    });
    expect(signer.signQuery(req.params, { product: 'spot', timestamp: 1766102400000, recvWindow: 5000 })).toBe(
      'type=MAIN_UMFUTURE&asset=USDT&amount=250.5&recvWindow=5000&timestamp=1766102400000' +
        '&signature=3e009675b2e0953e422dc4dc84a5d9ef2a5147b2366eb582779092d31cfd7c63'
    );
  });

  it('refuses bad amounts and assets', () => {
    expect(() => buildUniversalTransfer({ asset: 'USDT', amount: '0', from: 'FUT', to: 'SPOT' })).toThrow(/positive/);
    expect(() => buildUniversalTransfer({ asset: 'USDT', amount: '-1', from: 'FUT', to: 'SPOT' })).toThrow(/positive/);
    expect(() => buildUniversalTransfer({ asset: 'USDT', amount: '1e3', from: 'FUT', to: 'SPOT' })).toThrow(/positive/);
    expect(() => buildUniversalTransfer({ asset: 'usdt', amount: '1', from: 'FUT', to: 'SPOT' })).toThrow(/asset/);
  });

  it('GET history of one direction, 100 rows per page by default', () => {
    expect(buildUniversalTransferHistory('FUT', 'SPOT', { startTime: 1544433328000, endTime: 1544436928000 })).toEqual({
      method: 'GET',
      path: '/sapi/v1/asset/transfer',
      params: { type: 'UMFUTURE_MAIN', startTime: '1544433328000', endTime: '1544436928000', size: '100' },
      weight: 1,
      signed: true,
      kind: 'read',
      product: 'spot',
    });
    expect(buildUniversalTransferHistory('SPOT', 'FUT', { current: 2, size: 10 }).params).toEqual({ type: 'MAIN_UMFUTURE', current: '2', size: '10' });
    expect(() => buildUniversalTransferHistory('SPOT', 'FUT', { size: 101 })).toThrow(/size/);
  });
});
