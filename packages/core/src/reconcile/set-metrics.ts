import { ValidationError } from '../errors.js';

/**
 * Agreement of two sets as SPEC §5 measures it: the Jaccard index `|A∩B| / |A∪B|` and the size of
 * the symmetric difference `D = (A∪B) \ (A∩B)`. Sets are counted, not materialised, so `diff` can
 * measure 100 000 orders without building unions.
 */
export interface SetMetrics {
  /** `|A|`: elements the venue reported. */
  venue: number;
  /** `|B|`: elements the store holds. */
  local: number;
  /** `|A∩B|`. */
  intersection: number;
  /** `|A∪B|`. */
  union: number;
  /** `|A∩B| / |A∪B|`, in [0, 1]; 1 when both sets are empty (two empty sets agree). */
  jaccard: number;
  /** `|(A∪B) \ (A∩B)|` = `|A∪B| − |A∩B|`. */
  symmetricDifference: number;
}

/**
 * Metrics of two sets from their sizes and the size of their intersection.
 * @param venue - `|A|`.
 * @param local - `|B|`.
 * @param intersection - `|A∩B|` (at most the smaller of the two).
 * @throws ValidationError when the sizes are inconsistent (negative, or an intersection too large).
 */
export function setMetrics(venue: number, local: number, intersection: number): SetMetrics {
  if (!(intersection >= 0 && intersection <= venue && intersection <= local)) {
    const message = `inconsistent set sizes: |A|=${venue} |B|=${local} |A∩B|=${intersection}`;
    throw new ValidationError(message, [{ path: 'intersection', message }]);
  }
  const union = venue + local - intersection;
  return {
    venue,
    local,
    intersection,
    union,
    jaccard: union === 0 ? 1 : intersection / union,
    symmetricDifference: union - intersection,
  };
}
