/**
 * A 1-D two-component Gaussian mixture, fitted as scikit-learn's
 * `GaussianMixture(n_components=2, max_iter=10, tol=1e-2, reg_covar=5e-4)` fits a column of values
 * (TA-DFKD's Sample_Selection.split, ../shared/spec/methods.md Part B §3), and the clean-sample selection
 * built on it. Pure float64 arithmetic, no tfjs.
 *
 * What follows sklearn (1.2, mixture/_base.py and _gaussian_mixture.py) step for step:
 * - initial responsibilities are one-hot k-means labels; each component gets
 *   nk = Σ r + 10·eps, mean = Σ r·x / nk, variance = Σ r·(x − mean)² / nk + reg_covar, weight = nk / n;
 * - each EM iteration runs the E-step with the current parameters (its mean log-likelihood is the
 *   "lower bound"), then the M-step (the same estimates, weights renormalised to sum to 1), and stops when
 *   the lower bound changed by less than `tol`; the returned parameters are those of the last M-step;
 * - posteriors (predict_proba) are computed from the final parameters.
 *
 * The one departure: sklearn initialises with KMeans(n_init=1), seeded by k-means++, which is random.
 * Here k-means starts from the minimum and maximum and runs Lloyd's iterations until no label changes, so
 * the fit is deterministic. On 1-D data both end in the same split whenever the two-cluster optimum is
 * unambiguous (well-separated modes), which the tests check against sklearn's own numbers.
 */

export interface GmmOptions {
  /** sklearn's max_iter (EM iterations). */
  readonly maxIterations?: number;
  /** sklearn's tol: EM stops once the mean log-likelihood lower bound changes by less than this. */
  readonly tolerance?: number;
  /** sklearn's reg_covar, added to every variance. */
  readonly regCovar?: number;
}

/** The settings of TA-DFKD's selection GMM (Sample_Selection.py). */
export const SELECTION_GMM_OPTIONS = { maxIterations: 10, tolerance: 1e-2, regCovar: 5e-4 } as const satisfies GmmOptions;

export interface Gmm1d {
  readonly means: readonly [number, number];
  readonly variances: readonly [number, number];
  readonly weights: readonly [number, number];
  /** Whether the lower bound settled within `tolerance` before `maxIterations` ran out (sklearn's converged_). */
  readonly converged: boolean;
  /** EM iterations run (sklearn's n_iter_). */
  readonly iterations: number;
  /** Mean log-likelihood from the last E-step (sklearn's lower_bound_). */
  readonly lowerBound: number;
}

type Pair = [number, number];

/** numpy's float64 machine epsilon; sklearn adds 10·eps to each component's mass so none is exactly 0. */
const FLOAT64_EPSILON = 2.220446049250313e-16;
const LOG_2PI = Math.log(2 * Math.PI);
/** Lloyd's iterations always settle on 1-D data; the cap only guards against a bug looping forever. */
const MAX_KMEANS_ITERATIONS = 300;

/** Fits the mixture; throws on fewer than two values (as sklearn does) or on a non-finite value. */
export function fitGmm1d(values: ArrayLike<number>, options: GmmOptions = {}): Gmm1d {
  const { maxIterations, tolerance, regCovar } = { ...SELECTION_GMM_OPTIONS, ...options };
  const x = Float64Array.from(values);
  if (x.length < 2) throw new RangeError(`a two-component mixture needs at least 2 values, got ${x.length}`);
  if (!x.every(Number.isFinite)) throw new RangeError('cannot fit a mixture to non-finite values');
  const n = x.length;

  const labels = kMeansLabels(x);
  const responsibilities: [Float64Array, Float64Array] = [new Float64Array(n), new Float64Array(n)];
  labels.forEach((label, i) => (responsibilities[label]![i] = 1));
  // sklearn's _initialize divides the masses by n without renormalising; only its M-step renormalises.
  let parameters = estimate(x, responsibilities, regCovar, (mass) => mass / n);

  let lowerBound = -Infinity;
  let converged = false;
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    const previous = lowerBound;
    lowerBound = eStep(parameters, x, responsibilities);
    parameters = estimate(x, responsibilities, regCovar, (mass, total) => mass / total);
    if (Math.abs(lowerBound - previous) < tolerance) {
      converged = true;
      break;
    }
  }
  return { ...parameters, converged, iterations, lowerBound };
}

/** Posterior probability of `component` for each value (a column of sklearn's predict_proba). */
export function componentPosterior(gmm: Gmm1d, values: ArrayLike<number>, component: 0 | 1): Float64Array {
  const x = Float64Array.from(values);
  const posteriors: [Float64Array, Float64Array] = [new Float64Array(x.length), new Float64Array(x.length)];
  eStep(gmm, x, posteriors);
  return posteriors[component];
}

/** Posterior of the component with the lower mean (the first on a tie, as numpy's argmin). */
export function lowMeanPosterior(gmm: Gmm1d, values: ArrayLike<number>): Float64Array {
  return componentPosterior(gmm, values, gmm.means[1] < gmm.means[0] ? 1 : 0);
}

