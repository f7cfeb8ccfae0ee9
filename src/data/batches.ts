/**
 * Batches as tensors: gathering images from the uint8 store, CIFAR augmentation (random crop with 4-pixel
 * zero padding, horizontal flip) on the backend, and per-channel normalisation.
 *
 * Crop offsets and flips are drawn in JS from a keyed generator and applied in one `cropAndResize` call:
 * integer-aligned boxes with nearest sampling copy exact pixels, and a box with x1 > x2 mirrors the crop, so augmentation is
 * one GPU op per batch and reproducible on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/random';
import { IMAGE_BYTES as PIXELS_PER_IMAGE, IMAGE_SIDE as IMAGE_SIZE, type LabeledImages as ImageSet } from './cifarBinary';

const PAD = 4;

export interface Normalization {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

export interface Batch {
  /** Normalised [B, 32, 32, 3]. */
  readonly x: tf.Tensor4D;
  /** int32 [B]. */
  readonly labels: tf.Tensor1D;
}

/** Raw pixels in [0, 1] and labels of the listed images, gathered on the CPU. */
function gather(set: ImageSet, indices: ArrayLike<number>, batchSize = indices.length): { pixels: Float32Array; labels: Int32Array } {
  const pixels = new Float32Array(batchSize * PIXELS_PER_IMAGE);
  const labels = new Int32Array(batchSize);
  for (let b = 0; b < indices.length; b++) {
    const index = indices[b]!;
    const source = set.images.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE);
    const offset = b * PIXELS_PER_IMAGE;
    for (let p = 0; p < PIXELS_PER_IMAGE; p++) pixels[offset + p] = source[p]! / 255;
    labels[b] = set.labels[index]!;
  }
  return { pixels, labels };
}

/** Normalised box [y1, x1, y2, x2] on the padded image for a crop at (dy, dx), mirrored when `flip`. */
function cropBox(dy: number, dx: number, flip: boolean): [number, number, number, number] {
  const last = IMAGE_SIZE + 2 * PAD - 1;
  const y1 = dy / last;
  const y2 = (dy + IMAGE_SIZE - 1) / last;
  const left = dx / last;
  const right = (dx + IMAGE_SIZE - 1) / last;
  return flip ? [y1, right, y2, left] : [y1, left, y2, right];
}

/** Per-sample crop offsets in [0, 8] and flips, drawn from `rng` (exported for tests). */
export function augmentationBoxes(batchSize: number, rng: Rng): Float32Array {
  const boxes = new Float32Array(batchSize * 4);
  for (let b = 0; b < batchSize; b++) {
    const dy = rng.int(2 * PAD + 1);
    const dx = rng.int(2 * PAD + 1);
    const flip = rng.next() < 0.5;
    boxes.set(cropBox(dy, dx, flip), b * 4);
  }
  return boxes;
}

/** Random crop (zero padding, as torchvision pads the raw image) and flip of raw [0,1] images. */
export function augment(images01: tf.Tensor4D, boxes: Float32Array): tf.Tensor4D {
  return tf.tidy(() => {
    const batchSize = images01.shape[0];
    const padded = tf.pad(images01, [
      [0, 0],
      [PAD, PAD],
      [PAD, PAD],
      [0, 0],
    ]);
    const boxIndices = tf.range(0, batchSize, 1, 'int32') as tf.Tensor1D;
    return tf.image.cropAndResize(padded, tf.tensor2d(boxes, [batchSize, 4]), boxIndices, [IMAGE_SIZE, IMAGE_SIZE], 'nearest');
  });
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
    const { pixels, labels } = gather(this.set, indices);
    return tf.tidy(() => {
      let images = tf.tensor4d(pixels, [indices.length, IMAGE_SIZE, IMAGE_SIZE, 3]);
      if (rng) images = augment(images, augmentationBoxes(indices.length, rng));
      return { x: this.normalize(images), labels: tf.tensor1d(labels, 'int32') };
    });
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
      x: this.normalize(tf.tensor4d(pixels, [batchSize, IMAGE_SIZE, IMAGE_SIZE, 3])),
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
