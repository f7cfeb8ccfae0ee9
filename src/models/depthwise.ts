/**
 * Depthwise 3x3 convolution (PyTorch `Conv2d(c, c, k, groups=c)`), which MobileNetV2 and the ShuffleNets
 * need beyond `layers.ts`. Same conventions as there: explicit parameters, NHWC, seeded init in creation
 * order.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNorm, type BatchNorm, type ParamStore } from './layers';

export interface DepthwiseConv2d {
  readonly kind: 'depthwiseConv2d';
  readonly kernel: tf.Variable; // [kh, kw, channels, 1]: one filter per channel
  readonly stride: number;
  readonly pad: number;
  apply(x: tf.Tensor4D): tf.Tensor4D;
}

export interface DepthwiseConv2dOptions {
  channels: number;
  kernelSize: number;
  stride?: number;
  /**
   * 'repDistiller' (default): mobilenetv2.py's _initialize_weights, which takes n = k·k·out_channels for
   * every conv and ignores `groups`, so std sqrt(2 / (k·k·channels)), not the grouped fan-out sqrt(2 / (k·k)).
   * 'torchDefault': PyTorch's own init, U(±1 / sqrt(k·k)) (fan_in of one input channel), for the
   * ShuffleNets, which never re-initialise.
   */
  init?: 'repDistiller' | 'torchDefault';
}

/** Without bias (every use is followed by BatchNorm); padding floor(k / 2), as PyTorch's `padding=1` for 3x3. */
export function depthwiseConv2d(store: ParamStore, name: string, options: DepthwiseConv2dOptions): DepthwiseConv2d {
  const { channels, kernelSize: k } = options;
  const stride = options.stride ?? 1;
  const pad = Math.floor(k / 2);
  const count = k * k * channels;
  const values = options.init === 'torchDefault' ? store.uniform(count, 1 / k) : store.normal(count, Math.sqrt(2 / (k * k * channels)));
  const kernel = store.create(`${name}/kernel`, [k, k, channels, 1], values);
  return {
    kind: 'depthwiseConv2d',
    kernel,
    stride,
    pad,
    apply: (x) => tf.depthwiseConv2d(x, kernel as tf.Tensor4D, stride, pad),
  };
}

/** A depthwise conv and the BatchNorm after it. */
export interface DepthwiseBn {
  readonly kind: 'depthwiseBn';
  readonly conv: DepthwiseConv2d;
  readonly bn: BatchNorm;
  /** Pre-activation output. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export function depthwiseBn(store: ParamStore, convName: string, bnName: string, options: DepthwiseConv2dOptions): DepthwiseBn {
  const conv = depthwiseConv2d(store, convName, options);
  const bn = batchNorm(store, bnName, options.channels);
  return { kind: 'depthwiseBn', conv, bn, apply: (x, training) => bn.apply(conv.apply(x), training) };
}
