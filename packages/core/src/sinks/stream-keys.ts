import type { Market } from '../domain/enums.js';

/**
 * Families of streams, for per-family settings such as a sink's `MAXLEN`. Every stream name the
 * SDK writes belongs to exactly one family.
 */
export type StreamFamily =
  | 'market'
  | 'metrics'
  | 'signals'
  | 'execution'
  | 'risk'
  | 'reconcile'
  | 'alerts'
  | 'ops';

/**
 * Every stream and key name of SPEC §2, §3, §5 and §7, as functions so a host can override the
 * scheme. The braces are Redis Cluster hash tags and are kept exactly as written in the SPEC:
 * `{spot}` puts every spot tick stream in one slot; a host that wants to spread load overrides
 * e.g. {@link StreamKeys.spotTicks} to tag per symbol.
 */
export interface StreamKeys {
  /** `mkt:events:{spot}:<SYMBOL>` — spot ticks. */
  spotTicks(symbol: string): string;
  /** `mkt:events:{perp}:<SYMBOL>` — perpetual ticks. */
  perpTicks(symbol: string): string;
  /** `mkt:events:{funding}:<SYMBOL>` — next and realised funding. */
  funding(symbol: string): string;
  /** `mkt:tick:{<SYMBOL>}` — per-symbol tick. */
  tick(symbol: string): string;
  /** `mkt:depth:{<SYMBOL>}` — per-symbol depth. */
  depth(symbol: string): string;
  /** `metrics:events:s1.ws_rtt` — WebSocket round-trip times. */
  wsRtt(): string;
  /** `metrics:events:s1.mkt_throughput` — market-data message throughput. */
  mktThroughput(): string;
  /** `signals:new` — new signals. */
  signals(): string;
  /** `orders:executed` — one event per fill. */
  ordersExecuted(): string;
  /** `spot:oco:armed` — spot OCO armed. */
  ocoArmed(): string;
  /** `guard:spot:arm` — local guard stop armed. */
  guardArm(): string;
  /** `risk:sl_arm` — futures stop-loss armed. */
  slArm(): string;
  /** `strategy:reconciled` — reconciliation actions. */
  reconciled(): string;
  /** `alerts` — alerts for humans. */
  alerts(): string;
  /** `ops:events` — audit trail (treasury, operations). */
  opsEvents(): string;
  /** `recon:{last_run_ts}` — time of the last reconciliation (a key, not a stream). */
  reconLastRun(): string;
  /** `lock:treasury:<from>:<to>` — the treasury lock (a key, not a stream). */
  treasuryLock(from: Market, to: Market): string;
  /** Which family a stream name belongs to. */
  familyOf(stream: string): StreamFamily;
}

/** Ticks for a market: `mkt:events:{spot}:SYM` for SPOT, `mkt:events:{perp}:SYM` for FUT. */
export function ticksKey(keys: StreamKeys, market: Market, symbol: string): string {
  return market === 'SPOT' ? keys.spotTicks(symbol) : keys.perpTicks(symbol);
}

function defaultFamilyOf(stream: string): StreamFamily {
  if (stream.startsWith('mkt:')) return 'market';
  if (stream.startsWith('metrics:')) return 'metrics';
  if (stream.startsWith('signals:')) return 'signals';
  if (stream.startsWith('orders:') || stream.startsWith('spot:oco:') || stream.startsWith('guard:')) return 'execution';
  if (stream.startsWith('risk:')) return 'risk';
  if (stream.startsWith('strategy:') || stream.startsWith('recon:')) return 'reconcile';
  if (stream === 'alerts') return 'alerts';
  return 'ops';
}

/** The SPEC's key scheme, exactly as written there. */
export const DEFAULT_STREAM_KEYS: StreamKeys = Object.freeze({
  spotTicks: (symbol: string) => `mkt:events:{spot}:${symbol}`,
  perpTicks: (symbol: string) => `mkt:events:{perp}:${symbol}`,
  funding: (symbol: string) => `mkt:events:{funding}:${symbol}`,
  tick: (symbol: string) => `mkt:tick:{${symbol}}`,
  depth: (symbol: string) => `mkt:depth:{${symbol}}`,
  wsRtt: () => 'metrics:events:s1.ws_rtt',
  mktThroughput: () => 'metrics:events:s1.mkt_throughput',
  signals: () => 'signals:new',
  ordersExecuted: () => 'orders:executed',
  ocoArmed: () => 'spot:oco:armed',
  guardArm: () => 'guard:spot:arm',
  slArm: () => 'risk:sl_arm',
  reconciled: () => 'strategy:reconciled',
  alerts: () => 'alerts',
  opsEvents: () => 'ops:events',
  reconLastRun: () => 'recon:{last_run_ts}',
  treasuryLock: (from: Market, to: Market) => `lock:treasury:${from}:${to}`,
  familyOf: defaultFamilyOf,
});

/**
 * Builds a key scheme from the defaults with some builders replaced.
 *
 * @example Spread spot ticks over Cluster slots by tagging per symbol:
 * ```ts
 * const keys = streamKeys({ spotTicks: (s) => `mkt:events:spot:{${s}}` });
 * ```
 */
export function streamKeys(overrides: Partial<StreamKeys> = {}): StreamKeys {
  return Object.freeze({ ...DEFAULT_STREAM_KEYS, ...overrides });
}
