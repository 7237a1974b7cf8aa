import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Tests import packages by their public names; the aliases point them at the sources so that
// `npm test` needs no prior build. Order matters: the `/testing` entries come first.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@chimera\/core\/testing$/, replacement: src('core/src/testing/index.ts') },
      { find: /^@chimera\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@chimera\/binance\/testing$/, replacement: src('binance/src/testing/index.ts') },
      { find: /^@chimera\/binance$/, replacement: src('binance/src/index.ts') },
      { find: /^@chimera\/max\/testing$/, replacement: src('max/src/testing/index.ts') },
      { find: /^@chimera\/max$/, replacement: src('max/src/index.ts') },
      { find: /^@chimera\/redis-sink$/, replacement: src('redis-sink/src/index.ts') },
      { find: /^@chimera\/arango-sink$/, replacement: src('arango-sink/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
