/**
 * The `wasm` training backend: tfjs-backend-wasm (XNNPACK, SIMD, threads where the page is cross-origin
 * isolated) plus the kernels training needs that it does not ship, registered for `wasm`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './trainingKernels';

/** Starts the wasm backend and registers the training kernels; true when it is active. */
export async function startWasmBackend(): Promise<boolean> {
  registerWasmTrainingKernels();
  const ok = await tf.setBackend('wasm');
  if (!ok || tf.getBackend() !== 'wasm') return false;
  await tf.ready();
  return true;
}
