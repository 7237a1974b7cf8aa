/**
 * The reference host service of SPEC §9: a small HTTP API over the Chimera packages.
 *
 * - `GET /health` → `{ status: OK | DEGRADED | DOWN, checks }` (503 when DOWN);
 * - `POST /reconcile` with a `ReconcileRequest` → `ReconcileResponse`;
 * - `POST /xchg/treasury/transfer` with a `TransferRequest` → `TransferResponse`.
 *
 * Errors are the SDK's typed errors as JSON — `{ error: { code, message, status, details } }` —
 * with their status: 400 for format, 422 for business rules, 409 for state, 503 for the venue.
 * Run it against the paper venue with `npx tsx examples/host-service/host-service.ts`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  HealthMonitor,
  Heartbeat,
  MemoryEventSink,
  MemoryLockProvider,
  MemoryStore,
  PaperConnector,
  Reconciler,
  SystemClock,
  Treasury,
  ValidationError,
  heartbeatHealth,
  isChimeraError,
  reconcileHealth,
  treasuryHealth,
  type Clock,
  type ExchangeConnector,
  type EventSink,
  type Store,
} from '@chimera/core';

/** What the service is built from. */
export interface HostServiceOptions {
  connector: ExchangeConnector;
  store: Store;
  sink: EventSink;
  clock: Clock;
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
}

/** A running host service. */
export interface HostService {
  url: string;
  server: Server;
  heartbeat: Heartbeat;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ValidationError('request body too large', [{ path: '(root)', message: `more than ${MAX_BODY} bytes` }]);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('request body is not JSON', [{ path: '(root)', message: 'expected a JSON object' }]);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the service. Every component is injected, so tests run it on a paper venue. */
export async function startHostService(o: HostServiceOptions): Promise<HostService> {
  const treasury = new Treasury({ connector: o.connector, store: o.store, sink: o.sink, clock: o.clock, locks: new MemoryLockProvider(o.clock) });
  const reconciler = new Reconciler({ connector: o.connector, store: o.store, sink: o.sink, clock: o.clock });
  const heartbeat = new Heartbeat({ connector: o.connector, clock: o.clock });
  const health = new HealthMonitor({
    clock: o.clock,
    providers: [heartbeatHealth(heartbeat, { clock: o.clock }), reconcileHealth({ lastRun: () => reconciler.lastRun, clock: o.clock }), treasuryHealth(treasury)],
  });

  const server = createServer((req, res) => {
    void (async () => {
      try {
        const path = (req.url ?? '/').split('?')[0];
        if (req.method === 'GET' && path === '/health') {
          const report = await health.health();
          return send(res, report.status === 'DOWN' ? 503 : 200, report);
        }
        if (req.method === 'POST' && path === '/reconcile') return send(res, 200, await reconciler.reconcile(await readJson(req)));
        if (req.method === 'POST' && path === '/xchg/treasury/transfer') return send(res, 200, await treasury.transfer(await readJson(req)));
        return send(res, 404, { error: { code: 'NOT_FOUND', message: `${req.method} ${path} is not a route`, status: 404 } });
      } catch (err) {
        if (isChimeraError(err)) return send(res, err.status, { error: err.toJSON() });
        return send(res, 500, { error: { code: 'INTERNAL', message: 'internal error', status: 500 } });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    heartbeat,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const clock = new SystemClock({ unref: false });
  const connector = new PaperConnector({ clock, balances: { SPOT: { USDT: '10000' }, FUT: { USDT: '0' } } });
  await connector.connect();
  const svc = await startHostService({ connector, store: new MemoryStore(), sink: new MemoryEventSink(), clock, port: Number(process.env.PORT ?? 8080) });
  await svc.heartbeat.beat();
  console.log(`host service on ${svc.url}: GET /health, POST /reconcile, POST /xchg/treasury/transfer`);
}
