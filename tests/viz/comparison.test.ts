import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from '../../src/core/intervals';
import { comparisonSentence, compareWithScratch, correctness, pointsInterval, signedPoints } from '../../src/viz/comparison';
import type { ModelResult } from '../../src/contract/protocol';

/** A result whose top class is `predicted[i]` on image i (two classes). */
function resultOf(predicted: readonly number[], labels: readonly number[]): ModelResult {
  const testLogits = new Float32Array(predicted.flatMap((p) => (p === 0 ? [2, 0] : [0, 2])));
  return { testLogits, testLabels: Uint8Array.from(labels) } as unknown as ModelResult;
}

describe('distilled vs scratch', () => {
  const labels = Array.from({ length: 200 }, (_, i) => i % 2);

  it('scores each image 1 when the top class is the label', () => {
    expect([...correctness(resultOf([0, 1, 1, 0], [0, 1, 0, 1]))]).toEqual([1, 1, 0, 0]);
  });

  it('is the paired bootstrap of the two students on the same test images, seeded by the run', () => {
    const student = resultOf(labels.map((l, i) => (i < 150 ? l : 1 - l)), labels); // 75%
    const scratch = resultOf(labels.map((l, i) => (i < 140 ? l : 1 - l)), labels); // 70%
    const comparison = compareWithScratch(student, scratch, 9)!;
    expect(comparison.interval.estimate).toBeCloseTo(0.05, 12);
    expect(comparison.interval).toEqual(pairedBootstrap(correctness(student), correctness(scratch), { seed: 9, purpose: 'vs-scratch', resamples: 1000 }));
    expect(compareWithScratch(student, scratch, 9)).toEqual(comparison);
    expect(comparison.testImages).toBe(200);
    expect(comparison.unclear).toBe(false); // 10 images differ, all one way: the interval is [+2.5, +8]-ish
  });

  it('says "no clear difference at this size" when the interval includes 0', () => {
    const student = resultOf(labels.map((l, i) => (i % 10 === 0 ? 1 - l : l)), labels);
    const scratch = resultOf(labels.map((l, i) => (i % 10 === 5 ? 1 - l : l)), labels);
    const comparison = compareWithScratch(student, scratch, 1)!;
    expect(comparison.unclear).toBe(true);
    expect(comparisonSentence(comparison)).toMatch(/^Distilled vs scratch: 0\.0 points \(95% interval \u2212\d\.\d to \+\d\.\d points; paired bootstrap over the 200 test images, 1000 resamples\): no clear difference at this size\.$/);
  });

  it('refuses students scored on different images', () => {
    expect(compareWithScratch(resultOf([0, 1], [0, 1]), resultOf([0, 1, 0], [0, 1, 0]), 1)).toBeNull();
    expect(compareWithScratch(resultOf([0, 1], [0, 1]), resultOf([0, 1], [1, 1]), 1)).toBeNull();
  });

  it('formats signed points with a real minus sign', () => {
    expect(signedPoints(0.008)).toBe('+0.8');
    expect(signedPoints(-0.021)).toBe('\u22122.1');
    expect(signedPoints(-0.0001)).toBe('0.0');
    expect(pointsInterval({ lo: -0.021, hi: 0.037 })).toBe('[\u22122.1, +3.7]');
  });
});
