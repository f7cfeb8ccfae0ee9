/**
 * Barnes-Hut t-SNE gradient in 2-D: exact attraction over the sparse P, approximate repulsion.
 *
 * The repulsion on point i is Σ_j w_ij² (y_i − y_j) / Z with w_ij = 1 / (1 + |y_i − y_j|²) and
 * Z = Σ_{i≠j} w_ij. A quadtree over the embedding lets a whole cell stand in for its points, at their centre
 * of mass, whenever the cell looks small from y_i: width / distance < θ (scikit-learn's criterion, with the
 * cell's full width). One pass over all points is then O(N log N) instead of O(N²).
 *
 * The tree is rebuilt every iteration, so its nodes live in flat typed arrays that are reused once they
 * have grown to size: building allocates nothing. What the force pass reads per node shares one 32-byte
 * record; indices stay in Int32Arrays (as doubles they would make V8's hot loop twice as slow).
 */
import type { SparseAffinities } from './tsneAffinities';

/** ∂KL/∂y for Barnes-Hut t-SNE, with its quadtree and scratch kept from one iteration to the next. */
export class BarnesHutGradient {
  private readonly p: SparseAffinities;
  private readonly theta: number;
  private readonly tree = new QuadTree();
  private repulsion = new Float64Array(0);

  constructor(p: SparseAffinities, theta: number) {
    this.p = p;
    this.theta = theta;
  }

  /** Writes 4 Σ_j (e·p_ij − q_ij) w_ij (y_i − y_j) into `gradient`, e being the current exaggeration. */
  compute(y: Float64Array, exaggeration: number, gradient: Float64Array): void {
    const { rowStart, columns, values } = this.p;
    const n = y.length / 2;
    for (let i = 0; i < n; i++) {
      const xi = y[2 * i]!;
      const yi = y[2 * i + 1]!;
      let fx = 0;
      let fy = 0;
      for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
        const j = columns[e]!;
        const dx = xi - y[2 * j]!;
        const dy = yi - y[2 * j + 1]!;
        const pull = values[e]! / (1 + dx * dx + dy * dy);
        fx += pull * dx;
        fy += pull * dy;
      }
      gradient[2 * i] = exaggeration * fx;
      gradient[2 * i + 1] = exaggeration * fy;
    }
    if (this.repulsion.length !== y.length) this.repulsion = new Float64Array(y.length);
    const repulsion = this.repulsion.fill(0);
    this.tree.build(y);
    let sumW = 0;
    for (let i = 0; i < n; i++) sumW += this.tree.repulsion(i, this.theta, repulsion);
    for (let c = 0; c < gradient.length; c++) gradient[c] = 4 * (gradient[c]! - repulsion[c]! / sumW);
  }
}

// Fields of a node's record in `cells`.
const MASS_X = 0; // sum of the cell's point positions while building, their mean (centre of mass) after
const MASS_Y = 1;
const HALF = 2; // half the width of the square cell
const COUNT = 3; // points in the cell
const STRIDE = 4;

/** Cells narrower than this fraction of the root stop splitting, so near-duplicate points cannot recurse forever. */
const MIN_CELL_FRACTION = 1e-12;

/** A quadtree over 2-D points that sums Student-t repulsion from each point to all others, Barnes-Hut style. */
export class QuadTree {
  private cells = new Float64Array(0);
  private centres = new Float64Array(0); // (x, y) per node
  private firstChild = new Int32Array(0); // first of four consecutive children, −1 for a leaf
  private firstPoint = new Int32Array(0); // a leaf's first point (the rest follow in `nextPoint`), −1 if empty
  private capacity = 0;
  private nodeCount = 0;
  private positions: Float64Array = new Float64Array(0);
  // Per point: the next point in the same leaf (−1 ends the list) and the leaf holding it.
  private nextPoint = new Int32Array(0);
  private leafOf = new Int32Array(0);
  private stack = new Int32Array(0);
  private minHalfWidth = 0;

