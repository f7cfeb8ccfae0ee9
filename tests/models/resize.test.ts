// Resizing that trains (src/models/resize.ts): PyTorch's values forward, and gradients that are the exact
// adjoint of the forward map, where tfjs's own resize gradients are not (the reason the module exists).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { bilinearWeights, resizeBilinearHalfPixel, upsampleNearest2x } from '../../src/models/resize';

// F.interpolate(x, size, mode='bilinear', align_corners=False) in PyTorch 1.13, x = sin(0.37·i) laid out
// NHWC [2, 3, 3, 2], permuted to NCHW and the result back to NHWC.
const SOURCE = tf.tidy(() => tf.reshape(tf.sin(tf.mul(tf.range(0, 36), 0.37)), [2, 3, 3, 2]) as tf.Tensor4D);
const TORCH_UP_5X4 = [0.0, 0.361615, 0.42143, 0.695417, 0.794885, 0.92029, 0.995881, 0.961275, 0.318626, 0.426587, 0.417492, 0.449033, 0.442605, 0.38525, 0.385594, 0.256498, 0.796565, 0.524044, 0.411585, 0.079457, -0.085816, -0.417309, -0.529836, -0.800667, -0.259253, -0.387526, -0.386814, -0.443111, -0.449001, -0.416355, -0.425087, -0.316178, -0.963131, -0.99524, -0.919079, -0.79149, -0.691125, -0.415719, -0.355253, 0.006815, 0.36796, 0.679305, 0.699678, 0.877537, 0.921458, 0.919957, 0.959375, 0.792427, 0.428067, 0.477139, 0.449045, 0.418705, 0.383669, 0.273332, 0.253732, 0.089479, 0.518228, 0.173889, 0.073095, -0.269543, -0.423014, -0.696605, -0.804731, -0.964942, -0.38944, -0.464177, -0.443596, -0.438795, -0.415199, -0.325255, -0.313715, -0.161404, -0.994553, -0.889555, -0.788058, -0.55163, -0.40999, -0.077689, 0.013629, 0.374288];
const TORCH_DOWN_2X2 = [0.287072, 0.457905, 0.598555, 0.54683, -0.548489, -0.598752, -0.455259, -0.28348, 0.460529, 0.568077, 0.545145, 0.418178, -0.598922, -0.56666, -0.279875, -0.069279];

/** |<f(x), w> − <x, ∇ₓ<f(x), w>>| relative to |<f(x), w>|: 0 (to rounding) exactly when the gradient is fᵀ. */
function adjointGap(f: (x: tf.Tensor4D) => tf.Tensor4D, shape: [number, number, number, number], seed: number): number {
  return tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
    const w = tf.randomNormal(f(x).shape, 0, 1, 'float32', seed + 1);
    const forward = tf.sum(tf.mul(f(x), w)).dataSync()[0]!;
    const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(f(input as tf.Tensor4D), w)))(x);
    return Math.abs(forward - tf.sum(tf.mul(x, grad)).dataSync()[0]!) / Math.max(Math.abs(forward), 1);
  });
}

const SHAPES: [number, number, number, number][] = [[1, 4, 4, 1], [2, 4, 4, 3], [8, 8, 8, 16], [3, 4, 6, 5]];

describe('upsampleNearest2x', () => {
  it('repeats every pixel into a 2x2 block, image by image and channel by channel', () => {
    const x = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
    expect(Array.from(upsampleNearest2x(x).dataSync())).toEqual([1, 10, 1, 10, 2, 20, 2, 20, 1, 10, 1, 10, 2, 20, 2, 20, 3, 30, 3, 30, 4, 40, 4, 40, 3, 30, 3, 30, 4, 40, 4, 40]);
    expect(Array.from(upsampleNearest2x(SOURCE).dataSync())).toEqual(Array.from(tf.image.resizeNearestNeighbor(SOURCE, [6, 6]).dataSync()));
  });

  it('has the adjoint of its forward map as its gradient, where tfjs\u2019s resizeNearestNeighbor has not', () => {
    SHAPES.forEach((shape, i) => expect(adjointGap(upsampleNearest2x, shape, 10 + i), shape.join('x')).toBeLessThan(1e-5));
    // The reason: on this backend the library's own gradient is far off for more than one image or channel.
    expect(adjointGap((x) => tf.image.resizeNearestNeighbor(x, [2 * x.shape[1], 2 * x.shape[2]]), [2, 4, 4, 3], 3)).toBeGreaterThan(1e-2);
  });
});

describe('resizeBilinearHalfPixel', () => {
  it('gives PyTorch\u2019s values upsampling and downsampling (align_corners=False)', () => {
    const close = (got: tf.Tensor, want: number[]) => Array.from(got.dataSync()).forEach((v, i) => expect(v, `${i}`).toBeCloseTo(want[i]!, 5));
    close(resizeBilinearHalfPixel(SOURCE, [5, 4]), TORCH_UP_5X4);
    close(resizeBilinearHalfPixel(SOURCE, [2, 2]), TORCH_DOWN_2X2);
  });

  it('interpolates with rows that sum to 1, the first source pixel held at the border', () => {
    const weights = bilinearWeights(3, 7);
    for (let i = 0; i < 7; i++) expect(weights.subarray(i * 3, i * 3 + 3).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(Array.from(weights.subarray(0, 3))).toEqual([1, 0, 0]);
    expect(Array.from(bilinearWeights(4, 4))).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('has the adjoint of its forward map as its gradient, where tfjs\u2019s half-pixel resizeBilinear has not', () => {
    SHAPES.forEach((shape, i) => expect(adjointGap((x) => resizeBilinearHalfPixel(x, [7, 5]), shape, 20 + i), shape.join('x')).toBeLessThan(1e-5));
    expect(adjointGap((x) => tf.image.resizeBilinear(x, [7, 5], false, true), [2, 4, 4, 3], 5)).toBeGreaterThan(1e-2);
  });
});
