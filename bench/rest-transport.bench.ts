/**
 * RestClient GET overhead against a bare undici `Pool.request` to the same local node:http server,
 * sequential and 32-way concurrent, in one run. A third figure wraps the bare request in
 * bottleneck (reservoir per minute), the limiter DESIGN.md names, to show why the transport uses
 * its own clock-driven window limiter instead.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Bottleneck from 'bottleneck';
import { Pool } from 'undici';
import { headerValue, RestClient, type UsageReport } from '../packages/core/src/transport/index.js';
import { opsPerSecond, printRatio } from './harness.js';

export default async function run(): Promise<void> {
  let used = 0;
  const server = http.createServer((_req, res) => {
    used++;
    res.writeHead(200, { 'content-type': 'application/json', 'x-used-weight-1m': String(used) });
    res.end('{"serverTime":1758326400000}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const pool = new Pool(origin, { connections: 32 });
  const bare = async (): Promise<void> => {
    const res = await pool.request({ path: '/time', method: 'GET' });
    JSON.parse(await res.body.text());
  };
  const rest = new RestClient({
    baseUrl: origin,
    connections: 32,
    limits: [
      { kind: 'weight', interval: '1m', limit: 1_000_000_000 },
      { kind: 'raw', interval: '5m', limit: 1_000_000_000 },
    ],
    readUsage: (h): UsageReport[] => [{ kind: 'weight', interval: '1m', used: Number(headerValue(h, 'x-used-weight-1m') ?? 0) }],
  });
  const ours = async (): Promise<void> => {
    await rest.request({ method: 'GET', path: '/time', kind: 'read', weight: 1 });
  };
  const limiter = new Bottleneck({ reservoir: 1_000_000_000, reservoirRefreshInterval: 60_000, reservoirRefreshAmount: 1_000_000_000 });
  const throughBottleneck = (): Promise<void> => limiter.schedule({ weight: 1 }, bare);

  const parallel = (fn: () => Promise<void>) => (): Promise<void[]> => Promise.all(Array.from({ length: 32 }, fn));

  // The machines are shared: alternate the cases over several short rounds and keep each one's
  // best round, so a burst of outside load does not land on one side only.
  const best = async (cases: (() => Promise<number>)[], rounds = 5): Promise<number[]> => {
    const out = cases.map(() => 0);
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < cases.length; i++) out[i] = Math.max(out[i]!, await cases[i]!());
    }
    return out;
  };

  try {
    const [bareSeq = 0, oursSeq = 0] = await best([() => opsPerSecond(bare, 300, 50), () => opsPerSecond(ours, 300, 50)]);
    printRatio('RestClient GET, sequential', oursSeq, bareSeq, 'req/s', 'bare undici');
    const [bottleSeq = 0] = await best([() => opsPerSecond(throughBottleneck, 300, 10)], 2);
    printRatio('bottleneck-wrapped GET, sequential', bottleSeq, bareSeq, 'req/s', 'bare undici');

    const [barePar = 0, oursPar = 0] = await best([
      async () => 32 * (await opsPerSecond(parallel(bare), 300, 5)),
      async () => 32 * (await opsPerSecond(parallel(ours), 300, 5)),
    ]);
    printRatio('RestClient GET, 32 in flight', oursPar, barePar, 'req/s', 'bare undici');
    console.log(`per-request cost, sequential: bare ${(1e6 / bareSeq).toFixed(0)} µs, RestClient ${(1e6 / oursSeq).toFixed(0)} µs, bottleneck ${(1e6 / bottleSeq).toFixed(0)} µs`);
  } finally {
    await limiter.stop({ dropWaitingJobs: true });
    await rest.close();
    await pool.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
