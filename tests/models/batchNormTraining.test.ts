// The fused training-mode BatchNorm gives the same output, gradients and batch moments as tfjs's
// composition (tf.moments + tf.batchNorm differentiated through the moments), on 4-D and 2-D inputs.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { keyedRng } from '../../src/core/random';
import { batchNormTraining } from '../../src/models/batchNormTraining';

function random(shape: number[], seed: number, offset = 0): tf.Tensor {
  const rng = keyedRng(seed, 'bn-test');
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 2 + offset), shape);
}

function composed(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, x.rank === 4 ? [0, 1, 2] : [0]);
  return tf.batchNorm(x, mean, variance, beta, gamma, epsilon);
}

async function close(actual: tf.Tensor, expected: tf.Tensor): Promise<void> {
  const [a, e] = await Promise.all([actual.data(), expected.data()]);
  const scale = Math.max(...Array.from(e, Math.abs), 1e-6);
  for (let i = 0; i < e.length; i++) expect(Math.abs(a[i]! - e[i]!)).toBeLessThan(1e-5 * scale + 1e-6);
}

describe('batchNormTraining', () => {
  for (const shape of [[3, 5, 4, 6], [7, 5], [1, 3, 3, 2]]) {
    it(`matches the composition on ${shape.join('x')}: output, dx, dgamma, dbeta, moments`, async () => {
      const channels = shape.at(-1)!;
      const x = random(shape, 1, 3);
      const gamma = random([channels], 2, 1);
      const beta = random([channels], 3);
      const upstream = random(shape, 4);
      const lossOf = (f: (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b), upstream));
      const fusedOutput = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const r = batchNormTraining(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
        tf.dispose([r.mean, r.variance]);
        return r.y;
      };
      const fusedGrads = tf.grads(lossOf(fusedOutput))([x, gamma, beta]);
      const composedGrads = tf.grads(lossOf((a, g, b) => composed(a, g, b, 1e-5)))([x, gamma, beta]);
      for (let i = 0; i < 3; i++) await close(fusedGrads[i]!, composedGrads[i]!);
      const fused = batchNormTraining(x as tf.Tensor4D, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-5);
      await close(fused.y, composed(x, gamma, beta, 1e-5));
      const moments = tf.moments(x, shape.length === 4 ? [0, 1, 2] : [0]);
      await close(fused.mean, moments.mean);
      await close(fused.variance, moments.variance);
    });
  }

  it('leaves no tensor behind once the caller disposes the moments', () => {
    const x = random([4, 3, 3, 2], 5);
    const gamma = tf.ones([2]) as tf.Tensor1D;
    const beta = tf.zeros([2]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    const grads = tf.grads((a: tf.Tensor) => {
      const r = batchNormTraining(a as tf.Tensor4D, gamma, beta, 1e-5);
      tf.dispose([r.mean, r.variance]);
      return tf.sum(tf.square(r.y));
    })([x]);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
  });
});
