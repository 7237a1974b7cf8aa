/**
 * A small seeded pseudo-random generator (mulberry32) for the paper venue: venue ids and latency
 * jitter come from it, so the same seed and the same inputs give the same ids, fills and delays.
 * Not for cryptography.
 *
 * @packageDocumentation
 */

/** A function returning uniform floats in `[0, 1)`. */
export type RandomSource = () => number;

/**
 * Creates a deterministic generator from a 32-bit seed.
 * @param seed - any integer; only its low 32 bits matter.
 * @returns a generator of uniform floats in `[0, 1)`.
 */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A uniform integer in `[min, max]` (both inclusive) drawn from `random`.
 * @throws RangeError when `max < min`.
 */
export function randomInt(random: RandomSource, min: number, max: number): number {
  if (max < min) throw new RangeError(`max ${max} is below min ${min}`);
  return min + Math.floor(random() * (max - min + 1));
}
