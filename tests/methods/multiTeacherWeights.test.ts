import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { keyedRng } from '../../src/core/random';
import { kdLoss } from '../../src/methods/losses';
import {
  AEKD_MAX_TEACHERS,
  aekdCap,
  aekdGram,
  aekdWeights,
  camkdLogitWeights,
  ebkdWeights,
  solveCappedSimplexQp,
} from '../../src/methods/multiTeacherWeights';
import { failOnTensorLeaks } from '../helpers/leaks';

const softmax = (row: readonly number[]) => {
  const e = row.map((z) => Math.exp(z - Math.max(...row)));
  const sum = e.reduce((a, b) => a + b);
  return e.map((x) => x / sum);
};
const entropy = (row: readonly number[]) => -softmax(row).reduce((sum, p) => sum + p * Math.log(p), 0);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const quadratic = (g: readonly (readonly number[])[], x: readonly number[]) =>
  sum(x.map((xi, i) => xi * sum(x.map((xj, j) => g[i]![j]! * xj))));

/** Seeded normal(0, scale²) values, `rows` × `cols`, as nested rows. */
const randomRows = (rows: number, cols: number, key: number, scale = 3) => {
  const rng = keyedRng(key, 'multi-teacher-test');
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * rng.normal()));
};

failOnTensorLeaks();

describe('ebkdWeights', () => {
  it('is 1 − H / Σ_j H per sample, computed by hand', () => {
    const logits = [
      [[0, 0, 0], [2, 0, 0]],
      [[1, 0, 0], [0, 3, -1]],
    ];
    const teachers = tf.tensor3d(logits);
    const weights = ebkdWeights(teachers);
    const got = weights.arraySync();
    for (let b = 0; b < 2; b++) {
      const h = logits.map((teacher) => entropy(teacher[b]!));
      h.forEach((hm, m) => expect(got[m]![b]).toBeCloseTo(1 - hm / sum(h), 6));
      expect(got[0]![b]! + got[1]![b]!).toBeCloseTo(1, 6); // M − 1
    }
    tf.dispose([teachers, weights]);
  });

  it('gives equally uncertain teachers equal weights (M − 1) / M', () => {
    const teachers = tf.zeros([3, 2, 4]) as tf.Tensor3D;
    const weights = ebkdWeights(teachers);
    weights.arraySync().flat().forEach((w) => expect(w).toBeCloseTo(2 / 3, 6));
    tf.dispose([teachers, weights]);
  });

  it('gives certain teachers (every H = 0) weight 1 instead of 0 / 0', () => {
    const teachers = tf.tensor3d([[[200, 0]], [[0, 300]]]);
    const weights = ebkdWeights(teachers);
    expect(weights.arraySync()).toEqual([[1], [1]]);
    tf.dispose([teachers, weights]);
  });

  it('needs at least two teachers', () => {
    const one = tf.zeros([1, 2, 3]) as tf.Tensor3D;
    expect(() => ebkdWeights(one)).toThrow(RangeError);
    one.dispose();
  });
});

describe('camkdLogitWeights', () => {
  it('is (1 − softmax over teachers of CE) / (M − 1), computed by hand', () => {
    const logits = [[[2, 0, 0]], [[0, 1, 0]], [[0, 0, 3]]];
    const teachers = tf.tensor3d(logits);
    const labels = tf.tensor1d([0], 'int32');
    const weights = camkdLogitWeights(teachers, labels);
    const ce = logits.map((teacher) => -Math.log(softmax(teacher[0]!)[0]!));
    const shares = softmax(ce);
    const got = weights.arraySync();
    shares.forEach((share, m) => expect(got[m]![0]).toBeCloseTo((1 - share) / 2, 6));
    // The teacher that is right (smallest CE) gets the most weight; the weights sum to 1.
    expect(got[0]![0]).toBeGreaterThan(got[1]![0]!);
    expect(got[1]![0]).toBeGreaterThan(got[2]![0]!);
    expect(sum(got.map((row) => row[0]!))).toBeCloseTo(1, 6);
    tf.dispose([teachers, labels, weights]);
  });

  it('gives teachers with equal CE equal weights 1 / M', () => {
    const teachers = tf.tensor3d([[[1, 2]], [[1, 2]], [[1, 2]], [[1, 2]]]);
    const labels = tf.tensor1d([1], 'int32');
    const weights = camkdLogitWeights(teachers, labels);
    weights.arraySync().forEach(([w]) => expect(w).toBeCloseTo(0.25, 6));
    tf.dispose([teachers, labels, weights]);
  });
});

