// Reproducible test inputs for the kernel suites.
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../../src/core/random';

/** A tensor of `shape` with values uniform in [-1, 1), drawn from `seed` under `key`. */
export function randomTensor(shape: number[], seed: number, key = 'kernel-test'): tf.Tensor {
  const rng = keyedRng(seed, key);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1), shape);
}
