import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { dfkdAdversarialLoss } from '../../src/methods/dfkdLosses';
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
