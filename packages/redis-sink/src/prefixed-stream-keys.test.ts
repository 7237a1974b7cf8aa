import { DEFAULT_STREAM_KEYS, ValidationError, streamKeys } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { prefixStreamKeys } from './prefixed-stream-keys.js';

describe('prefixStreamKeys', () => {
  it('prefixes every name, keeps hash tags and families', () => {
    const k = prefixStreamKeys('paper:');
    expect(k.spotTicks('BTCUSDT')).toBe('paper:mkt:events:{spot}:BTCUSDT');
    expect(k.depth('BTCUSDT')).toBe('paper:mkt:depth:{BTCUSDT}');
    expect(k.reconLastRun()).toBe('paper:recon:{last_run_ts}');
    expect(k.treasuryLock('SPOT', 'FUT')).toBe('paper:lock:treasury:SPOT:FUT');
    expect(k.alerts()).toBe('paper:alerts');
    expect(k.familyOf(k.spotTicks('X'))).toBe('market');
    expect(k.familyOf(k.ordersExecuted())).toBe('execution');
    expect(k.familyOf(k.alerts())).toBe(DEFAULT_STREAM_KEYS.familyOf('alerts'));
  });

  it('wraps an overridden scheme', () => {
    const k = prefixStreamKeys('t:', streamKeys({ spotTicks: (s) => `mkt:events:spot:{${s}}` }));
    expect(k.spotTicks('ETHUSDT')).toBe('t:mkt:events:spot:{ETHUSDT}');
  });

  it('refuses braces in the prefix', () => {
    expect(() => prefixStreamKeys('{x}:')).toThrow(ValidationError);
  });
});
