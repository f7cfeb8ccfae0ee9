// Expected numbers come from scikit-learn 1.2.1 (Debian's python3-sklearn), running
//   GaussianMixture(n_components=2, max_iter=10, tol=1e-2, reg_covar=5e-4, random_state=rs).fit(x.reshape(-1, 1))
// on the literal arrays below, components sorted by mean. For each case the fit was repeated with
// random_state 0..19 and gave the same result every time, so sklearn's random k-means++ seeding does not
// matter there and the deterministic min/max k-means start of src/core/gmm.ts must reproduce it.
import { describe, expect, it } from 'vitest';
import { componentPosterior, fitGmm1d, lowMeanPosterior, selectCleanSamples, type Gmm1d } from '../../src/core/gmm';

/** 20 draws of N(0.15, 0.05²) then 10 of N(0.8, 0.06²), rounded to 4 decimals. */
const BIMODAL = [
  0.1501, 0.1649, 0.1363, 0.1055, 0.1273, 0.1004, 0.153, 0.217, 0.1254, 0.119, 0.1745, 0.1678, 0.1553, 0.1035, 0.1485, 0.1848,
  0.0828, 0.1271, 0.0549, 0.0855, 0.6895, 0.7859, 0.724, 0.8163, 0.8094, 0.7888, 0.649, 0.7677, 0.7971, 0.8068,
];

/**
 * 24 draws of N(0.1, 0.03²) then 8 of N(0.45, 0.2²): overlapping modes, so EM runs 6 iterations away from
 * the k-means split (k-means puts 0.2478, index 24, with the low cluster; the mixture does not).
 */
const OVERLAPPING = [
  0.1057, 0.0843, 0.0876, 0.0268, 0.154, 0.1343, 0.0902, 0.1232, 0.1084, 0.0834, 0.1293, 0.0907, 0.0901, 0.0762, 0.1136, 0.097,
  0.1164, 0.0818, 0.1038, 0.0732, 0.1252, 0.1056, 0.1099, 0.1123, 0.2478, 0.6066, 0.8613, 0.1223, 0.1041, 0.149, 0.6183, 0.4757,
];

/** Raw per-sample losses: 28 exponential(0.3) draws (most samples agree with the teacher) and 12 of N(2.5, 0.4²). */
const LOSSES = [
  0.3542, 0.158, 0.0067, 0.088, 0.3043, 0.1904, 0.419, 0.0025, 0.2711, 0.0751, 0.1067, 0.9225, 0.4213, 1.1386, 0.5244, 0.6729,
  0.0435, 0.0908, 0.0716, 0.3445, 0.367, 0.0382, 0.1152, 0.3204, 0.0206, 0.0295, 0.2614, 0.5622, 2.7669, 3.0754, 2.2297, 2.5813,
  2.3147, 2.5509, 2.0251, 2.2683, 2.4215, 2.8595, 2.9581, 1.9706,
];

/** Components ordered by mean, as the expectations are. */
function sorted(gmm: Gmm1d) {
  const order = gmm.means[0] <= gmm.means[1] ? ([0, 1] as const) : ([1, 0] as const);
  const pick = (pair: readonly [number, number]) => order.map((k) => pair[k]);
  return { means: pick(gmm.means), variances: pick(gmm.variances), weights: pick(gmm.weights) };
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], digits: number) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, digits));
}