describe('solveCappedSimplexQp', () => {
  it('weights independent gradients inversely to their squared norms, up to the cap', () => {
    const g = [[1, 0], [0, 4]];
    solveCappedSimplexQp(g, 1).forEach((l, i) => expect(l).toBeCloseTo([0.8, 0.2][i]!, 12));
    solveCappedSimplexQp(g, 0.6).forEach((l, i) => expect(l).toBeCloseTo([0.6, 0.4][i]!, 12));
    expect(solveCappedSimplexQp([[1, 0, 0], [0, 1, 0], [0, 0, 1]], 1)).toEqual([1 / 3, 1 / 3, 1 / 3].map((x) => expect.closeTo(x, 12)));
  });

  it('returns the only feasible point when cap = 1/M, and [1] for one teacher', () => {
    expect(solveCappedSimplexQp([[1, 0, 0], [0, 5, 0], [0, 0, 9]], 1 / 3)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(solveCappedSimplexQp([[2]], 1)).toEqual([1]);
  });

  it('finds a minimiser of a singular G (two teachers with the same gradient)', () => {
    const g = [[1, 1, 0], [1, 1, 0], [0, 0, 1]]; // objective (λ1 + λ2)² + λ3²
    const lambda = solveCappedSimplexQp(g, 1);
    expect(lambda[0]! + lambda[1]!).toBeCloseTo(0.5, 12);
    expect(lambda[2]).toBeCloseTo(0.5, 12);
    expect(solveCappedSimplexQp([[0, 0], [0, 0]], 1)).toEqual([0.5, 0.5]);
  });

  it('is at least as good as every point of a fine grid on random Gram matrices', () => {
    for (let trial = 0; trial < 5; trial++) {
      const v = randomRows(3, 2 + trial, trial, 1); // C = 2 gives a rank-deficient G
      const g = v.map((a) => v.map((b) => sum(a.map((x, c) => x * b[c]!))));
      const cap = [0.4, 0.6, 1][trial % 3]!;
      const lambda = solveCappedSimplexQp(g, cap);
      expect(sum(lambda)).toBeCloseTo(1, 12);
      lambda.forEach((l) => expect(l >= 0 && l <= cap).toBe(true));
      const best = quadratic(g, lambda);
      for (let i = 0; i <= 100; i++) {
        for (let j = 0; i + j <= 100; j++) {
          const point = [i / 100, j / 100, (100 - i - j) / 100];
          if (point.every((p) => p <= cap)) expect(best).toBeLessThanOrEqual(quadratic(g, point) + 1e-12);
        }
      }
    }
  });

  it('rejects an infeasible cap and a non-finite G', () => {
    expect(() => solveCappedSimplexQp([[1, 0], [0, 1]], 0.4)).toThrow(RangeError);
    expect(() => solveCappedSimplexQp([[NaN, 0], [0, 1]], 1)).toThrow(RangeError);
  });
});

describe('AEKD', () => {
  it('clamps C_tol to [1/M, 1], as the clamp of ν does', () => {
    expect(aekdCap(0.6, 3)).toBe(0.6);
    expect(aekdCap(0.2, 3)).toBe(1 / 3);
    expect(aekdCap(5, 3)).toBe(1);
    expect(() => aekdCap(0, 3)).toThrow(RangeError);
  });

  it('builds the Gram matrix from the closed-form gradient of kdLoss', () => {
    const T = 4;
    const student = tf.tensor2d(randomRows(5, 6, 10));
    const teacherRows = [randomRows(5, 6, 11), randomRows(5, 6, 12), randomRows(5, 6, 13)];
    const teachers = tf.tensor3d(teacherRows);
    const gram = aekdGram(student, teachers, T);
    const v = teacherRows.map((rows) =>
      tf.tidy(() => {
        const teacher = tf.tensor2d(rows);
        return tf.mean(tf.grad((s) => kdLoss(s as tf.Tensor2D, teacher, T))(student), 0).arraySync() as number[];
      }),
    );
    const got = gram.arraySync();
    v.forEach((a, i) => v.forEach((b, j) => expect(got[i]![j]).toBeCloseTo(sum(a.map((x, c) => x * b[c]!)), 7)));
    tf.dispose([student, teachers, gram]);
  });

  it('solves the QP on the Gram matrix and optionally rescales by 1 / ‖v_m‖', async () => {
    const student = tf.tensor2d(randomRows(8, 10, 20));
    const teachers = tf.tensor3d([randomRows(8, 10, 21), randomRows(8, 10, 22), randomRows(8, 10, 23)]);
    const gramTensor = aekdGram(student, teachers, 4);
    const gram = gramTensor.arraySync();
    const lambda = await aekdWeights(student, teachers, 4, 0.6);
    expect(lambda).toEqual(solveCappedSimplexQp(gram, 0.6));

    const normalized = await aekdWeights(student, teachers, 4, 0.6, { normalize: true });
    const scaled = lambda.map((l, m) => l / Math.sqrt(gram[m]![m]!));
    normalized.forEach((l, m) => expect(l).toBeCloseTo(scaled[m]! / sum(scaled), 5));
    tf.dispose([student, teachers, gramTensor]);
  });

  it(`accepts at most ${AEKD_MAX_TEACHERS} teachers`, async () => {
    const student = tf.zeros([2, 3]) as tf.Tensor2D;
    const teachers = tf.zeros([AEKD_MAX_TEACHERS + 1, 2, 3]) as tf.Tensor3D;
    await expect(aekdWeights(student, teachers, 4, 0.6)).rejects.toThrow(RangeError);
    tf.dispose([student, teachers]);
  });
});
