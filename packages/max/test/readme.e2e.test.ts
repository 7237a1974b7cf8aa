/**
 * The README's example, run as written against the local MAX exchange (a USDT P&L in TWD through
 * the factor, and a post-only order).
 */
import { SystemClock } from '@chimera/core';
import { feedUsdtTwdFactor, MaxConnector, UsdtTwdFactor } from '@chimera/max';
import { startLocalMax } from '@chimera/max/testing';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const key = { accessKey: 'my-access-key', secretKey: 'my-secret-key' };
  const exchange = await startLocalMax({ credentials: [key] });
  const max = new MaxConnector({ ...key, baseUrl: exchange.url, wsUrl: exchange.wsUrl });
  try {
    await max.connect();

    const factor = new UsdtTwdFactor({ clock: new SystemClock(), maxAgeMs: 30_000 });
    await feedUsdtTwdFactor(max, factor);
    expect(factor.rate()).toBe('32.195');
    expect(factor.toTwd('-125.5')).toBe('-4040.47');

    const order = await max.placeOrder({
      market: 'SPOT',
      symbol: 'BTCTWD',
      side: 'BUY',
      type: 'LIMIT',
      postOnly: true,
      reduceOnly: false,
      price: '1949000.04',
      qty: '0.0012345678',
      clientOrderId: 'readme-po-1',
    });
    expect(order).toMatchObject({ status: 'NEW', price: '1949000', qty: '0.00123456', postOnly: true, timeInForce: 'GTX' });
    const rests = exchange.engine.openOrders('SPOT', 'BTCTWD');
    expect(rests.map((o) => [o.clientOrderId, o.postOnly, o.price, o.qty])).toEqual([['readme-po-1', true, '1949000', '0.00123456']]);
  } finally {
    await max.close();
    await exchange.close();
  }
});
