import { FakeClock } from '@chimera/core/testing';
import { describe, expect, it } from 'vitest';
import { WsMessageGate } from './ws-message-gate.js';

describe('WsMessageGate', () => {
  it('keeps connector messages under 200 a minute minus the socket’s own pings, in order', () => {
    const clock = new FakeClock(0);
    // Pings every 30 s: 2 a minute plus 1 of margin are left to the socket → 197 for the connector.
    const gate = new WsMessageGate({ clock, pingIntervalMs: 30_000 });
    const ran: number[] = [];
    for (let i = 0; i < 100; i++) {
      gate.run(2, () => ran.push(i));
      clock.advance(250); // 8 messages a second: the per-second window never binds
    }
    expect(ran).toHaveLength(98); // 98 × 2 = 196 ≤ 197 < 198
    expect(gate.pending).toBe(2);
    // Messages leave the minute window 60 s after they were sent (the first at 0, the second at 250 ms).
    clock.advance(60_000 - 25_000 + 250);
    expect(ran).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(gate.pending).toBe(0);
  });

  it('paces bursts to 19 a second and restarts the count on a new connection', () => {
    const clock = new FakeClock(0);
    const gate = new WsMessageGate({ clock, pingIntervalMs: 30_000 });
    let ran = 0;
    for (let i = 0; i < 25; i++) gate.run(1, () => ran++);
    expect(ran).toBe(19);
    gate.connectionOpened(1);
    expect(ran).toBe(25);
    gate.close();
    gate.run(1, () => ran++);
    expect(ran).toBe(25);
  });
});
