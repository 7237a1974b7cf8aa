import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import type { BookSnapshot } from '../domain/market-data.js';
import type { BookSyncRules, SyncSnapshot } from './book-sync-rules.js';
import type { EventEmitter } from 'eventemitter3';
import { BookSync, type BookSyncEvents, type ResyncInfo } from './book-sync.js';
import type { BookLevels, BookSide } from './order-book.js';

// ---------------------------------------------------------------------------------------------
// Example venue rules. Core ships none (venue knowledge lives in the adapters); these are the
// reference implementations the Binance and MAX adapters lift, tested here path by path.
// ---------------------------------------------------------------------------------------------

type Level = [string, string];

/** A Binance depth diff (`depthUpdate`): first id `U`, last id `u`; UM adds `pu`. */
interface DepthDiff extends BookLevels {
  U: number;
  u: number;
  /** UM only: the previous event's `u`. */
  pu?: number;
  bids: Level[];
  asks: Level[];
}

/** Binance Spot, BINANCE.md §7 (doc corrected 2025-11-12). */
const spotRules: BookSyncRules<DepthDiff> = {
  // Drop what the snapshot contains; the first kept event must straddle lastUpdateId + 1.
  firstUpdateAfterSnapshot: (s, e) => (e.u <= s.sequence ? 'drop' : e.U <= s.sequence + 1 ? 'apply' : 'gap'),
  // u below the local id: stale; U beyond local id + 1: an event was missed.
  next: (p, e) => (e.u <= p.u ? 'drop' : e.U > p.u + 1 ? 'gap' : 'apply'),
};

/** Binance USDⓈ-M, BINANCE.md §7: `U <= lastUpdateId <= u` first, then `pu === previous u`. */
const umRules: BookSyncRules<DepthDiff> = {
  firstUpdateAfterSnapshot: (s, e) => (e.u < s.sequence ? 'drop' : e.U <= s.sequence ? 'apply' : 'gap'),
  next: (p, e) => (e.pu === p.u ? 'apply' : 'gap'),
};

/** A MAX book update (`fi`/`li` first/last id, `v` book version). */
interface MaxUpdate extends BookLevels {
  fi: number;
  li: number;
  v: number;
  bids: Level[];
  asks: Level[];
}
/** A MAX book snapshot: `li` is the sequence, `v` the version. */
interface MaxSnapshot extends SyncSnapshot {
  v: number;
}

/** MAX, VENUES.md A.5 (as the official node SDK checks it). */
const maxRules: BookSyncRules<MaxUpdate, MaxSnapshot> = {
  firstUpdateAfterSnapshot: (s, e) =>
    e.v !== s.v ? 'gap' : e.li <= s.sequence ? 'drop' : e.fi <= s.sequence + 1 ? 'apply' : 'gap',
  next: (p, e) => (e.v !== p.v ? 'gap' : e.li <= p.li ? 'drop' : e.fi <= p.li + 1 ? 'apply' : 'gap'),
};

// ---------------------------------------------------------------------------------------------

interface PendingFetch<S> {
  resolve: (s: S) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal;
}

