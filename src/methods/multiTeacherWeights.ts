/**
 * Per-teacher weights of the multi-teacher methods (../shared/spec/methods.md Part A §2): EBKD's entropy
 * weights, CA-MKD's logit-level confidence weights and AEKD's gradient-space ensemble weights.
 *
 * Teacher logits arrive stacked as [M, B, C] (`tf.stack` of the teachers' [B, C] logits). The weights are
 * constants of the step: EBKD and CA-MKD derive them from teacher outputs only, and AEKD solves a tiny QP on
 * the CPU, so none of them needs a gradient.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Most teachers `aekdWeights` accepts. The exact QP solver visits all 3^M faces of the feasible set
 * (729 small linear solves at M = 6), which stays well under a millisecond per step.
 */
export const AEKD_MAX_TEACHERS = 6;

/** Entropies that sum below this count as zero, so EBKD never divides 0 by 0. */
const MIN_ENTROPY_SUM = 1e-12;

function requireTeachers(teacherLogits: tf.Tensor3D, method: string): number {
  const m = teacherLogits.shape[0];
  if (m < 2) throw new RangeError(`${method} weights need at least 2 teachers, got ${m}`);
  return m;
}

/**
 * EBKD: w[m, b] = 1 − H[m, b] / Σ_j H[j, b], with H the natural-log entropy of softmax(z_t^m[b]) at T = 1.
 * Not a softmax: each sample's weights sum to M − 1. Returns [M, B].
 */
export function ebkdWeights(teacherLogits: tf.Tensor3D): tf.Tensor2D {
  requireTeachers(teacherLogits, 'EBKD');
  return tf.tidy(() => {
    // q·log q from log_softmax: a vanishing q gives 0·(finite), never 0·log 0 = NaN.
    const logQ = tf.logSoftmax(teacherLogits);
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logQ), logQ), 2));
    // If every teacher is certain (all H = 0) each gets weight 1 instead of 0/0.
    const total = tf.maximum(tf.sum(entropy, 0, true), MIN_ENTROPY_SUM);
    return tf.sub(1, tf.div(entropy, total));
  });
}

/**
 * CA-MKD, logit level: w[m, b] = (1 − softmax over teachers of CE[·, b])_m / (M − 1), where
 * CE[m, b] = −log softmax(z_t^m[b])[y_b] at T = 1. Each sample's weights sum to 1 and the teacher with the
 * larger CE gets the smaller weight (this is not softmax(−CE)). Returns [M, B].
 */
export function camkdLogitWeights(teacherLogits: tf.Tensor3D, labels: tf.Tensor1D): tf.Tensor2D {
  const m = requireTeachers(teacherLogits, 'CA-MKD');
  return tf.tidy(() => {
    const numClasses = teacherLogits.shape[2];
    // The [B, C] one-hot broadcasts over the teacher axis.
    const ce = tf.neg(tf.sum(tf.mul(tf.logSoftmax(teacherLogits), tf.oneHot(labels, numClasses)), 2));
    // tfjs softmax runs over the last axis only, so the teacher axis goes last and comes back.
    const share = tf.transpose(tf.softmax(tf.transpose(ce)));
    return tf.div(tf.sub(1, share), m - 1);
  });
}

/**
 * AEKD's Gram matrix G[i, j] = v_i · v_j, [M, M], of the batch-mean KD gradients
 * v_m = mean_b ∂L_KD(z_s, z_t^m)/∂z_s[b] = mean_b T·(p_s − p_t^m)[b] / B: the closed form of the gradient
 * of `kdLoss` (batchmean, T²), so no extra backward passes are needed.
 */
export function aekdGram(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor3D, temperature: number): tf.Tensor2D {
  return tf.tidy(() => {
    const batch = studentLogits.shape[0];
    const ps = tf.softmax(tf.div(studentLogits, temperature));
    const pt = tf.softmax(tf.div(teacherLogits, temperature));
    const v = tf.mul(tf.mean(tf.sub(ps, pt), 1), temperature / batch);
    return tf.matMul(v, v, false, true);
  });
}

