import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { worstStatus, type HealthProvider } from './health-check.js';
import { HealthMonitor, type HealthStatusChange } from './health-monitor.js';

const fixed = (name: string, status: 'OK' | 'DEGRADED' | 'DOWN', critical?: boolean): HealthProvider => ({
  name,
  ...(critical !== undefined ? { critical } : {}),
  check: () => ({ status, detail: `${name} is ${status}` }),
});

describe('worstStatus', () => {
  it('orders OK < DEGRADED < DOWN', () => {
    expect(worstStatus([])).toBe('OK');
    expect(worstStatus(['OK', 'DEGRADED', 'OK'])).toBe('DEGRADED');
    expect(worstStatus(['DEGRADED', 'DOWN', 'OK'])).toBe('DOWN');
  });
});

describe('HealthMonitor', () => {
  it('reports every check with a timestamp and the worst status overall', async () => {
    const clock = new FakeClock();
    const m = new HealthMonitor({ clock, providers: [fixed('a', 'OK'), fixed('b', 'DEGRADED')] });
    expect(await m.health()).toEqual({
      status: 'DEGRADED',
      ts: clock.now(),
      checks: [
        { name: 'a', status: 'OK', detail: 'a is OK', critical: true, ts: clock.now() },
        { name: 'b', status: 'DEGRADED', detail: 'b is DEGRADED', critical: true, ts: clock.now() },
      ],
    });
    m.add(fixed('c', 'DOWN'));
    expect((await m.health()).status).toBe('DOWN');
  });

  it('counts a non-critical DOWN as DEGRADED overall', async () => {
    const m = new HealthMonitor({ clock: new FakeClock(), providers: [fixed('sink', 'DOWN', false), fixed('venue', 'OK')] });
    const r = await m.health();
    expect(r.status).toBe('DEGRADED');
    expect(r.checks.find((c) => c.name === 'sink')?.status).toBe('DOWN');
  });

  it('turns a throwing or hanging check into DOWN', async () => {
    const clock = new FakeClock();
    const m = new HealthMonitor({
      clock,
      timeoutMs: 1_000,
      providers: [
        { name: 'throws', check: () => { throw new Error('boom'); } },
        { name: 'hangs', check: () => new Promise(() => undefined) },
      ],
    });
    const pending = m.health();
    await clock.tickAsync(1_000);
    const r = await pending;
    expect(r.status).toBe('DOWN');
    expect(r.checks.map((c) => [c.name, c.status, c.detail])).toEqual([
      ['throws', 'DOWN', 'check failed: boom'],
      ['hangs', 'DOWN', 'check failed: no answer within 1000 ms'],
    ]);
  });

  it('emits statusChanged only when the overall status changes', async () => {
    let status: 'OK' | 'DOWN' = 'OK';
    const m = new HealthMonitor({ clock: new FakeClock(), providers: [{ name: 'x', check: () => ({ status, detail: '' }) }] });
    const changes: HealthStatusChange[] = [];
    m.events.on('statusChanged', (c) => changes.push(c));
    await m.health();
    await m.health();
    status = 'DOWN';
    await m.health();
    expect(changes.map((c) => [c.from, c.to])).toEqual([
      [undefined, 'OK'],
      ['OK', 'DOWN'],
    ]);
  });

  it('rejects duplicate names and removes providers', async () => {
    const m = new HealthMonitor({ clock: new FakeClock(), providers: [fixed('a', 'DOWN')] });
    expect(() => m.add(fixed('a', 'OK'))).toThrow(/already exists/);
    expect(m.remove('a')).toBe(true);
    expect(m.names).toEqual([]);
    expect((await m.health()).status).toBe('OK');
  });
});
