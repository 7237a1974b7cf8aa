import { expect, it } from 'vitest';
import { quickStart } from './quick-start.js';

it('the README quick start runs and prints what the README says', async () => {
  const lines: string[] = [];
  await quickStart((l) => lines.push(l));
  expect(lines).toEqual(['intent qty 0.0012', 'order 0.003 @ 65000.1', 'stream orders:executed has 1 event', 'stored intent state PENDING_ENTRY']);
});
