/**
 * Depthwise 3x3 convolution (PyTorch `Conv2d(c, c, k, groups=c)`), the one layer MobileNetV2 needs beyond
 * `layers.ts`. Same conventions as there: explicit parameters, NHWC, seeded init in creation order.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from './layers';

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
}

/** Without bias (every use is followed by BatchNorm); padding floor(k / 2), as PyTorch's `padding=1` for 3x3. */
export function depthwiseConv2d(store: ParamStore, name: string, options: DepthwiseConv2dOptions): DepthwiseConv2d {
  const { channels, kernelSize: k } = options;
  const stride = options.stride ?? 1;
  const pad = Math.floor(k / 2);
  // RepDistiller's _initialize_weights takes n = k*k*out_channels for every conv and ignores `groups`, so a
  // depthwise kernel gets std sqrt(2 / (k*k*channels)), not PyTorch's grouped fan-out sqrt(2 / (k*k)).
  const kernel = store.create(`${name}/kernel`, [k, k, channels, 1], store.normal(k * k * channels, Math.sqrt(2 / (k * k * channels))));
  return {
    kind: 'depthwiseConv2d',
    kernel,
    stride,
    pad,
    apply: (x) => tf.depthwiseConv2d(x, kernel as tf.Tensor4D, stride, pad),
  };
}
