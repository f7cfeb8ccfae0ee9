import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { installFastCpuConvFilterGrad } from '../../src/training/cpuConvFilterGrad';

/** Reference: the filter gradient by tf.grad, computed with the kernel tfjs ships (by finite sums). */
function referenceFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], stride: number, pad: number): Float32Array {
  // d/dW sum(conv(x, W) * dy) computed directly from its definition.
  const [kh, kw, cin, cout] = filterShape;
  const [batch, h, w] = x.shape;
  const [, oh, ow] = dy.shape;
  const xv = x.dataSync();
  const dv = dy.dataSync();
  const out = new Float32Array(kh * kw * cin * cout);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let r = 0; r < kh; r++)
          for (let c = 0; c < kw; c++) {
            const xr = i * stride + r - pad;
            const xc = j * stride + c - pad;
            if (xr < 0 || xr >= h || xc < 0 || xc >= w) continue;
            for (let d1 = 0; d1 < cin; d1++)
              for (let d2 = 0; d2 < cout; d2++) out[((r * kw + c) * cin + d1) * cout + d2]! += xv[((b * h + xr) * w + xc) * cin + d1]! * dv[((b * oh + i) * ow + j) * cout + d2]!;
          }
  return out;
}

describe('fast CPU Conv2DBackpropFilter', () => {
  installFastCpuConvFilterGrad();
  installFastCpuConvFilterGrad(); // idempotent

  for (const [kernel, stride, pad] of [[3, 1, 1], [3, 2, 1], [1, 2, 0], [3, 1, 0]] as const) {
    it(`matches the definition for ${kernel}x${kernel}, stride ${stride}, pad ${pad}`, () => {
      const x = tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const filterShape: [number, number, number, number] = [kernel, kernel, 3, 4];
      const w = tf.randomNormal(filterShape, 0, 1, 'float32', 2) as tf.Tensor4D;
      const y = tf.conv2d(x, w, stride, pad);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3) as tf.Tensor4D;
      const grad = tf.grad((filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, stride, pad), dy)))(w);
      const expected = referenceFilterGrad(x, dy, filterShape, stride, pad);
      const got = grad.dataSync();
      expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 3));
      tf.dispose([x, w, y, dy, grad]);
    });
  }
});
