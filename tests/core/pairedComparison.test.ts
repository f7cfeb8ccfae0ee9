import { describe, expect, it } from 'vitest';
import { reliabilityBins } from '../../src/core/calibration';
import { softmaxRows } from '../../src/core/metrics';
import { compareAccuracy, compareEce } from '../../src/core/pairedComparison';
import { keyedRng } from '../../src/core/random';

function randomModel(seed: number, n: number, scale: number) {
  const rng = keyedRng(seed, 'logits');
  const testLogits = Float32Array.from({ length: n * 10 }, () => (rng.next() - 0.5) * scale);
  const labels = new Uint8Array(n);
  const labelRng = keyedRng(99, 'labels');
  for (let i = 0; i < n; i++) labels[i] = labelRng.int(10);
  return { testLogits, testLabels: labels };
}

describe('paired comparisons', () => {
  it('the ECE difference’s estimate is the two models’ ECEs (core/calibration) subtracted', () => {
    const [a, b] = [randomModel(1, 400, 6), randomModel(2, 400, 1)];
    const ece = (m: typeof a) => reliabilityBins(softmaxRows(m.testLogits, 10), m.testLabels, 10, 15).ece;
    const comparison = compareEce(a, b, 7)!;
    expect(comparison.interval.estimate).toBeCloseTo(ece(a) - ece(b), 10);
    expect(comparison.interval.lo).toBeLessThanOrEqual(comparison.interval.estimate);
    expect(comparison.interval.hi).toBeGreaterThanOrEqual(comparison.interval.estimate);
    expect(compareEce(a, b, 7)).toEqual(comparison);
  });

  it('a model against itself differs by exactly 0, so "unclear"', () => {
    const a = randomModel(3, 200, 4);
    expect(compareEce(a, a, 1)).toMatchObject({ unclear: true, interval: { estimate: 0, lo: 0, hi: 0 } });
    expect(compareAccuracy(a, a, 1)).toMatchObject({ unclear: true, interval: { estimate: 0 } });
  });

  it('refuses models scored on different images', () => {
    const a = randomModel(1, 100, 2);
    const b = { ...randomModel(2, 100, 2), testLabels: a.testLabels.map((l) => (l + 1) % 10) };
    expect(compareEce(a, b, 1)).toBeNull();
    expect(compareAccuracy(a, b, 1)).toBeNull();
    expect(compareEce(a, randomModel(2, 50, 2), 1)).toBeNull();
  });
});
