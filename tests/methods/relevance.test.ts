import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyedRng } from '../../src/core/random';
import { denseMlp, gradientInputRelevance, lrpDense, oracleInput, type DenseLayer, type LrpRule } from '../../src/methods/relevance';
import { failOnTensorLeaks } from '../helpers/leaks';

const EPSILON: LrpRule = { name: 'epsilon', epsilon: 1e-9 };

/** Random dense layers of the given widths (seeded), optionally with zero biases. */
function randomLayers(widths: readonly number[], key: number, zeroBias = false): DenseLayer[] {
  const rng = keyedRng(key, 'relevance-test');
  return widths.slice(1).map((out, l) => {
    const inputs = widths[l]!;
    return {
      weight: tf.tensor2d(Array.from({ length: inputs }, () => Array.from({ length: out }, () => rng.normal()))),
      bias: tf.tensor1d(Array.from({ length: out }, () => (zeroBias ? 0 : 0.1 * rng.normal()))),
    };
  });
}
const disposeLayers = (layers: readonly DenseLayer[]) => tf.dispose(layers.flatMap((l) => [l.weight, l.bias]));

/** Relevance rows for `inputs` and one target per row. */
function relevance(layers: readonly DenseLayer[], inputs: number[][], targets: number[], rule: LrpRule): number[][] {
  const result = tf.tidy(() => lrpDense(layers, tf.tensor2d(inputs), tf.tensor1d(targets, 'int32'), rule));
  const rows = result.arraySync();
  result.dispose();
  return rows;
}

failOnTensorLeaks();

describe('lrpDense', () => {
  let single: DenseLayer[] = [];
  beforeAll(() => {
    single = [{ weight: tf.tensor2d([[1, -1], [2, 0.5]]), bias: tf.tensor1d([0.5, 0]) }];
  });
  afterAll(() => disposeLayers(single));

  it('splits a linear logit into x_i · W[i, target] (epsilon rule)', () => {
    // logit 0 = 1·1 + 3·2 + 0.5 = 7.5, redistributed over z = 7.5 with ε → 0: R = x ⊙ W[:, 0].
    relevance(single, [[1, 3]], [0], EPSILON)[0]!.forEach((r, i) => expect(r).toBeCloseTo([1, 6][i]!, 6));
  });

  it('z+ uses only positive weights and no bias, from the full logit', () => {
    // z+ = 1·1 + 3·2 = 7 (no bias), R_out = 7.5: R = x ⊙ W+[:, 0] · 7.5 / 7.
    relevance(single, [[1, 3]], [0], { name: 'zplus' })[0]!.forEach((r, i) => expect(r).toBeCloseTo([7.5 / 7, (6 * 7.5) / 7][i]!, 6));
    // Target 1: W+[:, 1] = (0, 0.5), so the first input gets nothing.
    const [r0, r1] = relevance(single, [[1, 3]], [1], { name: 'zplus' })[0]!;
    expect(r0).toBe(0);
    expect(r1).toBeCloseTo(-1 + 1.5, 6); // all of logit 1 = 1·(−1) + 3·0.5 + 0
  });

  it('gamma boosts positive weights and biases before the epsilon rule', () => {
    // W' = W + γ·max(W, 0) with γ = 1: column 0 = (2, 4), b' = (1, 0); z = 2 + 12 + 1 = 15, R_out = 7.5.
    const [r0, r1] = relevance(single, [[1, 3]], [0], { name: 'gamma', gamma: 1, epsilon: 1e-9 })[0]!;
    expect(r0).toBeCloseTo((2 * 7.5) / 15, 6);
    expect(r1).toBeCloseTo((12 * 7.5) / 15, 6);
  });

  it('conserves the target logit through a bias-free ReLU network (epsilon → 0)', () => {
    const layers = randomLayers([5, 8, 6, 3], 1, true);
    const input = [[0.3, -1.2, 0.8, 2, -0.4]];
    const logits = tf.tidy(() => denseMlp(layers)(tf.tensor2d(input)).arraySync()[0]!);
    for (let target = 0; target < 3; target++) {
      const total = relevance(layers, input, [target], EPSILON)[0]!.reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(logits[target]!, 4);
    }
    disposeLayers(layers);
  });

  it('with γ = 0 the gamma rule is the epsilon rule', () => {
    const layers = randomLayers([4, 6, 3], 2);
    const input = [[1, -0.5, 0.25, 2]];
    const epsilon = relevance(layers, input, [2], { name: 'epsilon', epsilon: 1e-6 })[0]!;
    relevance(layers, input, [2], { name: 'gamma', gamma: 0, epsilon: 1e-6 })[0]!.forEach((r, i) => expect(r).toBeCloseTo(epsilon[i]!, 6));
    disposeLayers(layers);
  });

  it('treats each row of a batch independently, with its own target', () => {
    const layers = randomLayers([3, 5, 4], 3);
    const inputs = [[1, 2, -1], [0.5, -0.5, 3]];
    const batch = relevance(layers, inputs, [1, 3], EPSILON);
    inputs.forEach((row, b) => {
      relevance(layers, [row], [[1, 3][b]!], EPSILON)[0]!.forEach((r, i) => expect(batch[b]![i]).toBeCloseTo(r, 6));
    });
    disposeLayers(layers);
  });
});

