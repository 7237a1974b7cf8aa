import { DEFAULT_STREAM_KEYS, ValidationError, type Market, type StreamKeys } from '@chimera/core';

/**
 * A key scheme with every name of `base` behind `prefix` (e.g. `paper:` for a paper-trading host
 * sharing a Redis with live, or a per-run namespace in tests and benchmarks). Hash tags are kept —
 * `paper:mkt:events:{spot}:BTCUSDT` still hashes `spot` — and `familyOf` strips the prefix first.
 * @throws ValidationError when `prefix` contains `{` or `}`: it would become the hash tag.
 */
export function prefixStreamKeys(prefix: string, base: StreamKeys = DEFAULT_STREAM_KEYS): StreamKeys {
  if (prefix.includes('{') || prefix.includes('}')) {
    throw new ValidationError('a key prefix must not contain hash-tag braces', [{ path: 'prefix', message: `got ${prefix}` }]);
  }
  return Object.freeze({
    spotTicks: (s: string) => prefix + base.spotTicks(s),
    perpTicks: (s: string) => prefix + base.perpTicks(s),
    funding: (s: string) => prefix + base.funding(s),
    tick: (s: string) => prefix + base.tick(s),
    depth: (s: string) => prefix + base.depth(s),
    wsRtt: () => prefix + base.wsRtt(),
    mktThroughput: () => prefix + base.mktThroughput(),
    signals: () => prefix + base.signals(),
    ordersExecuted: () => prefix + base.ordersExecuted(),
    ocoArmed: () => prefix + base.ocoArmed(),
    guardArm: () => prefix + base.guardArm(),
    slArm: () => prefix + base.slArm(),
    reconciled: () => prefix + base.reconciled(),
    alerts: () => prefix + base.alerts(),
    opsEvents: () => prefix + base.opsEvents(),
    reconLastRun: () => prefix + base.reconLastRun(),
    treasuryLock: (from: Market, to: Market) => prefix + base.treasuryLock(from, to),
    familyOf: (stream: string) => base.familyOf(stream.startsWith(prefix) ? stream.slice(prefix.length) : stream),
  });
}