export interface CleanSelection {
  /** 1 where the sample is kept. */
  readonly keep: Uint8Array;
  /** Fraction kept (1 for an empty batch: nothing was rejected). */
  readonly rate: number;
  /** The fitted mixture on the normalised losses; null when the batch was kept whole without one. */
  readonly gmm: Gmm1d | null;
}

/**
 * TA-DFKD's clean-sample selection (spec steps 2–4): min-max normalise the per-sample losses within the
 * batch, fit the two-component GMM and keep sample i when the low-loss component's posterior is > 0.5.
 * Fewer than two losses, or losses that are all equal (max = min, where the reference would divide by
 * zero), give nothing to split, so everything is kept.
 */
export function selectCleanSamples(losses: ArrayLike<number>): CleanSelection {
  const n = losses.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    min = Math.min(min, losses[i]!);
    max = Math.max(max, losses[i]!);
  }
  if (n < 2 || !(max > min)) {
    if (Number.isNaN(min) || Number.isNaN(max)) throw new RangeError('cannot select samples with NaN losses');
    return { keep: new Uint8Array(n).fill(1), rate: 1, gmm: null };
  }
  const normalised = Float64Array.from(losses, (loss) => (loss - min) / (max - min));
  const gmm = fitGmm1d(normalised, SELECTION_GMM_OPTIONS);
  const posterior = lowMeanPosterior(gmm, normalised);
  const keep = Uint8Array.from(posterior, (p) => (p > 0.5 ? 1 : 0));
  return { keep, rate: keep.reduce((sum, k) => sum + k, 0) / n, gmm };
}

/**
 * Deterministic 2-means on a line: centres start at the minimum and maximum, Lloyd's iterations run until no
 * label changes. A value equidistant from both centres joins cluster 0 (argmin's first index, as sklearn).
 */
function kMeansLabels(x: Float64Array): Uint8Array {
  const centres: Pair = [x.reduce((a, b) => Math.min(a, b)), x.reduce((a, b) => Math.max(a, b))];
  const labels = new Uint8Array(x.length);
  for (let iteration = 0; iteration < MAX_KMEANS_ITERATIONS; iteration++) {
    let changed = iteration === 0;
    x.forEach((value, i) => {
      const label = Math.abs(value - centres[1]) < Math.abs(value - centres[0]) ? 1 : 0;
      if (label !== labels[i]) changed = true;
      labels[i] = label;
    });
    if (!changed) break;
    const sums: Pair = [0, 0];
    const counts: Pair = [0, 0];
    labels.forEach((label, i) => {
      sums[label as 0 | 1] += x[i]!;
      counts[label as 0 | 1]++;
    });
    // An empty cluster (only when every value is equal) keeps its centre.
    for (const k of [0, 1] as const) if (counts[k] > 0) centres[k] = sums[k] / counts[k];
  }
  return labels;
}

/** sklearn's _estimate_gaussian_parameters ('full' covariance in 1-D), then the weights from the masses. */
function estimate(
  x: Float64Array,
  responsibilities: readonly [Float64Array, Float64Array],
  regCovar: number,
  weightOf: (mass: number, totalMass: number) => number,
): Pick<Gmm1d, 'means' | 'variances' | 'weights'> {
  const masses: Pair = [0, 0];
  const means: Pair = [0, 0];
  const variances: Pair = [0, 0];
  for (const k of [0, 1] as const) {
    const r = responsibilities[k];
    let mass = 10 * FLOAT64_EPSILON;
    let weightedSum = 0;
    r.forEach((rk, i) => {
      mass += rk;
      weightedSum += rk * x[i]!;
    });
    const mean = weightedSum / mass;
    let spread = 0;
    r.forEach((rk, i) => (spread += rk * (x[i]! - mean) ** 2));
    masses[k] = mass;
    means[k] = mean;
    variances[k] = spread / mass + regCovar;
  }
  const total = masses[0] + masses[1];
  return { means, variances, weights: [weightOf(masses[0], total), weightOf(masses[1], total)] };
}

/**
 * Writes each value's component posteriors into `out` (computed in log space, as sklearn does) and returns
 * the mean log-likelihood of the values under the mixture.
 */
function eStep(gmm: Pick<Gmm1d, 'means' | 'variances' | 'weights'>, x: Float64Array, out: readonly [Float64Array, Float64Array]): number {
  const { means, variances, weights } = gmm;
  const logWeightedDensity = (k: 0 | 1, value: number) =>
    Math.log(weights[k]) - 0.5 * (LOG_2PI + Math.log(variances[k]) + (value - means[k]) ** 2 / variances[k]);
  let total = 0;
  x.forEach((value, i) => {
    const a = logWeightedDensity(0, value);
    const b = logWeightedDensity(1, value);
    const top = Math.max(a, b);
    const logNorm = top + Math.log(Math.exp(a - top) + Math.exp(b - top));
    out[0][i] = Math.exp(a - logNorm);
    out[1][i] = Math.exp(b - logNorm);
    total += logNorm;
  });
  return total / x.length;
}
