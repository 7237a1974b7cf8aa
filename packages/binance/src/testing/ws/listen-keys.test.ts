import { FakeClock } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { LocalListenKeys } from './listen-keys.js';

describe('LocalListenKeys', () => {
  it('returns the active key of an API key, extends it on keepalive, answers -1125 without one', () => {
    const clock = new FakeClock();
    const keys = new LocalListenKeys(clock, 60_000);
    const expired: string[] = [];
    keys.events.on('expired', (k) => expired.push(k));
    const a = keys.create('k1');
    if (!a.ok) throw new Error('create failed');
    expect(keys.create('k1')).toEqual(a);
    expect(keys.isActive(a.body.listenKey)).toBe(true);
    clock.advance(50_000);
    expect(keys.keepAlive('k1')).toEqual(a);
    clock.advance(50_000);
    expect(keys.isActive(a.body.listenKey)).toBe(true);
    clock.advance(10_000);
    keys.sweep();
    expect(expired).toEqual([a.body.listenKey]);
    expect(keys.keepAlive('k1')).toEqual({ ok: false, status: 400, body: { code: -1125, msg: 'This listenKey does not exist.' } });
    const b = keys.create('k1');
    expect(b.ok && b.body.listenKey !== a.body.listenKey).toBe(true);
  });

  it('expires keys on demand and closes them', () => {
    const keys = new LocalListenKeys(new FakeClock());
    const one = keys.create('a');
    const two = keys.create('b');
    expect(keys.activeKeys()).toHaveLength(2);
    expect(keys.expire(one.ok ? one.body.listenKey : '')).toEqual([one.ok ? one.body.listenKey : '']);
    expect(keys.close('b')).toEqual(two);
    expect(keys.close('b').ok).toBe(false);
    expect(keys.activeKeys()).toEqual([]);
  });
});
