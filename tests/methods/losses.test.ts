import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { crossEntropy, kdLoss, kdLossPerSample, logitMse, sumTensors } from '../../src/methods/losses';

const value = async (t: tf.Tensor) => {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
};

describe('losses', () => {
  it('cross-entropy of uniform logits is log C', async () => {
    const ce = crossEntropy(tf.zeros([3, 4]) as tf.Tensor2D, tf.tensor1d([0, 1, 3], 'int32'));
    expect((await value(ce))[0]).toBeCloseTo(Math.log(4), 6);
  });

  it('KD is zero when student equals teacher, and T^2-scaled batchmean otherwise', async () => {
    const s = tf.tensor2d([[1, 2, 3], [0, 0, 1]]);
    expect((await value(kdLoss(s, s, 4)))[0]).toBeCloseTo(0, 6);

    const t = tf.tensor2d([[3, 2, 1], [1, 0, 0]]);
    const T = 2;
    const softmax = (row: number[]) => {
      const e = row.map((z) => Math.exp(z / T));
      const sum = e.reduce((a, b) => a + b);
      return e.map((x) => x / sum);
    };
    const rows = [[[1, 2, 3], [3, 2, 1]], [[0, 0, 1], [1, 0, 0]]] as const;
    const perSample = rows.map(([sr, tr]) => {
      const ps = softmax([...sr]);
      const pt = softmax([...tr]);
      return T * T * pt.reduce((acc, p, c) => acc + p * (Math.log(p) - Math.log(ps[c]!)), 0);
    });
    const got = await value(kdLossPerSample(s, t, T));
    got.forEach((g, i) => expect(g).toBeCloseTo(perSample[i]!, 5));
    expect((await value(kdLoss(s, t, T)))[0]).toBeCloseTo((perSample[0]! + perSample[1]!) / 2, 5);
    tf.dispose([s, t]);
  });

  it('the KD gradient with respect to the student logits is T (p_s - p_t) / B', async () => {
    const s = tf.tensor2d([[0.5, -1, 2]]);
    const t = tf.tensor2d([[1, 1, 0]]);
    const T = 3;
    const grad = tf.grad((x: tf.Tensor) => kdLoss(x as tf.Tensor2D, t, T))(s);
    const expected = tf.mul(tf.sub(tf.softmax(tf.div(s, T)), tf.softmax(tf.div(t, T))), T);
    const [g, e] = [await value(grad), await value(expected)];
    g.forEach((x, i) => expect(x).toBeCloseTo(e[i]!, 5));
    tf.dispose([s, t]);
  });

  it('logit MSE is the mean over batch and classes', async () => {
    const mse = logitMse(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1, 0], [0, 4]]));
    expect((await value(mse))[0]).toBeCloseTo((0 + 4 + 9 + 0) / 4, 6);
  });
});

describe('sumTensors', () => {
  it('adds more tensors than WebGPU binds at once (12), as tf.addN would, and refuses an empty list', () => {
    const tensors = Array.from({ length: 12 }, (_, i) => tf.tensor1d([i, -2 * i, 0.5]));
    const sum = sumTensors(tensors);
    expect(Array.from(sum.dataSync())).toEqual([66, -132, 6]);
    expect(() => sumTensors([])).toThrow(/at least one/);
    tf.dispose([...tensors, sum]);
  });
});
