/**
 * t-SNE to 2-D, following scikit-learn 1.2's `TSNE` (van der Maaten's formulation): Gaussian input
 * affinities calibrated to a perplexity, Student-t output affinities, KL gradient descent with early
 * exaggeration, momentum and per-coordinate gains. Pure and DOM-free so a worker can step it and post
 * frames; deterministic for a given seed.
 *
 * Departures from scikit-learn, all deliberate: there is no early stopping (an animation wants a known
 * length; every requested iteration runs); the Barnes-Hut tree skips only the query point itself, where
 * scikit-learn also skips exact duplicates of it; perplexity is capped at (N − 1) / 3 where scikit-learn
 * would raise, so tiny selections still embed.
 */
import { BarnesHutGradient } from './barnesHut';
import { keyedRng } from './random';
import { exactAffinities, sparseAffinities } from './tsneAffinities';

export type TsneMethod = 'exact' | 'barnes-hut' | 'auto';

export interface TsneOptions {
  /** Effective number of neighbours each point's Gaussian covers. Default 30. */
  perplexity?: number;
  /** Total gradient steps. Default 1000. */
  iterations?: number;
  /** Factor on P during the first `exaggerationIterations`, which lets clusters form. Default 12. */
  earlyExaggeration?: number;
  /** Length of the exaggerated, low-momentum first stage. Default 250. */
  exaggerationIterations?: number;
  /** Step size; 'auto' is scikit-learn's max(N / earlyExaggeration / 4, 50). Default 'auto'. */
  learningRate?: number | 'auto';
  /** Seeds the random start (init 'random'); the PCA start does not depend on it. Default 0. */
  seed?: number;
  /**
   * 'pca' (default, as scikit-learn): the top two principal components scaled to std 1e-4; deterministic,
   * and it keeps the global arrangement of clusters. 'random': N(0, 1e-4²) per coordinate.
   */
  init?: 'pca' | 'random';
  /**
   * 'exact' holds a dense N × N P (12·N² bytes with its scratch); 'barnes-hut' holds O(N·perplexity).
   * 'auto' (default) picks 'exact' up to `EXACT_MAX_POINTS` points.
   */
  method?: TsneMethod;
  /** Barnes-Hut accuracy: a cell is summarised when width / distance < theta. Default 0.5. */
  theta?: number;
}

/** A t-SNE run that advances on demand, so a worker can post intermediate layouts. */
export interface TsneRun {
  /** Current layout, (x, y) per point; updated in place by `step`. */
  readonly embedding: Float32Array;
  /** Iterations completed so far. */
  readonly iteration: number;
  readonly iterations: number;
  readonly done: boolean;
  /** The method in use, 'auto' resolved. */
  readonly method: 'exact' | 'barnes-hut';
  /** Advances by up to `count` iterations (default 1), stopping at `iterations`. */
  step(count?: number): void;
}

/**
 * Largest N for which 'auto' runs exact t-SNE. Up to here its O(N²) step costs about what Barnes-Hut's does
 * (about 1 ms at N = 500) and its forces are exact; at N = 1000 it is already twice as slow.
 */
export const EXACT_MAX_POINTS = 500;

const MOMENTUM_EARLY = 0.5;
const MOMENTUM_LATE = 0.8;
const MIN_GAIN = 0.01;
const INIT_STD = 1e-4;
const PCA_MAX_ROUNDS = 500;

/** Starts t-SNE on N = points.length / dim points stored row-major. Computes P now; `step` does the rest. */
export function createTsne(points: ArrayLike<number>, dim: number, options: TsneOptions = {}): TsneRun {
  return new Tsne(points, dim, options);
}

/** Runs t-SNE to completion and returns the (x, y) layout. */
export function runTsne(points: ArrayLike<number>, dim: number, options: TsneOptions = {}): Float32Array {
  const run = createTsne(points, dim, options);
  run.step(run.iterations);
  return run.embedding;
}

const check = (ok: boolean, message: string) => {
  if (!ok) throw new RangeError(message);
};

class Tsne implements TsneRun {
  readonly embedding: Float32Array;
  readonly iterations: number;
  readonly method: 'exact' | 'barnes-hut';
  iteration = 0;

  private readonly n: number;
  private readonly exaggeration: number;
  private readonly exaggerationIterations: number;
  private readonly learningRate: number;
  private readonly dense: Float64Array | null = null;
  private readonly weights: Float64Array; // exact only: w_ij for i < j, reused between the two passes
  private readonly barnesHut: BarnesHutGradient | null = null;
  private readonly y: Float64Array; // float64 positions; `embedding` is their float32 copy
  private readonly gradient: Float64Array;
  private readonly update: Float64Array;
  private readonly gains: Float64Array;

