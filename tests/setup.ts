// Node tests run tfjs on its CPU backend (the browser uses WebGPU through the worker), with the faster
// filter-gradient kernel the worker also installs for its CPU fallback. DISTILLERY_TEST_BACKEND=wasm runs
// the same tests on the WebAssembly training backend instead.
import * as tf from '@tensorflow/tfjs';
import { installFastCpuConvFilterGrad } from '../src/training/cpuConvFilterGrad';
import { startWasmBackend } from '../src/training/wasm/wasmBackend';

if (process.env.DISTILLERY_TEST_BACKEND === 'wasm') {
  if (!(await startWasmBackend())) throw new Error('The wasm backend did not start');
} else {
  await tf.setBackend('cpu');
  await tf.ready();
  installFastCpuConvFilterGrad();
}
