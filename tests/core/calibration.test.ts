import { describe, expect, it } from 'vitest';
import { eceReference, fitTemperature, reliabilityBins, TEMPERATURE_RANGE } from '../../src/core/calibration';
import { crossEntropyFromLogits, softmaxRows } from '../../src/core/metrics';
import { keyedRng } from '../../src/core/random';
import { referenceCases, referenceMismatches } from '../helpers/fixtures';

/** Two-class rows [c, 1 − c] with c ≥ 0.5, so the top-1 confidence is exactly c and the prediction is class 0. */
function twoClassRows(confidences: number[]): Float64Array {
  return Float64Array.from(confidences.flatMap((c) => [c, 1 - c]));
}

describe('reliabilityBins', () => {
  it('matches a hand-computed diagram', () => {
    // Confidences 0.9 (right), 0.7 (wrong), 0.6 (right), 0.5 (tie -> class 0, wrong); bins of width 0.2.
    const probs = [0.9, 0.1, 0.3, 0.7, 0.6, 0.4, 0.5, 0.5];
    const { ece, mce, bins } = reliabilityBins(probs, [0, 0, 0, 1], 2, 5);
    expect(bins.map((b) => b.count)).toEqual([0, 0, 2, 1, 1]);
    expect(bins[2]!.confidence).toBeCloseTo(0.55, 12);
    expect(bins.map((b) => b.accuracy)).toEqual([0, 0, 0.5, 0, 1]);
    // (2·|0.5 − 0.55| + |0 − 0.7| + |1 − 0.9|) / 4
    expect(ece).toBeCloseTo(0.225, 12);
    expect(mce).toBeCloseTo(0.7, 12);
  });

  it('reports equal-width edges and zeros for empty bins', () => {
    const { bins } = reliabilityBins([1, 0], [0], 2, 4);
    expect(bins.map((b) => [b.lo, b.hi])).toEqual([
      [0, 0.25],
      [0.25, 0.5],
      [0.5, 0.75],
      [0.75, 1],
    ]);
    expect(bins.slice(0, 3)).toEqual(bins.slice(0, 3).map(({ lo, hi }) => ({ lo, hi, count: 0, confidence: 0, accuracy: 0 })));
  });

  it('puts a confidence on an edge into the bin it closes, for every edge', () => {
    for (const bins of [10, 15, 20]) {
      const edges = Array.from({ length: bins }, (_, m) => (m + 1) / bins).filter((edge) => edge >= 0.5);
      const diagram = reliabilityBins(twoClassRows(edges), new Int32Array(edges.length), 2, bins);
      const expected = Array.from({ length: bins }, (_, m) => ((m + 1) / bins >= 0.5 ? 1 : 0));
      expect(diagram.bins.map((b) => b.count), `${bins} bins`).toEqual(expected);
    }
  });

  it('puts confidence 0 into the first bin', () => {
    expect(reliabilityBins([0, 0], [0], 2, 10).bins[0]!.count).toBe(1);
  });

  it('is 0 for confident correct predictions and the mean confidence for all-wrong ones', () => {
    expect(reliabilityBins([1, 0, 0, 1], [0, 1], 2)).toMatchObject({ ece: 0, mce: 0 });
    const wrong = reliabilityBins(twoClassRows([0.9, 0.6]), [1, 1], 2, 10);
    expect(wrong.ece).toBeCloseTo(0.75, 12);
    expect(wrong.mce).toBeCloseTo(0.9, 12);
  });

  it('rejects bad bin counts and non-finite probabilities', () => {
    expect(() => reliabilityBins([1, 0], [0], 2, 0)).toThrow(RangeError);
    expect(() => reliabilityBins([1, 0], [0], 2, 2.5)).toThrow(RangeError);
    expect(() => reliabilityBins([Number.NaN, Number.NaN], [0], 2)).toThrow(RangeError);
  });
});

describe('eceReference', () => {
  it('returns exactly the fixture shape', () => {
    const result = eceReference([[0.8, 0.2]], [0], 2);
    expect(result).toEqual({
      ece: expect.closeTo(0.2, 12),
      bins: [
        { count: 0, confidence: 0, accuracy: 0 },
        { count: 1, confidence: 0.8, accuracy: 1 },
      ],
    });
  });

  const cases = referenceCases('ece');
  it('has reference cases to run', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases.map((c, i) => [i, c] as const))('matches reference case %i', (_, c) => {
    const { probs, labels, bins } = c.args as { probs: number[][]; labels: number[]; bins: number };
    expect(referenceMismatches(eceReference(probs, labels, bins), c.expected, c.tol)).toEqual([]);
  });
});

describe('fitTemperature', () => {
  // Labels drawn from softmax(z), logits reported as 3z: an over-confident model whose ideal temperature is 3.
  const numClasses = 5;
  const n = 4000;
  const rng = keyedRng(7, 'calibration-test');
  const z = Float64Array.from({ length: n * numClasses }, () => 1.5 * rng.normal());
  const trueProbs = softmaxRows(z, numClasses);
  const labels = Int32Array.from({ length: n }, (_, row) => {
    let u = rng.next();
    for (let c = 0; c < numClasses - 1; c++) if ((u -= trueProbs[row * numClasses + c]!) < 0) return c;
    return numClasses - 1;
  });
  const logits = z.map((v) => 3 * v);

  it('recovers the over-confidence factor', () => {
    expect(fitTemperature(logits, labels, numClasses)).toBeCloseTo(3, 0);
  });

  it('minimises the NLL', () => {
    const t = fitTemperature(logits, labels, numClasses);
    const nll = (temperature: number) => crossEntropyFromLogits(logits, labels, numClasses, temperature);
    expect(nll(t)).toBeLessThanOrEqual(nll(t * 1.001));
    expect(nll(t)).toBeLessThanOrEqual(nll(t / 1.001));
  });

  it('lowers the ECE', () => {
    const t = fitTemperature(logits, labels, numClasses);
    const before = reliabilityBins(softmaxRows(logits, numClasses), labels, numClasses).ece;
    const after = reliabilityBins(softmaxRows(logits, numClasses, t), labels, numClasses).ece;
    expect(before).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(0.03);
  });

  it('stops at the edge of its range when sharper is always better', () => {
    // Perfectly separated and all correct: NLL keeps falling as T -> 0.
    const t = fitTemperature([2, 0, 0, 2], [0, 1], 2);
    expect(t).toBeCloseTo(TEMPERATURE_RANGE.min, 4);
  });
});
