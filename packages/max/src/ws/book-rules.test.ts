import { BookSync, FakeClock } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { wsFixture } from '../../test/fixtures/load.js';
import { maxBookRules, type MaxBookUpdate, type MaxSyncSnapshot } from './book-rules.js';
import { parseMaxWsMessage, toSyncSnapshot, type MaxBookEvent } from './messages.js';

const snap = (sequence: number, v = 7): MaxSyncSnapshot => ({ sequence, v, bids: [], asks: [] });
const upd = (fi: number, li: number, v = 7): MaxBookUpdate => ({ fi, li, v, bids: [], asks: [] });

describe('maxBookRules.firstUpdateAfterSnapshot', () => {
  it('applies an update that continues the snapshot exactly or overlaps it', () => {
    expect(maxBookRules.firstUpdateAfterSnapshot(snap(100), upd(101, 101))).toBe('apply');
    expect(maxBookRules.firstUpdateAfterSnapshot(snap(100), upd(98, 103))).toBe('apply');
  });
  it('drops what the snapshot contains', () => {
    expect(maxBookRules.firstUpdateAfterSnapshot(snap(100), upd(99, 100))).toBe('drop');
    expect(maxBookRules.firstUpdateAfterSnapshot(snap(100), upd(90, 95))).toBe('drop');
  });
  it('reports a gap when updates are missing or the version changed', () => {
    expect(maxBookRules.firstUpdateAfterSnapshot(snap(100), upd(102, 102))).toBe('gap');
    expect(maxBookRules.firstUpdateAfterSnapshot(snap(100), upd(101, 101, 8))).toBe('gap');
  });
});

describe('maxBookRules.next', () => {
  it('applies fi === previous li + 1 with the same version', () => {
    expect(maxBookRules.next(upd(101, 105), upd(106, 110))).toBe('apply');
  });
  it('applies an overlapping update, drops a contained one', () => {
    expect(maxBookRules.next(upd(101, 105), upd(104, 108))).toBe('apply');
    expect(maxBookRules.next(upd(101, 105), upd(103, 105))).toBe('drop');
  });
  it('reports a gap on a skipped id or a new version', () => {
    expect(maxBookRules.next(upd(101, 105), upd(107, 110))).toBe('gap');
    expect(maxBookRules.next(upd(101, 105), upd(106, 110, 8))).toBe('gap');
  });
});

describe('maxBookRules driving the core BookSync with documented messages', () => {
  it('loads the snapshot, applies the next update, and asks for a resubscribe on a gap', () => {
    const resubscribes: AbortSignal[] = [];
    const sync = new BookSync<MaxBookUpdate, MaxSyncSnapshot>({
      rules: maxBookRules,
      clock: new FakeClock(0),
      // MAX pushes snapshots in-stream: the "fetch" resubscribes and the snapshot arrives by pushSnapshot.
      fetchSnapshot: (signal) => {
        resubscribes.push(signal);
        return new Promise(() => undefined);
      },
    });
    const parse = (name: string): MaxBookEvent => parseMaxWsMessage(wsFixture(name).message, { receiveTime: 0 }) as MaxBookEvent;
    sync.pushSnapshot(toSyncSnapshot(parse('ws-book-snapshot')));
    expect(sync.synced).toBe(true);
    sync.push(parse('ws-book-update'));
    expect(sync.book.top(1)).toEqual({ bids: [{ price: '5333.3', qty: '0.5' }], asks: [{ price: '5337.3', qty: '0.01037' }] });
    const update = parse('ws-book-update');
    sync.push({ ...update, fi: update.li + 2, li: update.li + 2 });
    expect(sync.synced).toBe(false);
    expect(resubscribes).toHaveLength(1);
  });
});
