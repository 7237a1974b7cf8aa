import { ErrorReply } from 'redis';

/** A listener for connection events. */
type Listener = (...args: any[]) => void;

/**
 * The part of a node-redis **client** (`createClient`) this package uses. Any `redis` 5 client
 * fits; it is spelled out structurally so hosts can pass clients with any modules or scripts.
 */
export interface RedisClientLike {
  sendCommand(args: string[]): Promise<unknown>;
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
}

/** The part of a node-redis **cluster** (`createCluster`) this package uses. */
export interface RedisClusterLike {
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  readonly isOpen: boolean;
  /** Present on clusters only; how the two kinds are told apart. */
  readonly masters: readonly unknown[];
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
}

/**
 * One command channel to Redis, single node or Cluster alike: every command names the key it
 * routes by. The sink, lock, last-run key and consumer all speak to Redis through this, so they
 * work unchanged on both topologies, and tests can substitute a scripted fake.
 */
export interface CommandTarget {
  /** True for a Cluster (commands route by `key`'s hash slot). */
  readonly cluster: boolean;
  /** Sends `args` (a full command, e.g. `['XADD', key, …]`), routed by `key`. */
  send(key: string, args: string[]): Promise<unknown>;
  /** Whether `connect` was called and `close`/`destroy` not yet. */
  isOpen(): boolean;
  /** Whether commands can be written now (a Cluster reports `isOpen`). */
  isReady(): boolean;
  /** Opens the connection(s). May reject (e.g. no Cluster root node answers). */
  connect(): Promise<void>;
  /** Closes gracefully, waiting for replies already due. */
  close(): Promise<void>;
  /** Closes at once; pending commands reject. */
  destroy(): void;
  /**
   * Calls `listener` each time the connection becomes ready again (single node only; a Cluster
   * has one connection per master, so the sink probes it instead).
   * @returns a function that removes the listener.
   */
  onReady(listener: () => void): () => void;
  /**
   * Listens to the client's `error` events. node-redis emits one per failed reconnect attempt, and
   * an `error` event nobody listens to crashes a Node process, so every user of a target adds one.
   * @returns a function that removes the listener.
   */
  onError(listener: (err: unknown) => void): () => void;
}

/** A node-redis client or cluster, or an already adapted {@link CommandTarget}. */
export type RedisConnection = RedisClientLike | RedisClusterLike | CommandTarget;

function isCommandTarget(r: RedisConnection): r is CommandTarget {
  return typeof (r as CommandTarget).send === 'function' && typeof (r as CommandTarget).onError === 'function';
}

function isCluster(r: RedisClientLike | RedisClusterLike): r is RedisClusterLike {
  return Array.isArray((r as RedisClusterLike).masters);
}

function subscribe(r: RedisClientLike | RedisClusterLike, event: string, listener: Listener): () => void {
  r.on(event, listener);
  return () => {
    r.off(event, listener);
  };
}

/** Adapts a node-redis client or cluster (or passes a {@link CommandTarget} through). */
export function toCommandTarget(redis: RedisConnection): CommandTarget {
  if (isCommandTarget(redis)) return redis;
  if (isCluster(redis)) {
    const c = redis;
    return {
      cluster: true,
      send: (key, args) => c.sendCommand(key, false, args),
      isOpen: () => c.isOpen,
      isReady: () => c.isOpen,
      connect: async () => {
        await c.connect();
      },
      close: async () => {
        await c.close();
      },
      destroy: () => c.destroy(),
      onReady: () => () => undefined,
      onError: (listener) => subscribe(c, 'error', listener),
    };
  }
  const c = redis;
  return {
    cluster: false,
    send: (_key, args) => c.sendCommand(args),
    isOpen: () => c.isOpen,
    isReady: () => c.isReady,
    connect: async () => {
      await c.connect();
    },
    close: async () => {
      await c.close();
    },
    destroy: () => c.destroy(),
    onReady: (listener) => subscribe(c, 'ready', listener),
    onError: (listener) => subscribe(c, 'error', listener),
  };
}

/**
 * How a failed command should be treated:
 * - `transport` — no answer (offline, socket closed, refused): the command may or may not have
 *   run; retry it once the connection is back;
 * - `busy` — the server answered with a condition that passes (`LOADING`, `BUSY`, `TRYAGAIN`,
 *   `CLUSTERDOWN`, `MASTERDOWN`, `READONLY` during failover, `OOM` until memory is freed,
 *   `NOREPLICAS`): retry later;
 * - `permanent` — any other error reply (`WRONGTYPE`, `ERR …`, `MOVED` to a plain client): the
 *   same command would fail again.
 */
export type FailureKind = 'transport' | 'busy' | 'permanent';

const BUSY_REPLIES = new Set(['LOADING', 'BUSY', 'TRYAGAIN', 'CLUSTERDOWN', 'MASTERDOWN', 'READONLY', 'OOM', 'NOREPLICAS']);

/** The first word of a Redis error reply (`WRONGTYPE`, `ERR` …), or `undefined` for non-replies. */
export function replyErrorCode(err: unknown): string | undefined {
  if (!(err instanceof ErrorReply)) return undefined;
  return err.message.split(' ', 1)[0];
}

/** Classifies a failed command; see {@link FailureKind}. */
export function classifyFailure(err: unknown): FailureKind {
  const code = replyErrorCode(err);
  if (code === undefined) return 'transport';
  return BUSY_REPLIES.has(code) ? 'busy' : 'permanent';
}

/** A short, secret-free description of an error for events and logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