describe('fitGmm1d', () => {
  it('recovers the two modes of a well-separated sample as sklearn does', () => {
    const gmm = fitGmm1d(BIMODAL);
    const { means, variances, weights } = sorted(gmm);
    expectClose(means, [0.13417999999999997, 0.7634499999999999], 12);
    expectClose(variances, [0.0019494675999999996, 0.0034204464999999995], 12);
    expectClose(weights, [2 / 3, 1 / 3], 12);
    expect(gmm.iterations).toBe(2);
    expect(gmm.converged).toBe(true);
    expect(gmm.lowerBound).toBeCloseTo(1.0808010367611969, 10);
    const low = lowMeanPosterior(gmm, BIMODAL);
    expect(Array.from(low, (p) => Math.round(p))).toEqual(BIMODAL.map((_, i) => (i < 20 ? 1 : 0)));
  });

  it('runs EM past the k-means start exactly as sklearn does on overlapping modes', () => {
    const gmm = fitGmm1d(OVERLAPPING);
    const { means, variances, weights } = sorted(gmm);
    expectClose(means, [0.10370215064823433, 0.5514877940537076], 10);
    expectClose(variances, [0.0011523610776259501, 0.044598706619460395], 10);
    expectClose(weights, [0.8402115489732759, 0.1597884510267241], 10);
    expect(gmm.iterations).toBe(6);
    expect(gmm.converged).toBe(true);
    expect(gmm.lowerBound).toBeCloseTo(1.441012036848273, 10);
    const low = lowMeanPosterior(gmm, OVERLAPPING);
    expect(low[0]).toBeCloseTo(0.9967112715113597, 10);
    expect(low[3]).toBeCloseTo(0.9821566600488837, 10);
    expect(low[24]).toBeCloseTo(0.011121341560064604, 10);
    expect(low[31]).toBeCloseTo(2.9264334577210877e-25, 30);
  });

  it('honours max_iter and tol: 3 iterations at tol 1e-6 stop unconverged where sklearn does', () => {
    const gmm = fitGmm1d(OVERLAPPING, { maxIterations: 3, tolerance: 1e-6 });
    const { means, variances, weights } = sorted(gmm);
    expectClose(means, [0.10531330890892567, 0.5811678258636559], 10);
    expectClose(variances, [0.001378088598547073, 0.03707648600292025], 10);
    expectClose(weights, [0.8530226916019209, 0.14697730839807902], 10);
    expect(gmm.iterations).toBe(3);
    expect(gmm.converged).toBe(false);
    expect(gmm.lowerBound).toBeCloseTo(1.3657411717540966, 10);
    expect(lowMeanPosterior(gmm, OVERLAPPING)[24]).toBeCloseTo(0.07850749207136733, 10);
  });

  it('gives posteriors in [0, 1] that sum to 1 over the two components', () => {
    const gmm = fitGmm1d(OVERLAPPING);
    const probe = [-1, 0, 0.1, 0.25, 0.3, 0.5, 1, 5];
    const first = componentPosterior(gmm, probe, 0);
    const second = componentPosterior(gmm, probe, 1);
    probe.forEach((_, i) => {
      expect(first[i]).toBeGreaterThanOrEqual(0);
      expect(first[i]).toBeLessThanOrEqual(1);
      expect(first[i]! + second[i]!).toBeCloseTo(1, 12);
    });
    const lowComponent = gmm.means[0] < gmm.means[1] ? first : second;
    expect(lowMeanPosterior(gmm, probe)).toEqual(lowComponent);
  });

  it('handles the smallest and degenerate inputs as sklearn does', () => {
    // sklearn: means (0, 1), variances reg_covar, weights (0.5, 0.5), 2 iterations.
    const pair = fitGmm1d([0, 1]);
    expectClose(sorted(pair).means, [0, 1], 12); // 1 / (1 + 10·eps): sklearn's mass guard
    expectClose(pair.variances, [5e-4, 5e-4], 15);
    expectClose(pair.weights, [0.5, 0.5], 12);
    expectClose(lowMeanPosterior(pair, [0, 1]), [1, 0], 12);
    // Identical values: one component takes everything (variance reg_covar); sklearn leaves the other at
    // mean ~0 (2.5e-40) with weight ~7.4e-16. Everything stays finite.
    const same = fitGmm1d([0.3, 0.3, 0.3]);
    expectClose(sorted(same).means, [0, 0.3], 12);
    expectClose(sorted(same).weights, [0, 1], 12);
    expect([...same.means, ...same.variances, ...same.weights, same.lowerBound].every(Number.isFinite)).toBe(true);
    expect(() => fitGmm1d([0.5])).toThrow(RangeError);
    expect(() => fitGmm1d([])).toThrow(RangeError);
    expect(() => fitGmm1d([0, Number.NaN, 1])).toThrow(RangeError);
  });
});

describe('selectCleanSamples', () => {
  it('keeps the low-loss mode, as Sample_Selection.split does with sklearn', () => {
    // sklearn on the min-max normalised losses: means 0.0910 / 0.8126, weights 0.699 / 0.301, 2 iterations;
    // the first 28 samples have low-mean posterior > 0.9791, the last 12 < 5e-7.
    const { keep, rate, gmm } = selectCleanSamples(LOSSES);
    expect(Array.from(keep)).toEqual(LOSSES.map((_, i) => (i < 28 ? 1 : 0)));
    expect(rate).toBeCloseTo(0.7, 12);
    expect(gmm).not.toBeNull();
    expectClose(sorted(gmm!).means, [0.09104069549437911, 0.812595626281275], 10);
    expectClose(sorted(gmm!).weights, [0.6994920759637159, 0.3005079240362841], 10);
  });

  it('depends only on the ranks and gaps of the losses, not their scale or offset', () => {
    const shifted = LOSSES.map((loss) => 3 * loss + 7);
    expect(selectCleanSamples(shifted).keep).toEqual(selectCleanSamples(LOSSES).keep);
  });

  it('keeps everything when there is nothing to split', () => {
    for (const losses of [[], [0.4], [0.2, 0.2, 0.2], new Float32Array(5)]) {
      const { keep, rate, gmm } = selectCleanSamples(losses);
      expect(Array.from(keep)).toEqual(Array.from(losses, () => 1));
      expect(rate).toBe(1);
      expect(gmm).toBeNull();
    }
  });

  it('splits two distinct values and rejects NaN losses', () => {
    expect(Array.from(selectCleanSamples([2, 0.5, 0.5]).keep)).toEqual([0, 1, 1]);
    expect(() => selectCleanSamples([0.1, Number.NaN, 0.3])).toThrow(RangeError);
  });
});
