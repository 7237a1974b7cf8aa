import { expect, it } from 'vitest';
import { runDemo } from './demo.js';

// The reference scenarios end to end against the local Binance exchange: FUT entry + SL, SPOT OCO
// failure → guard stop, plus a TWAP. This is what `npm run demo` runs.
it('npm run demo: every flow ends as expected against the local Binance exchange', async () => {
  const lines: string[] = [];
  const outcomes = await runDemo((l) => lines.push(l));
  expect(outcomes.map((o) => [o.flow, o.ok, o.problem])).toEqual([
    ['FUT MakerThenTaker + SL', true, undefined],
    ['SPOT OCO → guard stop', true, undefined],
    ['SPOT TWAP', true, undefined],
  ]);
  expect(lines.at(-1)).toMatch(/^OK {3}SPOT TWAP/);
}, 60_000);
