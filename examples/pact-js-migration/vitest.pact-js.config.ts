import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Runs test/pact-js-verifier.run.ts alone, as the child process provider.verify.test.ts starts.
const src = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: src('.'),
  resolve: {
    alias: [{ find: /^@treaty\/core$/, replacement: src('../../core/src/index.ts') }],
  },
  test: { include: ['test/pact-js-verifier.run.ts'], testTimeout: 60_000 },
});
