/**
 * Frozen teachers' logits for every training image, computed once per phase and gathered per batch. Valid
 * only when a teacher's output for an image never changes: no augmentation (a new crop and flip every
 * step), no replaced teacher inputs (the oracle's x*), no generated batches, and a method that reads only
 * logits (not features or the teacher network). With a teacher much larger than the student this removes
 * most of a KD step's cost.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/runConfig';
import type { BatchSource } from '../data/batches';
import type { Network } from '../models/network';
import { LOGITS_ONLY_FEATURES, type Learner, type TeacherContext } from './learner';

/** Whether the distiller's teachers can be served from a cache in this run. */
export function canCacheTeacherLogits(config: RunConfig, distiller: Learner | undefined): boolean {
  if (!distiller || config.augment) return false;
  const { method } = distiller;
  return method.spec.needs.teacherLogitsOnly === true && !method.teacherInput && !method.synthesize;
}

export class TeacherLogitsCache {
  private constructor(
    readonly nets: readonly Network[],
    /** One [training images, classes] tensor per teacher, in training-set order. */
    readonly logits: readonly tf.Tensor2D[],
  ) {}

  /** Runs every teacher once over the training subset, in eval mode, in batches of the run's size. */
  static async build(nets: readonly Network[], train: BatchSource, batchSize: number): Promise<TeacherLogitsCache> {
    const count = train.set.count;
    const parts: tf.Tensor2D[][] = nets.map(() => []);
    try {
      for (let start = 0; start < count; start += batchSize) {
        const batch = train.evalBatch(start, batchSize);
        nets.forEach((net, t) => parts[t]!.push(tf.tidy(() => net.apply(batch.x, { training: false }).logits.slice([0, 0], [batch.valid, -1]))));
        tf.dispose([batch.x, batch.labels]);
        await tf.nextFrame(); // keeps pause and stop responsive on a large subset
      }
      return new TeacherLogitsCache(nets, parts.map((p) => tf.concat(p) as tf.Tensor2D));
    } finally {
      tf.dispose(parts.flat());
    }
  }

  /** The teachers' logits for these training images, as the method's teacher context. */
  context(indices: ArrayLike<number>): TeacherContext {
    const rows = tf.tensor1d(Array.from(indices), 'int32');
    const outputs = this.logits.map((logits) => ({ logits: tf.gather(logits, rows), features: LOGITS_ONLY_FEATURES }));
    rows.dispose();
    return { nets: this.nets, outputs };
  }

  dispose(): void {
    tf.dispose([...this.logits]);
  }
}
