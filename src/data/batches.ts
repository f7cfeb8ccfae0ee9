/**
 * Batches as tensors: gathering images from the uint8 store, CIFAR augmentation (random crop with 4-pixel
 * zero padding, horizontal flip) and per-channel normalisation.
 *
 * Crop offsets and flips are drawn in JS from a keyed generator and applied in JS while the batch is
 * gathered: an exact copy of pixels, so a seed gives the same images on every backend (tfjs's
 * `cropAndResize` with nearest sampling rounds differently on wasm and shifted crops by a pixel) and in the
 * PyTorch package, which ports these draws.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/random';
import { imageBytes, type LabeledImages as ImageSet } from './cifarBinary';

const PAD = 4;
const CHANNELS = 3;

export interface Normalization {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

export interface Batch {
  /** Normalised [B, side, side, 3]. */
  readonly x: tf.Tensor4D;
  /** int32 [B]. */
  readonly labels: tf.Tensor1D;
}

/** One image's augmentation: the crop's offset on the zero-padded image (0 to 8 each way, 40x40 for CIFAR), and a mirror. */
export interface CropFlip {
  readonly dy: number;
  readonly dx: number;
  readonly flip: boolean;
}

/** Per-sample crop offsets in [0, 8] and flips, drawn from `rng` in this order (the PyTorch package's too). */
export function augmentationDraws(batchSize: number, rng: Rng): CropFlip[] {
  return Array.from({ length: batchSize }, () => {
    const dy = rng.int(2 * PAD + 1);
    const dx = rng.int(2 * PAD + 1);
    return { dy, dx, flip: rng.next() < 0.5 };
  });
}

/** Copies one `side x side` HWC image scaled to [0, 1], cropped at (dy, dx) of its zero-padded self and mirrored if asked. */
function copyAugmented(source: Uint8Array, side: number, target: Float32Array, offset: number, { dy, dx, flip }: CropFlip): void {
  for (let y = 0; y < side; y++) {
    const sy = y + dy - PAD;
    if (sy < 0 || sy >= side) continue; // a padding row: the target is already zero
    for (let x = 0; x < side; x++) {
      // The crop's column x is the padded column dx + x, or dx + side - 1 - x when mirrored.
      const sx = (flip ? dx + side - 1 - x : dx + x) - PAD;
      if (sx < 0 || sx >= side) continue;
      const from = (sy * side + sx) * CHANNELS;
      const to = offset + (y * side + x) * CHANNELS;
      for (let c = 0; c < CHANNELS; c++) target[to + c] = source[from + c]! / 255;
    }
  }
}

/** Raw pixels in [0, 1] (augmented when `draws` are given) and labels of the listed images, gathered on the CPU. */
function gather(set: ImageSet, indices: ArrayLike<number>, batchSize = indices.length, draws?: readonly CropFlip[]): { pixels: Float32Array; labels: Int32Array } {
  const bytes = imageBytes(set.side);
  const pixels = new Float32Array(batchSize * bytes);
  const labels = new Int32Array(batchSize);
  for (let b = 0; b < indices.length; b++) {
    const index = indices[b]!;
    const source = set.images.subarray(index * bytes, (index + 1) * bytes);
    const offset = b * bytes;
    if (draws) copyAugmented(source, set.side, pixels, offset, draws[b]!);
    else for (let p = 0; p < bytes; p++) pixels[offset + p] = source[p]! / 255;
    labels[b] = set.labels[index]!;
  }
  return { pixels, labels };
}

/** Makes normalised batches from one image set; owns its normalisation constants. */
export class BatchSource {
  readonly #mean: tf.Tensor1D;
  readonly #std: tf.Tensor1D;

  constructor(
    readonly set: ImageSet,
    normalization: Normalization,
  ) {
    this.#mean = tf.tensor1d([...normalization.mean]);
    this.#std = tf.tensor1d([...normalization.std]);
  }

  /** A training batch; augmented when `rng` is given. */
  trainBatch(indices: ArrayLike<number>, rng: Rng | null): Batch {
    const draws = rng ? augmentationDraws(indices.length, rng) : undefined;
    const { pixels, labels } = gather(this.set, indices, indices.length, draws);
    return tf.tidy(() => ({
      x: this.normalize(tf.tensor4d(pixels, [indices.length, this.set.side, this.set.side, CHANNELS])),
      labels: tf.tensor1d(labels, 'int32'),
    }));
  }

  /**
   * Evaluation batch of the images [start, start + batchSize), zero-padded to `batchSize` so every batch
   * has the same shape (shader caches grow with new shapes); `valid` says how many rows are real.
   */
  evalBatch(start: number, batchSize: number): Batch & { readonly valid: number } {
    const valid = Math.max(0, Math.min(batchSize, this.set.count - start));
    const indices = Array.from({ length: valid }, (_, i) => start + i);
    const { pixels, labels } = gather(this.set, indices, batchSize);
    return tf.tidy(() => ({
      x: this.normalize(tf.tensor4d(pixels, [batchSize, this.set.side, this.set.side, CHANNELS])),
      labels: tf.tensor1d(labels, 'int32'),
      valid,
    }));
  }

  normalize(images01: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.div(tf.sub(images01, this.#mean), this.#std));
  }

  dispose(): void {
    this.#mean.dispose();
    this.#std.dispose();
  }
}
