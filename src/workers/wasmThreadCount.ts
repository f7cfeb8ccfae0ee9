/**
 * How many threads tfjs-backend-wasm's XNNPACK pool gets.
 *
 * tfjs 4.22 caps the pool at `navigator.hardwareConcurrency / 2`, read once when its module starts
 * (backend.cc: "Many x86-64 processors have 2 threads per core"), and `setThreadsCount` cannot go past that
 * cap: on a two-core machine it is one thread, so threads would never run there. The worker asks for one
 * thread per logical core (at most 8, the Emscripten pool tfjs builds): while the module starts, the
 * worker's navigator reports twice the cores, so the cap becomes the real core count, and then it reports
 * the truth again.
 */
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/** The pthread workers tfjs-backend-wasm's Emscripten build starts (PTHREAD_POOL_SIZE), its own ceiling. */
export const MAX_WASM_THREADS = 8;

/** One thread per logical core, within tfjs's pool. */
export function wantedWasmThreads(logicalCores: number): number {
  if (!Number.isInteger(logicalCores) || logicalCores < 1) return 1;
  return Math.min(logicalCores, MAX_WASM_THREADS);
}

/** Runs `start` (which starts the wasm backend) with tfjs's halving of the core count undone. */
export async function withThreadPerCore<T>(start: () => Promise<T>): Promise<T> {
  const cores = navigator.hardwareConcurrency;
  setThreadsCount(wantedWasmThreads(cores));
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * cores, configurable: true });
  try {
    return await start();
  } finally {
    // Removes the instance's own property: the prototype's getter answers again.
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
