/**
 * MAX as a core `VenueProtocol` ({@link MaxVenueProtocol}): what the venue-neutral `ReconnectingSocket` needs to know to
 * subscribe, authenticate, ping, route and throttle on `wss://max-stream.maicoin.com/ws`
 * (VENUES.md A.5).
 *
 * Stream keys name a channel and a core symbol: `book:BTCTWD`, `ticker:USDTTWD`, `trade:BTCTWD`;
 * the private channel is `user` (it is opened by the `auth` message, not subscribed).
 *
 * @packageDocumentation
 */
import { ValidationError } from '@chimera/core';
import type { NonceSource } from '../rest/nonce-source.js';
import type { MaxSigner } from '../rest/signing.js';
import { MAX_WS_STEADY_MESSAGES_PER_SECOND } from './message-budget.js';
import {
  authMessage,
  bookSubscription,
  subscribeMessage,
  tickerSubscription,
  tradeSubscription,
  unsubscribeMessage,
  type MaxAuthFilter,
  type MaxBookDepth,
  type MaxWsSubscription,
} from './messages.js';

/**
 * The venue adapter a core `ReconnectingSocket` is driven by: the same shape as the core's
 * `VenueProtocol` (`transport/socket-types.ts`), declared here because `@chimera/core` does not
 * export that type yet; structural typing makes one assignable to the other.
 */
export interface MaxVenueProtocol {
  /** Messages that subscribe `streams` (one `sub` message). */
  subscribeMessages(streams: readonly string[]): string[];
  /** Messages that unsubscribe `streams` (one `unsub` message). */
  unsubscribeMessages(streams: readonly string[]): string[];
  /** Messages sent first on every new connection (the `auth` message, when configured). */
  openMessages(): string[];
  /** `ack` for subscribed/unsubscribed/authenticated, `other` for errors, `undefined` for data. */
  controlKind(msg: unknown): 'ack' | 'pong' | 'shutdown' | 'other' | undefined;
  /** The stream key of a data message. */
  streamOf(msg: unknown): string | undefined;
  /** The book's `li`, for gap-free hand-over between connections. */
  sequenceOf(msg: unknown, stream: string): number | undefined;
  /** WebSocket ping frames on an interval. */
  clientPing: { intervalMs: number; timeoutMs?: number };
  /** Streams one connection carries. */
  maxStreamsPerConnection: number;
  /** Messages per second the client may send. */
  maxMessagesPerSecond: number;
  /** Connection attempts allowed per window. */
  maxConnectAttemptsPer: { count: number; windowMs: number };
}

/** The public channels a stream key can name. */
export type MaxStreamChannel = 'book' | 'ticker' | 'trade';

/** The stream key of the private `user` channel. */
export const MAX_USER_STREAM = 'user';

/** How often the client pings, ms: MAX closes a connection that sent no ping for 130 s; its SDK pings every 30 s. */
export const MAX_PING_INTERVAL_MS = 30_000;

/**
 * The stream key for a channel and core symbol: `maxStream('book', 'BTCTWD')` → `book:BTCTWD`.
 */
export function maxStream(channel: MaxStreamChannel, symbol: string): string {
  return `${channel}:${symbol}`;
}

/**
 * The channel and core symbol of a stream key.
 * @throws ValidationError (`INVALID_STREAM`) on a key that names no public MAX channel.
 */
export function parseMaxStream(stream: string): { channel: MaxStreamChannel; symbol: string } {
  const m = /^(book|ticker|trade):([A-Z0-9]{3,})$/.exec(stream);
  if (!m) {
    throw new ValidationError(`stream: expected "book|ticker|trade:<SYMBOL>", got "${stream}"`, [{ path: 'stream', message: 'unknown stream' }], {
      code: 'INVALID_STREAM',
    });
  }
  return { channel: m[1] as MaxStreamChannel, symbol: m[2] as string };
}

