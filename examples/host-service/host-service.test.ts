import { MemoryEventSink, MemoryStore, PaperConnector, SystemClock } from '@chimera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostService, type HostService } from './host-service.js';

let svc: HostService;
let connector: PaperConnector;

beforeAll(async () => {
  const clock = new SystemClock();
  connector = new PaperConnector({ clock, balances: { SPOT: { USDT: '10000' }, FUT: { USDT: '0' } } });
  connector.engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: [['64999.00', '1']], asks: [['65001.00', '1']] });
  connector.engine.applyBookSnapshot('FUT', 'BTCUSDT', { bids: [['64999.0', '1']], asks: [['65001.0', '1']] });
  await connector.connect();
  svc = await startHostService({ connector, store: new MemoryStore(), sink: new MemoryEventSink(), clock });
});
afterAll(async () => {
  await svc.close();
  await connector.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${svc.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('reference host service', () => {
  it('POST /xchg/treasury/transfer: SUCCESS once, the same answer on repeat', async () => {
    const req = { transfer_id: 'host-t-1', from_market: 'SPOT', to_market: 'FUT', amount: 250, symbol: 'USDT' };
    const first = await post('/xchg/treasury/transfer', req);
    expect(first).toEqual({ status: 200, body: { transfer_id: 'host-t-1', result: 'SUCCESS' } });
    expect(await post('/xchg/treasury/transfer', req)).toEqual(first);
    expect((await connector.balances('FUT')).find((b) => b.asset === 'USDT')?.free).toBe('250');
  });

  it('answers 400 for format errors and 422 for business rules, naming the field', async () => {
    const bad = await post('/xchg/treasury/transfer', { transfer_id: '', from_market: 'SPOT', to_market: 'FUT', amount: 5, symbol: 'USDT' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'transfer_id' }] } });
    const big = await post('/xchg/treasury/transfer', { transfer_id: 'host-t-2', from_market: 'SPOT', to_market: 'FUT', amount: 20000, symbol: 'USDT' });
    expect(big.status).toBe(422);
    expect(big.body.error).toMatchObject({ code: 'MAX_AMOUNT', details: { field: 'amount' } });
    expect((await post('/xchg/treasury/transfer', '{not json')).status).toBe(400);
    expect((await post('/reconcile', { time_window_h: 500 })).status).toBe(400);
  });

  it('POST /reconcile runs a dry run and reports what it found', async () => {
    const r = await post('/reconcile', { mode: 'ALL', dry_run: true });
    expect(r.status).toBe(200);
    expect(r.body.summary).toMatchObject({ checked_orders: expect.any(Number), checked_positions: expect.any(Number) });
    expect(Array.isArray(r.body.items)).toBe(true);
  });

  it('GET /health reports each check', async () => {
    await svc.heartbeat.beat();
    const res = await fetch(`${svc.url}/health`);
    const body = (await res.json()) as { status: string; checks: Array<{ name: string }> };
    expect(['OK', 'DEGRADED']).toContain(body.status);
    expect(body.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['reconciliation', 'treasury']));
    expect((await fetch(`${svc.url}/nope`)).status).toBe(404);
  });
});
