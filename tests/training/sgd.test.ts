import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Sgd } from '../../src/training/sgd';

describe('Sgd', () => {
  it('follows PyTorch: g = grad + wd w; v = m v + g; w -= lr v', async () => {
    const w = tf.variable(tf.tensor1d([1, -2]), true, 'sgd-test-w');
    const sgd = new Sgd([w], { momentum: 0.9, weightDecay: 0.1, nesterov: false });
    const grad = { [w.name]: tf.tensor1d([0.5, 0.5]) };
    sgd.apply(grad, 0.1);
    // g = [0.6, 0.3], v = g, w = [1 - 0.06, -2 - 0.03]
    expect(Array.from(await w.data())).toEqual([expect.closeTo(0.94, 6), expect.closeTo(-2.03, 6)]);
    sgd.apply(grad, 0.1);
    // g = [0.5 + 0.094, 0.5 - 0.203] = [0.594, 0.297]; v = 0.9*[0.6,0.3] + g = [1.134, 0.567]
    expect(Array.from(await w.data())).toEqual([expect.closeTo(0.94 - 0.1134, 5), expect.closeTo(-2.03 - 0.0567, 5)]);
    tf.dispose(Object.values(grad));
    sgd.dispose();
    w.dispose();
  });

  it('Nesterov uses g + m v', async () => {
    const w = tf.variable(tf.tensor1d([1]), true, 'sgd-test-n');
    const sgd = new Sgd([w], { momentum: 0.5, weightDecay: 0, nesterov: true });
    const grad = { [w.name]: tf.tensor1d([1]) };
    sgd.apply(grad, 1); // v = 1, update = 1 + 0.5 = 1.5
    expect((await w.data())[0]).toBeCloseTo(-0.5);
    tf.dispose(Object.values(grad));
    sgd.dispose();
    w.dispose();
  });
});