/**
 * Upper bound on each λ: 1 / (M·ν) with ν = 1 / (C_tol·M) clamped to [1/M, 1] as CA-MKD's solver does,
 * which is C_tol clamped to [1/M, 1].
 */
export function aekdCap(cTol: number, teachers: number): number {
  if (!(cTol > 0)) throw new RangeError(`C_tol must be positive, got ${cTol}`);
  return Math.min(1, Math.max(1 / teachers, cTol));
}

export interface AekdOptions {
  /**
   * Rescale λ_m by 1/‖v_m‖ and renormalise (the solver's `is_norm`). Off by default, as on CA-MKD's kd path;
   * the fixtures leave it out.
   */
  readonly normalize?: boolean;
}

/**
 * AEKD ensemble weights λ, one per teacher, for L_div = Σ_m λ_m·L_KD(z_s, z_t^m): the minimiser of λᵀGλ over
 * Σλ = 1, 0 ≤ λ ≤ cap (scikit-learn's OneClassSVM dual on G, rescaled). Reads the M×M Gram matrix back
 * asynchronously and solves on the CPU; recompute every minibatch.
 */
export async function aekdWeights(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor3D,
  temperature: number,
  cTol: number,
  options: AekdOptions = {},
): Promise<number[]> {
  const m = teacherLogits.shape[0];
  if (m < 1 || m > AEKD_MAX_TEACHERS) throw new RangeError(`AEKD takes 1 to ${AEKD_MAX_TEACHERS} teachers, got ${m}`);
  const cap = aekdCap(cTol, m);
  const gramTensor = aekdGram(studentLogits, teacherLogits, temperature);
  const flat = await gramTensor.data().finally(() => gramTensor.dispose());
  const gram = Array.from({ length: m }, (_, i) => Array.from(flat.subarray(i * m, (i + 1) * m)));
  const lambda = solveCappedSimplexQp(gram, cap);
  return options.normalize ? normalizeByGradientNorm(lambda, gram) : lambda;
}

/** λ_m ← (λ_m / ‖v_m‖) / Σ_j (λ_j / ‖v_j‖), with ‖v_m‖ = √G[m, m] floored so a zero gradient takes all the weight. */
function normalizeByGradientNorm(lambda: readonly number[], gram: readonly (readonly number[])[]): number[] {
  const scaled = lambda.map((l, i) => l / Math.max(Math.sqrt(Math.max(gram[i]![i]!, 0)), 1e-12));
  const total = scaled.reduce((a, b) => a + b, 0);
  return scaled.map((s) => s / total);
}

/**
 * Exact minimiser of λᵀGλ subject to Σλ = 1 and 0 ≤ λ ≤ cap, for a small symmetric positive semi-definite G.
 *
 * The optimum is the stationary point of the objective restricted to one face of the feasible box ∩ simplex:
 * some λ fixed at 0, some at cap, the rest free. So every face is tried (3^M of them): solve the face's KKT
 * system, keep the feasible solutions and return the one with the lowest objective. A face whose system is
 * singular (a flat direction of G) is skipped; its optimum also lies on a smaller face, down to a single
 * free λ, whose system never is. Exact to rounding, unlike projected gradient on an ill-conditioned G.
 */
