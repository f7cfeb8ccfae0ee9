// ParamStore.observeBatchStatistics: the scoped BatchNorm hook behind TA-DFKD's L_BNS.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { keyedRng } from '../../src/core/random';
import { ParamStore, batchNorm } from '../../src/models/layers';
import { resnet } from '../../src/models/resnet';
import { failOnTensorLeaks } from '../helpers/leaks';

failOnTensorLeaks();

const values = (x: tf.Tensor) => Array.from(x.dataSync());

/** Per-channel mean and biased variance of NHWC data, in plain JS. */
function channelMoments(data: readonly number[], channels: number) {
  const count = data.length / channels;
  const mean = Array.from({ length: channels }, (_, c) => data.filter((_, i) => i % channels === c).reduce((s, v) => s + v, 0) / count);
  const variance = mean.map((m, c) => data.filter((_, i) => i % channels === c).reduce((s, v) => s + (v - m) ** 2, 0) / count);
  return { mean, variance };
}

/** One BatchNorm with non-trivial running statistics, and an input batch. */
function setup() {
  const store = new ParamStore('bn-test', keyedRng(1, 'init'));
  const bn = batchNorm(store, 'bn', 3);
  tf.tidy(() => {
    bn.runningMean.assign(tf.tensor1d([0.5, -1, 2]));
    bn.runningVariance.assign(tf.tensor1d([2, 0.5, 1.5]));
  });
  const data = Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 3)));
  const x = tf.tensor4d(data, [2, 2, 3, 3]);
  return { store, bn, data, x };
}

describe('ParamStore.observeBatchStatistics', () => {
  it('reports the batch mean, biased variance and running statistics of the input, even in eval mode', () => {
    const { store, bn, data, x } = setup();
    const plain = tf.tidy(() => bn.apply(x, false));
    const { mean, variance } = channelMoments(data, 3);
    tf.tidy(() => {
      const { result, statistics } = store.observeBatchStatistics(() => bn.apply(x, false));
      expect(values(result)).toEqual(values(plain)); // eval output unchanged
      expect(statistics).toHaveLength(1);
      const [layer] = statistics;
      expect(layer!.layer).toBe('bn');
      values(layer!.mean).forEach((v, c) => expect(v).toBeCloseTo(mean[c]!, 5));
      values(layer!.variance).forEach((v, c) => expect(v).toBeCloseTo(variance[c]!, 5));
      expect(layer!.runningMean).toBe(bn.runningMean);
      expect(layer!.runningVariance).toBe(bn.runningVariance);
    });
    expect(values(bn.runningMean)).toEqual([0.5, -1, 2]); // eval mode leaves them alone
    expect(store.observingBatchStatistics).toBe(false);
    tf.dispose([x, plain]);
    store.dispose();
  });

  it('changes nothing in training mode: same output, same running-statistics update', () => {
    const run = (observe: boolean) => {
      const { store, bn, x } = setup();
      const output = tf.tidy(() => (observe ? store.observeBatchStatistics(() => bn.apply(x, true)).result : bn.apply(x, true)));
      const result = [values(output), values(bn.runningMean), values(bn.runningVariance)];
      tf.dispose([x, output]);
      store.dispose();
      return result;
    };
    expect(run(true)).toEqual(run(false));
  });

  it('collects every BatchNorm of one network in call order, and only that network', () => {
    const teacher = resnet('resnet8', { numClasses: 10, name: 'observed', seed: 1 });
    const other = resnet('resnet8', { numClasses: 10, name: 'other', seed: 2 });
    const x = tf.randomNormal<tf.Rank.R4>([2, 16, 16, 3], 0, 1, 'float32', 3);
    tf.tidy(() => {
      const plain = teacher.apply(x, { training: false }).logits;
      const { result, statistics } = teacher.params.observeBatchStatistics(() => {
        other.apply(x, { training: false });
        return teacher.apply(x, { training: false }).logits;
      });
      expect(values(result)).toEqual(values(plain));
      expect(statistics.map((s) => s.layer)).toEqual([
        'stem/bn',
        'stage1/block0/bn1',
        'stage1/block0/bn2',
        'stage2/block0/bn1',
        'stage2/block0/shortcut/bn',
        'stage2/block0/bn2',
        'stage3/block0/bn1',
        'stage3/block0/shortcut/bn',
        'stage3/block0/bn2',
      ]);
      expect(statistics.map((s) => s.mean.shape[0])).toEqual([16, 16, 16, 32, 32, 32, 64, 64, 64]);
    });
    tf.dispose(x);
    teacher.dispose();
    other.dispose();
  });

  it('keeps the moments on the gradient tape, so a loss on them differentiates to the input', () => {
    const { store, bn, x } = setup();
    const gradient = tf.grad((input: tf.Tensor) => {
      const { statistics } = store.observeBatchStatistics(() => bn.apply(input as tf.Tensor4D, false));
      return tf.sum(tf.add(statistics[0]!.variance, statistics[0]!.mean));
    })(x);
    const g = values(gradient);
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    tf.dispose([x, gradient]);
    store.dispose();
  });

  it('refuses nesting and always ends the observation, also when the pass throws', () => {
    const store = new ParamStore('nesting', keyedRng(1, 'init'));
    expect(() => store.observeBatchStatistics(() => store.observeBatchStatistics(() => 0))).toThrow(/already/);
    expect(() =>
      store.observeBatchStatistics(() => {
        throw new Error('forward failed');
      }),
    ).toThrow('forward failed');
    expect(store.observingBatchStatistics).toBe(false);
    const { statistics } = store.observeBatchStatistics(() => 1);
    expect(statistics).toEqual([]);
    store.dispose();
  });
});
