/**
 * Resizing that trains: PyTorch's `F.interpolate` modes built from ops whose gradients tfjs gets right.
 *
 * tfjs's own resize gradients are wrong where this project needs them (tfjs 4, measured by the adjoint test in
 * tests/models/resize.test.ts): `resizeNearestNeighbor`'s on the CPU backend for more than one image or
 * channel, and `resizeBilinear`'s with half-pixel centres (align_corners=False) on CPU and WebAssembly. The
 * forward passes were right, so the losses agreed with PyTorch while the generator (TA-DFKD), FitNets'
 * upsampling regressor and CA-MKD's student features learned from wrong gradients.
 */
import * as tf from '@tensorflow/tfjs';

/** `F.interpolate(scale_factor=2, mode='nearest')` on NHWC: every pixel becomes a 2×2 block (rank-3 tiles, whose gradient tfjs has). */
export function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    const wide = tf.tile(tf.reshape(x, [n * h * w, 1, c]), [1, 2, 1]); // each pixel twice along W
    const tall = tf.tile(tf.reshape(wide, [n * h, 1, 2 * w * c]), [1, 2, 1]); // each row twice along H
    return tf.reshape(tall, [n, 2 * h, 2 * w, c]);
  });
}

/**
 * The [target, source] matrix of 1-D linear interpolation with half-pixel centres, as PyTorch's
 * align_corners=False: source = (i + 0.5)·source/target − 0.5, clamped below at 0, between its floor and the
 * next pixel (the last one repeats).
 */
export function bilinearWeights(source: number, target: number): Float32Array {
  const weights = new Float32Array(target * source);
  const scale = source / target;
  for (let i = 0; i < target; i++) {
    const at = Math.max((i + 0.5) * scale - 0.5, 0);
    const lo = Math.min(Math.floor(at), source - 1);
    const hi = Math.min(lo + 1, source - 1);
    const frac = at - lo;
    weights[i * source + lo]! += 1 - frac;
    weights[i * source + hi]! += frac;
  }
  return weights;
}

/** `F.interpolate(size, mode='bilinear', align_corners=False)` on NHWC, as two matrix products (rows, then columns). */
export function resizeBilinearHalfPixel(x: tf.Tensor4D, [targetH, targetW]: readonly [number, number]): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    const rows = tf.tensor2d(bilinearWeights(h, targetH), [targetH, h]);
    const cols = tf.tensor2d(bilinearWeights(w, targetW), [targetW, w]);
    // [n, h, w, c] -> [n·w·c, h] · rowsᵀ -> [n, w, c, H] -> [n·H·c, w] · colsᵀ -> [n, H, c, W] -> [n, H, W, c]
    const alongH = tf.matMul(tf.reshape(tf.transpose(x, [0, 2, 3, 1]), [n * w * c, h]), rows, false, true);
    const byRow = tf.transpose(tf.reshape(alongH, [n, w, c, targetH]), [0, 3, 2, 1]);
    const alongW = tf.matMul(tf.reshape(byRow, [n * targetH * c, w]), cols, false, true);
    return tf.transpose(tf.reshape(alongW, [n, targetH, c, targetW]), [0, 1, 3, 2]) as tf.Tensor4D;
  });
}
