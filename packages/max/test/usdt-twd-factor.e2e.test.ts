/**
 * The USDT/TWD factor fed from the connector's `USDTTWD` ticker stream (the top of the synced
 * `usdttwd` book of the local MAX exchange), published as a MarketTick like any other symbol, with
 * its staleness rule on the fake clock.
 */
import type { MarketTick } from '@chimera/core';
import { FakeClock } from '@chimera/core/testing';
import { feedUsdtTwdFactor, MaxConnector, UsdtTwdFactor } from '@chimera/max';
import { startLocalMax, type LocalMax } from '@chimera/max/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('UsdtTwdFactor fed by MaxConnector', () => {
  let max: LocalMax;
  let connector: MaxConnector;
  const clock = new FakeClock(1_760_000_000_000);
  const factor = new UsdtTwdFactor({ clock, maxAgeMs: 30_000 });
  const published: MarketTick[] = [];

  beforeAll(async () => {
    max = await startLocalMax();
    // Pings every 120 s: the test moves the fake clock by less, so no ping/pong races the jumps.
    connector = new MaxConnector({ baseUrl: max.url, wsUrl: max.wsUrl, clock, ws: { pingIntervalMs: 120_000 } });
    await connector.connect();
  });
  afterAll(async () => {
    await connector.close();
    await max.close();
  });

  it('takes the REST ticker, then the stream; converts a USDT P&L to TWD; goes stale on the clock and fresh with the next tick', async () => {
    const handle = await feedUsdtTwdFactor(connector, factor, { onTick: (t) => published.push(t) });
    // The REST ticker first: the rate is the mid of 32.190 / 32.200.
    expect(factor.rate()).toBe('32.195');
    expect(factor.toTwd('-125.5')).toBe('-4040.47');
    expect(factor.toUsdt('1000')).toBe('31.060724');
    expect(published[0]).toMatchObject({ venue: 'max', market: 'SPOT', symbol: 'USDTTWD', bid: '32.19', ask: '32.2', receiveTime: clock.now() });

    // The stream's first tick (same top) is taken too; it is a MarketTick like any other symbol's.
    await expect.poll(() => published.length).toBe(2);
    expect(published[1]).toMatchObject({ venue: 'max', market: 'SPOT', symbol: 'USDTTWD', bid: '32.19', bidQty: '500', ask: '32.2', askQty: '500' });

    clock.advance(30_000);
    expect(factor.isFresh()).toBe(true);
    clock.advance(1);
    expect(factor.isFresh()).toBe(false);
    expect(factor.state()).toMatchObject({ rate: '32.195', ageMs: 30_001, fresh: false });
    expect(() => factor.rate()).toThrow(expect.objectContaining({ code: 'FACTOR_STALE', retryable: true }));
    expect(() => factor.toTwd('100')).toThrow(expect.objectContaining({ code: 'FACTOR_STALE' }));

    // The market moves: a better bid arrives on the stream and the factor is fresh again.
    max.engine.applyBookDiff('SPOT', 'USDTTWD', { bids: [['32.194', '20']], asks: [] });
    await expect.poll(() => published.length).toBe(3);
    expect(published[2]).toMatchObject({ bid: '32.194', bidQty: '20', ask: '32.2', receiveTime: clock.now() });
    expect(factor.rate()).toBe('32.197');
    expect(factor.toTwd('100')).toBe('3219.7');
    expect(factor.asTick()).toEqual(published[2]);

    await handle.unsubscribe();
    max.engine.applyBookDiff('SPOT', 'USDTTWD', { bids: [['32.196', '5']], asks: [] });
    await new Promise((r) => setTimeout(r, 50));
    expect(published).toHaveLength(3);
    clock.advance(30_001);
    expect(factor.isFresh()).toBe(false);
  });
});
