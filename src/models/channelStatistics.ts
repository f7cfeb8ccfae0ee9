/**
 * BatchNorm's per-channel sums, through a backend's own float64-accumulating kernel where it registers one
 * (wasm does: src/training/wasm/trainingKernels.ts), else through tfjs reductions. PyTorch's CPU BatchNorm
 * accumulates these sums in double; float32 reductions over 65,536 values per channel (batch 64 at 32x32)
 * err about 60 times more, a perturbation every step that set our runs apart from PyTorch's by more than
 * PyTorch's own float noise does (the README's reproduction section).
 */
import * as tf from '@tensorflow/tfjs';

/** x [rows..., C] -> [mean [C], biased variance [C]]. */
export const CHANNEL_MOMENTS_KERNEL = 'DistilleryChannelMoments';
/** dy, xhat [rows..., C] -> [sum of dy [C], sum of dy * xhat [C]]. */
export const CHANNEL_GRADIENT_SUMS_KERNEL = 'DistilleryChannelGradientSums';

function backendKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/**
 * Mean and biased variance over every axis but the last, and x minus that mean (the normalisation needs it,
 * and the tfjs path computes the variance from it, so it is taken once).
 */
export function channelMoments(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D; centred: tf.Tensor } {
  if (backendKernel(CHANNEL_MOMENTS_KERNEL)) {
    const [mean, variance] = tf.engine().runKernel(CHANNEL_MOMENTS_KERNEL, { x }, {}) as tf.Tensor1D[];
    return { mean: mean!, variance: variance!, centred: tf.sub(x, mean!) };
  }
  const axes = [...Array(x.rank - 1).keys()];
  const mean = tf.mean(x, axes) as tf.Tensor1D;
  const centred = tf.sub(x, mean);
  return { mean, variance: tf.tidy(() => tf.mean(tf.square(centred), axes) as tf.Tensor1D), centred };
}

/** BatchNorm's parameter gradients: dBeta = sum of dy, dGamma = sum of dy * xhat, over every axis but the last. */
export function channelGradientSums(dy: tf.Tensor, xhat: tf.Tensor): { dBeta: tf.Tensor1D; dGamma: tf.Tensor1D } {
  if (backendKernel(CHANNEL_GRADIENT_SUMS_KERNEL)) {
    const [dBeta, dGamma] = tf.engine().runKernel(CHANNEL_GRADIENT_SUMS_KERNEL, { dy, xhat }, {}) as tf.Tensor1D[];
    return { dBeta: dBeta!, dGamma: dGamma! };
  }
  const axes = [...Array(dy.rank - 1).keys()];
  return { dBeta: tf.sum(dy, axes) as tf.Tensor1D, dGamma: tf.tidy(() => tf.sum(tf.mul(dy, xhat), axes) as tf.Tensor1D) };
}
