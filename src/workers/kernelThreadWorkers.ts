/**
 * Kernel threads in the browser (src/training/wasm/kernelThreads.ts): each helper is a Web Worker started by
 * this worker from a blob: URL holding the helper script, as tfjs-backend-wasm starts its own threads.
 */
import type { KernelThread, KernelThreadStart, SpawnKernelThread } from '../training/wasm/kernelThreads';

export const spawnWebKernelThread: SpawnKernelThread = (source: string): KernelThread => {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  return {
    start: (message: KernelThreadStart) =>
      new Promise<void>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<{ ready?: boolean; error?: string }>) => (event.data.ready ? resolve() : reject(new Error(`A kernel thread could not start: ${event.data.error}`)));
        worker.onerror = (event) => reject(new Error(`A kernel thread could not start: ${event.message || 'its script failed'}`));
        worker.postMessage(message);
      }).finally(() => URL.revokeObjectURL(url)),
    terminate: () => worker.terminate(),
  };
};