describe('oracleInput (gradient × |input|)', () => {
  const weights = [[1, -1, 0.5], [0.5, 2, -1]];
  const bias = [0.1, 0, -0.2];

  /** x* for a linear model by hand: ∂CE/∂x = (softmax(z) − onehot(y)) Wᵀ / B. */
  function linearOracleByHand(inputs: number[][], labels: number[], gamma: number): number[][] {
    return inputs.map((x, b) => {
      const z = bias.map((bc, c) => bc + x.reduce((acc, xi, i) => acc + xi * weights[i]![c]!, 0));
      const e = z.map(Math.exp);
      const total = e.reduce((a, v) => a + v);
      const dz = e.map((v, c) => (v / total - (c === labels[b] ? 1 : 0)) / inputs.length);
      return x.map((xi, i) => xi - gamma * dz.reduce((acc, d, c) => acc + d * weights[i]![c]!, 0) * Math.abs(xi));
    });
  }

  function withLinearModel<T extends tf.TensorContainer>(use: (model: (x: tf.Tensor2D) => tf.Tensor2D) => T): T {
    return tf.tidy(() => use(denseMlp([{ weight: tf.tensor2d(weights), bias: tf.tensor1d(bias) }])));
  }

  it('is x − γ · ∂CE_mean/∂x ⊙ |x|, with the batch-mean 1/B factor', () => {
    const inputs = [[1, -2], [0.5, 0.25], [-1, 3]];
    const labels = [0, 2, 1];
    const got = withLinearModel((model) =>
      oracleInput(model, tf.tensor2d(inputs), tf.tensor1d(labels, 'int32'), 0.5).arraySync(),
    );
    const expected = linearOracleByHand(inputs, labels, 0.5);
    got.forEach((row, b) => row.forEach((v, i) => expect(v).toBeCloseTo(expected[b]![i]!, 6)));
  });

  it('halves the step when the batch doubles (the seed ties the step to B)', () => {
    const [single, doubled] = withLinearModel((model) => {
      const stepOf = (rows: number[][]) => {
        const x = tf.tensor2d(rows);
        const step = tf.sub(oracleInput(model, x, tf.tensor1d(rows.map(() => 1), 'int32'), 1), x);
        return (step.arraySync() as number[][])[0]!;
      };
      return [stepOf([[1, -2]]), stepOf([[1, -2], [1, -2]])];
    });
    single.forEach((d, i) => expect(doubled[i]).toBeCloseTo(d / 2, 6));
  });

  it('works for any model rank and repeats `steps` times on x*', () => {
    // An image-shaped model: flatten [B, 1, 2, 1] and apply the linear layer.
    const [image, flat, twice, once2] = withLinearModel((model) => {
      const imageModel = (x: tf.Tensor4D) => model(tf.reshape(x, [x.shape[0], -1]));
      const labels = tf.tensor1d([2], 'int32');
      const x = tf.tensor4d([[[[1], [-2]]]]);
      const first = oracleInput(model, tf.tensor2d([[1, -2]]), labels, 0.3);
      return [
        tf.reshape(oracleInput(imageModel, x, labels, 0.3), [1, 2]).arraySync() as number[][],
        first.arraySync(),
        oracleInput(model, tf.tensor2d([[1, -2]]), labels, 0.3, 2).arraySync(),
        oracleInput(model, first, labels, 0.3).arraySync(),
      ];
    });
    image[0]!.forEach((v, i) => expect(v).toBeCloseTo(flat[0]![i]!, 6));
    twice[0]!.forEach((v, i) => expect(v).toBeCloseTo(once2[0]![i]!, 6));
    expect(() => withLinearModel((model) => oracleInput(model, tf.zeros([1, 2]), tf.tensor1d([0], 'int32'), 1, 0))).toThrow(RangeError);
  });

  it('has gradientInputRelevance as its relevance: x* = x − γ·R', () => {
    const inputs = [[1, -2], [0.5, 0.25]];
    const [relevanceRows, oracleRows] = withLinearModel((model) => {
      const [x, labels] = [tf.tensor2d(inputs), tf.tensor1d([1, 0], 'int32')];
      return [gradientInputRelevance(model, x, labels).arraySync(), oracleInput(model, x, labels, 2).arraySync()];
    });
    oracleRows.forEach((row, b) => row.forEach((v, i) => expect(v).toBeCloseTo(inputs[b]![i]! - 2 * relevanceRows[b]![i]!, 6)));
  });
});
