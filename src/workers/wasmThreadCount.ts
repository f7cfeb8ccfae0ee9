/**
 * How many threads tfjs-backend-wasm's XNNPACK pool gets.
 *
 * tfjs 4.22 sizes the pool at `navigator.hardwareConcurrency / 2` (backend.cc: "Many x86-64 processors have
 * 2 threads per core"), read once when its module starts, and `setThreadsCount` cannot go past that cap. The
 * halving is kept (one thread per physical core on a typical x86 machine), except that a machine with two
 * or three logical cores gets two threads rather than one: otherwise threads would never run there. While
 * the module starts, the worker's navigator reports twice the wanted count, so tfjs's cap is that count,
 * and then it reports the truth again.
 */
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/** The pthread workers tfjs-backend-wasm's Emscripten build starts (PTHREAD_POOL_SIZE), its own ceiling. */
export const MAX_WASM_THREADS = 8;

/** Half the logical cores, at least two where there are two, within tfjs's pool. */
export function wantedWasmThreads(logicalCores: number): number {
  if (!Number.isInteger(logicalCores) || logicalCores < 2) return 1;
  return Math.min(Math.max(2, Math.floor(logicalCores / 2)), MAX_WASM_THREADS);
}

/** Runs `start` (which starts the wasm backend) with tfjs's cap at the wanted thread count. */
export async function withWantedWasmThreads<T>(start: () => Promise<T>): Promise<T> {
  const threads = wantedWasmThreads(navigator.hardwareConcurrency);
  setThreadsCount(threads);
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  try {
    return await start();
  } finally {
    // Removes the instance's own property: the prototype's getter answers again.
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
