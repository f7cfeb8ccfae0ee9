/**
 * What multi-stage and data-free methods need from the loop: a copy of a network's weights to come back
 * to (REFILLED keeps its best stage-1 model), one pass over the training subset (its global class
 * centres), and a method's generated images as plain RGBA for the page.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/runConfig';
import { keyedRng } from '../core/random';
import type { Batch, BatchSource } from '../data/batches';
import type { SynthesisInputs } from '../methods/method';
import type { Network } from '../models/network';
import type { MethodSamplesSummary } from '../contract/protocol';
import type { Learner } from './learner';

export interface WeightSnapshot {
  readonly values: ReadonlyMap<string, tf.Tensor>;
  dispose(): void;
}

/** Copies every variable of the network (weights and BatchNorm running statistics). */
export function snapshotWeights(net: Network): WeightSnapshot {
  const values = new Map([...net.params.named].map(([name, variable]) => [name, tf.clone(variable)] as const));
  return { values, dispose: () => tf.dispose([...values.values()]) };
}

export function restoreWeights(net: Network, snapshot: WeightSnapshot): void {
  for (const [name, variable] of net.params.named) variable.assign(snapshot.values.get(name)!);
}

/** Visits the training subset once in `batch`-sized batches (the last one may be short), augmented when the run augments. */
export async function forEachTrainingBatch(train: BatchSource, config: RunConfig, batch: number, visit: (batch: Batch) => void): Promise<void> {
  const count = train.set.count;
  for (let start = 0, index = 0; start < count; start += batch, index++) {
    const indices = Array.from({ length: Math.min(batch, count - start) }, (_, i) => start + i);
    const next = train.trainBatch(indices, config.augment ? keyedRng(config.seed, 'stage-pass', index) : null);
    try {
      visit(next);
    } finally {
      tf.dispose([next.x, next.labels]);
    }
    await tf.nextFrame(); // lets pause/stop messages in between
  }
}

/** How many generated images the page shows after each epoch. */
export const SAMPLE_COUNT = 16;

/** The method's sample images as RGBA bytes (at the run's image side) with their labels, for the `samples` message. */
export async function methodSamples(learner: Learner, inputs: SynthesisInputs<unknown>, epoch: number): Promise<MethodSamplesSummary> {
  const { images, labels } = learner.method.samples!(inputs, SAMPLE_COUNT);
  const rgba = tf.tidy(() => {
    const [count, height, width] = images.shape;
    const alpha = tf.ones([count, height, width, 1]);
    return tf.cast(tf.round(tf.mul(tf.concat([tf.clipByValue(images, 0, 1), alpha], 3), 255)), 'int32');
  });
  try {
    const [pixels, classes] = await Promise.all([rgba.data(), labels.data()]);
    return { learner: learner.info.key, epoch, count: images.shape[0], size: images.shape[1], rgba: Uint8ClampedArray.from(pixels), labels: Uint8Array.from(classes) };
  } finally {
    tf.dispose([rgba, images, labels]);
  }
}
