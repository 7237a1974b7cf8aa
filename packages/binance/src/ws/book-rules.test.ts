import { BookSync, FakeClock, type SyncSnapshot } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { spotDepthRules, umDepthRules, type BinanceDepthUpdate } from './book-rules.js';
import { BinanceDepthBook } from './depth-book.js';
import { DepthUpdateFrame, type WireLevel } from './frames.js';

const snap = (sequence: number): SyncSnapshot => ({ sequence, bids: [['100', '1']], asks: [['101', '1']] });
const ev = (U: number, u: number, pu?: number): BinanceDepthUpdate => ({ U, u, pu, bids: [], asks: [] });

describe('Binance depth rules', () => {
  it('Spot: drop what the snapshot holds, apply the event straddling lastUpdateId + 1, gap beyond it', () => {
    expect(spotDepthRules.firstUpdateAfterSnapshot(snap(100), ev(90, 100))).toBe('drop');
    expect(spotDepthRules.firstUpdateAfterSnapshot(snap(100), ev(95, 105))).toBe('apply');
    expect(spotDepthRules.firstUpdateAfterSnapshot(snap(100), ev(101, 105))).toBe('apply');
    expect(spotDepthRules.firstUpdateAfterSnapshot(snap(100), ev(102, 105))).toBe('gap');
    expect(spotDepthRules.next(ev(95, 105), ev(106, 110))).toBe('apply');
    expect(spotDepthRules.next(ev(95, 105), ev(100, 104))).toBe('drop');
    expect(spotDepthRules.next(ev(95, 105), ev(107, 110))).toBe('gap');
  });

  it('UM: U <= lastUpdateId <= u first, then pu must equal the previous u', () => {
    expect(umDepthRules.firstUpdateAfterSnapshot(snap(100), ev(90, 99, 89))).toBe('drop');
    expect(umDepthRules.firstUpdateAfterSnapshot(snap(100), ev(95, 100, 94))).toBe('apply');
    expect(umDepthRules.firstUpdateAfterSnapshot(snap(100), ev(101, 105, 100))).toBe('gap');
    expect(umDepthRules.next(ev(95, 105, 94), ev(106, 110, 105))).toBe('apply');
    expect(umDepthRules.next(ev(95, 105, 94), ev(107, 110, 106))).toBe('gap');
    expect(umDepthRules.next(ev(95, 105, 94), ev(106, 110))).toBe('gap');
  });

  it('keep a BinanceDepthBook in sync through BookSync from scanner frames and string levels alike', async () => {
    const clock = new FakeClock();
    let resolve: (s: SyncSnapshot) => void = () => undefined;
    const sync = new BookSync<DepthUpdateFrame>({
      rules: umDepthRules,
      clock,
      book: new BinanceDepthBook(),
      fetchSnapshot: () => new Promise((r) => (resolve = r)),
    });
    const frame = (U: number, u: number, pu: number, b: WireLevel[], a: WireLevel[] = []): DepthUpdateFrame =>
      DepthUpdateFrame.fromLevels({ stream: 'btcusdt@depth@100ms', symbol: 'BTCUSDT', eventTime: 1, U, u, pu, bids: b, asks: a });
    sync.push(frame(10, 12, 9, [['99.9', '2.000']]));
    sync.push(frame(13, 15, 12, [['100.0', '0']], [['100.5', '1.5']]));
    resolve({ sequence: 12, bids: [['100.0', '1'], ['99.8', '4']], asks: [['100.6', '3']] });
    await new Promise((r) => setImmediate(r));
    expect(sync.state).toBe('synced');
    expect(sync.book.top(3)).toEqual({
      bids: [
        { price: '99.9', qty: '2' },
        { price: '99.8', qty: '4' },
      ],
      asks: [
        { price: '100.5', qty: '1.5' },
        { price: '100.6', qty: '3' },
      ],
    });
    sync.push(frame(17, 18, 16, []));
    expect(sync.state).toBe('syncing');
  });
});
