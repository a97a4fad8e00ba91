import { defineConfig } from 'vitest/config';

// The app's vite.config.ts roots at src/app; tests run from the package.
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
