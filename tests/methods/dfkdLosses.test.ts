import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  DFKD_GENERATOR_WEIGHTS,
  bnStatisticsLoss,
  dfkdAdversarialLoss,
  dfkdGeneratorLoss,
  dfkdStudentLoss,
  euclideanNorm,
  pseudoLabelLosses,
  totalVariationLoss,
} from '../../src/methods/dfkdLosses';
import type { BatchStatistics } from '../../src/models/layers';
import { resnet } from '../../src/models/resnet';
import { failOnTensorLeaks } from '../helpers/leaks';

const softmax = (row: readonly number[], T: number) => {
  const e = row.map((z) => Math.exp((z - Math.max(...row)) / T));
  const sum = e.reduce((a, b) => a + b);
  return e.map((x) => x / sum);
};
const clamp = (p: number) => Math.min(0.99, Math.max(0.01, p));

/** 1 − clamp(½·mean M log(M/P) + ½·mean M log(M/Q), 0, 1), elementwise over B×C, written out. */
function adversarialByHand(student: number[][], teacher: number[][], T: number): number {
  let klP = 0;
  let klQ = 0;
  let count = 0;
  student.forEach((row, b) => {
    const p = softmax(row, T);
    const q = softmax(teacher[b]!, T);
    p.forEach((pc, c) => {
      const m = clamp((pc + q[c]!) / 2);
      klP += m * Math.log(m / clamp(pc));
      klQ += m * Math.log(m / clamp(q[c]!));
      count++;
    });
  });
  const js = 0.5 * (klP / count) + 0.5 * (klQ / count);
  return 1 - Math.min(1, Math.max(0, js));
}

failOnTensorLeaks();

const lossOf = (student: number[][], teacher: number[][], T?: number) => {
  const loss = tf.tidy(() => dfkdAdversarialLoss(tf.tensor2d(student), tf.tensor2d(teacher), T));
  const value = loss.arraySync();
  loss.dispose();
  return value;
};

describe('dfkdAdversarialLoss', () => {
  it('is exactly 1 when student and teacher agree (JS = 0)', () => {
    expect(lossOf([[1, 2, 3], [0, -1, 4]], [[1, 2, 3], [0, -1, 4]])).toBe(1);
  });

  it('matches the clamped elementwise-mean JS computed by hand', () => {
    const student = [[1, -2, 0.5, 3], [0, 0, 2, -1]];
    const teacher = [[-1, 4, 0, 0.5], [2, -3, 1, 1]];
    expect(lossOf(student, teacher, 3)).toBeCloseTo(adversarialByHand(student, teacher, 3), 6);
    expect(lossOf(student, teacher, 1)).toBeCloseTo(adversarialByHand(student, teacher, 1), 6);
  });

  it('clamps saturated probabilities, so opposite certainties give a finite JS', () => {
    // P ≈ (1, 0) and Q ≈ (0, 1) clamp to (0.99, 0.01) and (0.01, 0.99); M = (0.5, 0.5) before clamping.
    const klEach = (0.5 * Math.log(0.5 / 0.99) + 0.5 * Math.log(0.5 / 0.01)) / 2;
    expect(lossOf([[300, 0]], [[0, 300]])).toBeCloseTo(1 - klEach, 6);
  });

  it('has a finite gradient whose descent step increases the disagreement', () => {
    const teacher = tf.tensor2d([[2, 0, -1], [0, 1, 0]]);
    const student = tf.tensor2d([[1.5, 0.2, -1], [0.1, 0.8, 0.3]]);
    const loss = (s: tf.Tensor) => dfkdAdversarialLoss(s as tf.Tensor2D, teacher);
    const gradient = tf.grad(loss)(student);
    expect((gradient.arraySync() as number[][]).flat().every(Number.isFinite)).toBe(true);
    const [before, after] = tf.tidy(() => [loss(student).arraySync(), loss(tf.sub(student, tf.mul(gradient, 10))).arraySync()]);
    expect(after).toBeLessThan(before);
    tf.dispose([teacher, student, gradient]);
  });
});

