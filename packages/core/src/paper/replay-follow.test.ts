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
