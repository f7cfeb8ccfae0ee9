import { describe, expect, it } from 'vitest';
import { silhouetteScore, trustworthiness } from '../../src/core/clusterQuality';
import { fromRows } from '../../src/core/metrics';
import { keyedRng } from '../../src/core/random';
import type { ReferenceCase } from '../../src/methods/reference';
import { referenceCases, referenceMismatches } from '../helpers/fixtures';

function expectReference(got: number, c: ReferenceCase): void {
  expect(referenceMismatches(got, c.expected, c.tol)).toEqual([]);
}

/** Points on a line, as 1-D rows. */
const line = (xs: number[]) => xs.map((x) => [x]);

describe('silhouetteScore', () => {
  it('matches a hand-computed pair of clusters', () => {
    // Clusters {0, 1} and {10, 11}: a = 1 everywhere, b = 10.5 for the outer points and 9.5 for the inner ones.
    const expected = (9.5 / 10.5 + 8.5 / 9.5) / 2;
    expect(silhouetteScore(line([0, 1, 10, 11]), [0, 0, 1, 1])).toBeCloseTo(expected, 12);
  });

  it('scores a singleton cluster 0, as scikit-learn does', () => {
    // Point 5 is alone: s = 0. Point 0: a = 1, b = 5. Point 1: a = 1, b = 4.
    expect(silhouetteScore(line([0, 1, 5]), [0, 0, 1])).toBeCloseTo((0.8 + 0.75 + 0) / 3, 12);
  });

  it('depends on the grouping, not on the label values', () => {
    const points = fromRows([
      [0, 0],
      [1, 0],
      [0, 3],
      [5, 5],
      [6, 4],
    ]);
    expect(silhouetteScore(points, [7, 7, -3, -3, -3])).toBe(silhouetteScore(points, new Int32Array([0, 0, 1, 1, 1])));
  });

  it('is negative when points sit in the wrong clusters', () => {
    expect(silhouetteScore(line([0, 10, 1, 11]), [0, 0, 1, 1])).toBeLessThan(0);
  });

  it('throws where scikit-learn raises ValueError: fewer than 2 or more than n − 1 labels', () => {
    expect(() => silhouetteScore(line([0, 1, 2]), [0, 0, 0])).toThrow(RangeError);
    expect(() => silhouetteScore(line([0, 1, 2]), [0, 1, 2])).toThrow(RangeError);
    expect(() => silhouetteScore(line([0, 1, 2]), [0, 1])).toThrow(RangeError);
  });

  const cases = referenceCases('silhouette');
  it('has reference cases to run', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases.map((c, i) => [i, c] as const))('matches reference case %i', (_, c) => {
    const { points, labels } = c.args as { points: number[][]; labels: number[] };
    expectReference(silhouetteScore(points, labels), c);
  });
});

/**
 * scikit-learn 1.2's trustworthiness transcribed literally, as an independent oracle: full distance matrix,
 * diagonal +∞, stable argsort per row, inverted index of 1-based ranks.
 */
function sklearnTrustworthiness(high: number[][], low: number[][], k: number): number {
  const n = high.length;
  // Not Math.hypot: its rescaling can split exact ties by an ulp.
  const distance = (a: number[], b: number[]) => Math.sqrt(a.reduce((sum, v, d) => sum + (v - b[d]!) ** 2, 0));
  const argsortWithoutSelf = (points: number[][], i: number) =>
    points
      .map((p, j) => ({ j, d: j === i ? Infinity : distance(points[i]!, p) }))
      .sort((x, y) => x.d - y.d || x.j - y.j)
      .map(({ j }) => j);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const rank = new Map(argsortWithoutSelf(high, i).map((j, position) => [j, position + 1]));
    for (const j of argsortWithoutSelf(low, i).slice(0, k)) t += Math.max(0, rank.get(j)! - k);
  }
  return 1 - t * (2 / (n * k * (2 * n - 3 * k - 1)));
}

describe('trustworthiness', () => {
  it('matches a hand-computed case', () => {
    // Only point 4 moves: next to point 0 in the embedding although each is the other's farthest point in
    // the original (rank 4). Two penalties of 4 − k = 3: T = 1 − 2 / (5·1·(10 − 3 − 1)) · 6 = 0.6.
    expect(trustworthiness(line([0, 1, 3, 6, 10]), line([0, 1, 3, 6, -0.5]), 1)).toBeCloseTo(0.6, 12);
  });

  it('is 1 for an embedding that keeps every neighbourhood', () => {
    const high = fromRows([
      [0, 0, 0],
      [1, 0, 0],
      [0, 2, 0],
      [0, 0, 4],
      [3, 3, 3],
    ]);
    const scaled = { data: high.data.map((v) => 2 * v), cols: 3 };
    expect(trustworthiness(high, scaled, 2)).toBe(1);
  });

  it('agrees with a literal transcription of scikit-learn, ties and duplicates included', () => {
    const rng = keyedRng(3, 'trustworthiness-test');
    // Coordinates on a coarse grid so that equal distances and duplicate points actually occur.
    const grid = (n: number, dim: number) => Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.int(4)));
    for (const [n, k] of [
      [12, 3],
      [40, 5],
      [41, 20],
    ] as const) {
      const high = grid(n, 4);
      const low = grid(n, 2);
      expect(trustworthiness(high, low, k), `n = ${n}, k = ${k}`).toBeCloseTo(sklearnTrustworthiness(high, low, k), 12);
    }
  });

  it('accepts row-major typed arrays and nested rows alike', () => {
    const high = [
      [0, 1],
      [2, 3],
      [5, 1],
      [4, 4],
      [1, 1],
    ];
    const low = line([0, 3, 1, 4, 2]);
    expect(trustworthiness(fromRows(high), { data: new Float32Array([0, 3, 1, 4, 2]), cols: 1 }, 2)).toBe(
      trustworthiness(high, low, 2),
    );
  });

  it('rejects k outside [1, n/2) and mismatched point counts, as scikit-learn does', () => {
    const points = line([0, 1, 2, 3, 4, 5]);
    expect(() => trustworthiness(points, points, 3)).toThrow(RangeError);
    expect(() => trustworthiness(points, points, 0)).toThrow(RangeError);
    expect(() => trustworthiness(points, points.slice(1), 2)).toThrow(RangeError);
  });

  const cases = referenceCases('trustworthiness');
  it('has reference cases to run', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases.map((c, i) => [i, c] as const))('matches reference case %i', (_, c) => {
    const { high, low, k } = c.args as { high: number[][]; low: number[][]; k: number };
    expectReference(trustworthiness(high, low, k), c);
  });
});
