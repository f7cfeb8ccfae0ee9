/**
 * The zoo's layers as the affine maps LRP works on, in eval mode. A BatchNorm with running statistics is
 * the per-channel map x ↦ x·scale + shift (scale = γ / sqrt(var + eps), shift = β − mean·scale); after a
 * convolution it is folded into that convolution's kernel and bias, so the rule sees one layer (the
 * standard LRP canonicalisation). A BatchNorm with no convolution right before it (the WRN's
 * pre-activation BNs) stays a per-channel affine layer of its own, to which the same rule applies.
 */
import * as tf from '@tensorflow/tfjs';
import type { DepthwiseConv2d } from '../../models/depthwise';
import type { GroupedConv2d } from '../../models/grouped';
import type { BatchNorm, Conv2d, ConvBn, Dense } from '../../models/layers';
import { channelLayer, convLayer, denseLayer, depthwiseLayer, groupedConvLayer, type AffineLayer } from './rules';

/** The eval-mode BatchNorm's parameters, by value (a model's BatchNorm or one read from its ParamStore). */
export interface BatchNormParameters {
  readonly gamma: tf.Tensor;
  readonly beta: tf.Tensor;
  readonly runningMean: tf.Tensor;
  readonly runningVariance: tf.Tensor;
  readonly epsilon: number;
}

/** BatchNorm in eval mode as x·scale + shift, per channel. */
function batchNormAffine(bn: BatchNormParameters): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  const scale = tf.div(bn.gamma, tf.sqrt(tf.add(bn.runningVariance, bn.epsilon))) as tf.Tensor1D;
  const shift = tf.sub(bn.beta, tf.mul(bn.runningMean, scale)) as tf.Tensor1D;
  return { scale, shift };
}

/** A bias the fold can add to: the convolution's own, or zero. */
function foldedBias(bias: tf.Tensor | null, scale: tf.Tensor1D, shift: tf.Tensor1D): tf.Tensor1D {
  return (bias ? tf.add(tf.mul(bias, scale), shift) : shift) as tf.Tensor1D;
}

/** A convolution (any bias, stride, padding) as it stands, or followed by `bn`, folded. */
export function foldConv(conv: Pick<Conv2d, 'kernel' | 'bias' | 'stride' | 'pad'>, bn: BatchNormParameters | null): AffineLayer {
  const kernel = conv.kernel as tf.Tensor4D;
  const bias = conv.bias as tf.Tensor1D | null;
  if (!bn) return convLayer(kernel, bias, conv.stride, conv.pad);
  const { scale, shift } = batchNormAffine(bn);
  // The kernel's last axis is the output channel, which the BN scales.
  return convLayer(tf.mul(kernel, scale) as tf.Tensor4D, foldedBias(bias, scale, shift), conv.stride, conv.pad);
}

/** A ConvBn unit (conv then BN), folded. */
export function foldConvBn(unit: ConvBn): AffineLayer {
  return foldConv(unit.conv, unit.bn);
}

/** A bias-free depthwise convolution followed by `bn`, folded: kernel [kh, kw, C, 1] scaled per channel C. */
export function foldDepthwise(conv: DepthwiseConv2d, bn: BatchNorm): AffineLayer {
  const { scale, shift } = batchNormAffine(bn);
  const kernel = tf.mul(conv.kernel, tf.reshape(scale, [-1, 1])) as tf.Tensor4D;
  return depthwiseLayer(kernel, shift, conv.stride, conv.pad);
}

/** A bias-free grouped convolution followed by `bn`, folded: the kernel's last axis is the output channel. */
export function foldGroupedConv(conv: GroupedConv2d, bn: BatchNorm): AffineLayer {
  const { scale, shift } = batchNormAffine(bn);
  return groupedConvLayer(tf.mul(conv.kernel, scale) as tf.Tensor4D, shift, conv.groups, conv.stride, conv.pad);
}

/** A BatchNorm that no convolution precedes, as its own per-channel affine layer. */
export function batchNormLayer(bn: BatchNormParameters): AffineLayer {
  const { scale, shift } = batchNormAffine(bn);
  return channelLayer(scale, shift);
}

export function dense(layer: Pick<Dense, 'weight' | 'bias'>): AffineLayer {
  return denseLayer(layer.weight as tf.Tensor2D, layer.bias as tf.Tensor1D);
}
