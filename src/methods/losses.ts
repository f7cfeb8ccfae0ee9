/**
 * Loss functions shared by the methods, exactly as ../shared/spec/methods.md states. These are the
 * functions the training loop calls and the reference test checks; there is no parallel copy.
 */
import * as tf from '@tensorflow/tfjs';

/** Softmax cross-entropy of each sample against integer labels, shape [B]. */
export function crossEntropyPerSample(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, logits.shape[1])), 1)) as tf.Tensor1D);
}

/** Mean softmax cross-entropy against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(crossEntropyPerSample(logits, labels)));
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

/** The value of `x` as a constant: no gradient flows back through it (tfjs has no stop_gradient op). */
export const detach = tf.customGrad((...inputs) => {
  const x = inputs[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as <T extends tf.Tensor>(x: T) => T;

/**
 * The sum of same-shaped tensors, added pairwise. tf.addN binds every input at once on WebGPU and returns
 * zeros past the device's storage-buffer limit (8, WebGPU's default), so a long list goes through this.
 */
export function sumTensors<T extends tf.Tensor>(tensors: readonly T[]): T {
  if (tensors.length === 0) throw new Error('sumTensors needs at least one tensor');
  return tensors.reduce((a, b) => tf.add(a, b) as T);
}