  /**
   * Rebuilds the tree over `positions` (x0, y0, x1, y1, ...). The tree reads them again in `repulsion`, so
   * they must not change until the next build.
   */
  build(positions: Float64Array): void {
    const n = positions.length / 2;
    this.positions = positions;
    if (this.nextPoint.length !== n) {
      this.nextPoint = new Int32Array(n);
      this.leafOf = new Int32Array(n);
    }
    if (this.capacity === 0) this.grow(Math.max(16, 4 * n));
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = positions[2 * i]!;
      const y = positions[2 * i + 1]!;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    if (!Number.isFinite(maxX - minX) || !Number.isFinite(maxY - minY)) {
      throw new RangeError('quadtree positions must be finite'); // NaN would never settle into a cell
    }
    // Slightly larger than the bounding box so that the extreme points fall strictly inside.
    const half = (Math.max(maxX - minX, maxY - minY, 1e-300) / 2) * (1 + 1e-6);
    this.minHalfWidth = half * MIN_CELL_FRACTION;
    this.nodeCount = 0;
    this.addNode((minX + maxX) / 2, (minY + maxY) / 2, half);
    for (let i = 0; i < n; i++) this.insert(i, positions[2 * i]!, positions[2 * i + 1]!);
    const cells = this.cells;
    for (let base = 0; base < this.nodeCount * STRIDE; base += STRIDE) {
      const count = cells[base + COUNT]!;
      if (count > 0) {
        cells[base + MASS_X]! /= count;
        cells[base + MASS_Y]! /= count;
      }
    }
  }

  /**
   * Adds the unnormalised repulsion Σ_j w_ij² (y_i − y_j) on point i into force[2i], force[2i + 1] and
   * returns Σ_j w_ij, point i itself excluded.
   */
  repulsion(i: number, theta: number, force: Float64Array): number {
    const { cells, firstChild, stack } = this; // locals, so the hot loop keeps them in registers
    const x = this.positions[2 * i]!;
    const y = this.positions[2 * i + 1]!;
    const thetaSquared = theta * theta;
    const ownLeaf = this.leafOf[i]!;
    let top = 0;
    stack[top++] = 0;
    let sumW = 0;
    let fx = 0;
    let fy = 0;
    while (top > 0) {
      const node = stack[--top]!;
      const base = node * STRIDE;
      let size = cells[base + COUNT]!;
      let dx = x - cells[base + MASS_X]!;
      let dy = y - cells[base + MASS_Y]!;
      const child = firstChild[node]!;
      if (child >= 0) {
        const half = cells[base + HALF]!;
        if (4 * half * half >= thetaSquared * (dx * dx + dy * dy)) {
          // Too close to summarise: open the cell. Pushing all four and skipping empties on pop is
          // cheaper than testing them here.
          stack[top++] = child;
          stack[top++] = child + 1;
          stack[top++] = child + 2;
          stack[top++] = child + 3;
          continue;
        }
      } else if (node === ownLeaf) {
        // The rest of i's own leaf (duplicates of i, or a cell at the size floor): drop i from the mean.
        size -= 1;
        if (size === 0) continue;
        dx = x - (cells[base + MASS_X]! * (size + 1) - x) / size;
        dy = y - (cells[base + MASS_Y]! * (size + 1) - y) / size;
      }
      if (size === 0) continue; // an empty child
      const w = 1 / (1 + dx * dx + dy * dy);
      sumW += size * w;
      const push = size * w * w;
      fx += push * dx;
      fy += push * dy;
    }
    force[2 * i]! += fx;
    force[2 * i + 1]! += fy;
    return sumW;
  }

