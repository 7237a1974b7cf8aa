import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { ClockSkewError, NetworkError, VenueError } from '../errors.js';
import { ClockSync, skewTier, type ClockSyncEvents } from './clock-sync.js';
import { RestClient } from './rest-client.js';

/** A venue whose clock runs `offsetMs` ahead; each call takes `up` ms to arrive and `down` ms back. */
function fakeVenueTime(clock: FakeClock, offsetMs: () => number, legs: [up: number, down: number][]) {
  let calls = 0;
  const fetchServerTime = async (): Promise<number> => {
    const [up, down] = legs[calls % legs.length]!;
    calls++;
    clock.advance(up);
    const server = clock.now() + offsetMs();
    clock.advance(down);
    return server;
  };
  return { fetchServerTime, calls: () => calls };
}

function alertsOf(sync: ClockSync): Parameters<ClockSyncEvents['alert']>[0][] {
  const out: Parameters<ClockSyncEvents['alert']>[0][] = [];
  sync.events.on('alert', (a) => out.push(a));
  return out;
}

describe('skewTier', () => {
  it('PASS ≤ 250 ms, WARN ≤ 500 ms, ERROR above, on the absolute skew; tiers are configurable', () => {
    expect([0, 250, 251, 500, 501, -300, -900].map((s) => skewTier(s))).toEqual(['PASS', 'PASS', 'WARN', 'WARN', 'ERROR', 'WARN', 'ERROR']);
    expect([100, 101, 1000, 1001].map((s) => skewTier(s, { passMs: 100, warnMs: 1000 }))).toEqual(['PASS', 'WARN', 'WARN', 'ERROR']);
  });
});

describe('ClockSync', () => {
  it('takes the offset from the lowest-RTT sample: serverTime − (t0 + t1) / 2', async () => {
    const clock = new FakeClock();
    // Asymmetric slow samples would skew the estimate by (up − down) / 2; the fast symmetric one is exact.
    const venue = fakeVenueTime(clock, () => 1234, [
      [70, 10],
      [10, 10],
      [5, 45],
    ]);
    const sync = new ClockSync({ clock, fetchServerTime: venue.fetchServerTime });
    expect(sync.now()).toBe(clock.now());
    const report = await sync.sync();
    expect(venue.calls()).toBe(3);
    expect(report).toEqual({ offsetMs: 1234, skewMs: 1234, tier: 'ERROR', rttMs: 20, syncedAt: clock.now(), samples: 3 });
    expect(sync.offsetMs).toBe(1234);
    expect(sync.now()).toBe(clock.now() + 1234);
    expect(sync.skew()).toBe(report);
  });

  it('handles a local clock ahead of the server (negative offset)', async () => {
    const clock = new FakeClock();
    const venue = fakeVenueTime(clock, () => -300, [[4, 4]]);
    const sync = new ClockSync({ clock, fetchServerTime: venue.fetchServerTime, samples: 1 });
    expect(await sync.sync()).toMatchObject({ offsetMs: -300, skewMs: 300, tier: 'WARN', rttMs: 8, samples: 1 });
  });

  it('alerts when the tier changes, not on every sync', async () => {
    const clock = new FakeClock();
    let offset = 100;
    const venue = fakeVenueTime(clock, () => offset, [[1, 1]]);
    const sync = new ClockSync({ clock, fetchServerTime: venue.fetchServerTime, samples: 1 });
    const alerts = alertsOf(sync);
    const synced: number[] = [];
    sync.events.on('synced', (r) => synced.push(r.offsetMs));
    await sync.sync();
    offset = 400;
    await sync.sync();
    await sync.sync();
    offset = 700;
    await sync.sync();
    offset = -50;
    await sync.sync();
    expect(synced).toEqual([100, 400, 400, 700, -50]);
    expect(alerts.map((a) => [a.level, a.code, a.details?.tier])).toEqual([
      ['WARN', 'CLOCK_SKEW', 'WARN'],
      ['ERROR', 'CLOCK_SKEW', 'ERROR'],
      ['INFO', 'CLOCK_SKEW', 'PASS'],
    ]);
  });

  it('skips failed samples, and keeps the old offset when all fail', async () => {
    const clock = new FakeClock();
    let n = 0;
    let failAll = false;
    const sync = new ClockSync({
      clock,
      samples: 3,
      fetchServerTime: async () => {
        n++;
        if (failAll || n === 1) throw new NetworkError('down');
        clock.advance(10);
        return clock.now() + 500;
      },
    });
    expect(await sync.sync()).toMatchObject({ samples: 2, offsetMs: 505, rttMs: 10 });
    failAll = true;
    await expect(sync.sync()).rejects.toBeInstanceOf(NetworkError);
    expect(sync.offsetMs).toBe(505);
  });

  it('shares one measurement between concurrent sync() calls', async () => {
    const clock = new FakeClock();
    const venue = fakeVenueTime(clock, () => 10, [[1, 1]]);
    const sync = new ClockSync({ clock, fetchServerTime: venue.fetchServerTime, samples: 2 });
    const [a, b] = await Promise.all([sync.sync(), sync.sync()]);
    expect(a).toBe(b);
    expect(venue.calls()).toBe(2);
    await sync.sync();
    expect(venue.calls()).toBe(4);
  });

  describe('withTimestampRetry', () => {
    it('on a clock-skew rejection resyncs once and retries once with a fresh timestamp', async () => {
      const clock = new FakeClock();
      const venue = fakeVenueTime(clock, () => 3_000, [[1, 1]]);
      const sync = new ClockSync({ clock, fetchServerTime: venue.fetchServerTime, samples: 1 });
      const stamps: number[] = [];
      const result = await sync.withTimestampRetry(async () => {
        stamps.push(sync.now());
        if (stamps.length === 1) throw new ClockSkewError('-1021 outside recvWindow');
        return 'placed';
      });
      expect(result).toBe('placed');
      expect(venue.calls()).toBe(1);
      expect(stamps).toHaveLength(2);
      expect(stamps[1]! - stamps[0]!).toBe(3_000 + 2);
    });

    it('retries exactly once: a second rejection is thrown', async () => {
      const clock = new FakeClock();
      const venue = fakeVenueTime(clock, () => 0, [[1, 1]]);
      const sync = new ClockSync({ clock, fetchServerTime: venue.fetchServerTime, samples: 1 });
      let calls = 0;
      const err = await sync
        .withTimestampRetry(async () => {
          calls++;
          throw new ClockSkewError(`rejected ${calls}`);
        })
        .catch((e: unknown) => e);
      expect((err as ClockSkewError).shortMessage).toBe('rejected 2');
      expect(calls).toBe(2);
      expect(venue.calls()).toBe(1);
    });

    it('does not resync or retry other errors, and rethrows the rejection when the resync fails', async () => {
      const clock = new FakeClock();
      let fetches = 0;
      const sync = new ClockSync({
        clock,
        samples: 1,
        fetchServerTime: async () => {
          fetches++;
          throw new NetworkError('time endpoint down');
        },
      });
      let calls = 0;
      await expect(
        sync.withTimestampRetry(async () => {
          calls++;
          throw new VenueError('insufficient balance');
        }),
      ).rejects.toMatchObject({ code: 'VENUE_ERROR' });
      expect([calls, fetches]).toEqual([1, 0]);
      await expect(
        sync.withTimestampRetry(async () => {
          calls++;
          throw new ClockSkewError('-1021');
        }),
      ).rejects.toMatchObject({ code: 'CLOCK_SKEW' });
      expect([calls, fetches]).toEqual([2, 1]);
    });
  });
});

