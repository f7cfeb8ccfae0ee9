// Node tests run tfjs on its CPU backend (the browser uses WebGPU through the worker), with the faster
// filter-gradient kernel the worker also installs for its CPU fallback.
import * as tf from '@tensorflow/tfjs';
import { installFastCpuConvFilterGrad } from '../src/training/cpuConvFilterGrad';

await tf.setBackend('cpu');
await tf.ready();
installFastCpuConvFilterGrad();
