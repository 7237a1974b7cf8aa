import { describe, expect, it } from 'vitest';
import { insertionSequence } from './insertion-sequence.js';

describe('insertionSequence', () => {
  it('starts at now · 1000 and strictly increases, also when the clock stands still or steps back', () => {
    let now = 1_000;
    const next = insertionSequence({ now: () => now });
    expect([next(), next(), next()]).toEqual([1_000_000, 1_000_001, 1_000_002]);
    now = 500;
    expect(next()).toBe(1_000_003);
    now = 2_000;
    expect(next()).toBe(2_000_000);
  });

  it('jumps ahead with the clock, so a later process continues above an earlier one', () => {
    const earlier = insertionSequence({ now: () => 1_000 });
    const later = insertionSequence({ now: () => 1_001 });
    const a = [earlier(), earlier(), earlier()];
    expect(later()).toBeGreaterThan(a[2]!);
  });
});
