/**
 * The per-layer LRP rules (Montavon et al. 2019, "Layer-Wise Relevance Propagation: An Overview"), for every
 * linear map a CNN of the zoo contains: dense, convolution, depthwise and grouped convolution, a per-channel affine map
 * (a BatchNorm that cannot be folded into a convolution), pooling and the residual sum.
 *
 * Every rule is R_in = a ⊙ (ρ(W)ᵀ (R_out / stabilise(z_ρ))). The transpose is the map's input gradient:
 * for a map linear in a, ∂/∂a Σ(linear_ρ(a) ⊙ s) = ρ(W)ᵀ s with s held constant, exact for any stride,
 * padding or grouping. Dense and convolution layers call their transposed op directly (no forward replay);
 * the others take it from tf.grad.
 */
import * as tf from '@tensorflow/tfjs';
import { groupedConv } from '../../models/grouped';
import type { LrpRule } from '../relevance';

/** z+ adds this to every denominator instead of a signed ε (here and in relevance.ts's lrpDense). */
const ZPLUS_STABILISER = 1e-12;

/**
 * An affine map a ↦ linear(a, weight) + bias whose weight the rules may modify. `linear` must be linear in
 * `a` for any weight of `weight`'s shape: the rules call it with ρ(weight).
 */
export interface AffineLayer {
  readonly weight: tf.Tensor;
  /** One per output channel (last axis); null: no bias term. */
  readonly bias: tf.Tensor1D | null;
  linear(a: tf.Tensor, weight: tf.Tensor): tf.Tensor;
  /** Weightᵀ s, shaped like `a` (the input `linear` was applied to). */
  transpose(s: tf.Tensor, weight: tf.Tensor, a: tf.Tensor): tf.Tensor;
}

/** ∂/∂a Σ(linear(a) ⊙ s): the transpose of any map linear in a, applied to s. */
function gradientTranspose(linear: (a: tf.Tensor) => tf.Tensor, s: tf.Tensor, a: tf.Tensor): tf.Tensor {
  return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(linear(input), s)))(a);
}

export function applyAffine(layer: AffineLayer, a: tf.Tensor): tf.Tensor {
  const linear = layer.linear(a, layer.weight);
  return layer.bias ? tf.add(linear, layer.bias) : linear;
}

/** 2D convolution, NHWC, kernel [kh, kw, in, out], symmetric zero padding `pad`. */
export function convLayer(kernel: tf.Tensor4D, bias: tf.Tensor1D | null, stride: number, pad: number): AffineLayer {
  return {
    weight: kernel,
    bias,
    linear: (a, weight) => tf.conv2d(a as tf.Tensor4D, weight as tf.Tensor4D, stride, pad),
    // The conv's input gradient, for a's exact shape (a stride-2 conv maps several input sizes to one output).
    transpose: (s, weight, a) => tf.conv2dTranspose(s as tf.Tensor4D, weight as tf.Tensor4D, a.shape as [number, number, number, number], stride, pad),
  };
}

/** Depthwise convolution, NHWC, kernel [kh, kw, channels, 1]. */
export function depthwiseLayer(kernel: tf.Tensor4D, bias: tf.Tensor1D | null, stride: number, pad: number): AffineLayer {
  const linear = (a: tf.Tensor, weight: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, weight as tf.Tensor4D, stride, pad);
  // tfjs exports no depthwise input-gradient op.
  return { weight: kernel, bias, linear, transpose: (s, weight, a) => gradientTranspose((input) => linear(input, weight), s, a) };
}

/** Grouped convolution (models/grouped.ts), NHWC, kernel [kh, kw, in / groups, out]. */
export function groupedConvLayer(kernel: tf.Tensor4D, bias: tf.Tensor1D | null, groups: number, stride: number, pad: number): AffineLayer {
  const linear = (a: tf.Tensor, weight: tf.Tensor) => groupedConv(a as tf.Tensor4D, weight as tf.Tensor4D, groups, stride, pad);
  return { weight: kernel, bias, linear, transpose: (s, weight, a) => gradientTranspose((input) => linear(input, weight), s, a) };
}