  constructor(points: ArrayLike<number>, dim: number, options: TsneOptions) {
    check(Number.isInteger(dim) && dim >= 1, `dim must be a positive integer, got ${dim}`);
    check(points.length % dim === 0, `${points.length} values are not whole points of dimension ${dim}`);
    const { perplexity = 30, iterations = 1000, earlyExaggeration = 12, exaggerationIterations = 250 } = options;
    const { learningRate = 'auto', seed = 0, init = 'pca', method = 'auto', theta = 0.5 } = options;
    check(perplexity > 0, `perplexity must be positive, got ${perplexity}`);
    check(Number.isInteger(iterations) && iterations >= 0, `iterations must be a whole number, got ${iterations}`);
    check(earlyExaggeration > 0, `earlyExaggeration must be positive, got ${earlyExaggeration}`);
    check(Number.isInteger(exaggerationIterations) && exaggerationIterations >= 0, 'exaggerationIterations must be a whole number');
    check(learningRate === 'auto' || learningRate > 0, `learningRate must be positive or 'auto', got ${learningRate}`);
    check(theta >= 0, `theta must be non-negative, got ${theta}`);

    const n = points.length / dim;
    const data = Float64Array.from(points);
    this.n = n;
    this.iterations = n < 2 ? 0 : iterations; // nothing to arrange
    this.exaggeration = earlyExaggeration;
    this.exaggerationIterations = exaggerationIterations;
    this.learningRate = learningRate === 'auto' ? Math.max(n / earlyExaggeration / 4, 50) : learningRate;
    this.method = method === 'auto' ? (n <= EXACT_MAX_POINTS ? 'exact' : 'barnes-hut') : method;
    const effectivePerplexity = Math.min(perplexity, Math.max(1, (n - 1) / 3));
    if (n >= 2 && this.method === 'exact') this.dense = exactAffinities(data, dim, effectivePerplexity);
    if (n >= 2 && this.method === 'barnes-hut') {
      this.barnesHut = new BarnesHutGradient(sparseAffinities(data, dim, effectivePerplexity), theta);
    }
    this.weights = new Float64Array(this.dense ? (n * (n - 1)) / 2 : 0);

    this.y = (init === 'pca' && pcaLayout(data, dim)) || randomLayout(n, seed);
    this.embedding = Float32Array.from(this.y);
    this.gradient = new Float64Array(2 * n);
    this.update = new Float64Array(2 * n);
    this.gains = new Float64Array(2 * n).fill(1);
  }

  get done(): boolean {
    return this.iteration >= this.iterations;
  }

  step(count = 1): void {
    const end = Math.min(this.iterations, this.iteration + count);
    for (; this.iteration < end; this.iteration++) this.descend();
    this.embedding.set(this.y); // converts to float32
  }

  /** One step of scikit-learn's `_gradient_descent`, with its two stages. */
  private descend(): void {
    const early = this.iteration < this.exaggerationIterations;
    if (this.iteration === this.exaggerationIterations) {
      // scikit-learn runs the second stage as a fresh optimiser call: velocities and gains start over.
      this.update.fill(0);
      this.gains.fill(1);
    }
    const exaggeration = early ? this.exaggeration : 1;
    if (this.dense) this.exactGradient(this.dense, exaggeration);
    else this.barnesHut?.compute(this.y, exaggeration, this.gradient);
    const momentum = early ? MOMENTUM_EARLY : MOMENTUM_LATE;
    const { y, gradient, update, gains } = this;
    for (let c = 0; c < y.length; c++) {
      const g = gradient[c]!;
      // Delta-bar-delta: grow the gain while the gradient keeps opposing the last move, shrink it on a reversal.
      const gain = update[c]! * g < 0 ? gains[c]! + 0.2 : Math.max(gains[c]! * 0.8, MIN_GAIN);
      gains[c] = gain;
      update[c] = momentum * update[c]! - this.learningRate * gain * g;
      y[c]! += update[c]!;
    }
  }

