/**
 * Data-free KD losses (../shared/spec/methods.md Part B §3, bigdata-inha/TA-DFKD-Official).
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchStatistics } from '../models/layers';

/** Temperature of TA-DFKD's adversarial JS divergence (hard-coded `/3` in the reference). */
export const DFKD_ADVERSARIAL_TEMPERATURE = 3;

/** P, Q and M are clamped to this range before the logs, as the reference does. */
const PROBABILITY_RANGE = { min: 0.01, max: 0.99 } as const;

/**
 * TA-DFKD's generator loss L_adv = 1 − clamp(JS, 0, 1). P = softmax(s/T), Q = softmax(t/T), M = (P + Q)/2
 * (taken before clamping), each clamped to [0.01, 0.99]; JS = ½·KL(M‖P) + ½·KL(M‖Q), each KL an elementwise
 * mean over B×C (PyTorch KLDivLoss 'mean'), hence small. Minimising it maximises teacher–student disagreement.
 * The clamps keep every log finite, so there is no 0·log 0 to guard.
 */
export function dfkdAdversarialLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  temperature: number = DFKD_ADVERSARIAL_TEMPERATURE,
): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.softmax(tf.div(studentLogits, temperature));
    const q = tf.softmax(tf.div(teacherLogits, temperature));
    const clamp = (x: tf.Tensor) => tf.clipByValue(x, PROBABILITY_RANGE.min, PROBABILITY_RANGE.max);
    const m = clamp(tf.div(tf.add(p, q), 2));
    const logM = tf.log(m);
    const meanKlFromM = (other: tf.Tensor) => tf.mean(tf.mul(m, tf.sub(logM, tf.log(clamp(other)))));
    const js = tf.mul(tf.add(meanKlFromM(p), meanKlFromM(q)), 0.5);
    return tf.sub(1, tf.clipByValue(js, 0, 1)) as tf.Scalar;
  });
}

/** The reference's loss weights (TA-DFKD-main-CIFAR.py: --BNS 10, --R_tv 1.5e-5, --R_l2 6e-3). */
export const DFKD_GENERATOR_WEIGHTS = { adversarial: 1, bns: 10, tv: 1.5e-5, l2: 6e-3 } as const;

/**
 * ‖x‖₂ over every element (torch.norm's default, the Frobenius norm). Its gradient x/‖x‖ is set to 0 at
 * x = 0, as PyTorch's norm backward does; the plain sqrt(Σx²) would give 0·∞ = NaN there (e.g. the TV of a
 * flat image, or a BatchNorm whose batch statistics equal its running ones).
 */
export function euclideanNorm(x: tf.Tensor): tf.Scalar {
  return safeNorm(x);
}

const safeNorm: (x: tf.Tensor) => tf.Scalar = tf.customGrad((x, save) => {
  const input = x as tf.Tensor;
  const norm = tf.sqrt(tf.sum(tf.square(input))) as tf.Scalar;
  (save as tf.GradSaveFunc)([input, norm]);
  return {
    value: norm,
    gradFunc: (dy, saved) => {
      const [savedInput, savedNorm] = saved as [tf.Tensor, tf.Scalar];
      const divisor = tf.where(tf.greater(savedNorm, 0), savedNorm, tf.onesLike(savedNorm));
      return tf.mul(tf.div(savedInput, divisor), dy);
    },
  };
});

/**
 * L_BNS = Σ over the observed BatchNorm layers of ‖σ²_batch − σ²_run‖₂ + ‖μ_batch − μ_run‖₂: plain (not
 * squared) L2 norms, biased batch variance (DeepInversionFeatureHook). Gradients flow through the batch
 * moments only; the running statistics are constants. 0 for no layers.
 */
export function bnStatisticsLoss(statistics: readonly BatchStatistics[]): tf.Scalar {
  return tf.tidy(() =>
    statistics.reduce<tf.Scalar>(
      (sum, layer) =>
        tf.add(sum, tf.add(euclideanNorm(tf.sub(layer.variance, layer.runningVariance)), euclideanNorm(tf.sub(layer.mean, layer.runningMean)))),
      tf.scalar(0),
    ),
  );
}

/**
 * DeepInversion's l2 image prior: the sum of the (unsquared) Frobenius norms of the horizontal, vertical and
 * both diagonal neighbour differences. The reference slices NCHW; in NHWC its diagonals read
 * diff3 = x[:, 1:, :-1] − x[:, :-1, 1:] and diff4 = x[:, :-1, :-1] − x[:, 1:, 1:].
 */
export function totalVariationLoss(x: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const [batch, height, width, channels] = x.shape;
    /** x[:, rows, cols, :] with rows/cols as "drop the first" (1) or "drop the last" (0) neighbour. */
    const crop = (rowStart: 0 | 1, colStart: 0 | 1, rows: number, cols: number) =>
      tf.slice(x, [0, rowStart, colStart, 0], [batch, rows, cols, channels]);
    const horizontal = tf.sub(crop(0, 0, height, width - 1), crop(0, 1, height, width - 1));
    const vertical = tf.sub(crop(0, 0, height - 1, width), crop(1, 0, height - 1, width));
    const antiDiagonal = tf.sub(crop(1, 0, height - 1, width - 1), crop(0, 1, height - 1, width - 1));
    const diagonal = tf.sub(crop(0, 0, height - 1, width - 1), crop(1, 1, height - 1, width - 1));
    return tf.addN([horizontal, vertical, antiDiagonal, diagonal].map(euclideanNorm)) as tf.Scalar;
  });
}

/** TA-DFKD's student loss: F.l1_loss, the mean |s − t| over the B×C logits (no temperature, no CE). */
export function dfkdStudentLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(studentLogits, teacherLogits))));
}

export interface DfkdGeneratorLossTerms {
  /** dfkdAdversarialLoss on the selected samples. */
  readonly adversarial: tf.Scalar;
  /** bnStatisticsLoss of the teacher's last forward pass. */
  readonly bns: tf.Scalar;
  /** totalVariationLoss of `images`. */
  readonly tv: tf.Scalar;
  /** x̃: the train view of the whole generated batch; its Frobenius norm is the L2 prior. */
  readonly images: tf.Tensor4D;
}

/** L_G = L_adv + 10·L_BNS + 1.5e-5·L_TV + 6e-3·‖x̃‖₂ (weights: DFKD_GENERATOR_WEIGHTS). */
export function dfkdGeneratorLoss({ adversarial, bns, tv, images }: DfkdGeneratorLossTerms): tf.Scalar {
  const w = DFKD_GENERATOR_WEIGHTS;
  return tf.tidy(
    () => tf.addN([tf.mul(adversarial, w.adversarial), tf.mul(bns, w.bns), tf.mul(tv, w.tv), tf.mul(euclideanNorm(images), w.l2)]) as tf.Scalar,
  );
}

/**
 * Pseudo labels and per-sample losses of the clean-sample selection: ŷ = argmax of the teacher logits and
 * ℓ = CE(logits, ŷ) = −log max softmax, computed as logsumexp − max so it never takes the log of 0.
 */
export function pseudoLabelLosses(teacherLogits: tf.Tensor2D): { labels: tf.Tensor1D; losses: tf.Tensor1D } {
  return tf.tidy(() => ({
    labels: tf.argMax(teacherLogits, 1) as tf.Tensor1D,
    losses: tf.sub(tf.logSumExp(teacherLogits, 1), tf.max(teacherLogits, 1)) as tf.Tensor1D,
  }));
}
