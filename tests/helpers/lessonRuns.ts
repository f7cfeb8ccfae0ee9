/** Made-up finished runs for the lesson judges: results with chosen logits, and CA-MKD's epoch diagnostics. */
import type { EpochMetrics, LearnerRole, ModelResult } from '../../src/contract/protocol';
import type { RunEvidence } from '../../src/lessons/judges';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/** A result whose logits are `rows` (one array per image), with labels; held-out logits optional. */
export function resultOf(role: LearnerRole, key: string, rows: readonly number[][], labels: readonly number[], heldOut?: { rows: readonly number[][]; labels: readonly number[] }): ModelResult {
  const testLogits = Float32Array.from(rows.flat());
  const correct = rows.filter((row, i) => row.indexOf(Math.max(...row)) === labels[i]).length;
  return {
    learner: { key, role, label: key, model: 'resnet8', method: role === 'student' ? 'kd' : 'scratch', parameters: 1 },
    epochs: 1,
    lastAccuracy: correct / labels.length,
    bestAccuracy: correct / labels.length,
    bestEpoch: 1,
    ece: 0,
    nll: 0,
    seconds: 1,
    reused: false,
    testLogits,
    testLabels: Uint8Array.from(labels),
    ...(heldOut ? { heldOutLogits: Float32Array.from(heldOut.rows.flat()), heldOutLabels: Uint8Array.from(heldOut.labels) } : {}),
  };
}

/** A logit row of `classes` zeros with `values` at the given classes. */
export function row(values: Readonly<Record<number, number>>, classes = 10): number[] {
  return Array.from({ length: classes }, (_, c) => values[c] ?? 0);
}

/** `n` images of class `label`, each scored `correct` (top logit on the label, at `margin`) or wrong (on the next class). */
export function scored(n: number, correctCount: number, margin = 3, offset = 0): { rows: number[][]; labels: number[] } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = (i + offset) % 10;
    labels.push(label);
    rows.push(row({ [i < correctCount ? label : (label + 1) % 10]: margin }));
  }
  return { rows, labels };
}

export function evidenceOf(results: ModelResult[], changes: Partial<RunEvidence> = {}): RunEvidence {
  return { method: 'kd', seed: 1, results, epochs: [], classNames: [...CIFAR10_CLASSES], silhouettes: null, ...changes };
}

/** The student's last epoch with CA-MKD's mean logit weights. */
export function camkdEpoch(weights: readonly number[]): EpochMetrics {
  return {
    learner: 'student', epoch: 3, lr: 0.01, trainLoss: 1, terms: {}, trainAccuracy: 0.5, testAccuracy: 0.5, testNll: 1, ece: 0.1, seconds: 1,
    diagnostics: Object.fromEntries(weights.map((w, m) => [`logit weight teacher${m + 1}`, w])),
  };
}
