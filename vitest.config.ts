import { fileURLToPath } from 'node:url';
import { defineConfig, defineProject } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const pactJsFiles = 'examples/pact-js-migration/**/*.test.ts';

// Tests run against each package's TypeScript source, never a stale build.
const resolve = {
  alias: [
    { find: /^@treaty\/core$/, replacement: src('./core/src/index.ts') },
    { find: /^@treaty\/core\/provider$/, replacement: src('./core/src/provider/index.ts') },
    { find: /^@treaty\/cli$/, replacement: src('./cli/src/index.ts') },
    { find: /^@treaty\/broker$/, replacement: src('./broker/src/index.ts') },
  ],
};
// CI machines are shared and have 2 cores; tests that start servers and processes can take
// seconds there. A hang still fails, just later.
const testTimeout = 20_000;

export default defineConfig({
  test: {
    projects: [
      defineProject({
        resolve,
        test: {
          name: 'treaty',
          include: ['{core,cli,broker,test,examples}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', pactJsFiles],
          testTimeout,
          typecheck: {
            enabled: true,
            include: ['{core,cli,test}/**/*.test-d.ts'],
            tsconfig: './test/tsconfig.json',
          },
        },
      }),
      // Pact JS's native core keeps process-wide state: its tests run one file at a time, each in a
      // process of its own, so two Pact JS mock servers never share one (they did, and now and then
      // a request went unseen).
      defineProject({
        resolve,
        test: {
          name: 'pact-js-migration',
          include: [pactJsFiles],
          exclude: ['**/node_modules/**'],
          testTimeout,
          pool: 'forks',
          fileParallelism: false,
        },
      }),
    ],
  },
});
