/**
 * REFILLED's two losses (../shared/spec/methods.md Part B §2, njulus/REFILLED at HEAD).
 *
 * Stage 1 mines semihard triplets on the student's normalised embedding and matches the teacher's and the
 * student's triplet probabilities σ((d_an − d_ap)/τ1). Mining is a dense [B, B, B] mask rather than a list
 * of index triples: it stays on the GPU with no read-back, costs 4·B³ bytes per tensor (8 MB at B = 128) and
 * needs no cap on the triplet count. Stage 2 distils per-sample similarities to global class centres.
 */
import * as tf from '@tensorflow/tfjs';
import { crossEntropy, kdLoss } from './losses';

/** REFILLED defaults: miner margin, stage-1 τ1, stage-2 τ2 and stage-2 weight λ. */
export const REFILLED_DEFAULTS = { margin: 0.2, tau1: 4, tau2: 2, lambda: 100 } as const;

/** Stage-1 scale: 1000 × 'batchmean' KL over the 2N stacked [P; 1 − P] is 500 × the mean binary KL. */
const TRIPLET_LOSS_SCALE = 500;

/** Squared distances are floored here so the square root's gradient stays finite at coincident points. */
const MIN_SQUARED_DISTANCE = 1e-12;

/**
 * Stands in for the logits of classes absent from the batch: softmax gives them exactly 0 probability, and
 * unlike −∞ it leaves p·(log p − log q) = 0·(finite) rather than NaN.
 */
const ABSENT_CLASS_LOGIT = -1e9;

/**
 * log σ(x) = −softplus(−x), finite for any x. Not tf.logSigmoid: its custom gradient closes over its input
 * instead of saving it, so when that input is an intermediate of a tidy, backprop reads a disposed tensor.
 */
const logSigmoid = (x: tf.Tensor) => tf.neg(tf.softplus(tf.neg(x)));

/** Rows divided by their L2 norm, floored at 1e-12 as torch's F.normalize does (a zero row stays zero). */
export function l2NormalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 2, 1, true), 1e-12)) as tf.Tensor2D);
}

/** Euclidean distance matrix [B, B] between the rows of x, from ‖a‖² + ‖b‖² − 2a·b. */
export function pairwiseDistances(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const squaredNorms = tf.sum(tf.square(x), 1, true);
    const squared = tf.sub(tf.add(squaredNorms, tf.transpose(squaredNorms)), tf.mul(tf.matMul(x, x, false, true), 2));
    return tf.sqrt(tf.maximum(squared, MIN_SQUARED_DISTANCE)) as tf.Tensor2D;
  });
}

/** gap[a, p, n] = d[a, n] − d[a, p], [B, B, B]. */
function tripletGaps(distances: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => tf.sub(tf.expandDims(distances, 1), tf.expandDims(distances, 2)));
}

/**
 * pytorch-metric-learning's TripletMarginMiner(margin, 'semihard') as a 0/1 float mask [B, B, B] over
 * (anchor, positive, negative): y_a = y_p, a ≠ p, y_n ≠ y_a and 0 < d_an − d_ap ≤ margin, on `distances`.
 *
 * The mask is built with tf.step, whose gradient is zero, so mining on the student's distances passes no
 * gradient (the reference mines under no_grad); tfjs comparison ops have no gradient at all and would make
 * backprop throw.
 */
export function semihardTripletMask(distances: tf.Tensor2D, labels: tf.Tensor1D, margin: number): tf.Tensor3D {
  return tf.tidy(() => semihardMaskFromGaps(tripletGaps(distances), labels, margin));
}

function semihardMaskFromGaps(gaps: tf.Tensor3D, labels: tf.Tensor1D, margin: number): tf.Tensor3D {
  return tf.tidy(() => {
    const sameLabel = tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0));
    const positive = tf.logicalAnd(sameLabel, tf.logicalNot(tf.cast(tf.eye(labels.shape[0]), 'bool')));
    const valid = tf.logicalAnd(tf.expandDims(positive, 2), tf.expandDims(tf.logicalNot(sameLabel), 1));
    // step(g) is 1 for g > 0; 1 − step(g − margin) is 1 for g ≤ margin.
    const semihard = tf.mul(tf.step(gaps), tf.sub(1, tf.step(tf.sub(gaps, margin))));
    return tf.mul(tf.cast(valid, 'float32'), semihard);
  });
}

/** A type alias rather than an interface, so that it is a tf.TensorContainer that tf.tidy can return. */
export type TripletLoss = {
  readonly loss: tf.Scalar;
  /** Number of mined triplets, int32, for logging; the loss is 0 when it is 0. */
  readonly triplets: tf.Scalar;
};

