/**
 * Real Redis servers for the integration tests, on loopback only: the shared server on
 * 127.0.0.1:6379 (started here if none answers), throwaway single nodes the tests may kill, and a
 * three-master Cluster built from `redis-server` processes. Nothing is written to disk outside a
 * temp dir, and every process started here is stopped by its handle (and on process exit).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';

/** The message a skipped suite carries. */
export const INSTALL_HINT = 'install redis-server (Debian: apt-get install redis-server) to run these tests';

function hasBinary(name: string): boolean {
  const r = spawnSync(name, ['--version'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/** Whether `redis-server` and `redis-cli` are installed. */
export const redisInstalled: boolean = hasBinary('redis-server') && hasBinary('redis-cli');

/**
 * `describe` for suites that need Redis. With redis-server installed it runs the suite; without it
 * the suite is skipped with {@link INSTALL_HINT} — except under `CI=true`, where a failing test
 * says what is missing (CI must never pass by skipping).
 */
export function describeRedis(name: string, body: () => void): void {
  if (redisInstalled) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs redis-server', () => {
        throw new Error(`redis-server/redis-cli not found under CI: ${INSTALL_HINT}`);
      });
    });
  } else {
    // Printed as well as put in the suite name: the default reporter shows only "skipped".
    console.warn(`[@chimera/redis-sink] skipping "${name}": ${INSTALL_HINT}`);
    describe.skip(`${name} — skipped: ${INSTALL_HINT}`, body);
  }
}

/** Whether something on 127.0.0.1:`port` answers `PING` with `+PONG`. */
export function pingRedis(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let buf = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A loopback port that is free now, and whose Cluster bus port (`port + 10000`) is free too.
 * Random in 20000–29999 so parallel test files rarely race for the same one.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if ((await portFree(port)) && (await portFree(port + 10_000))) return port;
  }
  throw new Error('no free loopback port found in 20000-29999');
}

const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of started) p.kill('SIGKILL');
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A `redis-server` process started by the tests. */
export interface RedisServerHandle {
  /** Its loopback port. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Kills the process (SIGKILL by default: an abrupt crash) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the process: a server that stops answering. */
  pause(): void;
  resume(): void;
  /** Starts a new process on the same port (empty: no data is persisted) and waits for PING. */
  restart(): Promise<void>;
  /** Stops the process for good. */
  stop(): Promise<void>;
}

/** Options for {@link startRedisServer}. */
export interface StartOptions {
  /** Port (default: a free one). */
  port?: number;
  /** Start with `--cluster-enabled yes`. */
  cluster?: boolean;
  /** Working dir for cluster config files (default: a new temp dir, removed on stop). */
  dir?: string;
}

/** Starts `redis-server` on 127.0.0.1 with no persistence and waits until it answers PING. */
export async function startRedisServer(options: StartOptions = {}): Promise<RedisServerHandle> {
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'chimera-redis-'));
  let proc: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no'];
    if (options.cluster) {
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000');
    }
    const p = spawn('redis-server', args, { stdio: 'ignore' });
    started.add(p);
    p.once('exit', () => started.delete(p));
    proc = p;
    await waitFor(`redis-server on ${port}`, async () => {
      if (p.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${p.exitCode}`);
      return pingRedis(port, 200);
    }, 10_000);
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGCONT');
    p.kill(signal);
    await exited;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    pause: () => proc?.kill('SIGSTOP'),
    resume: () => proc?.kill('SIGCONT'),
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill('SIGTERM');
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

let sharedStarted: RedisServerHandle | undefined;

/**
 * Makes sure a Redis answers on 127.0.0.1:6379 (the shared test server), starting one if none
 * does. Suites must use unique key prefixes there: other suites share it.
 * @returns a function that stops the server if this call started it.
 */
export async function ensureSharedRedis(): Promise<() => Promise<void>> {
  if (await pingRedis(6379)) return async () => undefined;
  try {
    sharedStarted = await startRedisServer({ port: 6379 });
  } catch (err) {
    // Another test file may have started it at the same moment.
    if (!(await pingRedis(6379))) throw err;
  }
  const mine = sharedStarted;
  return async () => {
    await mine?.stop();
  };
}

/** A running three-master Redis Cluster on loopback. */
export interface RedisClusterHandle {
  /** The master nodes. */
  readonly nodes: readonly RedisServerHandle[];
  /** `{ host, port }` of every node, for `rootNodes`. */
  readonly rootNodes: { host: string; port: number }[];
  /** Stops every node and removes the temp dir. */
  stop(): Promise<void>;
}

function cli(port: number, ...args: string[]): string {
  const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Starts `masters` cluster-enabled servers, joins them with `redis-cli --cluster create` (no
 * replicas) and waits until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'chimera-redis-cluster-'));
  const nodes: RedisServerHandle[] = [];
  try {
    for (let i = 0; i < masters; i++) nodes.push(await startRedisServer({ cluster: true, dir }));
    const r = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${r.stdout}${r.stderr}`);
    await waitFor('cluster_state:ok on every node', async () => nodes.every((n) => cli(n.port, 'CLUSTER', 'INFO').includes('cluster_state:ok')), 15_000);
  } catch (err) {
    for (const n of nodes) await n.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    nodes,
    rootNodes: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    stop: async () => {
      for (const n of nodes) await n.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `CLUSTER KEYSLOT key` asked of a node (the server's own hash-slot rule). */
export function keySlot(port: number, key: string): number {
  return Number(cli(port, 'CLUSTER', 'KEYSLOT', key).trim());
}

/** A per-run key prefix so suites sharing 127.0.0.1:6379 never touch each other's keys. */
export function runPrefix(suite: string): string {
  return `test:${suite}:${process.pid}:${Date.now().toString(36)}:`;
}