const scalarOf = (make: () => tf.Scalar) => {
  const value = tf.tidy(make);
  const result = value.arraySync();
  value.dispose();
  return result;
};

const norm = (xs: readonly number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0));

/** DeepInversion's l2 image prior on NCHW data, with the reference's slices written out as index loops. */
function totalVariationNchw(data: readonly number[], [n, c, h, w]: readonly [number, number, number, number]): number {
  const at = (b: number, ch: number, y: number, x: number) => data[((b * c + ch) * h + y) * w + x]!;
  const diffs: [number[], number[], number[], number[]] = [[], [], [], []];
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (x < w - 1) diffs[0].push(at(b, ch, y, x) - at(b, ch, y, x + 1)); // x[:,:,:,:-1] - x[:,:,:,1:]
          if (y < h - 1) diffs[1].push(at(b, ch, y, x) - at(b, ch, y + 1, x)); // x[:,:,:-1,:] - x[:,:,1:,:]
          if (y > 0 && x < w - 1) diffs[2].push(at(b, ch, y, x) - at(b, ch, y - 1, x + 1)); // x[:,:,1:,:-1] - x[:,:,:-1,1:]
          if (y < h - 1 && x < w - 1) diffs[3].push(at(b, ch, y, x) - at(b, ch, y + 1, x + 1)); // x[:,:,:-1,:-1] - x[:,:,1:,1:]
        }
      }
    }
  }
  return diffs.reduce((sum, d) => sum + norm(d), 0);
}

describe('totalVariationLoss', () => {
  it('sums the unsquared norms of the four neighbour differences of a 2x2 image', () => {
    // [[1, 2], [4, 8]]: horizontal (1−2, 4−8), vertical (1−4, 2−8), anti-diagonal 4−2, diagonal 1−8.
    const tv = scalarOf(() => totalVariationLoss(tf.tensor4d([1, 2, 4, 8], [1, 2, 2, 1])));
    expect(tv).toBeCloseTo(Math.sqrt(17) + Math.sqrt(45) + 2 + 7, 5);
  });

  it('matches the NCHW reference on a batch of non-square multi-channel images', () => {
    const shape = [2, 3, 3, 4] as const; // N, C, H, W
    const nchw = Array.from({ length: 2 * 3 * 3 * 4 }, (_, i) => Math.cos(i * 0.91) + (i % 5) * 0.1);
    const tv = scalarOf(() => totalVariationLoss(tf.transpose(tf.tensor4d(nchw, [...shape]), [0, 2, 3, 1])));
    expect(tv).toBeCloseTo(totalVariationNchw(nchw, shape), 4);
  });

  it('has a finite gradient, zero (not NaN) on a flat image', () => {
    const gradientOf = (x: tf.Tensor4D) => tf.tidy(() => Array.from(tf.grad((y: tf.Tensor) => totalVariationLoss(y as tf.Tensor4D))(x).dataSync()));
    const flat = tf.fill([1, 3, 3, 2], 0.5) as tf.Tensor4D;
    expect(gradientOf(flat).every((g) => g === 0)).toBe(true);
    const image = tf.tensor4d([1, 2, 4, 8], [1, 2, 2, 1]);
    // d/d(x₀₀) = (1−2)/√17 + (1−4)/√45 + (1−8)/7.
    const gradient = gradientOf(image);
    expect(gradient.every(Number.isFinite)).toBe(true);
    expect(gradient[0]).toBeCloseTo(-1 / Math.sqrt(17) - 3 / Math.sqrt(45) - 1, 5);
    tf.dispose([flat, image]);
  });
});

