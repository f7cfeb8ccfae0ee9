/**
 * How well an embedding separates classes (silhouette) and preserves neighbourhoods (trustworthiness),
 * for the t-SNE panel. Both reproduce scikit-learn 1.2 (`silhouette_score`, `manifold.trustworthiness`)
 * with Euclidean distances.
 *
 * Both take O(N²·D) time, like scikit-learn, but work one row of distances at a time, so memory stays O(N)
 * where scikit-learn holds an N × N matrix (200 MB of float64 at N = 5000). At N = 5000 with 100-D inputs that
 * is seconds of work: call them from the worker, not the page.
 */
import { fromRows, rowCount, type RowMajor } from './metrics';

/** N points as a row-major matrix (`cols` = dimension) or as nested rows, e.g. straight from a fixture. */
export type Points = RowMajor | ReadonlyArray<ArrayLike<number>>;

function asMatrix(points: Points): RowMajor {
  return 'cols' in points ? points : fromRows(points);
}

/** Squared Euclidean distance from point `i` to every point, into `out` (length N). */
function squaredDistancesFrom(points: RowMajor, i: number, out: Float64Array): void {
  const { data, cols } = points;
  const start = i * cols;
  for (let j = 0, other = 0; j < out.length; j++, other += cols) {
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const diff = data[start + c]! - data[other + c]!;
      sum += diff * diff;
    }
    out[j] = sum;
  }
}

/** Dense cluster ids 0..C-1 for arbitrary label values (scikit-learn's LabelEncoder step) and cluster sizes. */
function encodeLabels(labels: ArrayLike<number>): { cluster: Int32Array; sizes: number[] } {
  const ids = new Map<number, number>();
  const cluster = new Int32Array(labels.length);
  const sizes: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    let id = ids.get(label);
    if (id === undefined) {
      id = sizes.length;
      ids.set(label, id);
      sizes.push(0);
    }
    cluster[i] = id;
    sizes[id]!++;
  }
  return { cluster, sizes };
}

/**
 * Silhouette of one point from its summed distances to each cluster: s = (b − a) / max(a, b), with
 * a = mean distance to the rest of its own cluster and b = the smallest mean distance to another cluster.
 * 0 for a singleton, and 0 where a = b = 0 (duplicates across clusters), as scikit-learn's nan_to_num gives.
 */
function pointSilhouette(distanceSums: Float64Array, sizes: readonly number[], own: number): number {
  const ownSize = sizes[own]!;
  if (ownSize === 1) return 0;
  const a = distanceSums[own]! / (ownSize - 1);
  let b = Infinity;
  sizes.forEach((size, c) => {
    if (c !== own) b = Math.min(b, distanceSums[c]! / size);
  });
  const scale = Math.max(a, b);
  return scale > 0 ? (b - a) / scale : 0;
}

/**
 * Mean silhouette coefficient over all points (scikit-learn's `silhouette_score`, Euclidean), in [−1, 1].
 * Throws a RangeError where scikit-learn raises ValueError: unless 2 ≤ distinct labels ≤ N − 1.
 */
export function silhouetteScore(points: Points, labels: ArrayLike<number>): number {
  const matrix = asMatrix(points);
  const n = rowCount(matrix);
  if (labels.length !== n) throw new RangeError(`${n} points but ${labels.length} labels`);
  const { cluster, sizes } = encodeLabels(labels);
  if (sizes.length < 2 || sizes.length > n - 1) {
    throw new RangeError(`silhouette needs 2 to ${n - 1} distinct labels for ${n} points, got ${sizes.length}`);
  }
  const distances = new Float64Array(n);
  const sums = new Float64Array(sizes.length);
  let total = 0;
  for (let i = 0; i < n; i++) {
    squaredDistancesFrom(matrix, i, distances);
    sums.fill(0);
    for (let j = 0; j < n; j++) sums[cluster[j]!]! += Math.sqrt(distances[j]!);
    total += pointSilhouette(sums, sizes, cluster[i]!);
  }
  return total / n;
}

