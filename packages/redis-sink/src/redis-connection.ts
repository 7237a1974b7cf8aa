import { noopLogger, type Logger } from '@chimera/core';
import { createClient, createCluster, type RedisClientType, type RedisClusterType } from 'redis';
import { describeError } from './command-target.js';

/** Reconnect timing shared by the factories. */
export interface ReconnectOptions {
  /** Upper bound of the wait between reconnect attempts, in ms (default 1 000). */
  maxReconnectDelayMs?: number;
  /** Connect timeout per attempt, in ms (default 2 000). */
  connectTimeoutMs?: number;
  /** Receives connection errors: the first of an outage at `warn`, the rest at `debug`. */
  logger?: Logger;
}

/** Where a single Redis node is and how to log in. */
export interface RedisNodeOptions extends ReconnectOptions {
  /** `redis://[[user][:password]@]host[:port][/db]`; wins over `host`/`port`. */
  url?: string;
  /** Host (default `127.0.0.1`). */
  host?: string;
  /** Port (default 6379). */
  port?: number;
  /** ACL user name. */
  username?: string;
  /** Password (never logged). */
  password?: string;
  /** Database number (single node only; Cluster has only 0). */
  database?: number;
  /** `CLIENT SETNAME` shown in `CLIENT LIST`. */
  name?: string;
}

/** A Cluster to reach through some of its nodes. */
export interface RedisClusterConnectionOptions extends ReconnectOptions {
  /** A few nodes to discover the topology from (about three is plenty). */
  rootNodes: readonly { host: string; port: number }[];
  /** ACL user name for every node. */
  username?: string;
  /** Password for every node (never logged). */
  password?: string;
}

/**
 * Exponential backoff `min(max, 50 · 2^n)` plus up to 50 ms of jitter, so many clients that lost
 * the same server don't reconnect in lockstep. Socket timeouts reconnect too (node-redis's default
 * gives up on them, which would leave the sink offline for good).
 */
function reconnectStrategy(maxDelayMs: number): (retries: number) => number {
  return (retries) => Math.min(maxDelayMs, 50 * 2 ** Math.min(retries, 16)) + Math.floor(Math.random() * 50);
}

/**
 * The socket's write buffer. node-redis writes queued commands until the socket's buffer passes its
 * high-water mark and then waits for `drain`; at Node's default 16 KiB that caps a batching writer
 * at about 16 KiB per event-loop turn (one 512-event batch), so a busy publisher outruns it.
 * Node's `net.Socket` honours `highWaterMark` from the connect options (20.1+), which node-redis
 * passes through; @types/node lists it only for servers, hence the untyped spread below.
 */
const SOCKET_WRITE_BUFFER = 1 << 20;

function socketTuning(): object {
  return { highWaterMark: SOCKET_WRITE_BUFFER };
}

function logErrors(logger: Logger): { onError: (err: unknown) => void; onReady: () => void } {
  let quiet = false;
  return {
    onError: (err) => {
      if (quiet) logger.debug({ err: describeError(err) }, 'redis connection error');
      else logger.warn({ err: describeError(err) }, 'redis connection error; reconnecting');
      quiet = true;
    },
    onReady: () => {
      quiet = false;
    },
  };
}

/**
 * Creates (does not connect) a node-redis 5 client configured the way the sink needs it:
 * - `disableOfflineQueue: true` — while disconnected, commands fail at once instead of piling up
 *   unbounded inside the client; the sink keeps its own bounded queue with a drop policy;
 * - a 1 MiB socket write buffer, so pipelined batches leave in one event-loop turn;
 * - reconnects forever with capped exponential backoff (see {@link ReconnectOptions});
 * - an `error` listener that logs (an unheard `error` event would crash the host).
 */
export function createRedisConnection(options: RedisNodeOptions = {}): RedisClientType {
  const log = logErrors(options.logger ?? noopLogger);
  // Explicit type arguments keep the declared type the plain `RedisClientType` (no modules or
  // scripts beyond the defaults), instead of a many-kilobyte inferred one in the .d.ts.
  const client = createClient<{}, {}, {}, 2, {}>({
    ...(options.url !== undefined ? { url: options.url } : {}),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.database !== undefined ? { database: options.database } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    disableOfflineQueue: true,
    socket: {
      ...socketTuning(),
      ...(options.url === undefined ? { host: options.host ?? '127.0.0.1', port: options.port ?? 6379 } : {}),
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      reconnectStrategy: reconnectStrategy(options.maxReconnectDelayMs ?? 1_000),
    },
  });
  client.on('error', log.onError);
  client.on('ready', log.onReady);
  return client;
}

/**
 * Creates (does not connect) a node-redis 5 Cluster client (`createCluster`) whose node
 * connections use the same settings as {@link createRedisConnection}. Commands route by their
 * first key's hash slot; MOVED/ASK redirections are followed by node-redis.
 */
export function createRedisClusterConnection(options: RedisClusterConnectionOptions): RedisClusterType {
  const log = logErrors(options.logger ?? noopLogger);
  const cluster = createCluster<{}, {}, {}, 2, {}>({
    rootNodes: options.rootNodes.map((n) => ({ socket: { host: n.host, port: n.port } })),
    defaults: {
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      disableOfflineQueue: true,
      socket: {
        ...socketTuning(),
        connectTimeout: options.connectTimeoutMs ?? 2_000,
        reconnectStrategy: reconnectStrategy(options.maxReconnectDelayMs ?? 1_000),
      },
    },
  });
  cluster.on('error', log.onError);
  cluster.on('node-ready', log.onReady);
  return cluster;
}
