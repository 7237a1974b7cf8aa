import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { PaperConnector } from './paper-connector.js';
import { PaperEngine } from './engine.js';
import { loadReplayFile, ReplaySource } from './replay.js';
import { FIXTURE_PATH, REPLAY_START } from './paper-test-kit.test-data.js';

describe('PaperConnector.follow', () => {
  it('feeds an engine from a replay without any order being placed', async () => {
    const clock = new FakeClock(REPLAY_START);
    const replay = new ReplaySource({ clock, frames: loadReplayFile(FIXTURE_PATH) });
    const engine = new PaperEngine({ clock });
    const feeder = new PaperConnector({ clock, engine, marketData: replay });
    replay.start();
    await feeder.follow('FUT', 'BTCUSDT');
    await feeder.follow('FUT', 'BTCUSDT');
    await clock.tickAsync(5_000);
    const t1 = engine.ticker('FUT', 'BTCUSDT');
    await clock.tickAsync(60_000);
    const t2 = engine.ticker('FUT', 'BTCUSDT');
    expect(Number(t1.bid)).toBeGreaterThan(60_000);
    expect(t2.eventTime).toBeGreaterThan(t1.eventTime);
    expect(engine.book('SPOT', 'BTCUSDT').isTwoSided()).toBe(false);
    await feeder.close();
  });
});

describe('position updatedAt', () => {
  it('is the time the position last changed, not the time it was read', async () => {
    const clock = new FakeClock(REPLAY_START);
    const engine = new PaperEngine({ clock, balances: { FUT: { USDT: '100000' } } });
    engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: [['64999.0', '1']], asks: [['65001.0', '1']] });
    engine.placeOrder({ market: 'FUT', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: '0.002', clientOrderId: 'p1', postOnly: false, reduceOnly: false });
    clock.advance(60_000);
    const [pos] = engine.positions('BTCUSDT');
    expect(pos?.qty).toBe('0.002');
    expect(pos?.updatedAt).toBe(REPLAY_START);
  });
});
