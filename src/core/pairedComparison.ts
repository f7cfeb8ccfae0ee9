/**
 * Two models scored on the same test images, compared with their uncertainty (pure): the accuracy
 * difference and the ECE difference, each with a 95% paired bootstrap interval. Both models are scored on the
 * very same resampled images, so the images they find equally easy or hard cancel out of the interval.
 */
import { includesZero, pairedBootstrap, percentileInterval, type Interval } from './intervals';
import { binIndex } from './calibration';
import { argmaxRow, softmaxRows } from './metrics';
import { keyedRng } from './random';

export const BOOTSTRAP_RESAMPLES = 1000;

/** A model's last-epoch test logits, row-major [N, C], and the labels they were scored against. */
export interface ScoredImages {
  readonly testLogits: Float32Array;
  readonly testLabels: Uint8Array;
}

export interface PairedComparison {
  /** Difference a − b (accuracy as a fraction, or ECE), with its interval. */
  readonly interval: Interval;
  readonly testImages: number;
  /** The interval leaves 0 inside: no clear difference at this size. */
  readonly unclear: boolean;
}

/** 1 where the model's top class is the label, else 0, image by image. */
export function correctness(result: ScoredImages): Uint8Array {
  const n = result.testLabels.length;
  const numClasses = n === 0 ? 0 : result.testLogits.length / n;
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) correct[i] = argmaxRow(result.testLogits, i, numClasses) === result.testLabels[i] ? 1 : 0;
  return correct;
}

/** Whether both were scored on the same images, in the same order, with the same number of classes. */
function sameImages(a: ScoredImages, b: ScoredImages): boolean {
  const n = a.testLabels.length;
  if (n === 0 || n !== b.testLabels.length || a.testLogits.length !== b.testLogits.length) return false;
  for (let i = 0; i < n; i++) if (a.testLabels[i] !== b.testLabels[i]) return false;
  return true;
}

/**
 * Accuracy of a minus accuracy of b with its paired bootstrap interval, or null when they were not scored on
 * the same test images. Seeded (the run's seed): the same run always shows the same interval.
 */
export function compareAccuracy(a: ScoredImages, b: ScoredImages, seed: number): PairedComparison | null {
  if (!sameImages(a, b)) return null;
  const interval = pairedBootstrap(correctness(a), correctness(b), { seed, purpose: 'vs-scratch', resamples: BOOTSTRAP_RESAMPLES });
  return { interval, testImages: a.testLabels.length, unclear: includesZero(interval) };
}

/** Per image: its top-1 confidence, whether the top class is right, and its equal-width bin. */
function binnedConfidence(result: ScoredImages, bins: number): { confidence: Float64Array; correct: Uint8Array; bin: Int32Array } {
  const n = result.testLabels.length;
  const numClasses = result.testLogits.length / n;
  const probs = softmaxRows(result.testLogits, numClasses);
  const confidence = new Float64Array(n);
  const bin = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const top = argmaxRow(probs, i, numClasses);
    confidence[i] = probs[i * numClasses + top]!;
    bin[i] = binIndex(confidence[i]!, bins);
  }
  return { confidence, correct: correctness(result), bin };
}

/** ECE of the images `draw` picks (indices, repeats allowed). */
function eceOfDraw(data: ReturnType<typeof binnedConfidence>, draw: Int32Array, bins: number): number {
  const gap = new Float64Array(bins);
  for (const i of draw) gap[data.bin[i]!]! += data.correct[i]! - data.confidence[i]!;
  let total = 0;
  for (const g of gap) total += Math.abs(g);
  return total / draw.length;
}

/**
 * ECE of a minus ECE of b (negative: a is better calibrated) with its paired bootstrap interval: each resample
 * draws N test images with replacement and bins both models' confidences on that same draw. Null when the
 * two were not scored on the same images.
 */
export function compareEce(a: ScoredImages, b: ScoredImages, seed: number, bins = 15, level = 0.95): PairedComparison | null {
  if (!sameImages(a, b)) return null;
  const n = a.testLabels.length;
  const [da, db] = [binnedConfidence(a, bins), binnedConfidence(b, bins)];
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const estimate = eceOfDraw(da, all, bins) - eceOfDraw(db, all, bins);
  const rng = keyedRng(seed, 'ece-difference');
  const differences = new Float64Array(BOOTSTRAP_RESAMPLES);
  const draw = new Int32Array(n);
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
    for (let i = 0; i < n; i++) draw[i] = rng.int(n);
    differences[r] = eceOfDraw(da, draw, bins) - eceOfDraw(db, draw, bins);
  }
  const interval = percentileInterval(estimate, differences, level);
  return { interval, testImages: n, unclear: includesZero(interval) };
}