/** Options of {@link createMaxProtocol}. */
export interface MaxProtocolOptions {
  /** Depth of every `book` subscription (default 50, MAX's default and maximum). */
  bookDepth?: MaxBookDepth;
  /** Credentials for the private channels: sent as `auth` first on every new connection. */
  auth?: {
    signer: MaxSigner;
    /** The key's nonce source (shared with REST, so no nonce is used twice). */
    nonces: NonceSource;
    /** Private channels (MAX default when absent: order, trade, account). */
    filters?: readonly MaxAuthFilter[];
  };
  /** Client ping interval, ms (default {@link MAX_PING_INTERVAL_MS}); must stay well under 130 s. */
  pingIntervalMs?: number;
  /**
   * Streams per connection (default 100). MAX documents no cap; the default keeps one
   * connection's subscribe message and snapshot burst moderate [unverified].
   */
  maxStreamsPerConnection?: number;
}

function subscriptionOf(stream: string, depth: MaxBookDepth | undefined): MaxWsSubscription {
  const { channel, symbol } = parseMaxStream(stream);
  if (channel === 'book') return bookSubscription(symbol, depth);
  return channel === 'ticker' ? tickerSubscription(symbol) : tradeSubscription(symbol);
}

function field(msg: unknown, key: string): unknown {
  return typeof msg === 'object' && msg !== null ? (msg as Record<string, unknown>)[key] : undefined;
}

/**
 * The MAX protocol for a `ReconnectingSocket`:
 * - subscribe/unsubscribe: one `sub`/`unsub` message carrying every stream given;
 * - open: the `auth` message (fresh nonce) when credentials are configured;
 * - control: `subscribed`, `unsubscribed`, `authenticated` are acks; `error` is `other`;
 * - routing: `book`/`ticker`/`trade` messages by `c` and `M`, private messages to `user`;
 *   book messages carry `li` as their sequence for gap-free connection hand-over;
 * - pings: WebSocket ping frames every 30 s (the server answers with pong frames);
 * - throttling: 3 messages per second, which keeps inside both 20/s and 200/min
 *   ({@link MAX_WS_STEADY_MESSAGES_PER_SECOND}); connects: 600 per hour per IP.
 *
 * @throws ValidationError (`INVALID_PING_INTERVAL`) when `pingIntervalMs` is not in (0, 120000].
 */
export function createMaxProtocol(options: MaxProtocolOptions = {}): MaxVenueProtocol {
  const depth = options.bookDepth;
  const pingIntervalMs = options.pingIntervalMs ?? MAX_PING_INTERVAL_MS;
  if (!(pingIntervalMs > 0 && pingIntervalMs <= 120_000)) {
    throw new ValidationError('pingIntervalMs: expected (0, 120000] ms, inside MAX\'s 130 s limit', [{ path: 'pingIntervalMs', message: 'out of range' }], {
      code: 'INVALID_PING_INTERVAL',
    });
  }
  const auth = options.auth;
  return {
    subscribeMessages: (streams) => (streams.length === 0 ? [] : [JSON.stringify(subscribeMessage(streams.map((s) => subscriptionOf(s, depth))))]),
    unsubscribeMessages: (streams) => (streams.length === 0 ? [] : [JSON.stringify(unsubscribeMessage(streams.map((s) => subscriptionOf(s, depth))))]),
    openMessages: () =>
      auth ? [JSON.stringify(authMessage(auth.signer, auth.nonces, auth.filters === undefined ? {} : { filters: auth.filters }))] : [],
    controlKind: (msg) => {
      if (field(msg, 'c') !== undefined) return undefined;
      const e = field(msg, 'e');
      if (e === 'subscribed' || e === 'unsubscribed' || e === 'authenticated') return 'ack';
      return 'other';
    },
    streamOf: (msg) => {
      const c = field(msg, 'c');
      if (c === 'user') return MAX_USER_STREAM;
      const market = field(msg, 'M');
      if ((c === 'book' || c === 'ticker' || c === 'trade') && typeof market === 'string') return maxStream(c, market.toUpperCase());
      return undefined;
    },
    sequenceOf: (msg) => {
      const li = field(msg, 'li');
      return field(msg, 'c') === 'book' && typeof li === 'number' ? li : undefined;
    },
    clientPing: { intervalMs: pingIntervalMs },
    maxStreamsPerConnection: options.maxStreamsPerConnection ?? 100,
    maxMessagesPerSecond: MAX_WS_STEADY_MESSAGES_PER_SECOND,
    maxConnectAttemptsPer: { count: 600, windowMs: 3_600_000 },
  };
}
