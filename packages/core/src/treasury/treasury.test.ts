import { describe, expect, it } from 'vitest';
import { TransferResponse } from '../domain/transfer.js';
import { BusinessRuleError, RateLimitError, UnknownOutcomeError, ValidationError, VenueError } from '../errors.js';
import { MemoryStore } from '../sinks/memory-store.js';
import { MemoryEventSink } from '../sinks/memory-event-sink.js';
import { FakeClock } from '../clock/clock.js';
import { MemoryLockProvider } from './lock-provider.js';
import { TransferRateLimitError } from './request-rate-limiter.js';
import { Treasury } from './treasury.js';
import type { TreasuryAlert, TreasuryFatalEvent } from './treasury-events.js';
import { drive, request, treasuryRig } from './treasury.test-data.js';

async function free(rig: ReturnType<typeof treasuryRig>, market: 'SPOT' | 'FUT'): Promise<string | undefined> {
  return (await rig.paper.balances(market)).find((b) => b.asset === 'USDT')?.free;
}

function auditKinds(rig: ReturnType<typeof treasuryRig>, transferId: string): unknown[] {
  return rig.sink
    .payloads('ops:events')
    .filter((p) => p.transfer_id === transferId)
    .map((p) => p.event);
}

describe('Treasury — contract tests of s1-exchange-connectors §10', () => {
  it('a valid request → SUCCESS, money moved once, state, audit and strategy event written', async () => {
    const rig = treasuryRig();
    const t = rig.treasury();
    const res = await drive(rig.clock, t.transfer(request()));

    expect(res).toEqual({ transfer_id: 'tr-1', result: 'SUCCESS' });
    expect(TransferResponse.parse(res)).toEqual(res);
    expect(rig.calls.transfer).toBe(1);
    expect(await free(rig, 'SPOT')).toBe('19900');
    expect(await free(rig, 'FUT')).toBe('1100');

    const stored = await rig.store.getTransfer('tr-1');
    expect(stored).toMatchObject({ state: 'SUCCESS', from_market: 'SPOT', to_market: 'FUT', asset: 'USDT', amount: '100' });
    expect(stored?.venue_tran_id).toMatch(/^\d+$/);
    expect(auditKinds(rig, 'tr-1')).toEqual(['PENDING', 'SUCCESS']);
    const events = await rig.store.listStrategyEvents({ kind: 'TREASURY_TRANSFER' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event_id: 'treasury:tr-1', payload: { transfer_id: 'tr-1', amount: '100', venue_tran_id: stored?.venue_tran_id } });
    expect(rig.sink.payloads('alerts')).toEqual([]);
    // The lock is free again.
    expect(rig.locks.holder('lock:treasury:SPOT:FUT')).toBeUndefined();
  });

  it.each([
    ['missing transfer_id', { transfer_id: undefined }],
    ['transfer_id over 128 chars', { transfer_id: 'x'.repeat(129) }],
    ['unknown market', { from_market: 'MARGIN' }],
    ['negative amount', { amount: '-5' }],
    ['zero amount', { amount: 0 }],
    ['lower-case symbol', { symbol: 'usdt' }],
    ['extra field', { memo: 'hi' }],
  ])('invalid format (%s) → 400 ValidationError, nothing sent', async (_what, patch) => {
    const rig = treasuryRig();
    const err = await rig.treasury().transfer(request(patch)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).status).toBe(400);
    expect(rig.calls.transfer).toBe(0);
    expect(rig.sink.payloads('ops:events').map((p) => [p.event, p.status])).toEqual([['REJECTED', 400]]);
  });

  it.each([
    ['SAME_MARKET', { to_market: 'SPOT' }],
    ['MIN_AMOUNT', { amount: '0.99' }],
    ['MAX_AMOUNT', { amount: '10000.01' }],
    ['NOT_WHITELISTED', { symbol: 'BTC' }],
  ])('business rule → 422 %s, nothing sent', async (code, patch) => {
    const rig = treasuryRig();
    const err = await rig.treasury().transfer(request(patch)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).status).toBe(422);
    expect((err as BusinessRuleError).code).toBe(code);
    expect(rig.calls.transfer).toBe(0);
    expect(await rig.store.getTransfer('tr-1')).toBeUndefined();
  });

  it('amount limits are inclusive: exactly 1 and exactly 10 000 pass', async () => {
    const rig = treasuryRig();
    const t = rig.treasury();
    expect((await drive(rig.clock, t.transfer(request({ transfer_id: 'min', amount: '1' })))).result).toBe('SUCCESS');
    expect((await drive(rig.clock, t.transfer(request({ transfer_id: 'max', amount: '10000' })))).result).toBe('SUCCESS');
  });

  it('a direction outside the whitelist → 422 NOT_WHITELISTED', async () => {
    const rig = treasuryRig();
    const t = rig.treasury({ limits: { directions: ['SPOT->FUT'] } });
    const err = await t.transfer(request({ from_market: 'FUT', to_market: 'SPOT' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_WHITELISTED', status: 422 });
  });

  it('a repeated request → the same response and one venue call (also from a restarted process)', async () => {
    const rig = treasuryRig();
    const t = rig.treasury();
    const first = await drive(rig.clock, t.transfer(request()));
    const again = await drive(rig.clock, t.transfer(request()));
    const restarted = await drive(rig.clock, rig.treasury().transfer(request({ amount: 100 })));

    expect(again).toEqual(first);
    expect(restarted).toEqual(first);
    expect(rig.calls.transfer).toBe(1);
    expect(await free(rig, 'FUT')).toBe('1100');
  });

  it('concurrent calls with the same id in one process share one execution', async () => {
    const rig = treasuryRig();
    const t = rig.treasury();
    const [a, b] = await drive(rig.clock, Promise.all([t.transfer(request()), t.transfer(request())]));
    expect(a).toEqual({ transfer_id: 'tr-1', result: 'SUCCESS' });
    expect(b).toEqual(a);
    expect(rig.calls.transfer).toBe(1);
  });

  it('two processes racing the same transfer → one venue call, the same response for both', async () => {
    const rig = treasuryRig();
    // Latency makes the first holder keep the lock while the second one polls for it.
    rig.paper.faults.setLatency(700);
    let lockAttempts = 0;
    const locks = { acquire: (key: string, ttlMs: number) => (lockAttempts++, rig.locks.acquire(key, ttlMs)) };
    const processA = rig.treasury({ locks });
    const processB = rig.treasury({ locks });
    const [a, b] = await drive(rig.clock, Promise.all([processA.transfer(request()), processB.transfer(request())]), 100);

    expect(a).toEqual({ transfer_id: 'tr-1', result: 'SUCCESS' });
    expect(b).toEqual(a);
    expect(rig.calls.transfer).toBe(1);
    // B found the lock taken and polled (every 250 ms) until A released it after the 700 ms call.
    expect(lockAttempts).toBeGreaterThanOrEqual(4);
    rig.paper.faults.setLatency(0);
    expect(await free(rig, 'SPOT')).toBe('19900');
    expect(auditKinds(rig, 'tr-1')).toEqual(['PENDING', 'SUCCESS']);
  });

  it('the same transfer_id with a different request → 422 TRANSFER_ID_CONFLICT', async () => {
    const rig = treasuryRig();
    const t = rig.treasury();
    await drive(rig.clock, t.transfer(request()));
    const err = await t.transfer(request({ amount: '200' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSFER_ID_CONFLICT', status: 422 });
    expect(rig.calls.transfer).toBe(1);
  });
});

describe('Treasury — rate limit', () => {
  it('admits 10 new transfers a minute, refuses the 11th with 429 RATE_LIMITED, and admits again after the window', async () => {
    const rig = treasuryRig();
    const t = rig.treasury();
    for (let i = 0; i < 10; i++) {
      expect((await drive(rig.clock, t.transfer(request({ transfer_id: `r${i}`, amount: '1' })), 1)).result).toBe('SUCCESS');
    }
    // Replays of known ids are answered from the store and never count.
    expect((await t.transfer(request({ transfer_id: 'r0', amount: '1' }))).result).toBe('SUCCESS');
    const elapsed = rig.clock.now() - new FakeClock().now();
    const err = await t.transfer(request({ transfer_id: 'r10', amount: '1' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferRateLimitError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryable: true, retryAfterMs: 60_000 - elapsed });
    expect(rig.calls.transfer).toBe(10);

    await rig.clock.tickAsync(60_000);
    expect((await drive(rig.clock, t.transfer(request({ transfer_id: 'r10', amount: '1' })))).result).toBe('SUCCESS');
  });
});

describe('Treasury — retries and unknown outcomes', () => {
  it('retries a 429 twice, 5 s plus jitter apart, then succeeds on the third try', async () => {
    const rig = treasuryRig();
    rig.paper.faults.rejectNext(2, () => new RateLimitError('too many requests', 0, false), ['transfer']);
    const start = rig.clock.now();
    const res = await drive(rig.clock, rig.treasury({ random: () => 0.5 }).transfer(request()), 100);

    expect(res.result).toBe('SUCCESS');
    expect(rig.calls.transfer).toBe(3);
    // Two waits of 5 000 ms + ⌊0.5 · 1 001⌋ = 500 ms jitter each; the drive step is 100 ms.
    expect(rig.clock.now() - start).toBeGreaterThanOrEqual(11_000);
    expect(rig.clock.now() - start).toBeLessThanOrEqual(11_100);
    expect(auditKinds(rig, 'tr-1')).toEqual(['PENDING', 'RETRY', 'RETRY', 'SUCCESS']);
    expect(rig.sink.payloads('ops:events').filter((p) => p.event === 'RETRY').map((p) => p.delay_ms)).toEqual([5_500, 5_500]);
  });

  it('waits a 429 Retry-After longer than the fixed delay', async () => {
    const rig = treasuryRig();
    rig.paper.faults.rejectNext(1, () => new RateLimitError('too many requests', 12_000, false), ['transfer']);
    await drive(rig.clock, rig.treasury({ random: () => 0 }).transfer(request()), 100);
    expect(rig.sink.payloads('ops:events').find((p) => p.event === 'RETRY')?.delay_ms).toBe(12_000);
  });

  it('after 3 retryable 5xx refusals → FAILED with an alert, no money moved', async () => {
    const rig = treasuryRig();
    rig.paper.faults.rejectNext(3, () => new VenueError('service unavailable', { status: 503, retryable: true }), ['transfer']);
    const res = await drive(rig.clock, rig.treasury().transfer(request()));

    expect(res.result).toBe('FAILED');
    expect(res.message).toMatch(/failed after 3 attempts: VENUE_ERROR: service unavailable/);
    expect(rig.calls.transfer).toBe(3);
    expect(await free(rig, 'SPOT')).toBe('20000');
    expect((await rig.store.getTransfer('tr-1'))?.state).toBe('FAILED');
    expect(rig.sink.payloads('alerts').map((a) => [a.level, a.code])).toEqual([['ERROR', 'TREASURY_TRANSFER_FAILED']]);
    expect(await rig.store.listStrategyEvents({ kind: 'TREASURY_TRANSFER' })).toEqual([]);
  });

  it('a definitive refusal (insufficient funds) fails at once, without retry', async () => {
    const rig = treasuryRig();
    const res = await drive(rig.clock, rig.treasury().transfer(request({ from_market: 'FUT', to_market: 'SPOT', amount: '5000' })));
    expect(res.result).toBe('FAILED');
    expect(res.message).toMatch(/INSUFFICIENT_FUNDS/);
    expect(rig.calls.transfer).toBe(1);
  });

  it('an answer lost after the venue executed is settled from the transfer history, not resent', async () => {
    const rig = treasuryRig();
    rig.paper.faults.acceptThenTimeout(1, ['transfer']);
    const res = await drive(rig.clock, rig.treasury().transfer(request()));

    expect(res).toEqual({ transfer_id: 'tr-1', result: 'SUCCESS', message: 'settled from the venue transfer history' });
    expect(rig.calls.transfer).toBe(1);
    expect(rig.calls.history).toBe(1);
    expect(await free(rig, 'FUT')).toBe('1100');
    expect(auditKinds(rig, 'tr-1')).toEqual(['PENDING', 'SETTLING', 'SUCCESS']);
  });

  it('settles by amount and direction when the venue does not echo the transfer id', async () => {
    const rig = treasuryRig({ stripClientIds: true });
    rig.paper.faults.acceptThenTimeout(1, ['transfer']);
    const res = await drive(rig.clock, rig.treasury().transfer(request()));
    expect(res.result).toBe('SUCCESS');
    expect(rig.calls.transfer).toBe(1);
  });

  it('a 30 s timeout with the history not showing it yet → PENDING; asking again settles it without resending', async () => {
    const rig = treasuryRig();
    rig.paper.faults.setLatency(40_000); // the transfer lands at +40 s, after our 30 s deadline
    const t = rig.treasury();
    const first = await drive(rig.clock, t.transfer(request()));

    expect(first.result).toBe('PENDING');
    expect(first.message).toMatch(/not resent/);
    expect((await rig.store.getTransfer('tr-1'))?.state).toBe('PENDING');
    expect(rig.sink.payloads('alerts').map((a) => a.code)).toEqual(['TREASURY_TRANSFER_UNSETTLED']);

    rig.paper.faults.setLatency(0);
    const second = await drive(rig.clock, t.transfer(request()));
    expect(second.result).toBe('SUCCESS');
    expect(rig.calls.transfer).toBe(1);
    expect(await free(rig, 'FUT')).toBe('1100');
  });

  it('a venue answer of PENDING is followed in the history by its tranId', async () => {
    const clock = new FakeClock();
    let historyCalls = 0;
    const connector = {
      venue: 'stub',
      transfer: async () => ({ tranId: '77', from: 'SPOT' as const, to: 'FUT' as const, asset: 'USDT', amount: '100', status: 'PENDING' as const, ts: clock.now() }),
      transferHistory: async () => {
        historyCalls++;
        return [{ tranId: '77', from: 'SPOT' as const, to: 'FUT' as const, asset: 'USDT', amount: '100', status: historyCalls < 2 ? ('PENDING' as const) : ('CONFIRMED' as const), ts: clock.now() }];
      },
    };
    const store = new MemoryStore();
    const t = new Treasury({ connector, store, sink: new MemoryEventSink(), locks: new MemoryLockProvider(clock), clock });
    const res = await drive(clock, t.transfer(request()));
    expect(res.result).toBe('SUCCESS');
    expect(historyCalls).toBe(2);
    expect((await store.getTransfer('tr-1'))?.venue_tran_id).toBe('77');
  });
});

describe('Treasury — restarts, locks and escalation', () => {
  it('a PENDING record left by a crashed process is settled from the history when the venue has it', async () => {
    const rig = treasuryRig();
    const now = rig.clock.now();
    // The crashed process wrote PENDING and the venue executed the transfer; the answer was lost.
    await rig.store.createTransfer({ transfer_id: 'tr-1', from_market: 'SPOT', to_market: 'FUT', asset: 'USDT', amount: '100', state: 'PENDING', created_at: now, updated_at: now });
    await rig.paper.transfer({ asset: 'USDT', amount: '100', from: 'SPOT', to: 'FUT', clientTransferId: 'tr-1' });
    await rig.clock.tickAsync(5_000);

    const res = await drive(rig.clock, rig.treasury().transfer(request()));
    expect(res.result).toBe('SUCCESS');
    expect(rig.calls.transfer).toBe(0);
    expect(await free(rig, 'FUT')).toBe('1100');
  });

  it('a PENDING record the venue never saw stays PENDING, then becomes FAILED after giveUpAfterMs — never resent', async () => {
    const rig = treasuryRig();
    const now = rig.clock.now();
    await rig.store.createTransfer({ transfer_id: 'tr-1', from_market: 'SPOT', to_market: 'FUT', asset: 'USDT', amount: '100', state: 'PENDING', created_at: now, updated_at: now });
    const t = rig.treasury();

    expect((await drive(rig.clock, t.transfer(request()))).result).toBe('PENDING');
    await rig.clock.tickAsync(600_000);
    const res = await drive(rig.clock, t.transfer(request()));
    expect(res.result).toBe('FAILED');
    expect(res.message).toMatch(/not in the venue transfer history .* not resent/);
    expect(rig.calls.transfer).toBe(0);
    expect(await free(rig, 'SPOT')).toBe('20000');
  });

  it('waits for the direction lock and gives up with 409 LOCK_BUSY, writing nothing', async () => {
    const rig = treasuryRig();
    const other = await rig.locks.acquire('lock:treasury:SPOT:FUT', 3_600_000);
    expect(other).toBeDefined();
    const err = await drive(rig.clock, rig.treasury({ lock: { waitMs: 2_000 } }).transfer(request())).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LOCK_BUSY', status: 409, retryable: true });
    expect(await rig.store.getTransfer('tr-1')).toBeUndefined();
    expect(rig.calls.transfer).toBe(0);

    // The other direction has its own lock.
    const back = await drive(rig.clock, rig.treasury().transfer(request({ transfer_id: 'back', from_market: 'FUT', to_market: 'SPOT' })));
    expect(back.result).toBe('SUCCESS');
  });

  it('keeps the lease through a Retry-After longer than its TTL; a lease that is lost anyway is reported, not fatal', async () => {
    const rig = treasuryRig();
    rig.paper.faults.rejectNext(1, () => new RateLimitError('too many requests', 90_000, false), ['transfer']);
    const res = await drive(rig.clock, rig.treasury({ random: () => 0 }).transfer(request()));
    expect(res.result).toBe('SUCCESS');
    expect(rig.sink.payloads('alerts')).toEqual([]);

    const lossy = { acquire: async (key: string) => ({ key, token: 't', release: async () => false, extend: async () => false }) };
    const res2 = await drive(rig.clock, rig.treasury({ locks: lossy }).transfer(request({ transfer_id: 'tr-2' })));
    expect(res2.result).toBe('SUCCESS');
    expect(rig.sink.payloads('alerts').map((a) => [a.level, a.code])).toEqual([['WARN', 'TREASURY_LOCK_LOST']]);
  });

  it('three failed transfers in a row escalate to FATAL once; a success resets it', async () => {
    const rig = treasuryRig();
    const t = rig.treasury();
    const fatal: TreasuryFatalEvent[] = [];
    const alerts: TreasuryAlert[] = [];
    t.events.on('fatal', (e) => fatal.push(e));
    t.events.on('alert', (a) => alerts.push(a));
    const failing = (id: string) => request({ transfer_id: id, from_market: 'FUT', to_market: 'SPOT', amount: '5000' });

    for (const id of ['f1', 'f2', 'f3', 'f4']) expect((await drive(rig.clock, t.transfer(failing(id)))).result).toBe('FAILED');
    expect(fatal).toEqual([{ consecutiveFailures: 3, lastTransferId: 'f3', ts: expect.any(Number) }]);
    expect(t.fatal).toBe(true);
    expect(alerts.filter((a) => a.level === 'FATAL').map((a) => a.code)).toEqual(['TREASURY_FATAL']);
    expect(rig.sink.payloads('alerts').filter((a) => a.level === 'FATAL')).toHaveLength(1);

    expect((await drive(rig.clock, t.transfer(request({ transfer_id: 'ok' })))).result).toBe('SUCCESS');
    expect(t.fatal).toBe(false);
    expect(t.consecutiveFailures).toBe(0);
  });

  it('an unknown outcome is never retried as a fresh send even when tries remain', async () => {
    const rig = treasuryRig();
    // Every answer is lost; the venue executes only the first (idempotent by id), and history is unreadable.
    rig.paper.faults.acceptThenTimeout(1, ['transfer']);
    rig.paper.faults.rejectNext(3, () => new UnknownOutcomeError('history timed out'), ['transferHistory']);
    const res = await drive(rig.clock, rig.treasury().transfer(request()));
    expect(res.result).toBe('PENDING');
    expect(res.message).toMatch(/could not be read/);
    expect(rig.calls.transfer).toBe(1);
  });
});
