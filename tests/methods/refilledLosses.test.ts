import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { crossEntropy } from '../../src/methods/losses';
import {
  pairwiseDistances,
  refilledLocalKd,
  refilledStage2Loss,
  refilledTripletLoss,
  semihardTripletMask,
} from '../../src/methods/refilledLosses';
import { failOnTensorLeaks } from '../helpers/leaks';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const binaryKl = (p: number, q: number) => p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
const logSoftmax = (row: readonly number[]) => {
  const lse = Math.log(row.reduce((acc, z) => acc + Math.exp(z), 0));
  return row.map((z) => z - lse);
};
const unit = (degrees: number, length = 1) => [length * Math.cos((degrees * Math.PI) / 180), length * Math.sin((degrees * Math.PI) / 180)];

failOnTensorLeaks();

describe('REFILLED stage 1: semihard triplets', () => {
  // Student directions 0°, 60°, −70° (lengths vary: the loss normalises), labels [0, 0, 1]. On the unit
  // circle d = 2 sin(angle / 2): anchor 0 has d_ap = 1, d_an = 2 sin 35° ≈ 1.147 (gap 0.147, semihard);
  // anchor 1 has d_ap = 1, d_an = 2 sin 65° ≈ 1.813 (gap 0.81, too easy). One triplet: (0, 1, 2).
  const studentRows = [unit(0, 2), unit(60, 3), unit(-70)];
  const teacherRows = [[1, 0], [0, 1], [-1, 0]];
  const labelValues = [0, 0, 1];

  it('mines exactly the semihard triplet (a, p, n) = (0, 1, 2)', () => {
    const mask = tf.tidy(() => {
      const normalized = tf.tensor2d([unit(0), unit(60), unit(-70)]);
      return semihardTripletMask(pairwiseDistances(normalized), tf.tensor1d(labelValues, 'int32'), 0.2);
    });
    const got = mask.arraySync();
    got.forEach((plane, a) => plane.forEach((row, p) => row.forEach((m, n) => expect(m).toBe(a === 0 && p === 1 && n === 2 ? 1 : 0))));
    mask.dispose();
  });

  it('is 500 · BinKL(P_t ‖ P_s) with P = σ((d_an − d_ap) / τ1), computed by hand', () => {
    const { loss, triplets } = tf.tidy(() =>
      refilledTripletLoss(tf.tensor2d(studentRows), tf.tensor2d(teacherRows), tf.tensor1d(labelValues, 'int32'), 4, 0.2),
    );
    const studentGap = 2 * Math.sin((35 * Math.PI) / 180) - 1;
    const teacherGap = 2 - Math.SQRT2;
    expect(triplets.dtype).toBe('int32');
    expect(triplets.arraySync()).toBe(1);
    expect(loss.arraySync()).toBeCloseTo(500 * binaryKl(sigmoid(teacherGap / 4), sigmoid(studentGap / 4)), 4);
    tf.dispose([loss, triplets]);
  });

  it('is 0 when the student already matches the teacher', () => {
    const { loss, triplets } = tf.tidy(() =>
      refilledTripletLoss(tf.tensor2d(studentRows), tf.tensor2d(studentRows), tf.tensor1d(labelValues, 'int32')),
    );
    expect(triplets.arraySync()).toBe(1);
    expect(loss.arraySync()).toBeCloseTo(0, 6);
    tf.dispose([loss, triplets]);
  });

  it('is 0, with a zero gradient, when no triplet is mined', () => {
    const student = tf.tensor2d(studentRows);
    const teacher = tf.tensor2d(teacherRows);
    const sameLabel = tf.tensor1d([3, 3, 3], 'int32');
    const { loss, triplets } = refilledTripletLoss(student, teacher, sameLabel);
    expect(triplets.arraySync()).toBe(0);
    expect(loss.arraySync()).toBe(0);
    const gradient = tf.grad((s) => refilledTripletLoss(s as tf.Tensor2D, teacher, sameLabel).loss)(student);
    expect((gradient.arraySync() as number[][]).flat().every((g) => g === 0)).toBe(true);
    tf.dispose([student, teacher, sameLabel, loss, triplets, gradient]);
  });

  it('passes a finite gradient to the student when an anchor and its positive coincide', () => {
    // Mined: (0, 1, 2) and (1, 0, 2), both with d_ap = 0, where √ has an infinite slope.
    const student = tf.tensor2d([unit(0), unit(0), unit(10), unit(-15)]);
    const teacher = tf.tensor2d([[1, 0], [0, 1], [-1, 0], [0, -1]]);
    const labels = tf.tensor1d([0, 0, 1, 1], 'int32');
    const gradient = tf.grad((s) => refilledTripletLoss(s as tf.Tensor2D, teacher, labels).loss)(student);
    const values = (gradient.arraySync() as number[][]).flat();
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.some((g) => g !== 0)).toBe(true);
    tf.dispose([student, teacher, labels, gradient]);
  });
});

