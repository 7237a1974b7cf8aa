import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deque } from './deque.js';

describe('Deque', () => {
  it('pushes, unshifts and shifts across ring growth', () => {
    const d = new Deque<number>(2);
    for (let i = 0; i < 40; i++) d.push(i);
    for (let i = 0; i < 10; i++) expect(d.shift()).toBe(i);
    d.unshift(-1);
    expect(d.peek()).toBe(-1);
    expect(d.length).toBe(31);
    expect(d.toArray()).toEqual([-1, ...Array.from({ length: 30 }, (_, i) => i + 10)]);
    d.clear();
    expect(d.shift()).toBeUndefined();
    expect(d.length).toBe(0);
  });

  it('behaves like an array under any sequence of operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), v: fc.integer() }),
      fc.record({ kind: fc.constant('unshift' as const), v: fc.integer() }),
      fc.record({ kind: fc.constant('shift' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const d = new Deque<number>();
        const model: number[] = [];
        for (const o of ops) {
          if (o.kind === 'push') {
            d.push(o.v);
            model.push(o.v);
          } else if (o.kind === 'unshift') {
            d.unshift(o.v);
            model.unshift(o.v);
          } else {
            expect(d.shift()).toBe(model.shift());
          }
        }
        expect(d.toArray()).toEqual(model);
        expect(d.length).toBe(model.length);
      }),
      { numRuns: 200 },
    );
  });
});
