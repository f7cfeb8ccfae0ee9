/**
 * Kernel threads in Node (src/training/wasm/kernelThreads.ts): each helper is a worker thread running the
 * helper script with `eval`. Unreferenced, so a helper waiting for the next call never keeps Node alive.
 */
import { Worker } from 'node:worker_threads';
import { settleKernelThreadStart, type KernelThread, type KernelThreadReply, type KernelThreadStart, type SpawnKernelThread } from '../src/training/wasm/kernelThreads';

export const spawnNodeKernelThread: SpawnKernelThread = (source: string): KernelThread => {
  const worker = new Worker(source, { eval: true });
  worker.unref();
  return {
    start: (message: KernelThreadStart) =>
      new Promise<void>((resolve, reject) => {
        worker.once('message', (reply: KernelThreadReply) => settleKernelThreadStart(reply, resolve, reject));
        worker.once('error', reject);
        worker.postMessage(message);
      }),
    terminate: () => void worker.terminate(),
  };
};