/** A snapshot source the test answers by hand. */
function manualFetch<S>(): { fetch: (signal: AbortSignal) => Promise<S>; calls: PendingFetch<S>[] } {
  const calls: PendingFetch<S>[] = [];
  return {
    calls,
    fetch: (signal) => new Promise<S>((resolve, reject) => calls.push({ resolve, reject, signal })),
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function diff(U: number, u: number, bids: Level[] = [], asks: Level[] = [], pu?: number): DepthDiff {
  return pu === undefined ? { U, u, bids, asks } : { U, u, pu, bids, asks };
}

function snap(sequence: number, bids: Level[], asks: Level[]): SyncSnapshot {
  return { sequence, bids, asks };
}

/** Records the driver's events as short strings. */
function recorder<U>(sync: { events: EventEmitter<BookSyncEvents<U>> }): { log: string[]; resyncs: ResyncInfo<U>[] } {
  const log: string[] = [];
  const resyncs: ResyncInfo<U>[] = [];
  sync.events.on('synced', (i) => log.push(`synced@${i.snapshotSequence} applied=${i.applied} dropped=${i.dropped}`));
  sync.events.on('resync', (i) => {
    resyncs.push(i);
    log.push(`resync:${i.reason}`);
  });
  sync.events.on('snapshot_failed', (i) => log.push(`failed#${i.attempt} retry=${i.retryInMs}`));
  return { log, resyncs };
}

describe('BookSync with Binance Spot rules', () => {
  it('buffers until the snapshot, drops contained events, applies the straddling one', async () => {
    const clock = new FakeClock(0);
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock });
    const { log } = recorder(sync);
    const updates: string[] = [];
    sync.events.on('update', (i) => updates.push(i.cause));

    expect(sync.state).toBe('syncing');
    expect(src.calls).toHaveLength(0);
    sync.push(diff(95, 98, [['100', '1']]));
    expect(src.calls).toHaveLength(1); // the first buffered event starts the fetch
    sync.push(diff(99, 101, [['100', '2']]));
    sync.push(diff(102, 104, [['99.9', '5']], [['100.2', '1']]));
    sync.push(diff(105, 105, [], [['100.1', '7']]));
    expect(sync.buffered).toBe(4);
    expect(sync.book.levelCount).toBe(0);

    src.calls[0]!.resolve(snap(100, [['100', '9'], ['99.8', '1']], [['100.1', '3']]));
    await settle();
    expect(sync.synced).toBe(true);
    // 95–98 dropped (u ≤ 100); 99–101 straddles and applies; the rest continue.
    expect(log).toEqual(['synced@100 applied=3 dropped=1']);
    expect(updates).toEqual(['snapshot']);
    expect(sync.book.top(5)).toEqual({
      bids: [
        { price: '100', qty: '2' },
        { price: '99.9', qty: '5' },
        { price: '99.8', qty: '1' },
      ],
      asks: [
        { price: '100.1', qty: '7' },
        { price: '100.2', qty: '1' },
      ],
    });
    expect(sync.lastUpdate?.u).toBe(105);
    expect(sync.snapshot?.sequence).toBe(100);
  });

  it('applies an event that starts right after the snapshot', async () => {
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock: new FakeClock(0) });
    sync.push(diff(101, 103, [['1', '1']]));
    src.calls[0]!.resolve(snap(100, [], []));
    await settle();
    expect(sync.synced).toBe(true);
    expect(sync.book.bestBid()).toEqual({ price: '1', qty: '1' });
  });

  it('refetches a snapshot older than the first buffered event, keeping the buffer', async () => {
    const clock = new FakeClock(0);
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock, retryBaseMs: 100 });
    const { log, resyncs } = recorder(sync);
    sync.push(diff(200, 205, [['10', '1']]));
    sync.push(diff(206, 210, [['10', '2']]));
    src.calls[0]!.resolve(snap(150, [['9', '1']], []));
    await settle();
    expect(log).toEqual(['resync:snapshot_stale']);
    expect(resyncs[0]!.update).toMatchObject({ U: 200 });
    expect(sync.synced).toBe(false);
    expect(sync.buffered).toBe(2);
    expect(sync.book.levelCount).toBe(0);
    // The refetch waits for the back-off: the venue's REST view lags its stream.
    expect(src.calls).toHaveLength(1);
    clock.advance(99);
    expect(src.calls).toHaveLength(1);
    clock.advance(1);
    expect(src.calls).toHaveLength(2);
    sync.push(diff(211, 212, [['11', '1']]));
    src.calls[1]!.resolve(snap(207, [['10', '5']], []));
    await settle();
    // 200–205 dropped, 206–210 straddles 208, 211–212 follows.
    expect(log).toEqual(['resync:snapshot_stale', 'synced@207 applied=2 dropped=1']);
    expect(sync.book.levels('bid')).toEqual([
      { price: '11', qty: '1' },
      { price: '10', qty: '2' },
    ]);
  });

  it('treats a gap on the first live event after an empty buffer as a stale snapshot', async () => {
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock: new FakeClock(0), retryBaseMs: 0 });
    const { log } = recorder(sync);
    sync.push(diff(1, 5));
    src.calls[0]!.resolve(snap(10, [['1', '1']], []));
    await settle();
    expect(sync.synced).toBe(true);
    sync.push(diff(11, 12, [['1', '2']]));
    expect(sync.book.bestBid()?.qty).toBe('2');
    const sync2 = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock: new FakeClock(0), retryBaseMs: 0 });
    const r2 = recorder(sync2);
    sync2.push(diff(1, 5));
    src.calls[1]!.resolve(snap(10, [['1', '1']], []));
    await settle();
    sync2.push(diff(13, 14));
    expect(r2.log).toEqual(['synced@10 applied=0 dropped=1', 'resync:snapshot_stale']);
    expect(src.calls).toHaveLength(3); // refetched at once with a zero back-off
    expect(log).toEqual(['synced@10 applied=0 dropped=1']);
  });

  it('drops stale and duplicate live events', async () => {
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock: new FakeClock(0) });
    const updates: number[] = [];
    sync.events.on('update', (i) => i.update && updates.push(i.update.u));
    sync.push(diff(1, 1));
    src.calls[0]!.resolve(snap(1, [['5', '1']], []));
    await settle();
    sync.push(diff(2, 3, [['5', '2']]));
    sync.push(diff(2, 3, [['5', '99']])); // duplicate
    sync.push(diff(1, 2, [['5', '98']])); // older
    sync.push(diff(4, 4, [['5', '3']]));
    expect(updates).toEqual([3, 4]);
    expect(sync.book.bestBid()?.qty).toBe('3');
    expect(sync.stats).toMatchObject({ applied: 2, dropped: 3, resyncs: 0, snapshots: 1 });
  });

  it('resyncs on a skipped sequence: discards the book and restarts from that event', async () => {
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock: new FakeClock(0) });
    const { log, resyncs } = recorder(sync);
    sync.push(diff(1, 1));
    src.calls[0]!.resolve(snap(1, [['5', '1']], []));
    await settle();
    sync.push(diff(2, 3, [['5', '2']]));
    sync.push(diff(5, 6, [['6', '1']])); // 4 missing
    expect(log).toEqual(['synced@1 applied=0 dropped=1', 'resync:gap']);
    expect(resyncs[0]).toMatchObject({ reason: 'gap', previous: { u: 3 }, update: { U: 5 } });
    expect(sync.synced).toBe(false);
    expect(sync.book.levelCount).toBe(0);
    expect(sync.buffered).toBe(1);
    expect(src.calls).toHaveLength(2); // refetched at once
    sync.push(diff(7, 7, [['7', '1']]));
    src.calls[1]!.resolve(snap(6, [['5', '2'], ['6', '1']], []));
    await settle();
    expect(sync.synced).toBe(true);
    expect(sync.book.levels('bid').map((l) => l.price)).toEqual(['7', '6', '5']);
  });

  it('reset (after a reconnect) discards everything and ignores the fetch in flight', async () => {
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock: new FakeClock(0) });
    const { log, resyncs } = recorder(sync);
    sync.push(diff(1, 1));
    src.calls[0]!.resolve(snap(1, [['5', '1']], []));
    await settle();
    sync.push(diff(2, 2, [['5', '2']]));
    sync.reset();
    expect(resyncs[0]).toMatchObject({ reason: 'reset', detail: 'reconnect', previous: { u: 2 } });
    expect(sync.synced).toBe(false);
    expect(sync.book.levelCount).toBe(0);
    expect(src.calls).toHaveLength(1); // waits for the first event after the reconnect
    sync.push(diff(10, 10, [['9', '1']]));
    expect(src.calls).toHaveLength(2);
    // A reset during the fetch: its answer is ignored and its signal aborted.
    sync.reset('ws closed');
    expect(src.calls[1]!.signal.aborted).toBe(true);
    src.calls[1]!.resolve(snap(10, [['1', '1']], []));
    await settle();
    expect(sync.synced).toBe(false);
    sync.push(diff(11, 11));
    src.calls[2]!.resolve(snap(11, [['2', '2']], []));
    await settle();
    expect(sync.synced).toBe(true);
    expect(sync.book.bestBid()).toEqual({ price: '2', qty: '2' });
    expect(log).toEqual(['synced@1 applied=0 dropped=1', 'resync:reset', 'resync:reset', 'synced@11 applied=0 dropped=1']);
  });

  it('retries failed fetches with a doubling back-off on the clock', async () => {
    const clock = new FakeClock(0);
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock, retryBaseMs: 100, retryMaxMs: 250 });
    const { log } = recorder(sync);
    sync.push(diff(1, 1));
    src.calls[0]!.reject(new Error('HTTP 503'));
    await settle();
    clock.advance(100);
    src.calls[1]!.reject(new Error('HTTP 503'));
    await settle();
    clock.advance(199);
    expect(src.calls).toHaveLength(2);
    clock.advance(1);
    src.calls[2]!.reject(new Error('HTTP 503'));
    await settle();
    clock.advance(250);
    src.calls[3]!.resolve(snap(0, [], [['3', '1']]));
    await settle();
    expect(log).toEqual(['failed#1 retry=100', 'failed#2 retry=200', 'failed#3 retry=250', 'synced@0 applied=1 dropped=0']);
    expect(sync.stats.snapshotFailures).toBe(3);
  });

  it('treats an unloadable snapshot as a failed fetch and a bad event as a resync', async () => {
    const clock = new FakeClock(0);
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock, retryBaseMs: 10 });
    const { log, resyncs } = recorder(sync);
    sync.push(diff(1, 1));
    src.calls[0]!.resolve(snap(1, [['nope', '1']], []));
    await settle();
    expect(log).toEqual(['failed#1 retry=10']);
    clock.advance(10);
    src.calls[1]!.resolve(snap(1, [['1', '1']], []));
    await settle();
    sync.push(diff(2, 2, [['2', 'NaN']]));
    expect(resyncs.at(-1)).toMatchObject({ reason: 'invalid_update' });
    expect(sync.synced).toBe(false);
  });

  it('survives a buffer overflow while the snapshot is slow', async () => {
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock: new FakeClock(0), maxBuffer: 10 });
    for (let i = 1; i <= 25; i++) sync.push(diff(i, i, [[`${i}`, '1']]));
    expect(sync.buffered).toBeLessThanOrEqual(10);
    expect(sync.stats.overflowed).toBeGreaterThan(0);
    src.calls[0]!.resolve(snap(20, [['20', '9']], []));
    await settle();
    expect(sync.synced).toBe(true);
    expect(sync.book.levels('bid').map((l) => l.price)).toEqual(['25', '24', '23', '22', '21', '20']);
  });

  it('stop cancels everything', async () => {
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: spotRules, fetchSnapshot: src.fetch, clock: new FakeClock(0) });
    sync.push(diff(1, 1));
    sync.stop();
    expect(src.calls[0]!.signal.aborted).toBe(true);
    src.calls[0]!.resolve(snap(1, [['1', '1']], []));
    await settle();
    sync.push(diff(2, 2));
    sync.pushSnapshot(snap(3, [['1', '1']], []));
    sync.reset();
    expect(sync.state).toBe('stopped');
    expect(sync.book.levelCount).toBe(0);
  });

  it('accepts the domain BookSnapshot from ExchangeConnector.depth as its snapshot', async () => {
    const sync = new BookSync<DepthDiff, BookSnapshot>({
      rules: spotRules,
      clock: new FakeClock(0),
      fetchSnapshot: async () => ({
        venue: 'binance',
        market: 'SPOT',
        symbol: 'BTCUSDT',
        sequence: 5,
        bids: [{ price: '65000.10', qty: '1.5' }],
        asks: [{ price: '65000.20', qty: '2' }],
        receiveTime: 0,
      }),
    });
    sync.push(diff(6, 6));
    await settle();
    expect(sync.book.topOfBook()).toEqual({ bid: '65000.1', bidQty: '1.5', ask: '65000.2', askQty: '2' });
  });
});