/**
 * Stage-1 loss (default, non-merge mode): 500 · mean over mined triplets of BinKL(P_t ‖ P_s), where
 * P = σ((d_an − d_ap)/τ1) on the L2-normalised teacher (P_t) or student (P_s) embedding and
 * BinKL(p ‖ q) = p·log(p/q) + (1 − p)·log((1 − p)/(1 − q)). Mining passes no gradient; the teacher
 * embedding is a constant of the training step.
 */
export function refilledTripletLoss(
  studentEmbedding: tf.Tensor2D,
  teacherEmbedding: tf.Tensor2D,
  labels: tf.Tensor1D,
  tau1: number = REFILLED_DEFAULTS.tau1,
  margin: number = REFILLED_DEFAULTS.margin,
): TripletLoss {
  return tf.tidy(() => {
    const studentDistances = pairwiseDistances(l2NormalizeRows(studentEmbedding));
    const teacherDistances = pairwiseDistances(l2NormalizeRows(teacherEmbedding));
    const studentGaps = tripletGaps(studentDistances);
    const mask = semihardMaskFromGaps(studentGaps, labels, margin);
    const xs = tf.div(studentGaps, tau1);
    const xt = tf.div(tripletGaps(teacherDistances), tau1);
    // log P and log(1 − P) = log σ(−x) in closed form stay finite, so q needs no clamping away from 0.
    const pt = tf.sigmoid(xt);
    const binaryKl = tf.add(
      tf.mul(pt, tf.sub(logSigmoid(xt), logSigmoid(xs))),
      tf.mul(tf.sub(1, pt), tf.sub(logSigmoid(tf.neg(xt)), logSigmoid(tf.neg(xs)))),
    );
    const count = tf.sum(mask);
    // With no triplet the sum is 0 and the divisor 1: a zero loss rather than 0/0.
    const loss = tf.mul(tf.div(tf.sum(tf.mul(mask, binaryKl)), tf.maximum(count, 1)), TRIPLET_LOSS_SCALE);
    return { loss: loss as tf.Scalar, triplets: tf.cast(count, 'int32') as tf.Scalar };
  });
}

/**
 * Stage-2 distillation term: KL(softmax(t/τ2) ‖ softmax(s_K/τ2)), summed over the classes K present in the
 * batch and averaged over the batch, without a τ² factor. Teacher logits are t[i, k] = ⟨e_T(x_i), c_k⟩ with
 * c_k the L2-normalised `centers` row k (raw per-class sums of teacher embeddings; normalised here), and s_K
 * the student's logits restricted to K. [B, C] student logits, [B, D] embedding, [C, D] centres.
 */
export function refilledLocalKd(
  studentLogits: tf.Tensor2D,
  teacherEmbedding: tf.Tensor2D,
  centers: tf.Tensor2D,
  labels: tf.Tensor1D,
  tau2: number = REFILLED_DEFAULTS.tau2,
): tf.Scalar {
  const numClasses = studentLogits.shape[1];
  if (centers.shape[0] !== numClasses) {
    throw new RangeError(`${centers.shape[0]} class centres for ${numClasses} student logits`);
  }
  return tf.tidy(() => {
    const teacherLogits = tf.matMul(teacherEmbedding, l2NormalizeRows(centers), false, true) as tf.Tensor2D;
    const present = tf.greater(tf.sum(tf.oneHot(labels, numClasses), 0), 0);
    const restrict = (logits: tf.Tensor2D) => tf.where(present, logits, ABSENT_CLASS_LOGIT) as tf.Tensor2D;
    // kdLoss is T²·batchmean KL at temperature τ2; this term has no T².
    return tf.div(kdLoss(restrict(studentLogits), restrict(teacherLogits), tau2), tau2 * tau2) as tf.Scalar;
  });
}

/** Stage-2 loss: CE(s, y) over all classes + λ·`refilledLocalKd`. */
export function refilledStage2Loss(
  studentLogits: tf.Tensor2D,
  teacherEmbedding: tf.Tensor2D,
  centers: tf.Tensor2D,
  labels: tf.Tensor1D,
  tau2: number = REFILLED_DEFAULTS.tau2,
  lambda: number = REFILLED_DEFAULTS.lambda,
): tf.Scalar {
  return tf.tidy(() =>
    tf.add(
      crossEntropy(studentLogits, labels),
      tf.mul(refilledLocalKd(studentLogits, teacherEmbedding, centers, labels, tau2), lambda),
    ),
  );
}
