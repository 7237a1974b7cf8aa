/**
 * Binance market streams as a core `VenueProtocol`: what `ReconnectingSocket` needs to subscribe,
 * route, sequence and throttle on a combined-stream connection (BINANCE.md §6).
 *
 * @packageDocumentation
 */
import type { ClientPing, ControlKind, VenueProtocol } from '@chimera/core';
import { decodeFrame } from './frame-scanner.js';
import { BookTickerFrame, DepthUpdateFrame } from './frames.js';

/** Binance's documented incoming-message limit per connection: Spot 5/s, UM 10/s (pings and pongs count). */
export const BINANCE_WS_MESSAGE_LIMIT = Object.freeze({ spot: 5, um: 10 });

/**
 * Streams one connection may carry: Spot 1024; USDⓈ-M is kept at 200, the limit its docs stated
 * before they were aligned with Spot's, so a connection never sits at a boundary that changed.
 */
export const BINANCE_WS_STREAM_LIMIT = Object.freeze({ spot: 1024, um: 200 });

/** Connections last 24 h on both products; the socket renews make-before-break before that. */
export const BINANCE_WS_LIFETIME_MS = 24 * 3_600_000;

/** Options of {@link createBinanceStreamProtocol}. */
export interface BinanceStreamProtocolOptions {
  /** Which product's limits apply (default `spot`). */
  product?: 'spot' | 'um';
  /** Streams per connection (default {@link BINANCE_WS_STREAM_LIMIT}; at most that). */
  maxStreamsPerConnection?: number;
  /**
   * Messages the client sends per second, pings included (default: the documented limit minus
   * one: `ws` answers the server's pings with pongs the socket does not count, and Binance does).
   */
  maxMessagesPerSecond?: number;
  /** Stream names per SUBSCRIBE/UNSUBSCRIBE message (default 100). */
  paramsPerMessage?: number;
  /**
   * Client pings, for `ws_rtt` and liveness (default a ping frame every 30 s, 10 s to answer;
   * Binance accepts unsolicited pings). `false` disables them.
   */
  clientPing?: ClientPing | false;
  /** Replace a connection on which nothing arrived for this long, ms (default Spot 60 s — the server pings every 20 s —, UM 10 min). */
  idleTimeoutMs?: number;
  /** Connection lifetime, ms (default 24 h). */
  lifetimeMs?: number;
  /** Renew this long before the lifetime ends, ms (default the socket's: 5 min). */
  renewBeforeMs?: number;
  /** Connection attempts per window (default 300 per 5 minutes, Binance's per-IP limit). */
  maxConnectAttemptsPer?: { count: number; windowMs: number };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * The Binance combined-stream protocol for a `ReconnectingSocket`:
 *
 * - subscribe/unsubscribe: `{"method":"SUBSCRIBE"|"UNSUBSCRIBE","params":[…],"id":n}` with an id
 *   per message, at most `paramsPerMessage` names each;
 * - decoding: the specialised scanner for `bookTicker` and diff-depth frames, `JSON.parse` for
 *   the rest ({@link decodeFrame});
 * - control: `{"result":…,"id":…}` is an `ack`, a message with `error` is `other`, a
 *   `serverShutdown` event (plain or on the `!serverShutdown` stream) is `shutdown` — the socket
 *   then renews make-before-break at once;
 * - routing: the combined `stream` field; sequence for gap-free hand-over: `u` for depth and
 *   bookTicker, `a` for aggTrade, `E` for markPrice;
 * - limits: Spot 1024 streams and 4 messages/s, UM 200 and 9 (see the options), 300 connection
 *   attempts per 5 minutes, 24 h lifetime.
 */
export function createBinanceStreamProtocol(options: BinanceStreamProtocolOptions = {}): VenueProtocol {
  const product = options.product ?? 'spot';
  const maxStreams = Math.min(options.maxStreamsPerConnection ?? BINANCE_WS_STREAM_LIMIT[product], BINANCE_WS_STREAM_LIMIT[product]);
  const perMessage = Math.max(1, options.paramsPerMessage ?? 100);
  let nextId = 1;
  const control = (method: 'SUBSCRIBE' | 'UNSUBSCRIBE', streams: readonly string[]): string[] => {
    const out: string[] = [];
    for (let i = 0; i < streams.length; i += perMessage) {
      out.push(JSON.stringify({ method, params: streams.slice(i, i + perMessage), id: nextId++ }));
    }
    return out;
  };
  const protocol: VenueProtocol = {
    subscribeMessages: (streams) => control('SUBSCRIBE', streams),
    unsubscribeMessages: (streams) => control('UNSUBSCRIBE', streams),
    parse: decodeFrame,
    controlKind: binanceControlKind,
    streamOf: (msg) => {
      if (msg instanceof BookTickerFrame || msg instanceof DepthUpdateFrame) return msg.stream;
      return isObj(msg) && typeof msg.stream === 'string' ? msg.stream : undefined;
    },
    sequenceOf: binanceSequenceOf,
    maxStreamsPerConnection: maxStreams,
    maxMessagesPerSecond: options.maxMessagesPerSecond ?? BINANCE_WS_MESSAGE_LIMIT[product] - 1,
    maxConnectAttemptsPer: options.maxConnectAttemptsPer ?? { count: 300, windowMs: 300_000 },
    lifetimeMs: options.lifetimeMs ?? BINANCE_WS_LIFETIME_MS,
    idleTimeoutMs: options.idleTimeoutMs ?? (product === 'spot' ? 60_000 : 600_000),
  };
  if (options.renewBeforeMs !== undefined) protocol.renewBeforeMs = options.renewBeforeMs;
  const ping = options.clientPing ?? { intervalMs: 30_000, timeoutMs: 10_000 };
  if (ping !== false) protocol.clientPing = ping;
  return protocol;
}

/**
 * What a decoded Binance frame is for the socket: `ack` for `{"result":…,"id":…}`, `other` for
 * errors, `shutdown` for `serverShutdown`, undefined for data.
 */
export function binanceControlKind(msg: unknown): ControlKind | undefined {
  if (msg instanceof BookTickerFrame || msg instanceof DepthUpdateFrame || !isObj(msg)) return undefined;
  if (msg.e === 'serverShutdown' || msg.stream === '!serverShutdown') return 'shutdown';
  if (isObj(msg.data) && msg.data.e === 'serverShutdown') return 'shutdown';
  if ('error' in msg && msg.error !== undefined && msg.error !== null) return 'other';
  if ('id' in msg && 'result' in msg) return 'ack';
  return undefined;
}

/** The increasing number of a stream's messages: `u` (depth, bookTicker), `a` (aggTrade), `E` (markPrice). */
export function binanceSequenceOf(msg: unknown): number | undefined {
  if (msg instanceof DepthUpdateFrame || msg instanceof BookTickerFrame) return msg.u;
  if (!isObj(msg) || !isObj(msg.data)) return undefined;
  const d = msg.data;
  if (d.e === 'aggTrade' && typeof d.a === 'number') return d.a;
  if (d.e === 'markPriceUpdate' && typeof d.E === 'number') return d.E;
  return undefined;
}
