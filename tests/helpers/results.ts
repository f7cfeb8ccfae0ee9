/** Hand-made ModelResults for the result panels' tests: only the test logits and labels matter there. */
import type { LearnerRole, ModelResult } from '../../src/contract/protocol';

function modelResult(key: string, role: LearnerRole, testLogits: Float32Array, labels: number[]): ModelResult {
  return {
    learner: { key, role, label: `${key} net`, model: 'tiny-cnn' as ModelResult['learner']['model'], method: 'scratch' as ModelResult['learner']['method'], parameters: 1 },
    epochs: 1,
    lastAccuracy: 0,
    bestAccuracy: 0,
    bestEpoch: 1,
    ece: 0,
    nll: 0,
    seconds: 0,
    reused: false,
    testLogits,
    testLabels: Uint8Array.from(labels),
  };
}

/** A result whose test logits are `rows` (one row of class logits per image), against `labels`. */
export function resultFromLogits(key: string, role: LearnerRole, rows: number[][], labels: number[]): ModelResult {
  return modelResult(key, role, Float32Array.from(rows.flat()), labels);
}

/** A result with one-hot-ish logits (3 at the prediction, 0 elsewhere) predicting `predictions`, against `labels`. */
export function resultFromPredictions(key: string, role: LearnerRole, predictions: number[], labels: number[], numClasses = 3): ModelResult {
  const logits = new Float32Array(predictions.length * numClasses);
  predictions.forEach((p, i) => (logits[i * numClasses + p] = 3));
  return modelResult(key, role, logits, labels);
}
