// Grouped convolution (tfjs has none) and the channel shuffle, against float64 loops written from PyTorch's
// definitions: output channel o of group g = o / (out / groups) sees input channels [g·in/g, (g+1)·in/g).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { keyedRng } from '../../src/core/random';
import { channelShuffle, groupedConv, groupedConv2d } from '../../src/models/grouped';
import { ParamStore } from '../../src/models/layers';

interface Shape4 { n: number; h: number; w: number; c: number }

/** y, dL/dx and dL/dkernel of L = Σ y ⊙ s, by loops in float64 (NHWC, kernel [k, k, in / groups, out]). */
function reference(x: Float64Array, xs: Shape4, kernel: Float64Array, k: number, out: number, groups: number, stride: number, pad: number, s?: Float64Array) {
  const inPer = xs.c / groups;
  const outPer = out / groups;
  const oh = Math.floor((xs.h + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((xs.w + 2 * pad - k) / stride) + 1;
  const y = new Float64Array(xs.n * oh * ow * out);
  const dx = new Float64Array(x.length);
  const dk = new Float64Array(kernel.length);
  for (let n = 0; n < xs.n; n++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < out; o++) {
          const g = Math.floor(o / outPer);
          const yIndex = ((n * oh + i) * ow + j) * out + o;
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const r = i * stride + ky - pad;
              const c = j * stride + kx - pad;
              if (r < 0 || c < 0 || r >= xs.h || c >= xs.w) continue;
              for (let ci = 0; ci < inPer; ci++) {
                const xIndex = ((n * xs.h + r) * xs.w + c) * xs.c + g * inPer + ci;
                const kIndex = ((ky * k + kx) * inPer + ci) * out + o;
                y[yIndex]! += x[xIndex]! * kernel[kIndex]!;
                if (s) {
                  dx[xIndex]! += s[yIndex]! * kernel[kIndex]!;
                  dk[kIndex]! += s[yIndex]! * x[xIndex]!;
                }
              }
            }
        }
  return { y, dx, dk, shape: [xs.n, oh, ow, out] };
}

const maxGap = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

const CASES = [
  { name: '3x3, 3 groups, stride 2, padding 1', xs: { n: 2, h: 5, w: 5, c: 6 }, k: 3, out: 9, groups: 3, stride: 2, pad: 1 },
  { name: "1x1, 3 groups (ShuffleV1's)", xs: { n: 2, h: 4, w: 4, c: 12 }, k: 1, out: 6, groups: 3, stride: 1, pad: 0 },
  { name: '3x3, 1 group (plain conv2d)', xs: { n: 1, h: 4, w: 4, c: 2 }, k: 3, out: 3, groups: 1, stride: 1, pad: 1 },
] as const;

describe('groupedConv', () => {
  it.each(CASES)('$name: forward and both gradients match a float64 loop', ({ xs, k, out, groups, stride, pad }) => {
    const rng = keyedRng(5, 'grouped-test');
    const draw = (count: number) => Float64Array.from({ length: count }, () => rng.normal());
    const x = draw(xs.n * xs.h * xs.w * xs.c);
    const kernel = draw(k * k * (xs.c / groups) * out);
    const expected = reference(x, xs, kernel, k, out, groups, stride, pad);
    const s = draw(expected.y.length);
    const withGradients = reference(x, xs, kernel, k, out, groups, stride, pad, s);

    const got = tf.tidy(() => {
      const xt = tf.tensor4d(Float32Array.from(x), [xs.n, xs.h, xs.w, xs.c]);
      const kt = tf.tensor4d(Float32Array.from(kernel), [k, k, xs.c / groups, out]);
      const st = tf.tensor(Float32Array.from(s), expected.shape);
      const y = groupedConv(xt, kt, groups, stride, pad);
      const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(groupedConv(a as tf.Tensor4D, b as tf.Tensor4D, groups, stride, pad), st)))([xt, kt]);
      return { shape: y.shape, y: y.dataSync(), dx: dx!.dataSync(), dk: dk!.dataSync() };
    });
    expect(got.shape).toEqual(expected.shape);
    expect(maxGap(got.y, expected.y)).toBeLessThan(1e-4);
    expect(maxGap(got.dx, withGradients.dx)).toBeLessThan(1e-4);
    expect(maxGap(got.dk, withGradients.dk)).toBeLessThan(1e-4);
  });

  it('the layer stores [k, k, in / groups, out] with U(±1 / sqrt(fan_in)) under torchDefault, and refuses widths that do not split', () => {
    const store = new ParamStore('grouped', keyedRng(1, 'init', 0));
    const conv = groupedConv2d(store, 'g', { inChannels: 240, outChannels: 60, kernelSize: 1, groups: 3, init: 'torchDefault' });
    expect(conv.kernel.shape).toEqual([1, 1, 80, 60]);
    const values = conv.kernel.dataSync();
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(80));
    expect(() => groupedConv2d(store, 'bad', { inChannels: 10, outChannels: 6, kernelSize: 1, groups: 3 })).toThrow(/do not split into 3 groups/);
    store.dispose();
  });
});

describe('channelShuffle', () => {
  it('moves input channel i·(C/g) + j to output channel j·g + i, as the view-permute-reshape on NCHW does', () => {
    const [c, g] = [6, 3];
    const got = tf.tidy(() => channelShuffle(tf.tensor4d(Array.from({ length: 2 * c }, (_, i) => i % c), [1, 1, 2, c]), g).dataSync());
    const perPixel = Array.from({ length: c }, (_, out) => (out % g) * (c / g) + Math.floor(out / g));
    expect(Array.from(got)).toEqual([...perPixel, ...perPixel]);
    const unshuffled = tf.ones<tf.Rank.R4>([1, 1, 1, 4]);
    expect(channelShuffle(unshuffled, 1)).toBe(unshuffled);
    unshuffled.dispose();
  });
});