  private insert(point: number, x: number, y: number): void {
    const positions = this.positions;
    let node = 0;
    for (;;) {
      const base = node * STRIDE;
      const cells = this.cells; // re-read: split() may have grown the arrays
      cells[base + COUNT]! += 1;
      cells[base + MASS_X]! += x;
      cells[base + MASS_Y]! += y;
      const child = this.firstChild[node]!;
      if (child >= 0) {
        node = child + this.quadrant(node, x, y);
        continue;
      }
      const head = this.firstPoint[node]!;
      const occupiedElsewhere = head >= 0 && (positions[2 * head] !== x || positions[2 * head + 1] !== y);
      if (!occupiedElsewhere || cells[base + HALF]! <= this.minHalfWidth) {
        // Empty leaf, exact duplicates, or a cell at the size floor: the leaf keeps a list of its points.
        this.nextPoint[point] = head;
        this.firstPoint[node] = point;
        this.leafOf[point] = node;
        return;
      }
      node = this.split(node) + this.quadrant(node, x, y);
    }
  }

  /**
   * Turns a leaf into four children, moves its resident points into the one that contains them (they are
   * duplicates of one another, or the leaf would have split before) and returns the first child. The
   * leaf's totals already count the point being inserted, which the caller goes on to place in a child.
   */
  private split(node: number): number {
    if (this.nodeCount + 4 > this.capacity) this.grow(2 * this.capacity);
    const quarter = this.cells[node * STRIDE + HALF]! / 2;
    const cx = this.centres[2 * node]!;
    const cy = this.centres[2 * node + 1]!;
    const first = this.nodeCount;
    for (let c = 0; c < 4; c++) this.addNode(cx + (c & 1 ? quarter : -quarter), cy + (c & 2 ? quarter : -quarter), quarter);
    this.firstChild[node] = first;
    const { cells, positions } = this;
    const head = this.firstPoint[node]!;
    this.firstPoint[node] = -1;
    const target = first + this.quadrant(node, positions[2 * head]!, positions[2 * head + 1]!);
    const targetBase = target * STRIDE;
    this.firstPoint[target] = head;
    for (let p = head; p >= 0; p = this.nextPoint[p]!) {
      this.leafOf[p] = target;
      cells[targetBase + COUNT]! += 1;
      cells[targetBase + MASS_X]! += positions[2 * p]!;
      cells[targetBase + MASS_Y]! += positions[2 * p + 1]!;
    }
    return first;
  }

  /** Child slot 0..3 of (x, y) in `node`: bit 0 set for the right half, bit 1 for the upper half. */
  private quadrant(node: number, x: number, y: number): number {
    return (x >= this.centres[2 * node]! ? 1 : 0) | (y >= this.centres[2 * node + 1]! ? 2 : 0);
  }

  private addNode(cx: number, cy: number, half: number): void {
    const node = this.nodeCount++;
    const base = node * STRIDE;
    this.cells[base + MASS_X] = 0;
    this.cells[base + MASS_Y] = 0;
    this.cells[base + HALF] = half;
    this.cells[base + COUNT] = 0;
    this.centres[2 * node] = cx;
    this.centres[2 * node + 1] = cy;
    this.firstChild[node] = -1;
    this.firstPoint[node] = -1;
  }

  /** Reallocates room for `capacity` nodes, keeping the built ones. */
  private grow(capacity: number): void {
    const keep = <T extends Float64Array | Int32Array>(old: T, fresh: T, perNode: number): T => {
      fresh.set(old.subarray(0, this.nodeCount * perNode));
      return fresh;
    };
    this.cells = keep(this.cells, new Float64Array(capacity * STRIDE), STRIDE);
    this.centres = keep(this.centres, new Float64Array(capacity * 2), 2);
    this.firstChild = keep(this.firstChild, new Int32Array(capacity), 1);
    this.firstPoint = keep(this.firstPoint, new Int32Array(capacity), 1);
    // A depth-first walk holds at most 3 pending siblings per level plus 4 just pushed.
    this.stack = new Int32Array(capacity + 4);
    this.capacity = capacity;
  }
}