/** a @ weight + bias, weight [in, out]. */
export function denseLayer(weight: tf.Tensor2D, bias: tf.Tensor1D | null): AffineLayer {
  return {
    weight,
    bias,
    linear: (a, w) => tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D),
    transpose: (s, w) => tf.matMul(s as tf.Tensor2D, w as tf.Tensor2D, false, true),
  };
}

/** a ⊙ scale + shift per channel (last axis): a diagonal dense layer, so the rules apply to it as to any other. */
export function channelLayer(scale: tf.Tensor1D, shift: tf.Tensor1D | null): AffineLayer {
  return { weight: scale, bias: shift, linear: (a, weight) => tf.mul(a, weight), transpose: (s, weight) => tf.mul(s, weight) };
}

/**
 * The rule's modified weight and bias (null: no bias term), for any layer with a weight of shape W: the
 * affine layers here and relevance.ts's dense layers alike.
 */
export function ruleParameters<W extends tf.Tensor>(
  layer: { readonly weight: W; readonly bias: tf.Tensor1D | null },
  rule: LrpRule,
): { weight: W; bias: tf.Tensor1D | null } {
  switch (rule.name) {
    case 'epsilon':
      return layer;
    case 'gamma':
      return {
        weight: tf.add(layer.weight, tf.mul(tf.relu(layer.weight), rule.gamma)) as W,
        bias: layer.bias ? (tf.add(layer.bias, tf.mul(tf.relu(layer.bias), rule.gamma)) as tf.Tensor1D) : null,
      };
    case 'zplus':
      return { weight: tf.relu(layer.weight), bias: null };
  }
}

/** z moved away from 0: by ε·sign(z) (sign(0) = +1) for epsilon and gamma, by a tiny constant for z+. */
export function stabilise(z: tf.Tensor, rule: LrpRule): tf.Tensor {
  if (rule.name === 'zplus') return tf.add(z, ZPLUS_STABILISER);
  const sign = tf.sub(tf.mul(tf.cast(tf.greaterEqual(z, 0), 'float32'), 2), 1);
  return tf.add(z, tf.mul(sign, rule.epsilon));
}

/**
 * Relevance of an affine layer's input `a`, given the relevance of its output. `z` is the layer's output on
 * `a` when the caller has it: the epsilon rule's denominator, which it need not recompute.
 */
export function affineRelevance(layer: AffineLayer, a: tf.Tensor, relevance: tf.Tensor, rule: LrpRule, z?: tf.Tensor): tf.Tensor {
  const { weight, bias } = ruleParameters(layer, rule);
  let denominator = rule.name === 'epsilon' ? z : undefined;
  if (!denominator) {
    const linear = layer.linear(a, weight);
    denominator = bias ? tf.add(linear, bias) : linear;
  }
  return tf.mul(a, layer.transpose(tf.div(relevance, stabilise(denominator, rule)), weight, a));
}

/**
 * Relevance through a pooling map (average or max) of non-negative inputs. Average pooling is linear with
 * positive weights, so every rule reduces to this (γ scales numerator and denominator alike); for max
 * pooling the gradient routes R / max to the winning input, which times a gives it all of R (winner takes all).
 * `pooled` is pool(a).
 */
export function poolRelevance(pool: (a: tf.Tensor) => tf.Tensor, a: tf.Tensor, pooled: tf.Tensor, relevance: tf.Tensor, rule: LrpRule): tf.Tensor {
  return tf.mul(a, gradientTranspose(pool, tf.div(relevance, stabilise(pooled, rule)), a));
}

/** Relevance through a map that only moves values (a channel shuffle or slice): moved back unchanged. */
export function rearrangeRelevance(map: (a: tf.Tensor) => tf.Tensor, a: tf.Tensor, relevance: tf.Tensor): tf.Tensor {
  return gradientTranspose(map, relevance, a);
}

/** Relevance of the operands of out = a + b, in proportion to their contributions to the (stabilised) sum. */
export function sumRelevance(a: tf.Tensor, b: tf.Tensor, relevance: tf.Tensor, rule: LrpRule): [tf.Tensor, tf.Tensor] {
  const s = tf.div(relevance, stabilise(tf.add(a, b), rule));
  return [tf.mul(a, s), tf.mul(b, s)];
}
