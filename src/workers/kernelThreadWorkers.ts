/**
 * Kernel threads in the browser (src/training/wasm/kernelThreads.ts): each helper is a Web Worker started by
 * this worker from a blob: URL holding the helper script, as tfjs-backend-wasm starts its own threads.
 */
import { settleKernelThreadStart, type KernelThread, type KernelThreadReply, type KernelThreadStart, type SpawnKernelThread } from '../training/wasm/kernelThreads';

export const spawnWebKernelThread: SpawnKernelThread = (source: string): KernelThread => {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  return {
    start: (message: KernelThreadStart) =>
      new Promise<void>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<KernelThreadReply>) => settleKernelThreadStart(event.data, resolve, reject);
        worker.onerror = (event) => settleKernelThreadStart({ error: event.message || undefined }, resolve, reject);
        worker.postMessage(message);
      }).finally(() => URL.revokeObjectURL(url)),
    terminate: () => worker.terminate(),
  };
};
