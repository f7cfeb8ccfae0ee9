/**
 * RepDistiller's ConvReg: maps a student feature map onto a teacher's shape, then BatchNorm and ReLU.
 * - H_s = 2 H_t: conv 3x3, stride 2, pad 1;
 * - 2 H_s = H_t: transposed conv 4x4, stride 2, pad 1;
 * - H_s >= H_t: conv with kernel (1 + H_s - H_t) x (1 + W_s - W_t), no padding;
 * - otherwise (RepDistiller raises): the CA-MKD copy's fix, bilinear upsampling to H_t then conv 3x3, pad 1.
 * Every convolution has a bias, as in the reference.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNorm, conv2d, type ParamStore } from '../../models/layers';
import { resizeBilinearHalfPixel } from '../../models/resize';

export interface ConvReg {
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export function convReg(store: ParamStore, name: string, student: readonly number[], teacher: readonly number[]): ConvReg {
  const [hs, ws, cs] = student as [number, number, number];
  const [ht, wt, ct] = teacher as [number, number, number];
  const bn = batchNorm(store, `${name}/bn`, ct);
  const finish = (y: tf.Tensor4D, training: boolean) => tf.relu(bn.apply(y, training));

  if (hs === 2 * ht) {
    const conv = conv2d(store, `${name}/conv`, { inChannels: cs, outChannels: ct, kernelSize: 3, stride: 2, pad: 1, bias: true });
    return { apply: (x, training) => finish(conv.apply(x), training) };
  }
  if (2 * hs === ht) {
    // Transposed conv as tfjs lays out its filter: [kh, kw, out, in]; PyTorch-style uniform init.
    const bound = 1 / Math.sqrt(ct * 16);
    const kernel = store.create(`${name}/deconv/kernel`, [4, 4, ct, cs], store.uniform(16 * ct * cs, bound));
    const bias = store.create(`${name}/deconv/bias`, [ct], store.uniform(ct, bound));
    return {
      apply: (x, training) => finish(tf.add(tf.conv2dTranspose(x, kernel as tf.Tensor4D, [x.shape[0], ht, wt, ct], 2, 1), bias), training),
    };
  }
  if (hs >= ht) {
    const kernelSize = 1 + hs - ht;
    if (ws - wt !== hs - ht) throw new Error(`ConvReg: non-square feature maps (${hs}x${ws} -> ${ht}x${wt}) are not supported`);
    const conv = conv2d(store, `${name}/conv`, { inChannels: cs, outChannels: ct, kernelSize, pad: 0, bias: true });
    return { apply: (x, training) => finish(conv.apply(x), training) };
  }
  const conv = conv2d(store, `${name}/conv`, { inChannels: cs, outChannels: ct, kernelSize: 3, pad: 1, bias: true });
  return { apply: (x, training) => finish(conv.apply(resizeBilinearHalfPixel(x, [ht, wt])), training) };
}
