import { describe, expect, it } from 'vitest';
import { QuadTree } from '../../src/core/barnesHut';
import { silhouetteScore, trustworthiness } from '../../src/core/clusterQuality';
import { keyedRng } from '../../src/core/random';
import { referenceCases } from '../helpers/fixtures';
import { createTsne, EXACT_MAX_POINTS, runTsne, type TsneOptions } from '../../src/core/tsne';
import {
  calibrateRow,
  exactAffinities,
  nearestNeighbours,
  neighbourCount,
  sparseAffinities,
} from '../../src/core/tsneAffinities';

interface TsneCase {
  fn: string;
  args: { points: number[][]; perplexity: number; seed: number };
  expected: { trustworthinessAtLeast: number; k: number; sklearnTrustworthiness: number };
}

/** `clusters` Gaussian blobs of `size` points each in `dim` dimensions, centres `spread` apart on average. */
function blobs(clusters: number, size: number, dim: number, spread: number, seed = 1) {
  const rng = keyedRng(seed, 'blobs');
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, () => spread * rng.normal()));
  const points = new Float32Array(clusters * size * dim);
  const labels = new Int32Array(clusters * size);
  for (let i = 0; i < labels.length; i++) {
    labels[i] = i % clusters;
    for (let c = 0; c < dim; c++) points[i * dim + c] = centres[i % clusters]![c]! + rng.normal();
  }
  return { points, labels, dim };
}

const trust = (points: ArrayLike<number>, dim: number, embedding: Float32Array, k: number) =>
  trustworthiness({ data: points, cols: dim }, { data: embedding, cols: 2 }, k);

/** Fraction of points whose nearest embedded neighbour carries the same label. */
function nearestNeighbourAgreement(embedding: Float32Array, labels: Int32Array): number {
  let agree = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = -1;
    let bestDistance = Infinity;
    for (let j = 0; j < labels.length; j++) {
      const d = (embedding[2 * i]! - embedding[2 * j]!) ** 2 + (embedding[2 * i + 1]! - embedding[2 * j + 1]!) ** 2;
      if (j !== i && d < bestDistance) [best, bestDistance] = [j, d];
    }
    if (labels[best] === labels[i]) agree++;
  }
  return agree / labels.length;
}

