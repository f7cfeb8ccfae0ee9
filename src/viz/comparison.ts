/**
 * "Distilled vs scratch" with its uncertainty (pure): the two students' accuracy difference on the test
 * images, with a 95% paired bootstrap interval. Both students are scored on the very same resampled
 * images, so the images they find equally easy or hard cancel out of the interval.
 */
import { BOOTSTRAP_RESAMPLES, compareAccuracy, type PairedComparison } from '../core/pairedComparison';
import type { Interval } from '../core/intervals';
import type { ModelResult } from '../contract/protocol';

export { BOOTSTRAP_RESAMPLES, correctness } from '../core/pairedComparison';

export type ScratchComparison = PairedComparison;

/**
 * The comparison of a distilled student with its scratch twin, or null when they were not scored on the
 * same test images. Seeded by the run's seed: the same run always shows the same interval.
 */
export function compareWithScratch(student: ModelResult, scratch: ModelResult, seed: number): ScratchComparison | null {
  return compareAccuracy(student, scratch, seed);
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
