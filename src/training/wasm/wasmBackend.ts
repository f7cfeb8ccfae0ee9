/**
 * The `wasm` training backend: tfjs-backend-wasm (XNNPACK, SIMD, threads where the page is cross-origin
 * isolated) plus the kernels training needs that it does not ship, registered for `wasm`, on threads of
 * their own where asked.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { kernelThreadCount, startKernelThreads } from './kernelModule';
import type { SpawnKernelThread } from './kernelThreads';
import { registerWasmTrainingKernels } from './trainingKernels';

export interface KernelThreadsOption {
  /** How the platform starts a helper thread. */
  readonly spawn: SpawnKernelThread;
  /** Threads for the training kernels, this one included; by default as many as tfjs's own pool has. */
  readonly count?: number;
}

/** How many threads tfjs-backend-wasm's XNNPACK pool runs (1 where the page is not cross-origin isolated). */
export function tfjsWasmThreads(): number {
  const backend = tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } };
  return backend.wasm?.tfjs?.getThreadsCount?.() ?? 1;
}

/**
 * Starts the wasm backend and registers the training kernels; true when it is active. With `kernelThreads`
 * the kernels that split run on that many threads; if their helpers cannot start they stay on one (and
 * `kernelThreadCount()` says so), which changes speed, never results.
 */
export async function startWasmBackend(kernelThreads?: KernelThreadsOption): Promise<boolean> {
  registerWasmTrainingKernels();
  const ok = await tf.setBackend('wasm');
  if (!ok || tf.getBackend() !== 'wasm') return false;
  await tf.ready();
  const count = kernelThreads?.count ?? tfjsWasmThreads();
  if (kernelThreads && count > 1 && count !== kernelThreadCount()) {
    await startKernelThreads(count, kernelThreads.spawn).catch((error: unknown) => console.warn('Training kernels stay on one thread:', error));
  }
  return true;
}
