/**
 * Kernel threads in Node (src/training/wasm/kernelThreads.ts): each helper is a worker thread running the
 * helper script with `eval`. Unreferenced, so a helper waiting for the next call never keeps Node alive.
 */
import { Worker } from 'node:worker_threads';
import type { KernelThread, KernelThreadStart, SpawnKernelThread } from '../src/training/wasm/kernelThreads';

export const spawnNodeKernelThread: SpawnKernelThread = (source: string): KernelThread => {
  const worker = new Worker(source, { eval: true });
  worker.unref();
  return {
    start: (message: KernelThreadStart) =>
      new Promise<void>((resolve, reject) => {
        worker.once('message', (reply: { ready?: boolean; error?: string }) => (reply.ready ? resolve() : reject(new Error(`A kernel thread could not start: ${reply.error}`))));
        worker.once('error', reject);
        worker.postMessage(message);
      }),
    terminate: () => void worker.terminate(),
  };
};
