import { describe, expect, it } from 'vitest';
import { describeStore } from '../testing/describe-store.js';
import { FanOutEventSink } from './event-sink.js';
import { MemoryEventSink } from './memory-event-sink.js';
import { MemoryStore } from './memory-store.js';
import { DEFAULT_STREAM_KEYS as K, streamKeys, ticksKey } from './stream-keys.js';

describeStore('MemoryStore', () => new MemoryStore());

describe('stream keys', () => {
  it('spell every SPEC stream exactly, braces included', () => {
    expect([K.spotTicks('BTCUSDT'), K.perpTicks('BTCUSDT'), K.funding('BTCUSDT'), K.tick('BTCUSDT'), K.depth('BTCUSDT')]).toEqual([
      'mkt:events:{spot}:BTCUSDT',
      'mkt:events:{perp}:BTCUSDT',
      'mkt:events:{funding}:BTCUSDT',
      'mkt:tick:{BTCUSDT}',
      'mkt:depth:{BTCUSDT}',
    ]);
    expect([
      K.wsRtt(),
      K.mktThroughput(),
      K.signals(),
      K.ordersExecuted(),
      K.ocoArmed(),
      K.guardArm(),
      K.slArm(),
      K.reconciled(),
      K.alerts(),
      K.opsEvents(),
      K.reconLastRun(),
      K.treasuryLock('SPOT', 'FUT'),
    ]).toEqual([
      'metrics:events:s1.ws_rtt',
      'metrics:events:s1.mkt_throughput',
      'signals:new',
      'orders:executed',
      'spot:oco:armed',
      'guard:spot:arm',
      'risk:sl_arm',
      'strategy:reconciled',
      'alerts',
      'ops:events',
      'recon:{last_run_ts}',
      'lock:treasury:SPOT:FUT',
    ]);
    expect(ticksKey(K, 'FUT', 'ETHUSDT')).toBe('mkt:events:{perp}:ETHUSDT');
  });

  it('sorts streams into families', () => {
    expect(K.familyOf(K.spotTicks('X'))).toBe('market');
    expect(K.familyOf(K.wsRtt())).toBe('metrics');
    expect(K.familyOf(K.ordersExecuted())).toBe('execution');
    expect(K.familyOf(K.guardArm())).toBe('execution');
    expect(K.familyOf(K.slArm())).toBe('risk');
    expect(K.familyOf(K.reconciled())).toBe('reconcile');
    expect(K.familyOf(K.alerts())).toBe('alerts');
    expect(K.familyOf(K.opsEvents())).toBe('ops');
  });

  it('can be overridden to spread Cluster slots', () => {
    const keys = streamKeys({ spotTicks: (s) => `mkt:events:spot:{${s}}` });
    expect(keys.spotTicks('BTCUSDT')).toBe('mkt:events:spot:{BTCUSDT}');
    expect(keys.perpTicks('BTCUSDT')).toBe('mkt:events:{perp}:BTCUSDT');
  });
});

describe('MemoryEventSink', () => {
  it('keeps events per stream, capped like MAXLEN, isolated from caller mutation', () => {
    const sink = new MemoryEventSink(2);
    const payload = { n: 1 };
    sink.publish('a', payload);
    payload.n = 99;
    sink.publish('a', { n: 2 });
    sink.publish('a', { n: 3 });
    sink.publish('b', { n: 4 });
    expect(sink.payloads('a')).toEqual([{ n: 2 }, { n: 3 }]);
    expect(sink.dropped).toBe(1);
    expect(sink.all().map((e) => e.payload.n)).toEqual([2, 3, 4]);
  });

  it('fans out and drops after close', async () => {
    const a = new MemoryEventSink();
    const b = new MemoryEventSink();
    const fan = new FanOutEventSink([a, b]);
    fan.publish('alerts', { level: 'ERROR' });
    await fan.flush();
    await fan.close();
    fan.publish('alerts', { level: 'INFO' });
    expect(a.payloads('alerts')).toEqual([{ level: 'ERROR' }]);
    expect(b.payloads('alerts')).toEqual([{ level: 'ERROR' }]);
    expect(a.dropped).toBe(1);
  });
});
