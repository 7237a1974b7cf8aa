import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedEventQueue, type QueuedEvent } from './bounded-event-queue.js';

let seq = 0;
function ev(stream: string, lossy: boolean): QueuedEvent {
  return { seq: ++seq, stream, family: lossy ? 'market' : 'execution', lossy, maxLen: '10', data: '{}', publishedAt: 0, reserved: false };
}

describe('BoundedEventQueue drop policy', () => {
  it('evicts the oldest lossy event first, even for a kept newcomer', () => {
    const q = new BoundedEventQueue(3);
    const [m1, k1, m2] = [ev('m', true), ev('k', false), ev('m', true)];
    expect([q.push(m1), q.push(k1), q.push(m2)]).toEqual([undefined, undefined, undefined]);
    const k2 = ev('k', false);
    expect(q.push(k2)).toBe(m1);
    const m3 = ev('m', true);
    expect(q.push(m3)).toBe(m2);
    expect(q.length).toBe(3);
    expect(q.take(10).map((e) => e.seq)).toEqual([k1.seq, k2.seq, m3.seq]);
  });

  it('refuses a lossy newcomer and drops the oldest kept when only kept events are queued', () => {
    const q = new BoundedEventQueue(2);
    const [k1, k2] = [ev('k', false), ev('k', false)];
    q.push(k1);
    q.push(k2);
    const m = ev('m', true);
    expect(q.push(m)).toBe(m);
    const k3 = ev('k', false);
    expect(q.push(k3)).toBe(k1);
    expect(q.take(10)).toEqual([k2, k3]);
  });

  it('requeues failed events in front, trimming lossy first', () => {
    const q = new BoundedEventQueue(3);
    const [a, b, c, d] = [ev('m', true), ev('k', false), ev('m', true), ev('k', false)];
    const taken = [a, b];
    q.push(c);
    q.push(d);
    const dropped = q.requeueFront(taken);
    expect(dropped).toEqual([a]);
    expect(q.oldestSeq()).toBe(b.seq);
    expect(q.drain().map((e) => e.seq)).toEqual([b.seq, c.seq, d.seq]);
    expect(q.length).toBe(0);
  });

  it('keeps reserved events outside the bound, drop-oldest within their own small lane, sent first', () => {
    const q = new BoundedEventQueue(2, 2);
    const [m1, m2] = [ev('m', true), ev('m', true)];
    q.push(m1);
    q.push(m2);
    const [r1, r2, r3] = [0, 1, 2].map(() => ({ ...ev('alerts', false), reserved: true }));
    expect(q.push(r1!)).toBeUndefined();
    expect(q.push(r2!)).toBeUndefined();
    expect(q.push(r3!)).toBe(r1);
    expect(q.length).toBe(4);
    expect(q.oldestSeq()).toBe(m1.seq);
    expect(q.take(3)).toEqual([r2, r3, m1]);
  });

  it('never exceeds capacity, keeps each stream in order, and loses kept events only when no lossy one is left', () => {
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('push' as const), stream: fc.constantFrom('m1', 'm2', 'k1', 'k2') }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('take' as const), n: fc.integer({ min: 1, max: 5 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const) }) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 200 }), (capacity, ops) => {
        const q = new BoundedEventQueue(capacity);
        let taken: QueuedEvent[] = [];
        const delivered: QueuedEvent[] = [];
        for (const o of ops) {
          if (o.kind === 'push') {
            const lossyQueued = q.lossyLength;
            const e = ev(o.stream, o.stream.startsWith('m'));
            const dropped = q.push(e);
            if (dropped && !dropped.lossy) expect(lossyQueued).toBe(0);
          } else if (o.kind === 'take') {
            // What was taken before is acknowledged; the new batch is in flight.
            delivered.push(...taken);
            taken = q.take(o.n);
          } else {
            for (const d of q.requeueFront(taken)) if (!d.lossy) expect(q.lossyLength).toBe(0);
            taken = [];
          }
          expect(q.length).toBeLessThanOrEqual(capacity);
        }
        delivered.push(...taken, ...q.drain());
        for (const s of ['m1', 'm2', 'k1', 'k2']) {
          const seqs = delivered.filter((e) => e.stream === s).map((e) => e.seq);
          expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        }
      }),
      { numRuns: 300 },
    );
  });
});