describe('REFILLED stage 2: local classifier distillation', () => {
  // Two samples of classes 0 and 1; class 2 is absent from the batch, so the KD term ignores its column.
  const studentRows = [[2, -1, 5], [0.5, 1.5, -3]];
  const embeddingRows = [[1, 2], [-1, 0.5]];
  const centerRows = [[3, 0], [0, -2], [5, 5]]; // raw sums: normalised to (1, 0), (0, −1), (0.71, 0.71)
  const labelValues = [0, 1];
  const tau2 = 2;

  /** Batch-mean KL over the present classes {0, 1}, by hand. */
  function localKdByHand(students: readonly number[][]): number {
    const total = students.reduce((acc, s, i) => {
      const [e0, e1] = embeddingRows[i]!;
      const teacher = [e0! / tau2, -e1! / tau2]; // ⟨e, (1, 0)⟩ and ⟨e, (0, −1)⟩
      const logPt = logSoftmax(teacher);
      const logPs = logSoftmax([s[0]! / tau2, s[1]! / tau2]);
      return acc + logPt.reduce((kl, lp, k) => kl + Math.exp(lp) * (lp - logPs[k]!), 0);
    }, 0);
    return total / students.length;
  }

  /** The value of a scalar loss on the fixed batch (or on other student logits). */
  function run(
    fn: (s: tf.Tensor2D, e: tf.Tensor2D, c: tf.Tensor2D, y: tf.Tensor1D) => tf.Scalar,
    students: number[][] = studentRows,
  ): number {
    const loss = tf.tidy(() =>
      fn(tf.tensor2d(students), tf.tensor2d(embeddingRows), tf.tensor2d(centerRows), tf.tensor1d(labelValues, 'int32')),
    );
    const value = loss.arraySync();
    loss.dispose();
    return value;
  }

  it('matches KL(softmax(t/τ2) ‖ softmax(s_K/τ2)) over the present classes, without τ²', () => {
    expect(run((s, e, c, y) => refilledLocalKd(s, e, c, y, tau2))).toBeCloseTo(localKdByHand(studentRows), 5);
  });

  it('adds λ · that term to the cross-entropy over all classes', () => {
    const ce = run((s, _e, _c, y) => crossEntropy(s, y));
    const total = run((s, e, c, y) => refilledStage2Loss(s, e, c, y, tau2, 100));
    expect(total).toBeCloseTo(ce + 100 * localKdByHand(studentRows), 3);
    expect(run((s, e, c, y) => refilledStage2Loss(s, e, c, y, tau2, 0))).toBeCloseTo(ce, 6);
  });

  it('ignores the student logits of absent classes, with a zero gradient there', () => {
    const shifted = studentRows.map(([a, b]) => [a!, b!, -40]);
    expect(run((s, e, c, y) => refilledLocalKd(s, e, c, y, tau2), shifted)).toBeCloseTo(localKdByHand(studentRows), 5);
    const gradient = tf.tidy(() => {
      const [e, c, y] = [tf.tensor2d(embeddingRows), tf.tensor2d(centerRows), tf.tensor1d(labelValues, 'int32')];
      return tf.grad((s) => refilledLocalKd(s as tf.Tensor2D, e, c, y, tau2))(tf.tensor2d(studentRows));
    });
    const rows = gradient.arraySync() as number[][];
    rows.forEach((row) => {
      expect(row[2]).toBe(0);
      expect(row.every(Number.isFinite)).toBe(true);
    });
    gradient.dispose();
  });

  it('needs one centre per class', () => {
    const [s, e, c, y] = [tf.tensor2d(studentRows), tf.tensor2d(embeddingRows), tf.tensor2d([[1, 0]]), tf.tensor1d(labelValues, 'int32')];
    expect(() => refilledLocalKd(s, e, c, y)).toThrow(RangeError);
    tf.dispose([s, e, c, y]);
  });
});
