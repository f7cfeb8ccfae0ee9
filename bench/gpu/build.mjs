#!/usr/bin/env node
// @ts-check
/**
 * Bundles the GPU runner (bench/gpu/main.ts and the app code it reuses, tfjs included) into one file,
 * bench/gpu/out/gpu-bench.mjs, for Node >= 20 with no node_modules beside it but the `webgpu` package,
 * which stays an import (its native binding is loaded at run time). `node bench/gpu/build.mjs [--out DIR]`.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RUNNER_FILE = 'gpu-bench.mjs';
export const DEFAULT_OUT = join(ROOT, 'bench', 'gpu', 'out');

// tfjs's CommonJS parts call require() for Node built-ins; an ES module has none unless it makes one.
const REQUIRE_SHIM = "import { createRequire as __distilleryCreateRequire } from 'node:module'; const require = __distilleryCreateRequire(import.meta.url);";

/** Builds the bundle into `outDir`; returns its path. */
export async function buildGpuRunner(outDir = DEFAULT_OUT) {
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    publicDir: false,
    ssr: { noExternal: true, target: 'node' },
    build: {
      ssr: join(ROOT, 'bench', 'gpu', 'main.ts'),
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rolldownOptions: {
        external: ['webgpu'],
        output: { format: 'es', entryFileNames: RUNNER_FILE, codeSplitting: false, banner: REQUIRE_SHIM },
      },
    },
  });
  return join(outDir, RUNNER_FILE);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  console.log(await buildGpuRunner(at > 0 ? resolve(process.argv[at + 1] ?? DEFAULT_OUT) : DEFAULT_OUT));
}
