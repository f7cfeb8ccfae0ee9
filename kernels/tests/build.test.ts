// The WebAssembly module the app ships (src/training/wasm/kernelBinary.ts) is exactly what kernels/assembly
// compiles to: nobody can change the binary without its source, or the source without rebuilding.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain ESM build script without type declarations
import { compileKernels, kernelModuleSource } from '../build.mjs';

it('kernelBinary.ts matches a fresh AssemblyScript build of kernels/assembly', async () => {
  const fresh = kernelModuleSource(await compileKernels('plain'), await compileKernels('shared'));
  const committed = readFileSync(new URL('../../src/training/wasm/kernelBinary.ts', import.meta.url), 'utf8');
  expect(committed === fresh, 'run `npm run build:kernels` and commit src/training/wasm/kernelBinary.ts').toBe(true);
});
