/**
 * Training-mode BatchNorm as one op with its own gradient: batch moments in the forward, and the backward
 * written as PyTorch's closed form with broadcasting ops,
 *   dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat)),  dgamma = sum(dy * xhat),  dbeta = sum(dy).
 * tf.moments + tf.batchNorm instead differentiates through the moments with Tile-broadcast gradients, which
 * cost more than the convolutions on the CPU and wasm backends. The batch moments come back beside the
 * output, off the tape: the caller updates the running statistics with them. (When TA-DFKD's L_BNS observes
 * a layer, layers.ts takes tf.moments on the tape beside this op, so the loss differentiates through them.)
 * The per-channel sums accumulate in float64 where the backend has a kernel for it, as PyTorch's do
 * (channelStatistics.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { channelGradientSums, channelMoments } from './channelStatistics';

export interface BatchNormTrainingResult<T extends tf.Tensor> {
  readonly y: T;
  /** Per-channel batch mean and biased variance, not on the gradient tape; the caller disposes them. */
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/** Normalises `x` ([N, C] or [N, H, W, C]) over all axes but the last with its own batch statistics. */
export function batchNormTraining<T extends tf.Tensor2D | tf.Tensor4D>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainingResult<T> {
  let moments: { mean: tf.Tensor1D; variance: tf.Tensor1D } | null = null;
  const op = tf.customGrad((input, scale, shift, save) => {
    const inputs = input as T;
    const { mean, variance, centred } = channelMoments(inputs);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(centred, invStd);
    moments = { mean: tf.keep(mean), variance: tf.keep(variance) };
    (save as tf.GradSaveFunc)([xhat, invStd, scale as tf.Tensor]);
    return {
      value: tf.add(tf.mul(xhat, scale as tf.Tensor), shift as tf.Tensor),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedXhat, savedInvStd, savedGamma] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
        const count = dy.size / savedGamma.size;
        const { dBeta, dGamma } = channelGradientSums(dy, savedXhat);
        const correction = tf.add(tf.div(dBeta, count), tf.mul(savedXhat, tf.div(dGamma, count)));
        const dx = tf.mul(tf.sub(dy, correction), tf.mul(savedGamma, savedInvStd));
        return [dx, dGamma, dBeta];
      },
    };
  });
  const y = op(x, gamma, beta) as T;
  const { mean, variance } = moments!;
  return { y, mean, variance };
}
