import { defineConfig } from 'vite';

// One script and one stylesheet, no lazy chunks: the CLI inlines both into
// index.html, so the site is a single file that also opens from disk.
export default defineConfig({
  root: 'src/app',
  base: './',
  build: {
    outDir: '../../dist/app',
    emptyOutDir: true,
    cssCodeSplit: false,
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    modulePreload: false,
    target: 'es2022',
    rolldownOptions: { output: { codeSplitting: false } },
  },
});
