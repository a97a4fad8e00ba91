import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The CLI tests spawn the built bin: build it (incrementally) first.
    globalSetup: ['./test/setup/build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
