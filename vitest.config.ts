import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run against each package's TypeScript source, not a stale build.
    conditions: ['treaty-source'],
  },
  test: {
    include: ['{core,cli,broker,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    typecheck: {
      enabled: true,
      include: ['{core,cli,test}/**/*.test-d.ts'],
      tsconfig: './test/tsconfig.json',
    },
  },
});
