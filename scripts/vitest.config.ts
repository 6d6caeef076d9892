import { defineConfig } from 'vitest/config';

// Repository-level tests: layering and installability of the published packages.
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    testTimeout: 600_000,
  },
});