describe('-1021 through RestClient + ClockSync', () => {
  const ORIGIN = 'http://127.0.0.1:9';
  let agent: MockAgent;
  afterEach(async () => {
    await agent.close();
  });

  /** A venue 2 s ahead that rejects timestamps more than 1 s off with -1021 (as Binance does). */
  function venue(clock: FakeClock, aheadMs: () => number) {
    agent = new MockAgent();
    agent.disableNetConnect();
    const orderHits: number[] = [];
    agent
      .get(ORIGIN)
      .intercept({ path: () => true, method: () => true })
      .reply((opts) => {
        const url = new URL(opts.path, ORIGIN);
        if (url.pathname === '/time') return { statusCode: 200, data: JSON.stringify({ serverTime: clock.now() + aheadMs() }) };
        const ts = Number(url.searchParams.get('timestamp'));
        orderHits.push(ts);
        const serverTime = clock.now() + aheadMs();
        if (Math.abs(serverTime - ts) > 1000) return { statusCode: 400, data: JSON.stringify({ code: -1021, msg: 'Timestamp outside recvWindow' }) };
        return { statusCode: 200, data: JSON.stringify({ orderId: 7 }) };
      })
      .persist();
    const rest = new RestClient({
      baseUrl: ORIGIN,
      dispatcher: agent,
      clock,
      retry: { retries: 3, minTimeout: 0 },
      errorMapper: (status, body) =>
        (body as { code?: number }).code === -1021 ? new ClockSkewError('timestamp outside recvWindow', { details: { venueCode: -1021 } }) : new VenueError(`HTTP ${status}`),
    });
    const sync = new ClockSync({
      clock,
      samples: 1,
      fetchServerTime: async () => (await rest.request<{ serverTime: number }>({ method: 'GET', path: '/time', kind: 'read' })).body.serverTime,
    });
    const place = () =>
      sync.withTimestampRetry(() =>
        rest.request<{ orderId: number }>({
          method: 'POST',
          path: '/order',
          kind: 'write',
          sign: ({ query }) => ({ query: `${query}${query ? '&' : ''}timestamp=${sync.now()}` }),
        }),
      );
    return { place, orderHits, sync };
  }

  it('the first rejection triggers one resync and one re-signed retry, which lands', async () => {
    const clock = new FakeClock();
    const v = venue(clock, () => 2_000);
    const res = await v.place();
    expect(res.body).toEqual({ orderId: 7 });
    expect(v.orderHits).toEqual([clock.now(), clock.now() + 2_000]);
    expect(v.sync.offsetMs).toBe(2_000);
  });

  it('a venue that keeps rejecting sees exactly two order requests (no transport retry of -1021)', async () => {
    const clock = new FakeClock();
    let calls = 0;
    // The venue's clock jumps after every time query, so the fresh offset is always stale.
    const v = venue(clock, () => 5_000 * ++calls);
    await expect(v.place()).rejects.toMatchObject({ code: 'CLOCK_SKEW', details: { venueCode: -1021 } });
    expect(v.orderHits).toHaveLength(2);
  });
});
