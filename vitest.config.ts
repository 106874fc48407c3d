import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against each package's TypeScript source, never a stale build.
    alias: [
      { find: /^@treaty\/core$/, replacement: src('./core/src/index.ts') },
      { find: /^@treaty\/cli$/, replacement: src('./cli/src/index.ts') },
      { find: /^@treaty\/broker$/, replacement: src('./broker/src/index.ts') },
    ],
  },
  test: {
    include: ['{core,cli,broker,test,examples}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // CI machines are shared and have 2 cores; tests that start servers and processes can take
    // seconds there. A hang still fails, just later.
    testTimeout: 20_000,
    typecheck: {
      enabled: true,
      include: ['{core,cli,test}/**/*.test-d.ts'],
      tsconfig: './test/tsconfig.json',
    },
  },
});
