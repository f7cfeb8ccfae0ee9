/**
 * Grouped convolution (PyTorch `Conv2d(in, out, k, groups=g)`), which tfjs's conv2d lacks: ShuffleNetV1's
 * 1x1 group convolutions. Input channels are cut into g consecutive groups, output channels likewise, and
 * group i of the output sees only group i of the input, as in PyTorch.
 *
 * The kernel is stored as [kh, kw, in / g, out]: PyTorch's weight [out, in / g, kh, kw] under the same
 * transpose as an ordinary conv kernel, so checkpoints convert with the conv2d layout. The forward splits
 * input and kernel into g slices, runs g ordinary convolutions and concatenates: g times fewer
 * multiply-adds than a block-diagonal kernel, and split/concat have exact gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNorm, convKernelInit, type BatchNorm, type ConvInit, type ParamStore } from './layers';

export interface GroupedConv2d {
  readonly kind: 'groupedConv2d';
  readonly kernel: tf.Variable; // [kh, kw, in / groups, out]
  readonly groups: number;
  readonly stride: number;
  readonly pad: number;
  apply(x: tf.Tensor4D): tf.Tensor4D;
}

export interface GroupedConv2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  groups: number;
  stride?: number;
  init?: ConvInit;
}

/** conv2d with `groups` groups, NHWC; `kernel` is [kh, kw, in / groups, out]. groups = 1 is tf.conv2d. */
export function groupedConv(x: tf.Tensor4D, kernel: tf.Tensor4D, groups: number, stride: number, pad: number): tf.Tensor4D {
  if (groups === 1) return tf.conv2d(x, kernel, stride, pad);
  const inputs = tf.split(x, groups, 3) as tf.Tensor4D[];
  const kernels = tf.split(kernel, groups, 3) as tf.Tensor4D[];
  return tf.concat(inputs.map((input, i) => tf.conv2d(input, kernels[i]!, stride, pad) as tf.Tensor4D), 3);
}

/** Bias-free (every use is followed by BatchNorm); padding floor(k / 2). */
export function groupedConv2d(store: ParamStore, name: string, options: GroupedConv2dOptions): GroupedConv2d {
  const { inChannels, outChannels, kernelSize: k, groups } = options;
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new RangeError(`${name}: ${inChannels} -> ${outChannels} channels do not split into ${groups} groups`);
  }
  const stride = options.stride ?? 1;
  const pad = Math.floor(k / 2);
  const inPerGroup = inChannels / groups;
  const kernel = store.create(`${name}/kernel`, [k, k, inPerGroup, outChannels], convKernelInit(store, options.init ?? 'kaimingFanOut', k, inPerGroup, outChannels));
  return {
    kind: 'groupedConv2d',
    kernel,
    groups,
    stride,
    pad,
    apply: (x) => groupedConv(x, kernel as tf.Tensor4D, groups, stride, pad),
  };
}

/** A grouped conv and the BatchNorm after it. */
export interface GroupedConvBn {
  readonly kind: 'groupedConvBn';
  readonly conv: GroupedConv2d;
  readonly bn: BatchNorm;
  /** Pre-activation output. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export function groupedConvBn(store: ParamStore, convName: string, bnName: string, options: GroupedConv2dOptions): GroupedConvBn {
  const conv = groupedConv2d(store, convName, options);
  const bn = batchNorm(store, bnName, options.outChannels);
  return { kind: 'groupedConvBn', conv, bn, apply: (x, training) => bn.apply(conv.apply(x), training) };
}

/**
 * ShuffleNet's channel shuffle, NHWC: channels viewed as [groups, C / groups], transposed, flattened, so
 * output channel j·groups + i is input channel i·(C / groups) + j (PyTorch's view-permute-reshape on NCHW).
 */
export function channelShuffle(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  if (groups === 1) return x;
  const [n, h, w, c] = x.shape;
  return tf.reshape(tf.transpose(tf.reshape(x, [n, h, w, groups, c / groups]), [0, 1, 2, 4, 3]), [n, h, w, c]);
}
