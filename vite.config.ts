/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
// With its .ts extension, as Vite's native config loader wants (tsconfig.node.json allows it).
import { chunkModules } from './buildChecks/chunkModules.ts';

// Records which modules each chunk holds (dist/chunk-modules.json) and fails the build on tfjs in the page.
const bundleRecord = chunkModules();

const CROSS_ORIGIN_ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  plugins: [svelte(), bundleRecord.page],
  // Relative base: `dist/` works from any static server path.
  base: './',
  worker: { format: 'es', plugins: () => [bundleRecord.worker()] },
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
  // Cross-origin isolation (COOP + COEP) lets the wasm backend use threads (SharedArrayBuffer); a static
  // host needs the same two headers (README), else WebAssembly runs single-threaded and the page says so.
  server: { port: 5173, headers: CROSS_ORIGIN_ISOLATION },
  preview: { port: 4173, strictPort: true, headers: CROSS_ORIGIN_ISOLATION },
  test: {
    include: ['tests/**/*.test.ts', 'kernels/tests/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/setup.ts'],
    testTimeout: 180_000,
    // Two cores: keep the math suites from starving each other.
    maxWorkers: 2,
  },
});
