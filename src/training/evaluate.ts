/** Test-set evaluation: logits on the GPU in fixed-size batches, metrics in plain TypeScript. */
import * as tf from '@tensorflow/tfjs';
import { reliabilityBins } from '../core/calibration';
import { accuracy, negativeLogLikelihood, softmaxRows } from '../core/metrics';
import type { BatchSource } from '../data/batches';
import type { Network } from '../models/network';
import { TrainingDiverged } from './errors';

export interface Evaluation {
  readonly accuracy: number;
  readonly nll: number;
  /** Expected calibration error, 15 equal-width bins. */
  readonly ece: number;
  /** Row-major [N, C] logits, kept for panels (reliability diagrams, confusion matrices). */
  readonly logits: Float32Array;
  readonly labels: Uint8Array;
}

export const ECE_BINS = 15;

/** `label` names the model in the error raised if its outputs are no longer finite. */
export async function evaluate(net: Network, source: BatchSource, batchSize: number, label: string): Promise<Evaluation> {
  const { logits, labels } = await evaluateLogits(net, source, batchSize, label, 'the test-set outputs');
  const numClasses = net.numClasses;
  const probs = softmaxRows(logits, numClasses);
  return {
    accuracy: accuracy(probs, labels, numClasses),
    nll: negativeLogLikelihood(probs, labels, numClasses),
    ece: reliabilityBins(probs, labels, numClasses, ECE_BINS).ece,
    logits,
    labels,
  };
}

/** The model's logits on every image of `source` (eval mode), row-major [N, C], and the images' labels. */
export async function evaluateLogits(net: Network, source: BatchSource, batchSize: number, label: string, what = 'the held-out outputs'): Promise<{ logits: Float32Array; labels: Uint8Array }> {
  const numClasses = net.numClasses;
  const count = source.set.count;
  const logits = new Float32Array(count * numClasses);
  for (let start = 0; start < count; start += batchSize) {
    const batch = source.evalBatch(start, batchSize);
    const batchLogits = tf.tidy(() => net.apply(batch.x, { training: false }).logits);
    tf.dispose([batch.x, batch.labels]);
    const values = await batchLogits.data();
    batchLogits.dispose();
    logits.set(values.subarray(0, batch.valid * numClasses), start * numClasses);
  }
  // BatchNorm can keep the training loss finite while the running statistics overflow.
  if (!logits.every(Number.isFinite)) throw new TrainingDiverged(label, what);
  return { logits, labels: source.set.labels.subarray(0, count) };
}
