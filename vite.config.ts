/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  // Relative base: `dist/` works from any static server path.
  base: './',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // tfjs lives in the worker chunk and Plotly in lazily loaded chunks; both are large by nature.
    chunkSizeWarningLimit: 5000,
    // Three pages: the app, the benchmark page that `npm run bench` drives (bench/run.mjs), and the check page
    // (check.html) that runs the maths on the browser's backend (e2e/check.spec.ts).
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('index.html', import.meta.url)),
        bench: fileURLToPath(new URL('bench.html', import.meta.url)),
        check: fileURLToPath(new URL('check.html', import.meta.url)),
      },
    },
  },
  server: { port: 5173 },
  preview: { port: 4173, strictPort: true },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/setup.ts'],
    testTimeout: 180_000,
    // Two cores: keep the math suites from starving each other.
    maxWorkers: 2,
  },
});
