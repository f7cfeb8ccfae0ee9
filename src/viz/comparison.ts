/**
 * "Distilled vs scratch" with its uncertainty (pure): the two students' accuracy difference on the test
 * images, with a 95% paired bootstrap interval. Both students are scored on the very same resampled
 * images, so the images they find equally easy or hard cancel out of the interval.
 */
import { includesZero, pairedBootstrap, type Interval } from '../core/intervals';
import { argmaxRow } from '../core/metrics';
import type { ModelResult } from '../contract/protocol';

export const BOOTSTRAP_RESAMPLES = 1000;

export interface ScratchComparison {
  /** Accuracy difference, distilled − scratch, as a fraction, with its interval. */
  readonly interval: Interval;
  readonly testImages: number;
  /** The interval leaves 0 inside: no clear difference at this size. */
  readonly unclear: boolean;
}

/** 1 where the model's top class is the label, else 0, image by image. */
export function correctness(result: Pick<ModelResult, 'testLogits' | 'testLabels'>): Uint8Array {
  const n = result.testLabels.length;
  const numClasses = n === 0 ? 0 : result.testLogits.length / n;
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) correct[i] = argmaxRow(result.testLogits, i, numClasses) === result.testLabels[i] ? 1 : 0;
  return correct;
}

/**
 * The comparison of a distilled student with its scratch twin, or null when they were not scored on the
 * same test images. Seeded by the run's seed: the same run always shows the same interval.
 */
export function compareWithScratch(student: ModelResult, scratch: ModelResult, seed: number): ScratchComparison | null {
  const n = student.testLabels.length;
  if (n === 0 || n !== scratch.testLabels.length || student.testLogits.length !== scratch.testLogits.length) return null;
  for (let i = 0; i < n; i++) if (student.testLabels[i] !== scratch.testLabels[i]) return null;
  const interval = pairedBootstrap(correctness(student), correctness(scratch), { seed, purpose: 'vs-scratch', resamples: BOOTSTRAP_RESAMPLES });
  return { interval, testImages: n, unclear: includesZero(interval) };
}

/** Signed percentage points: "+0.8", "−2.1" (a real minus sign), "0.0". */
export function signedPoints(fraction: number, digits = 1): string {
  const points = fraction * 100;
  const text = Math.abs(points).toFixed(digits);
  if (Number(text) === 0) return (0).toFixed(digits);
  return `${points > 0 ? '+' : '\u2212'}${text}`;
}

/** "[−2.1, +3.7]" in points. */
export function pointsInterval(interval: Pick<Interval, 'lo' | 'hi'>): string {
  return `[${signedPoints(interval.lo)}, ${signedPoints(interval.hi)}]`;
}

/** The comparison in words, for the sentence under the results table. */
export function comparisonSentence(comparison: ScratchComparison): string {
  const { interval, testImages, unclear } = comparison;
  const range = `95% interval ${signedPoints(interval.lo)} to ${signedPoints(interval.hi)} points`;
  const how = `paired bootstrap over the ${testImages} test images, ${BOOTSTRAP_RESAMPLES} resamples`;
  const verdict = unclear ? 'no clear difference at this size' : interval.estimate > 0 ? 'the distilled student is ahead' : 'the scratch student is ahead';
  return `Distilled vs scratch: ${signedPoints(interval.estimate)} points (${range}; ${how}): ${verdict}.`;
}
