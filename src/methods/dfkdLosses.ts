/**
 * Data-free KD losses (../shared/spec/methods.md Part B §3, bigdata-inha/TA-DFKD-Official).
 */
import * as tf from '@tensorflow/tfjs';

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