  /**
   * ∂KL/∂y_i = 4 Σ_j (e·p_ij − q_ij) w_ij (y_i − y_j), with w_ij = 1 / (1 + |y_i − y_j|²), q_ij = w_ij / Σ w
   * and e the current exaggeration, over all pairs.
   */
  private exactGradient(p: Float64Array, exaggeration: number): void {
    const { n, y, gradient, weights } = this;
    let sumW = 0;
    for (let i = 0, pair = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, pair++) {
        const dx = y[2 * i]! - y[2 * j]!;
        const dy = y[2 * i + 1]! - y[2 * j + 1]!;
        const w = 1 / (1 + dx * dx + dy * dy);
        weights[pair] = w;
        sumW += 2 * w; // for (i, j) and (j, i)
      }
    }
    gradient.fill(0);
    for (let i = 0, pair = 0; i < n; i++) {
      const row = i * n;
      let gx = 0;
      let gy = 0;
      for (let j = i + 1; j < n; j++, pair++) {
        const w = weights[pair]!;
        const force = 4 * (exaggeration * p[row + j]! - w / sumW) * w;
        const fx = force * (y[2 * i]! - y[2 * j]!);
        const fy = force * (y[2 * i + 1]! - y[2 * j + 1]!);
        gx += fx;
        gy += fy;
        gradient[2 * j]! -= fx;
        gradient[2 * j + 1]! -= fy;
      }
      gradient[2 * i]! += gx;
      gradient[2 * i + 1]! += gy;
    }
  }
}

function randomLayout(n: number, seed: number): Float64Array {
  const rng = keyedRng(seed, 'tsne-init');
  return Float64Array.from({ length: 2 * n }, () => INIT_STD * rng.normal());
}

/**
 * Projection on the top two principal components, scaled so the first has standard deviation 1e-4, as
 * scikit-learn's init='pca'. The components come from orthogonal (power) iteration on the D × D covariance,
 * from a fixed start, each with its sign fixed (largest loading positive). Forming the covariance costs
 * O(N·D²), less than the O(N²·D) neighbour search whenever D < N, and makes each round only O(D²).
 * Null when the data has fewer than two directions of variance: the caller then starts at random.
 */
function pcaLayout(points: Float64Array, dim: number): Float64Array | null {
  const n = points.length / dim;
  if (dim < 2 || n < 3) return null;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let c = 0; c < dim; c++) mean[c]! += points[i * dim + c]! / n;
  const centred = new Float64Array(dim);
  const covariance = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dim; c++) centred[c] = points[i * dim + c]! - mean[c]!;
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) covariance[a * dim + b]! += centred[a]! * centred[b]!;
  }

  const rng = keyedRng(0, 'tsne-pca'); // a generic start: almost surely not orthogonal to a component
  let basis = [0, 1].map(() => Float64Array.from({ length: dim }, () => rng.normal()));
  if (!orthonormalise(basis)) return null;
  for (let round = 0; round < PCA_MAX_ROUNDS; round++) {
    const next = basis.map((v) => {
      const w = new Float64Array(dim);
      for (let a = 0; a < dim; a++) w[a] = dot(covariance.subarray(a * dim, (a + 1) * dim), v);
      return w;
    });
    if (!orthonormalise(next)) return null;
    const drift = Math.max(...next.map((w, k) => 1 - Math.abs(dot(w, basis[k]!))));
    basis = next;
    if (drift < 1e-14) break;
  }

  const layout = new Float64Array(2 * n);
  const sumSquares = basis.map((v, column) => {
    let largest = 0;
    for (let c = 0; c < dim; c++) if (Math.abs(v[c]!) > Math.abs(v[largest]!)) largest = c;
    const sign = v[largest]! < 0 ? -1 : 1;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let score = 0;
      for (let c = 0; c < dim; c++) score += (points[i * dim + c]! - mean[c]!) * v[c]!;
      layout[2 * i + column] = sign * score;
      sum += score * score; // scores are centred: this is N × their variance
    }
    return sum;
  });
  // Collinear data: the second "component" is rounding noise, and would pin the layout to a line.
  if (!(sumSquares[1]! > 1e-12 * sumSquares[0]!)) return null;
  const scale = INIT_STD / Math.sqrt(sumSquares[0]! / n);
  return layout.map((s) => s * scale);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let c = 0; c < a.length; c++) s += a[c]! * b[c]!;
  return s;
}

/** Gram-Schmidt in place; false when a vector vanishes (lies in the span of the earlier ones). */
function orthonormalise(vectors: Float64Array[]): boolean {
  for (let k = 0; k < vectors.length; k++) {
    const v = vectors[k]!;
    for (let m = 0; m < k; m++) {
      const u = vectors[m]!;
      const overlap = dot(v, u);
      for (let c = 0; c < v.length; c++) v[c]! -= overlap * u[c]!;
    }
    const norm = Math.sqrt(dot(v, v));
    if (!(norm > 0)) return false;
    for (let c = 0; c < v.length; c++) v[c]! /= norm;
  }
  return true;
}