/**
 * Writes into `out` the `out.length` points nearest by `distances`, excluding `self`, nearest first.
 * Ties go to the lower index (a stable sort's order). Insertion into a sorted buffer: O(N) for small k.
 */
function nearestNeighbours(distances: Float64Array, self: number, out: Int32Array): void {
  const k = out.length;
  let filled = 0;
  for (let j = 0; j < distances.length; j++) {
    if (j === self) continue;
    const d = distances[j]!;
    if (filled === k && d >= distances[out[k - 1]!]!) continue;
    let slot = filled < k ? filled++ : k - 1;
    for (; slot > 0 && distances[out[slot - 1]!]! > d; slot--) out[slot] = out[slot - 1]!;
    out[slot] = j;
  }
}

/**
 * Σ over the embedded neighbours j of max(0, r(j) − k), where r(j) is j's 1-based rank among all points but
 * `self` ordered by (`distances`, index): scikit-learn's stable argsort of the row with its diagonal at +∞.
 * One pass over the row instead of one per neighbour: with the neighbours sorted, each point raises the
 * rank of exactly the suffix of neighbours it precedes, found by binary search and tallied in `tally`.
 * Sorts `neighbours` in place; `tally` is scratch space of length k.
 */
function rankPenalty(distances: Float64Array, self: number, neighbours: Int32Array, tally: Int32Array): number {
  const k = neighbours.length;
  const precedes = (l: number, j: number) =>
    distances[l]! < distances[j]! || (distances[l] === distances[j] && l < j);
  neighbours.sort((a, b) => distances[a]! - distances[b]! || a - b);
  tally.fill(0);
  const last = neighbours[k - 1]!;
  for (let l = 0; l < distances.length; l++) {
    if (l === self || !precedes(l, last)) continue; // ranked after every neighbour: adds nothing
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (precedes(l, neighbours[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    tally[lo]!++;
  }
  let penalty = 0;
  let ahead = 0;
  for (let q = 0; q < k; q++) {
    ahead += tally[q]!;
    penalty += Math.max(0, 1 + ahead - k);
  }
  return penalty;
}

/**
 * Trustworthiness of an embedding (scikit-learn's `manifold.trustworthiness`, Euclidean), in [0, 1]:
 * T = 1 − 2 / (n·k·(2n − 3k − 1)) · Σ_i Σ_{j ∈ N_k^low(i) \ N_k^high(i)} (r(i, j) − k), where r(i, j) is j's
 * rank among i's neighbours in `high`. Penalises points brought close in `low` that were far in `high`.
 * Requires 1 ≤ k < n / 2, as scikit-learn does (the normaliser assumes it).
 *
 * Distances are compared squared: the same order as Euclidean, without a square root per pair. Ties
 * are broken by index (scikit-learn's own order among exact ties is its sort's business).
 */
export function trustworthiness(high: Points, low: Points, k: number): number {
  const highMatrix = asMatrix(high);
  const lowMatrix = asMatrix(low);
  const n = rowCount(highMatrix);
  if (rowCount(lowMatrix) !== n) throw new RangeError(`${n} high-dimensional points but ${rowCount(lowMatrix)} embedded`);
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) {
    throw new RangeError(`k must be an integer with 1 <= k < n / 2 = ${n / 2}, got ${k}`);
  }
  const highDistances = new Float64Array(n);
  const lowDistances = new Float64Array(n);
  const neighbours = new Int32Array(k);
  const tally = new Int32Array(k);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    squaredDistancesFrom(lowMatrix, i, lowDistances);
    nearestNeighbours(lowDistances, i, neighbours);
    squaredDistancesFrom(highMatrix, i, highDistances);
    penalty += rankPenalty(highDistances, i, neighbours, tally);
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}
