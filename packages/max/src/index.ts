/**
 * `@chimera/max` — MAX (MaiCoin) adapter. Not built yet: see the package README for what it will
 * hold.
 *
 * @packageDocumentation
 */

/** The venue id this package's connector reports. */
export const MAX_VENUE = 'max';