describe('bnStatisticsLoss', () => {
  const layer = (mean: number[], variance: number[], runningMean: number[], runningVariance: number[]): BatchStatistics => ({
    layer: 'bn',
    mean: tf.tensor1d(mean),
    variance: tf.tensor1d(variance),
    runningMean: tf.tensor1d(runningMean),
    runningVariance: tf.tensor1d(runningVariance),
  });

  it('sums ‖σ² − σ²_run‖₂ + ‖μ − μ_run‖₂ over the layers', () => {
    const value = scalarOf(() =>
      bnStatisticsLoss([layer([0.1, -0.2], [1.5, 0.7], [0, 0.3], [1, 1]), layer([2, 0, 1], [0.2, 0.4, 3], [1.5, 0.5, 1], [0.25, 0.5, 2])]),
    );
    const expected = norm([0.5, -0.3]) + norm([0.1, -0.5]) + norm([-0.05, -0.1, 1]) + norm([0.5, -0.5, 0]);
    expect(value).toBeCloseTo(expected, 5);
    expect(scalarOf(() => bnStatisticsLoss([]))).toBe(0);
  });

  it('differentiates through an observed eval-mode forward pass to its input, finitely', () => {
    const teacher = resnet('resnet8', { numClasses: 10, name: 'bns-teacher', seed: 4 });
    const x = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 5);
    const gradient = tf.grad((input: tf.Tensor) => {
      const { statistics } = teacher.params.observeBatchStatistics(() => teacher.apply(input as tf.Tensor4D, { training: false }));
      expect(statistics).toHaveLength(9);
      return bnStatisticsLoss(statistics);
    })(x);
    const g = Array.from(gradient.dataSync());
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.some((v) => v !== 0)).toBe(true);
    tf.dispose([x, gradient]);
    teacher.dispose();
  });

  it('has a zero (not NaN) gradient where batch and running statistics already agree', () => {
    const [mean, running] = [tf.tensor1d([0.5, 1]), tf.tensor1d([0.5, 1])];
    const gradient = tf.grad((m: tf.Tensor) => bnStatisticsLoss([{ layer: 'bn', mean: m as tf.Tensor1D, variance: running, runningMean: running, runningVariance: running }]))(mean);
    expect(Array.from(gradient.dataSync())).toEqual([0, 0]);
    tf.dispose([mean, running, gradient]);
  });
});

describe('dfkdStudentLoss', () => {
  it('is the mean absolute logit difference over B×C', () => {
    const value = scalarOf(() => dfkdStudentLoss(tf.tensor2d([[1, -2, 3], [0, 0.5, 1]]), tf.tensor2d([[0, 1, 3], [2, 0.5, -1]])));
    expect(value).toBeCloseTo((1 + 3 + 0 + 2 + 0 + 2) / 6, 6);
  });
});

describe('dfkdGeneratorLoss', () => {
  it('weights the terms as the reference: L_adv + 10·L_BNS + 1.5e-5·L_TV + 6e-3·‖x̃‖₂', () => {
    expect(DFKD_GENERATOR_WEIGHTS).toEqual({ adversarial: 1, bns: 10, tv: 1.5e-5, l2: 6e-3 });
    const value = scalarOf(() =>
      dfkdGeneratorLoss({ adversarial: tf.scalar(0.9), bns: tf.scalar(0.2), tv: tf.scalar(100), images: tf.fill([1, 2, 2, 4], 0.5) as tf.Tensor4D }),
    );
    // ‖x̃‖₂ = √(16 · 0.25) = 2.
    expect(value).toBeCloseTo(0.9 + 10 * 0.2 + 1.5e-5 * 100 + 6e-3 * 2, 6);
    expect(scalarOf(() => euclideanNorm(tf.tensor2d([[3, 0], [0, 4]])))).toBeCloseTo(5, 6);
  });
});

describe('pseudoLabelLosses', () => {
  it('labels by argmax and scores −log max softmax, stably for extreme logits', () => {
    const logits = [[1, 3, 2], [0, 0, 0], [1000, 0, -1000]];
    const out = tf.tidy(() => {
      const { labels, losses } = pseudoLabelLosses(tf.tensor2d(logits));
      return [Array.from(labels.dataSync()), Array.from(losses.dataSync()), labels.dtype] as const;
    });
    expect(out[0]).toEqual([1, 0, 0]); // a tie picks the first class, as torch.max does on CPU
    expect(out[2]).toBe('int32');
    const expected = [Math.log(Math.exp(1) + Math.exp(3) + Math.exp(2)) - 3, Math.log(3), 0];
    out[1].forEach((loss, i) => expect(loss).toBeCloseTo(expected[i]!, 5));
  });
});