describe('BookSync with Binance USDⓈ-M rules', () => {
  it('drops u < lastUpdateId, applies U ≤ lastUpdateId ≤ u, then chains on pu', async () => {
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: umRules, fetchSnapshot: src.fetch, clock: new FakeClock(0) });
    const { log } = recorder(sync);
    sync.push(diff(90, 99, [['1', '1']], [], 89));
    sync.push(diff(100, 110, [['1', '2']], [], 99));
    src.calls[0]!.resolve(snap(105, [['1', '5']], []));
    await settle();
    expect(log).toEqual(['synced@105 applied=1 dropped=1']);
    expect(sync.book.bestBid()?.qty).toBe('2');
    sync.push(diff(111, 120, [['1', '3']], [], 110));
    expect(sync.book.bestBid()?.qty).toBe('3');
    sync.push(diff(125, 130, [['1', '4']], [], 121)); // pu 121 ≠ 120
    expect(log.at(-1)).toBe('resync:gap');
  });

  it('refetches when the first event starts after the snapshot', async () => {
    const src = manualFetch<SyncSnapshot>();
    const sync = new BookSync<DepthDiff>({ rules: umRules, fetchSnapshot: src.fetch, clock: new FakeClock(0), retryBaseMs: 0 });
    const { log } = recorder(sync);
    sync.push(diff(106, 110, [], [], 105));
    src.calls[0]!.resolve(snap(105, [], []));
    await settle();
    // UM requires U ≤ lastUpdateId: 106 > 105 is a stale snapshot.
    expect(log).toEqual(['resync:snapshot_stale']);
    expect(src.calls).toHaveLength(2);
  });
});