describe('tsne affinities', () => {
  it('calibrates a row to the requested perplexity, as a distribution', () => {
    const rng = keyedRng(2, 'row');
    const distances = Float64Array.from({ length: 90 }, () => 50 * rng.next() ** 2);
    const p = new Float64Array(90);
    calibrateRow(distances, 30, p);
    const entropy = -p.reduce((sum, pj) => (pj > 0 ? sum + pj * Math.log(pj) : sum), 0);
    expect(Math.exp(entropy)).toBeCloseTo(30, 3);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('finds the same k nearest neighbours as a full sort', () => {
    const { points, dim } = blobs(3, 40, 7, 2);
    const data = Float64Array.from(points);
    const n = 120;
    const k = 15;
    const { indices } = nearestNeighbours(data, dim, k);
    const distance = (i: number, j: number) => {
      let s = 0;
      for (let c = 0; c < dim; c++) s += (data[i * dim + c]! - data[j * dim + c]!) ** 2;
      return s;
    };
    for (let i = 0; i < n; i++) {
      const expected = [...Array(n).keys()].filter((j) => j !== i).sort((a, b) => distance(i, a) - distance(i, b) || a - b);
      expect([...indices.subarray(i * k, (i + 1) * k)].sort((a, b) => a - b)).toEqual(expected.slice(0, k).sort((a, b) => a - b));
    }
  });

  it('builds a symmetric joint P that sums to 1, sparse equal to dense when k = N − 1', () => {
    const { points, dim } = blobs(2, 20, 5, 3);
    const data = Float64Array.from(points);
    const n = 40;
    const perplexity = 13; // neighbourCount = min(39, 40) = N − 1: the sparse P is then exact
    expect(neighbourCount(n, perplexity)).toBe(n - 1);
    const dense = exactAffinities(data, dim, perplexity);
    expect(dense.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const sparse = sparseAffinities(data, dim, perplexity);
    const asDense = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      expect(dense[i * n + i]).toBe(0);
      for (let e = sparse.rowStart[i]!; e < sparse.rowStart[i + 1]!; e++) asDense[i * n + sparse.columns[e]!] = sparse.values[e]!;
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        expect(dense[i * n + j]).toBeCloseTo(dense[j * n + i]!, 15);
        expect(asDense[i * n + j]).toBeCloseTo(dense[i * n + j]!, 12);
      }
    }
  });
});

describe('QuadTree', () => {
  const rng = keyedRng(3, 'quadtree');
  const n = 200;
  const positions = Float64Array.from({ length: 2 * n }, () => 5 * rng.normal());
  positions.copyWithin(20, 10, 14); // points 10 and 11 duplicate points 5 and 6
  const bruteForce = () => {
    const force = new Float64Array(2 * n);
    let sumW = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const dx = positions[2 * i]! - positions[2 * j]!;
        const dy = positions[2 * i + 1]! - positions[2 * j + 1]!;
        const w = 1 / (1 + dx * dx + dy * dy);
        sumW += w;
        force[2 * i]! += w * w * dx;
        force[2 * i + 1]! += w * w * dy;
      }
    }
    return { force, sumW };
  };
  const treeForces = (theta: number) => {
    const tree = new QuadTree();
    tree.build(positions);
    const force = new Float64Array(2 * n);
    let sumW = 0;
    for (let i = 0; i < n; i++) sumW += tree.repulsion(i, theta, force);
    return { force, sumW };
  };

  it('is exact with theta = 0, duplicates included', () => {
    const exact = bruteForce();
    const tree = treeForces(0);
    expect(tree.sumW).toBeCloseTo(exact.sumW, 9);
    tree.force.forEach((f, c) => expect(f).toBeCloseTo(exact.force[c]!, 12));
  });

  it('approximates within a few percent at theta = 0.5', () => {
    const exact = bruteForce();
    const tree = treeForces(0.5);
    expect(Math.abs(tree.sumW / exact.sumW - 1)).toBeLessThan(0.02);
    const norm = (v: Float64Array) => Math.hypot(...v);
    expect(norm(tree.force.map((f, c) => f - exact.force[c]!)) / norm(exact.force)).toBeLessThan(0.05);
  });
});

