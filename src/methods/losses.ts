/**
 * Loss functions shared by the methods, exactly as ../shared/spec/methods.md states. These are the
 * functions the training loop calls and the reference test checks; there is no parallel copy.
 */
import * as tf from '@tensorflow/tfjs';

/** Mean softmax cross-entropy against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const logProbs = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(labels, numClasses)), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/**
 * Per-sample Hinton KD: T^2 * sum_c p_t (log p_t - log p_s), shape [B].
 * The teacher term uses log_softmax(z_t / T), never log(p_t), so 0 * log 0 cannot produce NaN.
 */
export function kdLossPerSample(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number): tf.Tensor1D {
  return tf.tidy(() => {
    const logPs = tf.logSoftmax(tf.div(student, temperature));
    const logPt = tf.logSoftmax(tf.div(teacher, temperature));
    const pt = tf.exp(logPt);
    return tf.mul(tf.sum(tf.mul(pt, tf.sub(logPt, logPs)), 1), temperature * temperature);
  });
}

/** Hinton KD with "batchmean" reduction: sum over classes, mean over the batch, times T^2. */
export function kdLoss(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => tf.mean(kdLossPerSample(student, teacher, temperature)));
}

/** Mean over batch and classes of (z_s - z_t)^2 (seed 001's variant, nn.MSELoss). */
export function logitMse(student: tf.Tensor2D, teacher: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(student, teacher)));
}
