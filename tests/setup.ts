// Node tests run tfjs on its CPU backend; the browser uses WebGPU through the worker.
import * as tf from '@tensorflow/tfjs';

await tf.setBackend('cpu');
await tf.ready();