describe('BookSync with MAX rules', () => {
  it('syncs from in-stream snapshots, chains fi/li and resyncs on a version change', async () => {
    const src = manualFetch<MaxSnapshot>();
    const sync = new BookSync<MaxUpdate, MaxSnapshot>({ rules: maxRules, fetchSnapshot: src.fetch, clock: new FakeClock(0) });
    const { log } = recorder(sync);
    sync.pushSnapshot({ sequence: 100, v: 7, bids: [['30000', '1']], asks: [['30001', '1']] });
    expect(sync.synced).toBe(true);
    expect(src.calls).toHaveLength(0);
    sync.events.on('resync', () => undefined);
    sync.push({ fi: 99, li: 100, v: 7, bids: [['30000', '9']], asks: [] }); // contained
    sync.push({ fi: 101, li: 101, v: 7, bids: [['30000', '2']], asks: [] });
    sync.push({ fi: 102, li: 103, v: 7, bids: [], asks: [['30001', '0']] });
    expect(sync.book.top(1)).toEqual({ bids: [{ price: '30000', qty: '2' }], asks: [] });
    // A new snapshot mid-stream means: rebuild from it.
    sync.pushSnapshot({ sequence: 200, v: 7, bids: [['29999', '1']], asks: [['30002', '1']] });
    expect(sync.book.top(1)).toEqual({ bids: [{ price: '29999', qty: '1' }], asks: [{ price: '30002', qty: '1' }] });
    sync.push({ fi: 201, li: 201, v: 7, bids: [['29999', '3']], asks: [] });
    sync.push({ fi: 202, li: 202, v: 8, bids: [], asks: [] }); // the venue rebuilt its book
    expect(log).toEqual(['synced@100 applied=0 dropped=0', 'synced@200 applied=0 dropped=0', 'resync:gap']);
    expect(src.calls).toHaveLength(1); // the adapter's fetch resubscribes
    // The resubscription's snapshot may arrive in-stream instead of through the fetch.
    sync.pushSnapshot({ sequence: 202, v: 8, bids: [['1', '1']], asks: [] });
    expect(src.calls[0]!.signal.aborted).toBe(true);
    expect(sync.synced).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: whatever the losses, duplicates, stale snapshots and reconnects, whenever the driver
// says "synced" its book is the venue's book at the driver's sequence; and once the stream runs
// clean it converges on the venue's current book.
// ---------------------------------------------------------------------------------------------

type VenueBook = { bids: Map<string, string>; asks: Map<string, string> };

function copyBook(b: VenueBook): VenueBook {
  return { bids: new Map(b.bids), asks: new Map(b.asks) };
}

function sortedLevels(m: Map<string, string>, side: BookSide): Array<{ price: string; qty: string }> {
  return [...m.entries()]
    .sort(([a], [b]) => new Big(a).cmp(new Big(b)) * (side === 'bid' ? -1 : 1))
    .map(([price, qty]) => ({ price, qty }));
}

type Command =
  | { kind: 'event'; lost: boolean; changes: Array<[BookSide, number, number]>; span: number }
  | { kind: 'resolve'; lag: number }
  | { kind: 'duplicate' }
  | { kind: 'reset' };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      lost: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
      changes: fc.array(fc.tuple(fc.constantFrom<BookSide>('bid', 'ask'), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 4 })), {
        minLength: 1,
        maxLength: 4,
      }),
      span: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('resolve' as const), lag: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'duplicate' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
);

type Venue = 'spot' | 'um' | 'max';

/** What the scenarios exercised, so the property cannot pass vacuously. */
const seen = { syncedChecks: 0, gap: 0, snapshot_stale: 0, reset: 0, dropped: 0 };

async function runScenario(venue: Venue, commands: Command[]): Promise<void> {
  const book: VenueBook = { bids: new Map(), asks: new Map() };
  let seq = 0;
  let prevU = 0;
  const history = new Map<number, VenueBook>([[0, copyBook(book)]]);
  const seqs: number[] = [0];
  let lastDelivered: DepthDiff | undefined;
  const src = manualFetch<SyncSnapshot & { v: number }>();
  const clock = new FakeClock(0);

  // One driver per venue flavour, over the same event shape.
  const rules: BookSyncRules<DepthDiff & MaxUpdate, SyncSnapshot & { v: number }> =
    venue === 'spot'
      ? { firstUpdateAfterSnapshot: spotRules.firstUpdateAfterSnapshot, next: spotRules.next }
      : venue === 'um'
        ? { firstUpdateAfterSnapshot: umRules.firstUpdateAfterSnapshot, next: umRules.next }
        : maxRules;
  const sync = new BookSync<DepthDiff & MaxUpdate, SyncSnapshot & { v: number }>({ rules, fetchSnapshot: src.fetch, clock, retryBaseMs: 0 });

  const makeEvent = (changes: Array<[BookSide, number, number]>, span: number): DepthDiff & MaxUpdate => {
    const U = seq + 1;
    seq += span;
    const bids: Level[] = [];
    const asks: Level[] = [];
    for (const [side, tick, q] of changes) {
      // Bids below 100, asks above: the venue's book never crosses.
      const price = side === 'bid' ? (99 - tick / 10).toFixed(1) : (100 + tick / 10).toFixed(1);
      const qty = q === 0 ? '0.00000000' : `${q}.5`;
      (side === 'bid' ? bids : asks).push([price, qty]);
      const m = side === 'bid' ? book.bids : book.asks;
      const key = new Big(price).toFixed();
      if (q === 0) m.delete(key);
      else m.set(key, `${q}.5`);
    }
    const e = { U, u: seq, pu: prevU, fi: U, li: seq, v: 1, bids, asks };
    prevU = seq;
    history.set(seq, copyBook(book));
    seqs.push(seq);
    return e;
  };

  const snapshotAt = (s: number): SyncSnapshot & { v: number } => {
    const b = history.get(s)!;
    return {
      sequence: s,
      v: 1,
      bids: sortedLevels(b.bids, 'bid').map((l) => [l.price, l.qty] as Level),
      asks: sortedLevels(b.asks, 'ask').map((l) => [l.price, l.qty] as Level),
    };
  };

  sync.events.on('resync', (i) => {
    if (i.reason === 'gap' || i.reason === 'snapshot_stale' || i.reason === 'reset') seen[i.reason]++;
  });
  const check = (): void => {
    if (!sync.synced) return;
    seen.syncedChecks++;
    const at = sync.lastUpdate?.u ?? sync.snapshot!.sequence;
    const expected = history.get(at)!;
    expect(sync.book.levels('bid')).toEqual(sortedLevels(expected.bids, 'bid'));
    expect(sync.book.levels('ask')).toEqual(sortedLevels(expected.asks, 'ask'));
  };

  const resolvePending = (lag: number): void => {
    const pending = src.calls.filter((c) => !c.signal.aborted);
    const call = pending.at(-1);
    if (call === undefined) return;
    src.calls.splice(src.calls.indexOf(call), 1);
    const s = seqs[Math.max(0, seqs.length - 1 - lag)]!;
    call.resolve(snapshotAt(s));
  };

  for (const c of commands) {
    if (c.kind === 'event') {
      const e = makeEvent(c.changes, c.span);
      if (!c.lost) {
        sync.push(e);
        lastDelivered = e;
      }
    } else if (c.kind === 'duplicate') {
      if (lastDelivered) sync.push(lastDelivered as DepthDiff & MaxUpdate);
    } else if (c.kind === 'reset') {
      sync.reset();
    } else {
      resolvePending(c.lag);
    }
    await settle();
    check();
  }

  // The stream now runs clean: keep it flowing and answer fetches with fresh snapshots.
  for (let round = 0; round < 20 && !(sync.synced && sync.lastUpdate?.u === seq); round++) {
    const e = makeEvent([['bid', round % 20, (round % 3) + 1]], 1);
    sync.push(e);
    await settle();
    resolvePending(0);
    await settle();
    check();
  }
  expect(sync.synced).toBe(true);
  expect(sync.book.levels('bid')).toEqual(sortedLevels(book.bids, 'bid'));
  expect(sync.book.levels('ask')).toEqual(sortedLevels(book.asks, 'ask'));
  seen.dropped += sync.stats.dropped;
}

describe('BookSync property: the synced book always equals the venue book', () => {
  for (const venue of ['spot', 'um', 'max'] as const) {
    it(`holds for ${venue} rules under random losses, duplicates, stale snapshots and resets`, async () => {
      Object.assign(seen, { syncedChecks: 0, gap: 0, snapshot_stale: 0, reset: 0, dropped: 0 });
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 80, size: 'max' }), (cmds) => runScenario(venue, cmds)),
        { numRuns: 120 },
      );
      expect(seen.syncedChecks).toBeGreaterThan(500);
      for (const k of ['gap', 'snapshot_stale', 'reset', 'dropped'] as const) expect(seen[k]).toBeGreaterThan(0);
    });
  }
});
