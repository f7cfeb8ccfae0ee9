/**
 * Uncertainty of the comparisons the page shows (pure, DOM-free): a paired bootstrap over test images for
 * one run's "distilled vs scratch", and Student's t-interval over seeds for repeated runs.
 *
 * The t quantile is computed, not looked up: the t CDF through the regularised incomplete beta function
 * (Lentz's continued fraction, as in Numerical Recipes §6.4), inverted by bisection. Exact to ~1e-10 for
 * every degree of freedom, so a run of 2 seeds and one of 200 are treated alike.
 */
import { keyedRng } from './random';

export interface Interval {
  /** The point estimate (the observed mean difference, or the mean over seeds). */
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
  /** Confidence level, e.g. 0.95. */
  readonly level: number;
}

export interface BootstrapOptions {
  readonly seed: number;
  /** Keys the generator with the seed, so two comparisons in one run draw differently. */
  readonly purpose?: string;
  readonly resamples?: number;
  readonly level?: number;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Sample standard deviation (n − 1); 0 for a single value, NaN for none. */
export function sampleStd(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  if (values.length === 1) return 0;
  // Deviations from the first value: identical values give exactly 0, not rounding noise from their mean.
  const shifted = values.map((v) => v - values[0]!);
  const m = mean(shifted);
  return Math.sqrt(shifted.reduce((sum, d) => sum + (d - m) ** 2, 0) / (values.length - 1));
}

/** Whether an interval leaves 0 inside it: no clear difference at this sample size. */
export function includesZero(interval: Pick<Interval, 'lo' | 'hi'>): boolean {
  return interval.lo <= 0 && interval.hi >= 0;
}

/** Quantile `p` of sorted values, linear between order statistics (R's type 7, NumPy's default). */
export function sortedQuantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/**
 * Paired percentile bootstrap of mean(a) − mean(b), where a[i] and b[i] are two models' scores on the same
 * test image i (1 correct, 0 wrong): each resample draws N images with replacement and scores both models
 * on the very same draw, so what the images have in common cancels. Seeded: the same inputs and seed give
 * the same interval.
 */
export function pairedBootstrap(a: ArrayLike<number>, b: ArrayLike<number>, options: BootstrapOptions): Interval {
  const { seed, purpose = 'bootstrap', resamples = 1000, level = 0.95 } = options;
  const n = a.length;
  if (n !== b.length) throw new RangeError(`paired samples need equal lengths, got ${n} and ${b.length}`);
  if (n === 0) throw new RangeError('a bootstrap needs at least one pair');
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  const differences = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += differences[i] = a[i]! - b[i]!;
  const rng = keyedRng(seed, purpose);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[rng.int(n)]!;
    means[r] = sum / n;
  }
  return percentileInterval(total / n, means, level);
}

/** The percentile interval of resampled statistics around `estimate` (sorts `resampled` in place). */
export function percentileInterval(estimate: number, resampled: Float64Array, level: number): Interval {
  resampled.sort();
  const tail = (1 - level) / 2;
  return { estimate, lo: sortedQuantile(resampled, tail), hi: sortedQuantile(resampled, 1 - tail), level };
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-13). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const numerator of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only on one side of the mean; use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a).
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The quantile of Student's t: the t with P(T ≤ t) = p, for 0 < p < 1 and df > 0. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface SeedInterval extends Interval {
  readonly count: number;
  /** Sample standard deviation (n − 1). */
  readonly sd: number;
}

/** Mean, sample sd and Student's t-interval of values (one per seed); null with fewer than two values. */
export function tInterval(values: readonly number[], level = 0.95): SeedInterval | null {
  const n = values.length;
  if (n < 2) return null;
  const sd = sampleStd(values);
  // The mean from deviations to the first value, as sampleStd: identical values give exactly that value.
  const estimate = values[0]! + mean(values.map((v) => v - values[0]!));
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { estimate, lo: estimate - half, hi: estimate + half, level, count: n, sd };
}