describe('t-SNE', () => {
  const small = blobs(4, 30, 10, 3);
  const quick: TsneOptions = { iterations: 300, exaggerationIterations: 100, perplexity: 20 };

  it('is deterministic for a seed, and the seed matters for a random start only', () => {
    for (const method of ['exact', 'barnes-hut'] as const) {
      const options = { ...quick, method, init: 'random' as const, seed: 5 };
      const a = runTsne(small.points, small.dim, options);
      expect(runTsne(small.points, small.dim, options)).toEqual(a);
      expect(runTsne(small.points, small.dim, { ...options, seed: 6 })).not.toEqual(a);
    }
    const pca = runTsne(small.points, small.dim, { ...quick, seed: 5 });
    expect(runTsne(small.points, small.dim, { ...quick, seed: 6 })).toEqual(pca);
  });

  it('steps incrementally to exactly the layout of one full run', () => {
    const options: TsneOptions = { ...quick, method: 'barnes-hut' };
    const full = runTsne(small.points, small.dim, options);
    const run = createTsne(small.points, small.dim, options);
    const frames: number[] = [];
    while (!run.done) {
      run.step(37); // frames straddle the end of early exaggeration
      frames.push(run.iteration);
    }
    expect(frames.at(-1)).toBe(300);
    expect(frames).toContain(111);
    expect(run.embedding).toEqual(full);
    run.step(10);
    expect(run.iteration).toBe(300);
  });

  it('separates well-separated Gaussian blobs and keeps their neighbourhoods', () => {
    const { points, labels, dim } = blobs(5, 60, 20, 4);
    const embedding = runTsne(points, dim, { seed: 1 });
    expect(trust(points, dim, embedding, 10)).toBeGreaterThan(0.95);
    expect(nearestNeighbourAgreement(embedding, labels)).toBe(1);
    expect(silhouetteScore({ data: embedding, cols: 2 }, labels)).toBeGreaterThan(0.8);
  });

  it('gives exact and Barnes-Hut runs the same quality', () => {
    const { points, dim } = blobs(6, 40, 15, 1.5, 4); // overlapping enough that quality is not saturated
    const exact = runTsne(points, dim, { method: 'exact' });
    const barnesHut = runTsne(points, dim, { method: 'barnes-hut' });
    const [tExact, tBarnesHut] = [trust(points, dim, exact, 10), trust(points, dim, barnesHut, 10)];
    expect(tExact).toBeGreaterThan(0.9);
    expect(Math.abs(tExact - tBarnesHut)).toBeLessThan(0.01);
  });

  it('resolves method "auto" by size', () => {
    expect(createTsne(new Float32Array(EXACT_MAX_POINTS * 2), 2, { iterations: 0 }).method).toBe('exact');
    expect(createTsne(new Float32Array((EXACT_MAX_POINTS + 1) * 2), 2, { iterations: 0 }).method).toBe('barnes-hut');
  });

  it('copes with degenerate inputs: no points, one point, duplicates, one dimension, collinear points', () => {
    const none = createTsne(new Float32Array(0), 3);
    expect([none.done, none.embedding.length]).toEqual([true, 0]);
    const one = createTsne([1, 2, 3], 3);
    expect([one.done, one.embedding.length]).toEqual([true, 2]);
    const twice = Float32Array.from([...small.points, ...small.points]); // every point duplicated
    for (const method of ['exact', 'barnes-hut'] as const) {
      const embedding = runTsne(twice, small.dim, { ...quick, method });
      expect(embedding.every(Number.isFinite)).toBe(true);
    }
    const line = Float32Array.from({ length: 50 }, (_, i) => i % 7);
    expect(runTsne(line, 1, quick).every(Number.isFinite)).toBe(true);
    // Collinear points in 3-D have one principal component: the start falls back to random, off the line.
    const collinear = Float32Array.from({ length: 150 }, (_, i) => (Math.floor(i / 3) * ((i % 3) + 1)) / 10);
    const start = createTsne(collinear, 3).embedding;
    const spread = (axis: number) => start.reduce((sum, v, c) => (c % 2 === axis ? sum + v * v : sum), 0);
    expect(spread(1) / spread(0)).toBeGreaterThan(0.1);
    expect(runTsne(collinear, 3, quick).every(Number.isFinite)).toBe(true);
  });

  it('rejects invalid arguments', () => {
    expect(() => createTsne(new Float32Array(5), 2)).toThrow(RangeError);
    expect(() => createTsne(new Float32Array(4), 0)).toThrow(RangeError);
    expect(() => createTsne(new Float32Array(4), 2, { perplexity: 0 })).toThrow(RangeError);
    expect(() => createTsne(new Float32Array(4), 2, { iterations: 1.5 })).toThrow(RangeError);
    expect(() => createTsne(new Float32Array(4), 2, { learningRate: -1 })).toThrow(RangeError);
  });
});

describe('reference fixtures: tsneEmbedding', () => {
  const cases = referenceCases('tsneEmbedding') as unknown as TsneCase[];
  it('has cases to run', () => expect(cases.length).toBeGreaterThan(0));

  it.each(cases.map((c, i) => [i, c] as const))('case %i reaches the trustworthiness floor', (_, c) => {
    const { points, perplexity, seed } = c.args;
    const dim = points[0]!.length;
    const flat = Float64Array.from(points.flat());
    for (const method of ['exact', 'barnes-hut'] as const) {
      const embedding = runTsne(flat, dim, { perplexity, seed, method });
      expect(trust(flat, dim, embedding, c.expected.k)).toBeGreaterThanOrEqual(c.expected.trustworthinessAtLeast);
    }
  });
});