export function solveCappedSimplexQp(gram: readonly (readonly number[])[], cap: number): number[] {
  const m = gram.length;
  if (m === 0) throw new RangeError('The QP needs at least one variable');
  if (cap * m < 1 - 1e-12) throw new RangeError(`cap ${cap} leaves no feasible point for ${m} variables`);
  // λ does not depend on the scale of G, and unit scale keeps the singularity test meaningful when the
  // gradients are tiny (a student that already matches its teachers).
  const size = Math.max(...gram.flatMap((row) => row.map(Math.abs)));
  if (!Number.isFinite(size)) throw new RangeError('The QP matrix has non-finite entries (diverged logits?)');
  // With cap = 1/M the uniform weights are the only feasible point; with G = 0 every point is optimal.
  if (cap * m <= 1 + 1e-12 || size === 0) return new Array<number>(m).fill(1 / m);
  const g = gram.map((row) => row.map((x) => x / size));

  const objective = (x: readonly number[]) =>
    x.reduce((sum, xi, i) => sum + xi * x.reduce((row, xj, j) => row + g[i]![j]! * xj, 0), 0);
  const slack = 1e-12 * Math.max(1, cap);
  let best: { value: number; lambda: number[] } | null = null;
  const state = new Array<0 | 1 | 2>(m).fill(0); // 0: λ = 0, 1: λ = cap, 2: free
  for (let face = 0; face < 3 ** m; face++) {
    for (let i = 0, code = face; i < m; i++, code = Math.floor(code / 3)) state[i] = (code % 3) as 0 | 1 | 2;
    const lambda = solveFace(g, cap, state);
    if (!lambda || lambda.some((l) => l < -slack || l > cap + slack)) continue;
    const clamped = lambda.map((l) => Math.min(cap, Math.max(0, l)));
    const value = objective(clamped);
    if (!best || value < best.value) best = { value, lambda: clamped };
  }
  // Unreachable for cap·M ≥ 1: the vertex faces alone always include a feasible point.
  if (!best) throw new Error('capped-simplex QP found no feasible face');
  return best.lambda;
}

/**
 * Stationary point of λᵀGλ on one face: λ_F free with Σλ_F = 1 − cap·|U|, where U holds the λ at cap. KKT:
 * G_FF λ_F − μ·1 = −cap·G_FU·1 and 1ᵀλ_F = s. Null when the face has no free λ or a singular system.
 */
function solveFace(gram: readonly (readonly number[])[], cap: number, state: readonly (0 | 1 | 2)[]): number[] | null {
  const free = state.flatMap((s, i) => (s === 2 ? [i] : []));
  const atCap = state.flatMap((s, i) => (s === 1 ? [i] : []));
  if (free.length === 0) return null;
  const rest = 1 - cap * atCap.length;
  if (rest < 0 || rest > cap * free.length) return null;
  const n = free.length;
  const system = free.map((i) => [
    ...free.map((j) => gram[i]![j]!),
    -1,
    -cap * atCap.reduce((sum, j) => sum + gram[i]![j]!, 0),
  ]);
  system.push([...new Array<number>(n).fill(1), 0, rest]);
  const solution = solveLinear(system);
  if (!solution) return null;
  const lambda = state.map((s) => (s === 1 ? cap : 0));
  free.forEach((i, k) => (lambda[i] = solution[k]!));
  return lambda;
}

/** Gaussian elimination with partial pivoting on an augmented n × (n + 1) matrix (modified in place); null if singular. */
function solveLinear(augmented: number[][]): number[] | null {
  const n = augmented.length;
  const scale = Math.max(...augmented.flatMap((row) => row.slice(0, n).map(Math.abs)));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(augmented[r]![col]!) > Math.abs(augmented[pivot]![col]!)) pivot = r;
    if (Math.abs(augmented[pivot]![col]!) <= 1e-12 * scale) return null;
    [augmented[col], augmented[pivot]] = [augmented[pivot]!, augmented[col]!];
    const pivotRow = augmented[col]!;
    for (let r = col + 1; r < n; r++) {
      const row = augmented[r]!;
      const factor = row[col]! / pivotRow[col]!;
      for (let c = col; c <= n; c++) row[c]! -= factor * pivotRow[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = augmented[r]!;
    let sum = row[n]!;
    for (let c = r + 1; c < n; c++) sum -= row[c]! * x[c]!;
    x[r] = sum / row[r]!;
  }
  return x;
}
