import { defineConfig } from 'vitest/config';

// The example's tests use the built `qint` package (as a user would) and, for the browser test, the built page.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
